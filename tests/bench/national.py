"""`make bench`: the registry at national scale, on PostgreSQL only.

For each scale of `BENCH_SCALES` (default `0.1 1`) and the seed `BENCH_SEED` (1): the
generated database `bench_<scale>_<seed>` (made or reused: tests/bench/databases.py), then
the pages and the meeting save (tests/bench/pages.py); at the largest scale the attendance
export three ways and the dump (tests/bench/exports.py). Prints a short table and, as its
last line, one JSON object:

{"scales", "pages": {name: {scale: {p50_ms, p95_ms, queries}}}, "growth": {name: p95 ratio},
 "meeting_save": {p50_ms, p95_ms, queries}, "export": {rows, ours_rows_per_s, copy_rows_per_s,
 import_export_rows_per_s, ours_peak_mb, import_export_peak_mb, dump_seconds},
 "generate_seconds": {scale: s}, "load": "…", "date": "…"}

Figures only: nothing is asserted (the query counts are, in the test suite).
"""

import datetime
import json
import os
import subprocess
import sys

from tests.bench import databases

ROOT = databases.ROOT


def run_json(module, url, *args, env=None) -> dict:
    """Run `python -m module args` on the database at `url`; its last line is JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **(env or {})},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def load() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def main():
    base = databases.refuse_unless_postgresql("make bench")
    scales = [float(s) for s in os.environ.get("BENCH_SCALES", "0.1 1").split()]
    seed = int(os.environ.get("BENCH_SEED", "1"))
    largest = max(scales)
    result = {
        "scales": [databases.scale_label(s) for s in scales],
        "pages": {},
        "growth": {},
        "meeting_save": {},
        "export": {},
        "generate_seconds": {},
        "subjects": {},
        "date": datetime.datetime.now().isoformat(timespec="minutes"),
        "load_before": load(),
    }
    saves = {}
    for scale in scales:
        label = databases.scale_label(scale)
        db = databases.ensure(base, scale, seed, say=lambda m: print(m, file=sys.stderr))
        result["generate_seconds"][label] = db.generate_seconds
        print(
            f"== Échelle {label} ({db.name}, jour {db.reference_day}, charge {load()})",
            file=sys.stderr,
            flush=True,
        )
        measured = run_json("tests.bench.pages", db.url)
        result["subjects"][label] = measured["subjects"]
        for name, figures in measured["pages"].items():
            result["pages"].setdefault(name, {})[label] = {
                key: figures[key] for key in ("p50_ms", "p95_ms", "queries")
            }
        saves[label] = measured["meeting_save"]
        if scale == largest and os.environ.get("BENCH_EXPORTS", "1") == "1":
            print(f"== Exports à l’échelle {label}", file=sys.stderr, flush=True)
            ways = {
                way: run_json("tests.bench.exports", db.url, way)
                for way in ("ours", "copy", "import_export", "dump")
            }
            for way, figures in ways.items():
                print(f"  {way:14} {figures}", file=sys.stderr, flush=True)
            result["export"] = {
                "rows": ways["ours"]["rows"],
                "ours_rows_per_s": ways["ours"]["rows_per_s"],
                "copy_rows_per_s": ways["copy"]["rows_per_s"],
                "import_export_rows_per_s": ways["import_export"]["rows_per_s"],
                "import_export_rows": ways["import_export"]["rows"],
                "ours_peak_mb": ways["ours"]["peak_mb"],
                "copy_peak_mb": ways["copy"]["peak_mb"],
                "import_export_peak_mb": ways["import_export"]["peak_mb"],
                "process_baseline_mb": ways["ours"]["baseline_mb"],
                "dump_seconds": ways["dump"]["seconds"],
                "scale": label,
            }
    smallest, biggest = databases.scale_label(min(scales)), databases.scale_label(largest)
    for name, by_scale in result["pages"].items():
        if smallest in by_scale and biggest in by_scale and by_scale[smallest]["p95_ms"]:
            result["growth"][name] = round(
                by_scale[biggest]["p95_ms"] / by_scale[smallest]["p95_ms"], 2
            )
    result["meeting_save"] = {**saves[biggest], "scale": biggest}
    result["load_after"] = load()
    table(result)
    print(json.dumps(result, ensure_ascii=False))


def table(result):
    scales = result["scales"]
    head = "".join(f"{'p50/p95 ms (req) @' + s:>30}" for s in scales)
    print(f"\n{'page':28}{head}{'growth':>9}")
    for name, by_scale in result["pages"].items():
        cells = "".join(
            f"{f['p50_ms']:>11.0f} /{f['p95_ms']:>8.0f} ({f['queries']:>4})"
            if (f := by_scale.get(s))
            else f"{'—':>30}"
            for s in scales
        )
        print(f"{name:28}{cells}{result['growth'].get(name, 0):>9.2f}")
    save = result["meeting_save"]
    print(
        f"{'meeting_save @' + save['scale']:28}{save['p50_ms']:>11.0f} /{save['p95_ms']:>8.0f} "
        f"({save['queries']:>4})  {save['attendance_rows']} présences, "
        f"{save['commitments']} engagements, {save['follow_ups']} suivis"
    )
    export = result["export"]
    if export:
        copy = export["copy_rows_per_s"]
        print(
            f"export attendance @{export['scale']} ({export['rows']} lignes) : nous "
            f"{export['ours_rows_per_s']} l/s ({export['ours_rows_per_s'] / copy:.2f}× COPY, "
            f"{export['ours_peak_mb']} Mo), COPY brut {copy} l/s, django-import-export "
            f"{export['import_export_rows_per_s']} l/s ({export['import_export_peak_mb']} Mo "
            f"pour {export['import_export_rows']} lignes) ; dump {export['dump_seconds']} s"
        )
    print(
        f"génération (s) : {result['generate_seconds']} ; charge avant {result['load_before']}, "
        f"après {result['load_after']}"
    )


if __name__ == "__main__":
    main()
