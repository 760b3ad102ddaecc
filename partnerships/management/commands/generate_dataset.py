import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bodies.territories import UnknownDepartment
from partnerships.synthetic.dataset import Options, generate
from partnerships.synthetic.marker import DatasetRefused

EARLIEST_DAY = datetime.date(2016, 1, 1)


def reference_day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Date invalide : « {value} » (attendu AAAA-MM-JJ).") from error


class Command(BaseCommand):
    help = (
        "Génère un jeu de données synthétique déterministe sur les territoires réels "
        "(personnes fictives) : instances, membres, dix ans de réunions, présences, "
        "engagements et suivis, plans d’action et mesures. --scale 1 : la France entière "
        "(environ 1 940 instances) ; --scale 0.1 : un dixième. Voir le README."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, required=True, help="Échelle, de 0 (exclu) à 1 (la France)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Graine (1 par défaut).")
        parser.add_argument(
            "--today",
            type=reference_day,
            help="Jour de référence AAAA-MM-JJ (aujourd’hui par défaut) : l’histoire finit là.",
        )
        parser.add_argument(
            "--departments", help="Codes de départements séparés par des virgules (38,69)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Accepter une base qui contient des données non générées.",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Vider d’abord les tables du registre (pas les territoires ni les comptes).",
        )

    def handle(self, *args, scale, seed, today, departments, force, flush, **options):
        if not 0 < scale <= 1:
            raise CommandError("L’échelle va de 0 (exclu) à 1 (toute la France).")
        if today and today > timezone.localdate():
            raise CommandError(
                "Le jour de référence ne peut pas être dans le futur : les réunions "
                "antérieures y sont tenues, et une réunion à venir ne peut pas l’être."
            )
        if today and today < EARLIEST_DAY:
            raise CommandError(
                f"Le jour de référence ne peut précéder le {EARLIEST_DAY:%d/%m/%Y} : dix ans "
                "d’histoire, et des instances départementales créées jusqu’en 2015."
            )
        codes = None
        if departments:
            codes = tuple(sorted({c.strip().upper() for c in departments.split(",") if c.strip()}))
        try:
            generate(
                Options(scale, seed, today, codes, force, flush),
                say=self.stdout.write,
            )
        except DatasetRefused as error:
            raise CommandError(str(error)) from error
        except UnknownDepartment as error:
            raise CommandError(f"Département(s) inconnu(s) : {error}.") from error
