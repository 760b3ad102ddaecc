"""Writes and crafted requests the GET-only matrix and leak test cannot catch (found by an
independent review): lowering a level one cannot read, testing hidden text through list
lookups, seating oneself in a restricted body, reverting history, malformed ids, rows of one
form that contradict each other, imports with bad values."""

import datetime

import pytest
import tablib
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from actions.models import ActionPlan
from bodies.access import access_for
from bodies.models import Body, Institution, Membership
from bodies.resources import MembershipResource
from tests import factories
from tests.factories import body_form

pytestmark = pytest.mark.django_db


def gltd_form(world, **fields):
    gltd = world.gltd_a
    return body_form(
        type="GLTD",
        name=gltd.name,
        commune=world.grenoble.pk,
        parent=world.body_a.pk,
        created_on="2015-01-01",
        planned_end_on="2027-06-30",
        **fields,
    )


def test_prefecture_cannot_lower_the_level_of_a_statement_it_cannot_read(world, login):
    client = login(world, "prefecture")
    url = reverse("admin:bodies_body_change", args=[world.gltd_a.pk])
    response = client.post(
        url, gltd_form(world, problem_statement="remplacé", problem_confidentiality="public")
    )
    assert response.status_code == 302
    world.gltd_a.refresh_from_db()
    assert world.gltd_a.problem_confidentiality == "restricted"
    assert world.gltd_a.problem_statement.startswith("CANARY-RESTRICTED-GLTD-A")
    assert (
        "CANARY"
        not in login(world, "anonymous").get(world.gltd_a.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    "query",
    [
        "?problem_statement__icontains=CANARY",
        "?problem_confidentiality=restricted",
    ],
)
def test_hidden_text_cannot_be_tested_through_list_lookups(world, login, query):
    client = login(world, "prefecture")
    response = client.get(reverse("admin:bodies_body_changelist") + query)
    assert response.status_code == 400


def test_linked_accounts_cannot_be_probed_through_list_lookups(world, login):
    response = login(world, "prefecture").get(
        reverse("admin:bodies_person_changelist") + "?user__isnull=False"
    )
    assert response.status_code == 400


def test_declared_filters_still_work(world, login):
    client = login(world, "prefecture")
    assert (
        client.get(reverse("admin:bodies_body_changelist") + "?type__exact=GLTD").status_code == 200
    )


@pytest.mark.parametrize("role", ["prefecture", "coordinator"])
@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("admin:bodies_body_changelist", "?status=active"),
        ("admin:bodies_membership_changelist", "?current=yes"),
    ],
)
def test_the_lists_own_filters_work_for_every_role_that_sees_the_list(
    world, login, role, changelist, query
):
    response = login(world, role).get(reverse(changelist) + query)
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["admin", "prefecture"])
@pytest.mark.parametrize(
    "query",
    [
        "?started_on__year=99999999999",  # overflowed while building the date
        "?started_on__year=9999",  # no year after it
        "?started_on__year=2024&started_on__month=99999999999",
        "?started_on__year=deux-mille",
        "?q=%00",  # PostgreSQL refuses NUL in a text value
        "?role__exact=%00",
    ],
)
def test_malformed_list_parameters_answer_400_not_500(world, login, role, query):
    response = login(world, role).get(reverse("admin:bodies_membership_changelist") + query)
    assert response.status_code == 400


def test_a_nul_byte_in_any_query_string_answers_400(world, login):
    client = login(world, "coordinator")
    autocomplete = (
        reverse("admin:autocomplete")
        + "?app_label=bodies&model_name=membership&field_name=person&term=%00"
    )
    assert client.get(autocomplete).status_code == 400
    response = client.get(reverse("bodies:body-list") + "?page=%00")
    assert response.status_code == 400
    assert "mal formé" in response.content.decode()


def test_a_nul_byte_in_a_path_answers_400(world, login):
    client = login(world, "prefecture")
    for path in ("/dashboard/%00/", "/dashboard/38%00/", "/exports/bod%00ies/"):
        assert client.get(path).status_code == 400, path


@pytest.mark.parametrize("role", ["prefecture", "coordinator"])
def test_view_on_site_answers_404_for_an_object_out_of_scope_as_for_a_missing_one(
    world, login, role
):
    client = login(world, role)
    plan_type = ContentType.objects.get_for_model(ActionPlan).pk
    out_of_scope = client.get(reverse("admin:view_on_site", args=[plan_type, world.gltd_plan.pk]))
    missing = client.get(reverse("admin:view_on_site", args=[plan_type, 999999]))
    assert out_of_scope.status_code == missing.status_code == 404


def test_nobody_but_an_administrator_seats_themselves(world, login):
    own = factories.person("Agent", "Préfecture", user=world.users["prefecture"])
    factories.membership(world.body_a, own, world.inst_a)  # visible to itself, in scope
    client = login(world, "prefecture")
    response = client.post(
        reverse("admin:bodies_membership_add"),
        {
            "body": world.gltd_a.pk,
            "person": own.pk,
            "institution": world.inst_a.pk,
            "role": "appointed",
            "started_on": "2025-01-01",
            "ended_on": "",
            "substitute": "",
        },
    )
    assert response.status_code == 200 and "Sélectionnez un choix valide" in (
        response.content.decode()
    )
    assert not Membership.objects.filter(body=world.gltd_a, person=own).exists()


