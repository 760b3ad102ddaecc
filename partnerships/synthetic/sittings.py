"""Ten years of meetings: agenda, attendance, decisions, commitments and their follow-ups.

Each body meets 4 to 10 times a year according to its type and its level of integration, from
its creation (or ten years back) to three months ahead (planned meetings), unless it was
dissolved, its GLTD mandate ended, or it went dormant (no meeting held for more than a year:
about one body in ten). Attendance is recorded for every held meeting: one row per member in
office that day, plus a guest now and then; some institutions stop coming while remaining
members, some are often excused, the chair and coordinator nearly always come.

Commitments are made by institutions that attended (some never commit), with a due date, and
are reviewed at the following meetings — done, dropped or kept open — unless forgotten, which
happens more in loosely integrated bodies: those stay open and fall overdue.
"""

import datetime
import random

from bodies.models import Body, Confidentiality, with_de
from meetings.models import Attendance, Commitment, Meeting

from . import tables, vocabulary
from .dates import at, years_before
from .layout import BodyPlan

A = Attendance.Status
K = Meeting.Kind
B = Body.Type

# Meetings a year (lowest integration, highest), and how many of them are plenaries.
CADENCE = {
    B.CLSPD: (6, 10, 1),
    B.CISPD: (6, 10, 1),
    B.CDPD: (5, 8, 1),
    B.CODAF: (4, 7, 2),
    B.CDPR: (8, 10, 0),
    B.GLTD: (8, 10, 0),
    B.WORKING_GROUP: (6, 10, 0),
}
PLANNED_AHEAD = datetime.timedelta(days=92)
REMOTE_FROM = datetime.date(2020, 3, 16)
COMMITMENTS_PER_MEETING = {1: 2.5, 2: 5.5, 3: 7.0}
REVIEWED = {1: 0.6, 2: 0.85, 3: 1.0}  # chance an open commitment is on the agenda
FORGOTTEN = {1: 0.25, 2: 0.12, 3: 0.04}  # never reviewed at all
DUE_IN_DAYS = (30, 45, 60, 90, 120, 180)


def stricter_by_one(level: str) -> str:
    order = list(Confidentiality.values)
    return order[min(len(order) - 1, order.index(level) + 1)]


