"""Open data: every dataset for every role, pseudonyms, confidentiality, formula injection,
filters, streaming with a fixed number of queries, the COPY path byte for byte, the data
package and the dump validated by frictionless."""

import csv
import io
import json
import logging
import subprocess
import sys
import zipfile

import pytest
from django.db import connection
from django.urls import reverse

from bodies.access import ANONYMOUS, access_for
from bodies.models import Person
from partnerships.exports import dump, package
from partnerships.exports.datasets import DATASETS
from partnerships.exports.model import Filters
from partnerships.exports.pseudonyms import pseudonym
from partnerships.exports.writers import copy_rows, python_rows
from tests import factories
from tests.conftest import ROLES

D2020 = __import__("datetime").date(2020, 1, 1)

pytestmark = pytest.mark.django_db


def download(client, name, **params):
    response = client.get(reverse("exports:download", args=[name]), params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode("utf-8")


def table(text) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_every_dataset_downloads_for_every_role_with_its_declared_header(world, login):
    for role in ROLES:
        client = login(world, role)
        for name, dataset in DATASETS.items():
            text = download(client, name)
            assert text.splitlines()[0] == ",".join(c.name for c in dataset.columns), name


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_public_and_research_exports_hold_no_confidential_text_nor_personal_data(
    world, login, role
):
    client = login(world, role)
    everything = "".join(download(client, name) for name in DATASETS)
    for secret in (
        "CANARY",  # restricted and partners texts, drafts, restricted plans
        "canary-mail",
        "01 99 00 77",
        "Alpha",
        "Bravo",
    ):
        assert secret not in everything, secret


def test_no_name_email_or_phone_of_any_demo_person_in_public_exports(demo, client):
    everything = "".join(download(client, name) for name in DATASETS)
    people = list(Person.objects.all())
    assert len(people) > 50
    for person in people:
        assert person.email not in everything
        assert person.phone not in everything
        assert f"{person.first_name} {person.last_name}" not in everything
        assert f"{person.last_name} {person.first_name}" not in everything


def test_readers_export_what_they_may_read(world, login):
    def minutes(role):
        rows = table(download(login(world, role), "meetings"))
        return {row["minutes"] for row in rows}

    assert "CANARY-PARTNERS-MINUTES-A" in minutes("prefecture")
    assert "CANARY-PARTNERS-MINUTES-A" not in minutes("anonymous")
    assert "CANARY-RESTRICTED-MINUTES-GLTD" in minutes("member")
    assert "CANARY-RESTRICTED-MINUTES-GLTD" not in minutes("prefecture")
    # a readable plan's diagnostic at a stricter level is emptied, the plan kept
    plans = {row["id"]: row for row in table(download(login(world, "anonymous"), "action_plans"))}
    assert plans[str(world.plan_a.pk)]["diagnostic"] == ""
    coordinator = table(download(login(world, "coordinator"), "action_plans"))
    assert "CANARY-PARTNERS-DIAGNOSTIC-A" in {row["diagnostic"] for row in coordinator}


def test_pseudonyms_are_stable_across_datasets_and_keyed(world, login, settings):
    client = login(world, "anonymous")
    members = table(download(client, "memberships"))
    expected = pseudonym(world.person_a.pk)
    assert expected.startswith("p_") and len(expected) == 18
    assert expected in {row["person"] for row in members}
    assert table(download(client, "memberships")) == members  # the same in every download
    factories.attendance(world.meeting_a, world.person_a, world.inst_a)
    assert expected in {row["person"] for row in table(download(client, "attendance"))}
    settings.PSEUDONYM_KEY = "another-key"
    assert expected not in download(client, "memberships")


def test_formula_cells_are_neutralised_and_numbers_stay_numbers(world, client):
    factories.commitment(world.meeting_a, world.inst_a, '=HYPERLINK("http://x","clic")')
    factories.commitment(world.meeting_a, world.inst_a, "+33 1 99")
    factories.commitment(world.meeting_a, world.inst_a, "@SUM(A1)")
    factories.commitment(world.meeting_a, world.inst_a, "-2+3")
    factories.commitment(world.meeting_a, world.inst_a, "\tcaché\rligne")
    world.measurement_a.value = -5
    world.measurement_a.save()
    descriptions = {row["description"] for row in table(download(client, "commitments"))}
    assert {
        '\'=HYPERLINK("http://x","clic")',
        "'+33 1 99",
        "'@SUM(A1)",
        "'-2+3",
        "'\tcaché\nligne",
    } <= descriptions
    factories.commitment(world.meeting_a, world.inst_a, "-5\n")
    assert "'-5\n" in {row["description"] for row in table(download(client, "commitments"))}
    values = {row["value"] for row in table(download(client, "measurements"))}
    assert "-5.000" in values


def test_filters_from_the_query_string(world, client):
    assert {
        row["department_code"] for row in table(download(client, "bodies", department="69"))
    } == {"69"}
    assert {row["type"] for row in table(download(client, "bodies", type="GLTD"))} == {"GLTD"}
    meetings = table(download(client, "meetings", **{"from": "2025-03-10", "to": "2025-03-10"}))
    assert meetings and all(row["starts_at"].startswith("2025-03-10") for row in meetings)
    assert table(download(client, "meetings", **{"from": "2030-01-01"})) == []
    dormant = table(download(client, "memberships", status="dormant"))
    assert {row["body_id"] for row in dormant} == {
        str(world.body_a.pk),
        str(world.body_b.pk),
        str(world.gltd_a.pk),
    }


@pytest.mark.parametrize(
    "params",
    [
        {"department": "ZZ"},
        {"type": "XYZ"},
        {"status": "asleep"},
        {"from": "2025-13-01"},
        {"from": "2026-01-01", "to": "2025-01-01"},
        {"to": "0001-01-01"},
    ],
)
def test_bad_filters_answer_400_in_french(world, client, params):
    response = client.get(reverse("exports:download", args=["meetings"]), params)
    assert response.status_code == 400
    assert "Filtre refusé" in response.content.decode()


def test_an_unknown_dataset_answers_404(client):
    assert client.get("/exports/passwords.csv").status_code == 404
    assert client.get("/exports/passwords/").status_code == 404


def test_downloads_are_logged_when_they_start_and_end(world, client, caplog):
    with caplog.at_level(logging.INFO, logger="partnerships.security"):
        download(client, "bodies", department="38")
    assert "export-start dataset=bodies user=- ip=127.0.0.1 filters={'department': '38'}" in (
        caplog.text
    )
    assert "filters={'department': '38'} lines=" in caplog.text and "complete" in caplog.text


def test_an_interrupted_download_is_logged_too(world, client, caplog):
    response = client.get(reverse("exports:download", args=["meetings"]))
    with caplog.at_level(logging.INFO, logger="partnerships.security"):
        next(iter(response.streaming_content))
        response.close()
    assert "export dataset=meetings" in caplog.text and "interrupted" in caplog.text


def test_streaming_runs_one_query_whatever_the_rows(world, client, django_assert_num_queries):
    # decisions: served in Python on both databases (the large datasets run one COPY on
    # PostgreSQL, outside Django's query log)
    with django_assert_num_queries(1):
        download(client, "decisions")
    for i in range(30):
        world.meeting_a.decisions.create(text=f"Décision {i}")
    with django_assert_num_queries(1):
        assert len(table(download(client, "decisions"))) == 30


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY is PostgreSQL's")
def test_copy_and_python_paths_write_the_same_bytes(world):
    factories.commitment(world.meeting_a, world.inst_a, 'Guillemets " virgule, \r\nfin\rici')
    factories.commitment(world.meeting_a, world.inst_a, "")
    factories.commitment(world.meeting_a, world.inst_a, "=1+1", evidence="\\.")
    factories.commitment(world.meeting_a, world.inst_a, "-5\n")  # a number, then a line
    admin = access_for(world.users["admin"])
    for access in (ANONYMOUS, admin):
        for dataset in DATASETS.values():
            python = b"".join(python_rows(dataset, access, Filters()))
            copied = b"".join(copy_rows(dataset, access, Filters()))
            assert python == copied, dataset.name


def test_the_dictionary_describes_every_column(client):
    html = client.get(reverse("exports:dictionary", args=["attendance"])).content.decode()
    for column in DATASETS["attendance"].columns:
        assert f"<code>{column.name}</code>" in html
    assert "<code>represented</code>" in html  # allowed values
    # The trail leads back to the catalogue the reader came from.
    trail = html.split('class="fr-breadcrumb__list"')[1].split("</ol>")[0]
    assert f'href="{reverse("exports:catalogue")}"' in trail


def test_datapackage_declares_types_keys_and_licence(client):
    descriptor = client.get(reverse("exports:datapackage")).json()
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) == set(DATASETS)
    attendance = resources["attendance"]["schema"]
    assert attendance["primaryKey"] == ["id"]
    assert {"fields": ["meeting_id"], "reference": {"resource": "meetings", "fields": ["id"]}} in (
        attendance["foreignKeys"]
    )
    assert all(f["description"] for r in resources.values() for f in r["schema"]["fields"])


