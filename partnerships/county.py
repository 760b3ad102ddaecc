"""The figures of a département's dashboard, each computed by the database.

Every method returns a queryset or a few rows aggregated in SQL (`Count(filter=…)`,
subqueries, a window function), so that the page runs the same number of queries whatever
the number of bodies, meetings and commitments (asserted in tests/test_dashboard.py).

What is counted (README, « Tableaux de bord »):
- Statuses, legal coverage and key people read every body, meeting and membership: a body's
  existence, its activity and who chairs it are public facts.
- Attendance and commitments count only the records the reader may read (for prefecture and
  national staff: every record but restricted ones they are not named on). A figure is the
  count of its list, never more.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Cast, DenseRank

from actions.models import ActionPlan
from actions.progress import IndicatorState, plan_summaries
from bodies.models import Body, Commune, Membership, Site, months_before, start_of, today
from meetings.activity import bodies_with_status
from meetings.filters import State, state_q
from meetings.models import Attendance, Commitment, Meeting, meeting_readable_q

from .integration import correlated_count, with_integration

# Legal thresholds (CSI L132-4, L132-13, D132-9; décret 2010-333 for CODAFs).
CLSPD_OBLIGATION_POPULATION = 5000  # a CLSPD is mandatory above this population
COORDINATOR_OBLIGATION_POPULATION = 15000  # and its coordinator above this one
CODAF_MEETINGS_A_YEAR = 3
KEY_ROLES = (Membership.Role.CHAIR, Membership.Role.COORDINATOR)
DEPARTED_WITHIN_MONTHS = 6
STOPPED_AFTER_MEETINGS = 3  # absent from this many meetings in a row: stopped coming
STOPPED_LOOKBACK_MONTHS = 36


def rate(attended: int, expected: int) -> int | None:
    return round(100 * attended / expected) if expected else None


def uncovered_communes(on=None):
    """Communes with a CLSPD obligation (population over the threshold, or a QPV) that no
    active CLSPD or CISPD covers, in every département (the dashboards filter them)."""
    active = bodies_with_status(on=on).filter(status=Body.Status.ACTIVE)
    return (
        Commune.objects.filter(
            Q(population__gt=CLSPD_OBLIGATION_POPULATION)
            | Q(pk__in=Site.objects.filter(kind=Site.Kind.QPV).values("communes"))
        )
        .exclude(pk__in=active.filter(type=Body.Type.CLSPD).values("commune_id"))
        .exclude(epci_id__in=active.filter(type=Body.Type.CISPD).values("epci_id"))
    )


@dataclass
class Coverage:
    uncovered: list  # communes with an obligation and no active CLSPD or CISPD over them
    without_coordinator: list  # CLSPDs of large communes with no current coordinator
    no_plenary_this_year: list
    no_plenary_last_year: list
    codafs_below_cadence: list


class County:
    """The figures of one département for one reader, on a given day."""

    def __init__(self, department, access, on: datetime.date | None = None):
        self.department = department
        self.access = access
        self.on = on or today()
        self.since = start_of(months_before(self.on, 12))

    # -- bodies ----------------------------------------------------------------------------

    def bodies(self):
        """The département's bodies with their derived status and last held meeting."""
        return bodies_with_status(Body.objects.filter(department=self.department), self.on)

    def dormant(self):
        """Dormant bodies, those silent longest first. One query."""
        return (
            self.bodies()
            .filter(status=Body.Status.DORMANT)
            .select_related("commune", "epci")
            .order_by(F("last_held_on").asc(nulls_first=True), "name")
        )

    # -- legal coverage -------------------------------------------------------------------

    def coverage(self) -> Coverage:
        """Five lists, five queries."""
        uncovered = (
            uncovered_communes(self.on)
            .filter(department=self.department)
            .annotate(
                has_qpv=Exists(Site.objects.filter(kind=Site.Kind.QPV, communes=OuterRef("pk")))
            )
            .order_by("-population", "name")
        )
        living = self.bodies().filter(status__in=[Body.Status.ACTIVE, Body.Status.DORMANT])
        coordinators = Membership.objects.current(self.on).filter(role=Membership.Role.COORDINATOR)
        without_coordinator = (
            living.filter(
                type=Body.Type.CLSPD, commune__population__gt=COORDINATOR_OBLIGATION_POPULATION
            )
            .exclude(pk__in=coordinators.values("body_id"))
            .select_related("commune")
            .order_by("-commune__population")
        )

        def without_plenary(year):
            plenaries = Meeting.objects.filter(
                kind=Meeting.Kind.PLENARY,
                status=Meeting.Status.HELD,
                starts_at__gte=start_of(datetime.date(year, 1, 1)),
                starts_at__lt=start_of(datetime.date(year + 1, 1, 1)),
            )
            return list(
                living.filter(type=Body.Type.CLSPD)
                .filter(Q(created_on__isnull=True) | Q(created_on__lte=datetime.date(year, 12, 31)))
                .exclude(pk__in=plenaries.values("body_id"))
                .select_related("commune")
                .order_by("name")
            )

        held_12m = correlated_count(
            Meeting.objects.filter(
                body=OuterRef("pk"), status=Meeting.Status.HELD, starts_at__gte=self.since
            )
        )
        codafs = (
            living.filter(type=Body.Type.CODAF)
            .annotate(held_12m=held_12m)
            .filter(held_12m__lt=CODAF_MEETINGS_A_YEAR)
            .order_by("name")
        )
        return Coverage(
            uncovered=list(uncovered),
            without_coordinator=list(without_coordinator),
            no_plenary_this_year=without_plenary(self.on.year),
            no_plenary_last_year=without_plenary(self.on.year - 1),
            codafs_below_cadence=list(codafs),
        )

    # -- participation ---------------------------------------------------------------------

    def readable(self):
        """Attendance rows at meetings the reader may read, as a condition on the row's
        meeting (a join, not a subquery over every meeting in France)."""
        return meeting_readable_q(self.access, "meeting")

    def seats_at_held_meetings(self):
        """Attendance rows of members (not guests: the rows made from a seat current on the
        meeting's day) at the held meetings of the last twelve months that the reader may
        read."""
        return Attendance.objects.filter(
            membership__isnull=False,
            meeting__status=Meeting.Status.HELD,
            meeting__body__department=self.department,
            meeting__starts_at__gte=self.since,
        ).filter(self.readable())

    def _rates(self, rows, *group):
        return (
            rows.values(*group)
            .annotate(
                expected=Count("pk"),
                attended=Count("pk", filter=Q(status__in=Attendance.ATTENDED)),
            )
            .annotate(rate=Cast(F("attended"), FloatField()) * 100 / F("expected"))
            .order_by("rate", *group)
        )

    def attendance_by_category(self):
        """Attendance rate per institution category, lowest first. One query."""
        return list(self._rates(self.seats_at_held_meetings(), "institution__category"))

    def attendance_by_institution(self):
        """Attendance rate per institution, lowest first, and whether it ever owned a
        commitment the reader may read in the département (attending without ever
        committing is « participation formelle »). One query."""
        owns = self.readable_commitments().filter(owner_institution=OuterRef("institution_id"))
        return list(
            self._rates(
                self.seats_at_held_meetings(),
                "institution_id",
                "institution__name",
                "institution__category",
            ).annotate(owns_commitments=Exists(owns))
        )

    def stopped_coming(self):
        """Institutions that hold a seat, came before, and were absent (or excused) from the
        last three meetings of the body where they were expected (within three years). Two
        queries. The first ranks, with a window, the meetings where each institution was
        expected in each body, newest first — an institution with several seats at a
        meeting counts that meeting once, and came if any of its representatives came —
        and keeps those absent from the last three; the second reads, for those (body,
        institution) pairs only, whether the institution ever came and still holds a seat.
        (Asked in the first query, both checks ran for every attendance row before the
        grouping: half a second for a large département.)"""
        expected = Attendance.objects.filter(
            membership__isnull=False,
            meeting__status=Meeting.Status.HELD,
            meeting__body__department=self.department,
        ).filter(self.readable())
        # The last three meetings fall within three years (bodies meet four to ten times a
        # year): ranking only those keeps the window small; coming before reads all history.
        recent = expected.filter(
            meeting__starts_at__gte=start_of(months_before(self.on, STOPPED_LOOKBACK_MONTHS))
        )
        latest = recent.annotate(
            rank=Window(
                DenseRank(),
                partition_by=[F("meeting__body_id"), F("institution_id")],
                order_by=[F("meeting__starts_at").desc(), F("meeting_id").desc()],
            )
        ).filter(rank__lte=STOPPED_AFTER_MEETINGS)
        candidates = list(
            recent.filter(pk__in=latest.values("pk"))
            .values(
                "meeting__body_id", "meeting__body__name", "institution_id", "institution__name"
            )
            .annotate(
                missed=Count("meeting_id", distinct=True),
                attended=Count("pk", filter=Q(status__in=Attendance.ATTENDED)),
                last_missed=Max("meeting__starts_at"),
            )
            .filter(missed=STOPPED_AFTER_MEETINGS, attended=0)
            .order_by("institution__name", "meeting__body__name")
        )
        # [0]: no body has that id; the query runs all the same, so that the page's query
        # count does not depend on the data.
        bodies = sorted({row["meeting__body_id"] for row in candidates}) or [0]
        institutions = sorted({row["institution_id"] for row in candidates}) or [0]
        came = (
            expected.filter(
                meeting__body_id__in=bodies,
                institution_id__in=institutions,
                status__in=Attendance.ATTENDED,
            )
            .order_by()
            .values_list("meeting__body_id", "institution_id", Value("came"))
            .distinct()
        )
        seated = (
            Membership.objects.current(self.on)
            .filter(body_id__in=bodies, institution_id__in=institutions)
            .order_by()
            .values_list("body_id", "institution_id", Value("seated"))
            .distinct()
        )
        checks = set(came.union(seated))
        return [
            row
            for row in candidates
            if (row["meeting__body_id"], row["institution_id"], "came") in checks
            and (row["meeting__body_id"], row["institution_id"], "seated") in checks
        ]

    # -- contributions ---------------------------------------------------------------------

    def readable_commitments(self):
        return Commitment.objects.readable_by(self.access).filter(body__department=self.department)

    def _states(self):
        on = self.on
        # The states as the commitments list filters them (`meetings.filters.State`): « en
        # cours » counts the overdue ones too, so that each figure is the count of its list.
        fell_due = Q(due_on__lte=on) & ~Q(status=Commitment.Status.DROPPED)
        return {
            "open": Count("pk", filter=state_q(State.OPEN, on)),
            "overdue": Count("pk", filter=state_q(State.OVERDUE, on)),
            "done": Count("pk", filter=state_q(State.DONE, on)),
            "dropped": Count("pk", filter=state_q(State.DROPPED, on)),
            # of those that fell due by today (not dropped), the ones done by their due date
            "due": Count("pk", filter=fell_due),
            "on_time": Count(
                "pk",
                filter=fell_due & Q(status=Commitment.Status.DONE, done_on__lte=F("due_on")),
            ),
        }

    def commitments_by_institution(self):
        """Commitments by owner institution and state, most overdue first. One query."""
        return list(
            self.readable_commitments()
            .values("owner_institution_id", "owner_institution__name")
            .annotate(**self._states())
            .order_by("-overdue", "owner_institution__name")
        )

    def commitment_totals(self) -> dict:
        """The same counts over the whole département. One query."""
        return self.readable_commitments().aggregate(**self._states())

    def median_delay(self) -> tuple[int, float | None]:
        """How many commitments were done after their due date, and the median delay in
        days. Two queries: the count, then the one or two middle rows."""
        late = self.readable_commitments().filter(
            status=Commitment.Status.DONE, done_on__gt=F("due_on")
        )
        count = late.count()
        # The middle rows are read even when there are none, so that the page's query
        # count does not depend on the data.
        middle = list(
            late.order_by(F("done_on") - F("due_on"), "pk").values_list("done_on", "due_on")[
                max(0, (count - 1) // 2) : count // 2 + 1
            ]
        )
        if not count:
            return 0, None
        delays = [(done - due).days for done, due in middle]
        return count, sum(delays) / len(delays)

    # -- key people ------------------------------------------------------------------------

    def departed_key_people(self):
        """Chairs and coordinators whose seat ended in the last six months. One query."""
        return (
            Membership.objects.filter(
                body__department=self.department,
                role__in=KEY_ROLES,
                ended_on__gte=months_before(self.on, DEPARTED_WITHIN_MONTHS),
                ended_on__lt=self.on,
            )
            .select_related("body", "institution")
            .order_by("-ended_on")
        )

    def bodies_missing_key_people(self):
        """Living bodies without a current chair (where the type has one) or, for CLSPDs and
        CISPDs, without a current coordinator. One query."""
        current = Membership.objects.current(self.on).filter(body=OuterRef("pk"))
        lacks_chair = Q(type__in=list(Body.CHAIR_CATEGORIES)) & ~Exists(
            current.filter(role=Membership.Role.CHAIR)
        )
        lacks_coordinator = Q(type__in=[Body.Type.CLSPD, Body.Type.CISPD]) & ~Exists(
            current.filter(role=Membership.Role.COORDINATOR)
        )
        return (
            self.bodies()
            .filter(status__in=[Body.Status.ACTIVE, Body.Status.DORMANT])
            .annotate(
                lacks_chair=ExpressionWrapper(lacks_chair, output_field=BooleanField()),
                lacks_coordinator=ExpressionWrapper(lacks_coordinator, output_field=BooleanField()),
            )
            .filter(Q(lacks_chair=True) | Q(lacks_coordinator=True))
            .order_by("name")
        )

    def changed_and_silent(self):
        """Bodies whose chair or coordinator changed (a current seat that succeeded an ended
        one of the same role) and that have not held a meeting since. One query."""
        successors = (
            Membership.objects.current(self.on)
            .filter(
                body=OuterRef("pk"),
                role__in=KEY_ROLES,
            )
            .filter(
                Exists(
                    Membership.objects.filter(
                        body=OuterRef("body"),
                        role=OuterRef("role"),
                        ended_on__lt=OuterRef("started_on"),
                    )
                )
            )
        )
        latest_change = Subquery(successors.order_by("-started_on").values("started_on")[:1])
        return (
            self.bodies()
            .filter(status__in=[Body.Status.ACTIVE, Body.Status.DORMANT])
            .annotate(changed_on=latest_change)
            .filter(changed_on__isnull=False)
            .filter(Q(last_held_on__isnull=True) | Q(last_held_on__lt=F("changed_on")))
            .order_by("changed_on")
        )

    # -- plans -----------------------------------------------------------------------------

    def plans_in_force(self):
        """Adopted plans whose period holds today, readable, with their progress: the mean
        progress of their actions and their indicators by state (three queries,
        `actions.progress.plan_summaries`)."""
        plans = ActionPlan.objects.readable_by(self.access).filter(
            body__department=self.department,
            status=ActionPlan.Status.ADOPTED,
            starts_on__lte=self.on,
            ends_on__gte=self.on,
        )
        return plan_summaries(plans.order_by("body__name", "starts_on"), self.on)

    def without_plan(self):
        """Active CLSPDs and CISPDs with no adopted plan in force that the reader may read
        (the same plans as `plans_in_force`: a hidden plan is neither listed nor revealed).
        One query."""
        in_force = ActionPlan.objects.readable_by(self.access).filter(
            status=ActionPlan.Status.ADOPTED, starts_on__lte=self.on, ends_on__gte=self.on
        )
        return (
            self.bodies()
            .filter(status=Body.Status.ACTIVE, type__in=[Body.Type.CLSPD, Body.Type.CISPD])
            .exclude(pk__in=in_force.values("body_id"))
            .order_by("name")
        )

    # -- integration -----------------------------------------------------------------------

    def integration(self):
        """Living bodies with their level of integration and what it rests on. One query."""
        return with_integration(
            self.bodies().filter(status__in=[Body.Status.ACTIVE, Body.Status.DORMANT]),
            self.on,
        ).order_by("-integration", "name")


def indicators_behind(plans) -> int:
    """Indicators behind their trajectory, over plans from `plan_summaries`."""
    return sum(
        n
        for plan in plans
        for state, _label, n in plan.progress.indicators_by_state
        if state == IndicatorState.BEHIND
    )


def share(part: int, whole: int) -> int | None:
    return round(100 * Decimal(part) / whole) if whole else None
