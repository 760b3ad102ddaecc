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
import zipfile

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bodies.models import Body, Institution, Membership, Person, RoleAssignment
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


# -- errors: line in the file, column as in its header, French ------------------------------

MEMBERSHIP_HEADER = ["id", "instance", "personne", "institution", "role", "debut", "fin"]


@pytest.fixture
def newcomer(world):
    return factories.person("Nouvelle", "Recrue", created_by=world.users["prefecture"])


def test_every_bad_row_is_listed_with_its_line_and_column_and_nothing_is_saved(
    world, prefecture, newcomer
):
    before = Membership.objects.count()
    rows = [
        MEMBERSHIP_HEADER,
        ["", world.body_a.pk, newcomer.pk, world.inst_a.pk, "appointed", "2024-03-01", ""],
        ["", world.body_a.pk, world.person_b.pk, world.inst_a.pk, "appointed", "le 3 mars", ""],
        ["", world.body_b.pk, newcomer.pk, world.inst_a.pk, "appointed", "2024-03-01", ""],
        ["", world.body_a.pk, newcomer.pk, world.inst_a.pk, "doyen", "2025-03-01", ""],
    ]
    response = upload(prefecture, "bodies.membership", csv_bytes(rows))
    found = {(p[0], p[1]) for p in problems(response)}
    assert (3, "debut") in found  # a date in no known format
    assert (3, "personne") in found  # Rhône's person: out of the perimeter
    assert (4, "instance") in found  # Rhône's body
    assert (5, "role") in found
    text = messages_of(response)
    assert "attendue sous la forme AAAA-MM-JJ ou JJ/MM/AAAA" in text
    assert "hors de votre périmètre" in text
    assert "started_on" not in page_text(response) and "body" not in {p[1] for p in found}
    assert "Ligne" in page_text(response) and "<code>debut</code>" in page_text(response)
    assert "process_import" not in page_text(response)  # nothing to confirm
    assert Membership.objects.count() == before


def test_model_validation_errors_name_the_files_column(world, prefecture, newcomer):
    rows = [
        MEMBERSHIP_HEADER,
        [
            "",
            world.body_a.pk,
            newcomer.pk,
            world.inst_a.pk,
            "appointed",
            "2024-03-01",
            "2024-01-01",
        ],
    ]
    response = upload(prefecture, "bodies.membership", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(2, "fin")]
    assert "ne peut précéder son début" in messages_of(response)


def test_line_numbers_are_the_files_even_after_blank_lines_and_multiline_cells(world, prefecture):
    content = (
        b"id,prenom,nom,courriel\n"
        b',"Ana\n\nis",Dupont,ana@example.org\n'  # a cell over three lines: lines 2-4
        b"\n"
        b",Jean,Durand,pas-un-courriel\n"  # line 6
    )
    response = upload(prefecture, "bodies.person", content)
    assert [(p[0], p[1]) for p in problems(response)] == [(6, "courriel")]


def test_french_dates_are_accepted_as_well_as_iso(world, prefecture, newcomer):
    rows = [
        MEMBERSHIP_HEADER,
        ["", world.body_a.pk, newcomer.pk, world.inst_a.pk, "appointed", "01/03/2024", ""],
    ]
    confirm(
        prefecture, "bodies.membership", upload(prefecture, "bodies.membership", csv_bytes(rows))
    )
    assert Membership.objects.get(person=newcomer).started_on == datetime.date(2024, 3, 1)


def test_people_institutions_and_bodies_may_be_named_and_the_substitute_is_read(
    world, prefecture, newcomer
):
    substitute = factories.person("Sam", "Suppléant", created_by=world.users["prefecture"])
    rows = [
        ["instance", "personne", "institution", "role", "debut", "suppleant"],
        [
            world.body_a.name,
            "nouvelle recrue",
            "Ville de Grenoble",
            "Membre désigné",
            "2024-03-01",
            "Sam Suppléant",
        ],
    ]
    preview = upload(prefecture, "bodies.membership", csv_bytes(rows))
    confirm(prefecture, "bodies.membership", preview)
    seat = Membership.objects.get(person=newcomer)
    assert (seat.body, seat.institution, seat.substitute, seat.role) == (
        world.body_a,
        world.inst_a,
        substitute,
        "appointed",
    )


