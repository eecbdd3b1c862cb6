"""Exit 0 when a PostgreSQL server answers at the URL given (used by `make test`)."""

import sys

import psycopg


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
