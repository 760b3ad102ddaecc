"""Every admin page of the registry answers 200 to the administrator, and its query count
does not grow with the number of rows shown."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bodies.models import (
    Body,
    Commune,
    Department,
    Epci,
    Institution,
    Membership,
    Person,
    Region,
    Site,
)
from tests import factories
from tests.factories import body_form

pytestmark = pytest.mark.django_db

MODELS = [Region, Department, Epci, Commune, Institution, Person, Body, Membership, Site]


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    return client


def populate(grenoble, count, offset):
    """`count` communes, each with a CLSPD, a chair, an ended member with a substitute and a
    site: rows for every changelist and related objects for every column."""
    isere = grenoble.department
    for i in range(offset, offset + count):
        commune = factories.commune(f"38{i:03d}", f"Commune {i}", 6000 + i, isere, grenoble.epci)
        body = factories.body(commune=commune)
        town = factories.institution(Institution.Category.COMMUNE, commune=commune)
        factories.membership(body, institution_=town, role="chair")
        factories.membership(
            body,
            started_on=datetime.date(2019, 1, 1),
            ended_on=datetime.date(2021, 1, 1),
            substitute=factories.person(),
        )
        site = factories.site(f"Site {i}", f"QN038{i % 100:02d}{chr(65 + i // 100)}", isere)
        site.communes.add(commune)
        body.sites.add(site)
        factories.epci(f"{200000000 + i:09d}"[:8] + "0", f"EPCI {i}")  # SIREN shape only


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def admin_url(model, view, *args):
    return reverse(f"admin:bodies_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_queries_do_not_grow_with_rows(admin_client, grenoble, model):
    populate(grenoble, 2, offset=300)
    few = count_queries(admin_client, admin_url(model, "changelist"))
    populate(grenoble, 12, offset=400)
    many = count_queries(admin_client, admin_url(model, "changelist"))
    assert many == few, f"{few} queries for 2 rows, {many} for 14"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_add_and_change_pages_answer(admin_client, grenoble, model):
    populate(grenoble, 1, offset=300)
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    obj = model.objects.order_by("pk").last()
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_body_change_form_queries_do_not_grow_with_members(admin_client, clspd):
    url = admin_url(Body, "change", clspd.pk)
    factories.membership(clspd, substitute=factories.person())
    few = count_queries(admin_client, url)
    for _ in range(25):
        factories.membership(clspd, substitute=factories.person())
    assert count_queries(admin_client, url) == few


def test_body_change_form_shows_existing_members_read_only(admin_client, clspd):
    member = factories.membership(clspd)
    html = admin_client.get(admin_url(Body, "change", clspd.pk)).content.decode()
    assert str(member.person) in html
    # existing rows: role and dates editable, person not; the add row has autocompletes
    assert 'name="memberships-0-role"' in html
    assert 'name="memberships-0-person"' not in html
    assert "admin-autocomplete" in html


def test_commune_field_is_an_autocomplete_not_a_35000_option_select(admin_client, clspd):
    Commune.objects.bulk_create(
        Commune(insee_code=f"38{i:03d}", name=f"Commune {i}", department=clspd.department)
        for i in range(600, 900)
    )
    html = admin_client.get(admin_url(Body, "add")).content.decode()
    assert 'data-field-name="commune"' in html and 'class="admin-autocomplete"' in html
    assert html.count("<option") < 200


def test_admin_can_add_a_body_with_a_member_in_one_save(admin_client, grenoble):
    town = factories.institution(Institution.Category.COMMUNE, commune=grenoble)
    mayor = factories.person()
    data = body_form(commune=grenoble.pk)
    data.update(
        {
            "memberships-2-TOTAL_FORMS": "1",
            "memberships-2-0-person": mayor.pk,
            "memberships-2-0-institution": town.pk,
            "memberships-2-0-role": "chair",
            "memberships-2-0-started_on": "2024-01-15",
        }
    )
    response = admin_client.post(admin_url(Body, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    body = Body.objects.get()
    assert body.name == "CLSPD de Grenoble" and body.department.code == "38"
    assert body.memberships.get().person == mayor


def test_admin_gets_french_errors_and_nothing_is_saved(admin_client, grenoble):
    response = admin_client.post(
        admin_url(Body, "add"), body_form(type="GLTD", commune=grenoble.pk)
    )
    assert response.status_code == 200
    assert "décrivez-la" in response.content.decode()
    assert not Body.objects.exists()
