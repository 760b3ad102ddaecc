"""System checks of the e-mail settings."""

from mail.checks import check_from_address, check_site_url


def test_site_url_must_be_an_absolute_http_url(settings):
    for wrong in ("registre.example.fr", "ftp://registre.example.fr", "https://", "/registre"):
        settings.SITE_URL = wrong
        assert [e.id for e in check_site_url(None)] == ["mail.E001"], wrong
    for right in ("https://registre.example.gouv.fr", "http://127.0.0.1:8000", "https://x.fr/r"):
        settings.SITE_URL = right
        assert check_site_url(None) == [], right


def test_a_deployment_refuses_a_sender_at_localhost(settings):
    settings.DEFAULT_FROM_EMAIL = "Registre des partenariats <ne-pas-repondre@localhost>"
    assert [e.id for e in check_from_address(None)] == ["mail.E002"]
    settings.DEFAULT_FROM_EMAIL = "Registre <ne-pas-repondre@registre.example.gouv.fr>"
    assert check_from_address(None) == []


def test_the_checks_are_registered():
    from django.core import checks

    registry = checks.registry.registry
    assert check_site_url in registry.get_checks()
    assert check_from_address in registry.get_checks(include_deployment_checks=True)
