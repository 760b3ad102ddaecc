"""Two years of demo meetings for the demo bodies (loaded after `bodies.demo`).

The period runs from two years before the day of loading to two months after it, so the
demo always looks current. Deterministic for a given day (a seeded generator per body) and
idempotent (a body that already has meetings is left alone). The patterns are those the
registry exists to show (domain guide §1): an institution that stopped coming (the social
landlord in Grenoble, for the last sixteen months), one that is often excused (the
gendarmerie in CLSPDs), a body gone dormant (Fontaine: nothing for eighteen months), one that
attends but never commits (the social landlord again), and commitments done, dropped, open
and overdue.
"""

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from actions.models import Action
from bodies.models import Body, Membership

from .models import (
    AgendaItem,
    Attendance,
    Commitment,
    CommitmentFollowUp,
    Decision,
    Meeting,
)

PERIOD_BEFORE = datetime.timedelta(days=730)
PERIOD_AFTER = datetime.timedelta(days=60)

# Meetings a year, by body type, and the kind of meeting.
CADENCE = {
    Body.Type.CLSPD: [(2, Meeting.Kind.PLENARY), (4, Meeting.Kind.RESTRICTED)],
    Body.Type.CISPD: [(2, Meeting.Kind.PLENARY), (2, Meeting.Kind.RESTRICTED)],
    Body.Type.CDPD: [(1, Meeting.Kind.PLENARY)],
    Body.Type.CODAF: [(3, Meeting.Kind.PLENARY)],
    Body.Type.CDPR: [(6, Meeting.Kind.RESTRICTED)],
    Body.Type.GLTD: [(10, Meeting.Kind.RESTRICTED)],
    Body.Type.WORKING_GROUP: [(4, Meeting.Kind.WORKING_GROUP)],
}
DORMANT_FOR = {"38169": datetime.timedelta(days=548)}  # Fontaine's CLSPD: eighteen months
STOPPED_COMING_FOR = {"Alpes Habitat Solidaire (bailleur fictif)": datetime.timedelta(days=487)}
# The landlord stopped coming; the transport operator comes, but commits to nothing
# (« participation formelle »).
NEVER_COMMITS = {
    "Alpes Habitat Solidaire (bailleur fictif)",
    "Réseau de transport de l’agglomération (exploitant fictif)",
}
OFTEN_EXCUSED = {("CLSPD", "Groupement de gendarmerie départementale de l’Isère")}

TOPICS = [
    (
        "Tranquillité publique aux abords des établissements scolaires",
        "Renforcer la présence aux heures de sortie des collèges",
    ),
    ("Rodéos motorisés", "Coordonner les opérations police nationale et police municipale"),
    ("Violences intrafamiliales", "Diffuser le guide d’orientation des victimes aux partenaires"),
    ("Occupation des halls d’immeubles", "Installer la vidéoprotection dans deux halls"),
    ("Prévention de la récidive", "Développer les travaux d’intérêt général dans la commune"),
    ("Sécurité dans les transports", "Organiser des patrouilles mixtes sur la ligne de tram"),
    ("Stupéfiants", "Fermer le point de deal identifié et suivre les signalements"),
    ("Jeunes exposés", "Orienter vers la prévention spécialisée les mineurs repérés"),
]


def meeting_dates(body, rng, today):
    """The body's meeting dates in the demo period, by kind, after its creation and before
    its dissolution or dormancy."""
    first_day, last_day = today - PERIOD_BEFORE, today + PERIOD_AFTER
    start = max(first_day, body.created_on or first_day)
    dormant = DORMANT_FOR.get(body.commune.insee_code if body.commune else "")
    end = min(last_day, body.dissolved_on or last_day, today - dormant if dormant else last_day)
    if body.type == Body.Type.GLTD and body.planned_end_on:
        end = min(end, body.planned_end_on)
    dates = []
    for per_year, kind in CADENCE.get(body.type, []):
        step = 365 // per_year
        day = start + datetime.timedelta(days=rng.randrange(10, step))
        while day <= end:
            # a weekday, at 9:30 for county bodies, 18:00 for local ones
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            hour = (9, 30) if body.type in Body.DEPARTMENT_TYPES else (18, 0)
            dates.append(
                (timezone.make_aware(datetime.datetime(day.year, day.month, day.day, *hour)), kind)
            )
            day += datetime.timedelta(days=step + rng.randrange(-12, 12))
    return sorted(dates)


