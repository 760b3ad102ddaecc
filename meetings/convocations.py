"""Convocations: a planned meeting sent to the body's members by e-mail, with an iCalendar
invitation; its update when the meeting moves, its cancellation when it is cancelled.

Who receives it: every member seated on the meeting's date (and, if the coordinator asks,
their substitutes) who has an address, may read the meeting (`accesses_of_people`: a
restricted meeting only those named on it) and has not stopped convocations. The others are
listed, each under the reason it was left out. A restricted meeting's e-mail carries neither
its place nor its agenda: it links to the page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from bodies.access import accesses_of_people, can_read
from bodies.models import Membership
from mail.models import Kind
from mail.sending import Outgoing, Recipient, Report, absolute_url, send, stopped_addresses

from .calendars import invitation, shows_details
from .models import Convocation, ConvocationSending, Meeting

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
    digest: str = "-"

    @property
    def is_update(self) -> bool:
        return self.method == Method.REQUEST and self.sequence > 0


def claim(meeting) -> ConvocationSending | None:
    """Claims the sending of `meeting`'s convocation: the claim when this caller won it, None
    when another sending is under way. Each statement commits on its own (autocommit, never
    inside a request's transaction), and the meeting's primary key lets one INSERT succeed:
    one winner on SQLite as on PostgreSQL. A claim older than `STALE_AFTER` is taken over."""
    now = timezone.now()
    ConvocationSending.objects.filter(
        meeting=meeting, started_at__lt=now - ConvocationSending.STALE_AFTER
    ).delete()
    try:
        # its own transaction, committed on leaving (the view runs in autocommit); a
        # savepoint only inside a test's transaction
        with transaction.atomic():
            return ConvocationSending.objects.create(meeting=meeting, started_at=now)
    except IntegrityError:
        return None


def release(sending: ConvocationSending) -> None:
    """Ends a claimed sending (only this one: a stale claim taken over is not released by
    the worker that lost it)."""
    ConvocationSending.objects.filter(
        meeting_id=sending.meeting_id, started_at=sending.started_at
    ).delete()


def sending_under_way(meeting) -> bool:
    stale = timezone.now() - ConvocationSending.STALE_AFTER
    return ConvocationSending.objects.filter(meeting=meeting, started_at__gte=stale).exists()


def latest_by_person(meeting) -> dict[int, Convocation]:
    """The last convocation row of each person for `meeting`. One query."""
    latest: dict[int, Convocation] = {}
    for row in meeting.convocations.select_related("person__user").order_by("-sent_at", "-pk"):
        latest.setdefault(row.person_id, row)
    return latest


def holders_of_the_invitation(meeting) -> list[Convocation]:
    """One row per person who received (or may have received: outcome unknown) a
    convocation of `meeting`, at any sequence: they hold the event in their calendars. One
    query."""
    holders: dict[int, Convocation] = {}
    rows = (
        meeting.convocations.filter(method=Method.REQUEST)
        .exclude(sent=False)
        .select_related("person__user")
        .order_by("-sent_at", "-pk")
    )
    for row in rows:
        holders.setdefault(row.person_id, row)
    return sorted(holders.values(), key=lambda r: (r.person.last_name, r.person.first_name, r.pk))


def method_for(meeting) -> str | None:
    """What the meeting calls for: a convocation while planned and ahead, a cancellation once
    cancelled; nothing once held or past."""
    if meeting.status == Meeting.Status.CANCELLED:
        return Method.CANCEL
    if meeting.status == Meeting.Status.PLANNED and meeting.starts_at > timezone.now():
        return Method.REQUEST
    return None


def agenda_digest(meeting, titles=None) -> str:
    """What a convocation announces of the agenda, as a SHA-256 of its titles: « - » for a
    restricted meeting, whose e-mails carry no agenda. One query unless `titles` given."""
    if not shows_details(meeting):
        return "-"
    if titles is None:
        titles = [item.title for item in meeting.agenda_items.all()]
    return hashlib.sha256("\x1f".join(titles).encode()).hexdigest()


def _announced_differently(row, meeting, method: str, digest: str) -> bool:
    """Whether `row` announced something else than the meeting now would: date, place,
    convocation versus cancellation, or (between two convocations) the agenda."""
    if (row.starts_at, row.place, row.method) != (meeting.starts_at, meeting.place, method):
        return True
    return method == Method.REQUEST and row.agenda_digest != "" and row.agenda_digest != digest


def next_sequence(meeting, method: str, digest: str) -> int:
    """The invitation's SEQUENCE: the last one attempted, plus one when what it announced (date,
    place, agenda, or convocation versus cancellation) has changed since. One query."""
    # every attempt counts, failed ones too: an e-mail refused after its data may still
    # arrive, and a SEQUENCE is never reused for something else
    last = meeting.convocations.order_by("-sequence", "-pk").first()
    if last is None:
        return 0
    return last.sequence + _announced_differently(last, meeting, method, digest)


def has_changed(meeting, latest: dict[int, Convocation], digest: str) -> bool:
    """Whether the meeting has moved, its agenda changed, or it has been cancelled, since its
    convocation was sent."""
    sent = [row for row in latest.values() if row.sent is not False]
    if not sent:
        return False
    last = max(sent, key=lambda row: (row.sent_at, row.pk))
    method = method_for(meeting) or last.method
    return _announced_differently(last, meeting, method, digest)


def plan(meeting, method: str, *, substitutes: bool = False, only_failed: bool = False) -> Plan:
    """Who a convocation (or cancellation) of `meeting` reaches. A convocation goes to the
    members seated on the meeting's date, and their substitutes if asked; a cancellation to
    everyone who may hold its invitation: whoever received (or may have received) a
    convocation of it, at any sequence. `only_failed` keeps exactly those whose last e-mail
    failed, as they were sent (substitutes too), whatever the seats say now. Queries: the
    seats (or the rows), the attendance, the readers' seats and accounts, the preferences."""
    body = meeting.body
    digest = agenda_digest(meeting)
    result = Plan(meeting, method, next_sequence(meeting, method, digest), digest=digest)
    latest = latest_by_person(meeting)
    if method == Method.CANCEL and not only_failed:
        invitees = [
            Invitee(row.person, None, row.as_substitute)
            for row in holders_of_the_invitation(meeting)
        ]
    elif method == Method.CANCEL:
        invitees = [
            Invitee(row.person, None, row.as_substitute)
            for row in latest.values()
            if row.sent is False and row.method == method
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
            # a retry sends again whoever failed, substitutes too, whatever the box says
            if (substitutes or only_failed) and seat.substitute is not None:
                candidates.append(Invitee(seat.substitute, seat.institution, as_substitute=True))
            for invitee in candidates:
                if invitee.person.pk not in seen:
                    seen.add(invitee.person.pk)
                    invitees.append(invitee)
        if only_failed:
            failed = {
                row.person_id: row
                for row in latest.values()
                if row.sent is False and row.method == method
            }
            invitees = [i for i in invitees if failed.pop(i.person.pk, None) is not None]
            # failed and no longer seated: still exactly the rows that failed (the reading
            # check below still applies)
            invitees += [Invitee(row.person, None, row.as_substitute) for row in failed.values()]
    named = set(meeting.attendances.values_list("person_id", flat=True))
    accesses = accesses_of_people(i.person for i in invitees)
    with_address = []
    for invitee in invitees:
        access = accesses[invitee.person.pk]
        # a cancellation reaches whoever holds the invitation, even one who may no longer
        # read the meeting: it carries its date, body and kind only (`shows_details` and
        # the templates leave the place and agenda out of every cancellation)
        if method != Method.CANCEL and not can_read(
            access, body, meeting.confidentiality, named=invitee.person.pk in named
        ):
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
    """Records the plan's e-mails as being sent (committed before any leaves), sends them,
    then marks each row sent or failed: an e-mail is never sent unrecorded, and a sending
    cut short leaves rows whose outcome is unknown (`sent` None), which count as received.
    The caller holds the meeting's claim (`claim`). Never raises on a mail failure."""
    meeting, method, sequence = (
        convocation_plan.meeting,
        convocation_plan.method,
        convocation_plan.sequence,
    )
    # a cancellation may reach someone who can no longer read the meeting: never its place
    # nor its agenda
    detailed = shows_details(meeting) and method != Method.CANCEL
    agenda = [item.title for item in meeting.agenda_items.all()] if detailed else []
    # labels (the meeting's kind, dates) are rendered in each recipient's language, not in
    # the sender's: the templates read them from the meeting
    context = {
        "meeting": meeting,
        "body_name": meeting.body.name,
        "place": meeting.place if detailed else "",
        "agenda": agenda,
        "detailed": detailed,
        "page_url": absolute_url(meeting.get_absolute_url()),
        "cancelled": method == Method.CANCEL,
        "is_update": convocation_plan.is_update,
    }
    now = timezone.now()
    with transaction.atomic():
        rows = Convocation.objects.bulk_create(
            [
                Convocation(
                    meeting=meeting,
                    person=invitee.person,
                    address=invitee.address,
                    as_substitute=invitee.as_substitute,
                    method=method,
                    sequence=sequence,
                    starts_at=meeting.starts_at,
                    place=meeting.place,
                    agenda_digest=convocation_plan.digest,
                    sent=None,
                    sent_at=now,
                    sent_by=user,
                )
                for invitee in convocation_plan.recipients
            ]
        )
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
            key=row.pk,
        )
        for invitee, row in zip(convocation_plan.recipients, rows, strict=True)
    ]
    report = send(Kind.CONVOCATION, outgoing)
    with transaction.atomic():
        Convocation.objects.filter(pk__in=[item.key for item in report.sent]).update(sent=True)
        Convocation.objects.filter(pk__in=[item.key for item in report.failed]).update(sent=False)
        # stopped between the page and the sending: nothing went
        Convocation.objects.filter(pk__in=[item.key for item in report.stopped]).delete()
    return report


@dataclass
class Summary:
    """What the meeting page shows its coordinators about the convocation."""

    rows: list[Convocation]
    failed: int
    changed: bool
    method: str | None


def summary(meeting, agenda_titles) -> Summary:
    """Who was convened and when, what failed, whether the meeting moved since (or its agenda,
    `agenda_titles`, changed). One query."""
    latest = latest_by_person(meeting)
    rows = sorted(latest.values(), key=lambda r: (r.person.last_name, r.person.first_name))
    return Summary(
        rows=rows,
        failed=sum(row.sent is False for row in rows),
        changed=has_changed(meeting, latest, agenda_digest(meeting, agenda_titles)),
        method=method_for(meeting),
    )
