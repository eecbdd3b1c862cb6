"""ipps ledger rebuild | verify | import FILE: the rollups against the rows, and bulk import."""

import time

from django.core.management.base import BaseCommand, CommandError

from ipps.ledger import rollups


class Command(BaseCommand):
    help = (
        "Rebuild the ledger's rollups from its rows, verify that they agree, or import a .csv/.xlsx "
        "file of ledger rows (whole or not at all)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "verify", "import"])
        parser.add_argument("file", nargs="?", help="the .csv or .xlsx file to import")
        parser.add_argument("--limit", type=int, default=50, help="differences to list at most")
        parser.add_argument(
            "--batch", type=int, default=None, help="rows written per batch (import; default 20000)"
        )

    def handle(self, *args, action, limit, file=None, batch=None, **options):
        started = time.monotonic()
        if action == "import":
            self._import(file, batch)
            return
        if action == "rebuild":
            cells, pairs = rollups.rebuild()
            self.stdout.write(
                f"Rebuilt {cells} rollup cells and {pairs} enterprise-month rows "
                f"in {time.monotonic() - started:.1f} s."
            )
            return
        differences = rollups.verify(limit=limit)
        if differences:
            for difference in differences:
                self.stderr.write(str(difference))
            raise CommandError(
                f"The rollups disagree with the ledger rows ({len(differences)} difference(s)"
                f"{' or more' if len(differences) >= limit else ''}); run `ipps ledger rebuild`."
            )
        self.stdout.write(
            f"OK: the rollups equal the ledger rows ({time.monotonic() - started:.1f} s)."
        )

    def _import(self, file, batch):
        from pathlib import Path

        from ipps.core.errors import ServiceError
        from ipps.ledger.importing import DEFAULT_BATCH, ledger_import

        if not file:
            raise CommandError("Name the file to import: ipps ledger import FILE.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if batch is not None and batch < 1:
            raise CommandError("--batch must be at least 1.")
        try:
            report = ledger_import(path=path, batch_size=batch or DEFAULT_BATCH)
        except ServiceError as exc:
            raise CommandError(f"{path.name}: {exc.message}") from exc
        if report.status == "already_imported":
            self.stdout.write(
                f"{path.name} was imported before (sha256 {report.sha256[:16]}); nothing written."
            )
            return
        if report.status == "rejected":
            for error in report.errors:
                self.stderr.write(str(error))
            more = report.error_count - len(report.errors)
            if more > 0:
                self.stderr.write(f"… and {more} more error(s).")
            raise CommandError(
                f"{path.name}: {report.error_count} error(s) in {report.rows} rows; "
                "nothing was written."
            )
        self.stdout.write(
            f"Imported {report.created:,} ledger rows from {path.name} in {report.seconds:.1f} s "
            f"({report.rows_per_second:,.0f} rows/s); rollups updated."
        )