@pytest.mark.slow
def test_the_dump_validates_with_frictionless(demo, settings, tmp_path, client):
    settings.EXPORT_DIR = tmp_path / "dump"
    written = dump.write_dump()
    assert sum(written.counts.values()) > 1000
    with zipfile.ZipFile(written.path) as archive:
        names = set(archive.namelist())
        assert names == {f"{n}.csv" for n in DATASETS} | {"datapackage.json", "README.txt"}
        archive.extractall(tmp_path / "unzipped")
    result = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=tmp_path / "unzipped",
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    errors = [error["message"] for task in report["tasks"] for error in task.get("errors", [])][:10]
    assert report["valid"], errors
    # the catalogue shows it, and it downloads
    html = client.get(reverse("exports:catalogue")).content.decode()
    assert written.day in html
    response = client.get(reverse("exports:dump", args=[written.day]))
    assert response.status_code == 200
    assert client.get(reverse("exports:dump", args=["2000-01-01"])).status_code == 404
    assert client.get("/exports/registre-../../etc/passwd.zip").status_code == 404


def test_package_descriptor_names_every_dataset():
    assert [r["name"] for r in package.descriptor()["resources"]] == list(DATASETS)


def test_connection_vendor_is_known():
    assert connection.vendor in ("sqlite", "postgresql")


