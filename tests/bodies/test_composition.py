"""A body's « Composition » page (issue 13): current seats and their history, adding a seat,
replacing a representative in one step, ending a seat; people found by a search within the
user's reach or created on the spot; the membership rules in French; fixed query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bodies.models import Body, Institution, Membership, Person
from partnerships.county import County
from tests import factories
from tests.browserless import form_data

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def coordinator(world, login):
    return login(world, "coordinator")


@pytest.fixture
def chair(world):
    mayor = factories.person("Éric", "Maire")
    return factories.membership(
        world.body_a, mayor, world.inst_a, role="chair", started_on=D(2020, 7, 1)
    )


def composition_url(world):
    return reverse("bodies:body-composition", args=[world.body_a.pk])


def add_url(world):
    return reverse("bodies:seat-add", args=[world.body_a.pk])


def replace_url(seat):
    return reverse("bodies:seat-replace", args=[seat.pk])


def page_data(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode())


def new_person(prefix, first, last, **extra):
    return {
        f"{prefix}-choice": "new",
        f"{prefix}-first_name": first,
        f"{prefix}-last_name": last,
        **{f"{prefix}-{name}": value for name, value in extra.items()},
    }


def test_the_page_lists_current_seats_by_institution_and_past_ones(world, coordinator, chair):
    substitute = factories.person("Sam", "Suppléant")
    chair.substitute = substitute
    chair.save()
    factories.membership(
        world.body_a,
        factories.person("Anne", "Partie"),
        world.inst_a,
        started_on=D(2018, 1, 1),
        ended_on=D(2021, 6, 30),
    )
    html = coordinator.get(composition_url(world)).content.decode()
    current, past = html.split(">Mandats terminés<")
    assert "Ville de Grenoble" in current and "MAIRE Éric" in current
    assert "Président" in current and "1 juillet 2020" in current and "SUPPLÉANT Sam" in current
    assert "PARTIE Anne" in past and "30 juin 2021" in past and "PARTIE Anne" not in current
    assert replace_url(chair) in current


def test_the_body_page_leads_to_it_for_those_who_edit_it(world, login):
    url = world.body_a.get_absolute_url()
    assert composition_url(world) in login(world, "coordinator").get(url).content.decode()
    assert composition_url(world) in login(world, "prefecture").get(url).content.decode()
    assert composition_url(world) not in login(world, "member").get(url).content.decode()


def test_people_are_searched_never_listed_in_a_select(world, coordinator):
    html = coordinator.get(add_url(world)).content.decode()
    assert 'name="person-q"' in html and "<select" not in html.split('name="person-q"')[1][:3000]
    found = coordinator.get(add_url(world) + "?person-q=alph").content.decode()
    assert f'value="{world.person_a.pk}"' in found and "canary-mail-a@example.org" in found


def test_a_search_without_javascript_keeps_what_was_typed_and_saves_nothing(world, coordinator):
    data = page_data(coordinator, add_url(world))
    data.update({"person-q": "alpha", "search": "person", "started_on": "2026-02-01"})
    response = coordinator.post(add_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="person-person-{world.person_a.pk}"' in html and 'value="2026-02-01"' in html
    assert "Rien n’a été enregistré" not in html  # a search, not a refused save
    assert Membership.objects.filter(body=world.body_a).count() == 1


def test_a_coordinator_seats_a_person_created_on_the_spot(world, coordinator):
    police = factories.institution(
        Institution.Category.MUNICIPAL_POLICE, "PM Grenoble", world.isere
    )
    data = page_data(coordinator, add_url(world))
    data.update(
        {
            "institution": str(police.pk),
            "role": "appointed",
            "started_on": "2026-02-01",
            **new_person(
                "person",
                "Inès",
                "Nouvelle",
                email="ines.nouvelle@example.org",
                phone="01 99 00 12 34",
                public_name_consent="on",
            ),
        }
    )
    response = coordinator.post(add_url(world), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == composition_url(world)
    person = Person.objects.get(last_name="Nouvelle")
    assert person.public_name_consent and person.phone == "01 99 00 12 34"
    assert person.history.get().history_user == world.users["coordinator"]
    seat = Membership.objects.get(person=person)
    assert (seat.body, seat.institution, seat.started_on) == (world.body_a, police, D(2026, 2, 1))
    assert seat.substitute is None


def test_names_are_required_for_a_new_person_and_a_choice_for_a_seat(world, coordinator):
    data = page_data(coordinator, add_url(world))
    data.update({"institution": str(world.inst_a.pk), "started_on": "2026-02-01"})
    html = coordinator.post(add_url(world), data).content.decode()
    assert "Choisissez une personne parmi les résultats, ou créez-la." in html
    data.update(new_person("person", "", "Sans-Prénom"))
    html = coordinator.post(add_url(world), data).content.decode()
    assert "Ce champ est obligatoire." in html and 'value="Sans-Prénom"' in html
    assert not Person.objects.filter(last_name="Sans-Prénom").exists()


def test_replacing_a_representative_ends_the_seat_and_opens_the_successors(
    world, coordinator, chair
):
    data = page_data(coordinator, replace_url(chair))
    data.update({"on": "2026-03-16", **new_person("person", "Lina", "Suivante")})
    response = coordinator.post(replace_url(chair), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    chair.refresh_from_db()
    assert chair.ended_on == D(2026, 3, 15)  # the day before
    successor = Membership.objects.get(person__last_name="Suivante")
    assert (successor.role, successor.institution, successor.started_on) == (
        "chair",
        world.inst_a,
        D(2026, 3, 16),
    )
    assert successor.ended_on is None
    # the turnover the county dashboard counts: a key person who left
    county = County(world.isere, None)
    county.on = D(2026, 4, 1)
    assert chair in list(county.departed_key_people())


def test_a_replacement_that_breaks_a_rule_changes_nothing(world, coordinator, chair):
    before = Person.objects.count()
    data = page_data(coordinator, replace_url(chair))
    data.update({"on": "2020-07-01", **new_person("person", "Trop", "Tôt")})
    html = coordinator.post(replace_url(chair), data).content.decode()
    assert "Le remplacement suit le début du mandat actuel (01/07/2020)." in html
    # the successor already sits in the body: the rule on overlapping periods, in French
    data.update({"on": "2026-03-16", "person-choice": str(world.person_a.pk)})
    html = coordinator.post(replace_url(chair), data).content.decode()
    assert "Cette personne siège déjà dans l’instance sur cette période." in html
    chair.refresh_from_db()
    assert chair.ended_on is None and Person.objects.count() == before


def test_one_current_chair_and_the_chairs_institution_by_body_type(world, coordinator, chair):
    data = page_data(coordinator, add_url(world))
    data.update(
        {
            "institution": str(world.inst_a.pk),
            "role": "chair",
            "started_on": "2026-02-01",
            **new_person("person", "Second", "Président"),
        }
    )
    html = coordinator.post(add_url(world), data).content.decode()
    assert "L’instance a déjà un président sur cette période" in html
    chair.ended_on = D(2026, 1, 31)
    chair.save()
    police = factories.institution(Institution.Category.NATIONAL_POLICE, "DDSP", world.isere)
    data["institution"] = str(police.pk)
    html = coordinator.post(add_url(world), data).content.decode()
    assert "Un CLSPD est présidé par : Commune." in html
    assert not Person.objects.filter(last_name="Président").exists()


def test_ending_a_seat(world, coordinator):
    url = reverse("bodies:seat-end", args=[world.membership_a.pk])
    data = page_data(coordinator, url)
    html = coordinator.post(url, {**data, "ended_on": "2019-12-31"}).content.decode()
    assert "La fin du mandat ne peut précéder son début." in html
    assert coordinator.post(url, {**data, "ended_on": "2026-01-31"}).status_code == 302
    world.membership_a.refresh_from_db()
    assert world.membership_a.ended_on == D(2026, 1, 31)
    # ended meanwhile: a later end, or a replacement, is refused rather than reopening it
    again = coordinator.post(url, {**data, "ended_on": "2026-06-30"}).content.decode()
    assert "Ce mandat a pris fin le 31/01/2026" in again


def test_a_coordinator_never_finds_the_members_of_other_bodies(world, login):
    cdpr = factories.body(Body.Type.CDPR, department=world.isere)
    prefecture = factories.institution(Institution.Category.PREFECTURE, "Préfecture", world.isere)
    factories.membership(cdpr, factories.person("Claire", "Cellule"), prefecture)
    query = add_url(world) + "?person-q=cellule"
    assert "CELLULE Claire" not in login(world, "coordinator").get(query).content.decode()
    assert "CELLULE Claire" in login(world, "prefecture").get(query).content.decode()
    # nor may a coordinator seat them by posting their id
    data = page_data(login(world, "coordinator"), add_url(world))
    claire = Person.objects.get(last_name="Cellule")
    data.update(
        {
            "institution": str(world.inst_a.pk),
            "started_on": "2026-02-01",
            "person-choice": str(claire.pk),
        }
    )
    html = login(world, "coordinator").post(add_url(world), data).content.decode()
    assert "pas parmi celles que vous pouvez désigner" in html


def test_prefecture_staff_edit_the_composition_of_their_departements_bodies(world, login):
    client = login(world, "prefecture")
    data = page_data(client, add_url(world))
    data.update(
        {
            "institution": str(world.inst_a.pk),
            "started_on": "2026-02-01",
            **new_person("person", "Par", "Préfecture"),
        }
    )
    assert client.post(add_url(world), data).status_code == 302
    assert Membership.objects.filter(person__last_name="Préfecture", body=world.body_a).exists()


# -- queries that do not grow --------------------------------------------------------------


def count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    return len(queries)


def seat_many(world, n):
    for i in range(n):
        factories.membership(world.body_a, factories.person(last_name=f"Siège{i}"), world.inst_a)
        factories.membership(
            world.body_a,
            factories.person(last_name=f"Ancien{i}"),
            world.inst_a,
            ended_on=D(2021, 1, 1),
        )


@pytest.mark.parametrize("page", ["composition", "add", "replace", "search"])
def test_pages_run_as_many_queries_whatever_the_seats(world, coordinator, page):
    url = {
        "composition": composition_url(world),
        "add": add_url(world),
        "replace": replace_url(world.membership_a),
        "search": add_url(world) + "?person-q=si",
    }[page]
    count(coordinator, "get", url)  # the session is warm
    few = count(coordinator, "get", url)
    seat_many(world, 8)
    assert count(coordinator, "get", url) == few


def test_a_replacement_costs_the_same_queries_in_a_small_or_a_large_body(world, coordinator):
    def replace(seat, n):
        data = page_data(coordinator, replace_url(seat))
        data.update({"on": "2026-03-16", **new_person("person", "Successeur", f"N{n}")})
        return count(coordinator, "post", replace_url(seat), data)

    small = replace(world.membership_a, 1)
    seat_many(world, 10)
    other = factories.membership(world.body_a, factories.person(), world.inst_a)
    assert replace(other, 2) == small


def test_the_same_replacement_posted_twice_seats_one_successor(world, coordinator, chair):
    data = page_data(coordinator, replace_url(chair))
    data.update({"on": "2026-03-16", **new_person("person", "Lina", "Suivante")})
    assert coordinator.post(replace_url(chair), data).status_code == 302
    data.update(new_person("person", "Noé", "Doublon"))
    html = coordinator.post(replace_url(chair), data).content.decode()
    assert "Ce mandat a pris fin le 15/03/2026" in html
    assert not Person.objects.filter(last_name="Doublon").exists()
    assert Membership.objects.filter(body=world.body_a, started_on=D(2026, 3, 16)).count() == 1


def test_anonymous_visitors_cannot_tell_which_seats_exist(world, client, chair):
    for pk in (chair.pk, 99999):
        response = client.get(reverse("bodies:seat-end", args=[pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
