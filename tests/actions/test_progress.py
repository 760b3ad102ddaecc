"""Progress is computed from recorded rows: milestones, baselines, targets, measurements."""

import datetime
from decimal import Decimal

import pytest

from actions.models import Action, Indicator
from actions.progress import (
    IndicatorState,
    action_progress,
    indicator_progress,
    plan_rows,
    plan_summaries,
)
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2025, 7, 1)


@pytest.fixture
def plan(clspd):
    return factories.plan(clspd)


@pytest.fixture
def lead(isere):
    return factories.institution(dept=isere)


def milestones(action, reached, pending, late=0):
    for n in range(reached):
        action.milestones.create(title=f"r{n}", target_on=ON, reached_on=datetime.date(2025, 1, 1))
    for n in range(pending):
        action.milestones.create(title=f"p{n}", target_on=datetime.date(2026, 1, 1))
    for n in range(late):
        action.milestones.create(title=f"l{n}", target_on=datetime.date(2025, 2, 1))


def test_action_progress_is_the_share_of_milestones_reached(plan, lead):
    action = factories.action(plan, lead, status="in_progress")
    milestones(action, reached=1, pending=2, late=1)
    progress = action_progress(action, ON)
    assert (progress.reached, progress.total, progress.late) == (1, 4, 1)
    assert progress.percent == 25


def test_a_milestone_reached_after_the_day_looked_at_is_not_reached_yet(plan, lead):
    action = factories.action(plan, lead)
    action.milestones.create(title="x", target_on=ON, reached_on=datetime.date(2025, 9, 1))
    assert action_progress(action, ON).reached == 0


def test_done_is_complete_abandoned_and_unplanned_cannot_be_assessed(plan, lead):
    done = factories.action(plan, lead, status=Action.Status.DONE)
    milestones(done, reached=0, pending=3)
    abandoned = factories.action(plan, lead, status=Action.Status.ABANDONED)
    milestones(abandoned, reached=3, pending=0)
    bare = factories.action(plan, lead)
    assert action_progress(done, ON).percent == 100
    assert action_progress(abandoned, ON).share is None
    assert action_progress(bare, ON).share is None


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "latest", "share", "state"),
    [
        # 2023 → 2026, last value in 2025: two thirds of the time has elapsed
        ("lower", 120, 90, 100, Decimal(20) / 30, IndicatorState.ON_TRACK),
        ("lower", 120, 90, 112, Decimal(8) / 30, IndicatorState.BEHIND),
        ("lower", 120, 90, 130, Decimal(-10) / 30, IndicatorState.BEHIND),  # wrong way
        ("lower", 120, 90, 85, Decimal(35) / 30, IndicatorState.REACHED),
        ("higher", 0, 400, 300, Decimal(300) / 400, IndicatorState.ON_TRACK),
        ("higher", 0, 400, 100, Decimal(100) / 400, IndicatorState.BEHIND),
        ("higher", 50, 50, 49, Decimal(0), IndicatorState.BEHIND),  # a level to hold
        ("lower", 50, 50, 49, Decimal(1), IndicatorState.REACHED),
    ],
)
def test_indicator_progress_respects_the_direction(
    plan, direction, baseline, target, latest, share, state
):
    indicator = factories.indicator(
        plan, direction=direction, baseline_value=baseline, target_value=target
    )
    factories.measurements(indicator, {2023: baseline, 2025: latest})
    progress = indicator_progress(indicator, ON)
    assert progress.share == share
    assert progress.expected == Decimal(731) / Decimal(1096)  # 2023-01-01 → 2025-01-01 of 2026
    assert progress.state == state


def test_a_missing_value_is_skipped_not_read_as_zero(plan):
    indicator = factories.indicator(plan)
    factories.measurements(indicator, {2023: 120, 2024: 100, 2025: None})
    progress = indicator_progress(indicator, ON)
    assert progress.latest.value == 100
    assert [value for _start, _label, value in progress.points] == [120, 100, None]


