"""Imports and exports of the administration (django-import-export), scoped by `bodies.access`:
bodies, institutions, people, memberships and sites here; measurements in `actions.resources`.

Three traps of django-import-export are closed here: rows are looked up through
`Resource.get_queryset()`, foreign keys through `ForeignKeyWidget.get_queryset()` and
many-to-many values through `ManyToManyWidget`, all of which default to the whole table. Here
all three are the user's scope, and a row naming an id outside it is refused rather than
treated as new (saving a new instance with an existing primary key would overwrite someone
else's row).

Imports are all-or-nothing: one transaction, rolled back on any error or validation error.
Every problem is reported as (line of the file, column as written in its header, French
message): `RegistryResource.problems`, which the import page lists.

A related row is named by its number (the export's column) or by its name (`nom` of a body
or an institution, « Prénom Nom » of a person); a name that matches nothing in the user's
scope, or several rows, is an error on its line.
"""

from __future__ import annotations

import datetime
import logging
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import OperationalError
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, results, widgets

from . import access as policy
from .imports import Formula
from .models import Body, Commune, Department, Epci, Institution, Membership, Person, Site
from .spreadsheets import neutralised, restored
from .validators import is_whole_number, validate_plausible_date

security_log = logging.getLogger("partnerships.security")
logger = logging.getLogger(__name__)

MAX_ID = 2**63 - 1  # a larger number is no row of ours (and overflows SQLite's integers)


class QuietError(results.Error):
    """An import error shown without its traceback (server paths, code) unless DEBUG is on."""

    @property
    def traceback(self):
        return super().traceback if settings.DEBUG else ""


class CellError(ValueError):
    """A row's error that names its column (`None`: the row as a whole)."""

    def __init__(self, column, message):
        super().__init__(message)
        self.column = column


class Problem(NamedTuple):
    """One thing wrong with an import file: the line of the file (None: the whole file),
    the column as written in its header (None: the row as a whole), a French message."""

    line: int | None
    column: str | None
    message: str


class Column(fields.Field):
    """A column of an import or export file: its name in the file (`column_name`, snake_case
    French, the same in both directions) and what it holds (`label`, shown on the export
    page)."""

    def __init__(self, attribute, column_name, label, **kwargs):
        super().__init__(attribute=attribute, column_name=column_name, **kwargs)
        self.label = label


# -- widgets: cells to values, in French -----------------------------------------------------


def cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def whole_number(value) -> int | None:
    """The whole number a cell holds (« 12 », 12, 12.0), or None."""
    if isinstance(value, bool):
        return None
    text = cell_text(value)
    return int(text) if is_whole_number(text) else None


class IdWidget(widgets.Widget):
    """A whole number or nothing: « 1.5 » is an error, not row 1."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text == "":
            return None
        number = whole_number(text)
        if number is None or number > MAX_ID:
            raise ValueError(
                _(
                    "Identifiant « %(value)s » invalide : un nombre entier est attendu, ou rien "
                    "pour créer une nouvelle fiche."
                )
                % {"value": text[:40]}
            )
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class TextWidget(widgets.CharWidget):
    """Text as typed; a number read from a spreadsheet becomes its digits (« 38 », not
    « 38.0 »)."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        return str(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


