"""The dashboards' maps: stored outlines (`bodies.outlines`) written into an SVG on the server.

No tiles, no script, no network. Each map names itself to assistive technologies, gives each
shape a title (the browser shows it on hover), and is followed on the page by the table of its
figures. When outlines were not loaded (`manage.py load_outlines`), there is no map and the
page says how to add one.
"""

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bodies.models import Body, Commune, Site
from meetings.activity import bodies_with_status

from .county import CLSPD_OBLIGATION_POPULATION

# Coverage of a commune, with the DSFR colours of its legend.
COVERAGE = {
    "clspd": (gettext_lazy("Couverte par son CLSPD"), "#000091"),
    "cispd": (gettext_lazy("Couverte par un CISPD"), "#6a6af4"),
    "gap": (gettext_lazy("Obligation non remplie"), "#ce0500"),
    "none": (gettext_lazy("Sans obligation"), "#e5e5e5"),
}
# The national map's classes, light to dark (DSFR blue France).
SHADES = ("#ececfe", "#cacafb", "#8585f6", "#313178", "#000091")


def coverage_of_communes(department, on=None):
    """The département's communes with their outline and coverage (`COVERAGE`): an active
    CLSPD of their own, an active CISPD of their EPCI, an obligation not met, or none. One
    query."""
    active = bodies_with_status(on=on).filter(status=Body.Status.ACTIVE)
    obliged = Q(population__gt=CLSPD_OBLIGATION_POPULATION) | Q(
        pk__in=Site.objects.filter(kind=Site.Kind.QPV).values("communes")
    )
    return (
        Commune.objects.filter(department=department)
        .exclude(outline="")
        .annotate(
            coverage=Case(
                When(
                    Exists(active.filter(type=Body.Type.CLSPD, commune=OuterRef("pk"))),
                    then=Value("clspd"),
                ),
                When(
                    Exists(active.filter(type=Body.Type.CISPD, epci=OuterRef("epci"))),
                    then=Value("cispd"),
                ),
                When(obliged, then=Value("gap")),
                default=Value("none"),
                output_field=CharField(),
            )
        )
        .values_list("name", "insee_code", "outline", "coverage")
        .order_by("insee_code")
    )


def _svg(view_box: str, map_id: str, title: str, description: str, shapes) -> str:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{}" role="img" '
        'aria-labelledby="{}-title {}-desc" class="registry-map" fill-rule="evenodd">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        view_box,
        map_id,
        map_id,
        map_id,
        title,
        map_id,
        description,
        shapes,
    )


def county_map(department, rows) -> tuple[str | None, list]:
    """The SVG of `coverage_of_communes` rows, and the legend with each category's count."""
    rows = list(rows)
    counts = dict.fromkeys(COVERAGE, 0)
    for _name, _code, _outline, coverage in rows:
        counts[coverage] += 1
    legend = [(key, label, colour, counts[key]) for key, (label, colour) in COVERAGE.items()]
    if not rows or not department.map_box:
        return None, legend
    shapes = format_html_join(
        "",
        '<path d="{}" fill="{}" stroke="#ffffff" stroke-width="0.15">'
        "<title>{} ({}) — {}</title></path>",
        (
            (outline, COVERAGE[coverage][1], name, code, COVERAGE[coverage][0])
            for name, code, outline, coverage in rows
        ),
    )
    description = ", ".join(f"{label} : {n}" for _k, label, _c, n in legend)
    title = _("Couverture des communes — %(name)s") % {"name": department.name}
    return _svg(department.map_box, "map-county", title, description, shapes), legend


def shade_index(value: int, top: int) -> int:
    """The shade of a whole number from 0 to `top`: five bins of equal width."""
    return min(len(SHADES) - 1, len(SHADES) * value // (top + 1))


def shade(value, top) -> str:
    return "#ffffff" if value is None else SHADES[shade_index(value, top)]


def shade_legend(top: int) -> list[tuple[str, int, int]]:
    """(colour, lowest, highest) of each shade in use for values from 0 to `top`: the values
    `shade_index` puts in each bin."""
    count = len(SHADES)
    bins = [
        (colour, -(-index * (top + 1) // count), -(-(index + 1) * (top + 1) // count) - 1)
        for index, colour in enumerate(SHADES)
    ]
    return [(colour, low, high) for colour, low, high in bins if low <= high]


NATIONAL_VIEW_BOX = "-540 -5700 1300 1110"


def national_map(rows, figure: str, label: str) -> tuple[str | None, list]:
    """Départements shaded by `figure` (an attribute of `national.Row`), darker is more, and
    the legend of the shades."""
    drawn = [row for row in rows if row.department.outline]
    if not drawn:
        return None, []
    values = [getattr(row, figure) for row in drawn]
    top = max((v for v in values if v is not None), default=0)
    shapes = format_html_join(
        "",
        '<path d="{}" fill="{}" stroke="#666666" stroke-width="0.6">'
        "<title>{} — {} : {}</title></path>",
        (
            (
                row.department.outline,
                shade(value, top),
                row.department.name,
                label,
                "—" if value is None else value,
            )
            for row, value in zip(drawn, values, strict=True)
        ),
    )
    description = _("Départements colorés selon « %(label)s » : plus foncé, plus élevé.") % {
        "label": label
    }
    svg = _svg(NATIONAL_VIEW_BOX, "map-national", label, description, mark_safe(shapes))
    return svg, shade_legend(top)
