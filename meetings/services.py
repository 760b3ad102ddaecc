"""Recording a meeting: one page, one save, one transaction, bulk writes.

`MeetingPage` gathers the forms of the coordinator's page over choice lists fetched once
(a fixed number of queries); `MeetingPage.save()` writes the meeting, its agenda,
attendance, decisions, new and edited commitments and the follow-ups of earlier
commitments in a number of queries that does not grow with the rows (asserted in
tests/meetings/test_record.py).
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.forms import BaseFormSet, formset_factory
from django.utils import formats
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from actions.models import Action
from bodies.access import visible_institutions, visible_people
from bodies.fields import rows_formset
from bodies.models import Confidentiality, Institution, Membership, Person, today
from bodies.validators import is_whole_number

from .forms import (
    COMMITMENT_FIELDS,
    AgendaItemForm,
    AttendanceForm,
    Choices,
    CommitmentForm,
    DecisionForm,
    FollowUpForm,
    GuestForm,
    MeetingForm,
)
from .models import AgendaItem, Attendance, Commitment, CommitmentFollowUp, Decision, Meeting

EXTRA_ROWS = {"agenda": 3, "decisions": 2, "commitments": 2}
# Rows of one kind a meeting page reads at most (Django's formsets would read 2,000, and a
# crafted count made a page of 30 MB): far above a body's members, agenda or commitments.
MAX_ROWS = 500
GUEST_RESULTS = 20  # people shown for one guest search: more asks for a longer search
GUEST_MIN_SEARCH = 2  # characters before searching


def posted_date(data) -> datetime.date | None:
    """The meeting's date as posted or asked for (`?date=`), if it reads as one; the form
    says what is wrong with it otherwise."""
    try:
        on = datetime.date.fromisoformat(str((data or {}).get("date", "")).strip())
    except ValueError:
        return None
    return on if 1900 <= on.year <= 2100 else None


class RowFormSet(BaseFormSet):
    """Rows pre-filled from `initial` when the page is shown, but all submitted as new rows:
    a row left blank is skipped (that is how a line is removed), a filled one is validated.
    Saving rewrites the meeting's rows, so no row needs to be matched to an initial one.

    Rows that stand for one record (`unique_field`: a saved record's id, the commitment a
    follow-up reviews) may appear once: two rows for one record contradict each other — one
    emptied would remove what the other keeps — and the database refuses a second review of
    a commitment at one meeting. The error shows on `error_field`, a field the row displays.
    """

    unique_field: str | None = None
    error_field: str | None = None

    def initial_form_count(self):
        return super().initial_form_count() if self.is_bound else 0

    def clean(self):
        super().clean()
        if self.unique_field is None:
            return
        seen = set()
        for form in self.forms:
            value = getattr(form, "cleaned_data", {}).get(self.unique_field)
            key = getattr(value, "pk", value)
            if key is None:
                continue
            if key in seen:
                form.add_error(
                    self.error_field or self.unique_field,
                    _("Cette ligne figure deux fois : gardez-en une seule."),
                )
            seen.add(key)


def row_formset(form, unique_field=None, error_field=None):
    formset = formset_factory(
        form, formset=RowFormSet, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS
    )
    formset.unique_field, formset.error_field = unique_field, error_field
    return formset


AgendaFormSet = row_formset(AgendaItemForm)
AttendanceFormSet = row_formset(AttendanceForm)
GuestFormSet = row_formset(GuestForm)
DecisionFormSet = row_formset(DecisionForm, unique_field="id", error_field="text")
CommitmentFormSet = row_formset(CommitmentForm, unique_field="id", error_field="description")
FollowUpFormSet = row_formset(FollowUpForm, unique_field="commitment")


def management(total) -> dict:
    """A formset's management fields (without the prefix) for `total` rows."""
    return {
        "TOTAL_FORMS": str(total),
        "INITIAL_FORMS": "0",
        "MIN_NUM_FORMS": "0",
        "MAX_NUM_FORMS": str(MAX_ROWS),
    }


