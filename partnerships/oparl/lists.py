"""OParl's external object lists: `data`, `pagination`, `links`, filtered by
`created_since`, `created_until`, `modified_since`, `modified_until`, paginated by a cursor.

The order is the records' ids, which never change; `links.next` carries the last id served
(`after=`), so a client that pages through a list while it changes gets every record once —
no offset shifts under it. A list may hold several kinds (organisations: partnership bodies,
then institutions), each a `Source`; the cursor then names its kind (`after=institution-12`).
People are the exception: their internal id is nobody's business (coordinators see it beside
names on the site, so a cursor holding it would tie the API's identifiers to names): the list
is ordered by the API's identifier of each person, and the cursor is that identifier.

Each page costs a fixed number of queries whatever the list's size: per source, the page of
live rows, its tombstones, what the serializer prefetches, and one aggregate each for the
totals and the latest `modified`.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext as _

from bodies.validators import is_whole_number

from .http import ApiError
from .params import ListParams
from .records import EPOCH


@dataclass
class Source:
    name: str  # the cursor's prefix, in lists of several kinds
    live: QuerySet  # annotated with `created` and `modified`
    serialize: Callable[[list], list[dict]]  # a page of live rows → OParl objects
    tombstone: Callable[[dict], dict] | None = None  # a row of `gone` → a deleted object
    gone: QuerySet | None = None  # values `<gone_key>`, `created`, `modified`
    gone_key: str = "id"  # a tombstone's position in the list
    key: str = "pk"  # a live row's position in the list: its order, and the cursor
    # The position a cursor names, or None when it names none (a 400).
    position: Callable[[str], object] = lambda text: int(text) if is_whole_number(text) else None


def filtered(qs: QuerySet, params: ListParams) -> QuerySet:
    bounds = {
        "created__gte": params.created_since,
        "created__lte": params.created_until,
        "modified__gte": params.modified_since,
        "modified__lte": params.modified_until,
    }
    return qs.filter(**{lookup: value for lookup, value in bounds.items() if value is not None})


def _totals(qs: QuerySet, key: str = "pk") -> tuple[int, object]:
    totals = qs.aggregate(count=Count(key), last=Max("modified"))
    return totals["count"], totals["last"]


def object_list(request, params: ListParams, sources: list[Source]) -> tuple[dict, object]:
    """One page of the list, and its Last-Modified (the latest `modified` in the whole
    filtered list, tombstones included: any change to the list moves it)."""
    names = [source.name for source in sources]
    refused = ApiError(400, _("« after » ne désigne pas une position dans la liste."))
    if params.after_source is not None and (len(names) == 1 or params.after_source not in names):
        raise refused
    start = names.index(params.after_source) if params.after_source else 0
    position = None
    if params.after is not None and sources:
        position = sources[start].position(params.after)
        if position is None:
            raise refused

    limit = params.limit
    page: list[tuple[str, int, dict]] = []  # (source, id, object)
    total, last = 0, None
    for index, source in enumerate(sources):
        live = filtered(source.live, params).order_by(source.key)
        gone = filtered(source.gone, params) if source.gone is not None else None
        count, latest = _totals(live)
        if gone is not None:
            gone_count, gone_latest = _totals(gone, source.gone_key)
            count += gone_count
            latest = max(filter(None, (latest, gone_latest)), default=None)
        total += count
        if latest is not None:
            last = latest if last is None else max(last, latest)
        if index < start or len(page) > limit:
            continue
        after = position if index == start else None
        wanted = limit + 1 - len(page)
        if after is not None:
            live = live.filter(**{f"{source.key}__gt": after})
        rows = list(live[:wanted])
        merged = [
            (getattr(row, source.key), obj)
            for row, obj in zip(rows, source.serialize(rows), strict=True)
        ]
        if gone is not None:
            key = source.gone_key
            if after is not None:
                gone = gone.filter(**{f"{key}__gt": after})
            merged += [(row[key], source.tombstone(row)) for row in gone.order_by(key)[:wanted]]
            merged.sort(key=lambda pair: pair[0])
        page += [(source.name, pk, obj) for pk, obj in merged[:wanted]]

    more = len(page) > limit
    page = page[:limit]
    links = {"first": _url(request, params.query(after=None))}
    links["self"] = request.build_absolute_uri()
    if more:
        source, pk, _obj = page[-1]
        cursor = str(pk) if len(sources) == 1 else f"{source}-{pk}"
        links["next"] = _url(request, params.query(after=cursor))
    data = {
        "data": [obj for _source, _pk, obj in page],
        "pagination": {
            "totalElements": total,
            "elementsPerPage": limit,
            "totalPages": max(1, math.ceil(total / limit)),
        },
        "links": links,
    }
    return data, last or EPOCH


def _url(request, query: dict) -> str:
    from django.utils.http import urlencode

    return request.build_absolute_uri(request.path + (f"?{urlencode(query)}" if query else ""))
