"""Meetings of a body, who attended, what was decided and who committed to what.

Commitments outlive the meeting where they were made: they are carried from meeting to
meeting (each review is a `CommitmentFollowUp`) until done or dropped, so forgotten
commitments and institutions that never commit become visible (domain guide §1).
"""

import datetime

from concurrency.fields import AutoIncVersionField
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bodies.models import Body, Confidentiality, Institution, Membership, Person, today
from bodies.rules import readable_q


def meeting_readable_q(access, path: str = "") -> Q:
    """The meetings `access` may read, as a condition on the meeting at `path` ("" for
    meetings themselves, "meeting" for their attendance or commitments): applied through a
    join rather than as `meeting__in=<every readable meeting>`, which the database had to
    read whole (a DISTINCT over every meeting in France) or planned badly once narrowed. The
    meetings a person attended — attendees count as named — are a subquery: no duplicates.
    Q() for administrators."""
    prefix = f"{path}__" if path else ""
    condition = readable_q(access, body=f"{prefix}body", level=f"{prefix}confidentiality")
    if condition and access.person_id:
        attended = Attendance.objects.filter(person_id=access.person_id).values("meeting_id")
        condition |= Q(**{f"{path or 'pk'}__in": attended})
    return condition


class MeetingQuerySet(models.QuerySet):
    def held(self):
        return self.filter(status=Meeting.Status.HELD)

    def upcoming(self, now=None):
        return self.filter(status=Meeting.Status.PLANNED, starts_at__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(starts_at__lt=now or timezone.now())

    def readable_by(self, access):
        """Meetings whose details `access` may read; attendees count as named."""
        condition = meeting_readable_q(access)
        return self.filter(condition) if condition else self.all()


class Meeting(models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Séance plénière")
        RESTRICTED = "restricted", _("Formation restreinte")
        WORKING_GROUP = "working_group", _("Groupe de travail")
        MONITORING_CELL = "monitoring_cell", _("Cellule de veille")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        HELD = "held", _("Tenue")
        CANCELLED = "cancelled", _("Annulée")

    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("instance")
    )
    starts_at = models.DateTimeField(_("date et heure"))
    kind = models.CharField(_("nature"), max_length=16, choices=Kind.choices, default=Kind.PLENARY)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    confidentiality = models.CharField(
        _("confidentialité"),
        max_length=10,
        choices=Confidentiality.choices,
        blank=True,
        help_text=_("Par défaut : selon le type d’instance et la nature de la réunion."),
    )
    minutes = models.TextField(_("compte rendu"), blank=True)
    minutes_approved_at = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_minutes",
        verbose_name=_("compte rendu approuvé en réunion du"),
        help_text=_("Une réunion tenue plus tard, de la même instance."),
    )
    version = AutoIncVersionField(_("version"))
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # The one-time token of the form that recorded it: the same form sent twice finds it.
    creation_token = models.UUIDField(
        _("jeton de création"), null=True, blank=True, unique=True, editable=False
    )

    history = HistoricalRecords(excluded_fields=["version", "updated_at", "creation_token"])
    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["body", "starts_at"], name="meetings_meeting_body_date_idx"),
            models.Index(fields=["status", "starts_at"], name="meetings_meeting_status_idx"),
            # A body's last held meeting (`meetings.activity`), for every list of bodies.
            models.Index(fields=["body", "status", "-starts_at"], name="meetings_body_held_idx"),
            # Lists of meetings newest first (the administration's), a page at a time.
            models.Index(fields=["starts_at", "id"], name="meetings_meeting_date_idx"),
        ]

    def __str__(self):
        return f"{self.body} — {timezone.localtime(self.starts_at):%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if not self.confidentiality:
            self.confidentiality = self.default_confidentiality()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("meetings:meeting-detail", args=[self.pk])

    def default_confidentiality(self) -> str:
        """Case-level bodies are restricted; a restricted formation is for partners; a
        plenary of a CLSPD, CISPD or county body is public."""
        body_level = self.body.default_confidentiality
        if body_level == Confidentiality.RESTRICTED:
            return body_level
        if self.kind == self.Kind.PLENARY:
            return Confidentiality.PUBLIC
        if self.kind == self.Kind.MONITORING_CELL:
            return Confidentiality.RESTRICTED
        return Confidentiality.PARTNERS

    def clean(self):
        if self.status == self.Status.HELD and self.starts_at and self.starts_at > timezone.now():
            raise ValidationError(
                {
                    "status": _(
                        "Une réunion à venir ne peut pas être déjà tenue : laissez-la "
                        "« prévue » et passez-la à « tenue » après la séance."
                    )
                }
            )
        approving = self.minutes_approved_at if self.minutes_approved_at_id else None
        if approving is not None and not (
            self.status == self.Status.HELD
            and approving.pk != self.pk
            and approving.body_id == self.body_id
            and approving.status == self.Status.HELD
            and self.starts_at
            and approving.starts_at > self.starts_at
        ):
            raise ValidationError(
                {
                    "minutes_approved_at": _(
                        "Le compte rendu d’une réunion tenue s’approuve lors d’une réunion "
                        "tenue plus tard par la même instance."
                    )
                }
            )

    @property
    def date(self) -> datetime.date:
        return timezone.localdate(self.starts_at)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("réunion")
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    title = models.CharField(_("point"), max_length=250)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("point de l’ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["meeting", "position", "pk"]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    """One row per expected member (from the memberships current on the meeting's date) and
    per guest (no membership)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Présent")
        REMOTE = "remote", _("À distance")
        REPRESENTED = "represented", _("Représenté")
        EXCUSED = "excused", _("Excusé")
        ABSENT = "absent", _("Absent")

    ATTENDED = (Status.PRESENT, Status.REMOTE, Status.REPRESENTED)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("réunion")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("personne")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("institution"),
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        related_name="attendances",
        null=True,
        blank=True,
        verbose_name=_("mandat"),
        help_text=_("Vide pour un invité."),
    )
    status = models.CharField(
        _("présence"), max_length=12, choices=Status.choices, default=Status.ABSENT
    )
    represented_by = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="representations",
        null=True,
        blank=True,
        verbose_name=_("représenté par"),
    )

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        ordering = ["meeting", "institution__name", "person__last_name"]
        indexes = [
            models.Index(fields=["institution", "status"], name="meetings_attendance_inst_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="meetings_attendance_one_row_per_person",
                violation_error_message=_("Cette personne figure déjà dans la liste de présence."),
            ),
            models.CheckConstraint(
                condition=~Q(status="represented") | Q(represented_by__isnull=False),
                name="meetings_attendance_represented_by_someone",
                violation_error_message=_("Indiquez qui représentait ce membre."),
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_status_display()}"

    @property
    def is_guest(self) -> bool:
        return self.membership_id is None

    def clean(self):
        if self.status == self.Status.REPRESENTED and not self.represented_by_id:
            raise ValidationError({"represented_by": _("Indiquez qui représentait ce membre.")})
        if self.status != self.Status.REPRESENTED and self.represented_by_id:
            raise ValidationError(
                {"represented_by": _("Seul un membre « représenté » a un représentant.")}
            )


class Decision(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("réunion")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("point de l’ordre du jour"),
    )
    text = models.TextField(_("décision"))
    confidentiality = models.CharField(
        _("confidentialité"), max_length=10, choices=Confidentiality.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["meeting", "pk"]

    def __str__(self):
        return self.text[:80]

    def save(self, *args, **kwargs):
        if not self.confidentiality:
            self.confidentiality = self.meeting.confidentiality
        super().save(*args, **kwargs)


class CommitmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Commitment.Status.OPEN)

    def overdue(self, on: datetime.date | None = None):
        return self.open().filter(due_on__lt=on or today())

    def done(self):
        return self.filter(status=Commitment.Status.DONE)

    def readable_by(self, access):
        """Commitments `access` may read, at a meeting it may read (a commitment less
        confidential than its meeting stays within the meeting's readers); the owner person
        counts as named."""
        condition = readable_q(access, named="owner_person")
        if not condition:  # administrators
            return self.all()
        return self.filter(condition).filter(meeting_readable_q(access, "meeting"))


class Commitment(models.Model):
    """Who (an institution, optionally a person) committed to what, by when."""

    class Status(models.TextChoices):
        OPEN = "open", _("En cours")
        DONE = "done", _("Tenu")
        DROPPED = "dropped", _("Abandonné")

    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("instance")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("pris en réunion du"),
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("décision"),
    )
    action = models.ForeignKey(
        "actions.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("action du plan servie"),
    )
    owner_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("institution responsable"),
    )
    owner_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("personne responsable"),
    )
    description = models.TextField(_("engagement"))
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("tenu le"), null=True, blank=True)
    evidence = models.TextField(_("preuve / note"), blank=True)
    confidentiality = models.CharField(
        _("confidentialité"), max_length=10, choices=Confidentiality.choices, blank=True
    )

    history = HistoricalRecords()
    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["body", "status", "due_on"], name="meetings_commit_body_idx"),
            models.Index(fields=["owner_institution", "status"], name="meetings_commit_owner_idx"),
            # Lists sorted by due date (the commitments list, the administration's): read
            # in index order, a page at a time, rather than all rows sorted.
            models.Index(fields=["due_on", "id"], name="meetings_commit_due_idx"),
            # Open commitments by due date (overdue ones: the national overview, dashboards):
            # a seventh of the table.
            models.Index(
                fields=["due_on"], condition=Q(status="open"), name="meetings_commit_open_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False)
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="meetings_commitment_done_on_iff_done",
                violation_error_message=_("Un engagement tenu a une date, et lui seul."),
            ),
        ]

    def __str__(self):
        return f"{self.owner_institution} — {self.description[:60]}"

    def save(self, *args, **kwargs):
        if not self.confidentiality and self.meeting_id:
            self.confidentiality = self.meeting.confidentiality
        super().save(*args, **kwargs)

    def clean(self):
        if self.status == self.Status.DONE and not self.done_on:
            raise ValidationError({"done_on": _("Indiquez quand l’engagement a été tenu.")})
        if self.status != self.Status.DONE and self.done_on:
            raise ValidationError(
                {"done_on": _("Seul un engagement tenu a une date de réalisation.")}
            )
        if self.meeting_id and self.body_id and self.meeting.body_id != self.body_id:
            raise ValidationError({"meeting": _("La réunion doit être celle de l’instance.")})
        if self.action_id and self.body_id and self.action.plan.body_id != self.body_id:
            raise ValidationError(
                {"action": _("Cette action relève du plan d’une autre instance.")}
            )

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_on is not None
            and self.due_on < (on or today())
        )


