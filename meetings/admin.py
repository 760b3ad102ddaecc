"""Meetings in the administration: for administrators, to correct data. Coordinators record
meetings on the registry's own pages (meetings/views.py), prefecture staff read them there.

A change form runs the same number of queries whatever the size of the record (asserted in
tests/meetings/test_admin.py): a recorded row shows its people, institution and seat as
text read with the row (`select_related`), not as a widget that reads its own label; new rows
come in an inline of their own with autocompletes; a decision's agenda item is chosen among
the meeting's own items, read once for every row (not among every item in France).
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from bodies.scoped_admin import AdministratorsOnlyAdmin

from .models import AgendaItem, Attendance, Commitment, CommitmentFollowUp, Decision, Meeting


class SharedChoicesFormSet(BaseInlineFormSet):
    """Rows whose select fields named in `shared_choices` offer the same few options: read
    once for the formset, not once per row."""

    shared_choices: tuple = ()

    def _share(self, form):
        cache = self.__dict__.setdefault("_shared", {})
        for name in self.shared_choices:
            field = form.fields.get(name)
            if field is None:
                continue
            if name not in cache:
                cache[name] = list(field.choices)
            field.choices = cache[name]
        return form

    def _construct_form(self, i, **kwargs):
        return self._share(super()._construct_form(i, **kwargs))

    @property
    def empty_form(self):
        return self._share(super().empty_form)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class AttendanceInline(admin.TabularInline):
    """Recorded attendance: who, for which institution and seat, is read with the row; the
    presence can be corrected, a row deleted (and added again below)."""

    model = Attendance
    extra = 0
    fields = ["person", "institution", "membership", "status", "represented_by"]
    readonly_fields = ["person", "institution", "membership", "represented_by"]
    verbose_name = _("présence enregistrée")
    verbose_name_plural = _("présences enregistrées")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "person",
                "institution",
                "represented_by",
                "membership__person",
                "membership__body",
            )
            .order_by("institution__name", "person__last_name", "pk")
        )

    def has_add_permission(self, request, obj):
        return False


class AddOnlyInline(admin.TabularInline):
    """Blank rows for new records only (recorded ones are shown by another inline, read with
    their row): it lists nothing, so its choices are never rendered for every record."""

    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class NewAttendanceInline(AddOnlyInline):
    model = Attendance
    autocomplete_fields = ["person", "institution", "membership", "represented_by"]
    verbose_name = _("nouvelle présence")
    verbose_name_plural = _("ajouter des présences")


class DecisionFormSet(SharedChoicesFormSet):
    shared_choices = ("agenda_item",)


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    formset = DecisionFormSet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agenda_item":
            # The meeting's own agenda items (none yet on the add form).
            meeting = (request.resolver_match.kwargs or {}).get("object_id")
            kwargs["queryset"] = AgendaItem.objects.filter(
                meeting_id=int(meeting) if str(meeting).isdigit() else None
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Meeting)
class MeetingAdmin(AdministratorsOnlyAdmin):
    list_display = ["body", "starts_at", "kind", "status", "confidentiality"]
    list_select_related = ["body"]
    list_filter = ["status", "kind", "confidentiality", "body__type", "body__department"]
    search_fields = ["body__name", "place"]
    # No date navigation: it reads the whole table's dates on every page (124,000 meetings
    # at national scale); the list filters and the search narrow it instead.
    autocomplete_fields = ["body"]
    # The meeting that approved the minutes, by number: a list would offer every meeting.
    raw_id_fields = ["minutes_approved_at"]
    inlines = [AgendaItemInline, AttendanceInline, NewAttendanceInline, DecisionInline]
    exclude = ["version"]


class FollowUpInline(admin.TabularInline):
    """Recorded follow-ups: the meeting is read with the row; outcome and note corrected."""

    model = CommitmentFollowUp
    extra = 0
    fields = ["meeting", "outcome", "note"]
    readonly_fields = ["meeting"]

    def get_queryset(self, request):
        # The row's title names the commitment and its owner: read with it.
        return (
            super()
            .get_queryset(request)
            .select_related("meeting__body", "commitment__owner_institution")
        )

    def has_add_permission(self, request, obj):
        return False


class NewFollowUpInline(AddOnlyInline):
    model = CommitmentFollowUp
    autocomplete_fields = ["meeting"]
    verbose_name = _("nouveau suivi")
    verbose_name_plural = _("ajouter des suivis")


@admin.register(Commitment)
class CommitmentAdmin(AdministratorsOnlyAdmin):
    list_display = ["owner_institution", "body", "description", "due_on", "status"]
    list_select_related = ["owner_institution", "body"]
    list_filter = ["status", "body__type", "body__department"]
    search_fields = ["description", "owner_institution__name", "body__name"]
    autocomplete_fields = ["body", "meeting", "owner_institution", "owner_person", "action"]
    raw_id_fields = ["decision"]
    inlines = [FollowUpInline, NewFollowUpInline]
