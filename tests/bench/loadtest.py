"""`make loadtest`: 50 users for `LOADTEST_SECONDS` (60) against gunicorn with the production
settings on 127.0.0.1, on the generated database of `LOADTEST_SCALE` (default: the largest of
`BENCH_SCALES`; generated if absent, as `make bench` does). PostgreSQL only.

Locust runs headless (tests/bench/locustfile.py): public visitors on the directory with
filters, body and meeting pages; prefecture staff, signed in, on their county dashboard and a
filtered attendance export (staff of ten départements drawn once, each on its own). Each user
waits `LOADTEST_WAIT` seconds between pages ("2 8": from 2 to 8, as a person reading a page; 50
users then ask about ten pages a second); gunicorn runs `LOADTEST_WORKERS` sync workers (two
per core plus one).

Halfway through, every connection of the application to its database is terminated
(`pg_terminate_backend`), once: the requests in flight then fail — at most one per gunicorn
worker, connections being health-checked before reuse — and are counted apart. Any other failed
request makes the command exit non-zero.

Prints requests per second, p50/p95/p99 per page and the error count, and, as its last line:
{"users", "seconds", "requests", "errors", "rps", "p95_ms", "p99_ms",
 "db_kill": {"killed", "failed_requests"}, ...}
"""

import csv
import datetime
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from tests.bench import databases

