"""Generate the synthetic dataset, phase by phase, and say how it went.

Phases: territories (the `load_territories` loader), the layout of bodies, institutions and
people with their memberships, action plans, then meetings département by département. All
but the territories write in one transaction, marker included: an interrupted run leaves the
database as it was. Rows are generated and written as they go (per body, in batches), so
memory holds the layout and the current département's members, not the dataset.
"""

import dataclasses
import datetime
import time
from collections import Counter
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from bodies.territories import load_territories

from . import marker, tables
from .layout import lay_out, read_areas
from .members import Staffing
from .plans import Planning
from .sink import Ids, RowSink, foreign_keys_checked_once, reset_sequences
from .sittings import Sittings


@dataclasses.dataclass(frozen=True)
class Options:
    scale: float
    seed: int = 1
    today: datetime.date | None = None
    departments: tuple[str, ...] | None = None
    force: bool = False
    flush: bool = False


def number(n: int) -> str:
    return f"{n:,}".replace(",", " ")


# Where a model's plural reads oddly after a number (« 306 919 ordre du jour »).
LABELS = {tables.AGENDA_ITEM: "points d’ordre du jour"}


def counts(written: Counter, *table_list) -> str:
    return ", ".join(
        f"{number(written[table.model])} {LABELS.get(table, table.model._meta.verbose_name_plural)}"
        for table in table_list
    )


def generate(options: Options, say: Callable[[str], None] = print) -> Counter:
    """Build the dataset; returns the rows written per model. Raises `marker.DatasetRefused`."""
    today = options.today or timezone.localdate()
    parameters = marker.Parameters(options.scale, options.seed, today, options.departments)
    decision = marker.decide(parameters, options.force, options.flush)
    if decision == "up-to-date":
        say(f"Jeu synthétique déjà généré ({parameters.label()}) : rien à faire.")
        return Counter()
    started = time.monotonic()

    def phase(label: str, since: float) -> float:
        say(f"{label} — {time.monotonic() - since:.1f} s")
        return time.monotonic()

    clock = time.monotonic()
    load_territories(options.departments, progress=lambda message: say(f"  {message}"))
    clock = phase("Territoires", clock)

    sink, ids = RowSink(), Ids()
    with transaction.atomic():
        beside_other_data = decision == "generate" and marker.holds_registry_rows()
        if decision == "flush-and-generate":
            marker.flush_registry()
            clock = phase("Base vidée de ses données du registre", clock)

        areas = read_areas(list(options.departments) if options.departments else None)
        bodies = lay_out(areas, options.seed, today, options.scale)
        clock = phase(
            f"Implantation : {number(len(bodies))} instances dans {len(areas)} départements "
            f"({parameters.label()})",
            clock,
        )
        with foreign_keys_checked_once([table.model for table in tables.ALL]):
            staffing = Staffing(sink, ids, options.seed, today)
            for body in bodies:
                staffing.add_body(body)
            sink.flush()
            clock = phase(
                "Instances et membres : "
                + counts(
                    sink.written,
                    tables.BODY,
                    tables.INSTITUTION,
                    tables.PERSON,
                    tables.MEMBERSHIP,
                    tables.SITE,
                ),
                clock,
            )

            planning = Planning(sink, ids, options.seed, today)
            for body in bodies:
                planning.add_plans(body)
            sink.flush()
            clock = phase(
                "Plans d’action : "
                + counts(
                    sink.written,
                    tables.PLAN,
                    tables.OBJECTIVE,
                    tables.ACTION,
                    tables.FUNDING,
                    tables.MILESTONE,
                    tables.INDICATOR,
                    tables.MEASUREMENT,
                ),
                clock,
            )

            sittings = Sittings(sink, ids, options.seed, today)
            by_area = {}
            for body in bodies:
                by_area.setdefault(body.area.code, []).append(body)
            meeting_tables = (
                tables.MEETING,
                tables.ATTENDANCE,
                tables.COMMITMENT,
                tables.FOLLOW_UP,
            )
            step = max(1, len(by_area) // 10)
            for index, (code, area_bodies) in enumerate(by_area.items(), 1):
                guests = [member for body in area_bodies for member in body.members]
                for body in area_bodies:
                    sittings.add_meetings(body, guests)
                    body.members = []  # no longer needed: memory stays bounded
                if index % step == 0 and index < len(by_area):
                    say(
                        f"  réunions : {index}/{len(by_area)} départements (jusqu’au {code}), "
                        + counts(sink.written, *meeting_tables)
                        + f" — {time.monotonic() - clock:.1f} s"
                    )
            sink.flush()
            clock = phase(
                "Réunions : "
                + counts(
                    sink.written,
                    tables.MEETING,
                    tables.AGENDA_ITEM,
                    tables.ATTENDANCE,
                    tables.DECISION,
                    tables.COMMITMENT,
                    tables.FOLLOW_UP,
                ),
                clock,
            )
        reset_sequences([table.model for table in tables.ALL])
        marker.write_marker(marker.Marker(parameters.label(), beside_other_data))
        clock = phase("Clés étrangères vérifiées, séquences, marque de la base", clock)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables.ALL:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table.model._meta.db_table)}")
        clock = phase("Statistiques (ANALYZE)", clock)

    total = sum(sink.written.values())
    say(
        f"Jeu synthétique généré ({parameters.label()}) : {number(total)} lignes en "
        f"{time.monotonic() - started:.1f} s — "
        + counts(
            sink.written,
            tables.BODY,
            tables.PERSON,
            tables.MEMBERSHIP,
            tables.MEETING,
            tables.ATTENDANCE,
            tables.COMMITMENT,
            tables.FOLLOW_UP,
            tables.MEASUREMENT,
        )
        + "."
    )
    return sink.written
