"""Indicator charts drawn on the server as SVG with pygal, embedded in the page.

pygal adds a small inline script (tooltips) that the content-security policy would block and
that the chart does not need: it is removed, so the SVG is static, works without
JavaScript, and names itself to assistive technologies (`role="img"`, a title and a
description). Every chart is followed on the page by a table of the same figures.
"""

from xml.etree import ElementTree

import pygal
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from .templatetags.measures import measure

SVG_NS = "http://www.w3.org/2000/svg"
ElementTree.register_namespace("", SVG_NS)

# Colours of the State design system: blue France for values, red Marianne for the target,
# grey for the baseline.
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#161616",
    foreground_strong="#161616",
    foreground_subtle="#666666",
    colors=("#000091", "#e1000f", "#929292"),
    font_family="Marianne, Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=12,
    title_font_size=15,
    guide_stroke_color="#dddddd",
    guide_stroke_dasharray="0",
    major_guide_stroke_color="#cecece",
    major_guide_stroke_dasharray="0",
)


def _number(value) -> str:
    return _("non diffusé") if value is None else measure(value)


def describe(indicator, progress) -> str:
    """One sentence saying what the chart shows, for assistive technologies."""
    points = [(label, value) for _start, label, value in progress.points if value is not None]
    if not points:
        return _("Aucune valeur mesurée pour l’instant.")
    first, last = points[0], points[-1]
    text = _("De %(first)s (%(first_period)s) à %(last)s (%(last_period)s) %(unit)s.") % {
        "first": _number(first[1]),
        "first_period": first[0],
        "last": _number(last[1]),
        "last_period": last[0],
        "unit": indicator.unit,
    }
    if indicator.target_value is not None:
        text += " " + _("Cible : %(target)s en %(year)s.") % {
            "target": _number(indicator.target_value),
            "year": indicator.target_on.year,
        }
    return text


def indicator_chart(indicator, progress, width=640, height=300):
    """The SVG of one indicator's measurements (with its baseline and target as lines), or
    None when there is nothing to draw."""
    points = progress.points
    if not points:
        return None
    chart = pygal.Line(
        style=STYLE,
        width=width,
        height=height,
        js=[],
        disable_xml_declaration=True,
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        allow_interruptions=True,  # a missing value is a gap, not a zero
        x_label_rotation=0 if len(points) <= 8 else 30,
        show_minor_x_labels=len(points) <= 12,
        x_labels_major_every=max(1, len(points) // 6),
        truncate_label=-1,
        dots_size=3,
        print_values=False,
        value_formatter=_number,
        margin=8,
        show_minor_y_labels=False,
        y_labels_major_count=6,
    )
    chart.x_labels = [label for _start, label, _value in points]
    chart.add(
        _("Mesures (%(unit)s)") % {"unit": indicator.unit},
        [None if value is None else float(value) for _start, _label, value in points],
    )
    # the target and the baseline as flat lines, dashed, in the colours of STYLE
    for label, level, dashes, width in (
        (_("Cible"), indicator.target_value, "6,4", 2),
        (_("Référence"), indicator.baseline_value, "2,3", 1.5),
    ):
        if level is not None:
            chart.add(
                label,
                [float(level)] * len(points),
                show_dots=False,
                stroke_style={"dasharray": dashes, "width": width},
            )
    return static_svg(
        chart, f"chart-indicator-{indicator.pk}", indicator.name, describe(indicator, progress)
    )


def static_svg(chart, chart_id: str, title: str, description: str):
    """A pygal chart as static, accessible SVG markup: without pygal's tooltip script and
    the data its tooltips read (`desc` elements: without the script they only lengthen the
    page), named by `title` and `description` for assistive technologies."""
    root = chart.render_tree()
    dropped = {f"{{{SVG_NS}}}script", "script", f"{{{SVG_NS}}}desc", "desc"}
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in dropped:
                parent.remove(child)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("class", "pygal-chart registry-chart")
    title_element = ElementTree.Element("title", id=f"{chart_id}-title")
    title_element.text = title
    desc = ElementTree.Element("desc", id=f"{chart_id}-desc")
    desc.text = description
    root.insert(0, desc)
    root.insert(0, title_element)
    return mark_safe(ElementTree.tostring(root, encoding="unicode", method="xml"))