def test_an_unknown_or_ambiguous_name_is_an_error_on_its_line(world, prefecture, newcomer):
    factories.person("Nouvelle", "Recrue", created_by=world.users["prefecture"])  # a namesake
    rows = [
        ["instance", "personne", "institution", "role", "debut"],
        ["CLSPD de Nulle-Part", "Nouvelle Recrue", "Ville de Personne", "appointed", "2024-03-01"],
    ]
    response = upload(prefecture, "bodies.membership", csv_bytes(rows))
    by_column = {p[1]: p[2] for p in problems(response)}
    assert "inconnu(e) ou hors de votre périmètre" in by_column["instance"]
    assert "inconnu(e) ou hors de votre périmètre" in by_column["institution"]
    assert "ambigu" in by_column["personne"] and "indiquez le numéro" in by_column["personne"]


def test_a_name_out_of_the_perimeter_reads_as_unknown(world, prefecture):
    rows = [["id", "categorie", "nom", "departement"], ["", "commune", "Ville de Vienne", "69"]]
    response = upload(prefecture, "bodies.institution", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(2, "departement")]
    assert not Institution.objects.filter(name="Ville de Vienne").exists()


def test_an_out_of_perimeter_id_is_an_error_not_a_skip(world, prefecture):
    rows = [
        ["id", "nature", "nom", "code_qpv", "departement"],
        [world.site_b.pk, "qpv", "Duchère rénovée", "QN06901A", "69"],
    ]
    response = upload(prefecture, "bodies.site", csv_bytes(rows))
    assert (2, "id") in [(p[0], p[1]) for p in problems(response)]
    world.site_b.refresh_from_db()
    assert world.site_b.name == "Duchère"


def test_a_nul_byte_is_an_error_on_its_line(world, prefecture):
    rows = [["prenom", "nom"], ["Ana", "Du\x00pont"]]
    response = upload(prefecture, "bodies.person", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(2, "nom")]
    assert "caractère nul" in messages_of(response)


def test_a_formula_cell_of_a_workbook_is_refused_on_its_line(world, prefecture):
    content = xlsx_bytes([["prenom", "nom"], ["Ana", "Dupont"], ["=A2", "Durand"]])
    response = upload(prefecture, "bodies.person", content)
    assert [(p[0], p[1]) for p in problems(response)] == [(3, "prenom")]
    assert not Person.objects.filter(last_name="Dupont").exists()  # all or nothing


def test_duplicate_rows_and_twice_the_same_record_are_errors(world, prefecture):
    rows = [
        ["id", "prenom", "nom"],
        ["", "Ana", "Dupont"],
        ["", "Ana", "Dupont"],
        [world.person_a.pk, "Canari", "Alpha"],
        [world.person_a.pk, "Canari", "Alpha bis"],
    ]
    response = upload(prefecture, "bodies.person", csv_bytes(rows))
    found = [(p[0], p[1]) for p in problems(response)]
    assert (3, None) in found and (5, "id") in found
    assert "Ligne identique à la ligne 2" in messages_of(response)
    assert "Même fiche que la ligne 4" in messages_of(response)


def test_huge_numbers_are_errors_not_crashes(world, prefecture):
    rows = [
        ["id", "type", "nom", "commune", "instance_parente"],
        ["9" * 30, "CLSPD", "Énorme", "38185", ""],
        ["", "GT", "Groupe", "", "9" * 30],
    ]
    response = upload(prefecture, "bodies.body", csv_bytes(rows))
    assert response.status_code == 200
    found = [(p[0], p[1]) for p in problems(response)]
    assert (2, "id") in found and (3, "instance_parente") in found