def test_without_baseline_target_or_value_an_indicator_cannot_be_assessed(plan):
    no_target = Indicator.objects.create(plan=plan, name="x", unit="faits")
    factories.measurements(no_target, {2024: 3})
    no_value = factories.indicator(plan, name="y")
    assert indicator_progress(no_target, ON).state == IndicatorState.UNKNOWN
    assert indicator_progress(no_value, ON).state == IndicatorState.UNKNOWN


def test_future_periods_do_not_count_yet(plan):
    indicator = factories.indicator(plan)
    factories.measurements(indicator, {2023: 120, 2026: 80})
    assert indicator_progress(indicator, ON).latest.value == 120


def test_plan_rolls_its_actions_and_indicators_up_in_a_fixed_number_of_queries(
    plan, lead, django_assert_num_queries
):
    def grow():
        a = factories.action(plan, lead, status="in_progress")
        milestones(a, reached=1, pending=1)
        a.funding_lines.create(source="fipd", year=2025, amount=1000)
        a.funding_lines.create(source="commune", year=2025, amount=500)
        i = factories.indicator(plan, action=a)
        factories.measurements(i, {2023: 120, 2025: 100})

    grow()
    with django_assert_num_queries(7):
        [row] = plan_rows(type(plan).objects.filter(pk=plan.pk), ON)
    for _ in range(5):
        grow()
    factories.action(plan, lead, status="abandoned")
    with django_assert_num_queries(7):
        [row] = plan_rows(type(plan).objects.filter(pk=plan.pk), ON)
    progress = row.progress
    assert progress.percent == 50 and progress.assessed_actions == 6
    assert dict(progress.actions_by_status)["En cours"] == 6
    assert dict(progress.actions_by_status)["Abandonnée"] == 1
    assert progress.funding_total == 9000
    assert progress.funding_by_source[0][1] == 6000  # FIPD first, the largest
    states = {state: count for state, _label, count in progress.indicators_by_state}
    assert states[IndicatorState.ON_TRACK] == 6


def test_plan_summaries_say_what_plan_rows_say_in_three_queries(
    plan, lead, clspd, django_assert_num_queries
):
    """The county dashboard's plans in force: the same mean progress, late milestones and
    indicators by state as the plan page computes, in three queries however many plans,
    actions, milestones and measurements."""
    other = factories.plan(clspd, title="Autre plan")

    def grow(target):
        a = factories.action(target, lead, status="in_progress")
        milestones(a, reached=1, pending=2, late=1)
        factories.action(target, lead, status="done")
        factories.action(target, lead, status="abandoned")
        factories.action(target, lead, status="in_progress")  # no milestone: not assessed
        on_track = factories.indicator(target, action=a)
        factories.measurements(on_track, {2023: 120, 2025: 100})
        behind = factories.indicator(target)
        factories.measurements(behind, {2023: 120, 2024: 130, 2026: 10})  # 2026: future
        factories.indicator(target)  # never measured
        later = factories.indicator(target)
        factories.measurements(later, {2024: 90, 2025: None})  # the last value counts

    plans = type(plan).objects.filter(pk__in=[plan.pk, other.pk]).order_by("pk")
    with django_assert_num_queries(3):  # even without a plan: the count does not vary
        assert plan_summaries(plans.filter(title="Aucun plan de ce nom"), ON) == []
    grow(plan)
    with django_assert_num_queries(3):
        plan_summaries(plans, ON)
    for _ in range(3):
        grow(plan)
        grow(other)
    with django_assert_num_queries(3):
        summaries = plan_summaries(plans, ON)
    rows = plan_rows(plans, ON)
    for summary, row in zip(summaries, rows, strict=True):
        assert summary.progress.percent == row.progress.percent
        assert summary.progress.assessed_actions == row.progress.assessed_actions
        assert summary.progress.late_milestones == row.progress.late_milestones
        assert summary.progress.indicators_by_state == row.progress.indicators_by_state
    states = {s: n for s, _label, n in summaries[0].progress.indicators_by_state}
    assert states[IndicatorState.BEHIND] >= 4 and states[IndicatorState.UNKNOWN] >= 4