def test_coordinators_see_the_people_of_their_bodies_only(world, login):
    cdpd = factories.body(Body.Type.CDPD, department=world.isere)
    other = factories.person("Membre", "Départemental", email="cdpd@example.org")
    factories.membership(cdpd, other, world.inst_a)
    url = reverse("admin:bodies_person_change", args=[other.pk])
    assert login(world, "coordinator").get(url).status_code == 404
    assert login(world, "prefecture").get(url).status_code == 200


def test_history_of_a_once_restricted_statement_stays_closed(world, login):
    gltd = world.gltd_a
    gltd.problem_confidentiality = "public"
    gltd.problem_statement = "Texte désormais public"
    gltd.save()
    client = login(world, "prefecture")
    assert client.get(reverse("admin:bodies_body_history", args=[gltd.pk])).status_code == 403


def test_history_cannot_be_reverted(world, login):
    client = login(world, "prefecture")
    body = world.body_a
    version = body.history.latest().history_id
    url = reverse("admin:bodies_body_simple_history", args=[body.pk, version])
    response = client.post(url, body_form(commune=world.grenoble.pk, name="Renommé"))
    assert response.status_code == 405
    body.refresh_from_db()
    assert body.name != "Renommé"


@pytest.mark.parametrize("role", ["admin", "prefecture"])
@pytest.mark.parametrize("path", ["abc/history/", "{pk}/history/abc/"])
def test_malformed_ids_in_history_urls_answer_404(world, login, role, path):
    client = login(world, role)
    url = "/admin/bodies/body/" + path.format(pk=world.body_a.pk)
    assert client.get(url).status_code == 404


def test_two_new_chairs_in_one_form_are_refused_not_a_crash(world, login):
    echirolles = factories.commune("38151", "Échirolles", 36840, world.isere)
    town = factories.institution(Institution.Category.COMMUNE, commune=echirolles)
    client = login(world, "admin")
    data = body_form(commune=echirolles.pk)
    data.update({"memberships-2-TOTAL_FORMS": "2"})
    for i in range(2):
        data.update(
            {
                f"memberships-2-{i}-person": factories.person().pk,
                f"memberships-2-{i}-institution": town.pk,
                f"memberships-2-{i}-role": "chair",
                f"memberships-2-{i}-started_on": "2024-01-15",
            }
        )
    response = client.post(reverse("admin:bodies_body_add"), data)
    assert response.status_code == 200
    assert "Deux présidents en exercice" in response.content.decode()
    assert not Body.objects.filter(commune=echirolles).exists()


def test_new_body_rows_obey_the_chair_rule(world, login):
    echirolles = factories.commune("38151", "Échirolles", 36840, world.isere)
    police = factories.institution(Institution.Category.NATIONAL_POLICE)
    data = body_form(commune=echirolles.pk)
    data.update(
        {
            "memberships-2-TOTAL_FORMS": "1",
            "memberships-2-0-person": factories.person().pk,
            "memberships-2-0-institution": police.pk,
            "memberships-2-0-role": "chair",
            "memberships-2-0-started_on": "2024-01-15",
        }
    )
    response = login(world, "admin").post(reverse("admin:bodies_body_add"), data)
    assert "présidé par : Commune" in response.content.decode()
    assert not Body.objects.filter(commune=echirolles).exists()


def test_cispd_of_an_epci_without_departement_asks_for_it(world, login):
    orphan = factories.epci("200000172", "Communauté sans département", None)
    orphan.department = None
    orphan.save()
    response = login(world, "admin").post(
        reverse("admin:bodies_body_add"), body_form(type="CISPD", epci=orphan.pk)
    )
    assert response.status_code == 200
    assert "choisissez-le" in response.content.decode()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("debut", "2024-13-45", "attendue sous la forme AAAA-MM-JJ ou JJ/MM/AAAA"),
        ("debut", "12.03.2024", "attendue sous la forme AAAA-MM-JJ ou JJ/MM/AAAA"),
        # a person is named by number or « Prénom Nom »; a bare surname matches nobody
        ("personne", "Dupont", "« Dupont » inconnu(e) ou hors de votre périmètre"),
        ("id", "abc", "un nombre entier est attendu"),
        ("id", "1.5", "un nombre entier est attendu"),
        ("role", "chef", "Rôle « chef » inconnu"),
    ],
)
def test_import_errors_are_clear_french(world, column, value, message):
    row = {
        "id": "",
        "instance": world.body_a.pk,
        "personne": world.person_a.pk,
        "institution": world.inst_a.pk,
        "role": "appointed",
        "debut": "2024-03-01",
        "fin": "",
    }
    row[column] = value
    data = tablib.Dataset(list(row.values()), headers=list(row))
    result = MembershipResource(access=access_for(world.users["coordinator"])).import_data(
        data, dry_run=True, raise_errors=False
    )
    errors = " ".join(str(e.error) for r in result.rows for e in r.errors) + " ".join(
        str(m) for r in result.invalid_rows for m in r.error.messages
    )
    assert message in errors
    assert Membership.objects.filter(started_on=datetime.date(2024, 3, 1)).count() == 0


def test_an_administration_search_of_a_thousand_words_is_no_error(world, login):
    client = login(world, "prefecture")
    words = " ".join(f"w{i}" for i in range(1200))
    response = client.get(reverse("admin:bodies_body_changelist"), {"q": words})
    assert response.status_code == 200
