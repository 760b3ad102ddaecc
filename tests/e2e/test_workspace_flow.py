"""The coordinator's workspace in a real browser (issue 13), entirely outside /admin/: create
a plan with an objective, adopt it, write a fiche-action with a milestone (a row added
without reloading) and a funding line, add an indicator, replace a representative in the
body's composition (the substitute found by typing), and see each on the public pages; the
meeting page's expected members following its date; the pages at 390 px without sideways
scrolling.

Skipped, with the reason said, where /usr/bin/chromium is missing (`.ci/run` installs it).
"""

import datetime

from tests import factories
from tests.e2e.conftest import ARTIFACTS, BROWSER

pytestmark = BROWSER


def log_in(page, server, username="coordinator-a"):
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "x")
    page.click("main button[type=submit]")


def no_sideways_scrolling(page):
    """Neither the page nor any table scrolls sideways."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth &&
        [...document.querySelectorAll('.fr-table, table')].every(
            e => e.scrollWidth <= e.clientWidth + 1)"""
    )


def test_a_coordinator_writes_a_plan_and_changes_the_composition_outside_the_admin(
    world, server, browser_page
):
    from actions.models import ActionPlan
    from bodies.models import Membership

    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    visited = []
    page.on("request", lambda request: visited.append(request.url))
    log_in(page, server)

    # A plan, with an objective, from the body's page.
    page.goto(f"{server.url}{world.body_a.get_absolute_url()}")
    page.click("text=Créer un plan d’action")
    page.fill("#id_title", "Stratégie de tranquillité 2026–2028")
    page.fill("#id_starts_on", "2026-01-01")
    page.fill("#id_ends_on", "2028-12-31")
    page.fill("#id_diagnostic", "Rodéos motorisés et occupation des halls.")
    page.fill("#id_objectives-0-title", "Rendre les halls aux habitants")
    page.select_option("#id_objectives-0-national_axis", "population")
    page.screenshot(path=str(ARTIFACTS / "plan-form.png"), full_page=True)
    page.click("button:has-text('Enregistrer le plan') >> nth=-1")
    page.wait_for_selector("text=Plan d’action enregistré.")
    plan = ActionPlan.objects.get(title="Stratégie de tranquillité 2026–2028")
    assert plan.status == "draft"

    # Adopted, as an explicit step with its date.
    page.click("text=Adopter le plan")
    page.fill("#id_adopted_on", "2026-01-20")
    page.click("button:has-text('Adopter le plan')")
    page.wait_for_selector("text=Plan adopté.")

    # A fiche-action with two milestones (the second row added without reloading) and a
    # funding line.
    page.click("text=Ajouter une fiche-action")
    page.fill("#id_title", "Médiation dans les halls")
    page.select_option("#id_lead_institution", str(world.inst_a.pk))
    page.select_option("#id_objective", label="Rendre les halls aux habitants")
    page.fill("#id_milestones-0-title", "Recrutement des médiateurs")
    page.fill("#id_milestones-0-target_on", "2026-04-01")
    url_before = page.url
    page.click("button[name=add_row][value=milestones]")
    assert page.url == url_before
    page.fill("#id_milestones-2-title", "Premier bilan")
    page.fill("#id_milestones-2-target_on", "2026-12-15")
    page.select_option("#id_funding-0-source", "fipd")
    page.fill("#id_funding-0-year", "2026")
    page.fill("#id_funding-0-amount", "12 000")
    page.screenshot(path=str(ARTIFACTS / "action-form.png"), full_page=True)
    page.click("button:has-text('Enregistrer la fiche-action') >> nth=-1")
    page.wait_for_selector("text=Fiche-action enregistrée.")
    assert plan.actions.get().milestones.count() == 2

    # An indicator of that action.
    page.click("text=Ajouter un indicateur")
    page.fill("#id_name", "Halls occupés signalés")
    page.fill("#id_unit", "signalements")
    page.fill("#id_baseline_value", "40")
    page.fill("#id_baseline_on", "2025-01-01")
    page.fill("#id_target_value", "10")
    page.fill("#id_target_on", "2028-01-01")
    page.click("button:has-text('Enregistrer l’indicateur')")
    page.wait_for_selector("text=Indicateur enregistré.")

    # A representative replaced: the successor created on the spot (consenting to a public
    # name), the substitute found by typing part of a name.
    page.goto(f"{server.url}{world.body_a.get_absolute_url()}")
    page.click("text=Modifier la composition")
    page.click(f"a[href='/bodies/seats/{world.membership_a.pk}/replace/']")
    page.fill("#id_on", "2026-03-16")
    page.click("label[for=person-new]")
    page.fill("#id_person-first_name", "Lina")
    page.fill("#id_person-last_name", "Suivante")
    page.click("label[for=id_person-public_name_consent]")
    page.fill("#id_substitute-q", "alph")
    page.click(f"label[for=substitute-person-{world.person_a.pk}]")  # appears as one types
    page.screenshot(path=str(ARTIFACTS / "replace-form.png"), full_page=True)
    page.click("button:has-text('Enregistrer le remplacement')")
    page.wait_for_selector("text=est remplacé par")
    page.screenshot(path=str(ARTIFACTS / "composition.png"), full_page=True)
    successor = Membership.objects.get(person__last_name="Suivante")
    assert successor.substitute == world.person_a
    world.membership_a.refresh_from_db()
    assert world.membership_a.ended_on == datetime.date(2026, 3, 15)

    assert not [url for url in visited if "/admin/" in url], "the administration was used"

    # Everything on the public pages.
    page.click("header button:has-text('Se déconnecter')")
    page.goto(f"{server.url}{plan.get_absolute_url()}")
    html = page.content()
    for text in ("Rendre les halls aux habitants", "Médiation dans les halls"):
        assert text in html
    page.click("text=Médiation dans les halls")
    html = page.content()
    for text in ("Premier bilan", "FIPD", "Halls occupés signalés"):
        assert text in html
    page.goto(f"{server.url}{world.body_a.get_absolute_url()}")
    assert "Lina Suivante" in page.content()  # consented: her name is public


def test_the_meeting_page_follows_its_date_and_fits_a_phone(world, server, browser_page):
    former = factories.membership(
        world.body_a,
        factories.person("Ancien", "Membre"),
        world.inst_a,
        ended_on=datetime.date(2023, 12, 31),
    )
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    log_in(page, server)
    page.goto(f"{server.url}/bodies/{world.body_a.pk}/meetings/new/")
    assert not page.locator(f"[data-row-key='{former.pk}']").count()
    page.click("label[for=id_attendance-0-status_0]")  # person A: present
    page.fill("#id_date", "2023-06-01")
    page.dispatch_event("#id_date", "change")
    page.wait_for_selector(f"[data-row-key='{former.pk}']")  # refreshed without reloading
    row_a = page.locator(f"[data-row-key='{world.membership_a.pk}']")
    assert row_a.locator("input[value=present]").is_checked()  # the choice made is kept
    assert page.input_value("input[name=expected_on]") == "2023-06-01"

    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "meeting-390.png"), full_page=True)
    assert no_sideways_scrolling(page)
    for url in (
        f"/plans/{world.plan_a.pk}/measurements/",
        "/bodies/",
        f"/bodies/{world.body_a.pk}/composition/",
    ):
        page.goto(f"{server.url}{url}")
        assert no_sideways_scrolling(page), url