class CommitmentFollowUp(models.Model):
    """A commitment reviewed at a later meeting: done, dropped, or kept open, with a note."""

    class Outcome(models.TextChoices):
        KEPT_OPEN = "kept_open", _("Maintenu")
        DONE = "done", _("Tenu")
        DROPPED = "dropped", _("Abandonné")

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("engagement"),
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("réunion")
    )
    outcome = models.CharField(
        _("suite"), max_length=10, choices=Outcome.choices, default=Outcome.KEPT_OPEN
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("suivi d’engagement")
        verbose_name_plural = _("suivis d’engagements")
        ordering = ["meeting__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "meeting"], name="meetings_followup_once_per_meeting"
            ),
        ]

    def __str__(self):
        return f"{self.commitment} — {self.get_outcome_display()}"


def attendance_rate_by_institution(body, since: datetime.date, meetings=None) -> list[dict]:
    """Per institution: expected attendances at the body's held meetings since `since`
    (members only, not guests), how many were attended, and the rate; `meetings` limits the
    count to those a reader may read. One query."""
    rows = Attendance.objects.filter(
        meeting__body=body,
        meeting__status=Meeting.Status.HELD,
        meeting__starts_at__date__gte=since,
        membership__isnull=False,
    )
    if meetings is not None:
        rows = rows.filter(meeting__in=meetings.values("pk"))
    rows = (
        rows.values("institution_id", "institution__name")
        .annotate(
            expected=Count("pk"), attended=Count("pk", filter=Q(status__in=Attendance.ATTENDED))
        )
        .order_by("institution__name")
    )
    return [
        {**row, "rate": round(100 * row["attended"] / row["expected"]) if row["expected"] else None}
        for row in rows
    ]


