"""Meetings in the administration: for administrators, to correct data. Coordinators record
meetings on the registry's own pages (meetings/views.py), prefecture staff read them there."""

from django.contrib import admin

from bodies.scoped_admin import AdministratorsOnlyAdmin

from .models import AgendaItem, Attendance, Commitment, CommitmentFollowUp, Decision, Meeting


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person", "institution", "membership", "represented_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("person", "institution", "membership", "represented_by")
        )


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(AdministratorsOnlyAdmin):
    list_display = ["body", "starts_at", "kind", "status", "confidentiality"]
    list_select_related = ["body"]
    list_filter = ["status", "kind", "confidentiality", "body__type", "body__department"]
    search_fields = ["body__name", "place"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["body"]
    inlines = [AgendaItemInline, AttendanceInline, DecisionInline]
    exclude = ["version"]


class FollowUpInline(admin.TabularInline):
    model = CommitmentFollowUp
    extra = 0
    autocomplete_fields = ["meeting"]


@admin.register(Commitment)
class CommitmentAdmin(AdministratorsOnlyAdmin):
    list_display = ["owner_institution", "body", "description", "due_on", "status"]
    list_select_related = ["owner_institution", "body"]
    list_filter = ["status", "body__type", "body__department"]
    search_fields = ["description", "owner_institution__name", "body__name"]
    autocomplete_fields = ["body", "meeting", "owner_institution", "owner_person", "action"]
    raw_id_fields = ["decision"]
    inlines = [FollowUpInline]