# -- bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,name,format,expected",
    [
        (b"", "vide.csv", CSV_FORMAT, "fichier soumis est vide"),  # Django's own refusal
        (b"\n\n", "blanc.csv", CSV_FORMAT, "Le fichier est vide"),
        (b"prenom,nom\n", "entete.csv", CSV_FORMAT, "ne contient que l’en-tête"),
        ("prenom,nom\nRené,Léon\n".encode("latin-1"), "latin.csv", CSV_FORMAT, "UTF-8 (ligne 2)"),
        (b"prenom,nom\nAna,Dupont\n", "renomme.xlsx", XLSX_FORMAT, "pas un classeur Excel"),
        (b"PK\x03\x04 pas vraiment un zip", "casse.xlsx", XLSX_FORMAT, "pas un classeur Excel"),
        (b"prenom,nom\nAna,Dupont\n", "fichier.ods", CSV_FORMAT, "Seuls les fichiers CSV"),
        (b"prenom,nom\nAna,Dupont\n", "fichier.csv", XLSX_FORMAT, "ne correspond pas au format"),
        (b"prenom,nom\nAna,Dupont\n", "fichier.csv", "2", "Sélectionnez un choix valide"),
        (
            b"prenom,nom,age\nAna,Dupont,3\n",
            "inconnue.csv",
            CSV_FORMAT,
            "Colonne(s) inconnue(s) : « age »",
        ),
        (
            b"prenom,courriel\nAna,a@example.org\n",
            "manque.csv",
            CSV_FORMAT,
            "Colonne(s) manquante(s) : nom",
        ),
        (b"prenom,nom,nom\nAna,Dupont,X\n", "double.csv", CSV_FORMAT, "« nom » figure deux fois"),
        (b'prenom,nom\n"Ana,Dupont\n', "guillemet.csv", CSV_FORMAT, "Ligne 2 : CSV illisible"),
        (b"prenom,nom\nAna,Dupont,surplus\n", "large.csv", CSV_FORMAT, "au-delà de la dernière"),
    ],
)
def test_a_bad_file_gets_a_french_answer_never_a_500(
    world, prefecture, content, name, format, expected
):
    before = Person.objects.count()
    response = upload(prefecture, "bodies.person", content, name=name, format=format)
    assert response.status_code == 200
    html = page_text(response)
    assert expected in html.replace("&#x27;", "'").replace("&quot;", '"'), messages_of(response)
    assert "Traceback" not in html and "Error" not in html
    assert "process_import" not in html
    assert Person.objects.count() == before


def test_semicolon_csv_with_a_byte_order_mark_and_xlsx_are_read(world, prefecture):
    rows = [["prenom", "nom", "courriel"], ["Zoé", "Point-Virgule", "zoe@example.org"]]
    confirm(
        prefecture,
        "bodies.person",
        upload(prefecture, "bodies.person", csv_bytes(rows, delimiter=";", bom=True)),
    )
    rows[1][1] = "Classeur"
    confirm(prefecture, "bodies.person", upload(prefecture, "bodies.person", xlsx_bytes(rows)))
    assert set(Person.objects.filter(first_name="Zoé").values_list("last_name", flat=True)) == {
        "Point-Virgule",
        "Classeur",
    }


def test_a_file_over_the_size_limit_is_refused_before_reading(world, prefecture, settings):
    settings.IMPORT_MAX_BYTES = 100
    content = csv_bytes([["prenom", "nom"]] + [["Ana", f"Dupont{n}"] for n in range(20)])
    response = upload(prefecture, "bodies.person", content)
    assert "Fichier trop volumineux" in page_text(response)
    assert not Person.objects.filter(first_name="Ana").exists()


def test_a_file_over_the_row_limit_is_refused(world, prefecture, settings):
    settings.IMPORT_MAX_ROWS = 3
    content = csv_bytes([["prenom", "nom"]] + [["Ana", f"Dupont{n}"] for n in range(4)])
    response = upload(prefecture, "bodies.person", content)
    assert "plus de 3 lignes" in page_text(response)
    assert not Person.objects.filter(first_name="Ana").exists()
    settings.IMPORT_MAX_ROWS = 4
    confirm(prefecture, "bodies.person", upload(prefecture, "bodies.person", content))
    assert Person.objects.filter(first_name="Ana").count() == 4


# -- roles and perimeter ----------------------------------------------------------------------


def test_prefecture_creates_bodies_of_its_departement_only(world, prefecture):
    rows = [
        ["id", "type", "nom", "departement", "commune", "epci", "creee_le"],
        ["", "CODAF", "", "38", "", "", "2020-01-01"],
        ["", "CODAF", "", "69", "", "", "2020-01-01"],
    ]
    response = upload(prefecture, "bodies.body", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(3, "departement")]
    assert not Body.objects.filter(type="CODAF").exists()
    del rows[2]
    confirm(prefecture, "bodies.body", upload(prefecture, "bodies.body", csv_bytes(rows)))
    assert Body.objects.get(type="CODAF").department == world.isere


