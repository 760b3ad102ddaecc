"""Progress computed from recorded rows, never typed (domain guide §5).

- An action's progress is the share of its milestones reached (a done action is complete; an
  abandoned one counts for nothing and leaves the roll-up).
- An indicator's progress is how far its latest value has moved from the baseline towards the
  target, in the direction that is good; it is on track when that share keeps pace with the
  time elapsed between the baseline date and the target date (with a margin of
  `ON_TRACK_MARGIN`).
- A plan's progress rolls its actions up (the mean of their progress) and counts its
  indicators by state.

Everything here works in one pass over rows already fetched (`plan_rows` prefetches them in a
fixed number of queries): no function below runs a query.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Action, ActionPlan, FundingLine, Indicator, Measurement

ON_TRACK_MARGIN = Decimal("0.10")


# -- actions -------------------------------------------------------------------------------


@dataclass
class ActionProgress:
    share: Decimal | None  # 0..1, None when nothing can be said (no milestone)
    reached: int
    total: int
    late: int  # milestones past their date and not reached

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


def action_progress(action: Action, on: datetime.date) -> ActionProgress:
    milestones = list(action.milestones.all())  # prefetched
    reached = sum(1 for m in milestones if m.reached_on is not None and m.reached_on <= on)
    late = sum(1 for m in milestones if m.is_late(on))
    total = len(milestones)
    if action.status == Action.Status.DONE:
        share = Decimal(1)
    elif action.status == Action.Status.ABANDONED or not total:
        share = None
    else:
        share = Decimal(reached) / Decimal(total)
    return ActionProgress(share=share, reached=reached, total=total, late=late)


# -- indicators ----------------------------------------------------------------------------


class IndicatorState:
    REACHED = "reached"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    UNKNOWN = "unknown"

    LABELS = {
        REACHED: _("Cible atteinte"),
        ON_TRACK: _("En bonne voie"),
        BEHIND: pgettext_lazy("indicateur", "En retard"),
        UNKNOWN: _("Non évaluable"),
    }
    BADGES = {REACHED: "success", ON_TRACK: "info", BEHIND: "warning", UNKNOWN: "new"}


@dataclass
class IndicatorProgress:
    latest: Measurement | None  # the latest measurement with a value
    share: Decimal | None  # signed: below 0 moved the wrong way; above 1 beyond the target
    expected: Decimal | None  # share of the baseline→target time elapsed at `latest`
    state: str
    points: list = field(default_factory=list)  # (period start, label, value or None)

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)

    @property
    def bar_percent(self) -> int:
        """For a progress bar: clipped to 0–100."""
        return max(0, min(100, self.percent or 0))

    @property
    def expected_percent(self) -> int | None:
        return None if self.expected is None else round(self.expected * 100)

    @property
    def state_label(self):
        return IndicatorState.LABELS[self.state]

    @property
    def badge(self) -> str:
        return IndicatorState.BADGES[self.state]


def _elapsed(start: datetime.date, end: datetime.date, at: datetime.date) -> Decimal:
    span = (end - start).days
    done = (at - start).days
    return max(Decimal(0), min(Decimal(1), Decimal(done) / Decimal(span)))


def indicator_progress(indicator: Indicator, on: datetime.date) -> IndicatorProgress:
    """From baseline to target, respecting the direction; measurements prefetched in period
    order. The latest value is that of the latest period that has started by `on`."""
    measurements = [m for m in indicator.measurements.all() if m.period_start <= on]
    points = [
        (m.period_start, indicator.period_label(m.period_start), m.value) for m in measurements
    ]
    valued = [m for m in measurements if m.value is not None]
    return progress_from_latest(indicator, valued[-1] if valued else None, points)


def progress_from_latest(indicator: Indicator, latest, points=()) -> IndicatorProgress:
    """The indicator's progress from its latest valued measurement (anything with `value`
    and `period_start`; None when there is none)."""
    points = list(points)
    baseline, target = indicator.baseline_value, indicator.target_value
    if latest is None or baseline is None or target is None:
        return IndicatorProgress(latest, None, None, IndicatorState.UNKNOWN, points)
    value = latest.value
    if target == baseline:  # a level to hold
        good = (
            value <= target if indicator.direction == Indicator.Direction.LOWER else value >= target
        )
        share = Decimal(1) if good else Decimal(0)
    else:
        share = (value - baseline) / (target - baseline)
    expected = _elapsed(indicator.baseline_on, indicator.target_on, latest.period_start)
    if share >= 1:
        state = IndicatorState.REACHED
    elif share >= expected - ON_TRACK_MARGIN:
        state = IndicatorState.ON_TRACK
    else:
        state = IndicatorState.BEHIND
    return IndicatorProgress(latest, share, expected, state, points)


# -- plans ---------------------------------------------------------------------------------


@dataclass
class PlanProgress:
    share: Decimal | None  # mean progress of the actions that can be assessed
    assessed_actions: int
    actions_by_status: list  # (label, count)
    indicators_by_state: list  # (state, label, count)
    late_milestones: int
    funding_by_source: list  # (label, amount), largest first
    funding_total: Decimal

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


def funding_by_source(lines) -> tuple[list, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.source] = totals.get(line.source, Decimal(0)) + line.amount
    rows = sorted(
        ((FundingLine.Source(source).label, amount) for source, amount in totals.items()),
        key=lambda row: -row[1],
    )
    return rows, sum(totals.values(), Decimal(0))


def plan_progress(plan: ActionPlan, on: datetime.date) -> PlanProgress:
    """Roll-up over `plan.actions` and `plan.indicators` as prefetched by `plan_rows`
    (each action carries `.progress`, each indicator `.progress`)."""
    actions = list(plan.actions.all())
    shares = [a.progress.share for a in actions if a.progress.share is not None]
    statuses = Counter(a.status for a in actions)
    states = Counter(i.progress.state for i in plan.indicators.all())
    funding, total = funding_by_source(line for a in actions for line in a.funding_lines.all())
    return PlanProgress(
        share=sum(shares, Decimal(0)) / len(shares) if shares else None,
        assessed_actions=len(shares),
        actions_by_status=[(label, statuses[value]) for value, label in Action.Status.choices],
        indicators_by_state=[
            (state, label, states[state]) for state, label in IndicatorState.LABELS.items()
        ],
        late_milestones=sum(a.progress.late for a in actions),
        funding_by_source=funding,
        funding_total=total,
    )


def measurements_prefetch():
    return Prefetch("measurements", queryset=Measurement.objects.order_by("period_start"))


def plan_rows(plans, on: datetime.date) -> list[ActionPlan]:
    """Plans with their objectives, actions (lead, partners, milestones, funding) and
    indicators (measurements) prefetched and their progress computed: seven queries
    whatever the number of plans, actions and measurements."""
    plans = list(
        plans.select_related("body").prefetch_related(
            "objectives",
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("lead_institution", "objective")
                .prefetch_related("milestones", "funding_lines")
                .order_by("objective__position", "pk"),
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related(
                    "action", "commune", "site"
                ).prefetch_related(measurements_prefetch()),
            ),
        )
    )
    for plan in plans:
        for action in plan.actions.all():
            action.progress = action_progress(action, on)
        for indicator in plan.indicators.all():
            indicator.progress = indicator_progress(indicator, on)
        plan.progress = plan_progress(plan, on)
    return plans


# -- plans in a list: their progress in three queries --------------------------------------


@dataclass
class Latest:
    """An indicator's latest valued measurement, as read by `plan_summaries`."""

    value: Decimal
    period_start: datetime.date


