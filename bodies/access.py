"""Who may see and change what: the one place that answers it.

Every page, admin screen, autocomplete, filter choice list, import and export asks this module
(or `bodies.rules`, re-exported here, which holds the rules that need no query and that the
models' querysets use): a queryset (`visible_*`, `editable_*`, `readable_q`…) or an object
check (`can_read`, `can_edit_body`, `is_named_on_meeting`…). Both are built from the same
`Access` and the same rules, and tests/test_permissions.py checks them against each other as
a matrix. Nobody reads an `Access` field outside these two modules.

This module lives in `bodies`, the lowest app, because every other app scopes its queries
through it and imports run one way.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import (
    Body,
    Commune,
    Department,
    Epci,
    Institution,
    Membership,
    Person,
    RoleAssignment,
    Site,
)
from .rules import *  # noqa: F403 — the rules are asked through this module too
from .rules import (
    ANONYMOUS,
    SELF,
    Access,
    coordinated_q,
    department_scope_q,
    is_administrator,
    may_seat_self,
    reference_scope_q,
    staff_scope_q,
)


def access_for(user) -> Access:
    """The user's access, cached on the user object (so once per request). At most three
    queries: current role assignments, the linked person, and that person's memberships."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_registry_access", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        access = Access(is_authenticated=True, user_id=user.pk, is_admin=True)
    else:
        departments, coordinated, coordinated_departments = set(), set(), set()
        researcher = national = False
        for role, department_id, body_id, body_department_id in (
            RoleAssignment.objects.current()
            .filter(user=user)
            .values_list("role", "department_id", "body_id", "body__department_id")
        ):
            if role == RoleAssignment.Role.PREFECTURE:
                departments.add(department_id)
            elif role == RoleAssignment.Role.COORDINATOR:
                coordinated.add(body_id)
                coordinated_departments.add(body_department_id)
            elif role == RoleAssignment.Role.RESEARCHER:
                researcher = True
            elif role == RoleAssignment.Role.NATIONAL:
                national = True
        person_id = Person.objects.filter(user=user).values_list("pk", flat=True).first()
        member_of = (
            set(
                Membership.objects.current()
                .filter(person_id=person_id)
                .order_by()  # the default ordering would join bodies and départements
                .values_list("body_id", flat=True)
            )
            if person_id
            else set()
        )
        access = Access(
            is_authenticated=True,
            user_id=user.pk,
            departments=frozenset(departments),
            coordinated=frozenset(coordinated),
            coordinated_departments=frozenset(coordinated_departments),
            member_of=frozenset(member_of),
            person_id=person_id,
            is_researcher=researcher,
            is_national=national,
        )
    user._registry_access = access
    return access


def accesses_of_people(people) -> dict[int, Access]:
    """What each of `people` may read, whether or not they have an account: what their
    account reads when they have one (a deactivated account reads what the public reads),
    otherwise what a member reads — the bodies where they sit today. E-mails (convocations,
    reminders) carry only what this access reads. One query for the seats of those without
    an account, and `access_for`'s three per account."""
    people = list(people)
    without_account = [p.pk for p in people if p.user_id is None]
    seats: dict[int, set[int]] = {pk: set() for pk in without_account}
    for person_id, body_id in (
        Membership.objects.current()
        .filter(person_id__in=without_account)
        .order_by()
        .values_list("person_id", "body_id")
    ):
        seats[person_id].add(body_id)
    accesses = {}
    for person in people:
        if person.user_id is not None:
            accesses[person.pk] = access_for(person.user)
        else:
            accesses[person.pk] = Access(
                is_authenticated=True, person_id=person.pk, member_of=frozenset(seats[person.pk])
            )
    return accesses


# -- records (one query) --------------------------------------------------------------------


def is_named_on_meeting(access: Access, meeting) -> bool:
    """Whether the user's person is on the meeting's attendance (named on its records)."""
    if access.person_id is None:
        return False
    return meeting.attendances.filter(person_id=access.person_id).exists()