def test_list_pages_download_the_rows_they_show(world, client):
    directory = table(
        b"".join(
            client.get(reverse("exports:directory"), {"department": "69"}).streaming_content
        ).decode()
    )
    assert [row["name"] for row in directory] == [world.body_b.name]
    response = client.get(
        reverse("exports:commitments-list"), {"body": world.body_a.pk, "state": "overdue"}
    )
    rows = table(b"".join(response.streaming_content).decode())
    assert [row["description"] for row in rows] == ["Éclairer le passage Mistral"]
    html = client.get(reverse("bodies:body-list"), {"department": "69"}).content.decode()
    assert reverse("exports:directory") + "?department=69" in html
    bad = client.get(reverse("exports:commitments-list"), {"state": "late"})
    assert bad.status_code == 400


def test_staff_may_ask_for_the_names_of_the_people_of_their_bodies(world, login):
    client = login(world, "coordinator")
    response = client.get(reverse("exports:download", args=["memberships"]), {"personal": "1"})
    assert "donnees-personnelles" in response["Content-Disposition"]
    rows = table(b"".join(response.streaming_content).decode())
    names = {row["body_id"]: row["person_name"] for row in rows}
    assert names[str(world.body_a.pk)] == "Canari Alpha"  # sits in body A
    assert names[str(world.body_b.pk)] == ""  # Rhône: out of the coordinator's reach
    assert "canary-mail" not in str(rows)  # names only, never e-mails


@pytest.mark.parametrize("role", ["anonymous", "researcher", "national", "member"])
def test_others_get_no_names(world, login, role):
    response = login(world, role).get(
        reverse("exports:download", args=["attendance"]), {"personal": "1"}
    )
    assert response.status_code == 403


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY is PostgreSQL's")
def test_copy_writes_the_personal_files_as_python_does(world):
    factories.attendance(world.meeting_a, world.person_a, world.inst_a)
    coordinator = access_for(world.users["coordinator"])
    for dataset in DATASETS.values():
        python = b"".join(python_rows(dataset, coordinator, Filters(personal=True)))
        copied = b"".join(copy_rows(dataset, coordinator, Filters(personal=True)))
        assert python == copied, dataset.name


