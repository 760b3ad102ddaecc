"""The national overview: the county dashboard's headline figures, one row per département.

Five grouped queries whatever the number of bodies, meetings and commitments. Anonymous
readers and every role but national staff and administrators get the public figures only —
bodies by status and coverage gaps, which are open data; attendance, overdue commitments and
plans are counted for those who may read them everywhere.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from actions.models import ActionPlan
from bodies.models import Body, Department, months_before, start_of, today
from meetings.activity import bodies_with_status
from meetings.models import Attendance, Commitment, Meeting, meeting_readable_q

from .county import rate, uncovered_communes

# `o`: the columns the table sorts by (descending unless the name says otherwise).
SORTS = ["code", "active", "dormant", "uncovered", "attendance", "overdue", "plans"]


@dataclass
class Row:
    department: Department
    statuses: dict = field(default_factory=dict)  # status → count
    uncovered: int = 0
    expected: int = 0
    attended: int = 0
    overdue: int | None = None
    plans: int | None = None

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def active(self) -> int:
        return self.statuses.get(Body.Status.ACTIVE, 0)

    @property
    def dormant(self) -> int:
        return self.statuses.get(Body.Status.DORMANT, 0)

    @property
    def closed(self) -> int:
        """Ended or dissolved."""
        return self.statuses.get(Body.Status.ENDED, 0) + self.statuses.get(Body.Status.DISSOLVED, 0)

    @property
    def attendance(self) -> int | None:
        return rate(self.attended, self.expected)

    def value(self, column: str):
        return {
            "code": self.department.code,
            "active": self.active,
            "dormant": self.dormant,
            "uncovered": self.uncovered,
            "attendance": self.attendance,
            "overdue": self.overdue,
            "plans": self.plans,
        }[column]


def sorted_rows(rows: list[Row], sort: str) -> list[Row]:
    """Rows sorted by `sort` (a column of `SORTS`, `-` first for descending); rows without
    a figure last, either way."""
    column = sort.lstrip("-")
    if column not in SORTS:
        return rows
    known = [row for row in rows if row.value(column) is not None]
    unknown = [row for row in rows if row.value(column) is None]
    return sorted(known, key=lambda row: row.value(column), reverse=sort.startswith("-")) + unknown


def national_rows(access, full: bool, on=None) -> list[Row]:
    """A row per département. `full`: attendance, overdue commitments and plans too,
    counted over what `access` may read."""
    on = on or today()
    rows = {d.pk: Row(d) for d in Department.objects.order_by("code")}
    for item in (
        bodies_with_status(on=on)
        .order_by()
        .values("department_id", "status")
        .annotate(n=Count("pk"))
    ):
        rows[item["department_id"]].statuses[item["status"]] = item["n"]
    for item in uncovered_communes(on).order_by().values("department_id").annotate(n=Count("pk")):
        rows[item["department_id"]].uncovered = item["n"]
    if not full:
        return list(rows.values())
    since = start_of(months_before(on, 12))
    attendance = (
        Attendance.objects.filter(
            membership__isnull=False,
            meeting__status=Meeting.Status.HELD,
            meeting__starts_at__gte=since,
        )
        .filter(meeting_readable_q(access, "meeting"))
        .order_by()
        .values("meeting__body__department_id")
        .annotate(
            expected=Count("pk"), attended=Count("pk", filter=Q(status__in=Attendance.ATTENDED))
        )
    )
    for item in attendance:
        row = rows[item["meeting__body__department_id"]]
        row.expected, row.attended = item["expected"], item["attended"]
    for row in rows.values():
        row.overdue, row.plans = 0, 0
    overdue = (
        Commitment.objects.readable_by(access)
        .overdue(on)
        .order_by()
        .values("body__department_id")
        .annotate(n=Count("pk"))
    )
    for item in overdue:
        rows[item["body__department_id"]].overdue = item["n"]
    plans = (
        ActionPlan.objects.readable_by(access)
        .filter(status=ActionPlan.Status.ADOPTED, starts_on__lte=on, ends_on__gte=on)
        .order_by()
        .values("body__department_id")
        .annotate(n=Count("pk"))
    )
    for item in plans:
        rows[item["body__department_id"]].plans = item["n"]
    return list(rows.values())
