"""Pages that gather several apps: the home page, the directory and the body page (bodies and
their status, which reads meetings), the action page (the commitments serving an action)."""

from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import check_for_language
from django.views.i18n import set_language as django_set_language

from actions.models import ActionPlan
from actions.views import action_context
from bodies.access import access_for, can_manage_plans
from bodies.filters import BodyFilter
from bodies.models import Body, Person
from bodies.pagination import paginate
from bodies.views import body_context
from mail.sending import remember_language
from meetings.activity import bodies_with_status
from meetings.summaries import body_meetings_summary, commitments_serving

from .security_log import log_refusal


def status_table(bodies) -> tuple[list, int, int]:
    """Bodies (annotated with their status) counted by type and status, for
    `partials/status_table.html`: rows [(type, label, [(status, label, count)…])…], the total
    and the active total. One query."""
    counts = {
        (row["type"], row["status"]): row["n"]
        for row in bodies.order_by().values("type", "status").annotate(n=Count("pk"))
    }
    rows = [
        (value, label, [(s, s_label, counts.get((value, s), 0)) for s, s_label in STATUSES])
        for value, label in Body.Type.choices
    ]
    active = sum(n for (_type, status), n in counts.items() if status == Body.Status.ACTIVE)
    return rows, sum(counts.values()), active


STATUSES = Body.Status.choices


def home(request):
    """What the registry is, and its bodies by type and status. One query."""
    rows, total, active = status_table(bodies_with_status())
    context = {"type_rows": rows, "statuses": STATUSES, "total": total, "active_total": active}
    return render(request, "home.html", context)


def set_language(request):
    """Django's language switch; a signed-in user's choice also becomes the language of the
    e-mails sent to its account's and its person's addresses."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and check_for_language(language):
        person = Person.objects.filter(user=request.user).values_list("email", flat=True).first()
        remember_language([request.user.email, person], language)
    return response


def permission_denied(request, exception=None):
    """403: signed in, in scope, but the role does not allow this. Logged."""
    log_refusal(request, str(exception or "") or "permission", 403)
    return render(request, "403.html", status=403)


def body_list(request):
    """The public directory: filters, sort and page in the query string (a shareable URL).
    Four queries: the départements offered, the count, the page, and the reader's access."""
    access = access_for(request.user)
    bodies = bodies_with_status(
        Body.objects.visible_to(access).select_related("department", "commune", "epci")
    )
    filterset = BodyFilter(request.GET, queryset=bodies)
    results = filterset.qs if filterset.is_valid() else bodies.none()
    page = paginate(request, results)
    context = {"filter": filterset, "page_obj": page, "bodies": page.object_list}
    return render(request, "bodies/body_list.html", context)


def body_detail(request, pk):
    """A body's page: identity and composition (bodies), status and meetings and commitments
    (meetings), action plans (actions), each part filtered for the reader."""
    context = body_context(request, pk, bodies=bodies_with_status())
    access, body = context["access"], context["body"]
    context.update(body_meetings_summary(access, body))
    context["plans"] = ActionPlan.objects.readable_by(access).filter(body=body)
    context["can_manage_plans"] = can_manage_plans(access, body)
    if body.type == Body.Type.CISPD:
        # Member communes, and the CLSPDs among them (domain guide §1: the levels).
        context["member_communes"] = body.covered_communes().order_by("-population", "name")
        context["member_clspds"] = (
            bodies_with_status(Body.objects.of_type(Body.Type.CLSPD))
            .filter(commune__epci_id=body.epci_id)
            .select_related("commune")
            .order_by("commune__name")
        )
    elif body.type == Body.Type.CDPD:
        context["department_rows"], _total, _active = status_table(
            bodies_with_status().filter(department_id=body.department_id)
        )
        context["statuses"] = STATUSES
    return render(request, "bodies/body_detail.html", context)


def action_detail(request, pk):
    """A fiche-action (actions) and the commitments made in meetings to serve it (meetings),
    those the reader may read."""
    context = action_context(request, pk)
    context["commitments"] = commitments_serving(context["action"], context["access"])
    return render(request, "actions/action_detail.html", context)
