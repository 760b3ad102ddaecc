"""The access module: role assignments as data, the queryset filter and the object check
agreeing with each other, and the administration's writes, choices and autocompletes scoped.
"""

import datetime
import json

import pytest
from django.urls import reverse

from bodies.access import SELF, access_for, can_read, readable_q
from bodies.models import Body, Confidentiality, Membership, RoleAssignment
from tests import factories
from tests.conftest import ROLES
from tests.factories import body_form

pytestmark = pytest.mark.django_db


def test_readable_q_and_can_read_agree_for_every_role_level_and_body(world):
    bodies = list(Body.objects.all())
    for role in ROLES:
        access = access_for(world.users[role])
        for level in Confidentiality.values:
            Body.objects.update(problem_confidentiality=level)
            by_query = set(
                Body.objects.filter(
                    readable_q(access, body=SELF, level="problem_confidentiality")
                ).values_list("pk", flat=True)
            )
            by_object = {b.pk for b in bodies if can_read(access, b, level)}
            assert by_query == by_object, (role, level)


def test_readable_q_levels(world):
    factories.person("Préfète", "Nommée", user=world.users["prefecture"])
    pref = access_for(world.users["prefecture"])
    member = access_for(world.users["member"])
    coordinator = access_for(world.users["coordinator"])
    a, b = world.body_a, world.body_b
    assert can_read(pref, a, "partners") and not can_read(pref, b, "partners")
    assert not can_read(pref, a, "restricted")
    assert can_read(pref, a, "restricted", named=True)  # "unless also a named member"
    assert can_read(member, a, "partners") and not can_read(member, b, "partners")
    assert not can_read(member, a, "restricted") and can_read(member, a, "restricted", named=True)
    assert can_read(coordinator, a, "restricted") and not can_read(coordinator, b, "partners")
    assert can_read(access_for(None), b, "public")
    assert not can_read(access_for(world.users["researcher"]), a, "partners")


def test_ended_role_assignment_gives_no_access(world, login):
    RoleAssignment.objects.filter(user=world.users["prefecture"]).update(
        ended_on=datetime.date(2021, 1, 1)
    )
    client = login(world, "prefecture")
    assert client.get(reverse("admin:index")).status_code == 302


def test_access_is_computed_once_per_request(world, django_assert_max_num_queries):
    user = world.users["member"]
    access_for(user)
    with django_assert_max_num_queries(0):
        access_for(user)


