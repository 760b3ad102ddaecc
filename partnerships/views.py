from django.db.models import Count
from django.shortcuts import render

from bodies.models import Body
from bodies.views import body_context
from meetings.summaries import body_meetings_summary

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
    each part filtered for the reader."""
    context = body_context(request, pk)
    context.update(body_meetings_summary(context["access"], request.user, context["body"]))
    return render(request, "bodies/body_detail.html", context)
