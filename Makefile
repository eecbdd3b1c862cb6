# ipps — the two commands that matter: `make demo` and `make test`.
# The system's Python when it is 3.11 or newer, else the first python3 on the PATH: distributions
# build theirs with profile-guided and link-time optimisation, which runs ipps 10-20% faster than
# a plain source build (pyenv's default, say). `make PYTHON=...` chooses another.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV ?= .venv
BIN := $(VENV)/bin
IPPS := $(BIN)/ipps
PORT ?= 8000
PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: demo install install-dev test test-sqlite test-postgres check lint format bench clean messages openapi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# setuptools<81 still ships pkg_resources, which XStatic-Bootstrap's setup.py imports.
$(VENV)/.base: $(BIN)/python constraints.txt
	$(BIN)/python -m pip install -q --upgrade pip "setuptools>=68,<81" wheel
	$(BIN)/python -m pip install -q --no-build-isolation -c constraints.txt XStatic-Bootstrap
	touch $@

$(VENV)/.installed: $(VENV)/.base pyproject.toml constraints.txt
	$(BIN)/python -m pip install -q --no-build-isolation -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.base pyproject.toml constraints.txt
	$(BIN)/python -m pip install -q --no-build-isolation -c constraints.txt -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(IPPS) migrate --no-input
	$(IPPS) demo --if-empty
	$(IPPS) serve --port $(PORT)

check: install-dev
	$(IPPS) check --fail-level WARNING
	$(IPPS) makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: check test-sqlite test-postgres

test-sqlite: install-dev
	$(BIN)/pytest -p no:cacheprovider --create-db

# Runs the whole suite again on PostgreSQL when one answers (always in CI, where .ci/run starts it).
test-postgres: install-dev
	@if $(BIN)/python -m ipps.core.pgcheck "$(PG_ADMIN_URL)"; then \
		DATABASE_URL="$(PG_ADMIN_URL:/postgres=/ipps)" $(BIN)/pytest -p no:cacheprovider --create-db -m "not browser"; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL is required in CI but does not answer at $(PG_ADMIN_URL)"; exit 1; \
	else echo "SKIPPED PostgreSQL run: no server answers at $(PG_ADMIN_URL)"; fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install-dev
	cd src/ipps && ../../$(IPPS) makemessages -l zh_Hans --no-obsolete && ../../$(IPPS) compilemessages -l zh_Hans

bench: install-dev
	$(BIN)/python bench/import_enterprises.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/assessment.py

# The committed API schema; tests fail when it drifts from the code.
openapi: install-dev
	DJANGO_SETTINGS_MODULE=ipps.settings $(BIN)/python -c "import json, django; django.setup(); from ipps.core.api import register_routers; \
	print(json.dumps(register_routers().get_openapi_schema(), sort_keys=True, indent=1, ensure_ascii=False, default=str))" \
	> docs/openapi.json

clean:
	rm -rf $(VENV) var .pytest_cache
