from django.shortcuts import get_object_or_404

from .access import access_for, can_read_problem_statement
from .models import Body, Membership, composition_by_category


def body_context(request, pk, bodies=None) -> dict:
    """What the body page shows from this app: the body, its composition, attached bodies
    and sites. The page itself (partnerships.views.body_detail) gives `bodies` with their
    status (which reads meetings) and adds meetings, commitments and plans."""
    access = access_for(request.user)
    bodies = Body.objects.all() if bodies is None else bodies
    body = get_object_or_404(
        bodies.visible_to(access).select_related("department__region", "commune", "epci", "parent"),
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
        "other_names": [name.strip() for name in body.other_names.splitlines() if name.strip()],
        "children": bodies.filter(parent=body)
        .select_related("commune", "epci")
        .order_by("type", "name"),
        "sites": body.sites.order_by("name"),
        "chair": chair,
        "composition": composition_by_category(memberships),
        "member_count": len(memberships),
    }
