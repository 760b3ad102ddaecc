"""Who may see and change what, as named rules over an `Access`: no models imported here.

Models' querysets (`ActionPlan.objects.readable_by(access)`), the administration and the views
ask these functions; nobody reads an `Access` field elsewhere. `bodies.access` computes the
`Access` of a user and adds the rules that need queries (it imports the models, which import
this module). Three kinds of rule:

- role rules (`is_administrator`, `edits_reference_data`…): what a role does at all, no query;
- object rules (`can_read`, `can_edit_body`…): one record, no query;
- filters (`readable_q`, `staff_scope_q`…): the same rules as `Q` objects over a path to the
  record's body or département, so that a list costs one query. Administrators get `Q()`.

Roles (domain guide §6, README "Roles and confidentiality"):
- administrator: a superuser; everything.
- prefecture staff: `RoleAssignment` over départements; reads every record of their
  départements except `restricted` ones (unless named), edits bodies, institutions, people,
  memberships and sites there.
- coordinator: `RoleAssignment` over bodies; reads and writes every record of those bodies,
  edits their memberships (and the people and institutions those memberships need).
- member: a user linked to a `Person`; reads `partners` records of the bodies where that
  person currently sits, and `restricted` records where the person is named.
- national staff (CIPDR): `RoleAssignment` without scope; reads the dashboards of every
  département and the national overview, and, like prefecture staff everywhere, the
  `partners` records they count — never `restricted` ones; edits nothing.
- researcher: research exports only (pseudonymised, never confidential records).
- public: `public` records only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .enums import Confidentiality


@dataclass(frozen=True)
class Access:
    """What one user may reach, computed once per request (`bodies.access.access_for`)."""

    is_authenticated: bool = False
    user_id: int | None = None
    is_admin: bool = False
    departments: frozenset[int] = frozenset()  # prefecture staff: department ids
    coordinated: frozenset[int] = frozenset()  # coordinator: body ids
    coordinated_departments: frozenset[int] = frozenset()  # départements of those bodies
    member_of: frozenset[int] = frozenset()  # member: body ids with a current membership
    person_id: int | None = None
    is_researcher: bool = False
    is_national: bool = False  # CIPDR staff: aggregates everywhere


ANONYMOUS = Access()

SELF = ""  # a path to the filtered row itself: `readable_q(access, body=SELF)` for bodies


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def _ids(path: str) -> str:
    """The lookup of an id among several, from a path to a body or a département (SELF: the
    filtered row itself)."""
    return f"{path}_id__in" if path else "pk__in"


# -- what a role does at all (no query) ----------------------------------------------------


def is_administrator(access: Access) -> bool:
    """Administrators reach every record and every choice, without scope."""
    return access.is_admin


def uses_administration(access: Access) -> bool:
    """May open the administration: administrators, prefecture staff, coordinators."""
    return access.is_admin or bool(access.departments or access.coordinated)


def edits_reference_data(access: Access) -> bool:
    """Adds and changes bodies, institutions, sites and seats: prefecture staff, administrators."""
    return access.is_admin or bool(access.departments)


def writes_plans(access: Access) -> bool:
    """Writes action plans (of the bodies it coordinates): coordinators, administrators."""
    return access.is_admin or bool(access.coordinated)


def may_read_history(access: Access) -> bool:
    """Reads the audit history of records in scope: prefecture staff, administrators."""
    return access.is_admin or bool(access.departments)


def reads_county_dashboard(access: Access, department_id: int) -> bool:
    """A département's dashboard: its prefecture staff, national staff, administrators."""
    return access.is_admin or access.is_national or department_id in access.departments


def reads_national_figures(access: Access) -> bool:
    """Every figure of the national overview (others see its public ones): national staff,
    administrators."""
    return access.is_admin or access.is_national


def dashboard_department_ids(access: Access) -> frozenset[int]:
    """The départements whose dashboard is the user's own (prefecture staff)."""
    return access.departments


def exports_names(access: Access) -> bool:
    """May ask for the names of the people it reads in the exports (personal data files):
    prefecture staff, coordinators, administrators — never the public, researchers or
    national staff."""
    return access.is_admin or bool(access.departments or access.coordinated)


def has_workspace(access: Access) -> bool:
    """Has bodies of its own to follow (« Mes instances »): coordinators and members."""
    return bool(access.coordinated or access.member_of)


def workspace_body_ids(access: Access) -> frozenset[int]:
    """The bodies on the user's « Mes instances »: those it coordinates or sits in."""
    return access.coordinated | access.member_of


def followed_bodies_q(access: Access, body: str = "body") -> Q | None:
    """Records of the bodies a user follows in its private calendar: those it coordinates or
    sits in, and those of its départements (prefecture staff); None when it follows none (an
    administrator follows its own bodies only, like anyone)."""
    q = Q()
    if access.coordinated or access.member_of:
        q |= Q(**{_ids(body): access.coordinated | access.member_of})
    if access.departments:
        q |= Q(**{_ids(_path(body, "department")): access.departments})
    return q or None


def coordinated_body_ids(access: Access) -> frozenset[int]:
    """The bodies whose plans and indicators the user keeps up to date."""
    return access.coordinated


# -- one record (no query) -----------------------------------------------------------------


