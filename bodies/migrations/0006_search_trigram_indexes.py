# The administration's searches on PostgreSQL: trigram indexes (bodies/search_indexes.py).
# A no-op on SQLite.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from bodies.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("bodies", "0005_cispd_search_communes")]

    operations = [
        TrigramExtension(),
        trigram_indexes(
            ("bodies_person", "last_name"),
            ("bodies_person", "first_name"),
            ("bodies_person", "email"),
            ("bodies_body", "name"),
            ("bodies_institution", "name"),
            ("bodies_commune", "name"),
        ),
    ]
