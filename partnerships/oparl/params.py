"""The query string of a list: OParl's filters (`created_since`, `created_until`,
`modified_since`, `modified_until`), `limit`, and the cursor `after` that `links.next`
carries. Anything malformed is refused with 400 (OParl's error object), never a 500.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from bodies.validators import is_whole_number

from .http import ApiError

FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
# RFC 3339: a full date-time with its offset (« Z » or ±hh:mm), seconds optional fraction.
DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
# ASCII only: `\d` and `str.isdigit()` take « ١ » or « ² », which `int()` reads or refuses.
# The list's source tells what a position is (`lists.Source.position`): an id, or a person's
# identifier in the API.
CURSOR = re.compile(r"^(?:(?P<source>[a-z]+)-)?(?P<position>[0-9a-z_]{1,18})$", re.ASCII)


@dataclass(frozen=True)
class ListParams:
    created_since: datetime.datetime | None = None
    created_until: datetime.datetime | None = None
    modified_since: datetime.datetime | None = None
    modified_until: datetime.datetime | None = None
    limit: int = 100
    after_source: str | None = None  # lists of several kinds (organizations)
    after: str | None = None  # the position after which the page starts

    def query(self, **changes) -> dict:
        """The query string of a page of this list (the filters kept, as OParl asks)."""
        values = {}
        for name in FILTERS:
            value = getattr(self, name)
            if value is not None:
                values[name] = value.isoformat()
        if self.limit != settings.OPARL_PAGE_SIZE:
            values["limit"] = str(self.limit)
        values.update({k: v for k, v in changes.items() if v is not None})
        return values


def parse_date_time(name: str, value: str) -> datetime.datetime:
    # A « + » left unencoded in a query string arrives as a space.
    value = value.strip().replace(" ", "+")
    if not DATE_TIME.match(value):
        raise ApiError(
            400,
            _(
                "« %(name)s » attend une date et heure complète avec son fuseau "
                "(RFC 3339), par exemple 2025-01-31T00:00:00+01:00."
            )
            % {"name": name},
            f"{name}={value[:40]!r}",
        )
    try:
        parsed = datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return parsed.astimezone(datetime.UTC)  # out of range (year 9999 -23:59) raises here
    except (ValueError, OverflowError):
        raise ApiError(400, _("« %(name)s » n’est pas une date valide.") % {"name": name}) from None


def list_params(request) -> ListParams:
    """The list's parameters, validated (400 otherwise)."""
    get = request.GET
    values = {}
    for name in FILTERS:
        if get.get(name):
            values[name] = parse_date_time(name, get[name])
    limit = get.get("limit", "")
    if limit:
        if not is_whole_number(limit) or not 1 <= int(limit) <= settings.OPARL_MAX_PAGE_SIZE:
            raise ApiError(
                400,
                _("« limit » est un nombre d’objets par page, de 1 à %(max)s.")
                % {"max": settings.OPARL_MAX_PAGE_SIZE},
            )
        values["limit"] = int(limit)
    else:
        values["limit"] = settings.OPARL_PAGE_SIZE
    after = get.get("after", "")
    if after:
        match = CURSOR.match(after)
        if match is None:
            raise ApiError(400, _("« after » ne désigne pas une position dans la liste."))
        values["after_source"], values["after"] = match["source"], match["position"]
    return ListParams(**values)
