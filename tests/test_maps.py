"""Maps drawn from stored outlines: loading them, a county's coverage, France's départements."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bodies.models import Body, Commune, Department
from partnerships import maps
from partnerships.national import national_rows
from tests import factories
from tests.test_dashboard import ADMIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def isere_outlines():
    call_command("load_territories", "--departments", "38", verbosity=0)
    call_command("load_outlines", "--departments", "38", verbosity=0)
    return Department.objects.get(code="38")


@pytest.mark.slow
def test_outlines_are_simplified_paths_framed_by_the_department(isere_outlines):
    grenoble = Commune.objects.get(insee_code="38185")
    assert re.fullmatch(r"(M[-0-9. ]+Z)+", grenoble.outline)
    assert len(grenoble.outline) < 2000  # simplified: a few dozen points
    _x, _y, width, height = map(float, isere_outlines.map_box.split())
    assert 100 < width < 200 and 100 < height < 200  # Isère is about 130 km across
    assert isere_outlines.outline.startswith("M")


@pytest.mark.slow
def test_county_map_colours_each_commune_by_its_coverage(isere_outlines):
    grenoble = Commune.objects.get(insee_code="38185")
    vienne = Commune.objects.get(insee_code="38544")
    clspd = factories.body(commune=grenoble)
    cispd = factories.body(Body.Type.CISPD, epci=vienne.epci)

    def coverage():
        return {code: c for _n, code, _o, c in maps.coverage_of_communes(isere_outlines)}

    rows = coverage()
    assert rows["38185"] == "gap" and rows["38544"] == "gap"  # neither body has met: dormant
    recently = timezone.now() - datetime.timedelta(days=30)
    factories.meeting(clspd, recently)
    factories.meeting(cispd, recently)
    rows = coverage()
    assert rows["38185"] == "clspd" and rows["38544"] == "cispd"
    assert "none" in rows.values()  # small communes without an obligation
    svg, legend = maps.county_map(isere_outlines, maps.coverage_of_communes(isere_outlines))
    assert svg.count("<path") == len(rows) and 'role="img"' in svg and "<script" not in svg
    assert sum(count for _k, _l, _c, count in legend) == len(rows)


def test_no_outlines_no_map_and_the_page_says_so(client, world, login):
    response = login(world, "admin").get(reverse("dashboard:county", args=["38"]))
    assert response.context["coverage_map"] is None
    assert "load_outlines" in response.content.decode()


def test_national_map_shades_departments_by_the_chosen_figure(world):
    world.isere.outline, world.rhone.outline = "M0 0 10 0 10 10Z", "M20 0 30 0 30 10Z"
    world.isere.save()
    world.rhone.save()
    rows = national_rows(ADMIN, full=True)
    svg, legend = maps.national_map(rows, "overdue", "Engagements en retard")
    assert svg.count("<path") == 2 and "Isère — Engagements en retard" in svg
    assert legend[0][1] == 0 and legend[-1][2] == max(r.overdue for r in rows)


def test_the_public_cannot_colour_the_map_by_a_restricted_figure(client, world):
    response = client.get(reverse("dashboard:national"), {"carte": "overdue"})
    assert response.context["map_figure"] == "dormant"
    assert [value for value, _label in response.context["map_figures"]] == [
        "dormant",
        "uncovered",
        "active",
    ]