# -- found by the independent review --------------------------------------------------------


def test_names_only_on_rows_of_the_readers_bodies(world, login):
    # person B sits in Rhône (body B) and, now, in Isère's CLSPD too
    factories.membership(world.body_a, world.person_b, world.inst_a, started_on=D2020)
    client = login(world, "prefecture")  # Isère's
    rows = table(
        b"".join(
            client.get(
                reverse("exports:download", args=["memberships"]), {"personal": "1"}
            ).streaming_content
        ).decode()
    )
    named = {(row["body_id"], row["person_name"]) for row in rows}
    assert (str(world.body_a.pk), "Canari Bravo") in named
    assert (str(world.body_b.pk), "") in named  # the same person, on Rhône's row: no name


def test_a_file_with_names_holds_no_pseudonym(world, login):
    client = login(world, "coordinator")
    text = b"".join(
        client.get(
            reverse("exports:download", args=["attendance"]), {"personal": "1"}
        ).streaming_content
    ).decode()
    header = text.splitlines()[0].split(",")
    assert "person" not in header and "represented_by" not in header
    assert "person_name" in header and "p_" not in text


@pytest.mark.parametrize("value", ["0", "no", "off", "false", "yes"])
def test_only_personal_1_asks_for_names(world, login, value):
    response = login(world, "coordinator").get(
        reverse("exports:download", args=["memberships"]), {"personal": value}
    )
    assert response.status_code == 400


def test_numbers_stay_numbers_in_the_administrations_exports(world):
    from actions.resources import MeasurementResource

    world.measurement_a.value = -3
    world.measurement_a.save()
    exported = MeasurementResource(access=access_for(world.users["coordinator"])).export()
    assert "-3" in exported.export("csv") and "'-3" not in exported.export("csv")


def test_control_characters_do_not_break_an_xlsx_export(world):
    from bodies.resources import MembershipResource

    world.person_a.last_name = "Al\x0bpha"
    world.person_a.save()
    exported = MembershipResource(access=access_for(world.users["coordinator"])).export()
    assert exported.export("xlsx")  # openpyxl refused the whole file before


def test_leading_spaces_do_not_hide_a_formula(world, client):
    factories.commitment(world.meeting_a, world.inst_a, " \u00a0=1+1")
    descriptions = {row["description"] for row in table(download(client, "commitments"))}
    assert "' \u00a0=1+1" in descriptions


def test_filters_a_dataset_does_not_take_are_left_out_of_its_name_and_log(world, client):
    response = client.get(
        reverse("exports:download", args=["institutions"]), {"type": "GLTD", "from": "2025-01-01"}
    )
    assert 'filename="institutions.csv"' in response["Content-Disposition"]


def test_the_catalogue_says_when_its_filters_are_not_applied(client):
    html = client.get(
        reverse("exports:catalogue"), {"from": "2026-01-01", "to": "2025-01-01"}
    ).content.decode()
    assert "Filtres non appliqués" in html


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY is PostgreSQL's")
def test_the_pseudonym_key_never_travels_in_sql(world, settings):
    from partnerships.exports.writers import copy_sql

    statement, params = copy_sql(DATASETS["attendance"], ANONYMOUS, Filters())
    assert settings.PSEUDONYM_KEY not in statement and settings.PSEUDONYM_KEY not in map(
        str, params
    )


def test_a_commitment_less_confidential_than_its_meeting_stays_with_its_readers(world, client):
    from meetings.models import Commitment

    Commitment.objects.filter(pk=world.partners_commitment_a.pk).update(confidentiality="public")
    assert "CANARY-PARTNERS-COMMITMENT-A" not in download(client, "commitments")
    html = client.get(reverse("meetings:commitment-list")).content.decode()
    assert "CANARY-PARTNERS-COMMITMENT-A" not in html
