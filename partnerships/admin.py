"""Administration screens that span apps, and those of third-party models.

The list of bodies shows their derived status and last held meeting, which read meetings:
the bodies' admin is extended here, one level above both apps.

Django, django-dsfr and django-axes register their own admins, guarded by Django's per-model
permissions; the registry's roles do not use those, so each is re-registered here behind
`AdministratorsOnly` (403 on lists, 404 on objects for everyone else), or removed when the
registry does not use the model.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from dsfr.models import DsfrConfig

from bodies.access import access_for, is_administrator
from bodies.admin import BodyAdmin
from bodies.models import Body
from meetings.activity import bodies_with_status


class AdministratorsOnly:
    def _is_admin(self, request):
        return is_administrator(access_for(request.user))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if self._is_admin(request) else qs.none()

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request, *args):
        return self._is_admin(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request) and super().has_delete_permission(request, obj)

    def get_object(self, request, object_id, from_field=None):
        # Out of scope and nonexistent look the same, and answer before any permission
        # check could tell them apart: 404 (Django would redirect with a message).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def user_change_password(self, request, id, form_url=""):
        if not self._is_admin(request):
            raise Http404
        return super().user_change_password(request, id, form_url)


User = get_user_model()
# Roles are RoleAssignment rows, not groups; the site's look is in settings, not DsfrConfig.
for model in (Group, DsfrConfig, User, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class RegistryUserAdmin(AdministratorsOnly, UserAdmin):
    list_filter = ["is_superuser", "is_active"]


@admin.register(AccessAttempt)
class RegistryAccessAttemptAdmin(AdministratorsOnly, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class RegistryAccessLogAdmin(AdministratorsOnly, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class RegistryAccessFailureLogAdmin(AdministratorsOnly, AccessFailureLogAdmin):
    pass


class StatusFilter(admin.SimpleListFilter):
    title = _("statut")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Body.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Body.Status.values:
            return queryset.filter(status=self.value())
        return queryset


admin.site.unregister(Body)


@admin.register(Body)
class BodyActivityAdmin(BodyAdmin):
    """The bodies' admin with each body's derived status and last held meeting (one
    subquery per listed body, on an index)."""

    list_display = [*BodyAdmin.list_display, "last_held_on", "status_label"]
    list_filter = ["type", StatusFilter, "department"]

    def get_queryset(self, request):
        return bodies_with_status(super().get_queryset(request))

    @admin.display(description=_("dernière réunion"), ordering="last_held_on")
    def last_held_on(self, body):
        return body.last_held_on

    @admin.display(description=_("statut"), ordering="status")
    def status_label(self, body):
        return body.get_status_display()
