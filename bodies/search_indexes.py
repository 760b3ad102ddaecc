"""Trigram indexes for the administration's searches, PostgreSQL only.

Django's admin search compares `UPPER(column::text) LIKE UPPER('%word%')`: without an index
every row is read and compared (a second per search over the 566,000 commitments of the
national scale). A GIN index over the same expression with `gin_trgm_ops` (the `pg_trgm`
extension, created by `django.contrib.postgres.operations.TrigramExtension`) answers such a
`LIKE` from the index; `scoped_admin.indexed_search` asks each table for its own matches so
that each index is used. On SQLite the migrations that use this do nothing: its searches
scan, as they always did.
"""

from django.db import migrations


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def trigram_indexes(*columns: tuple[str, str]) -> migrations.RunPython:
    """An operation creating a trigram index on `UPPER(column::text)` for each (table,
    column), and dropping them when unapplied; nothing on another database."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON "{table}" '
                f'USING gin ((UPPER(("{column}")::text)) gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
