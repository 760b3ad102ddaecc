"""OParl 1.1 objects from the registry's records (README, « API OParl »: the mapping).

Each function takes a page of rows (from `records.py`) and returns the objects in the same
order, prefetching what they embed in one query per page. Only what the site shows an
anonymous visitor goes out: no e-mail, no phone, a person's name only where the site shows it
(otherwise the API's identifier of the person, `o_…` — never the pseudonym of the CSV exports:
`people.py` says why).
"""

from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bodies.models import Body, Institution, Membership
from meetings.models import AgendaItem, Meeting
from partnerships.exports.package import LICENCE

from . import records
from .people import api_identifier

SCHEMA = "https://schema.oparl.org/1.1/"


class Urls:
    """Absolute URLs of the API's objects and of the site's pages, for one request."""

    def __init__(self, request):
        self.request = request

    def __call__(self, name: str, *args) -> str:
        return self.request.build_absolute_uri(reverse(f"oparl:{name}", args=args))

    def site(self, name: str, *args, query: dict | None = None) -> str:
        path = reverse(name, args=args)
        return self.request.build_absolute_uri(path + (f"?{urlencode(query)}" if query else ""))

    def person(self, person_id: int) -> str:
        return self("person", api_identifier(person_id))


def date_time(value) -> str:
    """RFC 3339, in the registry's time zone (Europe/Paris) with its offset."""
    return timezone.localtime(value).isoformat()


def _object(type_name: str, url: str, row, **properties) -> dict:
    obj = {"id": url, "type": SCHEMA + type_name}
    obj.update({key: value for key, value in properties.items() if value not in (None, "")})
    obj["created"] = date_time(row.created)
    obj["modified"] = date_time(row.modified)
    return obj


def deleted(type_name: str, url: str, created, modified) -> dict:
    """A record a client may have seen that is gone: its id, type, dates, `deleted`."""
    return {
        "id": url,
        "type": SCHEMA + type_name,
        "created": date_time(created),
        "modified": date_time(modified),
        "deleted": True,
    }


# -- the system and its bodies (départements) ---------------------------------------------------


def system(urls: Urls) -> dict:
    return {
        "id": urls("system"),
        "type": SCHEMA + "System",
        "oparlVersion": SCHEMA,
        "name": str(settings.SITE_TITLE),
        "body": urls("body-list"),
        "license": LICENCE["path"],
        "website": urls.site("home"),
        "web": urls.site("home"),
        "created": date_time(records.EPOCH),
        "modified": date_time(records.EPOCH),
    }


BODY_LISTS = {
    "organization": "body-organizations",
    "person": "body-people",
    "meeting": "body-meetings",
    "paper": "body-papers",
    "agendaItem": "body-agenda-items",
    "consultation": "body-consultations",
    "file": "body-files",
    "locationList": "body-locations",
    "legislativeTermList": "body-legislative-terms",
    "membership": "body-memberships",
}


def body(urls: Urls, department) -> dict:
    """A département: the OParl Body under which its partnership bodies, people and meetings
    are listed. `ags`/`rgs` are German keys left out; the INSEE code is the `shortName`."""
    obj = {
        "id": urls("body", department.code),
        "type": SCHEMA + "Body",
        "system": urls("system"),
        "name": department.name,
        "shortName": department.code,
        "classification": _("Département"),
        "license": LICENCE["path"],
        "web": urls.site("bodies:body-list", query={"department": department.code}),
        "legislativeTerm": [],  # the registry has no legislative terms
    }
    obj.update({key: urls(name, department.code) for key, name in BODY_LISTS.items()})
    obj["created"] = obj["modified"] = date_time(records.EPOCH)
    return obj


# -- organisations ------------------------------------------------------------------------------


