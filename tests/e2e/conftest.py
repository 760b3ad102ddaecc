import pytest


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
