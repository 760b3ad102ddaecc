"""Administration of the registry's reference data, scoped by `bodies.access`.

Permissions come from roles (superuser, prefecture staff, coordinator), not from Django's
per-model permissions: each admin says which rows a user may see, change, add and delete,
and which choices each foreign key offers — the same choices the autocompletes return and the
forms validate against. Out-of-scope objects answer 404; in-scope writes a role does not allow
answer 403.

Changelists and change forms keep a bounded number of queries whatever the table size
(asserted in tests/bodies/test_admin.py): related columns through `list_select_related`,
territories and people through autocompletes (35,000 communes never render as one select).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

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
from .resources import MembershipResource


class ScopedChoices:
    """Foreign-key and many-to-many choices limited by role: `field_choices` maps a field
    name to a function(access) -> queryset. Administrators choose from everything."""

    field_choices: dict = {}

    def choices_for(self, request, field_name):
        access = policy.access_for(request.user)
        if access.is_admin or field_name not in self.field_choices:
            return None
        return self.field_choices[field_name](access)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.choices_for(request, db_field.name)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = self.choices_for(request, db_field.name)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(ScopedChoices, admin.ModelAdmin):
    """Base for every admin of the registry.

    Subclasses define `visible(access, qs)` (rows the user may open), `editable(access, qs)`
    (rows the user may change), `deletable(access, qs)`, `changing_roles(access)` (whether
    the role changes anything of this model: no query), `may_add(access)`,
    `deleting_roles(access)`, and `field_choices`.
    """

    # -- policy, overridden per model --------------------------------------------------

    def visible(self, access, qs):
        return qs if access.is_staff else qs.none()

    def editable(self, access, qs):
        return qs if access.is_admin else qs.none()

    def may_add(self, access):
        return access.is_admin

    def deletable(self, access, qs):
        return self.editable(access, qs)

    # -- Django admin hooks ------------------------------------------------------------

    def access(self, request):
        return policy.access_for(request.user)

    def get_queryset(self, request):
        return self.visible(self.access(request), super().get_queryset(request))

    def _allowed(self, request, rule, obj) -> bool:
        """`rule` applied to `obj` (one query, memoised for the request)."""
        access = self.access(request)
        if access.is_admin:
            return True
        memo = request.__dict__.setdefault("_registry_allowed", {})
        key = (self.model, rule.__name__, obj.pk)
        if key not in memo:
            memo[key] = rule(access, self.model._default_manager.filter(pk=obj.pk)).exists()
        return memo[key]

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def viewing_roles(self, access) -> bool:
        """Whether the role opens this model's list at all (no query)."""
        return access.is_staff

    def has_view_permission(self, request, obj=None):
        access = self.access(request)
        if not self.viewing_roles(access):
            return False
        return obj is None or self._allowed(request, self.visible, obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.changing_roles(self.access(request))
        return self._allowed(request, self.editable, obj)

    def changing_roles(self, access) -> bool:
        return access.is_admin

    def has_add_permission(self, request):
        return self.may_add(self.access(request))

    def has_delete_permission(self, request, obj=None):
        access = self.access(request)
        if obj is None:
            return access.is_admin or self.deleting_roles(access)
        return self._allowed(request, self.deletable, obj)

    def deleting_roles(self, access) -> bool:
        return self.changing_roles(access)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A conflict that only the database sees (two rows of one form breaking a unique
        rule together) comes back as a message, never as a server error; the admin's own
        transaction has rolled everything back."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            messages.error(
                request,
                _(
                    "Rien n’a été enregistré : les lignes saisies se contredisent (par "
                    "exemple deux présidents en exercice, ou la même personne deux fois). "
                    "Corrigez et recommencez."
                ),
            )
            return HttpResponseRedirect(request.get_full_path())

    def get_object(self, request, object_id, from_field=None):
        # Out of scope and nonexistent look the same, and answer before any permission
        # check could tell them apart: 404 (Django would redirect with a message).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def lookup_allowed(self, lookup, value, request=None):
        """Only the declared filters, for everyone but administrators: a free lookup such as
        `?problem_statement__icontains=…` would let a reader test hidden text."""
        if request is not None and self.access(request).is_admin:
            return super().lookup_allowed(lookup, value, request)
        declared = [f for f in self.list_filter if isinstance(f, str)]
        if self.date_hierarchy:
            declared.append(self.date_hierarchy)
        if not any(lookup == name or lookup.startswith(f"{name}__") for name in declared):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        """Autocompletes return what the asking form accepts, not the whole table."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = autocomplete_source(self.admin_site, request)
        if source is not None:
            source_admin, field_name = source
            choices = source_admin.choices_for(request, field_name)
            if choices is not None:
                queryset = queryset.filter(pk__in=choices.values("pk"))
        return queryset, may_have_duplicates


class AuditedAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """A scoped admin over a model with django-simple-history records: its history is read by
    administrators and by prefecture staff in scope, and never reverted from the admin."""

    def _check_history_scope(self, request, object_id, version_id=None):
        """404 for a malformed id (rather than a crash) and for an object out of scope."""
        try:
            object_id = self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                int(version_id)
        except (ValidationError, ValueError, TypeError):
            raise Http404 from None
        if not self.access(request).is_admin and not (
            self.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404

    def history_readable(self, request, obj) -> bool:
        """Whether every field shown in the history may be read (see BodyAdmin)."""
        return True

    def history_view(self, request, object_id, extra_context=None):
        self._check_history_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POST here (a revert) whatever the permissions say: history
        # is read-only in the registry.
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        self._check_history_scope(request, object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_view_history_or_change_history_permission(self, request, obj=None):
        access = self.access(request)
        if access.is_admin:
            return True
        return (
            bool(access.departments)
            and self.has_view_permission(request, obj)
            and (obj is None or self.history_readable(request, obj))
        )

    has_view_history_permission = has_view_history_or_change_history_permission

    def has_change_history_permission(self, request, obj=None):
        return False  # history is read-only: reverting would bypass validation


def autocomplete_source(site, request):
    """(admin of the form asking, field name) for an autocomplete request, else None."""
    if request.resolver_match is None or request.resolver_match.url_name != "autocomplete":
        return None
    try:
        from django.apps import apps

        model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
    except (KeyError, LookupError):
        return None
    source_admin = site._registry.get(model)
    if not isinstance(source_admin, ScopedAdmin):
        return None
    return source_admin, request.GET.get("field_name", "")


# -- territories: public reference data, loaded by command, changed by administrators only --


class TerritoryAdmin(ScopedAdmin):
    """Every staff user reads territories; only administrators change them."""


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


def departments_in_scope(access):
    return Department.objects.filter(pk__in=access.departments)


def communes_in_scope(access):
    return Commune.objects.filter(department_id__in=access.departments)


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    list_display = ["name", "category", "department", "commune"]
    list_select_related = ["department", "commune"]
    list_filter = ["category", "department"]
    search_fields = ["name", "=siren"]
    autocomplete_fields = ["department", "commune"]
    field_choices = {"department": departments_in_scope, "commune": communes_in_scope}

    def visible(self, access, qs):
        return policy.visible_institutions(access, qs)

    def editable(self, access, qs):
        return policy.editable_institutions(access, qs)

    def changing_roles(self, access):
        return access.is_admin or bool(access.departments)

    may_add = changing_roles


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["last_name", "first_name", "email", "current_memberships"]
    search_fields = ["last_name", "first_name", "email"]
    exclude_for_non_admin = ["user"]

    def visible(self, access, qs):
        return policy.visible_people(access, qs)

    editable = visible

    def deletable(self, access, qs):
        return qs if access.is_admin else qs.none()

    def changing_roles(self, access):
        return access.is_staff

    may_add = changing_roles

    def deleting_roles(self, access):
        return access.is_admin

    def history_readable(self, request, obj):
        # The history shows the linked user account, which only administrators manage.
        return self.access(request).is_admin

    def get_exclude(self, request, obj=None):
        # Linking a person to a user account grants member access: administrators only.
        return None if self.access(request).is_admin else self.exclude_for_non_admin

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
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "kind", "qpv_code", "department", "designated_on"]
    list_select_related = ["department"]
    list_filter = ["kind", "department"]
    search_fields = ["name", "=qpv_code"]
    autocomplete_fields = ["department", "communes"]
    field_choices = {"department": departments_in_scope, "communes": communes_in_scope}

    def visible(self, access, qs):
        return policy.editable_sites(access, qs)

    editable = visible

    def changing_roles(self, access):
        return access.is_admin or bool(access.departments)

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


class CurrentMembershipInline(ScopedChoices, admin.TabularInline):
    """Existing memberships: who sat is history, so person and institution are read-only;
    a change of person is recorded by ending the membership and adding a new one."""

    model = Membership
    extra = 0
    fields = ["person", "institution", "role", "started_on", "ended_on", "substitute"]
    readonly_fields = ["person", "institution", "substitute"]
    verbose_name = _("membre enregistré")
    verbose_name_plural = _("membres enregistrés (mettre fin à un mandat : saisir sa fin)")
    show_change_link = True
    formset = MembershipFormSet
    field_choices = MEMBERSHIP_CHOICES

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
        access = policy.access_for(request.user)
        return access.is_admin or (obj is not None and obj.department_id in access.departments)

    has_delete_permission = has_change_permission

    def has_view_permission(self, request, obj=None):
        return policy.access_for(request.user).is_staff


class NewMembershipInline(ScopedChoices, admin.TabularInline):
    model = Membership
    extra = 1
    fields = ["person", "institution", "role", "started_on", "ended_on", "substitute"]
    autocomplete_fields = ["person", "institution", "substitute"]
    verbose_name = _("nouveau membre")
    verbose_name_plural = _("ajouter des membres")
    formset = MembershipFormSet
    field_choices = MEMBERSHIP_CHOICES

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj):
        access = policy.access_for(request.user)
        return access.is_admin or bool(access.departments)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


@admin.register(Body)
class BodyAdmin(AuditedAdmin):
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
        (_("GLTD"), {"fields": ["problem_statement", "problem_confidentiality"]}),
    ]
    field_choices = {
        "department": departments_in_scope,
        "commune": communes_in_scope,
        "epci": lambda access: Epci.objects.filter(department_id__in=access.departments),
        "parent": policy.editable_bodies,
        "sites": policy.editable_sites,
    }

    def visible(self, access, qs):
        return policy.administered_bodies(access, qs)

    def editable(self, access, qs):
        return policy.editable_bodies(access, qs)

    def deletable(self, access, qs):
        # Dissolve a body rather than delete it: its history is the registry's point.
        return qs if access.is_admin else qs.none()

    def changing_roles(self, access):
        return access.is_admin or bool(access.departments)

    may_add = changing_roles

    def deleting_roles(self, access):
        return access.is_admin

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
            if not policy.can_read(access, obj, level, named=obj.pk in access.member_of)
        ]
        return (
            not obj.history.filter(problem_confidentiality__in=unreadable)
            .exclude(problem_statement="")
            .exists()
        )

    @admin.display(description=_("territoire"))
    def territory_name(self, body):
        return body.territory.name

    @admin.display(description=_("statut"))
    def status_label(self, body):
        return body.get_status_display()


@admin.register(Membership)
class MembershipAdmin(ImportExportMixin, AuditedAdmin):
    """Prefecture staff edit the memberships of their départements' bodies, coordinators
    those of their bodies — one by one, or by importing a spreadsheet (preview first, then
    all or nothing) within the same scope."""

    resource_classes = [MembershipResource]

    list_display = ["person", "role", "body", "institution", "started_on", "ended_on"]
    list_select_related = ["person", "body", "institution"]
    list_filter = ["role", CurrentFilter, "body__type", "body__department"]
    search_fields = ["person__last_name", "person__first_name", "body__name", "institution__name"]
    autocomplete_fields = ["person", "body", "institution", "substitute"]
    date_hierarchy = "started_on"
    field_choices = MEMBERSHIP_CHOICES

    def visible(self, access, qs):
        return policy.editable_memberships(access, qs)

    editable = visible

    def changing_roles(self, access):
        return access.is_staff

    may_add = changing_roles

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"access": self.access(request)}

    def has_import_permission(self, request):
        return self.changing_roles(self.access(request))

    def has_export_permission(self, request):
        return self.viewing_roles(self.access(request))


class AdministratorsOnlyAdmin(AuditedAdmin):
    """Reference data that only administrators open in the administration (others use the
    registry's own pages, or have no business there)."""

    def visible(self, access, qs):
        return qs if access.is_admin else qs.none()

    def viewing_roles(self, access):
        return access.is_admin


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AdministratorsOnlyAdmin):
    list_display = ["user", "role", "department", "body", "started_on", "ended_on"]
    list_select_related = ["user", "department", "body"]
    list_filter = ["role", "department"]
    search_fields = ["user__username", "user__last_name", "body__name"]
    autocomplete_fields = ["user", "department", "body"]