def can_read(access: Access, body, level: str, named: bool = False) -> bool:
    """The object rule matching `readable_q`, for one record of `body` at `level`; `named`
    says whether the user's person is named on the record."""
    if access.is_admin or level == Confidentiality.PUBLIC or body.pk in access.coordinated:
        return True
    if named and access.person_id:
        return True
    if level == Confidentiality.PARTNERS:
        return (
            access.is_national
            or body.department_id in access.departments
            or body.pk in access.member_of
        )
    return False


def can_see_member_names(access: Access, body, named: bool = False) -> bool:
    """The names of a body's members on its records (attendance): the body's partners —
    its members, coordinators, the prefecture staff of its département — and those named.
    National staff read partners-level records everywhere, but not who attended them."""
    if access.is_national and not (
        access.is_admin
        or body.pk in access.coordinated
        or body.department_id in access.departments
        or body.pk in access.member_of
        or (named and access.person_id)
    ):
        return False
    return can_read(access, body, Confidentiality.PARTNERS, named=named)


def can_read_body_text(access: Access, body, level: str) -> bool:
    """A text that belongs to the body as a whole (a GLTD's problem statement, a plan's
    diagnostic) at `level`: the body's current members count as named on it."""
    return can_read(access, body, level, named=body.pk in access.member_of)


def can_read_problem_statement(access: Access, body) -> bool:
    """A GLTD's problem statement, at its own level."""
    return can_read_body_text(access, body, body.problem_confidentiality)


def is_person(access: Access, person_id: int | None) -> bool:
    """Whether `person_id` is the user's own person (named on a record through it)."""
    return access.person_id is not None and person_id == access.person_id


def can_read_commitment(access: Access, body, commitment) -> bool:
    """A commitment of `body`: it names its owner, not the meeting's attendees."""
    return can_read(
        access,
        body,
        commitment.confidentiality,
        named=is_person(access, commitment.owner_person_id),
    )


def writes_records(access: Access, body) -> bool:
    """Coordinators write the records of their bodies — meetings, attendance, decisions,
    commitments, action plans, actions, indicators, measurements, imports; administrators
    may too."""
    return access.is_admin or body.pk in access.coordinated


# The same rule, named by what the calling page does.
can_record_meetings = can_manage_plans = writes_records


def can_edit_body(access: Access, body) -> bool:
    """Changes a body and the seats already recorded in it: prefecture staff of its
    département, administrators."""
    return access.is_admin or body.department_id in access.departments


def can_edit_composition(access: Access, body) -> bool:
    """Adds, replaces and ends the seats of a body on its « Composition » page: its
    coordinators, the prefecture staff of its département, administrators."""
    return writes_records(access, body) or can_edit_body(access, body)


def may_seat_self(access: Access) -> bool:
    """Whether the user may seat its own person in a body: a seat in a restricted body opens
    its records, and nobody grants that to themselves but an administrator."""
    return access.is_admin or access.person_id is None


# -- filters: the same rules over many records ---------------------------------------------


def readable_q(
    access: Access, body: str = "body", level: str = "confidentiality", named: str | None = None
) -> Q:
    """Records that carry a confidentiality level and belong to a body, readable by `access`.

    `body` is the path to the record's body (SELF when filtering bodies by a level of their
    own), `level` to its confidentiality field, `named` to the person(s) named on the record
    (e.g. "attendances__person"); paths are relative to the filtered model. Apply with
    `.filter(q).distinct()` when `named` crosses a to-many relation.
    """
    if access.is_admin:
        return Q()
    q = Q(**{level: Confidentiality.PUBLIC})
    if access.coordinated:
        q |= coordinated_q(access, body)
    partners = Q(**{level: Confidentiality.PARTNERS})
    if access.is_national:
        q |= partners
    elif access.departments:
        q |= partners & department_scope_q(access, _path(body, "department"))
    if access.member_of:
        q |= partners & members_q(access, body)
    if named and access.person_id:
        q |= Q(**{named: access.person_id})
    return q


def coordinated_q(access: Access, body: str = "body") -> Q:
    """Records of the bodies the user coordinates (everything for administrators)."""
    if access.is_admin:
        return Q()
    return Q(**{_ids(body): access.coordinated})


def members_q(access: Access, body: str = "body") -> Q:
    """Records of the bodies where the user's person currently sits."""
    if access.is_admin:
        return Q()
    return Q(**{_ids(body): access.member_of})


def department_scope_q(access: Access, department: str = "department") -> Q:
    """Rows of the prefecture staff's départements (everything for administrators);
    `department` is the path to the row's département."""
    if access.is_admin:
        return Q()
    return Q(**{_ids(department): access.departments})


def staff_scope_q(access: Access, body: str = "body") -> Q:
    """Records of the bodies a user administers: those of its départements (prefecture
    staff) and those it coordinates."""
    if access.is_admin:
        return Q()
    return department_scope_q(access, _path(body, "department")) | coordinated_q(access, body)


def reference_scope_q(access: Access, department: str = "department") -> Q:
    """Reference rows (institutions, sites, communes) a user may pick from: those of its
    départements and of the départements of the bodies it coordinates."""
    if access.is_admin:
        return Q()
    return Q(**{_ids(department): access.departments | access.coordinated_departments})