class FrenchDateWidget(widgets.Widget):
    """A date as 2024-03-01 (what the export writes) or 01/03/2024; a spreadsheet's own
    date cells too."""

    def clean(self, value, row=None, **kwargs):
        date = self.read(value)
        if date is not None:
            try:  # the forms' bounds (1900–2100): 0001-01-01 is a typing slip, not a date
                validate_plausible_date(date)
            except ValidationError as error:
                raise ValueError(" ".join(error.messages)) from None
        return date

    @staticmethod
    def read(value):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        if text == "":
            return None
        for pattern in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(
            _("Date « %(value)s » invalide : attendue sous la forme AAAA-MM-JJ ou JJ/MM/AAAA.")
            % {"value": text[:40]}
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else value.isoformat()


class ChoiceWidget(widgets.Widget):
    """One of a field's choices, by its code (what the export writes) or its French label."""

    def __init__(self, choices, what):
        super().__init__()
        self.choices, self.what = choices, what

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text == "":
            return ""
        for code, label in self.choices:
            if text == code or text.casefold() in (code.casefold(), str(label).casefold()):
                return code
        raise ValueError(
            _("%(what)s « %(value)s » inconnu(e) : %(codes)s.")
            % {
                "what": self.what,
                "value": text[:40],
                "codes": ", ".join(code for code, _label in self.choices),
            }
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class YesNoWidget(widgets.Widget):
    YES = ("oui", "o", "1", "vrai", "true", "yes", "x")
    NO = ("non", "n", "0", "faux", "false", "no", "")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).casefold()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("« %(value)s » : oui ou non attendu.") % {"value": text[:40]})

    def render(self, value, obj=None, **kwargs):
        return _("oui") if value else _("non")


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related row among `choices(access)` only, by its number (`field="pk"`) or by a code
    (`field="code"`…); `names(queryset, text)` also finds it by name. A row outside the
    choices reads as unknown, and a name matching several rows is ambiguous."""

    def __init__(self, model, choices, field="pk", names=None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.choices, self.names = choices, names
        self.access = policy.ANONYMOUS
        self.known = None  # key → row, read for the whole file at once (`resolve`)

    def get_queryset(self, value, row, *args, **kwargs):
        return self.choices(self.access)

    def key(self, text):
        """The lookup key a cell's text gives (None: none, the row reports it)."""
        if self.field != "pk":
            return text
        number = whole_number(text)
        return number if number is not None and number <= MAX_ID else None

    def resolve(self, values):
        """Reads the rows the file's cells name by number or code, in a few queries for the
        whole file: a lookup per row through the scoped querysets cost milliseconds each."""
        keys = {self.key(cell_text(v)) for v in values if cell_text(v)} - {None}
        known, keys = {}, sorted(keys, key=str)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for obj in self.get_queryset(None, None).filter(**{f"{self.field}__in": chunk}):
                known.setdefault(getattr(obj, self.field), []).append(obj)
        self.known = known

    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text == "":
            return None
        model = self.verbose_name()
        unknown = ValueError(
            _("%(model)s n° %(value)s inconnu(e) ou hors de votre périmètre.")
            % {"model": model.capitalize(), "value": text[:40]}
        )
        if self.known is not None and self.key(text) is not None:
            found = self.known.get(self.key(text), [])
            if len(found) == 1:
                return found[0]
            if self.field == "pk":
                raise unknown
        choices = self.get_queryset(value, row)
        if self.field != "pk":
            found = list(choices.filter(**{self.field: text})[:2])
            if len(found) == 1:
                return found[0]
            raise ValueError(
                _("%(model)s « %(value)s » inconnu(e) ou hors de votre périmètre.")
                % {"model": model.capitalize(), "value": text[:40]}
            )
        number = whole_number(text)
        if number is not None:
            if number > MAX_ID:
                raise unknown
            try:
                return choices.get(pk=number)
            except self.model.DoesNotExist:
                raise unknown from None
        if self.names is None:
            raise ValueError(
                _("« %(value)s » n’est pas un numéro de %(model)s : un nombre entier est attendu.")
                % {"model": model, "value": text[:40]}
            )
        found = list(self.names(choices, " ".join(text.split())).order_by("pk")[:11])
        if not found:
            raise ValueError(
                _(
                    "%(model)s « %(value)s » inconnu(e) ou hors de votre périmètre : "
                    "vérifiez l’orthographe, ou indiquez son numéro."
                )
                % {"model": model.capitalize(), "value": text[:80]}
            )
        if len(found) > 1:
            raise ValueError(
                _(
                    "%(model)s « %(value)s » ambigu(ë) : plusieurs correspondent (n° %(ids)s) ; "
                    "indiquez le numéro."
                )
                % {
                    "model": model.capitalize(),
                    "value": text[:80],
                    "ids": ", ".join(str(o.pk) for o in found[:10]),
                }
            )
        return found[0]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return str(value.pk) if self.field == "pk" else str(getattr(value, self.field))


