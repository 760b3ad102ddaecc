"""Writing a dataset as CSV, row by row: in Python on any database, or by PostgreSQL's `COPY`
for the large datasets. Both paths write the same bytes for the same rows (tested on
PostgreSQL): UTF-8, one header row, `,` separators, `"` quotes only where needed, `\\n` line
ends, empty cells for missing values, ISO 8601 dates, UTC date-times, `.` decimals,
`true`/`false`.

Texts are `bodies.spreadsheets.neutralised` (formula injection: OWASP ASVS 1.2.10), by SQL
on the COPY path; carriage returns become line feeds, which both paths quote alike.
"""

import csv
import dataclasses
import datetime
import io
from collections.abc import Iterator

from django.db import connection

from bodies.spreadsheets import neutralised

from ..oparl.models import PersonPseudonym
from ..oparl.people import index_missing_people
from .model import BOOLEAN, DATE, DATETIME, Dataset, filtered
from .pseudonyms import pseudonym, pseudonym_sql

CHUNK = 2000


def cell(column, value) -> str:
    if value is None or value == "":
        return ""
    if column.pseudonym:
        return pseudonym(value)
    if column.type == BOOLEAN:
        return "true" if value else "false"
    if column.type == DATE:
        return value.isoformat()
    if column.type == DATETIME:
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        return neutralised(value)
    return str(value)


class Line:
    """A file-like that hands back what csv.writer wrote, line by line."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text = text

    def take(self) -> bytes:
        text, self.text = self.text, ""
        return text.encode("utf-8")


def python_rows(dataset: Dataset, access, filters, on=None, within=None) -> Iterator[bytes]:
    """The CSV, a line at a time, from a server-side cursor read by chunks: memory stays
    flat whatever the row count. One query."""
    line = Line()
    writer = csv.writer(line, lineterminator="\n")
    columns = dataset.columns_for(filters)
    writer.writerow([c.name for c in columns])
    yield line.take()
    for row in filtered(dataset, access, filters, on, within).iterator(chunk_size=CHUNK):
        writer.writerow([cell(c, v) for c, v in zip(columns, row, strict=True)])
        yield line.take()


def _sql_cell(column, sql: str) -> str:
    if column.pseudonym:
        return pseudonym_sql(sql, PersonPseudonym._meta.db_table)
    if column.type == BOOLEAN:
        return f"CASE WHEN {sql} THEN 'true' WHEN NOT {sql} THEN 'false' END"
    if column.type == DATE:
        return f"to_char({sql}, 'YYYY-MM-DD')"
    if column.type == DATETIME:
        return f"""to_char({sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    if column.type == "string" and column.enum:
        # One of a few known values (a status, a level): nothing to neutralise, and the
        # regular expressions below, run on every row, were a third of the file's time.
        # Anything else (written around the application) goes through them.
        known = ", ".join("'" + str(value).replace("'", "''") + "'" for value in column.enum)
        general = _sql_cell(dataclasses.replace(column, enum=()), sql)
        return f"CASE WHEN ({sql})::text IN ({known}) THEN ({sql})::text ELSE {general} END"
    if column.type == "string":  # as `bodies.spreadsheets.neutralised`
        text = f"({sql})::text"
        formula = (
            f"({text} ~ E'^[ \\u00a0]*[-=+@\\t\\r]' AND {text} !~ '^[+-]?[0-9]+([.,][0-9]+)?$')"
        )
        lines = f"regexp_replace({text}, E'\\r\\n?', E'\\n', 'g')"
        return (
            f"NULLIF(regexp_replace(CASE WHEN {formula} THEN '''' || {lines} ELSE {lines} END, "
            f"E'[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f]', '', 'g'), '')"
        )
    return f"({sql})::text"


def copy_sql(dataset: Dataset, access, filters, on=None, within=None) -> tuple[str, dict]:
    """The `COPY (SELECT …) TO STDOUT` statement that writes the same file, and the query's
    parameters. A pseudonym is read from the index through a lateral subquery per column
    (the planner joins the index once, rather than running a subquery per row and column:
    twice as fast on the attendance file)."""
    inner, params = filtered(dataset, access, filters, on, within).query.sql_with_params()
    index = PersonPseudonym._meta.db_table
    cells, joins = [], []
    for n, column in enumerate(dataset.columns_for(filters)):
        if column.pseudonym:
            joins.append(
                f"LEFT JOIN LATERAL (SELECT i.pseudonym FROM {index} AS i "
                f"WHERE i.person_id = t.{column.alias}) AS p{n} ON true"
            )
            cells.append(f'p{n}.pseudonym AS "{column.name}"')
        else:
            cells.append(f'{_sql_cell(column, f"t.{column.alias}")} AS "{column.name}"')
    # The rows in the order of the key, as the inner query has them (the joins keep it).
    keys = [c for c in dataset.columns_for(filters) if dataset.primary_key in (c.name, c.path)]
    order = f"ORDER BY t.{keys[0].alias}" if keys else ""
    statement = (
        f"COPY (SELECT {', '.join(cells)} FROM ({inner}) AS t {' '.join(joins)} {order}) "
        "TO STDOUT WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
    )
    return statement, params


BLOCK = 64 * 1024  # bytes handed on at once: PostgreSQL sends COPY data a row at a time


def copy_rows(dataset: Dataset, access, filters, on=None, within=None) -> Iterator[bytes]:
    """The CSV as PostgreSQL writes it, handed on in blocks of about 64 kB (a chunk per row
    cost the server more than the rows themselves)."""
    statement, params = copy_sql(dataset, access, filters, on, within)
    if any(c.pseudonym for c in dataset.columns_for(filters)):
        index_missing_people()
    connection.ensure_connection()
    buffer = bytearray()
    with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
        for block in copy:
            buffer += block
            if len(buffer) >= BLOCK:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def uses_copy(dataset: Dataset) -> bool:
    """The large datasets, on PostgreSQL."""
    return dataset.large and connection.vendor == "postgresql"


def rows(dataset: Dataset, access, filters, on=None, within=None) -> Iterator[bytes]:
    """The dataset's CSV, streamed by the fastest path this database offers."""
    if uses_copy(dataset):
        return copy_rows(dataset, access, filters, on, within)
    return python_rows(dataset, access, filters, on, within)


def as_text(chunks) -> str:
    buffer = io.BytesIO()
    for chunk in chunks:
        buffer.write(chunk)
    return buffer.getvalue().decode("utf-8")
