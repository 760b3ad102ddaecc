"""Choices shared by several modules, and by `bodies.rules`, which imports no models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Confidentiality(models.TextChoices):
    """Who may read a record (domain guide §6). Used by meetings, decisions, commitments and
    plan diagnostics; a body type gives the default level of its records."""

    PUBLIC = "public", _("Public")
    PARTNERS = "partners", _("Partenaires (membres de l’instance)")
    RESTRICTED = "restricted", _("Restreint (membres nommés)")

    @classmethod
    def stricter(cls, *levels: str) -> str:
        """The most confidential of the given levels (blanks ignored): a record is never
        less confidential than the meeting it belongs to."""
        order = list(cls.values)
        return max((level for level in levels if level), key=order.index, default=cls.PUBLIC)