def test_administrator_imports_anywhere(world, admin_client):
    rows = [
        ["id", "categorie", "nom", "departement", "commune"],
        ["", "parquet", "Parquet de Lyon", "69", ""],
        ["", "parquet", "Parquet de Grenoble", "38", ""],
    ]
    confirm(
        admin_client,
        "bodies.institution",
        upload(admin_client, "bodies.institution", csv_bytes(rows)),
    )
    assert Institution.objects.filter(category="parquet").count() == 2


def test_coordinator_seats_people_in_its_body_only(world, coordinator):
    newcomer = factories.person("Nouvelle", "Recrue", created_by=world.users["coordinator"])
    rows = [
        MEMBERSHIP_HEADER,
        ["", world.body_a.pk, newcomer.pk, world.inst_a.pk, "appointed", "2024-03-01", ""],
        ["", world.body_b.pk, newcomer.pk, world.inst_a.pk, "appointed", "2024-03-01", ""],
    ]
    response = upload(coordinator, "bodies.membership", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(3, "instance")]
    del rows[2]
    confirm(
        coordinator, "bodies.membership", upload(coordinator, "bodies.membership", csv_bytes(rows))
    )
    assert Membership.objects.get(person=newcomer).body == world.body_a


def test_coordinator_imports_people_but_not_bodies_institutions_or_sites(world, coordinator):
    rows = [["prenom", "nom"], ["Ana", "Dupont"]]
    confirm(coordinator, "bodies.person", upload(coordinator, "bodies.person", csv_bytes(rows)))
    assert Person.objects.filter(last_name="Dupont").exists()
    for label in ("bodies.body", "bodies.institution", "bodies.site"):
        assert upload(coordinator, label, csv_bytes(rows)).status_code == 403
        prefix = DATASETS[label][0]
        assert coordinator.get(reverse(f"admin:{prefix}_export")).status_code == 403


def test_coordinator_cannot_change_a_person_out_of_its_perimeter(world, coordinator):
    rows = [["id", "prenom", "nom"], [world.person_b.pk, "Canari", "Changé"]]
    response = upload(coordinator, "bodies.person", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(2, "id")]


@pytest.mark.parametrize("role", ["member", "researcher", "national", "anonymous"])
@pytest.mark.parametrize("label", list(DATASETS))
def test_roles_without_the_administration_import_nothing(world, login, role, label):
    client = login(world, role)
    before = snapshot(label)
    response = upload(client, label, csv_bytes([["prenom", "nom"], ["Ana", "Dupont"]]))
    assert response.status_code in (302, 403)
    assert snapshot(label) == before


# -- the pages: French, and the CSP-safe « select all » ---------------------------------------

ENGLISH = re.compile(
    r"\b(Select all|Submit|Import finished|This (importer|exporter)|File to import|Resource|"
    r"Line number|Errors|Preview|Confirm import|Skipped|Update|New|Delete|Home|Body Name|"
    r"Started On|Row)\b"
)


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("label", list(DATASETS))
def test_import_and_export_pages_are_french(world, admin_client, label):
    prefix = DATASETS[label][0]
    for url in (reverse(f"admin:{prefix}_import"), reverse(f"admin:{prefix}_export")):
        text = visible_text(page_text(admin_client.get(url)))
        assert not ENGLISH.search(text), ENGLISH.search(text).group(0)
    export_text = visible_text(page_text(admin_client.get(reverse(f"admin:{prefix}_export"))))
    assert "Tout cocher" in export_text


def test_the_preview_and_the_errors_are_french(world, prefecture, newcomer):
    rows = [
        MEMBERSHIP_HEADER,
        ["", world.body_a.pk, newcomer.pk, world.inst_a.pk, "appointed", "2024-03-01", ""],
    ]
    preview = upload(prefecture, "bodies.membership", csv_bytes(rows))
    text = visible_text(page_text(preview))
    assert "Aperçu" in text and "Création" in text
    assert 'value="Confirmer l’importation"' in page_text(preview)
    assert not ENGLISH.search(text), ENGLISH.search(text).group(0)
    rows[1][5] = "hier"
    text = visible_text(page_text(upload(prefecture, "bodies.membership", csv_bytes(rows))))
    assert "Rien n’a été importé" in text
    assert not ENGLISH.search(text), ENGLISH.search(text).group(0)


