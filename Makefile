# The two commands a newcomer needs: `make run` and `make test`. See the README.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DEPARTMENTS ?= 38
SQLITE_URL := sqlite:///$(CURDIR)/db.sqlite3
# The suite runs on every core (pytest-xdist): CI's budget is 20 minutes for both databases.
# PYTEST_ARGS="-n 0 -x tests/test_exports.py" runs a part of it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test install lint migrations-check bench bench-small loadtest clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(STAMP)

# Virtual environment, dependencies, migrations, Isère's territories, demo data, server.
run: $(STAMP)
	DEBUG=1 DATABASE_URL=$(SQLITE_URL) $(BIN)/python manage.py migrate --no-input
	DEBUG=1 DATABASE_URL=$(SQLITE_URL) $(BIN)/python manage.py load_territories --departments $(DEMO_DEPARTMENTS)
	DEBUG=1 DATABASE_URL=$(SQLITE_URL) $(BIN)/python manage.py load_outlines --departments $(DEMO_DEPARTMENTS)
	DEBUG=1 DATABASE_URL=$(SQLITE_URL) $(BIN)/python manage.py load_demo
	@echo "Registre servi sur http://127.0.0.1:8000 — administration : http://127.0.0.1:8000/admin/ (comptes : voir le README, mot de passe demo-registre-38)"
	DEBUG=1 DATABASE_URL=$(SQLITE_URL) $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite on SQLite, then on PostgreSQL when DATABASE_URL points at one.
test: $(STAMP)
	@echo "== Suite sur SQLite"
	DATABASE_URL=$(SQLITE_URL) $(BIN)/pytest $(PYTEST_ARGS)
	@case "$$DATABASE_URL" in \
	  postgres://*|postgresql://*) \
	    echo "== Suite sur PostgreSQL ($$DATABASE_URL)"; \
	    $(BIN)/pytest $(PYTEST_ARGS) ;; \
	  *) echo "== Suite sur PostgreSQL IGNORÉE : DATABASE_URL ne désigne pas une base PostgreSQL (par exemple DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make test)." ;; \
	esac

# ruff, then the layers contract of pyproject.toml (import-linter): apps import one way.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

migrations-check: $(STAMP)
	DATABASE_URL=$(SQLITE_URL) $(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings

# National scale on PostgreSQL (README, « Mesures de performance »): generated databases
# bench_<scale>_<seed> reused from run to run; the last line printed is JSON.
BENCH_SCALES ?= 0.1 1
LOADTEST_SECONDS ?= 60
bench: $(STAMP)
	BENCH_SCALES="$(BENCH_SCALES)" $(BIN)/python -m tests.bench.national

loadtest: $(STAMP)
	BENCH_SCALES="$(BENCH_SCALES)" LOADTEST_SECONDS=$(LOADTEST_SECONDS) $(BIN)/python -m tests.bench.loadtest

# The earlier, smaller benchmarks: territories, an SSMSI file, connections killed mid-traffic.
bench-small: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(SQLITE_URL)} $(BIN)/python -m tests.bench.territories
	DATABASE_URL=$(SQLITE_URL) $(BIN)/python -m tests.bench.ssmsi
	$(BIN)/python -m tests.bench.connections

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
