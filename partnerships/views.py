from django.db.models import Count
from django.shortcuts import render

from actions.models import ActionPlan
from actions.views import action_context
from bodies.access import can_manage_plans
from bodies.models import Body
from bodies.views import body_context
from meetings.summaries import body_meetings_summary, commitments_serving

from .security_log import log_refusal


def home(request):
    counts = dict(
        Body.objects.active()
        .order_by()
        .values("type")
        .annotate(n=Count("pk"))
        .values_list("type", "n")
    )
    types = [(label, counts.get(value, 0)) for value, label in Body.Type.choices]
    return render(request, "home.html", {"type_counts": types, "total": sum(counts.values())})


def permission_denied(request, exception=None):
    """403: signed in, in scope, but the role does not allow this. Logged."""
    log_refusal(request, str(exception or "") or "permission", 403)
    return render(request, "403.html", status=403)


def body_detail(request, pk):
    """A body's page: identity and composition (bodies), meetings and commitments (meetings),
    action plans (actions), each part filtered for the reader."""
    context = body_context(request, pk)
    access, body = context["access"], context["body"]
    context.update(body_meetings_summary(access, body))
    context["plans"] = ActionPlan.objects.readable_by(access).filter(body=body)
    context["can_manage_plans"] = can_manage_plans(access, body)
    return render(request, "bodies/body_detail.html", context)


def action_detail(request, pk):
    """A fiche-action (actions) and the commitments made in meetings to serve it (meetings),
    those the reader may read."""
    context = action_context(request, pk)
    context["commitments"] = commitments_serving(context["action"], context["access"])
    return render(request, "actions/action_detail.html", context)
