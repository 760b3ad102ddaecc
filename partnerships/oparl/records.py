"""What the API reads: the public records of a département, each annotated with `created` and
`modified`, and the tombstones of records that were public and no longer are.

Only what an anonymous visitor reads on the site (`bodies.rules.ANONYMOUS`): every body,
institution and seat (a body's composition is public), people as the site shows them
(`people.py`), meetings through `exports.datasets.readable_meetings` — restricted and
partners-level ones are absent, not even counted.

`created` and `modified` come from django-simple-history, as subqueries of each row (one
query for a page, never one per row): `created` is a record's first history entry, `modified`
its last — and for what embeds or lists other records, the last change of those too (a
person embeds its seats; a body lists its seats' URLs). Meetings keep their own `updated_at`.
Rows written without history (the synthetic generator's bulk load) are dated `EPOCH`, before
any recorded change: a client's first full harvest gets them, and any later change records
history and moves them forward.

Tombstones (OParl « gelöschte Objekte »): a body, an institution, a meeting or a meeting's
place (`Location`) that a client may have seen and that is gone — deleted, or for a meeting
and its place no longer public — still answers, with `deleted: true`, `created` and the moment
it went as `modified`.
"""

import datetime

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from bodies import rules
from bodies.models import Body, Institution, Membership, Person
from meetings.models import AgendaItem, Meeting
from partnerships.exports.datasets import readable_meetings

from .models import PersonPseudonym

# Before any recorded change: the date of rows that have no history.
EPOCH = datetime.datetime(2016, 1, 1, tzinfo=datetime.UTC)
PUBLIC = rules.ANONYMOUS


def _epoch():
    return Value(EPOCH, output_field=DateTimeField())


def first_change(history: QuerySet):
    """The date of the first entry of `history` (already correlated to the outer row)."""
    return Coalesce(
        Subquery(history.order_by("history_date").values("history_date")[:1]),
        _epoch(),
        output_field=DateTimeField(),
    )


def last_change(history: QuerySet):
    """The date of the last entry of `history` (already correlated to the outer row)."""
    return Coalesce(
        Subquery(history.order_by("-history_date").values("history_date")[:1]),
        _epoch(),
        output_field=DateTimeField(),
    )


def stamped(qs: QuerySet, model, *embedded: QuerySet) -> QuerySet:
    """Rows of `model` with `created` and `modified` from their history and from the history
    of the records they embed (`embedded`, correlated with `OuterRef("pk")`)."""
    own = model.history.filter(id=OuterRef("pk"))
    modified = last_change(own)
    if embedded:
        modified = Greatest(modified, *(last_change(h) for h in embedded))
    return qs.annotate(created=first_change(own), modified=modified)


def gone(history: QuerySet, live: QuerySet) -> QuerySet:
    """Tombstones: ids of `history` entries (those a client may have seen) with no live
    counterpart in `live`, each with `created` (its first entry) and `modified` (its last)."""
    model = history.model
    return (
        model.objects.filter(id__in=history.values("id"))
        .exclude(id__in=live.values("pk"))
        .order_by()
        .values("id")
        .annotate(created=Min("history_date"), modified=Max("history_date"))
    )


# -- organisations: partnership bodies and institutions --------------------------------------


def bodies(department_id=None) -> QuerySet:
    qs = (
        Body.objects.all()
        if department_id is None
        else Body.objects.filter(department_id=department_id)
    )
    return stamped(
        qs.only(
            "pk",
            "type",
            "name",
            "department_id",
            "parent_id",
            "created_on",
            "dissolved_on",
            "planned_end_on",
        ),
        Body,
        Membership.history.filter(body_id=OuterRef("pk")),
    ).annotate(department_code=F("department__code"))


def gone_bodies(department_id) -> QuerySet:
    deleted = Body.history.filter(history_type="-", department_id=department_id)
    return gone(deleted, Body.objects.all())


def institutions(department_id=None) -> QuerySet:
    qs = Institution.objects.all()
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return stamped(qs.only("pk", "category", "name", "department_id"), Institution).annotate(
        department_code=F("department__code")
    )


def gone_institutions(department_id) -> QuerySet:
    deleted = Institution.history.filter(history_type="-", department_id=department_id)
    return gone(deleted, Institution.objects.all())


# -- people and their seats -------------------------------------------------------------------


def memberships(department_id=None) -> QuerySet:
    qs = Membership.objects.all()
    if department_id is not None:
        qs = qs.filter(body__department_id=department_id)
    return stamped(
        qs.only("pk", "person_id", "body_id", "institution_id", "role", "started_on", "ended_on"),
        Membership,
    )


