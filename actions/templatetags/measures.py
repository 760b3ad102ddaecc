from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def measure(value):
    """A measured value as a reader writes it: no trailing zeros, local decimal mark and
    grouping (« 97,5 », « 1 210 »); empty for a missing value."""
    if value in (None, ""):
        return ""
    try:
        value = Decimal(value)
        normalized = (
            value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
        )
    except ArithmeticError:  # beyond what the registry stores: shown as it is
        return str(value)
    return number_format(normalized, force_grouping=True)
