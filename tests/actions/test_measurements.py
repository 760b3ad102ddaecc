"""Entering measurements: the grid (one save), spreadsheet import, SSMSI import."""

import csv
import datetime
import io
import tracemalloc
from decimal import Decimal
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import ssmsi
from actions.models import Indicator, Measurement
from tests import factories
from tests.ssmsi_sample import write_rows

pytestmark = pytest.mark.django_db


def grid_url(plan, year=None):
    url = reverse("actions:plan-measurements", args=[plan.pk])
    return f"{url}?year={year}" if year else url


def grid_post(client, plan, cells, year=2025):
    """Posts the grid as the page shows it, with `cells` ({name: text}) typed over it."""
    page = client.get(grid_url(plan, year))
    data = {"year": str(year)}
    for name, value in page.context["grid"].cells_as_posted().items():
        data[name] = value
    data.update(cells)
    return client.post(grid_url(plan, year), data)


# -- the grid ------------------------------------------------------------------------------


def test_grid_saves_new_changed_and_emptied_cells_at_once(world, login):
    client = login(world, "coordinator")
    i = world.indicator_a.pk
    response = grid_post(
        client, world.plan_a, {f"m-{i}-2025": "98,5", f"m-{i}-2024": "", f"m-{i}-2026": "91"}
    )
    assert response.status_code == 302
    values = dict(world.indicator_a.measurements.values_list("period_start__year", "value"))
    assert values == {2023: 120, 2025: Decimal("98.5"), 2026: 91}  # 2024 removed
    latest = world.indicator_a.measurements.get(period_start__year=2026)
    assert latest.entered_by == world.users["coordinator"]
    assert latest.history.count() == 1


