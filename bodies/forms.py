"""The forms of a body's « Composition » page: add a seat, replace a representative, end a
seat. People are found by a search (never a list of thousands) among those the user may seat
in the body (`access.pickable_people`), or created on the spot."""

from django import forms
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .fields import DateInput, LengthLimitsMixin, PlausibleDatesMixin
from .models import Membership, Person, today
from .validators import is_whole_number

MAX_RESULTS = 20  # people shown for one search: more asks for a longer search
MIN_SEARCH = 2  # characters before searching


def person_label(person) -> str:
    return f"{person.last_name.upper()} {person.first_name}"


class PersonPicker(LengthLimitsMixin, forms.Form):
    """One person: found by a search (`q`) and chosen among the results (`choice`: an id),
    created from the names typed (`choice` = "new"), or none when the picker is optional
    (a substitute). `candidates` is the queryset the person is taken from."""

    NEW = "new"

    q = forms.CharField(label=_("Rechercher par nom"), required=False, max_length=100)
    choice = forms.CharField(required=False)
    first_name = forms.CharField(label=_("Prénom"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Nom"), required=False, max_length=100)
    email = forms.EmailField(label=_("Courriel (facultatif)"), required=False)
    phone = forms.CharField(label=_("Téléphone (facultatif)"), required=False, max_length=30)
    public_name_consent = forms.BooleanField(
        label=_("Accepte que son nom soit public"),
        required=False,
        help_text=_("Sans ce consentement, seul le nom d’un président élu est rendu public."),
    )

    def __init__(self, *args, candidates, legend, optional=False, query=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.legend = legend
        self.optional = optional
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})
        self.fields["q"].help_text = ""  # a search, not a text to keep
        if query is None:
            query = self.data.get(self.add_prefix("q"), "") if self.is_bound else ""
        self.query = str(query).strip()[:100]
        self.results, self.more = self._search()

    def _search(self) -> tuple[list, bool]:
        """People matching every word typed (names or e-mail), the chosen one first. One
        query, none without a search nor a choice."""
        words = self.query.split()
        chosen = self.chosen_id
        if len(self.query) < MIN_SEARCH and chosen is None:
            return [], False
        found = self.candidates.none()
        if len(self.query) >= MIN_SEARCH:
            found = self.candidates
            for word in words:
                found = found.filter(
                    Q(last_name__icontains=word)
                    | Q(first_name__icontains=word)
                    | Q(email__icontains=word)
                )
        if chosen is not None:
            found = self.candidates.filter(Q(pk__in=found.values("pk")) | Q(pk=chosen))
        people = list(found.order_by("last_name", "first_name", "pk")[: MAX_RESULTS + 1])
        people.sort(key=lambda p: p.pk != chosen)
        return people[:MAX_RESULTS], len(people) > MAX_RESULTS

    @property
    def chosen_id(self) -> int | None:
        value = self.current_choice
        return int(value) if is_whole_number(value) else None

    @property
    def current_choice(self) -> str:
        """The choice as the page shows it: an id, "new", or "" (none yet, or none)."""
        if self.is_bound:
            return str(self.data.get(self.add_prefix("choice"), ""))
        return str(self.initial.get("choice", "") or "")

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("choice", "")
        if choice == self.NEW:
            for name in ("first_name", "last_name"):
                if not cleaned.get(name, "").strip():
                    self.add_error(name, self.fields[name].error_messages["required"])
            cleaned["person"] = None
        elif choice == "":
            if not self.optional:
                self.add_error(
                    "q",
                    _("Choisissez une personne parmi les résultats, ou créez-la."),
                )
            cleaned["person"] = None
        else:
            person = (
                self.candidates.filter(pk=int(choice)).first() if is_whole_number(choice) else None
            )
            if person is None:
                self.add_error(
                    "q", _("Cette personne n’est pas parmi celles que vous pouvez désigner.")
                )
            cleaned["person"] = person
        return cleaned

    def person(self, user) -> Person | None:
        """The chosen person, or the one created from the names typed (its history records
        `user` as its author, which lets a coordinator see the person it created)."""
        if self.cleaned_data.get("choice") != self.NEW:
            return self.cleaned_data.get("person")
        created = Person(
            first_name=self.cleaned_data["first_name"].strip(),
            last_name=self.cleaned_data["last_name"].strip(),
            email=self.cleaned_data["email"],
            phone=self.cleaned_data["phone"].strip(),
            public_name_consent=self.cleaned_data["public_name_consent"],
        )
        created._history_user = user
        created.save()
        return created


class SeatForm(PlausibleDatesMixin, forms.Form):
    """A new seat: institution, role, start; the person and substitute are pickers."""

    institution = forms.ModelChoiceField(label=_("Institution représentée"), queryset=None)
    role = forms.ChoiceField(
        label=_("Rôle"), choices=Membership.Role.choices, initial=Membership.Role.APPOINTED
    )
    started_on = forms.DateField(label=_("Début du mandat"), widget=DateInput())

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.initial.setdefault("started_on", today())


class ReplacementForm(PlausibleDatesMixin, forms.Form):
    """The day the successor takes the seat; the outgoing representative's seat ends the
    day before."""

    on = forms.DateField(
        label=_("Date du remplacement"),
        help_text=_("Premier jour du successeur ; le mandat actuel prend fin la veille."),
        widget=DateInput(),
    )

    def __init__(self, *args, seat, **kwargs):
        super().__init__(*args, **kwargs)
        self.seat = seat
        self.initial.setdefault("on", today())

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on <= self.seat.started_on:
            raise forms.ValidationError(
                _("Le remplacement suit le début du mandat actuel (%(date)s).")
                % {"date": formats.date_format(self.seat.started_on, "SHORT_DATE_FORMAT")}
            )
        return on


class EndForm(PlausibleDatesMixin, forms.Form):
    ended_on = forms.DateField(
        label=_("Dernier jour du mandat"),
        widget=DateInput(),
        help_text=_("Le mandat reste visible dans l’historique de l’instance."),
    )

    def __init__(self, *args, seat, **kwargs):
        super().__init__(*args, **kwargs)
        self.seat = seat
        self.initial.setdefault("ended_on", today())

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on < self.seat.started_on:
            raise forms.ValidationError(_("La fin du mandat ne peut précéder son début."))
        return ended_on
