"""The OParl API: every object type against the OParl 1.1 schemas, a crawl that finds no
canary, pagination, incremental sync, tombstones, people's names, the HTTP contract (errors,
CORS, validators, rate limit) and query counts that do not grow with the data."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bodies.models import Body, Institution, Membership, Person
from meetings.models import Meeting
from partnerships.exports.datasets import DATASETS
from partnerships.exports.pseudonyms import pseudonym
from partnerships.oparl.models import PersonPseudonym
from partnerships.oparl.people import api_identifier
from tests import factories
from tests.test_leaks import CANARIES

from .conftest import API, crawl, schema_errors, type_name

pytestmark = pytest.mark.django_db


def ids(page: dict) -> list[str]:
    return [obj["id"] for obj in page["data"]]


def everything(api, url) -> list[dict]:
    """Every object of a list, following `links.next`."""
    objects, seen_pages = [], 0
    while url:
        page = api.get(url.removeprefix("http://testserver")).json()
        objects += page["data"]
        url = page["links"].get("next")
        seen_pages += 1
        assert seen_pages < 100
    return objects


# -- schemas and the crawl ---------------------------------------------------------------------


def test_every_object_type_validates_against_the_oparl_schemas(world, api):
    # A public meeting deleted and one made restricted: tombstones to validate too.
    factories.meeting(world.body_a, place="Salle B").delete()
    demoted = factories.meeting(world.body_a, starts_at=timezone.now())
    demoted.confidentiality = "restricted"
    demoted.save()
    answers = crawl(api)
    seen_types, errors = set(), []
    for url, response in answers.items():
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json"
        data = response.json()
        objects = [data] if "type" in data else data["data"]
        if "data" in data:
            errors += [f"{url} list: {e}" for e in schema_errors("ObjectList", data)]
        for obj in objects:
            name = type_name(obj)
            seen_types.add(name + (" deleted" if obj.get("deleted") else ""))
            errors += [f"{url} {obj['id']}: {e}" for e in schema_errors(name, obj)]
    assert not errors, "\n".join(errors[:20])
    assert seen_types >= {
        "System",
        "Body",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "Meeting deleted",
        "AgendaItem",
        "Location",
    }
    error = api.get(API + "meeting/999999/")
    assert error.status_code == 404 and not schema_errors("Error", error.json())


def test_an_anonymous_crawl_of_the_api_finds_no_canary_email_or_phone(world, api):
    answers = crawl(api)
    assert len(answers) > 40
    text = "\n".join(response.content.decode() for response in answers.values())
    leaked = [canary for canary in CANARIES if canary in text]
    for person in Person.objects.all():
        leaked += [value for value in (person.email, person.phone) if value and value in text]
    assert not leaked
    assert "@" not in text
    # People sit in the crawled bodies, under their identifiers in the API.
    assert api_identifier(world.person_a.pk) in text and api_identifier(world.person_b.pk) in text


def test_restricted_and_partners_meetings_are_not_listed_nor_counted(world, api):
    page = api.get(reverse("oparl:body-meetings", args=["38"])).json()
    public = Meeting.objects.filter(body__department=world.isere, confidentiality="public")
    assert page["pagination"]["totalElements"] == public.count() == 1
    assert ids(page) == [f"http://testserver{API}meeting/{world.meeting_a.pk}/"]
    assert [item["name"] for item in page["data"][0]["agendaItem"]] == ["Bilan de l’année"]
    assert page["data"][0]["location"]["description"] == "Hôtel de ville de Grenoble"


# -- pagination and incremental sync -----------------------------------------------------------


def test_following_links_next_gives_each_object_exactly_once(world, api):
    for day in range(1, 24):
        factories.meeting(world.body_a, starts_at=timezone.now() - datetime.timedelta(days=day))
    url = reverse("oparl:body-meetings", args=["38"]) + "?limit=5"
    first = api.get(url).json()
    assert first["pagination"] == {"totalElements": 24, "elementsPerPage": 5, "totalPages": 5}
    # A meeting added while the client pages through arrives once, at the end.
    late = factories.meeting(world.body_a)
    got = [first["data"][0]["id"], *[obj["id"] for obj in first["data"][1:]]]
    got += [obj["id"] for obj in everything(api, first["links"]["next"])]
    expected = Meeting.objects.filter(body=world.body_a, confidentiality="public")
    assert len(got) == len(set(got)) == 25
    assert {int(u.rstrip("/").rsplit("/", 1)[1]) for u in got} == set(
        expected.values_list("pk", flat=True)
    )
    assert got[-1].endswith(f"/meeting/{late.pk}/")


def test_organisations_page_through_bodies_then_institutions(world, api):
    url = reverse("oparl:body-organizations", args=["38"]) + "?limit=1"
    objects = everything(api, url)
    expected = [f"organization/{b.pk}/" for b in Body.objects.filter(department=world.isere)]
    expected += [f"institution/{i.pk}/" for i in Institution.objects.filter(department=world.isere)]
    assert [obj["id"].split(API)[1] for obj in objects] == sorted(
        expected[: len(expected) - 1], key=lambda u: int(u.split("/")[1])
    )[:0] + expected


def test_modified_since_returns_exactly_what_changed(world, api):
    since = timezone.now()
    world.meeting_a.place = "Salle des fêtes"
    world.meeting_a.save()
    moved = Membership.objects.get(pk=world.membership_a.pk)
    moved.role = "vice_chair"
    moved.save()
    world.inst_a.name = "Mairie de Grenoble"
    world.inst_a.save()
    gone = Body.objects.create(type="CLSPD", commune=factories.commune("38151", "Échirolles"))
    gone_pk = gone.pk
    gone.delete()
    query = "?" + "&".join([f"modified_since={since.isoformat().replace('+', '%2B')}"])

    def changed(name):
        return sorted(ids(api.get(reverse(name, args=["38"]) + query).json()))

    base = f"http://testserver{API}"
    assert changed("oparl:body-meetings") == [f"{base}meeting/{world.meeting_a.pk}/"]
    assert changed("oparl:body-memberships") == [f"{base}membership/{moved.pk}/"]
    assert changed("oparl:body-people") == [f"{base}person/{api_identifier(world.person_a.pk)}/"]
    assert changed("oparl:body-organizations") == sorted(
        [
            f"{base}organization/{world.body_a.pk}/",  # its seat changed
            f"{base}organization/{gone_pk}/",  # deleted: a tombstone
            f"{base}institution/{world.inst_a.pk}/",
        ]
    )
    tombstone = api.get(reverse("oparl:organization", args=[gone_pk])).json()
    assert tombstone["deleted"] is True and set(tombstone) == {
        "id",
        "type",
        "created",
        "modified",
        "deleted",
    }
    # And before: nothing changed since then.
    assert changed("oparl:body-agenda-items") == [
        f"{base}agenda-item/{world.agenda_item_a.pk}/"  # rewritten with its meeting
    ]
    until = api.get(
        reverse("oparl:body-meetings", args=["38"])
        + "?modified_until="
        + (since - datetime.timedelta(seconds=1)).isoformat().replace("+", "%2B")
    ).json()
    assert until["data"] == []


def test_a_meeting_made_restricted_is_gone_for_clients_that_saw_it(world, api):
    url = reverse("oparl:meeting", args=[world.meeting_a.pk])
    assert api.get(url).json()["name"] == "Séance plénière"
    world.meeting_a.confidentiality = "restricted"
    world.meeting_a.save()
    answer = api.get(url).json()
    assert answer["deleted"] is True and "name" not in answer
    listed = api.get(reverse("oparl:body-meetings", args=["38"])).json()
    assert [obj.get("deleted") for obj in listed["data"]] == [True]
    # A meeting that was never public stays unknown.
    assert api.get(reverse("oparl:meeting", args=[world.partners_meeting_a.pk])).status_code == 404


def test_the_place_of_a_meeting_made_partners_only_is_gone_for_clients_that_saw_it(world, api):
    url = reverse("oparl:location", args=[world.meeting_a.pk])
    listed = reverse("oparl:body-locations", args=["38"])
    seen = api.get(url).json()
    assert seen["description"] == "Hôtel de ville de Grenoble"
    since = timezone.now().isoformat().replace("+", "%2B")
    world.meeting_a.confidentiality = "partners"
    world.meeting_a.save()
    answer = api.get(url).json()
    assert answer["deleted"] is True and "description" not in answer
    assert not schema_errors("Location", answer)
    assert answer["created"] == seen["created"] and answer["modified"] > seen["modified"]
    changed = api.get(f"{listed}?modified_since={since}").json()
    assert changed["data"] == [answer] and changed["pagination"]["totalElements"] == 1
    # A public meeting whose place is emptied: its Location is gone too.
    other = factories.meeting(world.body_a, place="Salle B")
    assert api.get(reverse("oparl:location", args=[other.pk])).status_code == 200
    other.place = ""
    other.save()
    assert api.get(reverse("oparl:location", args=[other.pk])).json()["deleted"] is True
    # The place of a meeting that was never public stays unknown.
    restricted = reverse("oparl:location", args=[world.restricted_meeting.pk])
    assert api.get(restricted).status_code == 404
    assert "CANARY" not in api.get(listed).content.decode()


# -- people ------------------------------------------------------------------------------------


def test_names_only_where_the_site_shows_them(world, api):
    mayor = factories.person("Éric", "Piolle")
    factories.membership(world.body_a, mayor, world.inst_a, role="chair")
    consenting = factories.person("Lucie", "Volontaire", public_name_consent=True)
    factories.membership(world.body_a, consenting, world.inst_a)
    former = factories.person("Paul", "Ancien")
    factories.membership(
        world.body_b,
        former,
        world.inst_b,
        role="chair",
        started_on=datetime.date(2014, 1, 1),
        ended_on=datetime.date(2019, 12, 31),
    )

    def person(p):
        return api.get(reverse("oparl:person", args=[api_identifier(p.pk)])).json()

    assert person(mayor)["name"] == "Éric Piolle"  # chairs the CLSPD: public office
    assert person(consenting)["familyName"] == "Volontaire"
    assert person(former)["name"] == api_identifier(former.pk)  # no longer in office
    anonymous = person(world.person_a)
    assert anonymous["name"] == api_identifier(world.person_a.pk)
    assert "familyName" not in anonymous and "Alpha" not in str(anonymous)
    assert [m["role"] for m in anonymous["membership"]] == ["Membre désigné", "Membre désigné"]


def _download(client, name) -> str:
    response = client.get(reverse("exports:download", args=[name]))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content).decode()


def _api_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_api_person_ids_and_export_pseudonyms_never_meet(world, api):
    """A name in the API must not lead to a pseudonym of the public files: that would give a
    named person's attendance and commitments, read from files meant to hide who they are."""
    mayor = factories.person("Éric", "Piolle")
    factories.membership(world.body_a, mayor, world.inst_a, role="chair")
    consenting = factories.person("Lucie", "Volontaire", public_name_consent=True)
    factories.membership(world.body_a, consenting, world.inst_a)
    for person in (mayor, consenting, world.person_a):
        factories.attendance(world.meeting_a, person, world.inst_a)
    factories.commitment(world.meeting_a, world.inst_a, "Tenir la permanence", owner_person=mayor)
    former = factories.person("Paul", "Ancien")
    factories.membership(world.body_b, former, world.inst_b).delete()  # a tombstone

    answers = crawl(api)
    api_text = "\n".join(r.content.decode() for r in answers.values())
    exports = "\n".join(_download(api, name) for name in DATASETS)
    people = {
        path: response.json()
        for path, response in answers.items()
        if "/person/" in path and "/body/" not in path
    }
    assert {p.get("name") for p in people.values()} >= {"Éric Piolle", "Lucie Volontaire"}
    assert any(p.get("deleted") for p in people.values())
    for person in Person.objects.all():
        assert pseudonym(person.pk) in exports or person in (former,)  # the files name them…
        assert pseudonym(person.pk) not in api_text, person  # …the API never does
    for path in people:
        api_id = _api_id(path)
        assert api_id not in exports, path
        assert not api_id.startswith("p_")


