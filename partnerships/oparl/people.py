"""A person's URL carries the API's own identifier of the person (`o_…`); this module makes
it and finds the person it names.

**Not the pseudonym of the CSV exports.** The API names some people (a statutory body's
current chair, a person who consented); the public CSV files give everyone's attendance,
commitments and seats under their export pseudonym (`p_…`), names never. Were the API's
identifier that pseudonym, every name in the API would open the files: a named person's
attendance and commitments, read from files meant to hide who they are. So the API has an
identifier of its own, a keyed hash of the person under a key derived from `PSEUDONYM_KEY` for
this purpose only: neither can be computed from the other without the secret key.

Both are keyed hashes of the id: there is no way back but to hash every id. So the API keeps
an index, `PersonPseudonym` (API identifier and export pseudonym → id, all unique), and reads
it with one indexed query; the COPY export path reads the export pseudonyms from it too. The
index is completed lazily: when an identifier is not found (and before a list of people, which
is ordered by it), the database lists the people not yet indexed — an anti-join of primary
keys, done by the database — and only those are hashed and written, once. A miss for an
identifier that names nobody therefore costs that anti-join, never a pass over every person in
Python; the index never holds more than one row per person ever seated.
"""

import hashlib
import hmac
import re

from django.conf import settings

from bodies.models import Membership, Person
from partnerships.exports.pseudonyms import pseudonym

from .models import PersonPseudonym

BATCH = 2000
PREFIX = "o_"
LENGTH = 16  # hex digits, as the export pseudonyms
IDENTIFIER = re.compile(r"^o_[0-9a-f]{16}$", re.ASCII)
# The purpose the API's key is derived for: the export pseudonyms use `PSEUDONYM_KEY` itself.
PURPOSE = b"registre/oparl/person-identifier/v1"


def _api_key(key: str | None = None) -> bytes:
    return hmac.new((key or settings.PSEUDONYM_KEY).encode(), PURPOSE, hashlib.sha256).digest()


def api_identifier(person_id: int, key: str | None = None) -> str:
    """The API's identifier of a person: `o_` and 16 hex digits of HMAC-SHA256 of its id,
    under a key derived from `PSEUDONYM_KEY` for the API only."""
    digest = hmac.new(_api_key(key), f"person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:LENGTH]


def _lookup(value: str) -> int | None:
    return PersonPseudonym.objects.filter(api_id=value).values_list("person_id", flat=True).first()


def index_missing_people() -> int:
    """Index the people the index does not hold yet — live, deleted, or seated once (the API
    and the exports may name any of them) — in one query; their number."""
    indexed = PersonPseudonym.objects.values("person_id")
    live = Person.objects.exclude(pk__in=indexed).order_by().values_list("pk", flat=True)
    deleted = (
        Person.history.filter(history_type="-")
        .exclude(id__in=indexed)
        .order_by()
        .values_list("id", flat=True)
    )
    seated = (
        Membership.history.exclude(person_id__in=indexed)
        .order_by()
        .values_list("person_id", flat=True)
    )
    missing = set(live.union(deleted, seated))
    rows = [
        PersonPseudonym(pseudonym=pseudonym(pk), api_id=api_identifier(pk), person_id=pk)
        for pk in sorted(missing)
    ]
    PersonPseudonym.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def person_id_for(value: str) -> int | None:
    """The id of the person `value` (an API identifier) names, or None."""
    if not IDENTIFIER.match(value):
        return None
    found = _lookup(value)
    if found is None and index_missing_people():
        found = _lookup(value)
    return found