def test_the_export_page_has_no_inline_handler_and_loads_the_select_all_script(world, admin_client):
    html = page_text(admin_client.get(reverse("admin:bodies_membership_export")))
    assert not re.search(r"\son[a-z]+\s*=", html)  # no onchange=, onclick=…
    assert 'class="select-toggle"' in html
    assert re.search(r'<script src="/static/js/export_fields\.js"', html)
    from django.contrib.staticfiles import finders

    with open(finders.find("js/export_fields.js")) as handle:
        script = handle.read()
    assert "select-toggle" in script and "addEventListener" in script


@pytest.mark.parametrize("label", list(DATASETS))
def test_an_export_costs_the_same_queries_whatever_its_rows(world, admin_client, label):
    """Related columns are read with the rows (select_related / prefetch_related), not one
    query per row: the count is taken, rows are added, and it is taken again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            export(admin_client, label)
        return len(queries)

    first = count()
    body = factories.body(Body.Type.CLSPD, commune=factories.commune("38151", "Échirolles", 36840))
    for n in range(3):
        person = factories.person("Ajout", f"Numéro{n}")
        institution = factories.institution(name=f"Institution ajoutée {n}", dept=world.isere)
        factories.membership(body, person, institution, substitute=world.person_b)
        factories.site(f"Site {n}", f"QN0380{n + 2}M", world.isere).communes.add(world.grenoble)
        factories.measurements(
            factories.indicator(world.plan_a, f"Indicateur {n}"), {2023: n, 2024: n + 1}
        )
    body.sites.add(world.site_a)
    assert count() == first


@pytest.mark.parametrize("role", ["admin", "prefecture", "coordinator"])
def test_administration_exports_hold_no_canary_beyond_the_roles_reach(world, login, role):
    """The leak test's canaries (tests/test_leaks.py), in every file the role may export,
    CSV and XLSX, and in the preview of importing it back."""
    from tests.test_leaks import CANARIES

    client = login(world, role)
    forbidden = [canary for canary, roles in CANARIES.items() if role not in roles]
    checked = 0
    for label, (prefix, _resource) in DATASETS.items():
        if client.get(reverse(f"admin:{prefix}_export")).status_code != 200:
            continue
        for format in (CSV_FORMAT, XLSX_FORMAT):
            content = export(client, label, format)
            text = (
                content.decode()
                if format == CSV_FORMAT
                else str(
                    [
                        c.value
                        for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows()
                        for c in row
                    ]
                )
            )
            preview = page_text(upload(client, label, content))
            for canary in forbidden:
                assert canary not in text, (label, format, canary)
                assert canary not in preview, (label, format, canary)
            checked += 1
    assert checked >= 4


def test_round_trip_of_every_dataset_on_the_demo_data(demo, client, django_user_model):
    """The demo's bodies of every type (GLTDs with their restricted statements, CISPDs,
    working groups), its people, seats, sites and measurements: exported as the
    administrator exports them, imported back, nothing changes, history included."""
    admin_user = django_user_model.objects.create_superuser("root-demo", "r@example.org", "x")
    client.force_login(admin_user)
    for label in DATASETS:
        before = snapshot(label)
        assert before[0], label  # the demo has rows of every dataset
        preview = upload(client, label, export(client, label, XLSX_FORMAT))
        assert not problems(preview), (label, problems(preview)[:5])
        confirm(client, label, preview)
        assert snapshot(label) == before, label


def test_blank_lines_are_skipped_but_not_read_for_ever(world, prefecture, settings):
    settings.IMPORT_MAX_ROWS = 3
    content = b"prenom,nom\nAna,Dupont\n" + b",\n" * 1100
    response = upload(prefecture, "bodies.person", content)
    assert "plus de 3 lignes" in page_text(response)
    content = b"prenom,nom\nAna,Dupont\n" + b",\n" * 500  # a spreadsheet's trailing blanks
    confirm(prefecture, "bodies.person", upload(prefecture, "bodies.person", content))
    assert Person.objects.filter(last_name="Dupont").count() == 1


# -- after the review: hostile and awkward files ----------------------------------------------


def with_sheet(workbook, sheet_xml):
    """`workbook` (XLSX bytes) with its first sheet's XML replaced: cells openpyxl would
    not write (a text beyond Excel's 32,767 characters)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            target.writestr(member.filename, data)
    return out.getvalue()


def test_a_zip_bomb_workbook_is_refused_before_it_is_decompressed(world, prefecture, settings):
    # One text of 5 MB compresses a thousandfold: refused from the zip's directory.
    huge = "a" * 5_000_000
    bomb = with_sheet(
        xlsx_bytes([["prenom", "nom"]]),
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>prenom</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>nom</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{huge}</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>Dupont</t></is></c></row></sheetData></worksheet>',
    )
    assert len(bomb) < 50_000
    response = upload(prefecture, "bodies.person", bomb)
    assert "se décompresse en" in page_text(response)
    settings.IMPORT_MAX_UNZIPPED_BYTES = 2000  # a plain workbook inflates beyond that
    response = upload(prefecture, "bodies.person", xlsx_bytes([["prenom", "nom"], ["A", "B"]]))
    assert "se décompresse en" in page_text(response)
    assert not Person.objects.filter(last_name__in=["Dupont", "B"]).exists()


def test_cells_are_capped_in_length_and_in_number(world, prefecture, settings):
    content = csv_bytes([["prenom", "nom"], ["Ana", "D" * 100_001]])
    assert "une cellule de plus de" in page_text(upload(prefecture, "bodies.person", content))
    settings.IMPORT_MAX_ROWS = 10  # 10 × 40 + 1,000 filled cells at most
    wide = [[f"c{n}" for n in range(200)]] + [["x"] * 200 for _row in range(7)]
    response = upload(prefecture, "bodies.person", csv_bytes(wide))
    assert "plus de 1400 cellules remplies" in page_text(response)


def test_a_coordinators_own_seat_round_trips_but_it_seats_itself_nowhere_new(world, coordinator):
    own = factories.person("Cora", "Coordinatrice", created_by=world.users["coordinator"])
    own.user = world.users["coordinator"]
    own.save()
    seat = factories.membership(world.body_a, own, world.inst_a, role="appointed")
    before = snapshot("bodies.membership")
    preview = upload(coordinator, "bodies.membership", export(coordinator, "bodies.membership"))
    assert not problems(preview), problems(preview)
    confirm(coordinator, "bodies.membership", preview)
    assert snapshot("bodies.membership") == before
    rows = [
        MEMBERSHIP_HEADER,
        ["", world.body_a.pk, own.pk, world.inst_a.pk, "appointed", "2024-03-01", ""],
        [
            world.membership_a.pk,
            world.body_a.pk,
            own.pk,
            world.inst_a.pk,
            "appointed",
            "2024-03-01",
            "",
        ],
        [
            seat.pk,
            world.body_a.pk,
            "Cora Coordinatrice",
            world.inst_a.pk,
            "appointed",
            seat.started_on.isoformat(),
            "",
        ],
    ]
    # Its own seat moved to another body it coordinates is a new seating too.
    RoleAssignment.objects.create(
        user=world.users["coordinator"],
        role="coordinator",
        body=world.body_b,
        started_on=world.assignment_coordinator.started_on,
    )
    response = upload(coordinator, "bodies.membership", csv_bytes(rows))
    found = [(p[0], p[1]) for p in problems(response)]
    assert (2, "personne") in found and (3, "personne") in found
    assert (4, "personne") not in found
    rows[1:] = [[seat.pk, world.body_b.pk, own.pk, world.inst_a.pk, "appointed", "2024-03-01", ""]]
    response = upload(coordinator, "bodies.membership", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(2, "personne")]


def test_a_workbook_table_further_down_and_right_is_read_with_the_sheets_line_numbers(
    world, prefecture
):
    def sheet(first_column):
        book = openpyxl.Workbook()
        cells = {4: ["prenom", "nom", "courriel"], 5: ["Ana", "Dupont", "ana@example.org"]}
        cells[6] = ["Jean", "Durand", "pas-un-courriel"]
        for line, values in cells.items():
            for n, value in enumerate(values):
                book.active.cell(row=line, column=first_column + n, value=value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    for first_column in (1, 3):  # header at A4, then at C4
        response = upload(prefecture, "bodies.person", sheet(first_column))
        assert [(p[0], p[1]) for p in problems(response)] == [(6, "courriel")], first_column
    content = csv_bytes([["", "prenom", "nom"], ["", "Ana", "Dupont"], ["x", "Jean", "Durand"]])
    response = upload(prefecture, "bodies.person", content)
    assert "Ligne 3 : des cellules à gauche" in page_text(response)


def test_dates_outside_1900_2100_are_refused_as_the_forms_refuse_them(world, prefecture, newcomer):
    rows = [
        MEMBERSHIP_HEADER,
        ["", world.body_a.pk, newcomer.pk, world.inst_a.pk, "appointed", "0001-01-01", ""],
    ]
    response = upload(prefecture, "bodies.membership", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(2, "debut")]
    assert "entre 1900 et 2100" in messages_of(response)
    rows = [
        ["type", "departement", "creee_le", "dissoute_le"],
        ["CODAF", "38", "0001-01-01", "31/12/9999"],
    ]
    response = upload(prefecture, "bodies.body", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(2, "creee_le"), (2, "dissoute_le")]
    rows = [
        ["nature", "nom", "code_qpv", "departement", "designe_le"],
        ["qpv", "Mistral", "QN03802M", "38", "1899-12-31"],
    ]
    response = upload(prefecture, "bodies.site", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(2, "designe_le")]
    assert not Body.objects.filter(type="CODAF").exists()


def test_the_same_record_twice_is_caught_however_its_key_is_written(world, prefecture, coordinator):
    rows = [
        ["id", "prenom", "nom"],
        [world.person_a.pk, "A", "B"],
        [f"0{world.person_a.pk}", "C", "D"],
    ]
    response = upload(prefecture, "bodies.person", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(3, "id")]
    assert "Même fiche que la ligne 2" in messages_of(response)
    monthly = factories.indicator(world.plan_a, name="Appels", frequency="monthly")
    yearly = world.indicator_a.pk
    rows = [
        ["indicateur", "periode", "valeur"],
        [yearly, "2024", "1"],
        [f"0{yearly}", "2024", "2"],
        [monthly.pk, "2024-03", "3"],
        [monthly.pk, "2024-3", "4"],
    ]
    response = upload(coordinator, "actions.measurement", csv_bytes(rows))
    assert [p[0] for p in problems(response)] == [3, 5], problems(response)


def test_a_period_in_a_spreadsheet_date_cell_is_read(world, coordinator):
    monthly = factories.indicator(world.plan_a, name="Appels", frequency="monthly")
    rows = [
        ["indicateur", "periode", "valeur"],
        [monthly.pk, datetime.datetime(2024, 3, 1), 3],
        [world.indicator_a.pk, datetime.date(2022, 1, 1), 7],
        [monthly.pk, datetime.date(2024, 4, 15), 4],
    ]
    response = upload(coordinator, "actions.measurement", xlsx_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(4, "periode")]
    assert "2024-04-15" in messages_of(response) and "00:00" not in messages_of(response)
    del rows[3]
    confirm(
        coordinator,
        "actions.measurement",
        upload(coordinator, "actions.measurement", xlsx_bytes(rows)),
    )
    assert monthly.measurements.get().period_start == datetime.date(2024, 3, 1)
    assert world.indicator_a.measurements.filter(period_start="2022-01-01", value=7).exists()


def test_a_membership_preview_costs_five_queries_a_row_its_references_read_once(world, prefecture):
    """A seat's savepoint, its overlap check, its row and its history: the body, person and
    institution columns are read for the whole file at once, a new row is not looked up, and
    the constraints Membership.clean checks are not checked twice."""
    people = Person.objects.bulk_create(
        [Person(first_name="Pré", last_name=f"Nom{n}") for n in range(30)]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                body=world.gltd_a,
                person=p,
                institution=world.inst_a,
                role="appointed",
                started_on=datetime.date(2020, 1, 1),
            )
            for p in people
        ]
    )

    def queries(count):
        rows = [MEMBERSHIP_HEADER] + [
            ["", world.body_a.pk, p.pk, world.inst_a.pk, "appointed", "2024-03-01", ""]
            for p in people[:count]
        ]
        with CaptureQueriesContext(connection) as captured:
            response = upload(prefecture, "bodies.membership", csv_bytes(rows))
        assert not problems(response)
        return len(captured)

    assert queries(30) - queries(10) <= 20 * 5


