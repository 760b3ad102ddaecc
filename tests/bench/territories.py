"""Benchmark: load all of France's territories into a fresh database, twice.

Prints figures; asserts nothing. Target (issue 2): under a minute on SQLite.
Run with `make bench` (SQLite in a temporary file, or the PostgreSQL of DATABASE_URL).
"""

import os
import resource
import sys
import tempfile
import time


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from bodies.models import Commune, Epci
    from bodies.territories import load_territories, read_communes

    tmp = None
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # A file, as in production, rather than the in-memory test database.
        handle, tmp = tempfile.mkstemp(suffix=".sqlite3")
        os.close(handle)
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = tmp
    config = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("migrate", verbosity=0)
        print(f"Base : {connection.vendor}")
        for label in ("premier chargement", "second chargement (idempotent)"):
            read_communes.cache_clear()  # each run reads the files, as the command does
            started = time.perf_counter()
            results = load_territories()
            elapsed = time.perf_counter() - started
            print(f"{label:32} {elapsed:6.2f} s   " + " | ".join(str(r) for r in results))
        print(f"communes : {Commune.objects.count()}, EPCI : {Epci.objects.count()}")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"mémoire maximale du processus : {peak_mb:.0f} Mo")
    finally:
        teardown_databases(config, verbosity=0)
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
