"""Whether a body lives: its last held meeting, read by the database for any number of bodies.

`bodies` derives a body's status from it (`BodyQuerySet.with_status`) but cannot read
meetings itself (imports run one way), so every list that shows a status — the directory, the
body page, the home page, the administration, the dashboards — asks here.
"""

import datetime

from django.db.models import DateField, OuterRef, Subquery
from django.db.models.functions import TruncDate

from bodies.models import Body

from .models import Meeting


def last_held_on() -> Subquery:
    """The date of the body's last held meeting (`OuterRef("pk")` is the body): one index
    lookup per body on `meetings_body_held_idx`."""
    return Subquery(
        Meeting.objects.filter(body=OuterRef("pk"), status=Meeting.Status.HELD)
        .order_by("-starts_at")
        .annotate(day=TruncDate("starts_at"))
        .values("day")[:1],
        output_field=DateField(),
    )


def bodies_with_status(qs=None, on: datetime.date | None = None):
    """`qs` (every body by default) with `last_held_on` and the derived `status`."""
    return (Body.objects.all() if qs is None else qs).with_status(last_held_on(), on)
