from django.db import migrations

from bodies.models import folded


def refill_cispd_search_text(apps, schema_editor):
    """A CISPD's search column now holds its member communes (`Body.folded_names`)."""
    Body = apps.get_model("bodies", "Body")
    Commune = apps.get_model("bodies", "Commune")
    bodies = list(Body.objects.filter(type="CISPD").select_related("epci"))
    for body in bodies:
        communes = Commune.objects.filter(epci_id=body.epci_id).order_by("insee_code")
        names = [body.name, body.other_names, body.epci.name if body.epci else ""]
        names += communes.values_list("name", flat=True)
        body.search_text = folded(" ".join(names))
    Body.objects.bulk_update(bodies, ["search_text"], batch_size=200)


class Migration(migrations.Migration):
    dependencies = [("bodies", "0004_outlines")]
    operations = [migrations.RunPython(refill_cispd_search_text, migrations.RunPython.noop)]
