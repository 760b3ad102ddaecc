from django import forms
from django.utils.translation import gettext_lazy as _


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
