"""Writing plans, fiches-actions and indicators on the registry's own pages (issue 13): one
page per record, its rows saved with it in one transaction, errors in French next to their
fields with everything typed kept, optimistic locking, adoption as an explicit step, closed
plans read-only — and queries that do not grow with the rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionPlan, FundingLine, Indicator, Milestone, Objective
from tests import factories
from tests.browserless import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(world, login):
    return login(world, "coordinator")


def shown(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return form_data(response.content.decode())


def rows(data, prefix, values):
    """`data` with the rows of `prefix` replaced by `values` (a list of dicts)."""
    data = {k: v for k, v in data.items() if not k.startswith(f"{prefix}-")}
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(values)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for i, row in enumerate(values):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def create_plan_url(world):
    return reverse("actions:plan-create", args=[world.body_a.pk])


def new_plan(world, coordinator, **fields):
    data = shown(coordinator, create_plan_url(world))
    data.update(
        {
            "title": "Stratégie 2027–2029",
            "kind": "stspd",
            "starts_on": "2027-01-01",
            "ends_on": "2029-12-31",
            "status": "draft",
            "diagnostic": "Diagnostic partagé de 2026.",
            **fields,
        }
    )
    return data


# -- plans ---------------------------------------------------------------------------------


def test_a_coordinator_creates_a_plan_and_its_objectives_in_one_save(world, coordinator):
    data = new_plan(world, coordinator)
    data = rows(
        data,
        "objectives",
        [
            {
                "id": "",
                "position": "2",
                "title": "Protéger les victimes",
                "national_axis": "vulnerable",
            },
            {
                "id": "",
                "position": "1",
                "title": "Prévenir chez les jeunes",
                "national_axis": "youth",
            },
            {"id": "", "position": "", "title": "", "national_axis": ""},  # blank: skipped
        ],
    )
    response = coordinator.post(create_plan_url(world), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = ActionPlan.objects.get(title="Stratégie 2027–2029")
    assert response["Location"] == plan.get_absolute_url()
    assert plan.status == "draft" and plan.body == world.body_a
    assert plan.confidentiality == "public"  # the body's default
    assert [o.title for o in plan.objectives.all()] == [
        "Prévenir chez les jeunes",
        "Protéger les victimes",
    ]
    assert plan.history.latest().history_user == world.users["coordinator"]
    assert plan.objectives.first().history.latest().history_user == world.users["coordinator"]


def test_one_bad_objective_among_many_saves_nothing_and_keeps_every_row(world, coordinator):
    objectives = [
        {"id": "", "position": str(n), "title": f"Objectif {n}", "national_axis": ""}
        for n in range(1, 11)
    ]
    objectives[6]["title"] = "T" * 251
    data = rows(new_plan(world, coordinator), "objectives", objectives)
    response = coordinator.post(create_plan_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "au plus 250 caractères (actuellement 251)" in html
    assert "Objectif 10" in html and "T" * 251 in html
    assert not ActionPlan.objects.filter(title="Stratégie 2027–2029").exists()
    assert not Objective.objects.filter(title="Objectif 1").exists()


def test_the_plans_rules_come_back_in_french_next_to_their_fields(world, coordinator):
    data = new_plan(world, coordinator, ends_on="2026-12-31", status="adopted", adopted_on="")
    html = coordinator.post(create_plan_url(world), data).content.decode()
    assert "La fin de la période précède son début." in html
    assert "Indiquez la date d’adoption du plan." in html
    assert 'value="Stratégie 2027–2029"' in html


def test_rows_are_added_without_javascript_and_nothing_is_saved(world, coordinator):
    data = new_plan(world, coordinator)
    data["add_row"] = "objectives"
    response = coordinator.post(create_plan_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="objectives-2-title"' in html  # two blank rows shown, then one more
    assert not ActionPlan.objects.filter(title="Stratégie 2027–2029").exists()


def edit_url(plan):
    return reverse("actions:plan-edit", args=[plan.pk])


def test_objectives_are_reordered_renamed_and_removed_by_emptying(world, coordinator):
    second = world.plan_a.objectives.create(position=2, title="Tranquillité des halls")
    third = world.plan_a.objectives.create(position=3, title="À retirer")
    data = shown(coordinator, edit_url(world.plan_a))
    data = rows(
        data,
        "objectives",
        [
            {
                "id": world.objective_a.pk,
                "position": "2",
                "title": "Tranquillité des quartiers",
                "national_axis": "",
            },
            {
                "id": second.pk,
                "position": "1",
                "title": "Tranquillité des halls d’immeuble",
                "national_axis": "population",
            },
            {"id": third.pk, "position": "3", "title": "", "national_axis": ""},
        ],
    )
    assert coordinator.post(edit_url(world.plan_a), data).status_code == 302
    assert [(o.pk, o.position, o.title) for o in world.plan_a.objectives.all()] == [
        (second.pk, 1, "Tranquillité des halls d’immeuble"),
        (world.objective_a.pk, 2, "Tranquillité des quartiers"),
    ]
    world.action_a.refresh_from_db()
    assert world.action_a.objective == world.objective_a  # the action keeps its objective


def test_an_objective_with_actions_is_not_removed(world, coordinator):
    data = rows(
        shown(coordinator, edit_url(world.plan_a)),
        "objectives",
        [{"id": world.objective_a.pk, "position": "1", "title": "", "national_axis": ""}],
    )
    html = coordinator.post(edit_url(world.plan_a), data).content.decode()
    assert "Des fiches-actions relèvent de cet objectif" in html
    assert Objective.objects.filter(pk=world.objective_a.pk).exists()


def test_a_stale_save_is_refused_with_the_input_kept(world, login):
    first = login(world, "coordinator")
    page = shown(first, edit_url(world.plan_a))
    assert first.post(edit_url(world.plan_a), {**page, "title": "Première"}).status_code == 302
    second = login(world, "admin")  # opened the page before the first save
    response = second.post(edit_url(world.plan_a), {**page, "title": "Seconde"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Quelqu’un a enregistré cette page" in html and 'value="Seconde"' in html
    world.plan_a.refresh_from_db()
    assert world.plan_a.title == "Première"
    again = form_data(html)  # now carries the current version: saving replaces
    assert second.post(edit_url(world.plan_a), again).status_code == 302
    world.plan_a.refresh_from_db()
    assert world.plan_a.title == "Seconde"


def test_a_tampered_version_is_refused_in_french(world, coordinator):
    data = {**shown(coordinator, edit_url(world.plan_a)), "version": "3:x", "title": "Gardé"}
    response = coordinator.post(edit_url(world.plan_a), data)
    assert response.status_code == 200
    assert "numéro de version illisible" in response.content.decode()
    world.plan_a.refresh_from_db()
    assert world.plan_a.title != "Gardé"


def test_adopting_a_draft_is_an_explicit_step_with_its_date(world, coordinator):
    draft = world.draft_plan_a
    data = shown(coordinator, edit_url(draft))
    assert "status" not in data and "adopted_on" not in data  # not on the edit page
    url = reverse("actions:plan-adopt", args=[draft.pk])
    page = shown(coordinator, url)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = coordinator.post(url, {**page, "adopted_on": tomorrow.isoformat()})
    assert "ne peut pas être adopté à une date à venir" in refused.content.decode()
    assert coordinator.post(url, {**page, "adopted_on": "2026-01-20"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.adopted_on) == ("adopted", datetime.date(2026, 1, 20))
    assert "déjà adopté" in coordinator.get(url).content.decode()


def test_a_closed_plan_is_read_only(world, coordinator):
    data = shown(coordinator, edit_url(world.plan_a))
    data["status"] = "closed"
    assert coordinator.post(edit_url(world.plan_a), data).status_code == 302
    for url in (
        edit_url(world.plan_a),
        reverse("actions:action-create", args=[world.plan_a.pk]),
        reverse("actions:action-edit", args=[world.action_a.pk]),
        reverse("actions:indicator-create", args=[world.plan_a.pk]),
        reverse("actions:indicator-edit", args=[world.indicator_a.pk]),
    ):
        response = coordinator.post(url, {"title": "Jamais"}, follow=True)
        assert "Ce plan est clos" in response.content.decode(), url
    plan_page = coordinator.get(world.plan_a.get_absolute_url()).content.decode()
    assert "Modifier le plan" not in plan_page and "Saisir les mesures" in plan_page
    assert not Action.objects.filter(title="Jamais").exists()


def test_the_plan_page_leads_to_these_pages_not_the_administration(world, coordinator):
    html = coordinator.get(world.plan_a.get_absolute_url()).content.decode()
    assert edit_url(world.plan_a) in html
    assert reverse("actions:action-create", args=[world.plan_a.pk]) in html
    assert reverse("actions:indicator-create", args=[world.plan_a.pk]) in html
    assert "/admin/" not in html.split('id="content"', 1)[-1].split("footer", 1)[0]
    body_page = coordinator.get(world.body_a.get_absolute_url()).content.decode()
    assert create_plan_url(world) in body_page


# -- fiches-actions ------------------------------------------------------------------------


def action_create_url(world):
    return reverse("actions:action-create", args=[world.plan_a.pk])


def new_action(world, coordinator, milestones=(), funding=(), **fields):
    data = shown(coordinator, action_create_url(world))
    data.update(
        {
            "title": "Chantier éducatif l’été",
            "lead_institution": str(world.inst_a.pk),
            "objective": str(world.objective_a.pk),
            "status": "planned",
            "budget": "12 500,50",
            **fields,
        }
    )
    data = rows(data, "milestones", list(milestones))
    return rows(data, "funding", list(funding))


def test_a_fiche_action_is_written_with_its_milestones_and_funding(world, coordinator):
    partner = factories.institution(name="Association Sud", dept=world.isere)
    data = new_action(
        world,
        coordinator,
        milestones=[
            {
                "id": "",
                "title": "Recrutement des jeunes",
                "target_on": "2025-06-01",
                "reached_on": "",
            }
        ],
        funding=[
            {"id": "", "source": "fipd", "year": "2025", "amount": "8 000"},
            {"id": "", "source": "commune", "year": "2025", "amount": "4500,5"},
        ],
        partners=[str(partner.pk)],
        sites=[str(world.site_a.pk)],
    )
    response = coordinator.post(action_create_url(world), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    action = Action.objects.get(title="Chantier éducatif l’été")
    assert response["Location"] == action.get_absolute_url()
    assert action.budget == Decimal("12500.50")
    assert list(action.partners.all()) == [partner] and list(action.sites.all()) == [world.site_a]
    assert action.milestones.get().title == "Recrutement des jeunes"
    assert sorted(action.funding_lines.values_list("source", "amount")) == [
        ("commune", Decimal("4500.50")),
        ("fipd", Decimal("8000.00")),
    ]


def test_one_bad_funding_line_among_many_saves_nothing(world, coordinator):
    funding = [
        {"id": "", "source": "fipd", "year": str(year), "amount": "1000"}
        for year in range(2020, 2030)
    ]
    funding[7]["amount"] = "-5"
    data = new_action(world, coordinator, funding=funding)
    html = coordinator.post(action_create_url(world), data).content.decode()
    assert "supérieure ou égale à 0" in html
    assert 'value="2029"' in html  # the other rows kept
    assert not Action.objects.filter(title="Chantier éducatif l’été").exists()
    assert FundingLine.objects.count() == 1  # the world's own


def test_a_funder_appears_once_a_year(world, coordinator):
    line = {"id": "", "source": "fipd", "year": "2025", "amount": "1000"}
    data = new_action(world, coordinator, funding=[line, {**line, "amount": "500"}])
    html = coordinator.post(action_create_url(world), data).content.decode()
    assert "Ce financeur figure déjà pour cette année : additionnez les montants." in html


def test_institutions_outside_the_bodys_departement_are_refused(world, coordinator):
    data = new_action(world, coordinator, lead_institution=str(world.inst_b.pk))
    html = coordinator.post(action_create_url(world), data).content.decode()
    assert "Sélectionnez un choix valide" in html
    assert world.inst_b.name not in html


def test_milestones_and_lines_are_edited_and_removed_with_the_action(world, coordinator):
    url = reverse("actions:action-edit", args=[world.action_a.pk])
    milestone = world.action_a.milestones.get()
    line = world.action_a.funding_lines.get()
    data = shown(coordinator, url)
    assert data["milestones-0-id"] == str(milestone.pk) and data["funding-0-amount"] == "15000"
    data = rows(
        data,
        "milestones",
        [{"id": milestone.pk, "title": "Recrutement", "target_on": "2024-06-01", "reached_on": ""}],
    )
    data = rows(data, "funding", [{"id": line.pk, "source": "", "year": "", "amount": ""}])
    assert coordinator.post(url, data).status_code == 302
    milestone.refresh_from_db()
    assert milestone.reached_on is None
    assert not world.action_a.funding_lines.exists()


# -- indicators ----------------------------------------------------------------------------


def test_an_indicator_is_added_to_an_action(world, coordinator):
    url = (
        reverse("actions:indicator-create", args=[world.plan_a.pk]) + f"?action={world.action_a.pk}"
    )
    data = shown(coordinator, url)
    assert data["action"] == str(world.action_a.pk)
    data.update(
        {
            "name": "Jeunes accompagnés",
            "unit": "jeunes",
            "direction": "higher",
            "frequency": "yearly",
            "baseline_value": "10",
            "baseline_on": "2024-01-01",
            "target_value": "5",  # the wrong way
            "target_on": "2026-01-01",
        }
    )
    html = coordinator.post(url, data).content.decode()
    assert "La cible va dans le mauvais sens" in html
    data["target_value"] = "40,5"
    response = coordinator.post(url, data)
    assert response.status_code == 302
    indicator = Indicator.objects.get(name="Jeunes accompagnés")
    assert indicator.action == world.action_a and indicator.target_value == Decimal("40.5")
    assert response["Location"] == world.action_a.get_absolute_url()


def test_an_ssmsi_indicator_asks_for_its_baseline_and_target(world, coordinator):
    imported = Indicator.objects.create(
        plan=world.plan_a,
        name="Cambriolages de logement — Grenoble",
        unit="faits",
        source="SSMSI",
        ssmsi_indicator="Cambriolages de logement",
        commune=world.grenoble,
    )
    factories.measurements(imported, {2022: 1300, 2023: 1210, 2024: 1180})
    plan_page = coordinator.get(world.plan_a.get_absolute_url()).content.decode()
    url = reverse("actions:indicator-edit", args=[imported.pk])
    assert "attend sa référence et sa cible" in plan_page and url in plan_page
    data = shown(coordinator, url)
    # the last value before the plan began (2024), the plan's last year as the target's date
    assert (data["baseline_value"], data["baseline_on"]) == ("1210", "2023-01-01")
    assert data["target_on"] == "2026-01-01" and "frequency" not in data
    data["target_value"] = "1000"
    assert coordinator.post(url, data).status_code == 302
    imported.refresh_from_db()
    assert imported.baseline_value == 1210 and imported.target_value == 1000
    plan_page = coordinator.get(world.plan_a.get_absolute_url()).content.decode()
    assert "attend sa référence" not in plan_page


# -- queries that do not grow --------------------------------------------------------------


def count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    return len(queries)


def grow(world, n):
    """More of everything: plans, actions, indicators, objectives, milestones, lines, seats."""
    for i in range(n):
        factories.plan(world.body_a, title=f"Plan {i}")
        world.plan_a.objectives.create(position=10 + i, title=f"Objectif {i}")
        action = factories.action(world.plan_a, world.inst_a, title=f"Action {i}")
        action.partners.add(factories.institution(name=f"Partenaire {i}", dept=world.isere))
        world.action_a.milestones.create(title=f"Étape {i}", target_on="2026-01-01")
        world.action_a.funding_lines.create(source="commune", year=2010 + i, amount=5)
        factories.indicator(world.plan_a, f"Indicateur {i}", action=action)
        factories.membership(world.body_a, factories.person(), world.inst_a)


@pytest.mark.parametrize(
    "url_name", ["plan-edit", "action-edit", "indicator-edit", "plan-create", "action-create"]
)
def test_editing_pages_run_as_many_queries_whatever_the_rows(world, coordinator, url_name):
    args = {
        "plan-edit": world.plan_a.pk,
        "action-edit": world.action_a.pk,
        "indicator-edit": world.indicator_a.pk,
        "plan-create": world.body_a.pk,
        "action-create": world.plan_a.pk,
    }[url_name]
    url = reverse(f"actions:{url_name}", args=[args])
    count(coordinator, "get", url)  # the session is warm
    few = count(coordinator, "get", url)
    grow(world, 6)
    assert count(coordinator, "get", url) == few


def test_saving_a_plan_costs_the_same_queries_for_2_or_12_objectives(world, coordinator):
    def save(n):
        plan = factories.plan(world.body_a, title=f"Plan à {n} objectifs")
        for i in range(n):
            plan.objectives.create(position=i + 1, title=f"O{i}")
        url = edit_url(plan)
        data = shown(coordinator, url)
        for i in range(n):
            data[f"objectives-{i}-title"] = f"O{i} (revu)"
        data["objectives-0-position"] = str(n + 1)  # reordered too
        return count(coordinator, "post", url, data)

    assert save(2) == save(12)


def test_saving_an_action_costs_the_same_queries_for_few_or_many_rows(world, coordinator):
    def save(n):
        action = factories.action(world.plan_a, world.inst_a, title=f"Action à {n} lignes")
        for i in range(n):
            action.milestones.create(title=f"É{i}", target_on="2026-01-01")
            action.funding_lines.create(source="fipd", year=2000 + i, amount=10)
            action.partners.add(factories.institution(name=f"P{n}-{i}", dept=world.isere))
        url = reverse("actions:action-edit", args=[action.pk])
        data = shown(coordinator, url)
        for i in range(n):
            data[f"milestones-{i}-reached_on"] = "2025-01-01"
            data[f"funding-{i}-amount"] = "20"
        data = rows(
            data,
            "milestones",
            [
                *[
                    {
                        k.split("-", 2)[2]: v
                        for k, v in data.items()
                        if k.startswith(f"milestones-{i}-")
                    }
                    for i in range(n)
                ],
                {"id": "", "title": "Nouvelle", "target_on": "2027-01-01", "reached_on": ""},
            ],
        )
        return count(coordinator, "post", url, data)

    assert save(2) == save(12)
    assert Milestone.objects.filter(title="Nouvelle").count() == 2


def test_a_closed_plan_is_read_only_in_the_administration_too(world, login):
    ActionPlan.objects.filter(pk=world.plan_a.pk).update(status="closed")
    coordinator = login(world, "coordinator")
    for url in (
        reverse("admin:actions_actionplan_change", args=[world.plan_a.pk]),
        reverse("admin:actions_action_change", args=[world.action_a.pk]),
    ):
        assert coordinator.get(url).status_code == 200  # read
        assert coordinator.post(url, {}).status_code == 403  # not written
    admin = login(world, "admin")
    html = admin.get(reverse("admin:actions_actionplan_change", args=[world.plan_a.pk]))
    assert 'name="title"' in html.content.decode()


def test_a_record_removed_meanwhile_is_not_written_again(world, login):
    coordinator = login(world, "coordinator")
    action = factories.action(world.plan_a, world.inst_a, title="Bientôt retirée")
    url = reverse("actions:action-edit", args=[action.pk])
    data = {**shown(coordinator, url), "title": "Revue"}
    Action.objects.filter(pk=action.pk).delete()
    assert coordinator.post(url, data).status_code == 404
    assert not Action.objects.filter(pk=action.pk).exists()


# -- what an independent review of these pages crafted -------------------------------------


def test_two_funders_years_swapped_are_saved_not_refused_as_a_conflict(world, coordinator):
    url = reverse("actions:action-edit", args=[world.action_a.pk])
    world.action_a.funding_lines.create(source="fipd", year=2025, amount=9000)
    data = shown(coordinator, url)
    years = {data[f"funding-{i}-year"]: i for i in range(2)}
    data[f"funding-{years['2024']}-year"], data[f"funding-{years['2025']}-year"] = "2025", "2024"
    response = coordinator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(world.action_a.funding_lines.values_list("year", "amount")) == [
        (2024, Decimal("9000.00")),
        (2025, Decimal("15000.00")),
    ]


def test_a_refused_objective_title_is_not_taken_for_a_removal(world, coordinator):
    data = rows(
        shown(coordinator, edit_url(world.plan_a)),
        "objectives",
        [{"id": world.objective_a.pk, "position": "1", "title": "T\x00", "national_axis": ""}],
    )
    html = coordinator.post(edit_url(world.plan_a), data).content.decode()
    assert "Des fiches-actions relèvent de cet objectif" not in html
    assert Objective.objects.get(pk=world.objective_a.pk).title == "Tranquillité des quartiers"


def test_a_negative_row_count_is_refused_not_saved_as_no_change(world, coordinator):
    data = shown(coordinator, edit_url(world.plan_a))
    data.update({"title": "Jamais enregistré", "objectives-TOTAL_FORMS": "-1"})
    response = coordinator.post(edit_url(world.plan_a), data)
    assert response.status_code == 200
    assert "Le nombre de lignes envoyé est illisible" in response.content.decode()
    world.plan_a.refresh_from_db()
    assert world.plan_a.title != "Jamais enregistré"


def test_a_row_id_beyond_any_record_is_refused(world, coordinator):
    data = rows(
        shown(coordinator, edit_url(world.plan_a)),
        "objectives",
        [{"id": "9" * 23, "position": "1", "title": "Double", "national_axis": ""}],
    )
    assert coordinator.post(edit_url(world.plan_a), data).status_code == 200
    assert not Objective.objects.filter(title="Double").exists()


def test_an_absent_version_is_said_tampered_not_overtaken(world, coordinator):
    data = shown(coordinator, edit_url(world.plan_a))
    del data["version"]
    html = coordinator.post(edit_url(world.plan_a), {**data, "title": "Gardé"}).content.decode()
    assert "numéro de version illisible" in html and "Quelqu’un a enregistré" not in html


@pytest.mark.parametrize("page", ["plan-create", "action-create", "indicator-create"])
def test_a_tampered_version_on_a_new_record_loses_nothing(world, coordinator, page):
    args = [world.body_a.pk] if page == "plan-create" else [world.plan_a.pk]
    url = reverse(f"actions:{page}", args=args)
    data = {**shown(coordinator, url), "version": "1:garbage", "title": "Gardé", "name": "Gardé"}
    response = coordinator.post(url, data)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:  # other fields missing: the input is given back
        assert 'value="Gardé"' in response.content.decode()


def test_adoption_dates_are_checked_on_every_page(world, coordinator):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for adopted_on in (tomorrow, "0001-01-01"):
        data = new_plan(world, coordinator, status="adopted", adopted_on=adopted_on)
        response = coordinator.post(create_plan_url(world), data)
        assert response.status_code == 200, adopted_on
    data = shown(coordinator, edit_url(world.plan_a))
    html = coordinator.post(edit_url(world.plan_a), {**data, "adopted_on": tomorrow}).content
    assert "ne peut pas être adopté à une date à venir" in html.decode()
    url = reverse("actions:plan-adopt", args=[world.draft_plan_a.pk])
    html = coordinator.post(url, {**shown(coordinator, url), "adopted_on": tomorrow}).content
    assert "ne peut pas être adopté à une date à venir" in html.decode()
    assert "Indiquez la date d’adoption du plan." not in html.decode()  # one message, the true one
    html = coordinator.post(url, {**shown(coordinator, url), "adopted_on": "0001-01-01"}).content
    assert "Saisissez une date entre 1900 et 2100." in html.decode()
    world.draft_plan_a.refresh_from_db()
    assert world.draft_plan_a.status == "draft"


def test_a_count_is_never_negative_in_its_baseline_or_target(world, coordinator):
    url = reverse("actions:indicator-edit", args=[world.indicator_a.pk])
    data = shown(coordinator, url)
    data.update(
        {
            "is_count": "on",
            "direction": "lower",
            "baseline_value": "-5",
            "baseline_on": "2023-01-01",
            "target_value": "-50",
            "target_on": "2026-01-01",
        }
    )
    html = coordinator.post(url, data).content.decode()
    assert html.count("n’est jamais négatif") == 2
    world.indicator_a.refresh_from_db()
    assert world.indicator_a.baseline_value != -5


def test_dates_out_of_any_plausible_range_are_refused(world, coordinator):
    url = reverse("actions:action-edit", args=[world.action_a.pk])
    data = shown(coordinator, url)
    data.update({"starts_on": "0001-01-01", "ends_on": "9999-12-31"})
    data["milestones-0-target_on"] = "9999-12-31"
    html = coordinator.post(url, data).content.decode()
    assert html.count("Saisissez une date entre 1900 et 2100.") == 3
    world.action_a.refresh_from_db()
    assert world.action_a.starts_on is None or world.action_a.starts_on.year > 1900
