"""Administration of the registry's reference data, scoped by `bodies.access` through the
shared base of `bodies.scoped_admin` (roles, not Django's per-model permissions).

Changelists and change forms keep a bounded number of queries whatever the table size
(asserted in tests/bodies/test_admin.py): related columns through `list_select_related`,
territories and people through autocompletes (35,000 communes never render as one select).
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from . import access as policy
from .models import (
    Body,
    Commune,
    Confidentiality,
    Department,
    Epci,
    Institution,
    Membership,
    Person,
    Region,
    RoleAssignment,
    Site,
    today,
)
from .resources import (
    BodyResource,
    InstitutionResource,
    MembershipResource,
    PersonResource,
    SiteResource,
)
from .scoped_admin import (
    AdministratorsOnlyAdmin,
    AuditedAdmin,
    ImportExportAdmin,
    ScopedAdmin,
    ScopedChoices,
    administrators_only,
)

# -- territories: public reference data, loaded by command, changed by administrators only --


class TerritoryAdmin(ScopedAdmin):
    """Every staff user reads territories; only administrators change them."""


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
class RegionAdmin(TerritoryAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(TerritoryAdmin):
    list_display = ["code", "name", "region"]
    list_select_related = ["region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(Epci)
class EpciAdmin(TerritoryAdmin):
    list_display = ["name", "siren", "kind", "department"]
    list_select_related = ["department"]
    list_filter = ["kind", "department"]
    search_fields = ["name", "siren"]
    autocomplete_fields = ["department"]


@admin.register(Commune)
class CommuneAdmin(TerritoryAdmin):
    list_display = ["name", "insee_code", "population", "department", "epci"]
    list_select_related = ["department", "epci"]
    list_filter = ["department"]
    search_fields = ["name", "=insee_code"]
    autocomplete_fields = ["department", "epci"]
    show_full_result_count = False


# -- institutions, people, sites -----------------------------------------------------------


@admin.register(Institution)
class InstitutionAdmin(ImportExportAdmin, AuditedAdmin):
    resource_classes = [InstitutionResource]

    list_display = ["name", "category", "department", "commune"]
    list_select_related = ["department", "commune"]
    list_filter = ["category", "department"]
    search_fields = ["name", "=siren"]
    autocomplete_fields = ["department", "commune"]
    field_choices = {"department": policy.scoped_departments, "commune": policy.department_communes}

    def visible(self, access, qs):
        return policy.visible_institutions(access, qs)

    def editable(self, access, qs):
        return policy.editable_institutions(access, qs)

    def changing_roles(self, access):
        return policy.edits_reference_data(access)

    may_add = changing_roles


@admin.register(Person)
class PersonAdmin(ImportExportAdmin, AuditedAdmin):
    resource_classes = [PersonResource]

    list_display = ["last_name", "first_name", "email", "current_memberships"]
    search_fields = ["last_name", "first_name", "email"]
    exclude_for_non_admin = ["user"]

    def visible(self, access, qs):
        return policy.visible_people(access, qs)

    editable = visible

    def deletable(self, access, qs):
        return administrators_only(access, qs)

    def changing_roles(self, access):
        return policy.uses_administration(access)

    may_add = changing_roles

    def deleting_roles(self, access):
        return policy.is_administrator(access)

    def history_readable(self, request, obj):
        # The history shows the linked user account, which only administrators manage.
        return policy.is_administrator(self.access(request))

    def get_exclude(self, request, obj=None):
        # Linking a person to a user account grants member access: administrators only.
        return None if policy.is_administrator(self.access(request)) else self.exclude_for_non_admin

    def get_queryset(self, request):
        on = today()
        current = Q(memberships__started_on__lte=on) & (
            Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=on)
        )
        return (
            super()
            .get_queryset(request)
            .annotate(current_membership_count=Count("memberships", filter=current))
            # An aggregate drops the default ordering; pagination needs one.
            .order_by("last_name", "first_name", "pk")
        )

    @admin.display(description=_("mandats en cours"))
    def current_memberships(self, person):
        return person.current_membership_count


@admin.register(Site)
class SiteAdmin(ImportExportAdmin, AuditedAdmin):
    resource_classes = [SiteResource]

    list_display = ["name", "kind", "qpv_code", "department", "designated_on"]
    list_select_related = ["department"]
    list_filter = ["kind", "department"]
    search_fields = ["name", "=qpv_code"]
    autocomplete_fields = ["department", "communes"]
    field_choices = {
        "department": policy.scoped_departments,
        "communes": policy.department_communes,
    }

    def visible(self, access, qs):
        return policy.editable_sites(access, qs)

    editable = visible

    def changing_roles(self, access):
        return policy.edits_reference_data(access)

    may_add = viewing_roles = changing_roles


# -- bodies and memberships ----------------------------------------------------------------


MEMBERSHIP_CHOICES = {
    "body": policy.administered_bodies,
    "person": policy.seatable_people,
    "substitute": policy.seatable_people,
    "institution": policy.visible_institutions,
}


class MembershipFormSet(BaseInlineFormSet):
    """The rows of one body's form checked against each other (each row's own validation
    only sees the rows already saved, and none while the body is new)."""

    def clean(self):
        super().clean()
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            instance = form.instance
            person_id = data["person"].pk if data.get("person") else instance.person_id
            if person_id is None or not data.get("started_on"):
                continue
            rows.append(
                (
                    person_id,
                    data.get("role", instance.role),
                    data["started_on"],
                    data.get("ended_on"),
                    data.get("institution") or instance.institution,
                )
            )
        open_chairs = [r for r in rows if r[1] == Membership.Role.CHAIR and r[3] is None]
        if len(open_chairs) > 1:
            raise ValidationError(_("Deux présidents en exercice : terminez d’abord un mandat."))
        for i, (person, _role, start, end, _institution) in enumerate(rows):
            for other, _r, other_start, other_end, _i in rows[i + 1 :]:
                if (
                    person == other
                    and (end is None or end >= other_start)
                    and (other_end is None or other_end >= start)
                ):
                    raise ValidationError(
                        _("La même personne figure deux fois sur une même période.")
                    )
        expected = Body.CHAIR_CATEGORIES.get(self.instance.type)
        for _p, role, _s, _e, institution in rows:
            if (
                expected
                and role == Membership.Role.CHAIR
                and institution
                and (institution.category not in expected)
            ):
                raise ValidationError(
                    _("Un %(type)s est présidé par : %(expected)s.")
                    % {
                        "type": self.instance.get_type_display(),
                        "expected": ", ".join(
                            str(Institution.Category(c).label) for c in sorted(expected)
                        ),
                    }
                )


class MembershipInline(ScopedChoices, admin.TabularInline):
    """A body's memberships, on the body's form."""

    model = Membership
    fields = ["person", "institution", "role", "started_on", "ended_on", "substitute"]
    formset = MembershipFormSet
    field_choices = MEMBERSHIP_CHOICES

    def access(self, request):
        return policy.access_for(request.user)


class CurrentMembershipInline(MembershipInline):
    """Existing memberships: who sat is history, so person and institution are read-only;
    a change of person is recorded by ending the membership and adding a new one."""

    extra = 0
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

    def has_change_permission(self, request, obj=None):
        access = self.access(request)
        return policy.is_administrator(access) or (
            obj is not None and policy.can_edit_body(access, obj)
        )

    has_delete_permission = has_change_permission

    def has_view_permission(self, request, obj=None):
        return policy.uses_administration(self.access(request))


class NewMembershipInline(MembershipInline):
    extra = 1
    autocomplete_fields = ["person", "institution", "substitute"]
    verbose_name = _("nouveau membre")
    verbose_name_plural = _("ajouter des membres")

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj):
        return policy.edits_reference_data(self.access(request))

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


@admin.register(Body)
class BodyAdmin(ImportExportAdmin, AuditedAdmin):
    resource_classes = [BodyResource]

    # The status and the last meeting read meetings: partnerships/admin.py adds them.
    list_display = ["name", "type", "department", "territory_name", "created_on"]
    list_select_related = ["department", "commune", "epci"]
    list_filter = ["type", "department"]
    search_fields = ["name", "other_names", "commune__name", "=commune__insee_code", "epci__name"]
    autocomplete_fields = ["department", "commune", "epci", "parent", "sites"]
    inlines = [CurrentMembershipInline, NewMembershipInline]
    fieldsets = [
        (None, {"fields": ["type", "name", "other_names"]}),
        (_("Territoire"), {"fields": ["commune", "epci", "department", "parent", "sites"]}),
        (_("Dates"), {"fields": ["created_on", "dissolved_on", "planned_end_on"]}),
        (_("GLTD"), {"fields": ["problem_statement", "problem_confidentiality"]}),
    ]
    field_choices = {
        "department": policy.scoped_departments,
        "commune": policy.department_communes,
        "epci": policy.department_epcis,
        "parent": policy.editable_bodies,
        "sites": policy.editable_sites,
    }

    def visible(self, access, qs):
        return policy.administered_bodies(access, qs)

    def view_on_site_queryset(self, request):
        # Every body has a public page: its existence is no secret.
        return policy.visible_bodies(self.access(request))

    def editable(self, access, qs):
        return policy.editable_bodies(access, qs)

    def deletable(self, access, qs):
        # Dissolve a body rather than delete it: its history is the registry's point.
        return administrators_only(access, qs)

    def changing_roles(self, access):
        return policy.edits_reference_data(access)

    may_add = changing_roles

    def deleting_roles(self, access):
        return policy.is_administrator(access)

    PROBLEM_FIELDS = ("problem_statement", "problem_confidentiality")

    def get_fieldsets(self, request, obj=None):
        """A problem statement the user may not read is neither shown nor editable, and nor
        is its level: lowering it would publish what the user cannot see."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or policy.can_read_problem_statement(self.access(request), obj):
            return fieldsets
        return [
            (
                title,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in self.PROBLEM_FIELDS],
                },
            )
            for title, options in fieldsets
        ]

    def history_readable(self, request, obj):
        """Every version's problem statement must be readable, not only the current one."""
        access = self.access(request)
        unreadable = [
            level
            for level in Confidentiality.values
            if not policy.can_read_body_text(access, obj, level)
        ]
        return (
            not obj.history.filter(problem_confidentiality__in=unreadable)
            .exclude(problem_statement="")
            .exists()
        )

    @admin.display(description=_("territoire"))
    def territory_name(self, body):
        return body.territory.name


