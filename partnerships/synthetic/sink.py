"""Writing generated rows fast: `COPY` on PostgreSQL, `bulk_create` elsewhere.

Rows are plain tuples in the column order a `Table` declares, with primary keys given by the
generator (`Ids`), so children can point at parents before anything is written and nothing is
read back. The foreign keys Django creates are deferred to the end of the transaction on
PostgreSQL and SQLite alike, so the order in which tables are flushed does not matter.

Bypassing `save()` means the generator fills what `save()` would: defaults, derived fields,
versions, `auto_now` dates (deterministic ones: `bulk_create` would write the current time, so
it runs with `auto_now` switched off for the duration of the call).
"""

import contextlib
from collections import Counter

from django.core.management.color import no_style
from django.db import connection, models


class Table:
    """A model's columns in the order the generator writes them.

    Every concrete field must be listed: a field added to the model later fails here, loudly,
    instead of being written as whatever its default happens to be.
    """

    def __init__(self, model: type[models.Model], columns: str):
        self.model = model
        self.attnames = tuple(columns.split())
        fields = {field.attname: field for field in model._meta.concrete_fields}
        missing = set(fields) - set(self.attnames)
        unknown = set(self.attnames) - set(fields)
        if missing or unknown:
            raise ValueError(
                f"{model._meta.label}: colonnes non générées {sorted(missing)}, "
                f"inconnues {sorted(unknown)}"
            )
        self.columns = tuple(fields[name].column for name in self.attnames)
        # For the ORM path: the model's own field order, from our column order.
        order = {name: index for index, name in enumerate(self.attnames)}
        self.positions = tuple(order[field.attname] for field in model._meta.concrete_fields)
        self.auto_now_fields = tuple(
            field
            for field in model._meta.concrete_fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        )

    def __repr__(self):
        return f"Table({self.model._meta.label})"


@contextlib.contextmanager
def auto_now_off(fields):
    """`bulk_create` sets `auto_now` fields to the current time; generated rows carry their
    own, derived from the reference day, so that two runs write the same rows."""
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Ids:
    """Primary keys handed out by the generator, from the table's largest one."""

    def __init__(self):
        self.next = {}

    def take(self, model: type[models.Model]) -> int:
        value = self.next.get(model)
        if value is None:
            top = model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
            value = top + 1
        self.next[model] = value + 1
        return value


class RowSink:
    """Buffers rows per table and writes them in large batches."""

    def __init__(self, batch_size: int = 20_000):
        self.batch_size = batch_size
        self.buffers: dict[Table, list[tuple]] = {}
        self.written: Counter = Counter()
        self.use_copy = connection.vendor == "postgresql"

    def add(self, table: Table, row: tuple) -> None:
        buffer = self.buffers.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= self.batch_size:
            self._write(table, buffer)
            buffer.clear()

    def flush(self) -> None:
        for table, buffer in self.buffers.items():
            if buffer:
                self._write(table, buffer)
                buffer.clear()

    def _write(self, table: Table, rows: list[tuple]) -> None:
        if self.use_copy:
            columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
            sql = f"COPY {connection.ops.quote_name(table.model._meta.db_table)} ({columns}) "
            with connection.cursor() as cursor, cursor.cursor.copy(sql + "FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            positions, model = table.positions, table.model
            objects = [model(*[row[i] for i in positions]) for row in rows]
            with auto_now_off(table.auto_now_fields):
                model._base_manager.bulk_create(objects, batch_size=10_000)
        self.written[table.model] += len(rows)


@contextlib.contextmanager
def foreign_keys_checked_once(model_list):
    """On PostgreSQL, drop the foreign keys of these tables while rows are copied in, then
    add them back, which checks every row in one join per key.

    Django's foreign keys are deferred: PostgreSQL would otherwise queue one check per key
    and per row and run them at commit, each a lookup and a row lock on the parent — most of
    the generation's time at scale 1. Must run inside the transaction that writes the rows:
    on any failure the rollback restores the constraints with everything else.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Les clés étrangères ne se suppriment que dans une transaction.")
    quote = connection.ops.quote_name
    settle_deferred_checks()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            [[model._meta.db_table for model in model_list]],
        )
        constraints = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def settle_deferred_checks() -> None:
    """Run now the foreign-key checks PostgreSQL deferred to the commit: while some are
    pending on a table, it can be neither altered nor truncated."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def reset_sequences(model_list) -> None:
    """After rows were written with explicit keys, PostgreSQL's sequences must move past
    them; SQLite's AUTOINCREMENT follows by itself."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
