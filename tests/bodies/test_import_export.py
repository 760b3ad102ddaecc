"""Importing and exporting memberships: scoped to the user, previewed, all-or-nothing, errors
in French per row."""

import datetime
import io
import os
import tempfile

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bodies.access import access_for
from bodies.models import Membership
from bodies.resources import MembershipResource
from tests import factories

pytestmark = pytest.mark.django_db

HEADERS = ["id", "instance", "personne", "institution", "role", "debut", "fin"]


def dataset(*rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def row(body, person, institution, id="", role="appointed", start="2024-03-01", end=""):
    return [id, body.pk, person.pk, institution.pk, role, start, end]


def run_import(world, role, data, dry_run=False):
    resource = MembershipResource(access=access_for(world.users[role]))
    return resource.import_data(data, dry_run=dry_run, raise_errors=False)


def row_errors(result):
    messages = [str(e.error) for r in result.rows for e in r.errors]
    messages += [str(err) for r in result.invalid_rows for err in r.error.messages]
    messages += [str(e.error) for e in result.base_errors]
    return " | ".join(messages)


def test_coordinator_imports_members_of_its_body(world):
    newcomer = factories.person("Nouvelle", "Recrue", created_by=world.users["coordinator"])
    result = run_import(world, "coordinator", dataset(row(world.body_a, newcomer, world.inst_a)))
    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    assert Membership.objects.filter(body=world.body_a, institution=world.inst_a).count() == 2


def test_dry_run_previews_without_saving(world):
    newcomer = factories.person("Nouvelle", "Recrue", created_by=world.users["coordinator"])
    before = Membership.objects.count()
    result = run_import(
        world, "coordinator", dataset(row(world.body_a, newcomer, world.inst_a)), dry_run=True
    )
    assert result.totals["new"] == 1
    assert Membership.objects.count() == before


def test_import_into_another_body_is_refused_and_nothing_is_saved(world):
    newcomer = factories.person("Nouvelle", "Recrue", created_by=world.users["coordinator"])
    before = Membership.objects.count()
    result = run_import(
        world,
        "coordinator",
        dataset(
            row(world.body_a, newcomer, world.inst_a),  # valid
            row(world.body_b, world.person_a, world.inst_a),  # another body
        ),
    )
    assert result.has_errors() or result.has_validation_errors()
    assert "hors de votre périmètre" in row_errors(result)
    assert Membership.objects.count() == before  # all or nothing


def test_import_cannot_overwrite_a_membership_out_of_scope_by_id(world):
    result = run_import(
        world,
        "coordinator",
        dataset(
            row(
                world.body_a,
                world.person_a,
                world.inst_a,
                id=world.membership_b.pk,
                end="2024-12-31",
            ),
        ),
    )
    assert "hors de votre périmètre" in row_errors(result)
    world.membership_b.refresh_from_db()
    assert world.membership_b.body == world.body_b and world.membership_b.ended_on is None


def test_validation_errors_roll_back_the_whole_file(world):
    newcomer = factories.person("Nouvelle", "Recrue", created_by=world.users["prefecture"])
    before = Membership.objects.count()
    result = run_import(
        world,
        "prefecture",
        dataset(
            row(world.body_a, newcomer, world.inst_a),
            row(
                world.body_a,
                factories.person(created_by=world.users["prefecture"]),
                world.inst_a,
                start="2024-03-01",
                end="2024-01-01",
            ),
        ),
    )
    assert result.has_validation_errors()
    assert "ne peut précéder son début" in row_errors(result)
    assert Membership.objects.count() == before


def test_import_updates_an_own_membership_by_id(world):
    result = run_import(
        world,
        "coordinator",
        dataset(
            row(
                world.body_a,
                world.person_a,
                world.inst_a,
                id=world.membership_a.pk,
                start=world.membership_a.started_on.isoformat(),
                end="2024-12-31",
            ),
        ),
    )
    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    world.membership_a.refresh_from_db()
    assert world.membership_a.ended_on == datetime.date(2024, 12, 31)


def test_admin_import_previews_errors_in_french(world, login):
    client = login(world, "coordinator")
    csv = dataset(row(world.body_b, world.person_a, world.inst_a)).export("csv").encode()
    response = client.post(
        reverse("admin:bodies_membership_import"),
        {
            "import_file": SimpleUploadedFile("membres.csv", csv, content_type="text/csv"),
            "format": "0",
            "resource": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "hors de votre périmètre" in html
    assert "process_import" not in html  # no confirmation offered when a row fails


def test_export_holds_only_the_users_scope_and_is_logged(world, caplog):
    resource = MembershipResource(access=access_for(world.users["coordinator"]))
    with caplog.at_level("INFO", logger="partnerships.security"):
        exported = resource.export()
    bodies = set(exported["nom_instance"])
    assert bodies == {world.body_a.name}
    assert any("export model=membership" in r.getMessage() for r in caplog.records)


def test_administration_exports_neutralise_formula_cells_in_csv_and_xlsx(world):
    world.person_a.first_name = "=cmd|' /C calc'!A0"
    world.person_a.save()
    world.membership_a.ended_on = None
    world.membership_a.save()
    exported = MembershipResource(access=access_for(world.users["coordinator"])).export()
    csv = exported.export("csv")
    assert ",'=cmd|" in csv and ",=cmd|" not in csv
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(exported.export("xlsx")))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert any(str(c).startswith("'=cmd|") for c in cells)
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


# -- the confirmation step of the administration's import ----------------------------------


def preview(client, rows):
    csv = dataset(*rows).export("csv").encode()
    response = client.post(
        reverse("admin:bodies_membership_import"),
        {
            "import_file": SimpleUploadedFile("membres.csv", csv, content_type="text/csv"),
            "format": "0",
            "resource": "0",
        },
    )
    assert "confirm_form" in response.context, response.content.decode()[-3000:]
    return response


def confirm(client, response, **tampered):
    data = {
        name: field.value() if field.value() is not None else ""
        for name, field in ((f.name, f) for f in response.context["confirm_form"])
    }
    data.update(tampered)
    return client.post(reverse("admin:bodies_membership_process_import"), data, follow=True)


@pytest.fixture
def newcomer(world):
    return factories.person("Nouvelle", "Recrue", created_by=world.users["coordinator"])


def test_confirming_an_import_twice_imports_once_and_says_why(world, login, newcomer):
    client = login(world, "coordinator")
    shown = preview(client, [row(world.body_a, newcomer, world.inst_a)])
    assert "Importation terminée" in confirm(client, shown).content.decode()
    again = confirm(client, shown)
    assert again.status_code == 200
    assert "déjà été confirmé" in again.content.decode()
    assert Membership.objects.filter(person=newcomer).count() == 1


def test_the_confirmation_carries_no_server_path_and_cannot_name_another_file(
    world, login, newcomer
):
    client = login(world, "coordinator")
    shown = preview(client, [row(world.body_a, newcomer, world.inst_a)])
    assert tempfile.gettempdir() not in shown.content.decode()
    with tempfile.NamedTemporaryFile(delete=False) as other:
        other.write(b"id,instance\n")
    try:
        response = confirm(client, shown, import_file_name=os.path.basename(other.name))
        assert "Confirmation invalide" in response.content.decode()
        assert os.path.exists(other.name)
    finally:
        os.remove(other.name)
    assert not Membership.objects.filter(person=newcomer).exists()


def test_a_tampered_format_cannot_break_the_confirmation(world, login, newcomer):
    client = login(world, "coordinator")
    shown = preview(client, [row(world.body_a, newcomer, world.inst_a)])
    response = confirm(client, shown, format="abc")
    assert response.status_code == 200
    assert Membership.objects.filter(person=newcomer).count() == 1  # read as previewed


def test_data_changed_since_the_preview_imports_nothing_and_says_so(world, login, newcomer):
    client = login(world, "coordinator")
    shown = preview(client, [row(world.body_a, newcomer, world.inst_a)])
    newcomer.delete()  # someone removed the person meanwhile
    html = confirm(client, shown).content.decode()
    assert "Importation terminée" not in html
    assert "Rien n’a été importé" in html and "hors de votre périmètre" in html
