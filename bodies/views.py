from django.shortcuts import get_object_or_404, render

from .access import access_for, can_read_problem_statement
from .models import Body, Membership, composition_by_category
from .pagination import paginate


def body_list(request):
    bodies = (
        Body.objects.visible_to(access_for(request.user))
        .select_related("department", "commune", "epci")
        .order_by("department__code", "type", "name")
    )
    page = paginate(request, bodies)
    return render(request, "bodies/body_list.html", {"page_obj": page, "bodies": page.object_list})


def body_context(request, pk) -> dict:
    """What the body page shows from this app: the body, its composition, attached bodies
    and sites. The page itself (partnerships.views.body_detail) adds meetings and
    commitments."""
    access = access_for(request.user)
    body = get_object_or_404(
        Body.objects.visible_to(access).select_related(
            "department__region", "commune", "epci", "parent"
        ),
        pk=pk,
    )
    memberships = list(
        Membership.objects.current()
        .filter(body=body)
        .select_related("institution", "person", "body")
        .order_by("role", "institution__name")
    )
    chair = next((m for m in memberships if m.role == Membership.Role.CHAIR), None)
    return {
        "access": access,
        "show_problem_statement": bool(body.problem_statement)
        and can_read_problem_statement(access, body),
        "body": body,
        "children": body.children.select_related("commune", "epci").order_by("type", "name"),
        "sites": body.sites.order_by("name"),
        "chair": chair,
        "composition": composition_by_category(memberships),
        "member_count": len(memberships),
    }