class Convocation(models.Model):
    """One convocation e-mail to one person for one meeting, as sent: each sending adds rows,
    so the meeting page shows who was convened and when, and which e-mails failed (to send
    again). `sequence` is the invitation's iCalendar SEQUENCE: it grows when the meeting
    moves or is cancelled, so calendar applications replace the event they hold."""

    class Method(models.TextChoices):
        REQUEST = "REQUEST", _("Convocation")
        CANCEL = "CANCEL", _("Annulation")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="convocations", verbose_name=_("réunion")
    )
    # a person erased from the registry takes their convocations (and address) along
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="convocations", verbose_name=_("personne")
    )
    address = models.EmailField(_("adresse"))
    as_substitute = models.BooleanField(_("en tant que suppléant"), default=False)
    method = models.CharField(_("envoi"), max_length=8, choices=Method.choices)
    sequence = models.PositiveIntegerField(_("version de l’invitation"))
    starts_at = models.DateTimeField(_("date et heure annoncées"))
    place = models.CharField(_("lieu annoncé"), max_length=200, blank=True)
    # what the e-mail announced of the agenda (a SHA-256 of its titles; « - » when it
    # carried none; empty for rows sent before it was kept): an agenda changed since raises
    # the invitation's SEQUENCE, as a move does
    agenda_digest = models.CharField(
        _("ordre du jour annoncé"), max_length=64, blank=True, default=""
    )
    # None while the e-mail is being sent: the row is written (and committed) before the
    # e-mail goes, so a worker killed mid-sending leaves « issue inconnue », never an e-mail
    # sent and recorded nowhere
    sent = models.BooleanField(
        _("envoyée"),
        null=True,
        help_text=_("Faux : l’envoi a échoué ; vide : envoi en cours ou interrompu."),
    )
    sent_at = models.DateTimeField(_("le"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["meeting", "-sent_at"], name="meetings_convocation_idx")]

    def __str__(self):
        return f"{self.person} — {self.meeting}"