ROOT = databases.ROOT
USERS = int(os.environ.get("LOADTEST_USERS", "50"))
# gunicorn's own advice: two workers per core, plus one.
WORKERS = int(os.environ.get("LOADTEST_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
SECRETS = {
    "SECRET_KEY": "benchmark-only-secret-key-not-for-production-0123456789",
    "PSEUDONYM_KEY": "benchmark-only-pseudonym-key-0123456789abcdef",
}


def plan():
    """In the database's own process: what the users request, and a signed-in session of the
    prefecture staff (printed as JSON)."""
    from tests.bench.pages import Subjects, setup, users

    setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bodies.access import ANONYMOUS
    from bodies.models import Body, Department, today
    from meetings.models import Meeting

    subjects = Subjects()
    users(subjects)
    # Prefecture staff of ten départements drawn once (seeded), each signed in: staff look at
    # their own département's dashboard, not all at the largest one.
    from django.contrib.auth import get_user_model

    from bodies.models import RoleAssignment

    codes = sorted(Department.objects.values_list("code", flat=True))
    drawn = random.Random(int(os.environ.get("BENCH_SEED", "1"))).sample(codes, 10)
    sessions = []
    for code in drawn:
        staff, _ = get_user_model().objects.get_or_create(username=f"bench-prefecture-{code}")
        RoleAssignment.objects.get_or_create(
            user=staff,
            role=RoleAssignment.Role.PREFECTURE,
            department=Department.objects.get(code=code),
            defaults={"started_on": datetime.date(2000, 1, 1)},
        )
        session = SessionStore()
        session[SESSION_KEY] = str(staff.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
        session.create()
        sessions.append([code, session.session_key])
    public = Meeting.objects.readable_by(ANONYMOUS).order_by("?").values_list("pk", flat=True)
    print(
        json.dumps(
            {
                "prefecture_sessions": sessions,
                "departments": list(Department.objects.values_list("code", flat=True)),
                "bodies": list(Body.objects.order_by("?").values_list("pk", flat=True)[:2000]),
                "meetings": list(public[:2000]),
                "words": ["Lyon", "Marseille", "saint", "CISPD", "val", "sur"],
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "export_from": (today() - datetime.timedelta(days=365)).isoformat(),
            }
        )
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def read_stats(prefix):
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main():
    base = databases.refuse_unless_postgresql("make loadtest (test de charge)")
    scales = [float(s) for s in os.environ.get("BENCH_SCALES", "0.1 1").split()]
    scale = float(os.environ.get("LOADTEST_SCALE") or max(scales))
    seconds = int(os.environ.get("LOADTEST_SECONDS", "60"))
    seed = int(os.environ.get("BENCH_SEED", "1"))
    db = databases.ensure(base, scale, seed, say=lambda m: print(m, file=sys.stderr))
    env = {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": db.url,
        "DJANGO_SETTINGS_MODULE": "tests.bench.served_settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "60",
    }
    made = subprocess.run(
        [sys.executable, "-m", "tests.bench.loadtest", "plan"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    folder = tempfile.mkdtemp(prefix="loadtest-")
    plan_path = os.path.join(folder, "plan.json")
    failures_path = os.path.join(folder, "failures.jsonl")
    with open(plan_path, "w", encoding="utf-8") as handle:
        handle.write(made.stdout.strip().splitlines()[-1])
    port = free_port()
    bin_dir = os.path.dirname(sys.executable)
    gunicorn = subprocess.Popen(
        [
            os.path.join(bin_dir, "gunicorn"),
            "partnerships.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "tests.bench.served_settings"},
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(folder, "gunicorn.log"), "w"),  # noqa: SIM115
    )
    server = None
    try:
        home = f"http://127.0.0.1:{port}/"
        for _ in range(150):
            try:
                urllib.request.urlopen(home, timeout=10).read()
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"== Test de charge : {USERS} utilisateurs, {seconds} s, {WORKERS} workers gunicorn, "
            f"base {db.name} (jour {db.reference_day}), charge {load()}",
            file=sys.stderr,
            flush=True,
        )
        server = databases.maintenance(base)
        kill = {"at": None, "killed": 0}

        def terminate():
            time.sleep(seconds / 2)  # halfway
            kill["at"] = time.time()
            kill["killed"] = server.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [db.name],
            ).fetchone()[0]

        killer = threading.Thread(target=terminate)
        killer.start()
        prefix = os.path.join(folder, "locust")
        subprocess.run(
            [
                os.path.join(bin_dir, "locust"),
                "-f",
                os.path.join(ROOT, "tests", "bench", "locustfile.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(max(1, USERS // 5)),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env={**os.environ, "LOADTEST_PLAN": plan_path, "LOADTEST_FAILURES": failures_path},
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(folder, "locust.log"), "w"),  # noqa: SIM115
            check=True,
        )
        killer.join()
        return report(prefix, failures_path, kill, seconds, folder)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        if server is not None:
            server.close()


def report(prefix, failures_path, kill, seconds, folder) -> int:
    stats = read_stats(prefix)
    failures = []
    if os.path.exists(failures_path):
        with open(failures_path, encoding="utf-8") as handle:
            failures = [json.loads(line) for line in handle if line.strip()]
    # In flight at the kill: started before it, ended after it. At most one per worker.
    in_flight = [
        f
        for f in failures
        if kill["at"] is not None and f["started"] <= kill["at"] + 0.05 <= f["ended"] + 0.05
    ]
    caused = in_flight[:WORKERS]
    others = [f for f in failures if f not in caused]
    print(f"\n{'page':26}{'requêtes':>9}{'échecs':>8}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}")
    total = None
    for row in stats:
        if row["Name"] == "Aggregated":
            total = row
            continue
        print(
            f"{row['Name']:26}{row['Request Count']:>9}{row['Failure Count']:>8}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    print(
        f"{'total':26}{total['Request Count']:>9}{total['Failure Count']:>8}"
        f"{float(total['Requests/s']):>8.1f}{total['50%']:>7}{total['95%']:>7}{total['99%']:>7}"
    )
    print(
        f"coupure de la base : {kill['killed']} connexion(s) terminée(s), {len(caused)} requête(s) "
        f"en échec à cause d’elle ; autres échecs : {len(others)} ; charge {load()} ; "
        f"journaux : {folder}"
    )
    for failure in others[:10]:
        print(f"  échec : {failure}")
    result = {
        "users": USERS,
        "seconds": seconds,
        "requests": int(total["Request Count"]),
        "errors": len(others),
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "db_kill": {"killed": kill["killed"], "failed_requests": len(caused)},
        "workers": WORKERS,
        "pages": {
            row["Name"]: {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
            }
            for row in stats
            if row["Name"] != "Aggregated"
        },
        "load": load(),
        "date": datetime.datetime.now().isoformat(timespec="minutes"),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 1 if others else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["plan"]:
        plan()
    else:
        sys.exit(main())
