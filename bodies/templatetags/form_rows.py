"""Pieces of the registry's forms written in Python where a page repeats them: a formset's
management fields (Django renders them through its form templates, a few milliseconds
each, six times on the meeting page)."""

from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag
def management_fields(formset):
    """The formset's hidden management fields, as Django names them; a tampered management
    form keeps Django's own rendering, with its errors."""
    form = formset.management_form
    if form.is_bound and form.errors:
        return form.render()
    fields = []
    for name in form.fields:
        field = form[name]
        value = field.value()
        fields.append((field.html_name, "" if value is None else value, field.auto_id))
    return format_html_join("", '<input type="hidden" name="{}" value="{}" id="{}">', fields)
