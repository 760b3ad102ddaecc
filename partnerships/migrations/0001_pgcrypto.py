"""Kept for the migration history: it created pgcrypto, which the exports' COPY path used to
compute pseudonyms with the key in the SQL text. The COPY path now reads the pseudonym index
(`oparl.PersonPseudonym`), so nothing is created — and a database role without the right to
create extensions migrates too."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []
    operations = []