def test_pending_files_are_private_refused_ones_removed_and_a_changed_one_not_imported(
    world, prefecture, settings, tmp_path
):
    folder = tmp_path / "pending"
    settings.IMPORT_PENDING_DIR = str(folder)
    refused = upload(
        prefecture, "bodies.person", csv_bytes([["prenom", "nom", "x"], ["A", "B", ""]])
    )
    assert problems(refused) and "confirm_form" not in refused.context
    assert list(folder.iterdir()) == []  # a preview that can never be confirmed
    rows = [["prenom", "nom"], ["Ana", "Dupont"]]
    preview = upload(prefecture, "bodies.person", csv_bytes(rows))
    (pending,) = folder.iterdir()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct(pending.stat().st_mode & 0o777) == "0o600"
    pending.write_bytes(csv_bytes([["prenom", "nom"], ["Eve", "Intruse"]]))
    response = confirm(prefecture, "bodies.person", preview)
    assert "n’est plus celui de l’aperçu" in page_text(response)
    assert not Person.objects.filter(last_name__in=["Dupont", "Intruse"]).exists()
    confirm(prefecture, "bodies.person", upload(prefecture, "bodies.person", csv_bytes(rows)))
    assert Person.objects.filter(last_name="Dupont").count() == 1


def test_a_pending_folder_others_may_read_is_refused(world, prefecture, settings, tmp_path):
    folder = tmp_path / "pending"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    settings.IMPORT_PENDING_DIR = str(folder)
    response = upload(prefecture, "bodies.person", csv_bytes([["prenom", "nom"], ["Ana", "X"]]))
    assert response.status_code == 302
    assert list(folder.iterdir()) == []
    page = prefecture.get(response["Location"])
    assert "n’est pas sûr" in page_text(page)