def test_the_people_list_cursor_is_not_the_internal_id(world, api):
    for i in range(4):
        factories.membership(world.body_a, factories.person("Nom", f"Numéro {i}"), world.inst_a)
    url = reverse("oparl:body-people", args=["38"]) + "?limit=1"
    cursors, served = [], []
    while url:
        page = api.get(url.removeprefix("http://testserver")).json()
        served += [_api_id(obj["id"]) for obj in page["data"]]
        url = page["links"].get("next")
        if url:
            cursors.append(parse_qs(urlsplit(url).query)["after"][0])
    internal = {str(pk) for pk in Person.objects.values_list("pk", flat=True)}
    assert len(served) == len(set(served)) == 5 and len(cursors) == 4
    assert not internal & set(cursors)
    assert cursors == served[:-1]  # the API's own identifier of the last person served
    assert served == sorted(served)
    # An internal id, or a malformed identifier, is not a position in this list.
    for after in ("3", "person-3", "o_zz", served[0].upper()):
        response = api.get(reverse("oparl:body-people", args=["38"]) + f"?after={after}")
        assert response.status_code == 400, after


def test_a_person_url_is_resolved_through_the_index(world, api):
    url = reverse("oparl:person", args=[api_identifier(world.person_a.pk)])
    assert not PersonPseudonym.objects.exists()
    assert api.get(url).status_code == 200  # the index is completed once
    assert PersonPseudonym.objects.count() == Person.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    # the index, the person with its dates and name, its seats
    assert len(queries) == 3, [q["sql"] for q in queries]
    newcomer = factories.person("Nina", "Nouvelle")
    factories.membership(world.body_a, newcomer, world.inst_a)
    assert api.get(reverse("oparl:person", args=[api_identifier(newcomer.pk)])).status_code == 200
    # An identifier of nobody: the index (complete) and the database's anti-join, then 404.
    with CaptureQueriesContext(connection) as queries:
        assert api.get(reverse("oparl:person", args=["o_0123456789abcdef"])).status_code == 404
    assert len(queries) == 2
    # An export pseudonym names nobody in the API.
    assert api.get(reverse("oparl:person", args=[pseudonym(newcomer.pk)])).status_code == 404
    # Someone seated nowhere (yet) is not public.
    loner = factories.person("Sans", "Siège")
    assert api.get(reverse("oparl:person", args=[api_identifier(loner.pk)])).status_code == 404


