"""Changing who sits in a body, from its « Composition » page: add a seat, replace a
representative (the outgoing seat ends the day before the successor's begins, in one step:
the turnover the dashboards count), end a seat.

Each change runs in one transaction and checks the membership rules (one current chair, the
chair's institution by body type, no overlapping periods: `Membership.clean()` and the
database's constraints) against the rows as they will be — the outgoing seat already ended —
then rolls everything back, a person created on the spot included, if one is broken. The
errors come back in French on the form's fields (`SeatRefused`).
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from .models import Membership


class SeatRefused(Exception):
    """A rule of the memberships refused the change: `errors` by model field."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _check_and_save(seat: Membership) -> None:
    try:
        seat.full_clean()
    except ValidationError as error:
        raise SeatRefused(error.message_dict) from None
    try:
        with transaction.atomic():
            seat.save()
    except IntegrityError:  # the same change made elsewhere at the same moment
        raise SeatRefused(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "La composition a changé au même moment par ailleurs : rien n’a été "
                        "enregistré. Rechargez la page."
                    )
                ]
            }
        ) from None


def _locked_open_seat(seat: Membership, on: datetime.date) -> Membership:
    """The seat as it is now, locked for the change; refused if it ended before `on`
    (someone else ended or replaced it meanwhile)."""
    current = Membership.objects.select_for_update().get(pk=seat.pk)
    if current.ended_on is not None and current.ended_on < on:
        raise SeatRefused(
            {
                NON_FIELD_ERRORS: [
                    _("Ce mandat a pris fin le %(date)s : il ne peut plus être modifié ici.")
                    % {"date": formats.date_format(current.ended_on, "SHORT_DATE_FORMAT")}
                ]
            }
        )
    return current


def add_seat(body, picker, substitute_picker, institution, role, started_on, user) -> Membership:
    with transaction.atomic():
        seat = Membership(
            body=body,
            person=picker.person(user),
            institution=institution,
            role=role,
            started_on=started_on,
            substitute=substitute_picker.person(user),
        )
        _check_and_save(seat)
    return seat


def replace_seat(seat, picker, substitute_picker, on: datetime.date, user) -> Membership:
    """Ends `seat` the day before `on` and opens its successor's on `on`: same body,
    institution and role."""
    with transaction.atomic():
        # The seat must still be held on the successor's first day: a seat already ended
        # on its eve (replaced meanwhile, or the same form posted twice) is not replaced
        # a second time.
        outgoing = _locked_open_seat(seat, on)
        successor_person = picker.person(user)
        if successor_person is not None and successor_person.pk == outgoing.person_id:
            raise SeatRefused(
                {"person": [_("Cette personne occupe déjà ce siège : choisissez son successeur.")]}
            )
        outgoing.ended_on = on - datetime.timedelta(days=1)
        _check_and_save(outgoing)
        successor = Membership(
            body=outgoing.body,
            person=successor_person,
            institution=outgoing.institution,
            role=outgoing.role,
            started_on=on,
            substitute=substitute_picker.person(user),
        )
        _check_and_save(successor)
    return successor


def end_seat(seat, ended_on: datetime.date) -> Membership:
    with transaction.atomic():
        current = _locked_open_seat(seat, ended_on)
        current.ended_on = ended_on
        _check_and_save(current)
    return current
