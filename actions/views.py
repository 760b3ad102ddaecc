"""Plan and action pages, for every reader allowed (404 otherwise); the measurement grid
and the imports, for those who write the plan."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from bodies.access import access_for, can_manage_plans, can_read
from meetings.models import Commitment

from .charts import indicator_chart
from .models import Action, ActionPlan
from .progress import (
    action_progress,
    funding_by_source,
    indicator_progress,
    measurements_prefetch,
    plan_rows,
)


def readable_plans(request):
    return ActionPlan.objects.readable_by(access_for(request.user))


def _diagnostic_readable(access, plan) -> bool:
    body = plan.body
    return can_read(
        access, body, plan.diagnostic_confidentiality, named=body.pk in access.member_of
    )


def _with_charts(indicators):
    return [(indicator, indicator_chart(indicator, indicator.progress)) for indicator in indicators]


def plan_detail(request, pk):
    """A plan: diagnostic (at its level), objectives and their actions with progress, its
    indicators with charts and tables, funding by source. Nine queries whatever its size."""
    on = timezone.localdate()
    plans = plan_rows(readable_plans(request).filter(pk=pk), on)
    if not plans:
        raise Http404
    plan = plans[0]
    access = access_for(request.user)
    actions = list(plan.actions.all())
    objectives = [
        (objective, [a for a in actions if a.objective_id == objective.pk])
        for objective in plan.objectives.all()
    ]
    unfiled = [a for a in actions if a.objective_id is None]
    indicators = list(plan.indicators.all())
    context = {
        "plan": plan,
        "body": plan.body,
        "progress": plan.progress,
        "objectives": objectives,
        "unfiled_actions": unfiled,
        "plan_indicators": _with_charts(i for i in indicators if i.action_id is None),
        "action_indicators": [i for i in indicators if i.action_id is not None],
        "show_diagnostic": _diagnostic_readable(access, plan),
        "can_manage": can_manage_plans(access, plan.body),
    }
    return render(request, "actions/plan_detail.html", context)


def action_detail(request, pk):
    """A fiche-action: who leads it with whom, where, when; its milestones, funding,
    indicators and the commitments made in meetings to serve it."""
    on = timezone.localdate()
    action = get_object_or_404(
        Action.objects.filter(plan__in=readable_plans(request))
        .select_related("plan__body", "lead_institution", "objective")
        .prefetch_related("partners", "sites", "milestones", "funding_lines"),
        pk=pk,
    )
    indicators = list(action.indicators.prefetch_related(measurements_prefetch()))
    for indicator in indicators:
        indicator.progress = indicator_progress(indicator, on)
    funding, total = funding_by_source(action.funding_lines.all())
    years = sorted({line.year for line in action.funding_lines.all()})
    commitments = (
        Commitment.objects.readable_by(request.user)
        .filter(action=action)
        .select_related("owner_institution", "meeting")
        .order_by("due_on", "pk")
    )
    context = {
        "action": action,
        "plan": action.plan,
        "body": action.plan.body,
        "progress": action_progress(action, on),
        "milestones": action.milestones.all(),
        "funding_lines": action.funding_lines.all(),
        "funding_by_source": funding,
        "funding_total": total,
        "funding_years": years,
        "indicators": _with_charts(indicators),
        "commitments": commitments,
        "today": on,
        "can_manage": can_manage_plans(access_for(request.user), action.plan.body),
    }
    return render(request, "actions/action_detail.html", context)