def test_role_assignment_scope_must_match_role(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        RoleAssignment(
            user=world.users["member"], role="coordinator", department=world.isere
        ).full_clean()
    assert "choisissez-la" in str(error.value)


# -- writes in the administration ----------------------------------------------------------


def test_prefecture_staff_cannot_create_a_body_in_another_department(world, login):
    villeurbanne = factories.commune("69266", "Villeurbanne", 150000, world.rhone)
    client = login(world, "prefecture")
    response = client.post(reverse("admin:bodies_body_add"), body_form(commune=villeurbanne.pk))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Body.objects.filter(commune=villeurbanne).exists()


def test_prefecture_staff_create_a_body_in_their_department(world, login):
    echirolles = factories.commune("38151", "Échirolles", 36840, world.isere)
    client = login(world, "prefecture")
    response = client.post(reverse("admin:bodies_body_add"), body_form(commune=echirolles.pk))
    assert response.status_code == 302
    created = Body.objects.get(commune=echirolles)
    assert created.history.latest().history_user == world.users["prefecture"]


def test_coordinator_cannot_change_its_body_only_read_it(world, login):
    client = login(world, "coordinator")
    url = reverse("admin:bodies_body_change", args=[world.body_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, body_form(commune=world.grenoble.pk, name="Renamed"))
    assert response.status_code == 403
    world.body_a.refresh_from_db()
    assert world.body_a.name != "Renamed"


def membership_form(body, person, institution, **fields):
    return {
        "body": body.pk,
        "person": person.pk,
        "institution": institution.pk,
        "role": "appointed",
        "started_on": "2024-02-01",
        "ended_on": "",
        "substitute": "",
        **fields,
    }


def test_coordinator_adds_a_member_to_its_body(world, login):
    newcomer = factories.person("Nouvelle", "Recrue")
    factories.membership(
        world.body_a,
        newcomer,
        world.inst_a,
        started_on=datetime.date(2010, 1, 1),
        ended_on=datetime.date(2011, 1, 1),
    )
    client = login(world, "coordinator")
    response = client.post(
        reverse("admin:bodies_membership_add"),
        membership_form(world.body_a, newcomer, world.inst_a),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Membership.objects.filter(body=world.body_a, person=newcomer).count() == 2


def test_coordinator_cannot_add_a_member_to_another_body(world, login):
    client = login(world, "coordinator")
    response = client.post(
        reverse("admin:bodies_membership_add"),
        membership_form(world.body_b, world.person_a, world.inst_a),
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Membership.objects.filter(body=world.body_b, person=world.person_a).exists()


def test_coordinator_cannot_change_a_membership_of_another_body(world, login):
    client = login(world, "coordinator")
    url = reverse("admin:bodies_membership_change", args=[world.membership_b.pk])
    response = client.post(
        url, membership_form(world.body_b, world.person_b, world.inst_b, ended_on="2024-12-31")
    )
    assert response.status_code == 404
    world.membership_b.refresh_from_db()
    assert world.membership_b.ended_on is None


def test_coordinator_cannot_move_a_membership_to_another_body(world, login):
    client = login(world, "coordinator")
    url = reverse("admin:bodies_membership_change", args=[world.membership_a.pk])
    response = client.post(url, membership_form(world.body_b, world.person_a, world.inst_a))
    assert response.status_code == 200 and "Sélectionnez un choix valide" in (
        response.content.decode()
    )
    world.membership_a.refresh_from_db()
    assert world.membership_a.body == world.body_a


# -- autocompletes -------------------------------------------------------------------------


def autocomplete(client, model, field, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "bodies",
            "model_name": model,
            "field_name": field,
            "term": term,
        },
    )
    assert response.status_code == 200, response.content
    return {item["text"] for item in json.loads(response.content)["results"]}


def test_autocompletes_offer_what_the_form_accepts(world, login):
    client = login(world, "coordinator")
    assert autocomplete(client, "membership", "body") == {str(world.body_a)}
    people = autocomplete(client, "membership", "person")
    assert str(world.person_a) in people and str(world.person_b) not in people
    assert autocomplete(client, "membership", "institution") == {str(world.inst_a)}

    client = login(world, "prefecture")
    communes = autocomplete(client, "body", "commune")
    assert str(world.grenoble) in communes and str(world.lyon) not in communes


def test_administrator_autocompletes_everything(world, login):
    client = login(world, "admin")
    assert {str(world.grenoble), str(world.lyon)} <= autocomplete(client, "body", "commune")


def test_people_just_created_are_visible_to_their_creator_only(world, login):
    client = login(world, "coordinator")
    response = client.post(
        reverse("admin:bodies_person_add"),
        {
            "first_name": "Zoé",
            "last_name": "Nouvelle",
            "email": "",
            "phone": "",
        },
    )
    assert response.status_code == 302
    assert "Zoé Nouvelle" in autocomplete(client, "membership", "person", "Nouvelle")
    other = login(world, "prefecture")
    assert "Zoé Nouvelle" not in autocomplete(other, "membership", "person", "Nouvelle")


def test_queryset_shortcuts_follow_the_access_module(world):
    coordinator = access_for(world.users["coordinator"])
    prefecture = access_for(world.users["prefecture"])
    assert Body.objects.visible_to(access_for(None)).count() == Body.objects.count()
    assert not Body.objects.editable_by(coordinator).exists()
    assert set(Body.objects.editable_by(prefecture)) == {world.body_a, world.gltd_a}
    assert set(Membership.objects.editable_by(coordinator)) == {world.membership_a}
