"""Which database may be filled with synthetic data, and how a generated one is recognised.

A generated database carries a marker: an inactive user account, `jeu-synthetique`, that
cannot log in and whose last name records the generation's parameters. It is written in the
generation's transaction, so it exists only for a complete dataset. The registry's own tables
have no room for it, and a user row is seen by nobody but administrators.

The rules (README, « Données synthétiques »):
- a database whose registry tables are empty (territories and user accounts do not count)
  is generated;
- a database that holds registry rows and no marker holds real or hand-made data: refused,
  unless `--force` (the dataset is then added next to them, and the marker says so);
- a generated database with the same parameters: nothing to do;
- a generated database with other parameters: refused unless `--flush`;
- `--flush` empties every registry table (not territories, not user accounts) before
  generating; where generated data sit next to other data, that needs `--force` too.
"""

import dataclasses
import datetime
import hashlib

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from .sink import settle_deferred_checks

MARKER_USERNAME = "jeu-synthetique"
REGISTRY_APPS = ("bodies", "actions", "meetings")
TERRITORY_MODELS = ("region", "department", "epci", "commune")


class DatasetRefused(Exception):
    """The database may not receive this dataset; the message says why, in French."""


@dataclasses.dataclass(frozen=True)
class Parameters:
    scale: float
    seed: int
    today: datetime.date
    departments: tuple[str, ...] | None  # None: all of France

    def label(self) -> str:
        departments = ",".join(self.departments) if self.departments else "tous"
        if len(departments) > 40:
            digest = hashlib.sha256(departments.encode()).hexdigest()[:10]
            departments = f"{len(self.departments)}#{digest}"
        return (
            f"échelle={self.scale:g};graine={self.seed};jour={self.today.isoformat()};"
            f"départements={departments}"
        )


@dataclasses.dataclass(frozen=True)
class Marker:
    parameters: str  # `Parameters.label()`
    beside_other_data: bool

    BESIDE = ";avec=autres-données"

    @classmethod
    def parse(cls, text: str) -> "Marker":
        return cls(text.removesuffix(cls.BESIDE), text.endswith(cls.BESIDE))

    def text(self) -> str:
        return self.parameters + (self.BESIDE if self.beside_other_data else "")


def registry_models(include_history: bool = False) -> list:
    """The registry's tables (with their many-to-many tables), territories excepted."""
    found = []
    for label in REGISTRY_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.model_name in TERRITORY_MODELS:
                continue
            if model._meta.model_name.startswith("historical") and not include_history:
                continue
            found.append(model)
    return found


def holds_registry_rows() -> bool:
    return any(model._base_manager.exists() for model in registry_models())


def read_marker() -> Marker | None:
    user = get_user_model()._base_manager.filter(username=MARKER_USERNAME).first()
    return Marker.parse(user.last_name) if user else None


def write_marker(marker: Marker) -> None:
    User = get_user_model()
    user = User._base_manager.filter(username=MARKER_USERNAME).first() or User(
        username=MARKER_USERNAME, first_name="Jeu de données synthétique", is_active=False
    )
    user.set_unusable_password()
    user.last_name = marker.text()
    user.save()


def decide(parameters: Parameters, force: bool, flush: bool) -> str:
    """What to do with this database: "generate", "flush-and-generate" or "up-to-date".
    Raises `DatasetRefused` with the reason otherwise."""
    marker = read_marker()
    if marker is None:
        if not holds_registry_rows():
            return "generate"
        if not force:
            raise DatasetRefused(
                "Cette base contient des données du registre qui n’ont pas été générées "
                "(instances, personnes, réunions…). Refus de les mélanger à un jeu "
                "synthétique : --force pour l’ajouter à côté, --force --flush pour tout "
                "effacer d’abord."
            )
        return "flush-and-generate" if flush else "generate"
    if flush:
        if marker.beside_other_data and not force:
            raise DatasetRefused(
                "Le jeu synthétique de cette base a été ajouté à côté d’autres données : "
                "--flush les effacerait aussi. Ajoutez --force pour le confirmer."
            )
        return "flush-and-generate"
    if marker.parameters != parameters.label():
        raise DatasetRefused(
            f"Cette base contient déjà un jeu synthétique ({marker.parameters}) : relancez avec "
            "--flush pour le remplacer."
        )
    return "up-to-date"


def flush_registry() -> None:
    """Empty every registry table and its history; territories and user accounts stay."""
    models = registry_models(include_history=True)
    tables = [model._meta.db_table for model in models]
    quote = connection.ops.quote_name
    settle_deferred_checks()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"TRUNCATE {', '.join(quote(table) for table in tables)} RESTART IDENTITY"
            )
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
    get_user_model()._base_manager.filter(username=MARKER_USERNAME).delete()
