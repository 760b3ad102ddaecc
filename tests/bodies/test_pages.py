"""Public pages: the home page, the directory and a body's page. No e-mail, phone or
non-public name on any of them; each runs a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from bodies.models import Body, Institution, Person
from tests import factories

pytestmark = pytest.mark.django_db


def test_home_page_says_what_the_registry_is(client, clspd):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "coproduit" in html or "coproduisent" in html
    assert reverse("bodies:body-list") in html
    assert "dsfr.min.css" in html  # the design system's assets, served locally
    assert "cdn" not in html.lower()


def test_home_page_offers_the_administration_to_those_who_may_use_it(client, world):
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
    client.force_login(world.users["member"])
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
    client.force_login(world.users["coordinator"])
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


def test_home_page_counts_bodies_by_type_and_status(client, clspd, isere):
    factories.body(Body.Type.CDPD, department=isere, dissolved_on=datetime.date(2020, 1, 1))
    response = client.get(reverse("home"))
    counts = {
        (type_, status): n
        for type_, _l, row in response.context["type_rows"]
        for status, _s, n in row
    }
    # the CLSPD, created in 2015, has never met: dormant
    assert counts["CLSPD", "dormant"] == 1 and counts["CLSPD", "active"] == 0
    assert counts["CDPD", "dissolved"] == 1
    assert response.context["active_total"] == 0 and response.context["total"] == 2
    assert "/bodies/?type=CLSPD&amp;status=dormant" in response.content.decode()


def test_home_page_runs_one_query(client, clspd, django_assert_num_queries):
    with django_assert_num_queries(1):  # bodies counted by type and derived status
        client.get(reverse("home"))


def test_body_list_is_paginated(client, grenoble, settings):
    settings.PAGE_SIZE = 3
    for i in range(7):
        factories.body(
            commune=factories.commune(f"38{i + 300:03d}", f"Commune {i}", 6000, grenoble.department)
        )
    first = client.get(reverse("bodies:body-list"))
    last = client.get(reverse("bodies:body-list"), {"page": 3})
    beyond = client.get(reverse("bodies:body-list"), {"page": "abc"})
    assert len(first.context["bodies"]) == 3 and len(last.context["bodies"]) == 1
    assert beyond.status_code == 200 and beyond.context["page_obj"].number == 1
    assert "7 instances" in first.content.decode()


def test_body_list_empty_state(client):
    assert "Aucune instance" in client.get(reverse("bodies:body-list")).content.decode()


def test_body_list_queries_do_not_grow(client, grenoble, django_assert_num_queries):
    for i in range(5):
        factories.body(
            commune=factories.commune(f"38{i + 300:03d}", f"C{i}", 6000, grenoble.department)
        )
    # the départements offered, the count for the paginator, one page of bodies
    with django_assert_num_queries(3):
        client.get(reverse("bodies:body-list"))


@pytest.fixture
def populated_clspd(clspd, grenoble):
    town = factories.institution(
        Institution.Category.COMMUNE, name="Ville de Grenoble", commune=grenoble
    )
    police = factories.institution(Institution.Category.NATIONAL_POLICE, name="DIPN de l’Isère")
    mayor = factories.person(
        "Sophie", "Arnaud", email="sophie.arnaud@example.org", phone="01 99 00 11 22"
    )
    officer = factories.person(
        "Karim", "Haddad", email="karim.haddad@example.org", phone="01 99 00 33 44"
    )
    factories.membership(clspd, mayor, town, role="chair")
    factories.membership(clspd, officer, police, role="appointed")
    factories.membership(
        clspd,
        factories.person("Jean", "Ancien"),
        police,
        started_on=datetime.date(2010, 1, 1),
        ended_on=datetime.date(2015, 1, 1),
    )
    factories.body(Body.Type.WORKING_GROUP, parent=clspd, name="Cellule de veille Villeneuve")
    site = factories.site()
    clspd.sites.add(site)
    return clspd


def test_body_page_shows_composition_by_institution_category(client, populated_clspd):
    html = client.get(populated_clspd.get_absolute_url()).content.decode()
    assert "Conseil local de sécurité et de prévention de la délinquance" in html
    assert "Grenoble (38185)" in html
    assert "Police nationale" in html and "DIPN de l’Isère" in html
    assert "2 sièges occupés" in html  # the ended membership is not counted
    assert "Cellule de veille Villeneuve" in html
    assert "QN03801M" in html


def test_body_page_names_the_chair_but_no_other_member(client, populated_clspd):
    html = client.get(populated_clspd.get_absolute_url()).content.decode()
    assert "Sophie Arnaud" in html  # the mayor chairs: public office
    assert "Haddad" not in html and "Ancien" not in html
    for secret in ("@example.org", "01 99 00"):
        assert secret not in html


def test_member_who_consented_is_named(client, populated_clspd):
    Person.objects.filter(last_name="Haddad").update(public_name_consent=True)
    html = client.get(populated_clspd.get_absolute_url()).content.decode()
    assert "Karim Haddad" in html


def test_working_group_chair_is_not_named_without_consent(client, clspd):
    group = factories.body(Body.Type.WORKING_GROUP, parent=clspd, name="GT")
    factories.membership(group, factories.person("Nina", "Secret"), role="chair")
    html = client.get(group.get_absolute_url()).content.decode()
    assert "Secret" not in html
    assert "Grenoble" in html  # territory inherited from the parent CLSPD


def test_body_page_query_count_is_fixed(client, populated_clspd, django_assert_num_queries):
    # body with territory and parent, current memberships, children, sites; upcoming and past
    # meetings, attendance rates, open commitments by institution; action plans
    with django_assert_num_queries(9):
        client.get(populated_clspd.get_absolute_url())
    for _ in range(10):
        factories.membership(populated_clspd)
        factories.commitment(factories.meeting(populated_clspd), factories.institution())
        factories.plan(populated_clspd)
    with django_assert_num_queries(9):
        client.get(populated_clspd.get_absolute_url())


def test_unknown_body_is_404(client):
    assert client.get(reverse("bodies:body-detail", args=[999])).status_code == 404


def test_english_is_available(client, clspd):
    response = client.get(reverse("home"), headers={"accept-language": "en"})
    html = response.content.decode()
    assert response.status_code == 200 and 'lang="en"' in html
    assert "Directory of bodies" in html and "Annuaire des instances" not in html


def test_french_is_the_default(client, clspd):
    html = client.get(reverse("home")).content.decode()
    assert 'lang="fr"' in html and "Annuaire des instances" in html


def test_body_page_for_a_signed_in_member_has_a_fixed_query_count(
    client, world, django_assert_num_queries
):
    client.force_login(world.users["member"])
    url = world.gltd_a.get_absolute_url()
    # session and user; the page's 9 (body, memberships, children, sites, upcoming and past
    # meetings, attendance rates, commitments, plans); the member's access: role assignments, linked
    # person, current memberships; the session saved again (it expires after inactivity):
    # savepoint, update, release
    with django_assert_num_queries(17):
        response = client.get(url)
    assert "CANARY-RESTRICTED-GLTD-A" in response.content.decode()
    for _ in range(5):
        factories.membership(world.gltd_a)
    with django_assert_num_queries(17):
        client.get(url)
