"""Benchmark: the application's PostgreSQL connections terminated mid-traffic (a database
restart, a failover, an administrator's `pg_terminate_backend`) cost at most the requests in
flight, because connections are health-checked before reuse (`CONN_HEALTH_CHECKS`).

Creates a scratch database next to DATABASE_URL's, migrates it, serves the application with
gunicorn (three sync workers, persistent connections as in production) and sends requests to
the home page from eight threads; halfway, terminates every connection to the scratch
database, then keeps sending. Prints how many requests failed. PostgreSQL only; prints
figures and asserts nothing. Run with `make bench`.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from urllib.parse import urlparse

WORKERS = 3
THREADS = 8
SECONDS = 6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Connexions : ignoré (DATABASE_URL ne désigne pas une base PostgreSQL)")
        return
    import psycopg

    parsed = urlparse(url)
    scratch = f"{parsed.path.lstrip('/') or 'registre'}_bench_connections"
    # The maintenance database, as Django's test runner uses it to create test databases.
    server = psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True)
    server.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    server.execute(f'CREATE DATABASE "{scratch}"')
    env = {
        **os.environ,
        "DATABASE_URL": parsed._replace(path=f"/{scratch}").geturl(),
        "DJANGO_SETTINGS_MODULE": "tests.bench.served_settings",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production-0123456789",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
    }
    gunicorn = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env=env, check=True
        )
        port = free_port()
        gunicorn = subprocess.Popen(
            [
                os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                "partnerships.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # the failed requests' tracebacks: counted below
        )
        home = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                urllib.request.urlopen(home, timeout=10).read()
                break
            except OSError:  # not listening yet (URLError and timeouts are OSErrors)
                time.sleep(0.2)
        counts = {"ok": 0, "failed": 0}
        lock = threading.Lock()
        stop = time.monotonic() + SECONDS

        def traffic():
            while time.monotonic() < stop:
                try:
                    urllib.request.urlopen(home, timeout=10).read()
                    outcome = "ok"
                except OSError:  # an HTTP error (500) or a broken connection
                    outcome = "failed"
                with lock:
                    counts[outcome] += 1

        threads = [threading.Thread(target=traffic) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        time.sleep(SECONDS / 2)
        terminated = server.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [scratch],
        ).fetchone()[0]
        for thread in threads:
            thread.join()
        print(
            f"Connexions : {terminated} connexion(s) de l’application terminée(s) en plein "
            f"trafic ({WORKERS} workers gunicorn, {THREADS} clients) ; "
            f"{counts['ok'] + counts['failed']} requêtes, {counts['failed']} en échec "
            f"(au plus les requêtes en cours : {WORKERS})"
        )
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        server.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [scratch],
        )
        server.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        server.close()


if __name__ == "__main__":
    main()
