"""Imports and exports of the administration (django-import-export) for bodies, institutions,
people, memberships, sites and measurements: scoped to the user's perimeter, previewed, all or
nothing, every problem named by its line in the file, its column as the file's header writes
it, and a French message; bad files never answer 500; exporting a dataset and importing the
file back changes nothing; the pages are French and work under the Content-Security-Policy.
"""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bodies.models import Body, Institution, Membership, Person, Site
from tests import factories

pytestmark = pytest.mark.django_db

# model label → (admin URL prefix, the resource's name as the export form spells it)
DATASETS = {
    "bodies.body": ("bodies_body", "bodyresource"),
    "bodies.institution": ("bodies_institution", "institutionresource"),
    "bodies.person": ("bodies_person", "personresource"),
    "bodies.membership": ("bodies_membership", "membershipresource"),
    "bodies.site": ("bodies_site", "siteresource"),
    "actions.measurement": ("actions_measurement", "measurementresource"),
}
CSV_FORMAT, XLSX_FORMAT = "0", "1"


def csv_bytes(rows, delimiter=",", bom=False, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, label, content, name=None, format=None):
    """Posts a file to the import page of `label`: the preview (or the refusal)."""
    prefix = DATASETS[label][0]
    name = name or ("import.xlsx" if content.startswith(b"PK") else "import.csv")
    if format is None:
        format = XLSX_FORMAT if name.endswith(".xlsx") else CSV_FORMAT
    return client.post(
        reverse(f"admin:{prefix}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": format, "resource": "0"},
    )


def confirm(client, label, preview):
    assert "confirm_form" in preview.context, page_text(preview)[-2000:]
    form = preview.context["confirm_form"]
    data = {f.name: f.value() or "" for f in form}
    return client.post(reverse(f"admin:{DATASETS[label][0]}_process_import"), data, follow=True)


def export(client, label, format=CSV_FORMAT):
    """The whole dataset as the administration exports it, every column checked."""
    prefix, resource_name = DATASETS[label]
    page = client.get(reverse(f"admin:{prefix}_export"))
    columns = [name for name in page.context["form"].fields if name.startswith(resource_name + "_")]
    response = client.post(
        reverse(f"admin:{prefix}_export"),
        {"format": format, "resource": "0", **dict.fromkeys(columns, "on")},
    )
    assert response.status_code == 200, response.content[:500]
    return response.content


def page_text(response):
    return response.content.decode()


def problems(response):
    """The import's problems as (line, column, message), as the page lists them."""
    result = response.context.get("result") if response.context else None
    listed = list(getattr(result, "problems", []) or [])
    form = response.context.get("form") if response.context else None
    if form is not None and form.errors:
        listed += [(None, name, str(e)) for name, errors in form.errors.items() for e in errors]
    return listed


def messages_of(response):
    return " | ".join(str(p[2]) for p in problems(response))


def snapshot(label):
    """Every row of a model and of its history, m2m values included."""
    model = apps.get_model(label)
    rows = list(model.objects.order_by("pk").values())
    for field in model._meta.many_to_many:
        rows.append(
            sorted(
                model.objects.filter(**{f"{field.name}__isnull": False}).values_list(
                    "pk", field.name
                )
            )
        )
    return rows, model.history.count()


# -- the world's staff ------------------------------------------------------------------------


@pytest.fixture
def prefecture(world, login):
    return login(world, "prefecture")


@pytest.fixture
def admin_client(world, login):
    return login(world, "admin")


@pytest.fixture
def coordinator(world, login):
    return login(world, "coordinator")


# -- round trip: export, import back, nothing changes -----------------------------------------


@pytest.mark.parametrize("label", list(DATASETS))
@pytest.mark.parametrize("format", [CSV_FORMAT, XLSX_FORMAT])
def test_exporting_and_importing_back_changes_nothing(world, admin_client, label, format):
    world.person_a.phone = "+33 4 76 00 00 01"  # neutralised on export, restored on import
    world.person_a.save()
    world.membership_a.substitute = world.person_b
    world.membership_a.save()
    world.body_a.sites.add(world.site_a)
    before = snapshot(label)
    content = export(admin_client, label, format)
    preview = upload(
        admin_client, label, content, name="export." + ("xlsx" if format == XLSX_FORMAT else "csv")
    )
    assert not problems(preview), problems(preview)
    done = confirm(admin_client, label, preview)
    assert "Importation terminée : 0 créé(s), 0 modifié(s)" in page_text(done)
    assert snapshot(label) == before


@pytest.mark.parametrize(
    "label,role",
    [
        ("bodies.body", "prefecture"),
        ("bodies.institution", "prefecture"),
        ("bodies.person", "prefecture"),
        ("bodies.person", "coordinator"),
        ("bodies.membership", "prefecture"),
        ("bodies.membership", "coordinator"),
        ("bodies.site", "prefecture"),
        ("actions.measurement", "coordinator"),
    ],
)
def test_round_trip_holds_for_scoped_staff_too(world, login, label, role):
    client = login(world, role)
    before = snapshot(label)
    content = export(client, label)
    preview = upload(client, label, content)
    assert not problems(preview), problems(preview)
    confirm(client, label, preview)
    assert snapshot(label) == before


def test_the_gltd_problem_statement_prefecture_may_not_read_is_neither_exported_nor_erased(
    world, prefecture
):
    content = export(prefecture, "bodies.body").decode()
    assert "CANARY-RESTRICTED-GLTD-A" not in content
    preview = upload(prefecture, "bodies.body", content.encode())
    assert "CANARY" not in page_text(preview)
    confirm(prefecture, "bodies.body", preview)
    world.gltd_a.refresh_from_db()
    assert world.gltd_a.problem_statement.startswith("CANARY-RESTRICTED-GLTD-A")


def test_writing_a_problem_statement_one_may_not_read_is_an_error(world, prefecture):
    rows = [
        ["id", "type", "problematique"],
        [world.gltd_a.pk, "GLTD", "Autre chose"],
    ]
    response = upload(prefecture, "bodies.body", csv_bytes(rows))
    assert "problematique" in [p[1] for p in problems(response)], problems(response)
    assert "Vous ne lisez pas la problématique" in messages_of(response)