def organizations(urls: Urls, bodies: list[Body]) -> list[dict]:
    """Partnership bodies; their seats' URLs in one query."""
    seats = defaultdict(list)
    for body_id, pk in (
        Membership.objects.filter(body_id__in=[b.pk for b in bodies])
        .order_by("pk")
        .values_list("body_id", "pk")
    ):
        seats[body_id].append(urls("membership", pk))
    return [
        _object(
            "Organization",
            urls("organization", b.pk),
            b,
            body=urls("body", b.department_code),
            name=b.name,
            shortName=b.type,
            organizationType=_("Instance partenariale"),
            classification=b.type,
            subOrganizationOf=urls("organization", b.parent_id) if b.parent_id else None,
            startDate=b.created_on and b.created_on.isoformat(),
            endDate=(b.dissolved_on or b.planned_end_on)
            and (b.dissolved_on or b.planned_end_on).isoformat(),
            membership=seats[b.pk],
            meeting=urls("organization-meetings", b.pk),
            web=urls.site("bodies:body-detail", b.pk),
        )
        for b in bodies
    ]


def institutions(urls: Urls, rows: list[Institution]) -> list[dict]:
    """Institutions, the organisations people sit on behalf of (`Membership.onBehalfOf`)."""
    return [
        _object(
            "Organization",
            urls("institution", i.pk),
            i,
            body=urls("body", i.department_code),
            name=i.name,
            organizationType=_("Institution"),
            classification=i.category,
        )
        for i in rows
    ]


# -- people and seats ---------------------------------------------------------------------------


def membership(urls: Urls, m: Membership, embedded: bool = False) -> dict:
    return _object(
        "Membership",
        urls("membership", m.pk),
        m,
        person=None if embedded else urls.person(m.person_id),
        organization=urls("organization", m.body_id),
        role=str(Membership.Role(m.role).label),
        onBehalfOf=urls("institution", m.institution_id),
        startDate=m.started_on.isoformat(),
        endDate=m.ended_on and m.ended_on.isoformat(),
    )


def people(urls: Urls, rows) -> list[dict]:
    """People, each with its seats embedded (one query for the page). The name is there only
    where the site shows it; otherwise the person is its identifier in the API."""
    seats = defaultdict(list)
    for m in records.memberships().filter(person_id__in=[p.pk for p in rows]).order_by("pk"):
        seats[m.person_id].append(membership(urls, m, embedded=True))
    objects = []
    for p in rows:
        named = p.family_name is not None
        objects.append(
            _object(
                "Person",
                urls.person(p.pk),
                p,
                name=f"{p.given_name} {p.family_name}" if named else api_identifier(p.pk),
                familyName=p.family_name if named else None,
                givenName=p.given_name if named else None,
                membership=seats[p.pk],
            )
        )
    return objects


# -- meetings -----------------------------------------------------------------------------------


def location(urls: Urls, meeting: Meeting, embedded: bool = False) -> dict:
    return _object(
        "Location",
        urls("location", meeting.pk),
        meeting,
        description=meeting.place,
        meetings=None if embedded else [urls("meeting", meeting.pk)],
    )


def agenda_item(urls: Urls, item: AgendaItem, embedded: bool = False) -> dict:
    return _object(
        "AgendaItem",
        urls("agenda-item", item.pk),
        item,
        meeting=None if embedded else urls("meeting", item.meeting_id),
        number=str(item.position),
        order=item.position,
        name=item.title,
        public=True,  # only public meetings are served
    )


def meetings(urls: Urls, rows: list[Meeting]) -> list[dict]:
    """Public meetings with their agenda embedded (one query for the page). Minutes are text
    in the registry, not published documents: no `File` to point to."""
    items = defaultdict(list)
    for item in AgendaItem.objects.filter(meeting_id__in=[m.pk for m in rows]).order_by(
        "meeting_id", "position", "pk"
    ):
        items[item.meeting_id].append(item)
    objects = []
    for m in rows:
        for item in items[m.pk]:
            item.created, item.modified = m.modified, m.modified
        objects.append(
            _object(
                "Meeting",
                urls("meeting", m.pk),
                m,
                name=str(Meeting.Kind(m.kind).label),
                meetingState=str(Meeting.Status(m.status).label),
                cancelled=m.status == Meeting.Status.CANCELLED,
                start=date_time(m.starts_at),
                location=location(urls, m, embedded=True) if m.place else None,
                organization=[urls("organization", m.body_id)],
                agendaItem=[agenda_item(urls, item, embedded=True) for item in items[m.pk]],
                web=urls.site("meetings:meeting-detail", m.pk),
            )
        )
    return objects
