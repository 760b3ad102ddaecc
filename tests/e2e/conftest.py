import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Marks of every browser test: slow, and skipped (with the reason said) without Chromium.
BROWSER = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Chromium absent (/usr/bin/chromium)"),
]


@pytest.fixture(scope="session", autouse=True)
def end_live_server_connections(django_db_setup, django_db_blocker):
    """A request thread of a live server may still hold its PostgreSQL connection when the
    run ends, and the test database cannot be dropped while it does: end such connections
    once every test is over (ending them after each test also ended, through Playwright's
    greenlets, the connection the next test was using)."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def server(transactional_db, settings):
    """A live server for this test only, stopped with it (pytest-django's is session-wide);
    connections its threads leave behind are ended at the end of the run (conftest.py)."""
    from pytest_django.live_server_helper import LiveServer

    settings.ALLOWED_HOSTS = ["localhost"]
    live = LiveServer("localhost")
    yield live
    live.stop()


@pytest.fixture
def browser_page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's synchronous API runs an event loop in this thread; the test's own
    # database calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 1000})
        yield page
        browser.close()
