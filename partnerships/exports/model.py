"""What a dataset is: its columns (name, type, meaning, allowed values), the rows a reader may
read, and the filters of the query string. One definition serves the CSV download, the
PostgreSQL `COPY` fast path, the data dictionary, `datapackage.json` and the dump.

Confidentiality (README, « Open data »): rows above the reader's level are absent; a free
text (`Column.level`) is empty unless the reader may read it at its own level; people appear
only as pseudonyms (`pseudonyms.py`); names, e-mails and phones are in no column at all.
Public and research exports are read as an anonymous visitor reads the site.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Case, CharField, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat

from bodies import rules
from bodies.models import Body, start_of

# Table Schema types (https://specs.frictionlessdata.io/table-schema/).
STRING, INTEGER, NUMBER, DATE, DATETIME, BOOLEAN = (
    "string",
    "integer",
    "number",
    "date",
    "datetime",
    "boolean",
)


@dataclass(frozen=True)
class Column:
    name: str  # stable, snake_case English
    type: str
    description: str
    path: str  # ORM path from the dataset's model, or an annotation of `Dataset.annotate`
    enum: tuple = ()  # allowed values
    example: str = ""
    # A text of the body as a whole (a GLTD's problem statement, a plan's diagnostic) with a
    # level of its own: the path to that level (`rules.can_read_body_text`'s rule).
    level: str | None = None
    pseudonym: bool = False  # a person's id, written as its pseudonym
    personal: bool = False  # a person's name (path: to the person), in personal files only
    references: tuple[str, str] | None = None  # (dataset, column): a foreign key
    required: bool = False

    @property
    def alias(self) -> str:
        return f"col_{self.name}"


@dataclass(frozen=True)
class Dataset:
    name: str  # the file: /exports/<name>.csv
    title: str
    description: str
    model: type
    columns: tuple[Column, ...]
    readable: Callable  # (access) -> Q over the model: the rows the reader may read
    body: str | None = None  # path to the body, for the `department`, `type`, `status` filters
    department: str | None = None  # path to the département, when there is no body
    period: str | None = None  # date or datetime path, for `from` and `to`
    annotate: Callable | None = None  # (queryset, access, on) -> with computed columns
    large: bool = False  # served by COPY on PostgreSQL
    primary_key: str = "id"
    sources: tuple[str, ...] = ("registry",)
    # Names of people, in the files of those who may read them (`rules.exports_names`) when
    # they ask for them (`?personal=1`): never in the public files, the dump or the package.
    personal_columns: tuple[Column, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def columns_for(self, filters: "Filters") -> tuple[Column, ...]:
        """The file's columns: with names, a file holds no pseudonym (a table from one to
        the other would re-identify the public files)."""
        if not filters.personal:
            return self.columns
        return tuple(c for c in self.columns if not c.pseudonym) + self.personal_columns


@dataclass
class Filters:
    """The query string's filters, validated by `forms.ExportFilterForm`."""

    department: str = ""
    type: str = ""
    status: str = ""
    since: datetime.date | None = None  # `from`
    until: datetime.date | None = None  # `to`
    personal: bool = False  # with the names of people the reader may read
    applied: dict = field(default_factory=dict)  # as given, for the log and the file name


def _path(prefix: str | None, name: str) -> str:
    return f"{prefix}__{name}" if prefix else name


def filtered(dataset: Dataset, access, filters: Filters, on=None, within=None) -> QuerySet:
    """The dataset's rows the reader may read, filtered, with every column's value (free
    texts emptied where their own level is out of the reader's reach), ordered by key.
    `within`: a queryset of the same model (a list page's FilterSet) the rows must be in."""
    qs = dataset.model.objects.filter(dataset.readable(access))
    if within is not None:
        qs = qs.filter(pk__in=within.order_by().values("pk"))
    if dataset.body is not None:
        if filters.department:
            qs = qs.filter(**{_path(dataset.body, "department__code"): filters.department})
        if filters.type:
            qs = qs.filter(**{_path(dataset.body, "type"): filters.type})
        if filters.status:
            from meetings.activity import bodies_with_status

            bodies = bodies_with_status(on=on).filter(status=filters.status).values("pk")
            qs = qs.filter(**{_path(dataset.body, "pk__in"): bodies})
    elif dataset.department is not None and filters.department:
        qs = qs.filter(**{_path(dataset.department, "code"): filters.department})
    if dataset.period is not None:
        bound = start_of if _is_datetime(dataset.model, dataset.period) else (lambda day: day)
        if filters.since:
            qs = qs.filter(**{f"{dataset.period}__gte": bound(filters.since)})
        if filters.until:
            next_day = filters.until + datetime.timedelta(days=1)
            qs = qs.filter(**{f"{dataset.period}__lt": bound(next_day)})
    if dataset.annotate is not None:
        qs = dataset.annotate(qs, access, on)
    values = {}
    for column in dataset.columns_for(filters):
        if column.personal:
            value = names_in_scope(access, column.path, dataset.body)
        else:
            value = F(column.path)
        if column.level is not None:
            body = dataset.body or rules.SELF
            condition = rules.readable_q(access, body=body, level=column.level)
            if condition:  # administrators: Q(), always readable
                condition |= rules.members_q(access, body)
                value = Case(When(condition, then=value), default=Value(None))
        values[column.alias] = value
    return qs.annotate(**values).order_by(dataset.primary_key).values_list(*values)


def names_in_scope(access, path: str, body: str | None):
    """« First Last » of the person at `path`, on rows of the bodies the reader administers
    (`rules.staff_scope_q`: its départements' or the bodies it coordinates — where the site
    shows it the names); empty elsewhere, whoever the person."""
    name = Concat(F(f"{path}__first_name"), Value(" "), F(f"{path}__last_name"))
    scope = rules.staff_scope_q(access, body or rules.SELF)
    if not scope:  # administrators
        return name
    return Case(When(scope, then=name), default=Value(None), output_field=CharField())


def _is_datetime(model, path: str) -> bool:
    """Whether the field at the end of `path` holds date-times (bounded by local midnights)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return isinstance(model._meta.get_field(name), DateTimeField)


def body_status_annotation(qs, access, on):
    """Bodies with `status` and `last_held_on` (the meetings app reads them)."""
    from meetings.activity import bodies_with_status

    return bodies_with_status(qs, on)


BODY_TYPES = tuple(Body.Type.values)
BODY_STATUSES = tuple(Body.Status.values)
EVERYTHING = Q(pk__isnull=False)


def everything(access) -> Q:
    """Reference data: every row, for every reader."""
    return EVERYTHING
