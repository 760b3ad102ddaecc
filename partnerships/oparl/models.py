"""The one table the API keeps: which person an identifier names.

Two keyed hashes of each person's id: `pseudonym`, the export pseudonym (`exports.pseudonyms`,
under `PSEUDONYM_KEY`; the COPY export path reads it here, so that the key never travels in
SQL), and `api_id`, the API's own identifier (`people.api_identifier`, under a key derived for
the API only — never the export pseudonym, README « API OParl »). Computing either from an id
is cheap, going back is impossible without trying every id. A person's URL carries `api_id`
(`/oparl/v1/person/o_…/`) and the list of people is ordered by it, so both need this index,
filled lazily by `people.index_missing_people` — never a pass over every person in Python per
request. `person_id` is a plain integer, not a foreign key: the row outlives a deleted person,
whose URL then answers `deleted: true`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonPseudonym(models.Model):
    pseudonym = models.CharField(_("pseudonyme"), max_length=18, unique=True)
    api_id = models.CharField(_("identifiant dans l’API"), max_length=18, unique=True)
    person_id = models.BigIntegerField(_("personne"), unique=True)

    class Meta:
        verbose_name = _("pseudonyme d’une personne")
        verbose_name_plural = _("pseudonymes des personnes")
        ordering = ["person_id"]

    def __str__(self):
        return self.pseudonym
