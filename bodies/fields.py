"""Form pieces shared by the registry's own pages (meetings, plans, composition): choice
lists fetched once per page, date inputs and their plausible years, length limits said rather
than enforced silently by the browser, and the version field of optimistic locking with a
French message.

They live in `bodies`, the lowest app, because every app's pages use them.
"""

import functools

from concurrency.exceptions import VersionError
from concurrency.forms import get_signer
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .validators import is_whole_number, validate_plausible_date


class Choices:
    """Objects a row may point at, fetched once for the whole page. Their `<option>`s are
    written once too (`options_html`), however many rows offer them."""

    def __init__(self, objects, label=str):
        self.by_id = {obj.pk: obj for obj in objects}
        self.choices = [(obj.pk, label(obj)) for obj in self.by_id.values()]
        self._options = None

    def get(self, pk):
        """The object with this id; ValueError if it is not among the choices."""
        try:
            return self.by_id[int(pk)]
        except KeyError:
            raise ValueError(pk) from None

    def with_blank(self) -> list:
        return [("", "—"), *self.choices]

    def options_html(self) -> str:
        """Every option, none selected, the blank one first: written once per page."""
        if self._options is None:
            self._options = format_html('<option value="">{}</option>', "—") + format_html_join(
                "", '<option value="{}">{}</option>', self.choices
            )
        return self._options


class ChoicesSelect(forms.Select):
    """A `<select>` over `Choices`, its options written once for every row of the page
    rather than through a template per option per row (2,000 options made the meeting page
    spend most of its time there)."""

    def __init__(self, source: Choices, attrs=None):
        super().__init__(attrs)
        self.source = source

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        options = self.source.options_html()
        chosen = [v for v in self.format_value(value) if v != ""]
        if chosen:
            marker = format_html('<option value="{}">', chosen[0])
            options = options.replace(marker, marker[:-1] + " selected>", 1)
        else:
            options = options.replace('<option value="">', '<option value="" selected>', 1)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final), mark_safe(options)
        )


class ObjectChoiceField(forms.TypedChoiceField):
    """A choice among `Choices`: validating it runs no query, and neither building it nor
    validating it goes through the whole list (rows share the list and its options)."""

    def __init__(self, choices: Choices, **kwargs):
        kwargs.setdefault("required", True)
        kwargs.setdefault("widget", ChoicesSelect(choices))
        self.source = choices
        super().__init__(
            choices=choices.with_blank,  # a callable: not copied for each row
            coerce=choices.get,
            empty_value=None,
            **kwargs,
        )

    def valid_value(self, value):
        text = str(value)
        return text == "" or (is_whole_number(text) and int(text) in self.source.by_id)


def row_object(form, field_name, choices: Choices):
    """The object a row's hidden id stands for, submitted or initial, for display; None
    when the id is missing or not among the choices (the row then shows its error)."""
    value = (
        form.data.get(form.add_prefix(field_name))
        if form.is_bound
        else form.initial.get(field_name)
    )
    try:
        return choices.get(value)
    except (ValueError, TypeError):
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


@functools.cache
def length_hint(limit: int):
    """« 250 caractères au plus. », translated when shown. Made once per limit: each
    `ngettext_lazy` with a number builds a class, milliseconds that a page with many rows
    paid for every row."""
    return ngettext_lazy("%(limit)s caractère au plus.", "%(limit)s caractères au plus.", limit) % {
        "limit": limit
    }


def say_length_limits(form) -> None:
    """Every text field of `form` with a length limit says it next to the field, and the
    browser no longer enforces it: a `maxlength` attribute cuts pasted text without a word.
    The server refuses a longer text, with a French message, and gives it back whole."""
    for field in form.fields.values():
        limit = getattr(field, "max_length", None)
        if not isinstance(field, forms.CharField) or not limit:
            continue
        field.widget.attrs.pop("maxlength", None)
        hint = length_hint(limit)
        field.help_text = f"{field.help_text} {hint}" if field.help_text else hint


class PlausibleDatesMixin:
    """Every date field of the form within the years 1900 to 2100."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.validators.append(validate_plausible_date)


class LengthLimitsMixin:
    """`say_length_limits` on a form class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        say_length_limits(self)


TAMPERED_VERSION = _(
    "Ce formulaire porte un numéro de version illisible (il a été modifié hors de la page) : "
    "rien n’a été enregistré. Votre saisie est conservée ci-dessous ; vérifiez-la puis "
    "enregistrez à nouveau, ce qui remplacera la version actuelle."
)


class VersionedFormMixin:
    """Optimistic locking on a ModelForm whose model has a django-concurrency version field
    named `version`: a stale version makes `save()` raise `RecordModifiedError` (the page
    answers 409, input kept). A version that cannot be read — tampered with, which
    django-concurrency answers with an English 400 — is an error of the form, in French,
    with the input kept and the current version put in its place."""

    version_refused = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not (self.is_bound and "version" in self.fields):
            return
        name = self.add_prefix("version")
        try:
            if self.instance.pk and name not in self.data:
                raise VersionError  # the page always sends one (empty for a version 0)
            self.fields["version"].to_python(self.data.get(name, ""))
        except VersionError:
            self.data = self.data.copy()
            self.data[name] = get_signer().sign(self.instance.version) or ""
            # A record being created has no version anyone could have overtaken: the
            # unreadable one is simply set aside.
            self.version_refused = bool(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if self.version_refused:
            self.add_error(None, ValidationError(TAMPERED_VERSION, code="tampered_version"))
        return cleaned


def signed_version(value) -> str:
    """The version as the form posts it (signed; empty for a version 0)."""
    return get_signer().sign(value) or ""


def rows_formset(cls, prefix, data, initial=(), extra=0, added=0, **form_kwargs):
    """A page's formset of rows: shown (`data` None), the recorded rows from `initial` and
    `extra` blank ones; posted, the rows sent and `added` more (the « ajouter » buttons
    without JavaScript: nothing is saved)."""
    if data is None:
        formset = cls(prefix=prefix, initial=list(initial), form_kwargs=form_kwargs)
        formset.extra = len(initial) + extra
        return formset
    if added:
        data = data.copy()
        total = f"{prefix}-TOTAL_FORMS"
        try:
            count = int(data.get(total, 0) or 0)
        except ValueError:
            count = 0  # a tampered management form: the formset reports it
        data[total] = str(count + added)
    return cls(data, prefix=prefix, form_kwargs=form_kwargs)