@dataclass
class PlanSummary:
    """What a list of plans shows of each (the county dashboard): the mean progress of its
    actions and its indicators by state."""

    share: Decimal | None
    assessed_actions: int
    late_milestones: int
    indicators_by_state: list  # (state, label, count)

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


def plan_summaries(plans, on: datetime.date) -> list[ActionPlan]:
    """Plans with `.progress` (a `PlanSummary`), the same figures as `plan_rows` computes,
    in three queries whatever the number of plans, actions, milestones and measurements:
    the plans (with their body), their actions with their milestones counted by the
    database, their indicators with their latest valued measurement."""
    chosen = plans.order_by().values("pk")  # a subquery: three queries even without a plan
    plans = list(plans.select_related("body"))
    by_id = {plan.pk: plan for plan in plans}
    shares: dict[int, list] = {pk: [] for pk in by_id}
    late: Counter = Counter()
    actions = (
        Action.objects.filter(plan__in=chosen)
        .order_by()
        .values("pk", "plan_id", "status")
        .annotate(
            total=Count("milestones"),
            reached=Count("milestones", filter=Q(milestones__reached_on__lte=on)),
            late=Count(
                "milestones",
                filter=Q(milestones__reached_on__isnull=True, milestones__target_on__lt=on),
            ),
        )
    )
    for row in actions:
        if row["plan_id"] not in by_id:
            continue  # a plan that came in since the list was read
        late[row["plan_id"]] += row["late"]
        if row["status"] == Action.Status.DONE:
            shares[row["plan_id"]].append(Decimal(1))
        elif row["status"] != Action.Status.ABANDONED and row["total"]:
            shares[row["plan_id"]].append(Decimal(row["reached"]) / Decimal(row["total"]))
    valued = Measurement.objects.filter(
        indicator=OuterRef("pk"), period_start__lte=on, value__isnull=False
    ).order_by("-period_start")
    states: dict[int, Counter] = {pk: Counter() for pk in by_id}
    for indicator in Indicator.objects.filter(plan__in=chosen).annotate(
        latest_value=Subquery(valued.values("value")[:1]),
        latest_start=Subquery(valued.values("period_start")[:1]),
    ):
        if indicator.plan_id not in by_id:
            continue
        latest = (
            Latest(indicator.latest_value, indicator.latest_start)
            if indicator.latest_start is not None
            else None
        )
        states[indicator.plan_id][progress_from_latest(indicator, latest).state] += 1
    for plan in plans:
        assessed = shares[plan.pk]
        plan.progress = PlanSummary(
            share=sum(assessed, Decimal(0)) / len(assessed) if assessed else None,
            assessed_actions=len(assessed),
            late_milestones=late[plan.pk],
            indicators_by_state=[
                (state, label, states[plan.pk][state])
                for state, label in IndicatorState.LABELS.items()
            ],
        )
    return plans
