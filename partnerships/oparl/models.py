"""The one table the API keeps: which person a pseudonym names.

A pseudonym is HMAC-SHA256 of the person's id under `PSEUDONYM_KEY` (`exports.pseudonyms`):
computing it from an id is cheap, going back is impossible without trying every id. A person's
URL carries the pseudonym (`/oparl/v1/person/p_…/`), so answering it needs this index,
filled lazily by `people.person_id_for` — never a pass over every person in Python per
request. `person_id` is a plain integer, not a foreign key: the row outlives a deleted person,
whose URL then answers `deleted: true`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonPseudonym(models.Model):
    pseudonym = models.CharField(_("pseudonyme"), max_length=18, unique=True)
    person_id = models.BigIntegerField(_("personne"), unique=True)

    class Meta:
        verbose_name = _("pseudonyme d’une personne")
        verbose_name_plural = _("pseudonymes des personnes")
        ordering = ["person_id"]

    def __str__(self):
        return self.pseudonym
