# The administration's searches on PostgreSQL: trigram indexes (bodies/search_indexes.py).
# A no-op on SQLite.

from django.db import migrations

from bodies.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("bodies", "0006_search_trigram_indexes"),
        ("actions", "0004_optimistic_locking"),
    ]

    operations = [
        trigram_indexes(
            ("actions_actionplan", "title"),
            ("actions_action", "title"),
            ("actions_indicator", "name"),
        ),
    ]
