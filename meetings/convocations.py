"""Convocations: a planned meeting sent to the body's members by e-mail, with an iCalendar
invitation; its update when the meeting moves, its cancellation when it is cancelled.

Who receives it: every member seated on the meeting's date (and, if the coordinator asks,
their substitutes) who has an address, may read the meeting (`accesses_of_people`: a
restricted meeting only those named on it) and has not stopped convocations. The others are
listed, each under the reason it was left out. A restricted meeting's e-mail carries neither
its place nor its agenda: it links to the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from bodies.access import accesses_of_people, can_read
from bodies.models import Membership
from mail.models import Kind
from mail.sending import Outgoing, Recipient, Report, absolute_url, send, stopped_addresses

from .calendars import invitation, shows_details
from .models import Convocation, Meeting

Method = Convocation.Method


@dataclass
class Invitee:
    person: object
    institution: object
    as_substitute: bool = False

    @property
    def address(self) -> str:
        return self.person.email.strip()


@dataclass
class Plan:
    """Who a sending reaches, and who it leaves out and why."""

    meeting: Meeting
    method: str
    sequence: int
    recipients: list[Invitee] = field(default_factory=list)
    without_address: list[Invitee] = field(default_factory=list)
    may_not_read: list[Invitee] = field(default_factory=list)
    stopped: list[Invitee] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.method == Method.REQUEST and self.sequence > 0


def latest_by_person(meeting) -> dict[int, Convocation]:
    """The last convocation row of each person for `meeting`. One query."""
    latest: dict[int, Convocation] = {}
    for row in meeting.convocations.select_related("person__user").order_by("-sent_at", "-pk"):
        latest.setdefault(row.person_id, row)
    return latest


def method_for(meeting) -> str | None:
    """What the meeting calls for: a convocation while planned and ahead, a cancellation once
    cancelled; nothing once held or past."""
    if meeting.status == Meeting.Status.CANCELLED:
        return Method.CANCEL
    if meeting.status == Meeting.Status.PLANNED and meeting.starts_at > timezone.now():
        return Method.REQUEST
    return None


def next_sequence(meeting, method: str) -> int:
    """The invitation's SEQUENCE: the last one sent, plus one when what it announced (date,
    place, or convocation versus cancellation) has changed since. One query."""
    last = meeting.convocations.filter(sent=True).order_by("-sequence").first()
    if last is None:
        return 0
    announced = (last.starts_at, last.place, last.method)
    return last.sequence + (announced != (meeting.starts_at, meeting.place, method))


def has_changed(meeting, latest: dict[int, Convocation]) -> bool:
    """Whether the meeting has moved, or been cancelled, since its convocation was sent."""
    sent = [row for row in latest.values() if row.sent]
    if not sent:
        return False
    last = max(sent, key=lambda row: (row.sent_at, row.pk))
    method = method_for(meeting) or last.method
    return (last.starts_at, last.place, last.method) != (meeting.starts_at, meeting.place, method)


def plan(meeting, method: str, *, substitutes: bool = False, only_failed: bool = False) -> Plan:
    """Who a convocation (or cancellation) of `meeting` reaches. A convocation goes to the
    members seated on the meeting's date, and their substitutes if asked; a cancellation to
    those convened. `only_failed` keeps those whose last e-mail failed. Queries: the seats
    (or the rows sent), the attendance, the readers' seats and accounts, the preferences."""
    body = meeting.body
    result = Plan(meeting, method, next_sequence(meeting, method))
    latest = latest_by_person(meeting)
    if method == Method.CANCEL:
        invitees = [
            Invitee(row.person, None, row.as_substitute)
            for row in latest.values()
            if row.sent and row.method == Method.REQUEST
        ]
    else:
        seats = (
            Membership.objects.current(meeting.date)
            .filter(body=body)
            .select_related("person__user", "substitute__user", "institution")
            .order_by("institution__name", "person__last_name", "pk")
        )
        invitees, seen = [], set()
        for seat in seats:
            candidates = [Invitee(seat.person, seat.institution)]
            if substitutes and seat.substitute is not None:
                candidates.append(Invitee(seat.substitute, seat.institution, as_substitute=True))
            for invitee in candidates:
                if invitee.person.pk not in seen:
                    seen.add(invitee.person.pk)
                    invitees.append(invitee)
    if only_failed:
        invitees = [i for i in invitees if i.person.pk in latest and not latest[i.person.pk].sent]
    named = set(meeting.attendances.values_list("person_id", flat=True))
    accesses = accesses_of_people(i.person for i in invitees)
    with_address = []
    for invitee in invitees:
        access = accesses[invitee.person.pk]
        if not can_read(access, body, meeting.confidentiality, named=invitee.person.pk in named):
            result.may_not_read.append(invitee)
        elif not invitee.address:
            result.without_address.append(invitee)
        else:
            with_address.append(invitee)
    stopped = stopped_addresses(Kind.CONVOCATION, [i.address for i in with_address])
    for invitee in with_address:
        target = result.stopped if invitee.address.lower() in stopped else result.recipients
        target.append(invitee)
    return result


def convene(convocation_plan: Plan, user) -> Report:
    """Sends the plan's e-mails, then records each one, sent or failed, in one transaction:
    nothing is recorded for an e-mail not attempted. Never raises on a mail failure."""
    meeting, method, sequence = (
        convocation_plan.meeting,
        convocation_plan.method,
        convocation_plan.sequence,
    )
    detailed = shows_details(meeting)
    agenda = [item.title for item in meeting.agenda_items.all()]
    # labels (the meeting's kind, dates) are rendered in each recipient's language, not in
    # the sender's: the templates read them from the meeting
    context = {
        "meeting": meeting,
        "body_name": meeting.body.name,
        "place": meeting.place if detailed else "",
        "agenda": agenda if detailed else [],
        "detailed": detailed,
        "page_url": absolute_url(meeting.get_absolute_url()),
        "cancelled": method == Method.CANCEL,
        "is_update": convocation_plan.is_update,
    }
    outgoing = [
        Outgoing(
            recipient=Recipient(invitee.address, str(invitee.person)),
            template="meetings/mail/convocation",
            context={**context, "invitee": invitee},
            attachments=lambda address=invitee.address: [
                invitation(
                    meeting, method=method, sequence=sequence, address=address, agenda=agenda
                )
            ],
            key=invitee,
        )
        for invitee in convocation_plan.recipients
    ]
    report = send(Kind.CONVOCATION, outgoing)
    now = timezone.now()
    rows = [
        Convocation(
            meeting=meeting,
            person=item.key.person,
            address=item.recipient.address,
            as_substitute=item.key.as_substitute,
            method=method,
            sequence=sequence,
            starts_at=meeting.starts_at,
            place=meeting.place,
            sent=sent,
            sent_at=now,
            sent_by=user,
        )
        for items, sent in ((report.sent, True), (report.failed, False))
        for item in items
    ]
    with transaction.atomic():
        Convocation.objects.bulk_create(rows)
    return report


@dataclass
class Summary:
    """What the meeting page shows its coordinators about the convocation."""

    rows: list[Convocation]
    failed: int
    changed: bool
    method: str | None


def summary(meeting) -> Summary:
    """Who was convened and when, what failed, whether the meeting moved since. One query."""
    latest = latest_by_person(meeting)
    rows = sorted(latest.values(), key=lambda r: (r.person.last_name, r.person.first_name))
    return Summary(
        rows=rows,
        failed=sum(not row.sent for row in rows),
        changed=has_changed(meeting, latest),
        method=method_for(meeting),
    )
