"""Stable pseudonyms for people: `p_` and the first 16 hex digits of HMAC-SHA256(key,
"person:<id>"), with the secret `PSEUDONYM_KEY`.

The same person gets the same pseudonym in every dataset and every download, so that
researchers can follow a seat or an attendance over time; without the key, nobody can go
back from a pseudonym to the person, nor compute a known person's pseudonym. This is
pseudonymisation, not anonymisation: whoever holds the key, or knows enough about a body
(its chair is a public figure), may re-identify some people — the exports are personal data
under the GDPR and are published with that in mind (README).

The OParl API names some people, so it never shows these pseudonyms: its identifiers of people
are another keyed hash (`partnerships.oparl.people.api_identifier`), which cannot be computed
from these nor these from it without the key.
"""

import hashlib
import hmac

from django.conf import settings

PREFIX = "p_"
LENGTH = 16  # hex digits: 64 bits, no collision among millions of people


def pseudonym(person_id: int | None, key: str | None = None) -> str | None:
    if person_id is None:
        return None
    key = (key or settings.PSEUDONYM_KEY).encode()
    digest = hmac.new(key, f"person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:LENGTH]


def pseudonym_sql(column_sql: str, index_table: str) -> str:
    """The same, for the COPY path: read from the pseudonym index (`oparl.PersonPseudonym`,
    filled from Python before the COPY), so that the key never travels in SQL — a statement
    can reach `pg_stat_activity` and the server's log."""
    return f"(SELECT i.pseudonym FROM {index_table} AS i WHERE i.person_id = {column_sql})"
