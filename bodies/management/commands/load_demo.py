from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bodies.demo import MissingTerritories, load_demo

DEMO_PASSWORD = "demo-registre-38"


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration de l’Isère (38) : institutions, personnes "
        "fictives, instances, mandats, sites. Relancer ne change rien. Avec DEBUG activé, crée "
        f"aussi le compte administrateur « admin » (mot de passe « {DEMO_PASSWORD} »)."
    )

    def handle(self, *args, **options):
        try:
            created = load_demo()
        except MissingTerritories as error:
            raise CommandError(
                f"Le département {error} n’est pas chargé : lancez d’abord "
                f"« python manage.py load_territories --departments {error} »."
            ) from error
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(created.items())) or "rien"
        self.stdout.write(f"Données de démonstration : créé(e)s — {summary}.")

        if not settings.DEBUG:
            self.stdout.write("DEBUG désactivé : aucun compte de démonstration n’est créé.")
            return
        User = get_user_model()
        user, was_created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            self.stdout.write(f"Compte créé : admin / {DEMO_PASSWORD}")
        self.stdout.write(self.style.SUCCESS("Démonstration prête."))
