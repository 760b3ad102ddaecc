"""The directory's filters (django-filter), in the query string so that a URL can be shared.

`status` and the `-last_held_on` sort read the annotations of `BodyQuerySet.with_status`:
give the FilterSet a queryset that has them (`meetings.activity.bodies_with_status`). The
same FilterSet serves the page and, later, its CSV download.
"""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .models import Body, Commune, Department
from .validators import validate_insee_code

# `o`: the sort the page offers → the columns it sorts by (ties broken by name, then id).
SORTS = {
    "": ("department__code", "type", "name"),
    "name": ("name",),
    "-last_held_on": (F("last_held_on").desc(nulls_last=True), "name"),
    "department": ("department__code", "name"),
}


class BodyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="search",
        help_text=_("Nom, autre dénomination, commune ou EPCI"),
        max_length=200,
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Département"),
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("Tous les départements"),
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=Body.Type.choices, empty_label=_("Tous les types")
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=Body.Status.choices, empty_label=_("Tous les statuts")
    )
    commune = django_filters.CharFilter(
        label=_("Commune (code INSEE)"),
        method="covering_commune",
        help_text=_("Cinq caractères, par exemple 38185 pour Grenoble"),
        validators=[validate_insee_code],
    )
    o = django_filters.ChoiceFilter(
        label=_("Trier par"),
        method="sort",
        choices=[
            ("name", _("Nom")),
            ("-last_held_on", _("Dernière réunion, la plus récente d’abord")),
            ("department", _("Département")),
        ],
        empty_label=_("Département, type et nom"),
    )

    class Meta:
        model = Body
        fields = ["q", "department", "type", "status", "commune", "o"]

    def search(self, queryset, name, value):
        return queryset.matching(value)

    def covering_commune(self, queryset, name, value):
        """Bodies whose territory holds the commune: its own (CLSPD, GLTD, working groups),
        its EPCI's (CISPD) and its département's (CDPD, CODAF, CDPR)."""
        commune = Commune.objects.filter(insee_code=value)
        return queryset.filter(
            Q(commune__insee_code=value)
            | Q(epci__in=commune.values("epci"))
            | Q(type__in=Body.DEPARTMENT_TYPES, department__in=commune.values("department"))
        )

    def sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])

    def filter_queryset(self, queryset):
        # The default order, unless the reader chose one (`sort` then replaces it).
        return super().filter_queryset(queryset.order_by(*SORTS[""]))