# -- reference data: bodies, memberships, people, institutions, sites ----------------------


def _all(model, qs: QuerySet | None) -> QuerySet:
    return model.objects.all() if qs is None else qs


def visible_bodies(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Bodies a user may see: all of them (`Body.objects.visible_to`)."""
    return _all(Body, qs).visible_to(access)


def administered_bodies(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Bodies a user may open in the administration, and whose memberships it edits: those
    of its départements (prefecture staff) and those it coordinates."""
    return _all(Body, qs).administered_by(access)


def editable_bodies(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Bodies a user may change: those of its départements (prefecture staff)."""
    return _all(Body, qs).editable_by(access)


def coordinated_bodies(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Bodies a user coordinates (whose plans it writes)."""
    return _all(Body, qs).filter(coordinated_q(access, SELF))


def editable_memberships(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Memberships a user may change: those of the bodies it administers."""
    return _all(Membership, qs).editable_by(access)


def visible_people(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """People a user may see and edit with their contact details: those who sit or sat (or
    substitute) in a body of the user's départements (prefecture staff) or in a body they
    coordinate, and the people this user created who sit nowhere yet (between creation and
    first membership)."""
    qs = _all(Person, qs)
    if is_administrator(access):
        return qs
    in_scope = Membership.objects.filter(staff_scope_q(access))
    created_by_user = Person.history.filter(history_type="+", history_user_id=access.user_id)
    return qs.filter(
        Q(pk__in=in_scope.values("person_id"))
        | Q(pk__in=in_scope.filter(substitute__isnull=False).values("substitute_id"))
        | (
            Q(pk__in=created_by_user.values("id"))
            & ~Q(pk__in=Membership.objects.values("person_id"))
        ),
    )


def seatable_people(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """People a user may seat in a body (membership, substitute): those it sees, except
    itself unless `may_seat_self`."""
    people = visible_people(access, qs)
    return people if may_seat_self(access) else people.exclude(pk=access.person_id)


def pickable_people(access: Access, body, qs: QuerySet | None = None) -> QuerySet:
    """People a user may seat in `body` from its « Composition » page: those it may seat
    (`seatable_people`) who sit or sat, or substitute, in a body of the same département,
    and those who sit nowhere yet. For a coordinator that is the people of its own bodies
    and those it created: the names of other bodies' members are not its to search."""
    in_department = Membership.objects.filter(body__department_id=body.department_id)
    return seatable_people(access, qs).filter(
        Q(pk__in=in_department.values("person_id"))
        | Q(pk__in=in_department.filter(substitute__isnull=False).values("substitute_id"))
        | ~Q(pk__in=Membership.objects.values("person_id"))
    )


def visible_institutions(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Institutions a user may pick: those of its reference départements."""
    return _all(Institution, qs).filter(reference_scope_q(access))


def editable_institutions(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Institutions a user may change: those of its départements (prefecture staff)."""
    return _all(Institution, qs).filter(department_scope_q(access))


def editable_sites(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Priority sites a user may change and attach: those of its départements."""
    return _all(Site, qs).filter(department_scope_q(access))


def reference_sites(access: Access) -> QuerySet:
    """Sites a user may pick (for an action): those of its reference départements."""
    return Site.objects.filter(reference_scope_q(access))


def reference_communes(access: Access) -> QuerySet:
    """Communes a user may pick (for an indicator): those of its reference départements."""
    return Commune.objects.filter(reference_scope_q(access))


def department_communes(access: Access) -> QuerySet:
    """Communes of the prefecture staff's départements (a body's or a site's territory)."""
    return Commune.objects.filter(department_scope_q(access))


def department_epcis(access: Access) -> QuerySet:
    """EPCI of the prefecture staff's départements (a CISPD's territory)."""
    return Epci.objects.filter(department_scope_q(access))


def scoped_departments(access: Access) -> QuerySet:
    """The prefecture staff's départements themselves."""
    return Department.objects.filter(department_scope_q(access, SELF))
