"""The commitments list's filters (django-filter), in the query string: the dashboards and
the body page link to it with the filters of the figure they show."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bodies.models import Body, Department, Institution, today

from .models import Commitment


class State:
    """A commitment's state as the registry's users say it: overdue is open and past due."""

    OPEN, OVERDUE, DONE, DROPPED = "open", "overdue", "done", "dropped"
    CHOICES = [
        (OPEN, _("En cours (retards compris)")),
        (OVERDUE, _("En retard")),
        (DONE, _("Tenus")),
        (DROPPED, _("Abandonnés")),
    ]


def state_q(state: str, on: datetime.date) -> Q:
    return {
        State.OPEN: Q(status=Commitment.Status.OPEN),
        State.OVERDUE: Q(status=Commitment.Status.OPEN, due_on__lt=on),
        State.DONE: Q(status=Commitment.Status.DONE),
        State.DROPPED: Q(status=Commitment.Status.DROPPED),
    }[state]


DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommitmentFilter(django_filters.FilterSet):
    # `body` and `institution` come from links (dashboards, body pages) as ids: thousands of
    # them would make a useless select. The page shows the chosen ones, with a way back.
    body = django_filters.ModelChoiceFilter(queryset=Body.objects.all(), widget=forms.HiddenInput)
    institution = django_filters.ModelChoiceFilter(
        field_name="owner_institution",
        queryset=Institution.objects.all(),
        widget=forms.HiddenInput,
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Département"),
        field_name="body__department",
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("Tous les départements"),
    )
    state = django_filters.ChoiceFilter(
        label=_("État"), choices=State.CHOICES, method="in_state", empty_label=_("Tous")
    )
    due_after = django_filters.DateFilter(
        label=_("Échéance à partir du"), field_name="due_on", lookup_expr="gte", widget=DAY
    )
    due_before = django_filters.DateFilter(
        label=_("Échéance jusqu’au"), field_name="due_on", lookup_expr="lte", widget=DAY
    )

    class Meta:
        model = Commitment
        fields = ["body", "institution", "department", "state", "due_after", "due_before"]

    def in_state(self, queryset, name, value):
        return queryset.filter(state_q(value, today()))
