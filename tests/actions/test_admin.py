"""The plans' administration and import pages keep a fixed number of queries as rows grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def grow(world, n):
    for i in range(n):
        action = factories.action(world.plan_a, world.inst_a, title=f"Action {i}")
        action.milestones.create(title="m", target_on="2025-01-01")
        action.funding_lines.create(source="fipd", year=2025, amount=10)
        indicator = factories.indicator(world.plan_a, f"I{i}", action=action)
        factories.measurements(indicator, {2024: i, 2025: i})
        world.plan_a.objectives.create(position=i + 2, title=f"Objectif {i}")


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:actions_actionplan_changelist",
        "admin:actions_action_changelist",
        "admin:actions_indicator_changelist",
        "admin:actions_measurement_changelist",
    ],
)
@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_changelists_do_not_grow_with_rows(world, login, url_name, role):
    client = login(world, role)
    url = reverse(url_name)
    count(client, url)  # warm the session
    few = count(client, url)
    grow(world, 6)
    assert count(client, url) == few


@pytest.mark.parametrize(
    ("url_name", "obj"),
    [("admin:actions_actionplan_change", "plan_a"), ("admin:actions_action_change", "action_a")],
)
def test_change_forms_do_not_grow_with_their_rows(world, login, url_name, obj):
    client = login(world, "coordinator")
    url = reverse(url_name, args=[getattr(world, obj).pk])
    count(client, url)
    few = count(client, url)
    grow(world, 4)
    for n in range(6):
        world.action_a.milestones.create(title=f"Étape {n}", target_on="2026-01-01")
        world.action_a.funding_lines.create(source="commune", year=2020 + n, amount=5)
    assert count(client, url) == few


def test_ssmsi_page_has_a_fixed_query_count(world, login):
    client = login(world, "coordinator")
    url = reverse("actions:plan-ssmsi", args=[world.plan_a.pk])
    count(client, url)
    few = count(client, url)
    grow(world, 4)
    assert count(client, url) == few
