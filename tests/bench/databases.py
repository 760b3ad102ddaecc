"""The benchmarks' databases: one generated database per scale and seed, `bench_<scale>_<seed>`
(`bench_0p1_1`, `bench_1_1`), next to DATABASE_URL's, reused from one run to the next.

A database is reused when it holds the synthetic dataset of that scale and seed for all of
France (the generator's marker says so), every migration of the code is applied and its
reference day is at most `BENCH_MAX_AGE_DAYS` old (30 by default: the history ends on that
day, so an old dataset slowly ages). Otherwise it is dropped, created again, migrated and
generated; the generation's time is kept as the database's comment, so that a later run
that reuses it still reports it. `BENCH_REGENERATE=1` forces a new generation.
"""

import datetime
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlparse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARKER_USERNAME = "jeu-synthetique"  # partnerships.synthetic.marker


def is_postgresql(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def refuse_unless_postgresql(what: str) -> str:
    """DATABASE_URL, or a plain message and exit status 2 when it is not PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(url):
        print(
            f"{what} : ARRÊT. Ce banc mesure le registre sur PostgreSQL, sa base de production, "
            "et DATABASE_URL ne désigne pas une base PostgreSQL "
            f"({url or 'variable absente'}). Par exemple :\n"
            f"  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make "
            f"{'loadtest' if 'charge' in what else 'bench'}",
            file=sys.stderr,
        )
        sys.exit(2)
    return url


def scale_label(scale: float) -> str:
    return f"{scale:g}"


def database_name(scale: float, seed: int) -> str:
    return f"bench_{scale_label(scale).replace('.', 'p')}_{seed}"


def url_for(base_url: str, name: str) -> str:
    return urlparse(base_url)._replace(path=f"/{name}").geturl()


def maintenance(base_url: str):
    """An autocommit connection to the server's `postgres` database."""
    import psycopg

    return psycopg.connect(url_for(base_url, "postgres"), autocommit=True)


def django_env(url: str, **extra) -> dict:
    """The environment of a management command on `url` (development settings: the
    generator and migrations need no production secrets)."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", **extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@dataclass
class BenchDatabase:
    scale: float
    seed: int
    name: str
    url: str
    generate_seconds: float | None
    reference_day: str
    reused: bool


def _marker(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url) as db:
            row = db.execute(
                "SELECT last_name FROM auth_user WHERE username = %s", [MARKER_USERNAME]
            ).fetchone()
    except psycopg.Error:
        return None  # no such table: not migrated
    return row[0] if row else None


def _expected_marker_prefix(scale: float, seed: int) -> str:
    return f"échelle={scale_label(scale)};graine={seed};"


def _migrations_applied(url: str) -> bool:
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=django_env(url),
        capture_output=True,
    )
    return done.returncode == 0


def _reference_day(marker: str) -> datetime.date | None:
    for part in marker.split(";"):
        if part.startswith("jour="):
            return datetime.date.fromisoformat(part.removeprefix("jour="))
    return None


def _why_not_reusable(url: str, scale: float, seed: int, marker: str | None) -> str | None:
    if os.environ.get("BENCH_REGENERATE") == "1":
        return "BENCH_REGENERATE=1"
    if marker is None:
        return "pas de jeu synthétique complet"
    if not marker.startswith(_expected_marker_prefix(scale, seed)) or not marker.endswith(
        "départements=tous"
    ):
        return f"un autre jeu ({marker})"
    day = _reference_day(marker)
    max_age = int(os.environ.get("BENCH_MAX_AGE_DAYS", "30"))
    if day is None or (datetime.date.today() - day).days > max_age:
        return f"jeu du {day}, plus de {max_age} jours"
    if not _migrations_applied(url):
        return "migrations manquantes : schéma périmé"
    return None


def _comment(server, name: str) -> dict:
    row = server.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return {}


def ensure(base_url: str, scale: float, seed: int, say=print) -> BenchDatabase:
    """The generated database of this scale and seed, reused or made anew."""
    name = database_name(scale, seed)
    url = url_for(base_url, name)
    with maintenance(base_url) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        marker = _marker(url) if exists else None
        why = _why_not_reusable(url, scale, seed, marker) if exists else "base absente"
        if why is None:
            comment = _comment(server, name)
            say(f"Base {name} réutilisée ({marker}).")
            return BenchDatabase(
                scale,
                seed,
                name,
                url,
                comment.get("generate_seconds"),
                str(_reference_day(marker)),
                True,
            )
        say(f"Base {name} : génération ({why}).")
        server.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    env = django_env(url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "generate_dataset",
            "--scale",
            scale_label(scale),
            "--seed",
            str(seed),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    seconds = round(time.monotonic() - started, 1)
    marker = _marker(url) or ""
    with maintenance(base_url) as server:
        comment = json.dumps(
            {"generate_seconds": seconds, "generated_at": datetime.datetime.now().isoformat()}
        )
        server.execute(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
    return BenchDatabase(scale, seed, name, url, seconds, str(_reference_day(marker)), False)