def attendance_status(body, membership, day, rng, today):
    institution = membership.institution.name
    stopped_for = STOPPED_COMING_FOR.get(institution)
    if stopped_for and day >= today - stopped_for:
        return Attendance.Status.ABSENT
    if (body.type, institution) in OFTEN_EXCUSED and rng.random() < 0.6:
        return Attendance.Status.EXCUSED
    if membership.role in (Membership.Role.CHAIR, Membership.Role.COORDINATOR):
        return Attendance.Status.PRESENT
    roll = rng.random()
    if roll < 0.70:
        return Attendance.Status.PRESENT
    if roll < 0.78:
        return Attendance.Status.REMOTE
    if roll < 0.84 and membership.substitute_id:
        return Attendance.Status.REPRESENTED
    if roll < 0.93:
        return Attendance.Status.EXCUSED
    return Attendance.Status.ABSENT


@transaction.atomic
def load_meetings_demo(today: datetime.date | None = None) -> Counter:
    today = today or timezone.localdate()
    created = Counter()
    bodies = Body.objects.filter(department__code="38").select_related("commune")
    bodies = [b for b in bodies if not b.meetings.exists()]
    memberships = list(
        Membership.objects.filter(body__in=bodies).select_related("institution", "person")
    )
    for body in bodies:
        rng = random.Random(f"demo-{body.name}")
        seats = [m for m in memberships if m.body_id == body.pk]
        open_commitments: list[Commitment] = []
        for index, (starts_at, kind) in enumerate(meeting_dates(body, rng, today)):
            day = starts_at.date()
            if day > today:
                status = Meeting.Status.PLANNED
            else:
                status = Meeting.Status.CANCELLED if rng.random() < 0.05 else Meeting.Status.HELD
            topic, action = TOPICS[(index + len(body.name)) % len(TOPICS)]
            meeting = Meeting(
                body=body,
                starts_at=starts_at,
                kind=kind,
                status=status,
                place=f"Salle du conseil — {body.territory.name}",
            )
            if status == Meeting.Status.HELD:
                meeting.minutes = (
                    f"Point principal : {topic.lower()}. Les partenaires présents ont partagé "
                    f"leurs constats et arrêté les suites à donner."
                )
            meeting.save()
            created["réunions"] += 1
            AgendaItem.objects.bulk_create(
                [
                    AgendaItem(meeting=meeting, position=1, title="Suivi des engagements"),
                    AgendaItem(meeting=meeting, position=2, title=topic),
                ]
            )
            if status != Meeting.Status.HELD:
                continue

            current = [m for m in seats if m.is_current(day)]
            rows = []
            for m in current:
                status_ = attendance_status(body, m, day, rng, today)
                rows.append(
                    Attendance(
                        meeting=meeting,
                        membership=m,
                        person=m.person,
                        institution=m.institution,
                        status=status_,
                        represented_by=m.substitute
                        if status_ == Attendance.Status.REPRESENTED
                        else None,
                    )
                )
            Attendance.objects.bulk_create(rows)
            created["présences"] += len(rows)
            decision = Decision.objects.create(meeting=meeting, text=action)

            # Review what was still open, then commit to new things.
            follow_ups = []
            for commitment in open_commitments:
                roll = rng.random()
                if roll < 0.45:
                    commitment.status, commitment.done_on = Commitment.Status.DONE, day
                    outcome = CommitmentFollowUp.Outcome.DONE
                elif roll < 0.55:
                    commitment.status = Commitment.Status.DROPPED
                    outcome = CommitmentFollowUp.Outcome.DROPPED
                else:
                    outcome = CommitmentFollowUp.Outcome.KEPT_OPEN
                commitment.save()
                follow_ups.append(
                    CommitmentFollowUp(
                        commitment=commitment,
                        meeting=meeting,
                        outcome=outcome,
                        note=""
                        if outcome != "kept_open"
                        else "Point à refaire à la prochaine séance.",
                    )
                )
            CommitmentFollowUp.objects.bulk_create(follow_ups)
            open_commitments = [c for c in open_commitments if c.status == Commitment.Status.OPEN]

            owners = [m.institution for m in current if m.institution.name not in NEVER_COMMITS]
            for _ in range(rng.randint(1, 3) if owners else 0):
                owner = rng.choice(owners)
                commitment = Commitment.objects.create(
                    body=body,
                    meeting=meeting,
                    decision=decision,
                    owner_institution=owner,
                    description=f"{action} ({owner.name})",
                    due_on=day + datetime.timedelta(days=rng.choice([45, 90, 120, 180])),
                )
                open_commitments.append(commitment)
                created["engagements"] += 1
    return created


def link_commitments_to_actions() -> Counter:
    """Commitments made in meetings to carry out a fiche-action serve it: those of the
    action's body whose wording starts with the action's title (loaded after `actions.demo`,
    whose actions take their titles from the commitments of this demo). Idempotent: linked
    commitments are left alone."""
    created = Counter()
    for action in Action.objects.select_related("plan"):
        created["engagements rattachés à une action"] += Commitment.objects.filter(
            body_id=action.plan.body_id, description__startswith=action.title, action__isnull=True
        ).update(action=action)
    return +created  # without the zero count of a second run
