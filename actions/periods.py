"""Measurement periods: a year, a quarter or a month, stored as the period's first day.

One date column sorts, filters and indexes well, and the indicator's frequency says how to
read it: 2025-01-01 is « 2025 » for a yearly indicator, « T1 2025 » for a quarterly one and
« janvier 2025 » for a monthly one. Spreadsheets and forms write periods as `2025`,
`2025-T1` (or `T1 2025`, `2025-Q1`) and `2025-01`.
"""

import datetime
import re

from django.utils import formats
from django.utils.translation import gettext as _

YEARLY, QUARTERLY, MONTHLY = "yearly", "quarterly", "monthly"
MONTHS_PER_PERIOD = {YEARLY: 12, QUARTERLY: 3, MONTHLY: 1}

_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_QUARTER = re.compile(
    r"^\s*(?:(\d{4})\s*[-/ ]?\s*[TQ]([1-4])|[TQ]([1-4])\s*[-/ ]?\s*(\d{4}))\s*$", re.I
)
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")

MIN_YEAR, MAX_YEAR = 1990, 2100


class PeriodError(ValueError):
    """A period that cannot be read for the indicator's frequency; the message is French."""


def period_start(frequency: str, on: datetime.date) -> datetime.date:
    """The first day of the period of `frequency` containing `on`."""
    if frequency == YEARLY:
        return datetime.date(on.year, 1, 1)
    if frequency == QUARTERLY:
        return datetime.date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
    return datetime.date(on.year, on.month, 1)


def next_period(frequency: str, start: datetime.date) -> datetime.date:
    months = start.year * 12 + start.month - 1 + MONTHS_PER_PERIOD[frequency]
    return datetime.date(months // 12, months % 12 + 1, 1)


def period_end(frequency: str, start: datetime.date) -> datetime.date:
    return next_period(frequency, start) - datetime.timedelta(days=1)


def periods_between(frequency: str, first: datetime.date, last: datetime.date) -> list:
    """Every period start from the period containing `first` to the one containing `last`."""
    current, end = period_start(frequency, first), period_start(frequency, last)
    periods = []
    while current <= end:
        periods.append(current)
        current = next_period(frequency, current)
    return periods


def label(frequency: str, start: datetime.date) -> str:
    if frequency == YEARLY:
        return str(start.year)
    if frequency == QUARTERLY:
        return _("T%(quarter)s %(year)s") % {
            "quarter": (start.month - 1) // 3 + 1,
            "year": start.year,
        }
    return formats.date_format(start, "F Y")


def code(frequency: str, start: datetime.date) -> str:
    """The spreadsheet spelling, read back by `parse`: 2025, 2025-T1, 2025-01."""
    if frequency == YEARLY:
        return str(start.year)
    if frequency == QUARTERLY:
        return f"{start.year}-T{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def parse(frequency: str, text) -> datetime.date:
    """The period start written as `text` for an indicator of `frequency`."""
    text = str(text if text is not None else "").strip()
    if text.endswith(".0"):  # a year read from a spreadsheet cell as a number
        text = text[:-2]
    if frequency == YEARLY and (match := _YEAR.match(text)):
        year, month = int(match[1]), 1
    elif frequency == QUARTERLY and (match := _QUARTER.match(text)):
        year = int(match[1] or match[4])
        month = (int(match[2] or match[3]) - 1) * 3 + 1
    elif frequency == MONTHLY and (match := _MONTH.match(text)) and 1 <= int(match[2]) <= 12:
        year, month = int(match[1]), int(match[2])
    else:
        examples = {YEARLY: "2025", QUARTERLY: "2025-T1", MONTHLY: "2025-03"}
        raise PeriodError(
            _(
                "Période « %(text)s » illisible pour cet indicateur : écrivez par exemple "
                "%(example)s."
            )
            % {"text": text, "example": examples.get(frequency, "2025")}
        )
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            _("Année %(year)s hors de la plage acceptée (%(min)s–%(max)s).")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return datetime.date(year, month, 1)
