"""Who may see and change what: the one place that answers it.

Every page, admin screen, autocomplete, filter choice list, import and export asks this module,
either for a queryset filter (`visible_*`, `editable_*`, `readable_q`) or for an object check
(`can_read`, `can_edit_*`). Both are built from the same `Access` and the same rules, and
tests/test_permissions.py checks them against each other as a matrix.

Roles (domain guide §6, README "Roles and confidentiality"):
- administrator: a superuser; everything.
- prefecture staff: `RoleAssignment` over départements; reads every record of their
  départements except `restricted` ones (unless named), edits bodies, institutions, people,
  memberships and sites there.
- coordinator: `RoleAssignment` over bodies; reads and writes every record of those bodies,
  edits their memberships (and the people and institutions those memberships need).
- member: a user linked to a `Person`; reads `partners` records of the bodies where that
  person currently sits, and `restricted` records where the person is named.
- researcher: research exports only (pseudonymised, never confidential records).
- public: `public` records only.

This module lives in `bodies`, the lowest app, because every other app scopes its queries
through it and imports run one way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import (
    Body,
    Confidentiality,
    Institution,
    Membership,
    Person,
    RoleAssignment,
    Site,
)


@dataclass(frozen=True)
class Access:
    """What one user may reach, computed once per request (`access_for`)."""

    is_authenticated: bool = False
    user_id: int | None = None
    is_admin: bool = False
    departments: frozenset[int] = frozenset()  # prefecture staff: department ids
    coordinated: frozenset[int] = frozenset()  # coordinator: body ids
    coordinated_departments: frozenset[int] = frozenset()  # départements of those bodies
    member_of: frozenset[int] = frozenset()  # member: body ids with a current membership
    person_id: int | None = None
    is_researcher: bool = False

    @property
    def is_staff(self) -> bool:
        """May use the administration (and, later, the coordinator and dashboard pages)."""
        return self.is_admin or bool(self.departments or self.coordinated)

    @property
    def reference_departments(self) -> frozenset[int]:
        """Départements whose institutions and people this user may pick from."""
        return self.departments | self.coordinated_departments


ANONYMOUS = Access()


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
        departments, coordinated, coordinated_departments, researcher = set(), set(), set(), False
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
        )
    user._registry_access = access
    return access


# -- confidential records ------------------------------------------------------------------


SELF = ""  # `readable_q(body=SELF)`: the filtered model is the body itself


def readable_q(
    access: Access, body: str = "body", level: str = "confidentiality", named: str | None = None
) -> Q:
    """A filter for records that carry a confidentiality level and belong to a body.

    `body` is the path to the record's body (SELF when filtering bodies by a level of their
    own), `level` to its confidentiality field, `named` to the person(s) named on the record
    (e.g. "attendances__person"); paths are relative to the filtered model. Apply with
    `.filter(q).distinct()` when `named` crosses a to-many relation.
    """
    if access.is_admin:
        return Q()
    body_in = f"{body}__in" if body else "pk__in"
    department_in = f"{body}__department__in" if body else "department__in"
    q = Q(**{level: Confidentiality.PUBLIC})
    if access.coordinated:
        q |= Q(**{body_in: access.coordinated})
    partners = Q(**{level: Confidentiality.PARTNERS})
    if access.departments:
        q |= partners & Q(**{department_in: access.departments})
    if access.member_of:
        q |= partners & Q(**{body_in: access.member_of})
    if named and access.person_id:
        q |= Q(**{named: access.person_id})
    return q


def can_read_body_text(access: Access, body: Body, level: str) -> bool:
    """A text that belongs to the body as a whole (a GLTD's problem statement, a plan's
    diagnostic) at `level`: the body's current members count as named on it."""
    return can_read(access, body, level, named=body.pk in access.member_of)


def can_read_problem_statement(access: Access, body: Body) -> bool:
    return can_read_body_text(access, body, body.problem_confidentiality)


def writes_records(access: Access, body: Body) -> bool:
    """Coordinators write the records of their bodies — meetings, attendance, decisions,
    commitments, action plans, actions, indicators, measurements, imports; administrators
    may too."""
    return access.is_admin or body.pk in access.coordinated


# The same rule, named by what the calling page does.
can_record_meetings = can_manage_plans = writes_records


def can_read(access: Access, body: Body, level: str, named: bool = False) -> bool:
    """The object check matching `readable_q`, for one record of `body` at `level`;
    `named` says whether the user's person is named on the record."""
    if access.is_admin or level == Confidentiality.PUBLIC or body.pk in access.coordinated:
        return True
    if named and access.person_id:
        return True
    if level == Confidentiality.PARTNERS:
        return body.department_id in access.departments or body.pk in access.member_of
    return False


# -- reference data: bodies, memberships, people, institutions, sites ----------------------


def _scoped(access: Access, qs: QuerySet | None, model, condition: Q) -> QuerySet:
    """`qs` (all rows of `model` by default) limited to `condition`, except for
    administrators, who reach everything."""
    qs = model.objects.all() if qs is None else qs
    return qs if access.is_admin else qs.filter(condition)


def visible_bodies(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Bodies a user may see: all of them. A body's existence, type, territory and
    composition by institution are public (the directory); what is confidential is in its
    records, filtered by `readable_q`."""
    return Body.objects.all() if qs is None else qs


def administered_bodies(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """Bodies a user may open in the administration, and whose memberships it edits: those
    of its départements (prefecture staff) and those it coordinates."""
    return _scoped(
        access, qs, Body, Q(department_id__in=access.departments) | Q(pk__in=access.coordinated)
    )


def editable_bodies(access: Access, qs: QuerySet | None = None) -> QuerySet:
    return _scoped(access, qs, Body, Q(department_id__in=access.departments))


def editable_memberships(access: Access, qs: QuerySet | None = None) -> QuerySet:
    return _scoped(
        access,
        qs,
        Membership,
        Q(body__department_id__in=access.departments) | Q(body_id__in=access.coordinated),
    )


def visible_people(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """People a user may see and edit with their contact details: those who sit or sat (or
    substitute) in a body of the user's départements (prefecture staff) or in a body they
    coordinate, and the people this user created who sit nowhere yet (between creation and
    first membership)."""
    in_scope = Membership.objects.filter(
        Q(body__department_id__in=access.departments) | Q(body_id__in=access.coordinated)
    )
    created_by_user = Person.history.filter(history_type="+", history_user_id=access.user_id)
    return _scoped(
        access,
        qs,
        Person,
        Q(pk__in=in_scope.values("person_id"))
        | Q(pk__in=in_scope.filter(substitute__isnull=False).values("substitute_id"))
        | (
            Q(pk__in=created_by_user.values("id"))
            & ~Q(pk__in=Membership.objects.values("person_id"))
        ),
    )


def seatable_people(access: Access, qs: QuerySet | None = None) -> QuerySet:
    """People a user may seat in a body (membership, substitute): those it sees, except
    itself — a seat in a restricted body opens its records, and nobody grants that to
    themselves but an administrator."""
    people = visible_people(access, qs)
    if access.is_admin or access.person_id is None:
        return people
    return people.exclude(pk=access.person_id)


def visible_institutions(access: Access, qs: QuerySet | None = None) -> QuerySet:
    return _scoped(access, qs, Institution, Q(department_id__in=access.reference_departments))


def editable_institutions(access: Access, qs: QuerySet | None = None) -> QuerySet:
    return _scoped(access, qs, Institution, Q(department_id__in=access.departments))


def editable_sites(access: Access, qs: QuerySet | None = None) -> QuerySet:
    return _scoped(access, qs, Site, Q(department_id__in=access.departments))