@admin.register(Membership)
class MembershipAdmin(ImportExportAdmin, AuditedAdmin):
    """Prefecture staff edit the memberships of their départements' bodies, coordinators
    those of their bodies — one by one, or by importing a spreadsheet (preview first, then
    all or nothing) within the same scope."""

    resource_classes = [MembershipResource]

    list_display = ["person", "role", "body", "institution", "started_on", "ended_on"]
    list_select_related = ["person", "body", "institution"]
    list_filter = ["role", CurrentFilter, "body__type", "body__department"]
    search_fields = ["person__last_name", "person__first_name", "body__name", "institution__name"]
    autocomplete_fields = ["person", "body", "institution", "substitute"]
    # No date navigation: it reads every row's date on each page (large tables at national
    # scale); the filters and the search narrow the list instead.
    field_choices = MEMBERSHIP_CHOICES

    def visible(self, access, qs):
        return policy.editable_memberships(access, qs)

    editable = visible

    def changing_roles(self, access):
        return policy.uses_administration(access)

    may_add = changing_roles


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AdministratorsOnlyAdmin):
    list_display = ["user", "role", "department", "body", "started_on", "ended_on"]
    list_select_related = ["user", "department", "body"]
    list_filter = ["role", "department"]
    search_fields = ["user__username", "user__last_name", "body__name"]
    autocomplete_fields = ["user", "department", "body"]