class ScopedManyToManyWidget(widgets.ManyToManyWidget):
    """Several related rows by their numbers or codes, separated by commas, among
    `choices(access)` only."""

    def __init__(self, model, choices, field="pk", **kwargs):
        super().__init__(model, separator=",", field=field, **kwargs)
        self.choices = choices
        self.access = policy.ANONYMOUS

    def clean(self, value, row=None, **kwargs):
        keys = [k.strip() for k in cell_text(value).split(",") if k.strip()]
        if not keys:
            return self.model.objects.none()
        if self.field == "pk":
            bad = [k for k in keys if whole_number(k) is None or int(k) > MAX_ID]
            if bad:
                raise ValueError(
                    _("« %(value)s » : des numéros séparés par des virgules sont attendus.")
                    % {"value": ", ".join(bad)[:80]}
                )
        found = self.choices(self.access).filter(**{f"{self.field}__in": keys})
        known = {str(getattr(o, self.field)) for o in found}
        missing = [k for k in keys if str(int(k) if self.field == "pk" else k) not in known]
        if missing:
            raise ValueError(
                _("%(model)s inconnu(e)s ou hors de votre périmètre : %(keys)s.")
                % {
                    "model": str(self.model._meta.verbose_name_plural).capitalize(),
                    "keys": ", ".join(missing)[:200],
                }
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ",".join(sorted(str(getattr(o, self.field)) for o in value.all()))


def by_name(queryset, text):
    return queryset.filter(name__iexact=text)


def by_full_name(queryset, text):
    """People by « Prénom Nom », as the export's name columns write them."""
    return queryset.annotate(import_full_name=Concat("first_name", Value(" "), "last_name")).filter(
        import_full_name__iexact=text
    )


def same_cell(a, b) -> bool:
    """Whether a value read back from a file is the stored one: texts compare as the export
    wrote them (line ends as \\n, control characters dropped)."""
    if isinstance(a, str) and isinstance(b, str):
        return neutralised(a) == neutralised(b) or a == b
    return a == b


class RegistryDiff(resources.Diff):
    """The preview's before and after, read as the export reads them (the library reads
    the raw values: a problem statement the user may not read would show there)."""

    def __init__(self, resource, instance, new):
        self.left = self.read(resource, instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = self.read(resource, instance)

    @staticmethod
    def read(resource, instance):
        if instance is None:
            return []
        return [RegistryDiff.cell(resource, f, instance) for f in resource.get_import_fields()]

    @staticmethod
    def cell(resource, field, instance):
        try:
            return resource.export_field(field, instance)
        except ObjectDoesNotExist:  # a new row, before its relations are read
            return ""


# -- the shared base --------------------------------------------------------------------------


class RegistryResource(resources.ModelResource):
    """What every import and export of the registry shares.

    Exports: text cells neutralised against formula injection, each export logged.
    Imports: the file's columns checked first (unknown ones refused, `required_columns`
    present); identical rows, and rows naming the same record twice, refused; all or
    nothing, validation errors included (the library's default keeps the rows that passed);
    cells the database cannot hold or that are no values (NUL bytes, formulas) refused;
    every problem reported with its line and column (`problems`). Subclasses say which rows
    the user may change (`get_queryset`) and whether a row lies in the user's perimeter
    (`check_perimeter`)."""

    required_columns: tuple[str, ...] = ()
    # Whether the model's `clean` checks every rule of its `Meta.constraints` (with a message
    # of its own): then Django's generic check, a query of a few milliseconds per
    # constraint and row, is not run as well. The database enforces them all the same.
    constraints_checked_by_clean = False
    unknown_id_message = gettext_lazy(
        "Fiche n° %(id)s inconnue ou hors de votre périmètre : laissez la colonne id vide "
        "pour en créer une."
    )

    class Meta:
        import_id_fields = ["id"]
        clean_model_instances = True
        skip_unchanged = True
        use_transactions = True

    def __init__(self, access=policy.ANONYMOUS, **kwargs):
        super().__init__(**kwargs)
        self.access = access
        self.line_numbers = None
        self.repeated = {}
        for field in self.fields.values():
            if isinstance(field.widget, (ScopedForeignKeyWidget, ScopedManyToManyWidget)):
                field.widget.access = access

    # -- export ----------------------------------------------------------------------------

    def export_field(self, field, instance, **kwargs):
        """Text cells neutralised against formula injection, in CSV and XLSX alike (the
        library's own setting only strips a leading `=`, and turns every cell into text);
        numbers stay numbers."""
        value = super().export_field(field, instance, **kwargs)
        return neutralised(value) if isinstance(value, str) else value

    def export_queryset(self, queryset):
        return queryset

    def export(self, queryset=None, **kwargs):
        queryset = self.get_queryset() if queryset is None else queryset
        queryset = self.export_queryset(queryset)
        security_log.info(
            "export model=%s user_id=%s rows=%s",
            self._meta.model._meta.model_name,
            self.access.user_id,
            queryset.count(),
        )
        return super().export(queryset=queryset, **kwargs)

    # -- the file as a whole ---------------------------------------------------------------

    def get_error_result_class(self):
        return QuietError

    def get_diff_class(self):
        return RegistryDiff

    def column_names(self) -> dict[str, str]:
        """Model field name → column of the file."""
        names = {}
        for field in self.fields.values():
            if field.attribute and "__" not in field.attribute and not field.readonly:
                names[field.attribute] = field.column_name
        return names

    def line(self, row_number) -> int | None:
        if row_number is None:
            return None
        if self.line_numbers and 0 < row_number <= len(self.line_numbers):
            return self.line_numbers[row_number - 1]
        return row_number + 1  # the header is line 1

    def file_errors(self, headers) -> list[str]:
        known = {field.column_name for field in self.fields.values()}
        errors = []
        unknown = [h for h in headers if h not in known]
        if unknown:
            errors.append(
                _("Colonne(s) inconnue(s) : %(unknown)s. Colonnes possibles : %(known)s.")
                % {
                    "unknown": ", ".join(f"« {h} »" for h in unknown),
                    "known": ", ".join(self.get_export_headers()),
                }
            )
        missing = [c for c in self.required_columns if c not in headers]
        if missing:
            errors.append(
                _("Colonne(s) manquante(s) : %(missing)s. Colonnes lues : %(read)s.")
                % {"missing": ", ".join(missing), "read": ", ".join(headers) or _("aucune")}
            )
        return errors

    def find_repeated(self, dataset) -> dict[int, CellError]:
        """Rows identical to an earlier one, or naming the same record (same id, or the
        same values of `import_id_fields`)."""
        headers = list(dataset.headers or [])
        id_columns = [
            self.fields[name].column_name
            for name in self._meta.import_id_fields
            if name in self.fields and self.fields[name].column_name in headers
        ]
        id_fields = [
            self.fields[name] for name in self._meta.import_id_fields if name in self.fields
        ]
        rows, ids, repeated = {}, {}, {}
        for number, values in enumerate(dataset, 1):
            cells = dict(zip(headers, values, strict=True))
            whole = tuple(cell_text(v) for v in values)
            key = tuple(
                self.record_key(field, cells[field.column_name], cells)
                for field in id_fields
                if field.column_name in headers
            )
            if whole in rows:
                repeated[number] = CellError(
                    None,
                    _("Ligne identique à la ligne %(line)s : supprimez l’une des deux.")
                    % {"line": self.line(rows[whole])},
                )
            elif id_columns and all(part != "" for part in key) and key in ids:
                repeated[number] = CellError(
                    id_columns[0],
                    _("Même fiche que la ligne %(line)s (%(columns)s) : une ligne par fiche.")
                    % {"line": self.line(ids[key]), "columns": ", ".join(id_columns)},
                )
            rows.setdefault(whole, number)
            if id_columns and all(part != "" for part in key):
                ids.setdefault(key, number)
        return repeated

    @staticmethod
    def record_key(field, value, cells):
        """A cell naming a record as the import will read it: `56` and `056` are the same
        number, `5,2024-03` and `5,2024-3` the same measurement."""
        widget = field.widget
        if isinstance(widget, IdWidget) or (
            isinstance(widget, ScopedForeignKeyWidget) and widget.field == "pk"
        ):
            number = whole_number(value)
            if number is not None:
                return number
        key = getattr(widget, "record_key", None)
        if key is not None:
            return key(value, cells)
        return " ".join(cell_text(value).split()).casefold()

    def import_data(self, dataset, **kwargs):
        headers = [str(h).strip() for h in (dataset.headers or []) if h is not None]
        self.line_numbers = getattr(dataset, "line_numbers", None)
        file_errors = self.file_errors(headers)
        if file_errors:
            # Every row would fail for the same reason: say it once.
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            for message in file_errors:
                result.append_base_error(QuietError(ValueError(message)))
            result.problems = self.problems(result)
            return result
        self.repeated = self.find_repeated(dataset)
        self.resolve_references(dataset, headers)
        kwargs["rollback_on_validation_errors"] = True
        result = super().import_data(dataset, **kwargs)
        result.problems = self.problems(result)
        if not kwargs.get("dry_run"):
            security_log.info(
                "import model=%s user_id=%s rows=%s new=%s updated=%s refused=%s",
                self._meta.model._meta.model_name,
                self.access.user_id,
                len(dataset),
                result.totals.get(results.RowResult.IMPORT_TYPE_NEW, 0),
                result.totals.get(results.RowResult.IMPORT_TYPE_UPDATE, 0),
                len(result.problems),
            )
        return result

    def resolve_references(self, dataset, headers):
        """Each foreign-key column's numbers and codes read for the whole file at once."""
        for field in self.get_import_fields():
            if isinstance(field.widget, ScopedForeignKeyWidget):
                if field.column_name in headers:
                    field.widget.resolve(dataset.get_col(headers.index(field.column_name)))
                else:
                    field.widget.known = None

    def problems(self, result) -> list[Problem]:
        """Every error of the import, as (line, column as in the file, French message)."""
        columns = self.column_names()
        found = [Problem(None, None, str(error.error)) for error in result.base_errors]
        for number, errors in result.row_errors():
            for error in errors:
                found.append(
                    Problem(
                        self.line(number), getattr(error.error, "column", None), self.say(error)
                    )
                )
        for row in result.invalid_rows:
            for name, messages in row.error_dict.items():
                column = None if name == NON_FIELD_ERRORS else columns.get(name)
                for message in messages:
                    if column is None and name != NON_FIELD_ERRORS:
                        message = f"{self.verbose_name(name).capitalize()} : {message}"
                    found.append(Problem(self.line(row.number), column, str(message)))
        # A cell the file gets wrong comes first; what the model then says of the same cell
        # (« Choisissez le département » after « département inconnu ») is noise.
        seen, listed = set(), []
        for problem in found:
            if problem.column is not None and (problem.line, problem.column) in seen:
                continue
            seen.add((problem.line, problem.column))
            listed.append(problem)
        return sorted(listed, key=lambda p: (p.line or 0, p.column or ""))

    def verbose_name(self, name) -> str:
        try:
            return str(self._meta.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return name

    @staticmethod
    def say(error) -> str:
        exception = error.error
        if isinstance(exception, ValidationError):
            return " ".join(exception.messages)
        if isinstance(exception, ValueError) and not isinstance(exception, UnicodeError):
            return str(exception)
        logger.warning("import row refused: %r", exception)
        if isinstance(exception, OperationalError):  # SQLite's « database is locked »
            return _(
                "Cette ligne n’a pas pu être enregistrée : la base de données était occupée "
                "(un autre import en même temps ?). Rien n’a été importé : recommencez dans un "
                "instant."
            )
        return _(
            "Cette ligne n’a pas pu être enregistrée : une valeur ne convient pas à la base de "
            "données (trop longue, trop grande ?). Vérifiez-la."
        )

    # -- each row ----------------------------------------------------------------------------

    def before_import_row(self, row, **kwargs):
        repeated = self.repeated.get(kwargs.get("row_number"))
        if repeated is not None:
            raise repeated
        for column, value in row.items():
            if isinstance(value, Formula):
                raise CellError(
                    column,
                    _(
                        "Colonne « %(column)s » : formule « %(formula)s » ; le registre lit des "
                        "valeurs, pas des formules. Collez les valeurs seules (collage spécial) "
                        "puis importez de nouveau."
                    )
                    % {"column": column, "formula": value[:40]},
                )
            if isinstance(value, str) and "\x00" in value:
                # PostgreSQL refuses NUL in text (a crash), SQLite would store it
                raise CellError(
                    column,
                    _("Colonne « %(column)s » : caractère nul, ce n’est pas un texte lisible.")
                    % {"column": column},
                )
            if isinstance(value, str):
                row[column] = restored(value)

    def get_instance(self, instance_loader, row):
        id_columns = [
            self.fields[name].column_name
            for name in self._meta.import_id_fields
            if name in self.fields
        ]
        if id_columns and all(cell_text(row.get(c)) == "" for c in id_columns):
            return None  # a new record: no query (the library looked up `id IS NULL`)
        try:
            instance = super().get_instance(instance_loader, row)
        except ValueError:
            # An unreadable id: reported by the field's own validation, together with the
            # row's other errors, rather than alone.
            return None
        if instance is None and whole_number(row.get("id")) is not None:
            raise ValidationError(
                {"id": self.unknown_id_message % {"id": cell_text(row.get("id"))}}
            )
        return instance

    def import_instance(self, instance, row, **kwargs):
        """The fields, then the many-to-many values (checked here, so that their errors are
        listed with the row's others rather than alone)."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's `full_clean`, as the library calls it, but for one thing: a foreign
        key a scoped widget set was read from the user's choices, so the field's own check
        that it exists (a query per key and row) is not repeated. Unique rules and
        constraints are checked on every field."""
        errors = dict(import_validation_errors or {})
        exclude = set(errors) | self.dependent_fields(errors)
        trusted = {
            field.attribute
            for field in self.get_import_fields()
            if isinstance(field.widget, ScopedForeignKeyWidget)
            and instance._state.fields_cache.get(field.attribute) is not None
        }
        checks = [
            lambda skip: instance.clean_fields(exclude=skip | trusted),
            lambda skip: instance.clean(),
        ]
        if validate_unique:
            checks.append(lambda skip: instance.validate_unique(exclude=skip))
        if not self.constraints_checked_by_clean:
            checks.append(lambda skip: instance.validate_constraints(exclude=skip))
        for check in checks:
            try:
                check(exclude | set(errors))
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        message = self.check_perimeter(instance)
        if message:
            raise ValidationError({NON_FIELD_ERRORS: [message]})

    def dependent_fields(self, errors) -> set[str]:
        """Fields not checked when `errors` already holds the field they are read with (a
        measurement's period, read with its indicator's frequency)."""
        return set()

    def check_perimeter(self, instance) -> str | None:
        """Why `instance`, as the row would save it, lies outside the user's perimeter (None:
        it does not). The scoped widgets already keep every reference in it."""
        return None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged rows are not saved (no history): texts compare as the file holds them."""
        if not self._meta.skip_unchanged or import_validation_errors:
            return False
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row:
                continue
            if isinstance(field.widget, widgets.ManyToManyWidget):
                new = sorted(o.pk for o in field.clean(row))
                old = (
                    []
                    if original.pk is None
                    else sorted(o.pk for o in field.get_value(original).all())
                )
                if new != old:
                    return False
            elif not same_cell(field.get_value(instance), field.get_value(original)):
                return False
        return original.pk is not None


# -- bodies -----------------------------------------------------------------------------------


def department_column():
    """`departement`: a département of the user's perimeter, by its code."""
    return Column(
        "department",
        "departement",
        gettext_lazy("code du département"),
        widget=ScopedForeignKeyWidget(Department, policy.scoped_departments, field="code"),
    )


def commune_column():
    """`commune`: a commune of the row's département, by its INSEE code."""
    return Column(
        "commune",
        "commune",
        gettext_lazy("code INSEE de la commune"),
        widget=ScopedForeignKeyWidget(Commune, policy.department_communes, field="insee_code"),
    )


def commune_name_column():
    return Column("commune__name", "nom_commune", gettext_lazy("nom de la commune"), readonly=True)


class BodyResource(RegistryResource):
    id = Column(
        "id", "id", gettext_lazy("numéro de l’instance (vide : nouvelle)"), widget=IdWidget()
    )
    type = Column(
        "type",
        "type",
        gettext_lazy("type"),
        widget=ChoiceWidget(Body.Type.choices, gettext_lazy("Type")),
    )
    name = Column("name", "nom", gettext_lazy("nom"), widget=TextWidget())
    other_names = Column(
        "other_names", "autres_noms", gettext_lazy("autres dénominations"), widget=TextWidget()
    )
    department = department_column()
    commune = commune_column()
    commune_name = commune_name_column()
    epci = Column(
        "epci",
        "epci",
        gettext_lazy("SIREN de l’EPCI"),
        widget=ScopedForeignKeyWidget(Epci, policy.department_epcis, field="siren"),
    )
    parent = Column(
        "parent",
        "instance_parente",
        gettext_lazy("numéro ou nom de l’instance de rattachement"),
        widget=ScopedForeignKeyWidget(Body, policy.editable_bodies, names=by_name),
    )
    created_on = Column(
        "created_on", "creee_le", gettext_lazy("créée le"), widget=FrenchDateWidget()
    )
    dissolved_on = Column(
        "dissolved_on", "dissoute_le", gettext_lazy("dissoute le"), widget=FrenchDateWidget()
    )
    planned_end_on = Column(
        "planned_end_on", "fin_prevue_le", gettext_lazy("fin prévue le"), widget=FrenchDateWidget()
    )
    problem_statement = Column(
        "problem_statement",
        "problematique",
        gettext_lazy("problématique traitée (GLTD)"),
        widget=TextWidget(),
    )
    problem_confidentiality = Column(
        "problem_confidentiality",
        "confidentialite_problematique",
        gettext_lazy("confidentialité de la problématique"),
        widget=ChoiceWidget(
            Body._meta.get_field("problem_confidentiality").choices, gettext_lazy("Niveau")
        ),
    )
    sites = Column(
        "sites",
        "sites",
        gettext_lazy("numéros des sites prioritaires, séparés par des virgules"),
        widget=ScopedManyToManyWidget(Site, policy.editable_sites),
    )

    PROBLEM_FIELDS = ("problem_statement", "problem_confidentiality")

    class Meta(RegistryResource.Meta):
        model = Body
        fields = [
            "id",
            "type",
            "name",
            "other_names",
            "department",
            "commune",
            "commune_name",
            "epci",
            "parent",
            "created_on",
            "dissolved_on",
            "planned_end_on",
            "problem_statement",
            "problem_confidentiality",
            "sites",
        ]

    required_columns = ("type",)
    unknown_id_message = gettext_lazy(
        "Instance n° %(id)s inconnue ou hors de votre périmètre : laissez la colonne id vide "
        "pour en créer une."
    )

    def get_queryset(self):
        return policy.editable_bodies(self.access)

    def export_queryset(self, queryset):
        return queryset.select_related("department", "commune", "epci", "parent").prefetch_related(
            "sites"
        )

    def problem_readable(self, body) -> bool:
        return body.pk is None or policy.can_read_problem_statement(self.access, body)

    def export_field(self, field, instance, **kwargs):
        # A problem statement the user may not read is not in the file, nor its level.
        if field.attribute in self.PROBLEM_FIELDS and not getattr(
            instance, "_problem_readable", self.problem_readable(instance)
        ):
            return ""
        return super().export_field(field, instance, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """A problem statement the user may not read is kept as it is: its cells must be
        empty (as the export left them)."""
        readable = self.problem_readable(instance)
        instance._problem_readable = readable
        if not readable:
            for name in self.PROBLEM_FIELDS:
                column = self.fields[name].column_name
                if cell_text(row.get(column)):
                    raise ValidationError(
                        {
                            name: _(
                                "Vous ne lisez pas la problématique de cette instance : "
                                "laissez cette colonne vide."
                            )
                        }
                    )
                row.pop(column, None)
        super().import_instance(instance, row, **kwargs)

    def check_perimeter(self, instance):
        instance.derive_territory()
        if instance.department_id and not policy.can_edit_body(self.access, instance):
            return _("Cette instance relève d’un département hors de votre périmètre.")
        return None


class InstitutionResource(RegistryResource):
    id = Column(
        "id", "id", gettext_lazy("numéro de l’institution (vide : nouvelle)"), widget=IdWidget()
    )
    category = Column(
        "category",
        "categorie",
        gettext_lazy("catégorie"),
        widget=ChoiceWidget(Institution.Category.choices, gettext_lazy("Catégorie")),
    )
    name = Column("name", "nom", gettext_lazy("nom"), widget=TextWidget())
    department = department_column()
    commune = commune_column()
    commune_name = commune_name_column()
    siren = Column("siren", "siren", gettext_lazy("SIREN"), widget=TextWidget())

    class Meta(RegistryResource.Meta):
        model = Institution
        fields = ["id", "category", "name", "department", "commune", "commune_name", "siren"]

    required_columns = ("categorie", "nom", "departement")
    unknown_id_message = gettext_lazy(
        "Institution n° %(id)s inconnue ou hors de votre périmètre : laissez la colonne id vide "
        "pour en créer une."
    )

    def get_queryset(self):
        return policy.editable_institutions(self.access)

    def export_queryset(self, queryset):
        return queryset.select_related("department", "commune")


class PersonResource(RegistryResource):
    id = Column(
        "id", "id", gettext_lazy("numéro de la personne (vide : nouvelle)"), widget=IdWidget()
    )
    first_name = Column("first_name", "prenom", gettext_lazy("prénom"), widget=TextWidget())
    last_name = Column("last_name", "nom", gettext_lazy("nom"), widget=TextWidget())
    email = Column("email", "courriel", gettext_lazy("courriel"), widget=TextWidget())
    phone = Column("phone", "telephone", gettext_lazy("téléphone"), widget=TextWidget())
    public_name_consent = Column(
        "public_name_consent",
        "nom_public",
        gettext_lazy("accepte que son nom soit public (oui ou non)"),
        widget=YesNoWidget(),
    )

    class Meta(RegistryResource.Meta):
        model = Person
        fields = ["id", "first_name", "last_name", "email", "phone", "public_name_consent"]

    required_columns = ("prenom", "nom")
    unknown_id_message = gettext_lazy(
        "Personne n° %(id)s inconnue ou hors de votre périmètre : laissez la colonne id vide "
        "pour en créer une."
    )

    def get_queryset(self):
        return policy.visible_people(self.access)


class SiteResource(RegistryResource):
    id = Column("id", "id", gettext_lazy("numéro du site (vide : nouveau)"), widget=IdWidget())
    kind = Column(
        "kind",
        "nature",
        gettext_lazy("nature"),
        widget=ChoiceWidget(Site.Kind.choices, gettext_lazy("Nature")),
    )
    name = Column("name", "nom", gettext_lazy("nom"), widget=TextWidget())
    qpv_code = Column("qpv_code", "code_qpv", gettext_lazy("code QPV"), widget=TextWidget())
    department = department_column()
    communes = Column(
        "communes",
        "communes",
        gettext_lazy("codes INSEE des communes, séparés par des virgules"),
        widget=ScopedManyToManyWidget(Commune, policy.department_communes, field="insee_code"),
    )
    selection_criteria = Column(
        "selection_criteria",
        "criteres_selection",
        gettext_lazy("critères de sélection"),
        widget=TextWidget(),
    )
    designated_on = Column(
        "designated_on", "designe_le", gettext_lazy("désigné le"), widget=FrenchDateWidget()
    )

    class Meta(RegistryResource.Meta):
        model = Site
        fields = [
            "id",
            "kind",
            "name",
            "qpv_code",
            "department",
            "communes",
            "selection_criteria",
            "designated_on",
        ]

    required_columns = ("nature", "nom", "departement")
    unknown_id_message = gettext_lazy(
        "Site n° %(id)s inconnu ou hors de votre périmètre : laissez la colonne id vide pour en "
        "créer un."
    )

    def get_queryset(self):
        return policy.editable_sites(self.access)

    def export_queryset(self, queryset):
        return queryset.select_related("department").prefetch_related("communes")


# -- memberships ------------------------------------------------------------------------------


class SeatWidget(ScopedForeignKeyWidget):
    """A seat's person (or substitute) among those the user may seat — or the one the row's
    seat already names: a coordinator may not seat itself (`may_seat_self`), but its own seat,
    exported and imported back unchanged (same seat, same body), is no new seating."""

    def __init__(self, attribute):
        super().__init__(Person, policy.seatable_people, names=by_full_name)
        self.attribute = attribute

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            current = self.already_seated(value, row)
            if current is None:
                raise
            return current

    def already_seated(self, value, row):
        seat = whole_number((row or {}).get("id"))
        if seat is None or seat > MAX_ID:
            return None
        membership = (
            policy.editable_memberships(self.access)
            .filter(pk=seat)
            .select_related("body", self.attribute)
            .first()
        )
        current = getattr(membership, self.attribute, None)
        if current is None:
            return None
        body = " ".join(cell_text((row or {}).get("instance")).split())
        if whole_number(body) != membership.body_id and (
            body.casefold() != membership.body.name.casefold()
        ):
            return None  # the seat moved to another body: a new seating
        text = " ".join(cell_text(value).split())
        if whole_number(text) == current.pk or (
            text.casefold() == f"{current.first_name} {current.last_name}".casefold()
        ):
            return current
        return None


class MembershipResource(RegistryResource):
    id = Column("id", "id", gettext_lazy("numéro du mandat (vide : nouveau)"), widget=IdWidget())
    body = Column(
        "body",
        "instance",
        gettext_lazy("numéro ou nom de l’instance"),
        widget=ScopedForeignKeyWidget(Body, policy.administered_bodies, names=by_name),
    )
    body_name = Column(
        "body__name", "nom_instance", gettext_lazy("nom de l’instance"), readonly=True
    )
    person = Column(
        "person",
        "personne",
        gettext_lazy("numéro ou « Prénom Nom » de la personne"),
        widget=SeatWidget("person"),
    )
    person_name = Column(
        "person",
        "nom_personne",
        gettext_lazy("prénom et nom de la personne"),
        readonly=True,
        widget=widgets.CharWidget(),
    )
    institution = Column(
        "institution",
        "institution",
        gettext_lazy("numéro ou nom de l’institution représentée"),
        widget=ScopedForeignKeyWidget(Institution, policy.visible_institutions, names=by_name),
    )
    institution_name = Column(
        "institution__name",
        "nom_institution",
        gettext_lazy("nom de l’institution"),
        readonly=True,
    )
    role = Column(
        "role",
        "role",
        gettext_lazy("rôle"),
        widget=ChoiceWidget(Membership.Role.choices, gettext_lazy("Rôle")),
    )
    started_on = Column(
        "started_on", "debut", gettext_lazy("début du mandat"), widget=FrenchDateWidget()
    )
    ended_on = Column(
        "ended_on",
        "fin",
        gettext_lazy("fin du mandat (vide s’il court)"),
        widget=FrenchDateWidget(),
    )
    substitute = Column(
        "substitute",
        "suppleant",
        gettext_lazy("numéro ou « Prénom Nom » du suppléant"),
        widget=SeatWidget("substitute"),
    )
    substitute_name = Column(
        "substitute",
        "nom_suppleant",
        gettext_lazy("prénom et nom du suppléant"),
        readonly=True,
        widget=widgets.CharWidget(),
    )

    class Meta(RegistryResource.Meta):
        model = Membership
        fields = [
            "id",
            "body",
            "body_name",
            "person",
            "person_name",
            "institution",
            "institution_name",
            "role",
            "started_on",
            "ended_on",
            "substitute",
            "substitute_name",
        ]

    required_columns = ("instance", "personne", "institution", "role", "debut")
    # Membership.clean: end after start, not one's own substitute, one chair at a time.
    constraints_checked_by_clean = True
    unknown_id_message = gettext_lazy(
        "Mandat n° %(id)s inconnu ou hors de votre périmètre : laissez la colonne id vide pour "
        "créer un mandat."
    )

    def get_queryset(self):
        return policy.editable_memberships(self.access)

    def export_queryset(self, queryset):
        return queryset.select_related("body", "person", "institution", "substitute")
