from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from actions.demo import load_actions_demo
from bodies.demo import DEMO_PASSWORD, MissingTerritories, load_demo
from meetings.demo import link_commitments_to_actions, load_meetings_demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration de l’Isère (38) : institutions, personnes "
        "fictives, instances, mandats, sites, deux ans de réunions, présences et "
        "engagements, et des plans d’action avec leurs indicateurs mesurés. Relancer ne "
        "change rien. Avec DEBUG activé, crée "
        f"aussi un compte par rôle (mot de passe « {DEMO_PASSWORD} », voir le README)."
    )

    def handle(self, *args, **options):
        try:
            created = load_demo(with_users=settings.DEBUG)
        except MissingTerritories as error:
            raise CommandError(
                f"Le département {error} n’est pas chargé : lancez d’abord "
                f"« python manage.py load_territories --departments {error} »."
            ) from error
        created.update(load_meetings_demo())
        created.update(load_actions_demo())
        created.update(link_commitments_to_actions())
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(created.items())) or "rien"
        self.stdout.write(f"Données de démonstration : créé(e)s — {summary}.")
        if settings.DEBUG:
            self.stdout.write(
                f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») : admin, "
                "prefecture38, coordination-grenoble, membre-bailleur, chercheur, national."
            )
        else:
            self.stdout.write("DEBUG désactivé : aucun compte de démonstration n’est créé.")
