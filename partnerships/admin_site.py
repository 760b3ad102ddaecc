from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bodies.access import access_for, uses_administration


class RegistryAdminSite(admin.AdminSite):
    """The administration, opened by roles (superuser, prefecture staff, coordinator) rather
    than by Django's `is_staff` flag, so that ending a role assignment closes it."""

    site_header = _("Registre des partenariats locaux de sécurité — administration")
    site_title = _("Administration du registre")
    index_title = _("Données du registre")

    def has_permission(self, request):
        return request.user.is_active and uses_administration(access_for(request.user))

    def login(self, request, extra_context=None):
        if self.has_permission(request):
            return redirect("admin:index")
        if request.user.is_authenticated:
            # Known, but no role that opens the administration (a member, a researcher).
            raise PermissionDenied
        # One login page for every role.
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
