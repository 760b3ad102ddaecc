"""A person's URL carries its pseudonym (`p_…`, the same as in the CSV exports); this module
finds the person it names.

The pseudonym is a keyed hash of the id: there is no way back but to hash every id. So the
API keeps an index, `PersonPseudonym` (pseudonym → id, both unique), and reads it with one
indexed query. The index is completed lazily: when a pseudonym is not found, the database
lists the people (and deleted people) not yet indexed — an anti-join of two primary keys,
done by the database — and only those are hashed and written, once. A miss for a pseudonym
that names nobody therefore costs that anti-join, never a pass over every person in Python;
the index never holds more than one row per person ever seated.
"""

from bodies.models import Person
from partnerships.exports.pseudonyms import PREFIX, pseudonym

from .models import PersonPseudonym

BATCH = 2000


def _lookup(value: str) -> int | None:
    return (
        PersonPseudonym.objects.filter(pseudonym=value).values_list("person_id", flat=True).first()
    )


def index_missing_people() -> int:
    """Index the people (live or deleted) the index does not hold yet; their number."""
    indexed = PersonPseudonym.objects.values("person_id")
    missing = set(Person.objects.exclude(pk__in=indexed).values_list("pk", flat=True))
    missing |= set(
        Person.history.filter(history_type="-").exclude(id__in=indexed).values_list("id", flat=True)
    )
    rows = [PersonPseudonym(pseudonym=pseudonym(pk), person_id=pk) for pk in sorted(missing)]
    PersonPseudonym.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def person_id_for(value: str) -> int | None:
    """The id of the person `value` names, or None."""
    if not value.startswith(PREFIX) or len(value) != len(PREFIX) + 16:
        return None
    found = _lookup(value)
    if found is None and index_missing_people():
        found = _lookup(value)
    return found