class ConvocationSending(models.Model):
    """A convocation of a meeting being sent: one row per meeting at most (its primary key),
    inserted before the e-mails go and deleted after. Whoever inserts it sends; a second
    press of the button meanwhile fails to insert it and is told a sending is under way — on
    SQLite as on PostgreSQL, without any lock held while the e-mails go out. A row older
    than `STALE_AFTER` is a sending whose worker died: the next press takes it over."""

    STALE_AFTER = datetime.timedelta(minutes=15)

    meeting = models.OneToOneField(
        Meeting,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("réunion"),
    )
    started_at = models.DateTimeField(_("commencé le"))

    class Meta:
        verbose_name = _("envoi de convocation en cours")
        verbose_name_plural = _("envois de convocation en cours")

    def __str__(self):
        return str(self.meeting)


class CommitmentReminder(models.Model):
    """A commitment named in a reminder sent to an address on a day: the daily reminders
    (`send_reminders`) skip a commitment reminded to that address in the last week, so a
    second run the same day sends nothing new."""

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("engagement"),
    )
    address = models.EmailField(_("adresse"))
    sent_on = models.DateField(_("envoyé le"))

    class Meta:
        verbose_name = _("rappel d’engagement")
        verbose_name_plural = _("rappels d’engagements")
        ordering = ["-sent_on", "pk"]
        indexes = [
            models.Index(fields=["address", "sent_on"], name="meetings_reminder_address_idx")
        ]

    def __str__(self):
        return f"{self.address} — {self.sent_on}"


class CalendarFeed(models.Model):
    """A user's private calendar feed: a random token in a URL, for calendar applications
    that cannot sign in. Only its SHA-256 is stored (the URL is shown once, when created);
    deleting the row revokes it; it reads what its user may read, when it is read."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("utilisateur"),
    )
    token_hash = models.CharField(_("empreinte du jeton"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_read_at = models.DateTimeField(_("dernière lecture"), null=True, blank=True)

    class Meta:
        verbose_name = _("flux d’agenda privé")
        verbose_name_plural = _("flux d’agenda privés")
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.user)