class MeetingConflict(Exception):
    """Someone else saved the meeting since this form was opened."""


class MeetingAlreadyRecorded(Exception):
    """This new-meeting form was saved already (sent twice): `meeting` is the one it made."""

    def __init__(self, meeting):
        super().__init__(meeting.pk)
        self.meeting = meeting


def person_label(person):
    return f"{person.last_name.upper()} {person.first_name}"


@dataclass
class MeetingPage:
    body: object
    access: object
    meeting: Meeting | None = None
    data: dict | None = None
    add_rows: dict = field(default_factory=dict)  # prefix → extra blank rows asked for
    # The date whose current members are expected: the posted date, or the one asked for
    # (`?date=`, when the page's date changes), or the meeting's, or today.
    on: datetime.date | None = None
    # Guests are found by a search (`guest-q`, posted or asked for) and added one at a time
    # (`add_guest`: a person's id), never chosen from a list of everyone.
    guest_query: str = ""
    add_guest: int | None = None

    def __post_init__(self):
        self.editing = self.meeting is not None and self.meeting.pk is not None
        self.meeting = self.meeting or Meeting(body=self.body)
        self.on = posted_date(self.data) or self.on
        if self.data is not None:
            self.guest_query = str(self.data.get("guest-q", ""))
        self.guest_query = self.guest_query.strip()[:100]
        self.members_refreshed = False  # the posted rows were those of another date
        self._load_choices()
        self._build_forms()

    # -- choices: six queries, the guests' only where there are some ----------------------

    def _load_choices(self):
        body = self.body
        on = self.on or (self.meeting.date if self.editing else None)
        memberships = list(
            Membership.objects.filter(body=body)
            .select_related("person", "institution", "substitute")
            .order_by("institution__name", "person__last_name")
        )
        # A hidden field: the label is never shown (str() would query each membership's body).
        self.memberships = Choices(memberships, label=lambda m: str(m.pk))
        self.expected = [m for m in memberships if m.is_current(on)]
        self.expected_on = on or today()  # the date the attendance rows are listed for
        body_people = {m.person for m in memberships} | {
            m.substitute for m in memberships if m.substitute
        }
        self.body_people = Choices(sorted(body_people, key=person_label), label=person_label)
        self.guest_candidates = self._guest_candidates()
        self.guest_people = self._guest_people()
        self.institutions = Choices(
            visible_institutions(self.access, Institution.objects.all())
            .filter(department_id=body.department_id)
            .order_by("name")
        )
        self.actions = Choices(
            Action.objects.filter(plan__body=body).order_by("-plan__starts_on", "title"),
            label=lambda action: action.title,
        )
        followed = Commitment.objects.filter(body=body).select_related("owner_institution")
        if self.editing:
            # Commitments made before this meeting, still open or reviewed at it; not those
            # made later, which this meeting cannot have reviewed.
            followed = followed.filter(meeting__starts_at__lt=self.meeting.starts_at).filter(
                Q(status=Commitment.Status.OPEN) | Q(follow_ups__meeting=self.meeting)
            )
        else:
            followed = followed.filter(status=Commitment.Status.OPEN)
        self.followed = Choices(followed.distinct().order_by("due_on", "pk"))
        self.stale_commitments = self._closed_meanwhile()
        # Commitments made at this meeting and already reviewed: they may not be removed.
        self.reviewed_ids = (
            set(
                CommitmentFollowUp.objects.filter(commitment__meeting=self.meeting).values_list(
                    "commitment_id", flat=True
                )
            )
            if self.editing
            else set()
        )

    def _guest_candidates(self):
        """People the reader may invite: those it sees who sit in this département, or
        nowhere yet. A queryset: searched, or read for the rows posted, never listed whole."""
        in_department = Membership.objects.filter(body__department_id=self.body.department_id)
        return visible_people(self.access, Person.objects.all()).filter(
            Q(pk__in=in_department.values("person_id"))
            | ~Q(pk__in=Membership.objects.values("person_id"))
        )

    def _guest_people(self) -> Choices:
        """The people the guest rows stand for: the meeting's recorded guests, and those the
        posted rows (or the one added) name, if the reader may invite them. One query, none
        for a new meeting shown without guests."""
        posted = {
            int(value)
            for key, value in (self.data or {}).items()
            if key.startswith("guests-") and key.endswith("-person") and is_whole_number(str(value))
        }
        if self.add_guest is not None:
            posted.add(self.add_guest)
        wanted = Q(pk__in=posted) & Q(pk__in=self.guest_candidates.values("pk"))
        if self.editing:
            recorded = Attendance.objects.filter(meeting=self.meeting, membership__isnull=True)
            wanted |= Q(pk__in=recorded.values("person_id"))
        elif not posted:
            return Choices([], label=person_label)
        return Choices(
            Person.objects.filter(wanted).order_by("last_name", "first_name", "pk"),
            label=person_label,
        )

    @property
    def guest_results(self) -> list:
        """People matching every word of the guest search (names), members expected at
        the meeting left out; `GUEST_RESULTS` at most. One query, none without a search."""
        if len(self.guest_query) < GUEST_MIN_SEARCH:
            return []
        if not hasattr(self, "_guest_results"):
            found = self.guest_candidates.exclude(pk__in=[m.person_id for m in self.expected])
            for word in self.guest_query.split():
                found = found.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
            people = list(found.order_by("last_name", "first_name", "pk")[: GUEST_RESULTS + 1])
            self._guest_results = people
        return self._guest_results[:GUEST_RESULTS]

    @property
    def more_guest_results(self) -> bool:
        return len(self.guest_results) == GUEST_RESULTS and len(self._guest_results) > GUEST_RESULTS

    def _closed_meanwhile(self) -> dict:
        """Commitments that posted follow-up rows name but that are no longer to follow
        here — closed (done, dropped) or removed by someone else since the page was opened —
        by id (None for a removed one). Their rows are dropped, and the coordinator told: a
        follow-up row cannot be removed, so refusing it would leave a page that can never be
        saved. One query, only when such a row is posted."""
        posted = {
            int(value)
            for key, value in (self.data or {}).items()
            if key.startswith("follow_ups-")
            and key.endswith("-commitment")
            and is_whole_number(str(value))
        }
        unknown = posted - set(self.followed.by_id)
        if not unknown:
            return {}
        found = {
            c.pk: c
            for c in Commitment.objects.filter(pk__in=unknown).select_related("owner_institution")
        }
        return {
            pk: found.get(pk)
            for pk in unknown
            if pk not in found
            or (found[pk].body_id == self.body.pk and found[pk].status != Commitment.Status.OPEN)
        }

    @property
    def dropped_follow_ups(self) -> list:
        """The commitments (None for a removed one) whose follow-up rows were dropped."""
        return [
            self.stale_commitments[form.dropped]
            for form in self.follow_ups
            if form.dropped is not None
        ]

    # -- forms -------------------------------------------------------------------------------

    def _formset(self, cls, prefix, initial=(), **form_kwargs):
        data = self.data
        if data is not None and prefix == "guests" and self.add_guest is not None:
            data = self._with_added_guest(data)
        return rows_formset(
            cls,
            prefix,
            data,
            initial,
            extra=EXTRA_ROWS.get(prefix, 0),
            added=self.add_rows.get(prefix, 0),
            **form_kwargs,
        )

    def _with_added_guest(self, data):
        """The posted rows and one more for the person added, with the institution of their
        latest seat in the département when it is one of the page's (one query)."""
        data = data.copy()
        try:
            count = int(data.get("guests-TOTAL_FORMS", 0) or 0)
        except ValueError:
            return data  # a tampered management form: the formset reports it
        seat = (  # only for a person the page may offer: a seat says where someone sits
            Membership.objects.filter(
                person_id=self.add_guest,
                person__in=self.guest_candidates,
                body__department_id=self.body.department_id,
            )
            .order_by("-started_on", "-pk")
            .values_list("institution_id", flat=True)
            .first()
        )
        data["guests-TOTAL_FORMS"] = str(count + 1)
        data[f"guests-{count}-person"] = str(self.add_guest)
        data[f"guests-{count}-institution"] = str(seat) if seat in self.institutions.by_id else ""
        data[f"guests-{count}-status"] = Attendance.Status.PRESENT
        return data

    def _build_forms(self):
        meeting = self.meeting
        self.meeting_form = MeetingForm(self.data, instance=meeting, body=self.body)
        agenda, attendance, decisions, commitments, follow_ups = [], [], [], [], []
        guests = []
        self.recorded_memberships = set()
        if self.editing:
            agenda = [{"title": a.title, "notes": a.notes} for a in meeting.agenda_items.all()]
            rows = list(meeting.attendances.all())
            self.recorded_memberships = {r.membership_id for r in rows if r.membership_id}
            by_membership = {r.membership_id: r for r in rows if r.membership_id}
            for m in self.expected:
                row = by_membership.pop(m.pk, None)
                attendance.append(
                    {
                        "membership": m.pk,
                        "status": row.status if row else "",
                        "represented_by": row.represented_by_id if row else None,
                    }
                )
            for row in by_membership.values():  # members no longer current: keep their row
                attendance.append(
                    {
                        "membership": row.membership_id,
                        "status": row.status,
                        "represented_by": row.represented_by_id,
                    }
                )
            guests = [
                {"person": r.person_id, "institution": r.institution_id, "status": r.status}
                for r in rows
                if not r.membership_id
            ]

            def own_level(record):  # blank: "as the meeting", which follows the meeting's level
                return (
                    ""
                    if record.confidentiality == meeting.confidentiality
                    else (record.confidentiality)
                )

            decisions = [
                {"id": d.pk, "text": d.text, "confidentiality": own_level(d)}
                for d in meeting.decisions.all()
            ]
            commitments = [
                {
                    "id": c.pk,
                    "owner_institution": c.owner_institution_id,
                    "owner_person": c.owner_person_id,
                    "description": c.description,
                    "due_on": c.due_on,
                    "confidentiality": own_level(c),
                    "action": c.action_id,
                }
                for c in meeting.commitments.all()
            ]
            reviewed = {f.commitment_id: f for f in meeting.follow_ups.all()}
            follow_ups = [
                {
                    "commitment": c.pk,
                    "outcome": reviewed[c.pk].outcome if c.pk in reviewed else "kept_open",
                    "note": reviewed[c.pk].note if c.pk in reviewed else "",
                }
                for c in self.followed.by_id.values()
            ]
        else:
            attendance = [{"membership": m.pk, "status": ""} for m in self.expected]
            follow_ups = [{"commitment": pk, "outcome": "kept_open"} for pk in self.followed.by_id]

        if self.data is not None:
            self._refresh_expected_rows()
        self.agenda = self._formset(AgendaFormSet, "agenda", agenda)
        self.attendance = self._formset(
            AttendanceFormSet,
            "attendance",
            attendance,
            memberships=self.memberships,
            people=self.body_people,
        )
        self.guests = self._formset(
            GuestFormSet,
            "guests",
            guests,
            people=self.guest_people,
            institutions=self.institutions,
        )
        self.decisions = self._formset(DecisionFormSet, "decisions", decisions)
        self.commitments = self._formset(
            CommitmentFormSet,
            "commitments",
            commitments,
            people=self.body_people,
            institutions=self.institutions,
            actions=self.actions,
        )
        self.follow_ups = self._formset(
            FollowUpFormSet,
            "follow_ups",
            follow_ups,
            commitments=self.followed,
            stale=self.stale_commitments,
        )

    def _refresh_expected_rows(self):
        """When the posted attendance rows were listed for another date than the posted
        one (`expected_on`: the date was changed on a page without JavaScript), rewrite
        them: add a blank row for each member expected at the new date, drop the blank rows
        of members who were not, keep every row that holds a status (a wrong one gets its
        error). `members_refreshed` then says so, and nothing is saved."""
        listed_for = posted_date({"date": self.data.get("expected_on", "")})
        if listed_for is None or self.on is None or listed_for == self.on:
            return  # the rows are those of the posted date (or of no date the page gave)
        prefix = "attendance"
        try:
            total = min(int(self.data.get(f"{prefix}-TOTAL_FORMS", 0) or 0), MAX_ROWS)
        except ValueError:
            return  # a tampered management form: the formset reports it
        names = ("membership", "status", "represented_by")
        posted = [
            {name: str(self.data.get(f"{prefix}-{i}-{name}", "")) for name in names}
            for i in range(total)
        ]
        expected = [m.pk for m in self.expected]
        posted_ids = {
            int(row["membership"]) for row in posted if is_whole_number(row["membership"])
        }

        def stale(row):
            pk = int(row["membership"]) if is_whole_number(row["membership"]) else None
            return (
                pk in self.memberships.by_id
                and pk not in expected
                and pk not in self.recorded_memberships
                and not row["status"]
                and not row["represented_by"]
            )

        missing = [pk for pk in expected if pk not in posted_ids]
        if not missing and not any(stale(row) for row in posted):
            return
        rows = [row for row in posted if not stale(row)]
        rows += [{"membership": str(pk), "status": "", "represented_by": ""} for pk in missing]
        order = {pk: i for i, pk in enumerate(expected)}
        rows.sort(
            key=lambda row: order.get(
                int(row["membership"]) if is_whole_number(row["membership"]) else None,
                len(order),
            )
        )
        data = self.data.copy()
        for key in [k for k in data if k.startswith(f"{prefix}-")]:
            del data[key]
        data.update({f"{prefix}-{name}": value for name, value in management(len(rows)).items()})
        for i, row in enumerate(rows):
            for name, value in row.items():
                data[f"{prefix}-{i}-{name}"] = value
        data["expected_on"] = self.on.isoformat()
        self.data = data
        self.members_refreshed = True

    @property
    def formsets(self):
        return [
            self.agenda,
            self.attendance,
            self.guests,
            self.decisions,
            self.commitments,
            self.follow_ups,
        ]

    def is_valid(self) -> bool:
        valid = self.meeting_form.is_valid()
        for formset in self.formsets:
            valid = formset.is_valid() and valid
        status = getattr(self.meeting_form, "cleaned_data", {}).get("status")
        on = getattr(self.meeting_form, "cleaned_data", {}).get("date")
        for form in self.attendance:
            membership = form.cleaned_data.get("membership")
            if membership is None:
                continue
            # A seat that had ended (or not begun) by the meeting's date would count in the
            # attendance figures of a member who was not there to attend; rows recorded
            # earlier on this meeting stay as they were.
            seated = (
                on is None
                or membership.is_current(on)
                or membership.pk in self.recorded_memberships
            )
            if not seated:
                if form.cleaned_data.get("status"):
                    form.add_error(
                        "status",
                        _(
                            "Ce mandat n’était pas en cours à la date de la réunion : laissez "
                            "sa présence vide, ou ajoutez la personne comme invitée."
                        ),
                    )
                    valid = False
            elif status == Meeting.Status.HELD and not form.cleaned_data.get("status"):
                form.add_error("status", _("Indiquez la présence de ce membre."))
                valid = False
        valid = self._check_representatives(status) and valid
        valid = self._check_due_dates(on) and valid
        guests = [f.cleaned_data["person"] for f in self.guests if f.cleaned_data.get("person")]
        members = set()
        for form in self.attendance:
            membership = form.cleaned_data.get("membership")
            if membership is None:
                continue
            if membership.person_id in members:
                form.add_error("membership", _("Ce membre figure deux fois dans la liste."))
                valid = False
            members.add(membership.person_id)
        for form in self.commitments:
            if form.cleaned_data.get("remove") and form.cleaned_data["id"] in self.reviewed_ids:
                form.add_error(
                    "description",
                    _(
                        "Cet engagement a déjà été suivi en réunion : marquez-le abandonné plutôt "
                        "que de le supprimer."
                    ),
                )
                valid = False
        for form in self.guests:
            person = form.cleaned_data.get("person") if form.cleaned_data else None
            if person and (person.pk in members or guests.count(person) > 1):
                form.add_error("person", _("Cette personne figure déjà dans la liste de présence."))
                valid = False
        return valid and not self.members_refreshed

    def _check_representatives(self, status) -> bool:
        """A member who represents another was there: not one marked absent or excused at
        this meeting, nor the member represented."""
        away = {
            form.cleaned_data["membership"].person_id
            for form in self.attendance
            if form.cleaned_data.get("membership")
            and form.cleaned_data.get("status")
            in (Attendance.Status.ABSENT, Attendance.Status.EXCUSED)
        }
        valid = True
        for form in self.attendance:
            representative = form.cleaned_data.get("represented_by")
            membership = form.cleaned_data.get("membership")
            if representative is None:
                continue
            if membership is not None and representative.pk == membership.person_id:
                form.add_error("represented_by", _("Un membre ne se représente pas lui-même."))
                valid = False
            elif representative.pk in away:
                form.add_error(
                    "represented_by",
                    _(
                        "%(person)s figure parmi les absents ou les excusés de cette réunion : "
                        "cette personne ne peut pas représenter un autre membre. Corrigez l’une "
                        "des deux lignes."
                    )
                    % {"person": representative},
                )
                valid = False
        return valid

    def _check_due_dates(self, on) -> bool:
        """A commitment made at a meeting falls due after it."""
        if on is None:
            return True
        valid = True
        for form in self.commitments:
            due_on = form.cleaned_data.get("due_on")
            if due_on and not form.cleaned_data.get("remove") and due_on < on:
                form.add_error(
                    "due_on",
                    _("L’échéance précède la date de la réunion (%(date)s).")
                    % {"date": formats.date_format(on, "SHORT_DATE_FORMAT")},
                )
                valid = False
        return valid

    # -- saving ------------------------------------------------------------------------------

    def save(self, user) -> Meeting:
        """Write everything or nothing. Raises MeetingConflict if someone else saved first,
        MeetingAlreadyRecorded if this new-meeting form was saved already (its one-time
        `creation_token`, unique in the database, also stops two sends at the same moment)."""
        from concurrency.exceptions import RecordModifiedError

        token = None if self.editing else self.meeting_form.cleaned_data.get("creation_token")
        if token is not None:
            self._raise_if_recorded(token)
        try:
            with transaction.atomic():
                meeting = self.meeting_form.save()
                self._save_rows(meeting, user)
        except RecordModifiedError as error:
            raise MeetingConflict from error
        except IntegrityError:
            if token is not None:
                self._raise_if_recorded(token)
            raise
        return meeting

    def _raise_if_recorded(self, token):
        recorded = Meeting.objects.filter(body=self.body, creation_token=token).first()
        if recorded is not None:
            raise MeetingAlreadyRecorded(recorded)

    def _rows(self, formset):
        return [f.cleaned_data for f in formset if f.cleaned_data]

    def _save_recorded(self, meeting, manager, formset, model, fields, user, build, update=True):
        """Rows standing for this meeting's records: update those with an id, create the
        others, delete the emptied ones — a constant number of queries but for deletions,
        each of which writes its history row. With `update` False, returns the records to
        update, for the caller to add its own changes to the same bulk update."""
        existing = {r.pk: r for r in manager.all()} if self.editing else {}
        new, changed, removed = [], [], []
        for row in self._rows(formset):
            record = existing.get(row.get("id"))
            if row.get("remove"):
                if record is not None:
                    removed.append(record.pk)
                continue
            values = {name: row[name] for name in fields}
            values["confidentiality"] = Confidentiality.stricter(
                row["confidentiality"], meeting.confidentiality
            )
            if record is None:
                new.append(build(values))
            else:
                for name, value in values.items():
                    setattr(record, name, value)
                changed.append(record)
        if removed:
            model.objects.filter(pk__in=removed).delete()
        bulk_create_with_history(new, model, default_user=user)
        if update and changed:
            bulk_update_with_history(
                changed, model, [*fields, "confidentiality"], default_user=user
            )
        return changed

    def _save_rows(self, meeting, user):
        if self.editing:
            meeting.agenda_items.all().delete()
            meeting.attendances.all().delete()
            meeting.follow_ups.all().delete()

        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, position=i, title=row["title"], notes=row["notes"])
            for i, row in enumerate(self._rows(self.agenda), start=1)
        )
        attendances = [
            Attendance(
                meeting=meeting,
                membership=row["membership"],
                person=row["membership"].person,
                institution=row["membership"].institution,
                status=row["status"],
                represented_by=row.get("represented_by"),
            )
            for row in self._rows(self.attendance)
            if row.get("status")
        ]
        attendances += [
            Attendance(
                meeting=meeting,
                person=row["person"],
                institution=row["institution"],
                status=row["status"],
            )
            for row in self._rows(self.guests)
        ]
        Attendance.objects.bulk_create(attendances)
        self._save_recorded(
            meeting,
            meeting.decisions,
            self.decisions,
            Decision,
            ["text"],
            user,
            lambda values: Decision(meeting=meeting, **values),
        )
        changed = self._save_recorded(
            meeting,
            meeting.commitments,
            self.commitments,
            Commitment,
            [name for name in COMMITMENT_FIELDS if name != "confidentiality"],  # set apart
            user,
            lambda values: Commitment(body=meeting.body, meeting=meeting, **values),
            update=False,
        )

        rows = self._rows(self.follow_ups)
        reviewed_later = set(
            CommitmentFollowUp.objects.filter(
                commitment__in=[row["commitment"] for row in rows],
                meeting__starts_at__gt=meeting.starts_at,
            ).values_list("commitment_id", flat=True)
        )
        reviewed = []
        by_outcome: dict[tuple, list] = {}
        for row in rows:
            commitment = row["commitment"]
            outcome = row["outcome"]
            reviewed.append(
                CommitmentFollowUp(
                    commitment=commitment, meeting=meeting, outcome=outcome, note=row["note"]
                )
            )
            if commitment.pk in reviewed_later:
                continue  # a later meeting's review decides its state, not this one
            commitment.status = {
                "done": Commitment.Status.DONE,
                "dropped": Commitment.Status.DROPPED,
            }.get(outcome, Commitment.Status.OPEN)
            commitment.done_on = meeting.date if outcome == "done" else None
            by_outcome.setdefault((commitment.status, commitment.done_on), []).append(commitment)
        CommitmentFollowUp.objects.bulk_create(reviewed)
        # The commitments edited on this page: one UPDATE of their fields. Those followed up
        # (made at earlier meetings): one UPDATE per outcome, their status and date — a
        # statement per row, or a CASE per row and field, cost more than the rest of the save.
        if changed:
            Commitment.objects.bulk_update(changed, list(COMMITMENT_FIELDS))
        for (status, done_on), commitments in by_outcome.items():
            Commitment.objects.filter(pk__in=[c.pk for c in commitments]).update(
                status=status, done_on=done_on
            )
        followed = [c for commitments in by_outcome.values() for c in commitments]
        if changed or followed:
            Commitment.history.bulk_history_create(
                changed + followed, update=True, default_user=user
            )