def public_name_q() -> Q:
    """The site's rule (`Membership.name_is_public`, the body page) over people: the current
    chair of a statutory body holds public office; anyone else is named only with consent."""
    chair = (
        Membership.objects.current()
        .filter(person_id=OuterRef("pk"), role=Membership.Role.CHAIR)
        .filter(body__type__in=list(Body.CHAIR_CATEGORIES))
    )
    return Q(public_name_consent=True) | Q(Exists(chair))


def seated_people() -> QuerySet:
    """People who hold or held a seat: the API's people (a person who sits nowhere is not
    public)."""
    return Person.objects.filter(pk__in=Membership.objects.values("person_id"))


def _api_id(person_id: OuterRef):
    """The person's identifier in the API, read from the index (`people.py`: complete it
    first), so that a list of people is ordered by it and its cursor is no internal id."""
    return Subquery(
        PersonPseudonym.objects.filter(person_id=person_id).values("api_id")[:1],
        output_field=CharField(),
    )


def people(department_id=None) -> QuerySet:
    """People with a seat (in the département's bodies), with `created`, `modified` (their
    seats' changes included), `api_id` and `public_name` — their names leave the database only
    when the site shows them; e-mail and phone never do (deferred, never read)."""
    qs = seated_people()
    if department_id is not None:
        qs = Person.objects.filter(
            pk__in=Membership.objects.filter(body__department_id=department_id).values("person_id")
        )
    public = public_name_q()
    qs = qs.only("pk").annotate(
        given_name=Case(When(public, then=F("first_name")), output_field=CharField()),
        family_name=Case(When(public, then=F("last_name")), output_field=CharField()),
        api_id=_api_id(OuterRef("pk")),
    )
    return stamped(
        qs,
        Person,
        Membership.history.filter(person_id=OuterRef("pk")),
    )


def gone_people(department_id=None) -> QuerySet:
    """People who sat (in the département's bodies) and no longer sit anywhere: keyed
    `person_id` (and `api_id`), `created` kept from the live person's, `modified` their last
    seat's end."""
    seen = Membership.history.all()
    if department_id is not None:
        seen = seen.filter(body__department_id=department_id)
    return (
        seen.exclude(person_id__in=Membership.objects.values("person_id"))
        .order_by()
        .values("person_id")
        .annotate(modified=Max("history_date"))
        .annotate(created=first_change(Person.history.filter(id=OuterRef("person_id"))))
        .annotate(api_id=_api_id(OuterRef("person_id")))
    )


# -- meetings ---------------------------------------------------------------------------------


def public_meetings() -> QuerySet:
    return Meeting.objects.filter(readable_meetings(PUBLIC, "pk"))


def meetings(department_id=None, body_id=None) -> QuerySet:
    qs = public_meetings()
    if department_id is not None:
        qs = qs.filter(body__department_id=department_id)
    if body_id is not None:
        qs = qs.filter(body_id=body_id)
    history = Meeting.history.filter(id=OuterRef("pk"))
    return qs.only("pk", "body_id", "starts_at", "kind", "place", "status", "updated_at").annotate(
        created=Coalesce(
            Subquery(history.order_by("history_date").values("history_date")[:1]),
            F("updated_at"),
        ),
        # `updated_at` is set before the save, its history entry after: the later of both.
        modified=Greatest(F("updated_at"), last_change(history)),
    )


def gone_meetings(department_id=None, body_id=None) -> QuerySet:
    """Meetings that were public at some point and are not now: deleted, or made partners-only
    or restricted (clients that saw them learn they are gone)."""
    seen = Meeting.history.filter(rules.readable_q(PUBLIC))
    if department_id is not None:
        seen = seen.filter(body__department_id=department_id)
    if body_id is not None:
        seen = seen.filter(body_id=body_id)
    return gone(seen, public_meetings())


def agenda_items(department_id=None) -> QuerySet:
    """Items of public meetings; they are rewritten with their meeting, so they share its
    dates."""
    qs = AgendaItem.objects.filter(meeting__in=public_meetings().values("pk"))
    if department_id is not None:
        qs = qs.filter(meeting__body__department_id=department_id)
    return qs.annotate(created=F("meeting__updated_at"), modified=F("meeting__updated_at"))


def locations(department_id=None) -> QuerySet:
    """A public meeting's place is its `Location` (same id as the meeting)."""
    return meetings(department_id).exclude(place="")


def gone_locations(department_id=None) -> QuerySet:
    """The places of meetings that were public with a place at some point and are not now:
    the meeting deleted, made partners-only or restricted, or its place emptied. A client
    that listed the Location learns it is gone (`deleted: true`); a place never public stays
    unknown."""
    seen = Meeting.history.filter(rules.readable_q(PUBLIC)).exclude(place="")
    if department_id is not None:
        seen = seen.filter(body__department_id=department_id)
    return gone(seen, locations())
