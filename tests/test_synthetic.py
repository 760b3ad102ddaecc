"""The synthetic dataset (`generate_dataset`): the same rows for the same seed, rows that obey
the models' rules, and care with databases that hold other data.

A tiny scale on two départements: a few bodies with ten years of meetings. It is generated
once for the module (`tiny`) and emptied afterwards, territories included, so the tests that
follow find the database as usual; each test runs in its own transaction on top of it, so what
a test flushes or regenerates is rolled back. The reference day is fixed: nothing depends on
when the suite runs.
"""

import hashlib
import io
import random

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from bodies.models import Body, Commune, Department, Epci, Institution, Region
from partnerships.synthetic import tables
from partnerships.synthetic.marker import MARKER_USERNAME, flush_registry
from tests import factories

pytestmark = pytest.mark.django_db

TINY = ("--scale", "0.002", "--departments", "38,69", "--today", "2026-06-15")


def generate(*options) -> str:
    out = io.StringIO()
    call_command("generate_dataset", *TINY, *options, stdout=out)
    return out.getvalue()


def digest() -> str:
    """Every generated row of every table, keys included, in key order."""
    rows = hashlib.sha256()
    for table in tables.ALL:
        query = table.model._base_manager.order_by("pk").values_list(*table.attnames)
        for row in query.iterator():
            rows.update(repr(row).encode())
    return rows.hexdigest()


@pytest.fixture(scope="module")
def tiny(django_db_setup, django_db_blocker):
    """The digest of the tiny dataset, generated once for the module."""
    with django_db_blocker.unblock():
        try:
            generate()
            yield digest()
        finally:
            with transaction.atomic():
                flush_registry()
                for model in (Commune, Epci, Department, Region):
                    model.objects.all().delete()


@pytest.fixture
def no_dataset(tiny):
    """The database without the generated rows (territories kept), for this test only."""
    flush_registry()


def test_same_seed_writes_the_same_rows_another_seed_others(tiny):
    assert Body.objects.filter(meetings__status="held").distinct().count() >= 3

    generate("--flush")
    assert digest() == tiny

    generate("--flush", "--seed", "2")
    assert digest() != tiny


def test_generated_rows_pass_the_models_validation(tiny):
    sample = random.Random(0)
    for table in tables.ALL:
        model = table.model
        pks = sorted(model._base_manager.values_list("pk", flat=True))
        assert pks, f"aucune ligne générée pour {model._meta.label}"
        for row in model._base_manager.filter(pk__in=sample.sample(pks, min(10, len(pks)))):
            row.full_clean()


def test_generated_bodies_can_be_searched_as_saved_ones(tiny):
    from bodies.models import Body

    bodies = list(Body.objects.select_related("commune", "epci"))
    assert all(body.search_text == body.folded_names() for body in bodies)
    assert Body.objects.matching(bodies[0].name).exists()


def test_reruns_with_the_same_parameters_as_a_no_op_and_refuses_others_without_flush(tiny):
    count = Institution.objects.count()

    assert "rien à faire" in generate()
    with pytest.raises(CommandError, match="--flush"):
        generate("--seed", "2")
    assert Institution.objects.count() == count


def test_refuses_a_database_holding_other_data(no_dataset):
    factories.institution(name="Institution saisie à la main")

    with pytest.raises(CommandError, match="pas été générées"):
        generate()

    assert not Body.objects.exists()
    assert not get_user_model().objects.filter(username=MARKER_USERNAME).exists()


def test_added_beside_other_data_a_flush_needs_force_again(no_dataset):
    factories.institution(name="Institution saisie à la main")
    generate("--force")
    assert Body.objects.exists()

    with pytest.raises(CommandError, match="--force"):
        generate("--flush", "--seed", "2")
    assert Institution.objects.filter(name="Institution saisie à la main").exists()
