# The administration's searches on PostgreSQL: trigram indexes (bodies/search_indexes.py).
# A no-op on SQLite.

from django.db import migrations

from bodies.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("bodies", "0006_search_trigram_indexes"),
        ("meetings", "0010_commitment_due_index"),
    ]

    operations = [
        trigram_indexes(
            ("meetings_commitment", "description"),
            ("meetings_meeting", "place"),
        ),
    ]
