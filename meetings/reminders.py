"""Reminders of commitments: one digest per address and per run (`manage.py send_reminders`,
daily), never one e-mail per commitment.

Each person with an address gets their own open commitments due within `DUE_SOON` days or
overdue; each coordinator, the overdue commitments of the bodies it coordinates (those owned
by an institution without a person included). A commitment reminded to an address in the last
`QUIET_DAYS` days is left out, so a second run the same day sends nothing new. A restricted
commitment is never written in an e-mail: the digest counts it and links to the list.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from bodies.access import accesses_of_people
from bodies.models import Confidentiality, Person, RoleAssignment, today
from mail.models import Kind, normalized
from mail.sending import Outgoing, Recipient, Report, absolute_url, send

from .models import Commitment, CommitmentReminder

DUE_SOON = 14  # days
QUIET_DAYS = 7  # a commitment is reminded to an address at most once in this many days
KEPT_DAYS = 90  # what a reminder named is kept this long (addresses are personal data)


@dataclass
class Digest:
    """What one address is reminded of in one run."""

    address: str
    name: str
    own: list[Commitment] = field(default_factory=list)
    overdue_by_body: dict = field(default_factory=dict)  # body → [Commitment]

    @property
    def commitments(self) -> list[Commitment]:
        return self.own + [c for rows in self.overdue_by_body.values() for c in rows]


def _reminded_recently(on: datetime.date) -> set[tuple[str, int]]:
    """(address, commitment id) pairs reminded within the quiet period. One query."""
    since = on - datetime.timedelta(days=QUIET_DAYS - 1)
    return set(
        CommitmentReminder.objects.filter(sent_on__gte=since).values_list(
            "address", "commitment_id"
        )
    )


def digests(on: datetime.date | None = None) -> list[Digest]:
    """Every digest due on `on` (today), by address. Queries: the owners' open commitments,
    their access (the seats of those without an account, three per account), what each owner
    may read of them (one per owner), the coordinators' assignments and people, their bodies'
    overdue commitments, the reminders of the last week."""
    on = on or today()
    recent = _reminded_recently(on)
    by_address: dict[str, Digest] = {}

    def digest(address: str, name: str) -> Digest:
        key = normalized(address)
        return by_address.setdefault(key, Digest(key, name))

    own = defaultdict(list)
    for commitment in (
        Commitment.objects.open()
        .filter(owner_person__isnull=False, due_on__lte=on + datetime.timedelta(days=DUE_SOON))
        .exclude(owner_person__email="")
        .select_related("body", "meeting", "owner_institution", "owner_person__user")
        .order_by("due_on", "pk")
    ):
        own[commitment.owner_person].append(commitment)
    accesses = accesses_of_people(own)
    for person, commitments in own.items():
        # what the owner may read on the site: the commitment, at a meeting it may read
        readable = set(
            Commitment.objects.readable_by(accesses[person.pk])
            .filter(pk__in=[c.pk for c in commitments])
            .values_list("pk", flat=True)
        )
        kept = [
            c
            for c in commitments
            if c.pk in readable and (normalized(person.email), c.pk) not in recent
        ]
        if kept:
            digest(person.email, str(person)).own.extend(kept)

    coordinators = defaultdict(set)
    for user_id, body_id in (
        RoleAssignment.objects.current(on)
        .filter(role=RoleAssignment.Role.COORDINATOR)
        .values_list("user_id", "body_id")
    ):
        coordinators[user_id].add(body_id)
    if coordinators:
        people = {
            p.user_id: p for p in Person.objects.filter(user_id__in=coordinators).exclude(email="")
        }
        users = (
            get_user_model()
            .objects.filter(pk__in=coordinators, is_active=True)
            .values_list("pk", "email", "first_name", "last_name")
        )
        overdue = defaultdict(list)
        for commitment in (
            Commitment.objects.overdue(on)
            .filter(body_id__in=set().union(*coordinators.values()))
            .select_related("body", "meeting", "owner_institution")
            .order_by("body__name", "due_on", "pk")
        ):
            overdue[commitment.body_id].append(commitment)
        for user_id, email, first_name, last_name in users:
            person = people.get(user_id)
            address = person.email if person else email
            if not address:
                continue
            name = str(person) if person else f"{first_name} {last_name}".strip()
            key = normalized(address)
            already = by_address.get(key)
            listed = {c.pk for c in already.commitments} if already else set()
            for body_id in sorted(coordinators[user_id]):
                rows = [
                    c
                    for c in overdue.get(body_id, [])
                    if c.pk not in listed and (key, c.pk) not in recent
                ]
                if rows:
                    digest(address, name).overdue_by_body[rows[0].body] = rows
    return sorted(by_address.values(), key=lambda d: d.address)


@dataclass
class Line:
    """A commitment as a digest writes it: restricted ones without their text."""

    commitment: Commitment
    restricted: bool
    overdue: bool


def _lines(commitments, on) -> list[Line]:
    return [
        Line(
            c,
            restricted=c.confidentiality == Confidentiality.RESTRICTED,
            overdue=c.is_overdue(on),
        )
        for c in commitments
    ]


def outgoing(digest: Digest, on: datetime.date) -> Outgoing:
    commitments_url = absolute_url(reverse("meetings:commitment-list"))
    return Outgoing(
        recipient=Recipient(digest.address, digest.name),
        template="meetings/mail/reminder",
        context={
            "own": _lines(digest.own, on),
            "bodies": [
                {
                    "name": body.name,
                    "lines": _lines(rows, on),
                    "url": f"{commitments_url}?body={body.pk}&state=overdue",
                }
                for body, rows in digest.overdue_by_body.items()
            ],
            "count": len(digest.commitments),
            "today": on,
            "commitments_url": commitments_url,
        },
        key=digest,
    )


def send_digests(found: list[Digest], on: datetime.date | None = None) -> Report:
    """Sends the digests, then records the commitments of each one sent: a failed or stopped
    digest records nothing, and the next run tries again."""
    on = on or today()
    report = send(Kind.REMINDER, [outgoing(d, on) for d in found])
    with transaction.atomic():
        CommitmentReminder.objects.filter(
            sent_on__lt=on - datetime.timedelta(days=KEPT_DAYS)
        ).delete()
        CommitmentReminder.objects.bulk_create(
            CommitmentReminder(commitment=c, address=item.key.address, sent_on=on)
            for item in report.sent
            for c in item.key.commitments
        )
    return report