def test_grid_with_one_bad_cell_saves_nothing_and_keeps_the_input(world, login):
    client = login(world, "coordinator")
    i = world.indicator_a.pk
    response = grid_post(client, world.plan_a, {f"m-{i}-2026": "91", f"m-{i}-2025": "beaucoup"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "« beaucoup » illisible" in html and 'value="91"' in html
    assert not world.indicator_a.measurements.filter(period_start__year=2026).exists()


def test_a_value_changed_elsewhere_meanwhile_is_not_overwritten(world, login):
    client = login(world, "coordinator")
    i = world.indicator_a.pk
    page = client.get(grid_url(world.plan_a, 2025))
    data = {"year": "2025", **page.context["grid"].cells_as_posted(), f"m-{i}-2024": "99"}
    Measurement.objects.filter(indicator=world.indicator_a, period_start__year=2024).update(
        value=101
    )
    response = client.post(grid_url(world.plan_a, 2025), data)
    assert response.status_code == 409
    assert "Modifiée par ailleurs" in response.content.decode()
    assert world.indicator_a.measurements.get(period_start__year=2024).value == 101


def test_quarterly_and_monthly_indicators_get_the_periods_of_the_chosen_year(world, login):
    quarterly = factories.indicator(world.plan_a, "Appels au 17", frequency="quarterly")
    monthly = factories.indicator(world.plan_a, "Signalements", frequency="monthly")
    client = login(world, "coordinator")
    response = grid_post(
        client, world.plan_a, {f"m-{quarterly.pk}-2025-T3": "40", f"m-{monthly.pk}-2025-11": "7"}
    )
    assert response.status_code == 302
    assert quarterly.measurements.get().period_start == datetime.date(2025, 7, 1)
    assert monthly.measurements.get().period_start == datetime.date(2025, 11, 1)
    html = client.get(grid_url(world.plan_a, 2025)).content.decode()
    assert "T3 2025" in html and "novembre 2025" in html


def test_grid_query_count_does_not_grow_with_indicators(world, login, django_assert_num_queries):
    client = login(world, "coordinator")
    client.get(grid_url(world.plan_a))  # the session is warm
    # session, user, access (role assignments, linked person: none), plan, indicators,
    # measurements; the session saved again (savepoint, update, release)
    with django_assert_num_queries(10):
        client.get(grid_url(world.plan_a))
    for n in range(8):
        factories.measurements(factories.indicator(world.plan_a, f"I{n}"), {2024: n, 2025: n})
    with django_assert_num_queries(10):
        client.get(grid_url(world.plan_a))


def test_saving_many_cells_costs_the_same_queries_as_a_few(world, login, django_assert_num_queries):
    client = login(world, "coordinator")
    indicators = [factories.indicator(world.plan_a, f"I{n}") for n in range(8)]

    def post(value, count):
        page = client.get(grid_url(world.plan_a, 2025))
        data = {"year": "2025", **page.context["grid"].cells_as_posted()}
        for indicator in indicators[:count]:
            for year in (2024, 2025, 2026):
                data[f"m-{indicator.pk}-{year}"] = value
        return data

    few, many = post("5", 1), post("5", 8)
    with CaptureQueriesContext(connection) as few_queries:
        assert client.post(grid_url(world.plan_a, 2025), few).status_code == 302
    Measurement.objects.filter(indicator__in=indicators).delete()
    with django_assert_num_queries(len(few_queries)):
        assert client.post(grid_url(world.plan_a, 2025), many).status_code == 302
    assert Measurement.objects.filter(indicator__in=indicators).count() == 24


def form_post(client, url, data):
    """Posts as the browser does: urlencoded (the test client's default is multipart)."""
    return client.post(
        url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )


def large_grid(world, client, monthly_count, year=2025):
    """A plan with `monthly_count` monthly indicators: the grid as the page posts it."""
    for n in range(monthly_count):
        factories.indicator(world.plan_a, f"Mensuel {n:02d}", frequency="monthly")
    page = client.get(grid_url(world.plan_a, year))
    return {"year": str(year), **page.context["grid"].cells_as_posted()}


def test_a_grid_larger_than_djangos_field_limit_saves(world, login, settings):
    client = login(world, "coordinator")
    data = large_grid(world, client, 42)  # 42 × 12 months × 2 fields: over the limit
    assert len(data) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    last = Indicator.objects.get(name="Mensuel 41")
    data[f"m-{last.pk}-2025-11"] = "7"
    response = form_post(client, grid_url(world.plan_a, 2025), data)
    assert response.status_code == 302
    assert last.measurements.get().value == 7


def test_a_refused_grid_post_gives_the_input_back(world, login):
    client = login(world, "coordinator")
    data = large_grid(world, client, 2)
    first = Indicator.objects.get(name="Mensuel 00")
    data[f"m-{first.pk}-2025-03"] = "4321"
    data.update({f"extra-{n}": "1" for n in range(3000)})  # more than any grid of this plan
    response = form_post(client, grid_url(world.plan_a, 2025), data)
    assert response.status_code == 400
    assert 'value="4321"' in response.content.decode()
    assert not first.measurements.exists()


def test_the_grid_still_checks_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["coordinator"])
    response = form_post(client, grid_url(world.plan_a, 2025), {"year": "2025"})
    assert response.status_code == 403


# -- spreadsheet import (django-import-export, in the administration) -----------------------


def import_file(client, rows, name="mesures.csv"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicateur", "periode", "valeur", "note"])
    writer.writerows(rows)
    upload = SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")
    return client.post(
        reverse("admin:actions_measurement_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def test_import_previews_then_saves_and_replaces_existing_periods(world, login):
    client = login(world, "coordinator")
    i = world.indicator_a.pk
    preview = import_file(
        client, [[i, "2024", "101,5", "Police municipale"], [i, "2026", "88", ""]]
    )
    assert preview.status_code == 200
    assert world.indicator_a.measurements.get(period_start__year=2024).value == 104  # dry run
    confirm = preview.context["confirm_form"]
    response = client.post(
        reverse("admin:actions_measurement_process_import"),
        {**confirm.initial, "resource": "0"},
    )
    assert response.status_code == 302
    saved = world.indicator_a.measurements.get(period_start__year=2024)
    assert saved.value == Decimal("101.5") and saved.entered_by == world.users["coordinator"]
    assert world.indicator_a.measurements.filter(period_start__year=2026).exists()


def test_import_lists_errors_per_row_in_french_and_saves_nothing(world, login):
    client = login(world, "coordinator")
    i = world.indicator_a.pk
    response = import_file(
        client,
        [
            [i, "2026", "88", ""],
            [i, "deux-mille", "1", ""],
            [world.indicator_b.pk, "2025", "3", ""],  # Lyon's: out of scope
            [i, "2027", "n/a", ""],
        ],
    )
    html = response.content.decode()
    assert "Période « deux-mille » illisible" in html
    assert "inconnu(e) ou hors de votre périmètre" in html
    assert "« n/a » illisible" in html
    assert not world.indicator_a.measurements.filter(period_start__year=2026).exists()
    assert not world.indicator_b.measurements.filter(period_start__year=2025).exists()


def xlsx_upload(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["indicateur", "periode", "valeur", "note"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("mesures.xlsx", out.getvalue())


def test_a_formula_cell_is_refused_not_read_as_a_missing_value(world, login):
    client = login(world, "coordinator")
    # openpyxl writes the formula without a computed value, as some exports do
    upload = xlsx_upload([[world.indicator_a.pk, "2024", "=100+4", ""]])
    response = client.post(
        reverse("admin:actions_measurement_import"),
        {"import_file": upload, "format": "1", "resource": "0"},
    )
    html = response.content.decode()
    assert "Colonne « valeur » : formule « =100+4 »" in html
    assert "process_import" not in html  # nothing to confirm
    assert world.indicator_a.measurements.get(period_start__year=2024).value == 104


def test_a_file_without_its_periode_column_gets_french_not_a_traceback(world, login):
    client = login(world, "coordinator")
    upload = SimpleUploadedFile("mesures.csv", b"indicateur,valeur\n1,3\n", "text/csv")
    response = client.post(
        reverse("admin:actions_measurement_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    html = response.content.decode()
    assert "Colonne(s) manquante(s) : periode." in html
    assert "Traceback" not in html and ".py" not in html


def test_export_holds_only_the_users_plans(world, login):
    client = login(world, "coordinator")
    response = client.post(
        reverse("admin:actions_measurement_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"measurementresource_{f}": "on"
                for f in (
                    "indicator",
                    "indicator_name",
                    "unit",
                    "period_start",
                    "value",
                    "source_note",
                )
            },
        },
    )
    text = response.content.decode()
    assert "Interventions de médiation" in text and "2024" in text
    assert world.indicator_b.name not in text or str(world.measurement_b.value) not in text
    assert "110" not in text  # Lyon's measurement


# -- SSMSI communal base ---------------------------------------------------------------------


def ssmsi_file(rows, code_column="CODGEO_2025", encoding="utf-8"):
    """A small upload in the SSMSI format (see tests/ssmsi_sample.py)."""
    out = io.StringIO()
    write_rows(out, rows, code_column)
    return SimpleUploadedFile("ssmsi.csv", out.getvalue().encode(encoding), "text/csv")


GRENOBLE_ROWS = [
    ("38185", 2022, "Cambriolages de logement", 1210, 7.64),
    ("38185", 2023, "Cambriolages de logement", 1105, 6.97),
    ("38185", 2024, "Cambriolages de logement", 998, 6.3),
    ("38185", 2022, "Vols avec armes", None, None),
    ("38185", 2023, "Vols avec armes", 12, 0.08),
    ("69123", 2024, "Cambriolages de logement", 4000, 7.7),
]


def test_reader_keeps_the_communes_rows_and_leaves_suppressed_counts_missing():
    series = ssmsi.read_commune(ssmsi_file(GRENOBLE_ROWS), "38185")
    assert list(series) == ["Cambriolages de logement", "Vols avec armes"]
    burglaries = series["Cambriolages de logement"]
    assert burglaries.years[2024] == (Decimal(998), Decimal("6.3"))
    assert series["Vols avec armes"].years[2022] == (None, None)


def test_reader_follows_column_names_and_two_digit_years_of_older_editions():
    rows = [("38185", 16, "Cambriolages de logement", 1400, None)]
    series = ssmsi.read_commune(
        ssmsi_file(rows, code_column="CODGEO_2019", encoding="latin-1"), "38185"
    )
    assert series["Cambriolages de logement"].years == {2016: (Decimal(1400), None)}


def test_reader_reads_a_utf16_export_too():
    rows = [("38185", 2024, "Dégradations", 12, 0.5)]
    series = ssmsi.read_commune(ssmsi_file(rows, encoding="utf-16"), "38185")
    assert series["Dégradations"].years[2024] == (Decimal(12), Decimal("0.5"))


def test_reader_says_in_french_what_is_missing():
    upload = SimpleUploadedFile("x.csv", b"code;annee;faits\n38185;2024;3\n")
    with pytest.raises(ssmsi.SsmsiError, match="colonne\\(s\\) manquante\\(s\\) CODGEO_AAAA"):
        ssmsi.read_commune(upload, "38185")
    with pytest.raises(ssmsi.SsmsiError, match="points-virgules"):
        ssmsi.read_commune(SimpleUploadedFile("x.csv", b"a,b,c\n1,2,3\n"), "38185")


def test_ssmsi_import_previews_then_creates_yearly_measurements(world, login):
    client = login(world, "coordinator")
    url = reverse("actions:plan-ssmsi", args=[world.plan_a.pk])
    preview = client.post(url, {"file": ssmsi_file(GRENOBLE_ROWS), "commune": world.grenoble.pk})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Vols avec armes" in html and "non diffusé" in html
    assert not Indicator.objects.filter(source="SSMSI").exists()  # nothing saved yet
    token = preview.context["confirm"].initial["token"]
    response = client.post(
        url,
        {
            "token": token,
            "indicators": ["Cambriolages de logement", "Vols avec armes"],
            "measure": "count",
        },
    )
    assert response.status_code == 302
    burglaries = Indicator.objects.get(ssmsi_indicator="Cambriolages de logement")
    assert (burglaries.source, burglaries.commune, burglaries.frequency) == (
        "SSMSI",
        world.grenoble,
        "yearly",
    )
    assert dict(burglaries.measurements.values_list("period_start__year", "value")) == {
        2022: 1210,
        2023: 1105,
        2024: 998,
    }
    armed = Indicator.objects.get(ssmsi_indicator="Vols avec armes").measurements.get(
        period_start__year=2022
    )
    assert armed.value is None and "non diffusé" in armed.source_note  # missing, not zero
    # a second import of the same file updates the same indicators instead of duplicating
    client.post(
        url, {"token": token, "indicators": ["Cambriolages de logement"], "measure": "count"}
    )
    assert Indicator.objects.filter(ssmsi_indicator="Cambriolages de logement").count() == 1


def test_ssmsi_rates_go_to_their_own_indicator(world, login):
    client = login(world, "coordinator")
    url = reverse("actions:plan-ssmsi", args=[world.plan_a.pk])
    preview = client.post(url, {"file": ssmsi_file(GRENOBLE_ROWS), "commune": world.grenoble.pk})
    client.post(
        url,
        {
            "token": preview.context["confirm"].initial["token"],
            "indicators": ["Cambriolages de logement"],
            "measure": "rate",
        },
    )
    rate = Indicator.objects.get(ssmsi_indicator="Cambriolages de logement", ssmsi_rate=True)
    assert rate.measurements.get(period_start__year=2024).value == Decimal("6.3")


def test_ssmsi_import_refuses_a_tampered_preview_and_other_communes(world, login):
    client = login(world, "coordinator")
    url = reverse("actions:plan-ssmsi", args=[world.plan_a.pk])
    response = client.post(
        url, {"token": "forged", "indicators": ["Cambriolages de logement"], "measure": "count"}
    )
    assert response.status_code == 302 and not Indicator.objects.filter(source="SSMSI").exists()
    lyon = client.post(url, {"file": ssmsi_file(GRENOBLE_ROWS), "commune": world.lyon.pk})
    assert "Choisissez une commune du territoire" in lyon.content.decode()
    empty = client.post(url, {"file": ssmsi_file(GRENOBLE_ROWS[-1:]), "commune": world.grenoble.pk})
    assert "Aucune ligne pour Grenoble" in empty.content.decode()


def test_a_preview_made_for_one_plan_cannot_feed_another(world, login):
    other = factories.plan(world.body_a, title="Autre plan")
    client = login(world, "coordinator")
    preview = client.post(
        reverse("actions:plan-ssmsi", args=[world.plan_a.pk]),
        {"file": ssmsi_file(GRENOBLE_ROWS), "commune": world.grenoble.pk},
    )
    client.post(
        reverse("actions:plan-ssmsi", args=[other.pk]),
        {
            "token": preview.context["confirm"].initial["token"],
            "indicators": ["Cambriolages de logement"],
            "measure": "count",
        },
    )
    assert not other.indicators.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("100000000000", "trop grande"),
        ("1,0001", "trois décimales au plus"),
        ("1e1000000", "illisible"),
        ("-1E+999999999", "illisible"),
        ("NaN", "illisible"),
        ("x" * 5000, "illisible"),
    ],
)
def test_grid_refuses_what_the_database_cannot_hold(world, login, typed, message):
    client = login(world, "coordinator")
    response = grid_post(client, world.plan_a, {f"m-{world.indicator_a.pk}-2026": typed})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not world.indicator_a.measurements.filter(period_start__year=2026).exists()
    assert client.get(world.plan_a.get_absolute_url()).status_code == 200


def test_grid_ignores_a_year_written_in_other_digits(world, login):
    client = login(world, "coordinator")
    assert client.get(grid_url(world.plan_a) + "?year=%C2%B2").status_code == 200


def test_ssmsi_file_with_an_unholdable_count_or_label_is_refused_in_french(world, login):
    client = login(world, "coordinator")
    url = reverse("actions:plan-ssmsi", args=[world.plan_a.pk])
    huge = client.post(
        url,
        {
            "file": ssmsi_file([("38185", 2024, "Vols", 123456789012345, 1.0)]),
            "commune": world.grenoble.pk,
        },
    )
    assert "Ligne 2 : nombre « 123456789012345 » illisible ou hors limites" in (
        huge.content.decode()
    )
    long_label = client.post(
        url,
        {"file": ssmsi_file([("38185", 2024, "V" * 130, 3, 1.0)]), "commune": world.grenoble.pk},
    )
    assert "plus de 120 caractères" in long_label.content.decode()
    odd_year = client.post(
        url,
        {"file": ssmsi_file([("38185", "²", "Vols", 3, 1.0)]), "commune": world.grenoble.pk},
    )
    assert "Aucune ligne pour Grenoble" in odd_year.content.decode()
    assert not Indicator.objects.filter(source="SSMSI").exists()


def test_ssmsi_rates_are_rounded_to_the_registrys_precision():
    rows = [("38185", 2024, "Vols", 998, 6.30165432)]
    series = ssmsi.read_commune(ssmsi_file(rows), "38185")
    assert series["Vols"].years[2024] == (Decimal(998), Decimal("6.302"))


def test_values_the_database_cannot_hold_are_refused_after_rounding_and_nul_everywhere(
    world, login
):
    client = login(world, "coordinator")
    url = reverse("actions:plan-ssmsi", args=[world.plan_a.pk])

    def preview(rows):
        return client.post(url, {"file": ssmsi_file(rows), "commune": world.grenoble.pk})

    # rounds up to 100000000000.000: fifteen digits in a column of fourteen
    rounded_up = preview([("38185", 2024, "Vols", "99999999999.9999", 1.0)])
    assert "nombre « 99999999999.9999 » illisible ou hors limites" in rounded_up.content.decode()
    nul = preview([("38185", 2024, "Vols\x00", 3, 1.0)])
    assert "caractère nul" in nul.content.decode()
    assert not Indicator.objects.filter(source="SSMSI").exists()
    spreadsheet = import_file(client, [[world.indicator_a.pk, "2024", "101", "note\x00"]])
    assert "caractère nul" in spreadsheet.content.decode()
    assert world.indicator_a.measurements.get(period_start__year=2024).value == 104
    meeting = client.post(
        reverse("meetings:meeting-create", args=[world.body_a.pk]),
        {"date": "2025-05-12", "time": "18:00", "place": "Salle\x00", "status": "planned"},
    )
    assert "Le caractère nul n’est pas autorisé" in meeting.content.decode()


def test_a_file_without_line_breaks_is_refused_with_flat_memory():
    header = b"CODGEO_2025;annee;indicateur;nombre;est_diffuse"
    upload = SimpleUploadedFile("ssmsi.csv", header + b";38185" * 1_000_000)  # 6 MB, one line
    tracemalloc.start()
    try:
        with pytest.raises(ssmsi.SsmsiError, match="sans retour à la ligne"):
            ssmsi.read_commune(upload, "38185")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # the line is never held whole


# -- counts and the error summary (issue 13) ------------------------------------------------


def test_a_count_is_never_negative_a_change_may_be(world, login):
    change = factories.indicator(
        world.plan_a,
        "Évolution des faits (%)",
        unit="%",
        is_count=False,
        baseline_value=0,
        target_value=-10,
    )
    client = login(world, "coordinator")
    i = world.indicator_a.pk  # a count (« faits »)
    response = grid_post(client, world.plan_a, {f"m-{i}-2026": "-3", f"m-{change.pk}-2026": "-4,5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Un dénombrement (faits) n’est jamais négatif." in html
    assert not Measurement.objects.filter(period_start__year=2026).exists()  # all or nothing
    response = grid_post(client, world.plan_a, {f"m-{i}-2026": "3", f"m-{change.pk}-2026": "-4,5"})
    assert response.status_code == 302
    assert change.measurements.get().value == Decimal("-4.5")


def test_the_import_refuses_a_negative_count_too(world, login):
    client = login(world, "coordinator")
    response = import_file(client, [[world.indicator_a.pk, "2026", "-1", ""]])
    assert "n’est jamais négatif" in response.content.decode()


def test_an_error_summary_links_to_each_cell_in_error(world, login):
    monthly = factories.indicator(world.plan_a, "Signalements", frequency="monthly")
    client = login(world, "coordinator")
    response = grid_post(
        client,
        world.plan_a,
        {f"m-{monthly.pk}-2025-12": "douze", f"m-{world.indicator_a.pk}-2026": "-1"},
    )
    html = response.content.decode()
    summary = html.split("registry-error-summary", 1)[1].split("</div>", 1)[0]
    assert "2 cases à corriger" in summary
    assert f'href="#m-{monthly.pk}-2025-12"' in summary and "décembre 2025" in summary
    assert f'href="#m-{world.indicator_a.pk}-2026"' in summary
    assert f'id="m-{monthly.pk}-2025-12"' in html  # the target of the link


def test_existing_rates_and_shares_are_not_counts_after_the_migration(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("actions.migrations.0003_indicator_is_count")
    share = factories.indicator(world.plan_a, "Part des faits élucidés", unit="%")
    rate = factories.indicator(world.plan_a, "Taux", unit="faits pour mille habitants")
    migration.mark_counts(apps, None)
    counts = dict(Indicator.objects.values_list("name", "is_count"))
    assert counts[share.name] is False and counts[rate.name] is False
    assert counts[world.indicator_a.name] is True  # « faits »
