"""Plan and action pages: what each reader sees, charts with their tables, fixed queries."""

import datetime

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_public_plan_page_shows_progress_actions_and_indicator_chart_with_table(world, client):
    html = client.get(world.plan_a.get_absolute_url()).content.decode()
    assert "Tranquillité des quartiers" in html and "Médiation sociale de nuit" in html
    assert "Ville de Grenoble" in html  # the pilot
    assert 'role="img"' in html and "<desc" in html  # an accessible SVG chart
    assert "<script" not in html.split("registry-chart", 1)[1].split("</svg>", 1)[0]
    assert "non diffusé" in html  # 2025 is missing, not zero
    assert "15\xa0000 €" in html  # FIPD funding rolled up
    # the diagnostic is for partners: an anonymous reader is told so
    assert "CANARY-PARTNERS-DIAGNOSTIC-A" not in html
    assert "réservé aux partenaires" in html
    assert "Modifier le plan" not in html


def test_partners_read_the_diagnostic_and_coordinators_get_the_edit_links(world, login):
    member = login(world, "member").get(world.plan_a.get_absolute_url()).content.decode()
    assert "CANARY-PARTNERS-DIAGNOSTIC-A" in member and "Modifier le plan" not in member
    coordinator = login(world, "coordinator").get(world.plan_a.get_absolute_url())
    html = coordinator.content.decode()
    assert "Modifier le plan" in html and "Saisir les mesures" in html


def test_a_draft_plan_is_read_by_its_writers_and_the_prefecture_only(world, login):
    url = world.draft_plan_a.get_absolute_url()
    answers = {role: login(world, role).get(url).status_code for role in world.users}
    assert answers == {
        "anonymous": 404,
        "admin": 200,
        "prefecture": 200,
        "coordinator": 200,
        "member": 404,
        "researcher": 404,
        "national": 404,  # a draft is not published
    }
    body_page = login(world, "anonymous").get(world.body_a.get_absolute_url()).content.decode()
    assert "CANARY-DRAFT-PLAN-A" not in body_page and world.plan_a.title in body_page


def test_a_diagnostic_is_never_more_public_than_its_plan(world):
    world.gltd_plan.diagnostic_confidentiality = "public"
    world.gltd_plan.save()
    world.gltd_plan.refresh_from_db()
    assert world.gltd_plan.confidentiality == "restricted"
    assert world.gltd_plan.diagnostic_confidentiality == "restricted"


def test_action_page_lists_milestones_funding_indicators_and_readable_commitments(world, client):
    html = client.get(world.action_a.get_absolute_url()).content.decode()
    assert "Recrutement" in html and "Interventions de médiation" in html
    assert "FIPD" in html
    assert "Éclairer le passage Mistral" in html  # the public commitment serving it
    assert "100 %" in html  # its only milestone is reached


def test_action_page_hides_commitments_the_reader_may_not_read(world, client):
    hidden = factories.commitment(
        world.partners_meeting_a, world.inst_a, "CANARY-PARTNERS-COMMITMENT", action=world.action_a
    )
    assert hidden.confidentiality == "partners"
    assert (
        "CANARY-PARTNERS-COMMITMENT"
        not in client.get(world.action_a.get_absolute_url()).content.decode()
    )


def test_plan_page_query_count_does_not_grow_with_the_plan(
    world, client, django_assert_num_queries
):
    url = world.plan_a.get_absolute_url()
    # plan with body, objectives, actions, milestones, funding lines, indicators,
    # measurements (anonymous reader: no session)
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
    for n in range(6):
        action = factories.action(world.plan_a, world.inst_a, title=f"Action {n}")
        action.milestones.create(title="m", target_on=datetime.date(2025, 1, 1))
        action.funding_lines.create(source="commune", year=2025, amount=100)
        indicator = factories.indicator(
            world.plan_a, name=f"Indicateur {n}", commune=world.grenoble, site=world.site_a
        )
        factories.measurements(indicator, {2023: 120, 2024: 110})
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_action_page_query_count_does_not_grow_with_the_action(
    world, client, django_assert_num_queries
):
    url = world.action_a.get_absolute_url()
    # action with plan, body, lead and objective; partners, sites, milestones, funding;
    # indicators, measurements; commitments
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
    for n in range(5):
        world.action_a.partners.add(factories.institution(name=f"Partenaire {n}"))
        world.action_a.milestones.create(title=f"m{n}", target_on=datetime.date(2026, 1, 1))
        indicator = factories.indicator(
            world.plan_a,
            name=f"I{n}",
            action=world.action_a,
            commune=world.grenoble,
            site=world.site_a,
        )
        factories.measurements(indicator, {2023: 120, 2024: 100})
        factories.commitment(world.meeting_a, world.inst_a, f"E{n}", action=world.action_a)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_unknown_plan_and_action_are_404(client):
    assert client.get(reverse("actions:plan-detail", args=[999])).status_code == 404
    assert client.get(reverse("actions:action-detail", args=[999])).status_code == 404


@pytest.mark.parametrize(
    ("value", "shown"),
    [("97.500", "97,5"), ("1210.000", "1\u202f210"), ("0.080", "0,08"), (None, "")],
)
def test_measured_values_read_as_people_write_them(value, shown):
    from decimal import Decimal

    from actions.templatetags.measures import measure

    rendered = measure(None if value is None else Decimal(value))
    assert rendered.replace("\xa0", "\u202f") == shown
