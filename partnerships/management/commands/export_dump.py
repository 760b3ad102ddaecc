from django.core.management.base import BaseCommand

from partnerships.exports.dump import write_dump


class Command(BaseCommand):
    help = (
        "Écrit le fichier de données ouvertes du jour (tous les jeux de données publics en CSV, "
        "datapackage.json, README) dans EXPORT_DIR, servi sur /exports/. Remplace celui du "
        "jour et supprime les précédents."
    )

    def handle(self, *args, **options):
        dump = write_dump(progress=self.stdout.write)
        total = sum(dump.counts.values())
        self.stdout.write(self.style.SUCCESS(f"{dump.path} : {total} lignes en {dump.seconds} s."))
