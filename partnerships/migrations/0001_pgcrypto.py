"""pgcrypto on PostgreSQL: the exports' COPY path computes people's pseudonyms (HMAC-SHA256)
in the database, as the Python path does (partnerships/exports/pseudonyms.py). Nothing on
SQLite. Where the extension cannot be created, exports fall back to the Python path."""

from django.contrib.postgres.operations import CryptoExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []
    operations = [CryptoExtension()]
