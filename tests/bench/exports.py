"""The attendance export three ways, side by side, on a generated database (DATABASE_URL);
run by `tests.bench.national` (`make bench`), each way in a process of its own so that its
peak memory (the process's maximum resident size) is its own:

- `ours`: `/exports/attendance.csv` as the public downloads it (the registry's view, streamed
  through Django's test client and counted as it comes);
- `copy`: a raw `COPY (SELECT …) TO STDOUT` of the same rows and columns (the same query, ids
  instead of pseudonyms, no formatting): the ceiling;
- `import_export`: django-import-export's default export of the model (`ModelResource`, then
  CSV), capped at `IMPORT_EXPORT_CAP` rows (200,000): it holds everything in memory;
- `dump`: `manage.py export_dump`, every file of the open-data dump.

`python -m tests.bench.exports <way>` prints one JSON line: rows, seconds, rows_per_s,
peak_mb (and baseline_mb, the process's size before it started).
"""

import json
import resource
import sys
import tempfile
import time

IMPORT_EXPORT_CAP = 200_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ours():
    from django.test import Client

    client = Client()
    client.get("/exports/")  # the handler's first request loads its middleware: not timed
    started = time.perf_counter()
    response = client.get("/exports/attendance.csv")
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
    return lines - 1, time.perf_counter() - started


def raw_copy():
    from django.db import connection

    from bodies.access import ANONYMOUS
    from partnerships.exports.datasets import DATASETS
    from partnerships.exports.model import Filters, filtered

    inner, params = filtered(DATASETS["attendance"], ANONYMOUS, Filters()).query.sql_with_params()
    statement = f"COPY ({inner}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    connection.ensure_connection()
    started = time.perf_counter()
    lines = 0
    with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
        for block in copy:
            lines += bytes(block).count(b"\n")
    return lines - 1, time.perf_counter() - started


def import_export():
    from import_export import resources

    from meetings.models import Attendance

    resource_class = resources.modelresource_factory(Attendance)
    started = time.perf_counter()
    dataset = resource_class().export(Attendance.objects.order_by("pk")[:IMPORT_EXPORT_CAP])
    text = dataset.csv
    return text.count("\n") - 1, time.perf_counter() - started


def dump():
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as folder:
        from django.conf import settings

        settings.EXPORT_DIR = folder
        started = time.perf_counter()
        call_command("export_dump", verbosity=0)
        return None, time.perf_counter() - started


WAYS = {"ours": ours, "copy": raw_copy, "import_export": import_export, "dump": dump}


def main():
    from tests.bench.pages import setup

    way = sys.argv[1]
    setup()
    baseline = peak_mb()
    rows, seconds = WAYS[way]()
    print(
        json.dumps(
            {
                "way": way,
                "rows": rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(rows / seconds) if rows else None,
                "peak_mb": round(peak_mb()),
                "baseline_mb": round(baseline),
            }
        )
    )


if __name__ == "__main__":
    main()
