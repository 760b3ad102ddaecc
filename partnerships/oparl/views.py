"""The API's views: the system, its bodies (départements), their lists, and one view per
object. Each returns `(data, last_modified)` to `http.api_view`, which makes the answer.

Every reader gets what an anonymous visitor reads (README, « API OParl »): the answers are
the same for everyone, and may be cached by anyone.
"""

from django.db.models import DateTimeField, Max, Min, Value
from django.http import Http404
from django.shortcuts import get_object_or_404

from bodies.models import Body, Department, Institution

from . import objects, records
from .http import api_view
from .lists import Source, object_list
from .params import list_params
from .people import IDENTIFIER, index_missing_people, person_id_for

Urls = objects.Urls


def _department(code: str) -> Department:
    return get_object_or_404(Department, code=code)


def _tombstone(urls: Urls, type_name: str, name: str):
    def tombstone(row):
        return objects.deleted(type_name, urls(name, row["id"]), row["created"], row["modified"])

    return tombstone


def _list(request, *sources: Source):
    return object_list(request, list_params(request), list(sources))


# -- entry points ---------------------------------------------------------------------------


@api_view
def system(request):
    return objects.system(Urls(request)), records.EPOCH


@api_view
def body_list(request):
    urls = Urls(request)
    epoch = Value(records.EPOCH, output_field=DateTimeField())
    departments = Department.objects.annotate(created=epoch, modified=epoch).only(
        "pk", "code", "name"
    )
    return _list(
        request,
        Source("department", departments, lambda rows: [objects.body(urls, d) for d in rows]),
    )


@api_view
def body(request, code):
    return objects.body(Urls(request), _department(code)), records.EPOCH


# -- the lists of a body (département) ------------------------------------------------------


def organization_sources(urls: Urls, department_id: int) -> list[Source]:
    return [
        Source(
            "body",
            records.bodies(department_id),
            lambda rows: objects.organizations(urls, rows),
            _tombstone(urls, "Organization", "organization"),
            records.gone_bodies(department_id),
        ),
        Source(
            "institution",
            records.institutions(department_id),
            lambda rows: objects.institutions(urls, rows),
            _tombstone(urls, "Organization", "institution"),
            records.gone_institutions(department_id),
        ),
    ]


@api_view
def body_organizations(request, code):
    urls = Urls(request)
    return _list(request, *organization_sources(urls, _department(code).pk))


def _person_position(text: str) -> str | None:
    return text if IDENTIFIER.match(text) else None


@api_view
def body_people(request, code):
    urls = Urls(request)
    department = _department(code)
    index_missing_people()  # the list is ordered by the API's identifiers, read from the index
    return _list(
        request,
        Source(
            "person",
            records.people(department.pk),
            lambda rows: objects.people(urls, rows),
            lambda row: _gone_person(urls, row),
            records.gone_people(department.pk),
            gone_key="api_id",
            key="api_id",
            position=_person_position,
        ),
    )


def _gone_person(urls: Urls, row: dict) -> dict:
    return objects.deleted("Person", urls.person(row["person_id"]), row["created"], row["modified"])


@api_view
def body_memberships(request, code):
    urls = Urls(request)
    department = _department(code)
    return _list(
        request,
        Source(
            "membership",
            records.memberships(department.pk),
            lambda rows: [objects.membership(urls, m) for m in rows],
        ),
    )


def meeting_source(urls: Urls, **scope) -> Source:
    return Source(
        "meeting",
        records.meetings(**scope),
        lambda rows: objects.meetings(urls, rows),
        _tombstone(urls, "Meeting", "meeting"),
        records.gone_meetings(**scope),
    )


@api_view
def body_meetings(request, code):
    urls = Urls(request)
    return _list(request, meeting_source(urls, department_id=_department(code).pk))


@api_view
def body_agenda_items(request, code):
    urls = Urls(request)
    department = _department(code)
    return _list(
        request,
        Source(
            "agendaitem",
            records.agenda_items(department.pk),
            lambda rows: [objects.agenda_item(urls, item) for item in rows],
        ),
    )


