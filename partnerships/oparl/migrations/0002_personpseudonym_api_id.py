"""The API's own identifier of a person, beside the export pseudonym (README « API OParl »:
the two must differ, or every name in the API would re-identify the public CSV files).

The index only holds values computed from the ids with the key: it is emptied here and refills
itself on the next lookup, list of people or COPY export (`oparl.people.index_missing_people`),
so the migration needs neither the key nor the hashing code.
"""

from django.db import migrations, models


def empty_the_index(apps, schema_editor):
    apps.get_model("oparl", "PersonPseudonym").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("oparl", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(empty_the_index, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="personpseudonym",
            name="api_id",
            field=models.CharField(
                default="", max_length=18, unique=True, verbose_name="identifiant dans l’API"
            ),
            preserve_default=False,
        ),
    ]
