"""What each recipient wants to receive, and in which language.

A preference belongs to an address, not to a record: the same person reached as a member
(`Person.email`) or as a coordinator (`User.email`) is the same address, and stopping
convocations there stops them from every body. The app sits below `bodies` (it knows no
person, body or meeting), so every other app may send through it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The kinds of e-mail the registry sends; each can be stopped on its own."""

    CONVOCATION = "convocation", _("les convocations aux réunions")
    REMINDER = "reminder", _("les rappels d’engagements")


def normalized(address: str) -> str:
    """An address as preferences are keyed: without surrounding spaces, in lower case (mail
    systems treat the domain without case, and people do not type the rest twice alike)."""
    return address.strip().lower()


class MailPreferenceQuerySet(models.QuerySet):
    def for_addresses(self, addresses) -> dict:
        """The preferences of `addresses`, keyed by normalized address. One query."""
        return {p.address: p for p in self.filter(address__in={normalized(a) for a in addresses})}


class MailPreference(models.Model):
    """One address's choices: the language of its e-mails and the kinds it no longer wants.
    No row (or a new one): French, every kind. A row is created with the first e-mail to an
    address: its « ne plus recevoir » link names the row, never the address."""

    address = models.EmailField(_("adresse"), unique=True)
    language = models.CharField(
        _("langue des courriels"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    stops_convocations = models.BooleanField(_("ne reçoit plus les convocations"), default=False)
    stops_reminders = models.BooleanField(_("ne reçoit plus les rappels"), default=False)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = MailPreferenceQuerySet.as_manager()

    FIELD_BY_KIND = {Kind.CONVOCATION: "stops_convocations", Kind.REMINDER: "stops_reminders"}

    class Meta:
        verbose_name = _("préférence de courriel")
        verbose_name_plural = _("préférences de courriel")
        ordering = ["address"]

    def __str__(self):
        return self.address

    def stops(self, kind: str) -> bool:
        return getattr(self, self.FIELD_BY_KIND[kind])

    def set_stops(self, kind: str, value: bool) -> None:
        setattr(self, self.FIELD_BY_KIND[kind], value)