class Sittings:
    def __init__(self, sink, ids, seed: int, today: datetime.date):
        self.sink, self.ids, self.seed, self.today = sink, ids, seed, today
        self.history_start = years_before(today, 10)
        # Written times never pass the reference day (the rows look written by then).
        self.written_by = at(today, 0)
        self.levels: dict[tuple[str, str], str] = {}

    def default_level(self, body_type: str, kind: str) -> str:
        key = (body_type, kind)
        if key not in self.levels:
            self.levels[key] = Meeting(
                body=Body(type=body_type), kind=kind
            ).default_confidentiality()
        return self.levels[key]

    def schedule(self, rng, body: BodyPlan) -> list[tuple[datetime.date, str]]:
        low, high, plenaries = CADENCE[body.type]
        per_year = low + round((high - low) * (body.integration - 1) / 2 + rng.uniform(-0.5, 0.5))
        per_year = max(low, min(high, per_year))
        if body.integration == 3 and body.type == B.CLSPD:
            plenaries = 2
        start = max(body.created_on or self.history_start, self.history_start)
        end = body.works_until(self.today) or self.today + PLANNED_AHEAD
        end = min(end, self.today + PLANNED_AHEAD)
        step = 365 / per_year
        day = start + datetime.timedelta(days=rng.randint(3, int(step)))
        dates = []
        while day <= end:
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            roll = rng.random() * per_year
            if roll < plenaries:
                kind = K.PLENARY
            elif body.type == B.WORKING_GROUP:
                kind = K.MONITORING_CELL if body.monitoring_cell else K.WORKING_GROUP
            elif body.type == B.CLSPD and body.integration == 3 and roll >= per_year - 1.5:
                kind = K.MONITORING_CELL
            else:
                kind = K.RESTRICTED
            if day <= end:
                dates.append((day, kind))
            day += datetime.timedelta(days=round(step * rng.uniform(0.85, 1.15)))
        return dates

    def place(self, body: BodyPlan) -> str:
        if body.type == B.GLTD:
            return vocabulary.PLACES["parquet"].format(de=with_de(body.commune.name))
        if body.commune:
            return vocabulary.PLACES["commune"].format(de=with_de(body.commune.name))
        if body.epci:
            return vocabulary.PLACES["epci"].format(name=body.epci.name)
        return vocabulary.PLACES["department"].format(de=body.area.of_name)

    def add_meetings(self, body: BodyPlan, guests: list) -> None:
        rng = random.Random(f"{self.seed}:meetings:{body.key}")
        topics = [vocabulary.TOPICS[i] for i in vocabulary.TOPICS_BY_TYPE[body.type]]
        place = self.place(body)
        hours = (
            ((9, 30), (14, 30))
            if body.type in Body.DEPARTMENT_TYPES
            else ((18, 0), (14, 0), (10, 0))
        )
        members = sorted(body.members, key=lambda m: m.started_on)
        open_commitments: list[list] = []  # rows still changing, written when settled
        forgotten: list[list] = []
        for day, kind in self.schedule(rng, body):
            if day > self.today:
                status = Meeting.Status.PLANNED
            else:
                roll = rng.random()
                status = (
                    Meeting.Status.CANCELLED
                    if roll < 0.04
                    else Meeting.Status.PLANNED  # never recorded as held
                    if roll < 0.06
                    else Meeting.Status.HELD
                )
            level = self.default_level(body.type, kind)
            if level != Confidentiality.RESTRICTED and rng.random() < 0.04:
                level = stricter_by_one(level)
            _theme, topic, decision_text, promises = rng.choice(topics)
            hour, minute = rng.choice(hours)
            starts_at = at(day, hour, minute)
            held = status == Meeting.Status.HELD
            minutes = ""
            if held and rng.random() < 0.85:
                minutes = (
                    f"Point principal : {topic.lower()}. Les partenaires présents ont partagé "
                    "leurs constats et arrêté les suites à donner."
                )
            written = starts_at + datetime.timedelta(days=2 if day <= self.today else -30)
            meeting_pk = self.ids.take(Meeting)
            self.sink.add(
                tables.MEETING,
                (
                    meeting_pk,
                    body.pk,
                    starts_at,
                    kind,
                    place,
                    status,
                    level,
                    minutes,
                    None,  # minutes_approved_at: marked by coordinators
                    1,
                    min(written, self.written_by),
                    None,  # creation_token: forms only
                ),
            )
            titles = ["Suivi des engagements", topic]
            if rng.random() < 0.5:
                titles.append("Questions diverses")
            agenda = []
            for position, title in enumerate(titles, 1):
                pk = self.ids.take(tables.AGENDA_ITEM.model)
                self.sink.add(tables.AGENDA_ITEM, (pk, meeting_pk, position, title, ""))
                agenda.append(pk)
            if not held:
                continue

            present = self.attendance(rng, meeting_pk, day, members, guests)
            decisions = []
            for text, item in (
                (decision_text, agenda[1]),
                ("Compte rendu de la séance précédente approuvé", agenda[0]),
            ):
                if decisions and rng.random() < 0.7:
                    break
                pk = self.ids.take(tables.DECISION.model)
                self.sink.add(tables.DECISION, (pk, meeting_pk, item, text, level))
                decisions.append(pk)

            open_commitments = self.follow_up(rng, body, meeting_pk, day, open_commitments)

            owners = [m for m in present if not m.never_commits]
            count = round(COMMITMENTS_PER_MEETING[body.integration] * rng.uniform(0.4, 1.6))
            actions = [pks for first, last, pks in body.plans if first <= day <= last and pks]
            for _ in range(count if owners else 0):
                owner = rng.choice(owners)
                due_on = (
                    day + datetime.timedelta(days=rng.choice(DUE_IN_DAYS))
                    if rng.random() < 0.95
                    else None
                )
                commitment_level = stricter_by_one(level) if rng.random() < 0.03 else level
                row = [
                    self.ids.take(Commitment),
                    body.pk,
                    meeting_pk,
                    decisions[0] if rng.random() < 0.6 else None,
                    rng.choice(actions[0]) if actions and rng.random() < 0.25 else None,
                    owner.institution_pk,
                    owner.person_pk if rng.random() < 0.75 else None,
                    rng.choice(promises),
                    due_on,
                    Commitment.Status.OPEN,
                    None,
                    "",
                    commitment_level,
                ]
                if rng.random() < FORGOTTEN[body.integration]:
                    forgotten.append(row)
                else:
                    row.append(day)  # made on, for the follow-ups; dropped when written
                    open_commitments.append(row)
        for row in forgotten:
            self.sink.add(tables.COMMITMENT, tuple(row))
        for row in open_commitments:
            self.sink.add(tables.COMMITMENT, tuple(row[:-1]))

    def attendance(self, rng, meeting_pk, day, members, guests) -> list:
        """Writes the attendance of a held meeting; returns the members who attended."""
        present, seen = [], set()
        for m in members:
            if m.started_on > day:
                break
            if m.ended_on is not None and m.ended_on < day:
                continue
            represented_by = None
            if m.stopped_from and day >= m.stopped_from:
                status = A.EXCUSED if rng.random() < 0.15 else A.ABSENT
            else:
                presence = m.presence * (0.6 if m.often_excused else 1)
                roll = rng.random()
                if roll < presence:
                    status = A.REMOTE if day >= REMOTE_FROM and rng.random() < 0.12 else A.PRESENT
                    present.append(m)
                elif m.substitute_pk and roll < presence + (1 - presence) * 0.4:
                    status, represented_by = A.REPRESENTED, m.substitute_pk
                    present.append(m)
                elif m.often_excused or roll < presence + (1 - presence) * 0.75:
                    status = A.EXCUSED
                else:
                    status = A.ABSENT
            seen.add(m.person_pk)
            self.sink.add(
                tables.ATTENDANCE,
                (
                    self.ids.take(Attendance),
                    meeting_pk,
                    m.person_pk,
                    m.institution_pk,
                    m.pk,
                    status,
                    represented_by,
                ),
            )
        if guests and rng.random() < 0.12:
            for _ in range(rng.randint(1, 2)):
                guest = rng.choice(guests)
                if guest.person_pk in seen or not guest.current(day):
                    continue
                seen.add(guest.person_pk)
                self.sink.add(
                    tables.ATTENDANCE,
                    (
                        self.ids.take(Attendance),
                        meeting_pk,
                        guest.person_pk,
                        guest.institution_pk,
                        None,
                        A.PRESENT,
                        None,
                    ),
                )
        return present

    def follow_up(self, rng, body, meeting_pk, day, open_commitments) -> list:
        """Reviews the open commitments at this meeting; writes those settled."""
        still_open = []
        for row in open_commitments:
            if rng.random() >= REVIEWED[body.integration]:
                still_open.append(row)
                continue
            roll = rng.random()
            if roll < 0.42:
                outcome = "done"
                row[9] = Commitment.Status.DONE
                row[10] = max(row[-1], day - datetime.timedelta(days=rng.randint(0, 20)))
                row[11] = rng.choice(vocabulary.EVIDENCE)
                note = ""
            elif roll < 0.5:
                outcome = row[9] = Commitment.Status.DROPPED
                note = "Abandonné d’un commun accord."
            else:
                outcome, note = "kept_open", rng.choice(vocabulary.KEPT_OPEN_NOTES)
            self.sink.add(
                tables.FOLLOW_UP,
                (self.ids.take(tables.FOLLOW_UP.model), row[0], meeting_pk, outcome, note),
            )
            if outcome == "kept_open":
                still_open.append(row)
            else:
                self.sink.add(tables.COMMITMENT, tuple(row[:-1]))
        return still_open
