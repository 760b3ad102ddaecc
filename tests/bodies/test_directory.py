"""The public directory: filters, sorts and pages in the query string, on derived statuses."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bodies.models import Body
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(isere):
    """Grenoble (active, met last month), Échirolles (dormant), Meylan (dissolved), the CISPD
    of Grenoble-Alpes-Métropole (never met), a CDPD of Isère and a CLSPD of Lyon (Rhône)."""
    metro = factories.epci()
    grenoble = factories.commune("38185", "Grenoble", 158454, isere, metro)
    echirolles = factories.commune("38151", "Échirolles", 36840, isere, metro)
    meylan = factories.commune("38229", "Meylan", 17600, isere, metro)
    rhone = factories.department("69", "Rhône")
    lyon = factories.commune("69123", "Lyon", 520774, rhone)
    b = {
        "grenoble": factories.body(commune=grenoble, other_names="CLSPD-G\nConseil de Grenoble"),
        "echirolles": factories.body(commune=echirolles),
        "meylan": factories.body(commune=meylan, dissolved_on=datetime.date(2020, 6, 30)),
        "cispd": factories.body(Body.Type.CISPD, epci=metro),
        "cdpd": factories.body(Body.Type.CDPD, department=isere),
        "lyon": factories.body(commune=lyon),
    }
    factories.meeting(b["grenoble"], timezone.now() - datetime.timedelta(days=30))
    factories.meeting(b["echirolles"], timezone.now() - datetime.timedelta(days=500))
    factories.meeting(b["lyon"], timezone.now() - datetime.timedelta(days=3))
    return b


def names(client, **params):
    response = client.get(reverse("bodies:body-list"), params)
    assert response.status_code == 200
    return [body.name for body in response.context["bodies"]]


def test_filters_by_type_status_and_department(client, bodies):
    assert names(client, type="CISPD") == [bodies["cispd"].name]
    assert set(names(client, status="dormant")) == {
        bodies["echirolles"].name,
        bodies["cispd"].name,
        bodies["cdpd"].name,
    }
    assert names(client, status="dissolved") == [bodies["meylan"].name]
    assert names(client, department="69") == [bodies["lyon"].name]
    assert names(client, department="38", status="active") == [bodies["grenoble"].name]


def test_search_reads_names_other_names_communes_and_epci(client, bodies):
    assert names(client, q="Conseil de Grenoble") == [bodies["grenoble"].name]
    # Échirolles' CLSPD, and the CISPD whose EPCI it belongs to
    assert set(names(client, q="échirolles")) == {bodies["echirolles"].name, bodies["cispd"].name}
    assert names(client, q="Alpes-Métropole") == [bodies["cispd"].name]
    assert names(client, q="Nowhere") == []


def test_commune_filter_finds_the_bodies_covering_it(client, bodies):
    # Échirolles' own CLSPD, the CISPD of its EPCI and the county bodies of Isère
    assert set(names(client, commune="38151")) == {
        bodies["echirolles"].name,
        bodies["cispd"].name,
        bodies["cdpd"].name,
    }


def test_a_search_reads_its_first_eight_words(client, bodies):
    assert names(client, q=" ".join(["a"] * 999)) == []  # too long: said, not a 500
    words = "grenoble " * 3 + "x1 x2 x3 x4 x5 x6 x7 x8 x9"
    assert client.get(reverse("bodies:body-list"), {"q": words}).status_code == 200
    assert client.get(reverse("bodies:body-list"), {"q": "a" * 201}).context["filter"].errors


def test_page_zero_or_negative_is_the_first_page(client, bodies, settings):
    settings.PAGE_SIZE = 2
    for number in ("0", "-1"):
        assert (
            client.get(reverse("bodies:body-list"), {"page": number}).context["page_obj"].number
            == 1
        )


def test_sorts(client, bodies):
    assert names(client, o="-last_held_on")[:3] == [
        bodies["lyon"].name,
        bodies["grenoble"].name,
        bodies["echirolles"].name,
    ]  # then those that never met
    by_name = names(client, o="name")
    assert by_name == sorted(by_name)


def test_pagination_keeps_the_filters(client, bodies, settings):
    settings.PAGE_SIZE = 2
    response = client.get(reverse("bodies:body-list"), {"department": "38", "page": 2})
    html = response.content.decode()
    assert response.context["page_obj"].paginator.count == 5
    assert "department=38&amp;page=1" in html or "page=1&amp;department=38" in html


@pytest.mark.parametrize(
    "params",
    [
        {"department": "ZZ"},
        {"status": "sleeping"},
        {"type": "XYZ"},
        {"commune": "3818"},
        {"o": "password"},
        {"page": "99999999999999999999"},
    ],
)
def test_bad_filters_get_a_message_not_an_error(client, bodies, params):
    response = client.get(reverse("bodies:body-list"), params)
    assert response.status_code == 200
    if "page" not in params:
        assert response.context["filter"].errors
        assert "n’est pas valide" in response.content.decode()


def test_a_nul_byte_in_a_filter_answers_400(client, bodies):
    for params in ({"commune": "38185\x00"}, {"q": "a\x00b"}):
        assert client.get(reverse("bodies:body-list"), params).status_code == 400


def test_the_directory_shows_the_status_and_last_meeting(client, bodies):
    html = client.get(reverse("bodies:body-list"), {"q": "Échirolles"}).content.decode()
    assert "En sommeil" in html


def test_directory_queries_do_not_grow(client, bodies, django_assert_num_queries):
    # the départements offered, the count, one page of bodies (with their status)
    with django_assert_num_queries(3):
        client.get(reverse("bodies:body-list"), {"status": "dormant", "o": "-last_held_on"})
    for i in range(5):
        factories.body(commune=factories.commune(f"38{i + 300:03d}", f"C{i}", 6000))
    with django_assert_num_queries(3):
        client.get(reverse("bodies:body-list"), {"status": "dormant", "o": "-last_held_on"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Martin-d’Hères", "saint martin d heres"),
        ("ÉCHIROLLES", "echirolles"),
        ("CLSPD — Porte de l'Isère", "clspd — porte de l isere"),
    ],
)
def test_search_folds_case_accents_and_punctuation(text, expected):
    from bodies.models import folded

    assert folded(text) == expected


def test_cispd_page_lists_member_communes_and_their_clspds(client, bodies):
    html = client.get(bodies["cispd"].get_absolute_url()).content.decode()
    assert "Communes membres" in html
    assert "Échirolles" in html and "Meylan" in html
    assert bodies["grenoble"].name in html and "en activité" in html
    assert bodies["meylan"].name in html and "dissoute" in html


def test_cdpd_page_counts_the_departments_bodies_by_type_and_status(client, bodies):
    response = client.get(bodies["cdpd"].get_absolute_url())
    rows = {
        t: {s: n for s, _l, n in counts} for t, _l, counts in response.context["department_rows"]
    }
    assert rows["CLSPD"] == {"active": 1, "dormant": 1, "ended": 0, "dissolved": 1}
    assert rows["CISPD"]["dormant"] == 1
    assert "department=38&amp;type=CLSPD&amp;status=dormant" in response.content.decode()


def test_body_page_shows_other_names_last_meeting_and_the_archive(client, bodies):
    html = client.get(bodies["grenoble"].get_absolute_url()).content.decode()
    assert "Conseil de Grenoble" in html and "CLSPD-G" in html
    assert "Dernière réunion tenue" in html
    assert reverse("meetings:body-meetings", args=[bodies["grenoble"].pk]) in html


def test_meeting_archive_pages_every_readable_meeting(client, bodies, settings):
    settings.PAGE_SIZE = 2
    for month in range(1, 6):
        factories.meeting(
            bodies["echirolles"],
            timezone.make_aware(datetime.datetime(2024, month, 10, 18, 0)),
        )
    factories.meeting(
        bodies["echirolles"],
        timezone.make_aware(datetime.datetime(2024, 7, 10, 18, 0)),
        kind="restricted",  # partners only: not for an anonymous reader
    )
    url = reverse("meetings:body-meetings", args=[bodies["echirolles"].pk])
    first, last = client.get(url), client.get(url, {"page": 3})
    assert first.context["page_obj"].paginator.count == 6  # 5 plenaries + the older one
    assert len(last.context["meetings"]) == 2