def test_an_unknown_indicator_is_one_error_not_two(world, coordinator):
    rows = [["indicateur", "periode", "valeur"], [999999, "2024", "1"]]
    response = upload(coordinator, "actions.measurement", csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems(response)] == [(2, "indicateur")]


def test_messages_say_what_is_wrong(world, prefecture, monkeypatch):
    content = b"prenom,nom\nAna," + b"D" * 140_000 + b"\n"  # beyond the csv module's limit
    page = page_text(upload(prefecture, "bodies.person", content))
    assert "une cellule de plus de" in page and "guillemet" not in page

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(Person, "save", locked)
    response = upload(prefecture, "bodies.person", csv_bytes([["prenom", "nom"], ["Ana", "D"]]))
    assert "base de données était occupée" in messages_of(response)


def test_exports_are_named_like_the_open_data_and_offer_a_csv_for_french_excel(world, admin_client):
    prefix, resource_name = DATASETS["bodies.person"]
    page = admin_client.get(reverse(f"admin:{prefix}_export"))
    assert dict(page.context["form"].fields["format"].choices) == {
        "0": "CSV (virgules, UTF-8)",
        "1": "Classeur Excel (XLSX)",
        "2": "CSV pour Excel (points-virgules)",
    }
    columns = [n for n in page.context["form"].fields if n.startswith(resource_name + "_")]
    response = admin_client.post(
        reverse(f"admin:{prefix}_export"),
        {"format": "2", "resource": "0", **dict.fromkeys(columns, "on")},
    )
    today = datetime.date.today().isoformat()
    assert f'filename="people-{today}.csv"' in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"\xef\xbb\xbfid;prenom;nom")
    world.person_a.first_name = "Élodie"
    world.person_a.save()
    content = export(admin_client, "bodies.person", "2")
    assert "Élodie" in content.decode("utf-8-sig")
    preview = upload(admin_client, "bodies.person", content)
    assert not problems(preview)


def test_import_and_export_titles_follow_the_language(world, admin_client):
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get(reverse("admin:bodies_body_import"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Import bodies" in page_text(page)
