"""The county dashboard in a real browser, on the demo data, as prefecture staff would open it:
log in, land on Isère's dashboard, read each section, follow a figure to the list it counts.
The page's figures are checked against the demo data read back from the database."""

import pytest
from django.core.management import call_command

from tests.e2e.conftest import ARTIFACTS, BROWSER

pytestmark = BROWSER


@pytest.fixture
def demo_with_outlines(settings, transactional_db):
    settings.DEBUG = True  # the demo accounts
    call_command("load_territories", "--departments", "38", verbosity=0)
    call_command("load_outlines", "--departments", "38", verbosity=0)
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False


def test_prefecture_staff_read_their_county_dashboard(demo_with_outlines, server, browser_page):
    from bodies.models import Body, Commune
    from meetings.activity import bodies_with_status
    from meetings.models import Commitment

    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", "prefecture38")
    page.fill("#id_password", "demo-registre-38")
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/38/")  # where prefecture staff land
    page.screenshot(path=str(ARTIFACTS / "county-dashboard.png"), full_page=True)

    isere = Body.objects.filter(department__code="38")
    assert (
        page.locator("#instances")
        .get_by_role("link", name=f"{isere.count()} instances")
        .is_visible()
    )
    dormant = bodies_with_status(isere).filter(status=Body.Status.DORMANT)
    assert [b.name for b in dormant] == ["CLSPD de Fontaine"]  # the demo's dormant body
    assert page.locator("#en-sommeil").inner_text().startswith("1 instance en sommeil")
    assert page.locator("#instances table").last.get_by_text("CLSPD de Fontaine").is_visible()

    # the map: every commune of Isère, coloured
    paths = page.locator(".registry-map-box svg path")
    assert paths.count() == Commune.objects.filter(department__code="38").count()
    # the demo's patterns, each in its section
    assert (
        page.locator("#participation")
        .get_by_text("Réseau de transport de l’agglomération (exploitant fictif) —")
        .is_visible()
    )  # comes, never commits
    assert (
        page.locator("#participation")
        .get_by_text("Alpes Habitat Solidaire (bailleur fictif)")
        .first.is_visible()
    )  # stopped coming
    assert page.locator("#responsables").get_by_text("CLSPD de Vienne").first.is_visible()

    # a figure leads to the list it counts
    overdue = Commitment.objects.overdue().filter(body__department__code="38")
    overdue = overdue.exclude(confidentiality="restricted").count()
    figure = page.locator("#engagements .registry-figures a", has_text="en retard")
    assert figure.inner_text().split()[0] == str(overdue)
    figure.click()
    page.wait_for_url("**/commitments/?department=38&state=overdue")
    assert page.get_by_text(f"{overdue} engagements").first.is_visible()

    # on a phone: nothing scrolls sideways
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{server.url}/dashboard/38/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "county-dashboard-390.png"), full_page=True)
