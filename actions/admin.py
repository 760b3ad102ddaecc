"""Writing plans in the administration: coordinators may still create and edit the plans of
their bodies (objectives inline), their fiches-actions (milestones and funding inline),
indicators and measurements (one by one, or by importing a spreadsheet) — though the
registry's own pages (actions/editors.py) are theirs; a closed plan is read-only here too.
Administrators reach all.
Prefecture staff and the public read plans on the registry's pages (actions/views.py), where
diagnostics follow their confidentiality level.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bodies import access as policy
from bodies.scoped_admin import AuditedAdmin, ImportExportAdmin

from .models import (
    Action,
    ActionPlan,
    FundingLine,
    Indicator,
    Measurement,
    Milestone,
    Objective,
)
from .resources import MeasurementResource, editable_indicators


def editable_plans(access):
    return ActionPlan.objects.editable_by(access)


class PlanWritersAdmin(AuditedAdmin):
    """Coordinators (their bodies' plans) and administrators; nobody else opens these."""

    body_path = "plan__body"  # from the model to the plan's body
    status_path = "plan__status"  # from the model to the plan's status

    def viewing_roles(self, access):
        return policy.writes_plans(access)

    changing_roles = may_add = viewing_roles

    def visible(self, access, qs):
        return qs.filter(policy.coordinated_q(access, self.body_path))

    def editable(self, access, qs):
        """In scope, and out of closed plans, which are read-only but for administrators."""
        qs = self.visible(access, qs)
        if policy.is_administrator(access):
            return qs
        return qs.exclude(**{self.status_path: ActionPlan.Status.CLOSED})

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # The history of a plan is read by administrators.
        return policy.is_administrator(self.access(request))

    has_view_history_permission = has_view_history_or_change_history_permission


class PlanWriterInline(admin.TabularInline):
    """Rows of a plan or action, written with it: whoever may change the parent (checked by
    its admin, in scope) writes them."""

    def _writes_plans(self, request, obj=None):
        return policy.writes_plans(policy.access_for(request.user))

    has_view_permission = has_change_permission = has_delete_permission = _writes_plans

    def has_add_permission(self, request, obj=None):
        return self._writes_plans(request)


class ObjectiveInline(PlanWriterInline):
    model = Objective
    extra = 1
    fields = ["position", "title", "national_axis"]


@admin.register(ActionPlan)
class ActionPlanAdmin(PlanWritersAdmin):
    body_path = "body"
    status_path = "status"
    list_display = ["title", "body", "kind", "starts_on", "ends_on", "status"]
    list_select_related = ["body"]
    list_filter = ["status", "kind", "body__type", "body__department"]
    search_fields = ["title", "body__name"]
    autocomplete_fields = ["body"]
    inlines = [ObjectiveInline]
    fieldsets = [
        (None, {"fields": ["body", "kind", "title", "confidentiality"]}),
        (_("Période et adoption"), {"fields": ["starts_on", "ends_on", "status", "adopted_on"]}),
        (_("Diagnostic"), {"fields": ["diagnostic", "diagnostic_confidentiality"]}),
    ]
    field_choices = {"body": policy.coordinated_bodies}


class MilestoneInline(PlanWriterInline):
    model = Milestone
    extra = 1
    fields = ["title", "target_on", "reached_on"]


class FundingLineInline(PlanWriterInline):
    model = FundingLine
    extra = 1
    fields = ["source", "year", "amount"]


@admin.register(Action)
class ActionAdmin(PlanWritersAdmin):
    list_display = ["title", "plan", "lead_institution", "status", "starts_on", "ends_on"]
    list_select_related = ["plan", "lead_institution"]
    list_filter = ["status", "plan__body__department"]
    search_fields = ["title", "plan__title", "lead_institution__name"]
    autocomplete_fields = ["plan", "lead_institution", "partners"]
    inlines = [MilestoneInline, FundingLineInline]
    fields = [
        "plan",
        "objective",
        "title",
        "description",
        "lead_institution",
        "partners",
        "sites",
        "target_public",
        "starts_on",
        "ends_on",
        "status",
        "budget",
    ]
    field_choices = {
        "plan": editable_plans,
        "objective": lambda access: Objective.objects.filter(plan__in=editable_plans(access)),
        "lead_institution": policy.visible_institutions,
        "partners": policy.visible_institutions,
        "sites": policy.reference_sites,
    }

    def get_readonly_fields(self, request, obj=None):
        return ["plan"] if obj is not None else []  # an action stays in its plan

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "objective" and field is not None:
            field.queryset = field.queryset.select_related("plan")
        return field


@admin.register(Indicator)
class IndicatorAdmin(PlanWritersAdmin):
    list_display = ["name", "plan", "action", "unit", "frequency", "target_value"]
    list_select_related = ["plan", "action"]
    list_filter = ["frequency", "direction", "plan__body__department"]
    search_fields = ["name", "plan__title", "action__title", "ssmsi_indicator"]
    autocomplete_fields = ["plan", "action", "commune"]
    fieldsets = [
        (
            None,
            {"fields": ["plan", "action", "name", "unit", "is_count", "direction", "frequency"]},
        ),
        (
            _("Référence et cible"),
            {"fields": ["baseline_value", "baseline_on", "target_value", "target_on"]},
        ),
        (
            _("Source et territoire"),
            {"fields": ["source", "commune", "site", "ssmsi_indicator", "ssmsi_rate"]},
        ),
    ]
    field_choices = {
        "plan": editable_plans,
        "action": lambda access: Action.objects.filter(plan__in=editable_plans(access)),
        "site": policy.reference_sites,
        "commune": policy.reference_communes,
    }


@admin.register(Measurement)
class MeasurementAdmin(ImportExportAdmin, PlanWritersAdmin):
    """Measurements one by one; many at once in the plan's grid, or by import (preview,
    then all or nothing)."""

    resource_classes = [MeasurementResource]
    body_path = "indicator__plan__body"

    def editable(self, access, qs):
        # A closed plan's last figures still arrive (the SSMSI publishes a year later).
        return self.visible(access, qs)

    list_display = ["indicator", "period_start", "value", "source_note", "entered_by"]
    list_select_related = ["indicator", "entered_by"]
    list_filter = ["indicator__plan__body__department", "indicator__frequency"]
    search_fields = ["indicator__name", "indicator__plan__title"]
    autocomplete_fields = ["indicator"]
    fields = ["indicator", "period_start", "value", "source_note"]
    # No date navigation: it reads every row's date on each page (large tables at national
    # scale); the filters and the search narrow the list instead.
    field_choices = {"indicator": editable_indicators}

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"access": self.access(request), "user": request.user}
