"""The dashboards' charts: pygal SVG drawn on the server, static (no script), each followed on
the page by the table of its figures (`actions.charts.static_svg`, the indicators' style)."""

import functools
import threading
from collections import OrderedDict

import pygal
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from actions.charts import STYLE, static_svg
from bodies.models import Body

# Status colours after the DSFR's badges: success, warning, grey, grey.
STATUS_STYLE = STYLE.__class__(
    **{**STYLE.__dict__, "colors": ("#18753c", "#b34000", "#929292", "#666666")}
)
COMMITMENT_STYLE = STYLE.__class__(
    **{**STYLE.__dict__, "colors": ("#000091", "#ce0500", "#18753c", "#929292")}
)


CHART_CACHE = 512  # charts kept per process (a few kilobytes each)


def _plain(value):
    """A value of a chart's input as a stable, hashable key (lazy texts as their text)."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value


def memoized(function):
    """The chart drawn once for the same figures in the same language, then reused: pygal
    took a fifth of the county dashboard's time to draw charts whose figures had not
    changed. The figures themselves are still read from the database on every request; a
    change of any of them draws the chart anew."""
    cache: OrderedDict = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        key = (translation.get_language(), _plain(args), _plain(kwargs))
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = function(*args, **kwargs)
        with lock:
            cache[key] = value
            while len(cache) > CHART_CACHE:
                cache.popitem(last=False)
        return value

    wrapper.cache = cache
    return wrapper


def _options(**extra):
    return {
        "width": 960,
        "js": [],
        "disable_xml_declaration": True,
        "legend_at_bottom": True,
        "truncate_label": -1,
        "truncate_legend": -1,
        "margin": 8,
        "print_values": False,
        "legend_at_bottom_columns": 4,
        **extra,
    }


def whole_ticks(rows, most=6) -> list[int]:
    """Whole-number ticks from 0 to the tallest stack (counts have no halves)."""
    top = max(sum(n for _s, _l, n in counts) for _t, _l, counts in rows)
    step = max(1, -(-top // most))
    return list(range(0, top + step, step))


@memoized
def bodies_by_status(rows, chart_id="chart-bodies"):
    """Stacked bars: bodies of each type by status (`status_table` rows)."""
    rows = [row for row in rows if any(n for _s, _l, n in row[2])]
    if not rows:
        return None
    chart = pygal.StackedBar(
        style=STATUS_STYLE, height=300, y_labels=whole_ticks(rows), **_options()
    )
    chart.x_labels = [type_ for type_, _label, _counts in rows]  # codes: the table names them
    for index, (_status, status_label) in enumerate(Body.Status.choices):
        chart.add(str(status_label), [counts[index][2] for _t, _l, counts in rows])
    total = sum(n for _t, _l, counts in rows for _s, _sl, n in counts)
    description = _("%(total)s instances, par type et par statut.") % {"total": total}
    return static_svg(chart, chart_id, _("Instances par type et par statut"), description)


@memoized
def attendance_by_category(rows, labels, chart_id="chart-attendance"):
    """Horizontal bars: attendance rate per institution category, lowest first."""
    if not rows:
        return None
    chart = pygal.HorizontalBar(
        style=STYLE,
        height=max(160, 28 * len(rows) + 60),
        range=(0, 100),
        y_labels=[0, 25, 50, 75, 100],
        show_legend=False,
        value_formatter=lambda v: f"{v:.0f} %",
        **_options(legend_at_bottom=False),
    )
    chart.x_labels = [str(labels.get(r["institution__category"], "")) for r in rows]
    chart.add(_("Taux de présence"), [round(r["rate"]) for r in rows])
    lowest = rows[0]
    description = _("Le taux le plus bas : %(label)s, %(rate)s %%.") % {
        "label": labels.get(lowest["institution__category"], ""),
        "rate": round(lowest["rate"]),
    }
    return static_svg(
        chart, chart_id, _("Présence par catégorie d’institution, douze mois"), description
    )


@memoized
def commitments_by_institution(rows, chart_id="chart-commitments", most=12):
    """Stacked horizontal bars: each owner institution's commitments by state (the `most`
    institutions with the most commitments)."""
    rows = sorted(rows, key=lambda r: -(r["open"] + r["done"] + r["dropped"]))[:most]
    if not rows:
        return None
    chart = pygal.HorizontalStackedBar(
        style=COMMITMENT_STYLE, height=max(200, 30 * len(rows) + 90), **_options()
    )
    chart.x_labels = [r["owner_institution__name"] for r in rows]
    # stacked: the open ones not yet due, then the overdue ones, done, dropped
    chart.add(_("En cours, dans les délais"), [r["open"] - r["overdue"] for r in rows])
    for key, label in (
        ("overdue", _("En retard")),
        ("done", _("Tenus")),
        ("dropped", _("Abandonnés")),
    ):
        chart.add(label, [r[key] for r in rows])
    description = _("Engagements par institution responsable et par état, %(n)s institutions.") % {
        "n": len(rows)
    }
    return static_svg(chart, chart_id, _("Engagements par institution"), description)
