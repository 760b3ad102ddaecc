"""The meeting page's radio buttons, written in Python: the page has a row per expected member
and per commitment to follow up (40 and 60 for a large body), each with four or five radios,
and going through a template per radio took most of the page's time."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def radios(field, cell=False, spoken=""):
    """The DSFR radio group of each choice of a bound field, as Django's RadioSelect would
    name and number them (`id_<field>_<index>`), the chosen one checked; `cell`: each in a
    table cell; `spoken`: said before each label to screen readers (the member's name)."""
    chosen = field.value()
    chosen = "" if chosen is None else str(chosen)
    auto_id = field.auto_id
    prefix = format_html('<span class="fr-sr-only">{} : </span>', spoken) if spoken else ""
    rows = [
        (
            field.html_name,
            value,
            f"{auto_id}_{index}",
            " checked" if str(value) == chosen and chosen != "" else "",
            f"{auto_id}_{index}",
            prefix,
            label,
        )
        for index, (value, label) in enumerate(field.field.choices)
    ]
    radio = (
        '<div class="fr-radio-group"><input type="radio" name="{}" value="{}" id="{}"{}>'
        '<label class="fr-label" for="{}">{}{}</label></div>'
    )
    if cell:
        radio = f'<td class="registry-attendance__status">{radio}</td>'
    return format_html_join("", radio, rows)


@register.simple_tag
def hidden(field):
    """A row's hidden id (the member's seat, the commitment followed up)."""
    value = field.value()
    return format_html(
        '<input type="hidden" name="{}" value="{}" id="{}">',
        field.html_name,
        "" if value is None else value,
        field.auto_id,
    )


@register.simple_tag
def text_field(field):
    """A plain text input in the DSFR's markup, as partials/field.html writes it (label,
    input, error attached by `aria-describedby`), for the rows that repeat it."""
    value = field.value()
    error_id = f"{field.auto_id}-error"
    errors = field.errors
    return format_html(
        '<div class="fr-input-group{}"><label class="fr-label" for="{}">{}</label>'
        '<input type="text" name="{}" class="fr-input{}" id="{}" value="{}"{}>{}</div>',
        " fr-input-group--error" if errors else "",
        field.auto_id,
        field.label,
        field.html_name,
        " fr-input--error" if errors else "",
        field.auto_id,
        "" if value is None else value,
        format_html(' aria-describedby="{}"', error_id) if errors else "",
        format_html('<p class="fr-error-text" id="{}">{}</p>', error_id, " ".join(errors))
        if errors
        else "",
    )
