"""Rules of plans, actions, funding, indicators and measurements: French messages in
`clean()`, the same rules as database constraints."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from actions import periods
from actions.models import ActionPlan, FundingLine, Indicator, Measurement
from tests import factories

pytestmark = pytest.mark.django_db


def errors(obj):
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_a_plan_ends_after_it_starts_and_an_adopted_plan_has_a_date(clspd):
    plan = ActionPlan(
        body=clspd,
        title="STSPD",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2025, 1, 1),
        status="adopted",
    )
    messages = errors(plan)
    assert messages["ends_on"] == ["La fin de la période précède son début."]
    assert messages["adopted_on"] == ["Indiquez la date d’adoption du plan."]
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()


def test_an_indicator_target_goes_the_good_way_and_follows_its_baseline(clspd):
    plan = factories.plan(clspd)
    indicator = Indicator(
        plan=plan,
        name="Cambriolages",
        unit="faits",
        direction="lower",
        baseline_value=100,
        baseline_on=datetime.date(2024, 1, 1),
        target_value=120,
        target_on=datetime.date(2023, 1, 1),
    )
    messages = errors(indicator)
    assert "l’indicateur doit aller à la baisse" in messages["target_value"][0]
    assert messages["target_on"] == ["L’échéance de la cible suit la date de référence."]
    indicator.target_on = None
    assert errors(indicator)["target_on"] == ["Une cible a une échéance, et inversement."]


def test_an_indicator_or_action_stays_within_its_plan(clspd, isere):
    plan, other = factories.plan(clspd), factories.plan(clspd, title="Autre")
    lead = factories.institution(dept=isere)
    action = factories.action(other, lead)
    indicator = Indicator(plan=plan, action=action, name="x", unit="u")
    assert errors(indicator)["action"] == ["Cette action appartient à un autre plan."]
    objective = plan.objectives.create(title="Objectif")
    wrong = factories.action(other, lead, objective=objective)
    assert errors(wrong)["objective"] == ["Cet objectif appartient à un autre plan."]


def test_funding_is_positive_and_once_per_source_and_year(clspd, isere):
    action = factories.action(factories.plan(clspd), factories.institution(dept=isere))
    negative = FundingLine(action=action, source="fipd", year=2025, amount=-5)
    assert "amount" in errors(negative)
    FundingLine.objects.create(action=action, source="fipd", year=2025, amount=100)
    twice = FundingLine(action=action, source="fipd", year=2025, amount=50)
    assert errors(twice)["__all__"] == [
        "Ce financeur figure déjà pour cette année : additionnez les montants."
    ]


def test_one_value_per_indicator_and_period_starting_on_its_first_day(clspd):
    indicator = factories.indicator(factories.plan(clspd), frequency="quarterly")
    Measurement.objects.create(indicator=indicator, period_start=datetime.date(2025, 4, 1), value=3)
    twice = Measurement(indicator=indicator, period_start=datetime.date(2025, 4, 1), value=4)
    assert errors(twice)["__all__"] == ["Cet indicateur a déjà une valeur pour cette période."]
    misaligned = Measurement(indicator=indicator, period_start=datetime.date(2025, 5, 1), value=4)
    assert errors(misaligned)["period_start"] == [
        "Cette date n’ouvre pas une période de l’indicateur."
    ]


@pytest.mark.parametrize(
    ("frequency", "text", "start"),
    [
        ("yearly", "2025", datetime.date(2025, 1, 1)),
        ("yearly", "2025.0", datetime.date(2025, 1, 1)),
        ("quarterly", "2025-T3", datetime.date(2025, 7, 1)),
        ("quarterly", "T4 2025", datetime.date(2025, 10, 1)),
        ("quarterly", "2025-q1", datetime.date(2025, 1, 1)),
        ("monthly", "2025-03", datetime.date(2025, 3, 1)),
    ],
)
def test_periods_read_as_spreadsheets_write_them(frequency, text, start):
    assert periods.parse(frequency, text) == start
    assert periods.parse(frequency, periods.code(frequency, start)) == start


@pytest.mark.parametrize(
    ("frequency", "text"),
    [("yearly", "2025-03"), ("monthly", "2025-13"), ("quarterly", "2025-T5"), ("yearly", "1850")],
)
def test_unreadable_periods_are_refused_in_french(frequency, text):
    with pytest.raises(periods.PeriodError):
        periods.parse(frequency, text)


# -- writing plans in the administration ---------------------------------------------------


def plan_form(body, **fields):
    data = {
        "body": body.pk,
        "kind": "stspd",
        "title": "STSPD 2026–2028",
        "confidentiality": "",
        "starts_on": "2026-01-01",
        "ends_on": "2028-12-31",
        "status": "draft",
        "adopted_on": "",
        "diagnostic": "",
        "diagnostic_confidentiality": "partners",
        "objectives-TOTAL_FORMS": "1",
        "objectives-INITIAL_FORMS": "0",
        "objectives-0-position": "1",
        "objectives-0-title": "Prévenir la délinquance des jeunes",
        "objectives-0-national_axis": "youth",
    }
    data.update(fields)
    return data


def test_coordinator_writes_plans_of_its_bodies_only(world, login):
    client = login(world, "coordinator")
    url = reverse("admin:actions_actionplan_add")
    refused = client.post(url, plan_form(world.body_b))
    assert refused.status_code == 200
    assert "Sélectionnez un choix valide" in refused.content.decode()
    assert not ActionPlan.objects.filter(title="STSPD 2026–2028").exists()
    saved = client.post(url, plan_form(world.body_a))
    assert saved.status_code == 302
    plan = ActionPlan.objects.get(title="STSPD 2026–2028")
    assert plan.objectives.get().national_axis == "youth"
    assert plan.confidentiality == "public"  # from the body type


def test_admin_form_with_a_bad_row_saves_nothing(world, login):
    client = login(world, "coordinator")
    response = client.post(
        reverse("admin:actions_actionplan_add"),
        plan_form(world.body_a, status="adopted", **{"objectives-0-national_axis": "nope"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indiquez la date d’adoption du plan." in html
    assert not ActionPlan.objects.filter(title="STSPD 2026–2028").exists()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "message"),
    [
        ("0001-01-01", "9999-12-31", "La période d’un plan se situe entre 1990 et 2100."),
        ("2020-01-01", "2035-12-31", "Un plan couvre dix ans au plus."),
    ],
)
def test_a_plans_period_is_bounded(world, login, starts_on, ends_on, message):
    client = login(world, "coordinator")
    response = client.post(
        reverse("admin:actions_actionplan_add"),
        plan_form(world.body_a, starts_on=starts_on, ends_on=ends_on),
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not ActionPlan.objects.filter(title="STSPD 2026–2028").exists()
    grid = reverse("actions:plan-measurements", args=[world.plan_a.pk])
    for year in ("0", "9999", "99999999999"):
        assert client.get(f"{grid}?year={year}").status_code == 200


def test_the_database_refuses_a_plan_out_of_the_registrys_years(clspd):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.plan(clspd, starts_on=datetime.date(1, 1, 1))


def action_form(world, **fields):
    data = {
        "plan": world.plan_a.pk,
        "objective": world.objective_a.pk,
        "title": "Chantiers éducatifs d’été",
        "description": "",
        "lead_institution": world.inst_a.pk,
        "partners": [],
        "sites": [world.site_a.pk],
        "target_public": "Jeunes de 16 à 21 ans",
        "starts_on": "2025-06-01",
        "ends_on": "2025-09-30",
        "status": "planned",
        "budget": "12000",
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-title": "Recrutement des jeunes",
        "milestones-0-target_on": "2025-05-15",
        "milestones-0-reached_on": "",
        "funding_lines-TOTAL_FORMS": "2",
        "funding_lines-INITIAL_FORMS": "0",
        "funding_lines-0-source": "fipd",
        "funding_lines-0-year": "2025",
        "funding_lines-0-amount": "8000",
        "funding_lines-1-source": "commune",
        "funding_lines-1-year": "2025",
        "funding_lines-1-amount": "4000",
    }
    data.update(fields)
    return data


def test_coordinator_writes_an_action_with_its_milestones_and_funding(world, login):
    from actions.models import Action

    client = login(world, "coordinator")
    url = reverse("admin:actions_action_add")
    duplicate = client.post(url, action_form(world, **{"funding_lines-1-source": "fipd"}))
    assert (
        duplicate.status_code == 200
        and not Action.objects.filter(title="Chantiers éducatifs d’été").exists()
    )
    other_plan = client.post(url, action_form(world, plan=world.plan_b.pk))
    assert "Sélectionnez un choix valide" in other_plan.content.decode()
    assert client.post(url, action_form(world)).status_code == 302
    action = Action.objects.get(title="Chantiers éducatifs d’été")
    assert action.milestones.get().title == "Recrutement des jeunes"
    assert sorted(action.funding_lines.values_list("amount", flat=True)) == [4000, 8000]
    assert list(action.sites.all()) == [world.site_a]


def test_an_action_stays_in_its_plan(world):
    world.action_a.plan = world.draft_plan_a
    assert "Une fiche-action reste dans son plan" in errors(world.action_a)["plan"][0]


def test_coordinator_cannot_move_an_action_in_the_admin(world, login):
    client = login(world, "coordinator")
    url = reverse("admin:actions_action_change", args=[world.action_a.pk])
    page = client.get(url).content.decode()
    assert 'name="plan"' not in page  # read-only once written


def test_an_indicators_frequency_is_fixed_once_measured(world):
    world.indicator_a.frequency = "monthly"
    assert "sa fréquence ne peut plus changer" in errors(world.indicator_a)["frequency"][0]
    world.indicator_b.measurements.all().delete()
    world.indicator_b.frequency = "monthly"
    world.indicator_b.full_clean()  # no measurement yet: free to change
    world.indicator_b.ssmsi_indicator = "Cambriolages de logement"
    assert errors(world.indicator_b)["frequency"] == ["Les chiffres du SSMSI sont annuels."]