@api_view
def body_locations(request, code):
    urls = Urls(request)
    department = _department(code)
    return _list(
        request,
        Source(
            "location",
            records.locations(department.pk),
            lambda rows: [objects.location(urls, m) for m in rows],
            _tombstone(urls, "Location", "location"),
            records.gone_locations(department.pk),
        ),
    )


@api_view
def body_empty_list(request, code):
    """Papers, files, consultations, legislative terms: the registry has none (minutes are
    text, not published documents). The lists exist, empty, as OParl asks."""
    _department(code)
    return _list(request)


# -- one object -----------------------------------------------------------------------------


def _history_dates(history) -> tuple:
    dates = history.aggregate(created=Min("history_date"), modified=Max("history_date"))
    return dates["created"] or records.EPOCH, dates["modified"] or records.EPOCH


def _one(rows):
    rows = list(rows[:1])
    return rows[0] if rows else None


@api_view
def organization(request, pk):
    urls = Urls(request)
    found = _one(records.bodies().filter(pk=pk))
    if found is not None:
        return objects.organizations(urls, [found])[0], found.modified
    return _deleted(urls, "Organization", "organization", pk, Body.history.filter(id=pk))


@api_view
def organization_meetings(request, pk):
    urls = Urls(request)
    if not Body.objects.filter(pk=pk).exists():
        raise Http404
    return _list(request, meeting_source(urls, body_id=pk))


@api_view
def institution(request, pk):
    urls = Urls(request)
    found = _one(records.institutions().filter(pk=pk))
    if found is not None:
        return objects.institutions(urls, [found])[0], found.modified
    return _deleted(urls, "Organization", "institution", pk, Institution.history.filter(id=pk))


def _deleted(urls, type_name, name, pk, history, seen=None):
    """A tombstone when `seen` (by default: a deletion in `history`) says a client may have
    seen the record; 404 otherwise."""
    seen = history.filter(history_type="-") if seen is None else seen
    if not seen.exists():
        raise Http404
    created, modified = _history_dates(history)
    return objects.deleted(type_name, urls(name, pk), created, modified), modified


@api_view
def person(request, identifier):
    urls = Urls(request)
    pk = person_id_for(identifier)
    if pk is None:
        raise Http404
    found = _one(records.people().filter(pk=pk))
    if found is not None:
        return objects.people(urls, [found])[0], found.modified
    # Sat somewhere once, and no longer does (or was deleted): gone, for clients that saw it.
    gone = _one(records.gone_people().filter(person_id=pk))
    if gone is None:
        raise Http404
    return _gone_person(urls, gone), gone["modified"]


@api_view
def membership(request, pk):
    found = _one(records.memberships().filter(pk=pk))
    if found is None:
        raise Http404
    return objects.membership(Urls(request), found), found.modified


@api_view
def meeting(request, pk):
    urls = Urls(request)
    found = _one(records.meetings().filter(pk=pk))
    if found is not None:
        return objects.meetings(urls, [found])[0], found.modified
    tombstone = _one(records.gone_meetings().filter(id=pk))
    if tombstone is None:
        raise Http404
    return _tombstone(urls, "Meeting", "meeting")(tombstone), tombstone["modified"]


@api_view
def agenda_item(request, pk):
    found = _one(records.agenda_items().filter(pk=pk))
    if found is None:
        raise Http404
    return objects.agenda_item(Urls(request), found), found.modified


@api_view
def location(request, pk):
    urls = Urls(request)
    found = _one(records.locations().filter(pk=pk))
    if found is not None:
        return objects.location(urls, found), found.modified
    tombstone = _one(records.gone_locations().filter(id=pk))
    if tombstone is None:
        raise Http404
    return _tombstone(urls, "Location", "location")(tombstone), tombstone["modified"]


@api_view
def not_found(request, rest=""):
    raise Http404
