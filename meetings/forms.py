"""The forms of the coordinator's meeting page.

Row forms are plain forms over choice lists fetched once for the page (`Choices`): a
ModelChoiceField would query once per row to validate, and a ModelForm once per row and
constraint. The model rules that need no query (`clean()`) are applied to each row; the
database constraints stay the last guard.
"""

import datetime
import uuid

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bodies.fields import (
    Choices,
    DateInput,
    LengthLimitsMixin,
    ObjectChoiceField,
    PlausibleDatesMixin,
    VersionedFormMixin,
    row_object,
)
from bodies.models import Confidentiality
from bodies.validators import is_whole_number

from .models import Attendance, CommitmentFollowUp, Meeting

CONFIDENTIALITY_CHOICES = [("", _("Comme la réunion")), *list(Confidentiality.choices)]


# A meeting still « prévue » this long after its date must say whether it was held.
PLANNED_GRACE = datetime.timedelta(days=1)


class MeetingForm(VersionedFormMixin, LengthLimitsMixin, PlausibleDatesMixin, forms.ModelForm):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(
        label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    # One per new-meeting form: sending the form twice records the meeting once.
    creation_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Meeting
        fields = ["kind", "place", "status", "confidentiality", "minutes", "version"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.body = body
        self.fields["confidentiality"].choices = [
            ("", _("Par défaut (selon l’instance et la nature)")),
            *list(Confidentiality.choices),
        ]
        if self.instance.pk:
            local = timezone.localtime(self.instance.starts_at)
            self.initial.setdefault("date", local.date())
            self.initial.setdefault("time", local.time().replace(second=0, microsecond=0))
            del self.fields["creation_token"]
        else:
            self.initial.setdefault("time", datetime.time(18, 0))
            self.initial.setdefault("creation_token", uuid.uuid4())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            self.instance.starts_at = timezone.make_aware(
                datetime.datetime.combine(cleaned["date"], cleaned["time"])
            )
            if (
                cleaned.get("status") == Meeting.Status.PLANNED
                and self.instance.starts_at < timezone.now() - PLANNED_GRACE
            ):
                self.add_error(
                    "status",
                    _(
                        "Cette réunion date de plus d’un jour : indiquez si elle s’est tenue "
                        "ou si elle a été annulée."
                    ),
                )
        if not self.instance.pk:
            self.instance.creation_token = cleaned.get("creation_token")
        return cleaned


class AgendaItemForm(LengthLimitsMixin, forms.Form):
    title = forms.CharField(label=_("Point"), max_length=250)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttendanceForm(forms.Form):
    """A member expected at the meeting: the membership is fixed, the status chosen."""

    membership = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Présence"),
        choices=Attendance.Status.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, memberships: Choices, people: Choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = memberships
        self.fields["represented_by"] = ObjectChoiceField(
            people, label=_("Représenté par"), required=False
        )

    def clean_membership(self):
        try:
            return self.memberships.get(self.cleaned_data["membership"])
        except (KeyError, ValueError):
            raise forms.ValidationError(_("Ce membre ne siège pas dans l’instance.")) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Attendance.Status.REPRESENTED and not cleaned.get(
            "represented_by"
        ):
            self.add_error("represented_by", _("Indiquez qui représentait ce membre."))
        if cleaned.get("represented_by") and cleaned.get("status") != (
            Attendance.Status.REPRESENTED
        ):
            self.add_error("represented_by", _("Seul un membre « représenté » a un représentant."))
        return cleaned

    @property
    def member(self):
        """The membership this row stands for, for display (bound or initial)."""
        return row_object(self, "membership", self.memberships)


class GuestForm(forms.Form):
    """A guest: a person found by the page's search (`MeetingPage.guest_results`), never
    chosen from a list of everyone; the institution they came for and how. « Retirer »
    leaves the row out, as a blank row is."""

    person = forms.IntegerField(widget=forms.HiddenInput)
    remove = forms.BooleanField(label=_("Retirer"), required=False)

    def __init__(self, *args, people: Choices, institutions: Choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people
        self.fields["institution"] = ObjectChoiceField(institutions, label=_("Institution"))
        # The initial value lets a blank guest row count as unchanged (and be skipped).
        self.fields["status"] = forms.ChoiceField(
            label=_("Présence"),
            initial=Attendance.Status.PRESENT,
            choices=[
                (Attendance.Status.PRESENT, Attendance.Status.PRESENT.label),
                (Attendance.Status.REMOTE, Attendance.Status.REMOTE.label),
            ],
        )
        self.order_fields(["person", "institution", "status", "remove"])

    def full_clean(self):
        if self.is_bound and self.data.get(self.add_prefix("remove")):
            self._errors = ErrorDict()  # a removed row: skipped, whatever it holds
            self.cleaned_data = {}
            return
        super().full_clean()

    def clean_person(self):
        try:
            return self.people.get(self.cleaned_data["person"])
        except (KeyError, ValueError):
            raise forms.ValidationError(
                _("Cette personne ne fait pas partie de celles que vous pouvez inviter.")
            ) from None

    @property
    def guest(self):
        """The person this row stands for, for display (bound or initial)."""
        return row_object(self, "person", self.people)


class RecordedRowForm(PlausibleDatesMixin, forms.Form):
    """A row that may stand for a record saved earlier (hidden `id`): emptying it removes
    that record, which `cleaned_data["remove"]` says."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    required_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        missing = [name for name in self.required_fields if not cleaned.get(name)]
        if cleaned.get("id") and len(missing) == len(self.required_fields):
            cleaned["remove"] = True
            return cleaned
        for name in missing:
            if name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned


class DecisionForm(RecordedRowForm):
    text = forms.CharField(
        label=_("Décision"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentialité"), choices=CONFIDENTIALITY_CHOICES, required=False
    )
    required_fields = ("text",)


# The commitment row's fields, in the order of the page and of the saved record.
COMMITMENT_FIELDS = (
    "owner_institution",
    "owner_person",
    "description",
    "due_on",
    "confidentiality",
    "action",
)


class CommitmentForm(RecordedRowForm):
    description = forms.CharField(
        label=_("Engagement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(label=_("Échéance"), required=False, widget=DateInput())
    confidentiality = forms.ChoiceField(
        label=_("Confidentialité"), choices=CONFIDENTIALITY_CHOICES, required=False
    )

    def __init__(self, *args, people: Choices, institutions: Choices, actions: Choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_institution"] = ObjectChoiceField(
            institutions, label=_("Institution responsable"), required=False
        )
        self.fields["owner_person"] = ObjectChoiceField(
            people, label=_("Personne (facultatif)"), required=False
        )
        self.fields["action"] = ObjectChoiceField(
            actions, label=_("Fiche-action servie (facultatif)"), required=False
        )
        self.order_fields(["id", *COMMITMENT_FIELDS])

    required_fields = ("owner_institution", "description")


class FollowUpForm(forms.Form):
    """An earlier commitment reviewed at this meeting. A row naming one of `stale` (closed
    or removed elsewhere since the page was opened) is dropped like a blank row, its id kept
    in `dropped`: the row cannot be removed, so an error on it could never be corrected."""

    commitment = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Suite"), choices=CommitmentFollowUp.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, commitments: Choices, stale: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitments = commitments
        self.stale = stale or {}
        self.dropped = None

    def full_clean(self):
        posted = str(self.data.get(self.add_prefix("commitment"), "")) if self.is_bound else ""
        if is_whole_number(posted) and int(posted) in self.stale:
            self.dropped = int(posted)
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def clean_commitment(self):
        try:
            return self.commitments.get(self.cleaned_data["commitment"])
        except (KeyError, ValueError):
            raise forms.ValidationError(_("Cet engagement n’est pas à suivre ici.")) from None

    @property
    def reviewed(self):
        if self.dropped is not None:
            return self.stale[self.dropped]
        return row_object(self, "commitment", self.commitments)
