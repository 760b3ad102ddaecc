"""Import and export of measurements (django-import-export), scoped to the plans the user
writes. Columns: `indicateur` (its number, shown on the plan's measurement grid and in the
export), `periode` (2025, 2025-T1 or 2025-03, by the indicator's frequency), `valeur` (empty
for a missing value; a decimal comma is accepted), `note`. A row for an indicator and period
already measured replaces that value. All or nothing, errors in French per row.
"""

import datetime
from decimal import Decimal, localcontext

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import widgets

from bodies import access as policy
from bodies.resources import (
    CellError,
    Column,
    RegistryResource,
    ScopedForeignKeyWidget,
    TextWidget,
    cell_text,
)
from bodies.validators import is_whole_number

from . import periods
from .models import ActionPlan, Indicator, Measurement


def editable_indicators(access):
    return Indicator.objects.filter(plan__in=ActionPlan.objects.editable_by(access))


MAX_VALUE = Decimal(10) ** 11  # the column holds 14 digits, 3 of them decimals
THOUSANDTH = Decimal("0.001")


def parse_value(text):
    """A measured value: empty is missing (not zero); « 1 234,5 » and « 1234.5 » both read;
    at most three decimals and eleven digits before the decimal mark."""
    if text is None:
        return None
    unreadable = ValueError(
        _("Valeur « %(value)s » illisible : un nombre est attendu (virgule acceptée).")
        % {"value": str(text)[:40]}
    )
    if isinstance(text, bool):
        raise unreadable
    cleaned = str(text).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if cleaned == "":
        return None
    with localcontext() as context:
        context.prec = 40
        try:
            value = Decimal(cleaned.replace(",", "."))
            if not value.is_finite():
                raise unreadable
            if abs(value) >= MAX_VALUE:
                raise ValueError(_("Valeur « %(value)s » trop grande.") % {"value": str(text)[:40]})
            if value != value.quantize(THOUSANDTH):
                raise ValueError(
                    _("Valeur « %(value)s » : trois décimales au plus.") % {"value": str(text)[:40]}
                )
        except ArithmeticError:  # InvalidOperation, Overflow: not a number we can hold
            raise unreadable from None
    return value.quantize(THOUSANDTH)


class ValueWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_value(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else format(value.normalize(), "f")


class PeriodWidget(widgets.Widget):
    """Reads the period with the frequency of the row's indicator (known from one query over
    the user's indicators, made when the resource is built)."""

    def __init__(self):
        super().__init__()
        self.frequencies = {}

    def clean(self, value, row=None, **kwargs):
        indicator = str((row or {}).get("indicateur", "")).strip()
        frequency = self.frequencies.get(int(indicator)) if is_whole_number(indicator) else None
        if frequency is None:
            return None  # the indicator column reports the error
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            # A spreadsheet turns a typed 2024-03 into the date 2024-03-01: read as the
            # period it starts; a date that starts none is refused as written (2024-03-15).
            start = periods.code(frequency, value)
            value = start if periods.parse(frequency, start) == value else value.isoformat()
        try:
            return periods.parse(frequency, value)
        except periods.PeriodError as error:
            raise ValueError(str(error)) from None

    def record_key(self, value, row):
        """The period as read (`2024-3` is `2024-03`), for telling a measurement given twice."""
        try:
            return self.clean(value, row) or cell_text(value)
        except ValueError:
            return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.isoformat()  # see dehydrate_period_start


class MeasurementResource(RegistryResource):
    indicator = Column(
        "indicator",
        "indicateur",
        _lazy("numéro de l’indicateur (affiché sur la grille des mesures du plan)"),
        widget=ScopedForeignKeyWidget(Indicator, editable_indicators),
    )
    indicator_name = Column(
        "indicator__name", "nom_indicateur", _lazy("nom de l’indicateur"), readonly=True
    )
    unit = Column("indicator__unit", "unite", _lazy("unité"), readonly=True)
    period_start = Column(
        "period_start",
        "periode",
        _lazy("période : 2025, 2025-T1 ou 2025-03 selon la fréquence"),
        widget=PeriodWidget(),
    )
    value = Column(
        "value",
        "valeur",
        _lazy("valeur (vide : manquante ; virgule acceptée)"),
        widget=ValueWidget(),
    )
    source_note = Column("source_note", "note", _lazy("note sur la source"), widget=TextWidget())

    class Meta:
        model = Measurement
        fields = ["indicator", "indicator_name", "unit", "period_start", "value", "source_note"]
        import_id_fields = ["indicator", "period_start"]
        clean_model_instances = True
        skip_unchanged = True
        use_transactions = True

    required_columns = ("indicateur", "periode", "valeur")

    def __init__(self, access=policy.ANONYMOUS, user=None, **kwargs):
        super().__init__(access=access, **kwargs)
        self.user = user
        self.fields["period_start"].widget.frequencies = dict(
            editable_indicators(access).values_list("pk", "frequency")
        )

    def get_queryset(self):
        return Measurement.objects.filter(indicator__in=editable_indicators(self.access))

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            # An unreadable indicator or period: reported by the field's own validation,
            # together with the other rows' errors, rather than alone.
            return None

    def dependent_fields(self, errors):
        # An unknown indicator leaves the period unread: one error, on the indicator.
        return {"period_start"} if "indicator" in errors else set()

    def dehydrate_period_start(self, measurement):
        return periods.code(measurement.indicator.frequency, measurement.period_start)

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if row.get("periode") in (None, ""):
            raise CellError("periode", _("La colonne « periode » est vide."))
        if row.get("note") is None:
            row["note"] = ""

    def before_save_instance(self, instance, row, **kwargs):
        instance.entered_by = self.user

    def export_queryset(self, queryset):
        return queryset.select_related("indicator")
