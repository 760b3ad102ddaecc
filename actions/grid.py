"""The measurement grid of a plan: its indicators × periods, entered and saved at once.

One table per frequency: yearly indicators over the plan's years (and the year before, where
baselines usually sit), quarterly and monthly ones over the quarters or months of the chosen
year. A cell left empty records nothing (and removes a value that was there); a value is a
number, with a decimal comma or point. Each cell carries the value it showed: if someone else
changed it meanwhile, the save stops and says so rather than overwrite it. Everything is
written in one transaction, in bulk — or nothing is, and every error is shown in its cell.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import periods
from .models import Indicator, Measurement
from .resources import ValueWidget, parse_value

MAX_YEARS = 10  # yearly columns shown at most
MAX_CELLS_PER_ROW = max(MAX_YEARS, 12)  # twelve months


@dataclass
class Cell:
    name: str
    period: datetime.date
    label: str
    text: str  # what the cell shows (the posted text after an error)
    original: str  # what it showed when the page was opened
    measurement: Measurement | None
    error: str = ""
    value: object = None  # parsed


@dataclass
class Row:
    indicator: Indicator
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Section:
    frequency: str
    label: str
    periods: list  # (start, label)
    rows: list[Row] = field(default_factory=list)


def _render(value) -> str:
    return ValueWidget().render(value)


def yearly_window(plan, indicators) -> list[datetime.date]:
    first = min(
        [plan.starts_on.year - 1]
        + [i.baseline_on.year for i in indicators if i.baseline_on is not None]
    )
    last = plan.ends_on.year
    first = max(first, last - MAX_YEARS + 1)
    return [datetime.date(year, 1, 1) for year in range(first, last + 1)]


def posted_field_limit(plan) -> int:
    """Fields a post of this plan's grid may hold: two per cell (the value typed and the one
    shown), twelve cells per indicator at most, and Django's own limit for the rest. One
    query."""
    cells = MAX_CELLS_PER_ROW * Indicator.objects.filter(plan=plan).count()
    return (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS or 0) + 2 * cells


def default_year(plan, today: datetime.date) -> int:
    return min(max(today.year, plan.starts_on.year), plan.ends_on.year)


class MeasurementGrid:
    def __init__(self, plan, year: int, data=None, lock: bool = False):
        self.plan = plan
        self.year = year
        self.data = data
        self.errors: list[str] = []
        self.conflict = False  # a cell changed elsewhere since the page was opened
        indicators = list(
            Indicator.objects.filter(plan=plan)
            .select_related("action")
            .order_by("action__pk", "name", "pk")
        )
        windows = {
            periods.YEARLY: yearly_window(plan, indicators),
            periods.QUARTERLY: periods.periods_between(
                periods.QUARTERLY, datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            ),
            periods.MONTHLY: periods.periods_between(
                periods.MONTHLY, datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            ),
        }
        first = min(start for window in windows.values() for start in window)
        last = max(start for window in windows.values() for start in window)
        rows = Measurement.objects.filter(
            indicator__plan=plan, period_start__gte=first, period_start__lte=last
        )
        if lock:  # saving: nobody changes these rows between the check and the write
            # no default ordering: its joins would reach the nullable side of an outer join,
            # which PostgreSQL refuses to lock
            rows = rows.order_by().select_for_update(of=("self",))
        existing = {(m.indicator_id, m.period_start): m for m in rows}
        self.sections = []
        for frequency, label in Indicator.Frequency.choices:
            chosen = [i for i in indicators if i.frequency == frequency]
            if not chosen:
                continue
            window = windows[frequency]
            section = Section(
                frequency, label, [(start, periods.label(frequency, start)) for start in window]
            )
            for indicator in chosen:
                row = Row(indicator)
                for start in window:
                    name = f"m-{indicator.pk}-{periods.code(frequency, start)}"
                    measurement = existing.get((indicator.pk, start))
                    shown = _render(measurement.value) if measurement else ""
                    text = shown if data is None else data.get(name, "").strip()
                    original = shown if data is None else data.get(f"o{name}", "").strip()
                    row.cells.append(
                        Cell(
                            name,
                            start,
                            section.periods[window.index(start)][1],
                            text,
                            original,
                            measurement,
                        )
                    )
                section.rows.append(row)
            self.sections.append(section)

    @property
    def cells(self):
        for section in self.sections:
            for row in section.rows:
                for cell in row.cells:
                    yield row.indicator, cell

    @property
    def cell_errors(self) -> list:
        """(indicator, cell) for every cell in error, in the page's order: the summary at
        the top of a wide grid links to each."""
        return [(indicator, cell) for indicator, cell in self.cells if cell.error]

    def cells_as_posted(self) -> dict:
        """The form data the page posts when nothing is typed (for tests and scripts)."""
        data = {}
        for _indicator, cell in self.cells:
            data[cell.name] = cell.text
            data[f"o{cell.name}"] = cell.original
        return data

    def is_valid(self) -> bool:
        assert self.data is not None
        for indicator, cell in self.cells:
            try:
                cell.value = parse_value(cell.text)
            except ValueError as error:
                cell.error = str(error)
                continue
            if indicator.value_error(cell.value):
                cell.error = indicator.value_error(cell.value)
                continue
            now = _render(cell.measurement.value) if cell.measurement else ""
            if cell.original != now:
                cell.error = _(
                    "Modifiée par ailleurs pendant votre saisie (valeur enregistrée : "
                    "« %(now)s »). Vérifiez puis enregistrez de nouveau."
                ) % {"now": now or _("vide")}
                cell.text = now
                self.conflict = True
        errors = sum(1 for _i, cell in self.cells if cell.error)
        if errors:
            self.errors.append(
                _("Rien n’a été enregistré : %(count)s case(s) à corriger.") % {"count": errors}
            )
        return not errors

    def save(self, user) -> dict:
        """Writes the changed cells; returns counts of created, updated and removed values."""
        new, changed, removed = [], [], []
        now = timezone.now()
        for indicator, cell in self.cells:
            measurement = cell.measurement
            if measurement is None:
                if cell.value is not None:
                    new.append(
                        Measurement(
                            indicator=indicator,
                            period_start=cell.period,
                            value=cell.value,
                            entered_by=user,
                        )
                    )
            elif cell.text == "" and measurement.value is not None:
                removed.append(measurement.pk)
            elif cell.value is not None and cell.value != measurement.value:
                measurement.value = cell.value
                measurement.entered_by = user
                measurement.entered_at = now
                measurement.source_note = ""
                changed.append(measurement)
        if new:
            bulk_create_with_history(new, Measurement, default_user=user)
        if changed:
            bulk_update_with_history(
                changed,
                Measurement,
                ["value", "entered_by", "entered_at", "source_note"],
                default_user=user,
            )
        if removed:
            Measurement.objects.filter(pk__in=removed).delete()
        return {"created": len(new), "updated": len(changed), "removed": len(removed)}
