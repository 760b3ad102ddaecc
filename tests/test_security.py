"""Production settings pass Django's deployment checks; security headers are sent."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "PSEUDONYM_KEY": "another-long-random-production-secret-for-pseudonyms",
    "ALLOWED_HOSTS": "registre.example.gouv.fr",
    "SITE_URL": "https://registre.example.gouv.fr",
    "DEFAULT_FROM_EMAIL": "Registre <ne-pas-repondre@registre.example.gouv.fr>",
    "DJANGO_SETTINGS_MODULE": "partnerships.settings",
}


def production_check(*options, **changes):
    """`manage.py check` in a process of its own with the production settings, the
    environment `changes` made (None removes a variable)."""
    env = {**os.environ, **PRODUCTION, **changes}
    env = {name: value for name, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = production_check("--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = production_check(SECRET_KEY="")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_pseudonym_key():
    result = production_check(PSEUDONYM_KEY="")
    assert result.returncode != 0 and "PSEUDONYM_KEY must be set" in result.stderr


def test_pages_send_csp_and_frame_headers(client):
    response = client.get(reverse("home"))
    directives = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"  # no inline script, no other origin
    html = response.content.decode()
    # Every script is a file from this origin (the DSFR's, served locally): no inline code.
    assert html.count("<script") == html.count('src="/static/')
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_login_is_throttled_after_repeated_failures(client, django_user_model, settings):
    django_user_model.objects.create_user("alice", password="correct horse battery")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "alice", "password": "wrong"})
    response = client.post(url, {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # the reverse proxy the README describes


def test_behind_a_proxy_an_attacker_locks_out_itself_not_the_user(
    client, django_user_model, settings, caplog
):
    settings.PROXY_COUNT = 1
    django_user_model.objects.create_user("root", password="correct horse battery")
    url = reverse("login")
    # The attacker writes a first address of its own choosing; the proxy appends the real one.
    attacker = {**PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.66"}
    user = {**PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    with caplog.at_level("INFO", logger="partnerships.security"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(url, {"username": "root", "password": "wrong"}, **attacker)
        locked = client.post(
            url, {"username": "root", "password": "correct horse battery"}, **attacker
        )
        response = client.post(
            url, {"username": "root", "password": "correct horse battery"}, **user
        )
    assert locked.status_code == 429
    assert response.status_code == 302 and client.session["_auth_user_id"]
    messages = [r.getMessage() for r in caplog.records if r.name == "partnerships.security"]
    assert "login-failed username=root ip=203.0.113.66" in messages
    assert "login user=root ip=198.51.100.7" in messages


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE <= 4 * 60 * 60


def test_logins_and_failures_are_logged(client, django_user_model, caplog):
    django_user_model.objects.create_user("bob", password="correct horse battery", is_staff=True)
    with caplog.at_level("INFO", logger="partnerships.security"):
        client.post(reverse("login"), {"username": "bob", "password": "nope"})
        client.post(reverse("login"), {"username": "bob", "password": "correct horse battery"})
    messages = [r.getMessage() for r in caplog.records if r.name == "partnerships.security"]
    assert any(m.startswith("login-failed username=bob") for m in messages)
    assert any(m.startswith("login user=bob") for m in messages)
    assert not any("nope" in m for m in messages)


def test_changes_are_recorded_with_their_author(client, django_user_model, clspd):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    url = reverse("admin:bodies_body_change", args=[clspd.pk])
    data = {
        "type": "CLSPD",
        "name": "CLSPD de Grenoble (renommé)",
        "other_names": "",
        "commune": clspd.commune_id,
        "epci": "",
        "department": "",
        "parent": "",
        "created_on": "2015-01-01",
        "dissolved_on": "",
        "planned_end_on": "",
        "problem_statement": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-2-TOTAL_FORMS": "0",
        "memberships-2-INITIAL_FORMS": "0",
    }
    assert client.post(url, data).status_code == 302
    latest = clspd.history.latest()
    assert latest.name == "CLSPD de Grenoble (renommé)" and latest.history_user == admin
    assert client.get(reverse("admin:bodies_body_history", args=[clspd.pk])).status_code == 200


def test_production_refuses_to_start_without_a_site_url():
    """Links in e-mails would point nowhere."""
    result = production_check(SITE_URL="")
    assert result.returncode != 0 and "SITE_URL must be set" in result.stderr


def test_production_refuses_a_site_url_without_scheme_and_a_sender_at_localhost():
    result = production_check("--deploy", SITE_URL="registre.example.fr", DEFAULT_FROM_EMAIL=None)
    assert result.returncode != 0
    assert "mail.E001" in result.stderr and "mail.E002" in result.stderr
