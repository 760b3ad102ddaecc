"""Validators for the codes the registry stores: INSEE, SIREN, département, QPV."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 01–19, 21–95, 2A, 2B; overseas 971–976. (20 was split into 2A and 2B in 1976.)
DEPARTMENT_CODE_RE = re.compile(r"^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6])$")
# Five characters: two of département (or 2A/2B) then three digits; overseas 97x + two digits.
INSEE_CODE_RE = re.compile(r"^([0-9]{2}|2[AB])[0-9]{3}$")
# QN (2024) or QP (2015) + three-character département code + two digits + one letter.
QPV_CODE_RE = re.compile(r"^Q[NP]([0-9]{2}[0-9AB]|97[1-6])[0-9]{2}[A-Z]$")
SIREN_RE = re.compile(r"^[0-9]{9}$")


def validate_department_code(value: str) -> None:
    if not DEPARTMENT_CODE_RE.match(value or ""):
        raise ValidationError(
            _("« %(value)s » n’est pas un code de département (01 à 95, 2A, 2B, 971 à 976)."),
            code="invalid_department_code",
            params={"value": value},
        )


def validate_insee_code(value: str) -> None:
    if not INSEE_CODE_RE.match(value or ""):
        raise ValidationError(
            _(
                "« %(value)s » n’est pas un code INSEE de commune : cinq caractères, "
                "par exemple 38185 (Grenoble) ou 2A004 (Ajaccio). Un code postal ne convient pas."
            ),
            code="invalid_insee_code",
            params={"value": value},
        )


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def validate_siren(value: str) -> None:
    if not SIREN_RE.match(value or "") or not luhn_ok(value):
        raise ValidationError(
            _("« %(value)s » n’est pas un numéro SIREN valide (neuf chiffres, clé de contrôle)."),
            code="invalid_siren",
            params={"value": value},
        )


def validate_qpv_code(value: str) -> None:
    if not QPV_CODE_RE.match(value or ""):
        raise ValidationError(
            _(
                "« %(value)s » n’est pas un code QPV : QN ou QP, le code du département sur "
                "trois caractères, deux chiffres et une lettre (par exemple QN03801M)."
            ),
            code="invalid_qpv_code",
            params={"value": value},
        )


def qpv_department_code(qpv_code: str) -> str:
    """The département code embedded in a QPV code: QN03801M → 38, QN02A01B → 2A."""
    part = qpv_code[2:5]
    return part[1:] if part.startswith("0") else part


def is_whole_number(text: str) -> bool:
    """ASCII digits only: `str.isdigit()` accepts « ² », which `int()` then refuses."""
    return bool(re.fullmatch(r"[0-9]{1,18}", text))


FIRST_YEAR, LAST_YEAR = 1900, 2100


def validate_plausible_date(value) -> None:
    """A date a person could mean in this registry: years 1900 to 2100 (a date input accepts
    0001-01-01 and 9999-12-31, which pages would then draw year by year)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Saisissez une date entre %(first)s et %(last)s."),
            code="implausible_date",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )
