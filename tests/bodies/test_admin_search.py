"""The administration's search (`bodies.scoped_admin.indexed_search`): the rows Django's own
search finds, each table searched with its own index (issue 15: trigram indexes on
PostgreSQL), in a number of queries that depends on the search fields, not the rows."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from bodies.models import Membership, Person
from bodies.scoped_admin import indexed_search
from meetings.models import Commitment, Meeting
from tests import factories

pytestmark = pytest.mark.django_db

TERMS = ["mistral", "GRENOBLE", "éclairage", "police lampadaires", '"Installer un"', "x", "é"]


def django_search(model, term):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    found, _duplicates = admin.ModelAdmin.get_search_results(
        model_admin, request, model._base_manager.all(), term
    )
    return set(found.distinct().values_list("pk", flat=True))


@pytest.mark.parametrize("model", [Membership, Commitment, Meeting, Person])
@pytest.mark.parametrize("term", TERMS)
def test_the_same_rows_as_djangos_own_search(world, model, term):
    factories.commitment(world.meeting_a, world.inst_a, "Installer un éclairage, rue Mistral")
    fields = admin.site._registry[model].search_fields
    found, duplicates = indexed_search(model._base_manager.all(), fields, term)
    assert not duplicates
    pks = list(found.values_list("pk", flat=True))
    assert len(pks) == len(set(pks))
    assert set(pks) == django_search(model, term)


def test_a_search_costs_a_query_per_related_table_whatever_the_rows(world):
    fields = admin.site._registry[Commitment].search_fields  # one local, two related

    def count():
        with CaptureQueriesContext(connection) as ctx:
            found, _ = indexed_search(Commitment.objects.all(), fields, "éclairage nuit")
            list(found)
        return len(ctx)

    few = count()
    for n in range(15):
        factories.commitment(world.meeting_a, world.inst_a, f"Éclairage {n}, de nuit")
    assert count() == few == 2 * 2 + 1  # two words × two related tables, then the rows
