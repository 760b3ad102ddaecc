"""Daily reminders of commitments (README « Reminders of commitments »): one digest per
address, each commitment at most once a week; `--dry-run` prints what would be sent."""

from django.core.management.base import BaseCommand, CommandError

from bodies.models import today
from meetings.reminders import digests, send_digests


class Command(BaseCommand):
    help = "Envoie à chacun le récapitulatif de ses engagements à échéance ou en retard."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait envoyé, sans rien envoyer ni enregistrer.",
        )

    def handle(self, *args, dry_run=False, **options):
        on = today()
        found = digests(on)
        if dry_run:
            for digest in found:
                self.stdout.write(
                    f"{digest.address} : {len(digest.own)} engagement(s) personnel(s), "
                    f"{sum(len(r) for r in digest.overdue_by_body.values())} en retard "
                    f"dans {len(digest.overdue_by_body)} instance(s) coordonnée(s)"
                )
                for commitment in digest.commitments:
                    self.stdout.write(f"  - n° {commitment.pk}, échéance {commitment.due_on}")
            self.stdout.write(f"{len(found)} récapitulatif(s) à envoyer ; rien n’a été envoyé.")
            return
        report = send_digests(found, on)
        self.stdout.write(
            f"Rappels : {len(report.sent)} envoyé(s), {len(report.failed)} en échec, "
            f"{len(report.stopped)} désabonné(s)."
        )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} rappel(s) n’ont pas pu être envoyés : ils le seront à "
                "la prochaine exécution."
            )
