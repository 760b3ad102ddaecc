from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from bodies.fields import DateInput, LengthLimitsMixin, PlausibleDatesMixin, VersionedFormMixin
from bodies.models import Confidentiality

from . import periods
from .models import Action, ActionPlan, Axis, FundingLine, Indicator


class SsmsiUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier de la base communale du SSMSI (CSV séparé par des points-virgules)"),
        help_text=_("Tel que publié sur data.gouv.fr ; il peut peser plusieurs centaines de Mo."),
    )
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez une commune du territoire de l’instance.")},
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        if communes.count() == 1:
            self.fields["commune"].initial = communes.first()


class SsmsiConfirmForm(forms.Form):
    MEASURES = [
        ("count", _("Nombre de faits")),
        ("rate", _("Taux pour mille habitants")),
    ]

    token = forms.CharField(widget=forms.HiddenInput)
    indicators = forms.MultipleChoiceField(
        label=_("Indicateurs à importer"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins un indicateur.")},
    )
    measure = forms.ChoiceField(
        label=_("Valeur importée"), choices=MEASURES, initial="count", widget=forms.RadioSelect
    )

    def __init__(self, *args, labels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = [(label, label) for label in labels]


# -- the plan, action and indicator pages (actions/editors.py) -----------------------------


class DecimalInput(forms.TextInput):
    """A decimal as people write it (« 97,5 », not « 97,500 »); read back with a decimal
    comma or point by a localized DecimalField."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return formats.number_format(value.normalize(), use_l10n=True)
        return super().format_value(value)


class LooseDecimalField(forms.DecimalField):
    """A decimal typed as people type it: « 12 500,50 », « 12500.5 »."""

    widget = DecimalInput

    def to_python(self, value):
        if isinstance(value, str):
            for space in (" ", "\xa0", "\u202f"):
                value = value.replace(space, "")
            value = value.replace(",", ".")
        return super().to_python(value)


class PlanForm(VersionedFormMixin, LengthLimitsMixin, PlausibleDatesMixin, forms.ModelForm):
    """A plan's own fields. A new plan is written in preparation or recorded as adopted
    (with its date); a draft's status changes only by adopting it (`AdoptionForm`); an
    adopted plan may be closed, after which nothing of it changes."""

    class Meta:
        model = ActionPlan
        fields = [
            "kind",
            "title",
            "confidentiality",
            "starts_on",
            "ends_on",
            "status",
            "adopted_on",
            "diagnostic",
            "diagnostic_confidentiality",
            "version",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "adopted_on": DateInput(),
            "diagnostic": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.body = body
        Status = ActionPlan.Status
        if self.instance.pk is None:
            self.fields["status"].choices = [
                (Status.DRAFT, Status.DRAFT.label),
                (Status.ADOPTED, _("Déjà adopté (indiquez la date d’adoption)")),
            ]
            self.fields["confidentiality"].choices = [
                ("", _("Par défaut (selon l’instance)")),
                *Confidentiality.choices,
            ]
        elif self.instance.status == Status.DRAFT:
            del self.fields["status"], self.fields["adopted_on"]  # adopted by `AdoptionForm`
        else:
            self.fields["status"].choices = [
                (Status.ADOPTED, Status.ADOPTED.label),
                (Status.CLOSED, _("Clos (le plan ne se modifie plus)")),
            ]
        if self.instance.pk is not None:
            self.fields["confidentiality"].required = True
            self.fields["confidentiality"].choices = Confidentiality.choices

    def clean_adopted_on(self):
        return _adoption_date(self.cleaned_data["adopted_on"])


class AdoptionForm(VersionedFormMixin, PlausibleDatesMixin, forms.ModelForm):
    """Adopting a draft: the date it was adopted, today at the latest."""

    class Meta:
        model = ActionPlan
        fields = ["adopted_on", "version"]
        widgets = {"adopted_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adopted_on"].required = True
        self.fields["adopted_on"].label = _("Date d’adoption")
        self.fields["adopted_on"].help_text = _("Le jour où l’instance a adopté le plan.")
        self.initial.setdefault("adopted_on", timezone.localdate())

    def clean_adopted_on(self):
        return _adoption_date(self.cleaned_data["adopted_on"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("adopted_on"):  # a refused date has its message already
            self.instance.status = ActionPlan.Status.ADOPTED  # checked with its date
        return cleaned


def _adoption_date(adopted_on):
    if adopted_on and adopted_on > timezone.localdate():
        raise forms.ValidationError(_("Un plan ne peut pas être adopté à une date à venir."))
    return adopted_on


def _with_current(queryset, *current):
    """Choices of a page, with the values a record already holds even when they fall outside
    them now (an institution of another département chosen in the administration)."""
    ids = [pk for pk in current if pk is not None]
    if not ids:
        return queryset
    return queryset.model.objects.filter(Q(pk__in=queryset.values("pk")) | Q(pk__in=ids))


class ActionForm(VersionedFormMixin, LengthLimitsMixin, PlausibleDatesMixin, forms.ModelForm):
    """A fiche-action's own fields; its milestones and funding lines are rows of the page.
    Institutions and sites are those of the body's département that the user may pick."""

    class Meta:
        model = Action
        fields = [
            "objective",
            "title",
            "description",
            "lead_institution",
            "partners",
            "sites",
            "target_public",
            "starts_on",
            "ends_on",
            "status",
            "budget",
            "version",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "partners": forms.CheckboxSelectMultiple,
            "sites": forms.CheckboxSelectMultiple,
        }
        field_classes = {"budget": LooseDecimalField}

    def __init__(self, *args, plan, institutions, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        action = self.instance
        self.fields["objective"].queryset = plan.objectives.all()
        self.fields["objective"].empty_label = _("— sans objectif —")
        self.fields["lead_institution"].queryset = _with_current(
            institutions, action.lead_institution_id
        ).order_by("name")
        # The initial values hold the action's partners and sites (read once by the form).
        current_partners = [p.pk for p in self.initial.get("partners", [])]
        self.fields["partners"].queryset = _with_current(institutions, *current_partners).order_by(
            "name"
        )
        current_sites = [s.pk for s in self.initial.get("sites", [])]
        self.fields["sites"].queryset = _with_current(sites, *current_sites).order_by("name")


class IndicatorForm(VersionedFormMixin, LengthLimitsMixin, PlausibleDatesMixin, forms.ModelForm):
    """An indicator of a plan, attached to the plan itself or to one of its actions."""

    class Meta:
        model = Indicator
        fields = [
            "action",
            "name",
            "unit",
            "is_count",
            "direction",
            "frequency",
            "baseline_value",
            "baseline_on",
            "target_value",
            "target_on",
            "source",
            "commune",
            "site",
            "version",
        ]
        widgets = {"baseline_on": DateInput(), "target_on": DateInput()}
        field_classes = {"baseline_value": LooseDecimalField, "target_value": LooseDecimalField}

    def __init__(self, *args, plan, communes, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        indicator = self.instance
        self.fields["action"].queryset = plan.actions.order_by("title")
        self.fields["action"].empty_label = _("— le plan tout entier —")
        self.fields["commune"].queryset = _with_current(communes, indicator.commune_id).order_by(
            "name"
        )
        self.fields["site"].queryset = _with_current(sites, indicator.site_id).order_by("name")
        if indicator.ssmsi_indicator:
            del self.fields["frequency"]  # the SSMSI publishes yearly figures


# -- rows of the plan and action pages: objectives, milestones, funding lines ---------------


class RecordRowForm(LengthLimitsMixin, PlausibleDatesMixin, forms.Form):
    """A row standing for a record of the page's object (hidden `id`) or a new one. Emptying
    a recorded row's required fields removes the record (`cleaned_data["remove"]`); a row
    whose record is gone (removed by someone else) is written again as a new one."""

    id = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1
    )
    required_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        # A field refused (too long, a NUL) was typed, not emptied: the row is not removed.
        missing = [
            name
            for name in self.required_fields
            if name not in self.errors and cleaned.get(name) in (None, "")
        ]
        if cleaned.get("id") is not None and len(missing) == len(self.required_fields):
            cleaned["remove"] = True
            return cleaned
        for name in missing:
            if name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned


class ObjectiveForm(RecordRowForm):
    position = forms.IntegerField(
        label=_("Ordre"), required=False, min_value=1, max_value=999, widget=forms.NumberInput
    )
    title = forms.CharField(label=_("Objectif"), max_length=250, required=False)
    national_axis = forms.ChoiceField(
        label=_("Axe de la stratégie nationale"),
        choices=[("", _("— aucun —")), *Axis.choices],
        required=False,
    )
    required_fields = ("title",)


class MilestoneForm(RecordRowForm):
    title = forms.CharField(label=_("Étape"), max_length=250, required=False)
    target_on = forms.DateField(label=_("Date visée"), required=False, widget=DateInput())
    reached_on = forms.DateField(label=_("Atteinte le"), required=False, widget=DateInput())
    required_fields = ("title", "target_on")

    def clean_reached_on(self):
        reached_on = self.cleaned_data["reached_on"]
        if reached_on and reached_on > timezone.localdate():
            raise forms.ValidationError(_("Une étape n’est pas atteinte à une date à venir."))
        return reached_on


class FundingLineForm(RecordRowForm):
    source = forms.ChoiceField(
        label=_("Financeur"),
        choices=[("", "—"), *FundingLine.Source.choices],
        required=False,
    )
    year = forms.IntegerField(
        label=_("Année"), required=False, min_value=periods.MIN_YEAR, max_value=periods.MAX_YEAR
    )
    amount = LooseDecimalField(
        label=_("Montant (€)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    required_fields = ("source", "year", "amount")
