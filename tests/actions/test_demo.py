"""Demo plans: a plan per major body, with indicators on track and behind."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from actions.models import ActionPlan, Measurement
from actions.progress import IndicatorState, plan_rows
from bodies.models import Body

pytestmark = pytest.mark.django_db


def test_major_bodies_have_a_plan_whose_progress_shows_both_success_and_delay(demo):
    for body_type in (Body.Type.CLSPD, Body.Type.CISPD, Body.Type.CDPD):
        assert ActionPlan.objects.filter(body__type=body_type, status="adopted").exists()
    assert ActionPlan.objects.filter(status="draft").exists()
    plans = plan_rows(ActionPlan.objects.filter(status="adopted"), timezone.localdate())
    states = {i.progress.state for plan in plans for i in plan.indicators.all()}
    assert {IndicatorState.ON_TRACK, IndicatorState.BEHIND} <= states
    assert any(plan.progress.late_milestones for plan in plans)
    assert all(plan.progress.funding_total > 0 for plan in plans)
    # several years of values, one count the SSMSI did not publish, a monthly series
    years = Measurement.objects.dates("period_start", "year")
    assert len(years) >= 4
    assert Measurement.objects.filter(value__isnull=True, source_note__contains="non diffusé")
    assert Measurement.objects.filter(indicator__frequency="monthly").count() >= 10


def test_demo_commitments_serve_actions_and_loading_twice_changes_nothing(demo):
    from meetings.models import Commitment

    linked = Commitment.objects.filter(action__isnull=False)
    assert linked.exists()
    assert all(c.action.plan.body_id == c.body_id for c in linked.select_related("action__plan"))
    counts = (ActionPlan.objects.count(), Measurement.objects.count(), linked.count())
    call_command("load_demo")
    assert (ActionPlan.objects.count(), Measurement.objects.count(), linked.count()) == counts