def test_a_person_who_no_longer_sits_anywhere_is_a_tombstone(world, api):
    url = reverse("oparl:person", args=[api_identifier(world.person_b.pk)])
    assert api.get(url).status_code == 200
    before = api.get(url).json()
    world.membership_b.delete()
    answer = api.get(url).json()
    assert answer["deleted"] is True and not schema_errors("Person", answer)
    assert answer["created"] == before["created"] and answer["modified"] > before["modified"]
    listed = api.get(reverse("oparl:body-people", args=["69"])).json()
    assert listed["data"] == [answer] and listed["pagination"]["totalElements"] == 1


# -- the HTTP contract -------------------------------------------------------------------------


def test_cors_validators_and_not_modified(world, api):
    url = reverse("oparl:organization", args=[world.body_a.pk])
    response = api.get(url)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    preflight = api.options(url)
    assert (
        preflight.status_code == 204
        and "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    )
    world.body_a.name = "CLSPD de Grenoble (renommé)"
    world.body_a.save()
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    lists = api.get(reverse("oparl:body-organizations", args=["38"]))
    assert (
        api.get(
            reverse("oparl:body-organizations", args=["38"]), HTTP_IF_NONE_MATCH=lists["ETag"]
        ).status_code
        == 304
    )


@pytest.mark.parametrize(
    "query",
    [
        "modified_since=yesterday",
        "created_since=2025-01-01",  # a date-time with its offset is required
        "created_until=2025-02-30T00:00:00%2B01:00",
        "modified_until=9999-12-31T23:59:59-23:59",
        "limit=0",
        "limit=100000",
        "limit=ten",
        "after=-1",
        "after=institution-3",  # a single-kind list
        "modified_since=%00",
        "limit%00=1",
        # Digits that are not ASCII: `str.isdigit()` accepts them, `int()` does not.
        "limit=%C2%B2",  # ²
        "limit=%D9%A1",  # ١ (Arabic-Indic one)
        "limit=%D9%A3",  # ٣
        "after=%C2%B2",
        "after=%D9%A1%D9%A3",
    ],
)
def test_malformed_parameters_answer_400_in_oparl_format(world, api, query):
    response = api.get(reverse("oparl:body-meetings", args=["38"]) + "?" + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert not schema_errors("Error", response.json())
    assert response["Access-Control-Allow-Origin"] == "*"


def test_an_unencoded_plus_in_a_date_is_understood(world, api):
    response = api.get(
        reverse("oparl:body-meetings", args=["38"]) + "?modified_since=2020-01-01T00:00:00+01:00"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("name,args", [("oparl:system", []), ("oparl:body-meetings", ["38"])])
def test_writes_answer_405_in_oparl_format_even_with_csrf_checks(world, method, name, args):
    # A real client, unlike Django's test client, goes through the CSRF check: the API never
    # writes, so it is exempt, and the method check answers.
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 405 and "GET" in response["Allow"]
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not schema_errors("Error", response.json())


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path",
    [
        "person/p_%00/",
        "meeting/%00/",
        "body/38/meeting/?after=%00",
        "person/p_%ff%fe/",
        "person/" + "p" * 3000 + "/",
        "meeting/99999999999999999999999/",
        "organization/-1/",
        "location/%D9%A3/",
    ],
)
def test_malformed_ids_answer_in_oparl_format(world, api, settings, path, debug):
    """Whatever the setting of DEBUG (whose pages are HTML) and wherever the site is mounted."""
    settings.DEBUG = debug
    for script_name in ("", "/registre"):
        response = api.get(API + path, SCRIPT_NAME=script_name)
        assert response.status_code in (400, 404), path
        assert response["Content-Type"] == "application/json", path
        assert response["Access-Control-Allow-Origin"] == "*"
        assert not schema_errors("Error", response.json())


def test_errors_outside_the_views_answer_in_oparl_format(world, monkeypatch):
    client = Client(raise_request_exception=False)
    for path in ("/oparl/", "/oparl/v2/meeting/1/"):  # outside the API's routes
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert not schema_errors("Error", response.json())

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("partnerships.oparl.records.bodies", fail)
    response = client.get(reverse("oparl:body-organizations", args=["38"]))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not schema_errors("Error", response.json())
    assert "database" not in response.content.decode()  # no detail of the failure
    # The site's own pages keep theirs.
    assert client.get("/no/such/page/")["Content-Type"].startswith("text/html")


def test_rate_limit_per_client_address(world, api, settings):
    from django.core.cache import cache

    cache.clear()
    settings.OPARL_RATE_LIMIT = 3
    settings.PROXY_COUNT = 1
    url = reverse("oparl:system")
    for _ in range(3):
        assert api.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 200
    refused = api.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert not schema_errors("Error", refused.json())
    # Another client (behind the same proxy) is not affected.
    assert api.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200
    cache.clear()


# -- query counts ------------------------------------------------------------------------------


LISTS = {
    # the département; then per kind: the page, its totals (count and latest `modified`), and
    # where there are tombstones their page and totals; and what the objects embed
    "oparl:body-organizations": 10,  # 1 + bodies (4 + seats' URLs) + institutions (4)
    # 1 + the index's anti-join + people (page, totals, tombstones' two, seats embedded)
    "oparl:body-people": 7,
    "oparl:body-memberships": 3,  # 1 + memberships, totals
    "oparl:body-meetings": 6,  # 1 + meetings, totals, tombstones and their totals, agenda
    "oparl:body-agenda-items": 3,  # 1 + items, totals
    "oparl:body-locations": 5,  # 1 + places, totals, tombstones and their totals
}


def grow(world, n):
    """`n` more bodies with members, institutions, people and public meetings with agenda."""
    for i in range(n):
        commune = factories.commune(f"380{i:02d}", f"Commune {i}", 6000, world.isere)
        body = factories.body(commune=commune)
        institution = factories.institution(dept=world.isere)
        for _ in range(3):
            factories.membership(body, factories.person(), institution)
        meeting = factories.meeting(body, place=f"Mairie {i}")
        meeting.agenda_items.create(position=1, title="Point")
        meeting.agenda_items.create(position=2, title="Autre point")


def test_lists_run_a_fixed_number_of_queries_whatever_the_data(world, api):
    def counts():
        # People seated since the index was last completed are written to it once, by the
        # next list of people: one insert per 2,000 of them, then never again.
        with CaptureQueriesContext(connection) as queries:
            assert api.get(reverse("oparl:body-people", args=["38"])).status_code == 200
        assert len(queries) == LISTS["oparl:body-people"] + 1
        found = {}
        for name in LISTS:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(reverse(name, args=["38"])).status_code == 200
            found[name] = len(queries)
        return found

    small = counts()
    grow(world, 6)
    assert counts() == small == LISTS
