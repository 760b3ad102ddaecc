"""Administration of the registry's reference data.

Changelists and change forms keep a bounded number of queries whatever the table size
(asserted in tests/bodies/test_admin.py): related columns through `list_select_related`,
territories and people through autocompletes (35,000 communes never render as one select).
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Body,
    Commune,
    Department,
    Epci,
    Institution,
    Membership,
    Person,
    Region,
    Site,
    today,
)


class StatusFilter(admin.SimpleListFilter):
    title = _("statut")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Body.Status.choices

    def queryset(self, request, queryset):
        if self.value() == Body.Status.ACTIVE:
            return queryset.active()
        if self.value() == Body.Status.DISSOLVED:
            return queryset.dissolved()
        return queryset


class CurrentFilter(admin.SimpleListFilter):
    title = _("mandat")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("En cours")), ("no", _("Terminé"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.current()
        if self.value() == "no":
            return queryset.ended()
        return queryset


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_select_related = ["region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["name", "siren", "kind", "department"]
    list_select_related = ["department"]
    list_filter = ["kind", "department"]
    search_fields = ["name", "siren"]
    autocomplete_fields = ["department"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "population", "department", "epci"]
    list_select_related = ["department", "epci"]
    list_filter = ["department"]
    search_fields = ["name", "=insee_code"]
    autocomplete_fields = ["department", "epci"]
    show_full_result_count = False


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "department", "commune"]
    list_select_related = ["department", "commune"]
    list_filter = ["category", "department"]
    search_fields = ["name", "=siren"]
    autocomplete_fields = ["department", "commune"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "email", "current_memberships"]
    search_fields = ["last_name", "first_name", "email"]

    def get_queryset(self, request):
        on = today()
        current = Q(memberships__started_on__lte=on) & (
            Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=on)
        )
        return (
            super()
            .get_queryset(request)
            .annotate(current_membership_count=Count("memberships", filter=current))
        )

    @admin.display(description=_("mandats en cours"))
    def current_memberships(self, person):
        return person.current_membership_count


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "qpv_code", "department", "designated_on"]
    list_select_related = ["department"]
    list_filter = ["kind", "department"]
    search_fields = ["name", "=qpv_code"]
    autocomplete_fields = ["department", "communes"]


class CurrentMembershipInline(admin.TabularInline):
    """Existing memberships: who sat is history, so person and institution are read-only;
    a change of person is recorded by ending the membership and adding a new one."""

    model = Membership
    extra = 0
    fields = ["person", "institution", "role", "started_on", "ended_on", "substitute"]
    readonly_fields = ["person", "institution", "substitute"]
    verbose_name = _("membre enregistré")
    verbose_name_plural = _("membres enregistrés (mettre fin à un mandat : saisir sa fin)")
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("person", "institution", "substitute", "body")
            .order_by("ended_on", "role", "person__last_name")
        )

    def has_add_permission(self, request, obj):
        return False


class NewMembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    fields = ["person", "institution", "role", "started_on", "ended_on", "substitute"]
    autocomplete_fields = ["person", "institution", "substitute"]
    verbose_name = _("nouveau membre")
    verbose_name_plural = _("ajouter des membres")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


@admin.register(Body)
class BodyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "type", "department", "territory_name", "created_on", "status_label"]
    list_select_related = ["department", "commune", "epci"]
    list_filter = ["type", StatusFilter, "department"]
    search_fields = ["name", "other_names", "commune__name", "=commune__insee_code", "epci__name"]
    autocomplete_fields = ["department", "commune", "epci", "parent", "sites"]
    inlines = [CurrentMembershipInline, NewMembershipInline]
    fieldsets = [
        (None, {"fields": ["type", "name", "other_names"]}),
        (_("Territoire"), {"fields": ["commune", "epci", "department", "parent", "sites"]}),
        (_("Dates"), {"fields": ["created_on", "dissolved_on", "planned_end_on"]}),
        (_("GLTD"), {"fields": ["problem_statement"]}),
    ]

    @admin.display(description=_("territoire"))
    def territory_name(self, body):
        return body.territory.name

    @admin.display(description=_("statut"))
    def status_label(self, body):
        return body.get_status_display()


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "role", "body", "institution", "started_on", "ended_on"]
    list_select_related = ["person", "body", "institution"]
    list_filter = ["role", CurrentFilter, "body__type", "body__department"]
    search_fields = ["person__last_name", "person__first_name", "body__name", "institution__name"]
    autocomplete_fields = ["person", "body", "institution", "substitute"]
    date_hierarchy = "started_on"
