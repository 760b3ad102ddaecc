from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
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

    def get_urls(self):
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            )
            if getattr(url, "name", None) == "view_on_site"
            else url
            for url in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """« Voir sur le site »: Django redirects for any object that exists, which tells an
        out-of-scope object from a missing one. Here the object must be among those the
        model's admin opens for the user (`view_on_site_queryset`); 404 otherwise."""
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None:
            raise Http404
        scope = getattr(model_admin, "view_on_site_queryset", model_admin.get_queryset)
        try:
            in_scope = scope(request).filter(pk=object_id).exists()
        except (ValidationError, ValueError, TypeError):
            in_scope = False
        if not in_scope:
            raise Http404
        return shortcut(request, content_type_id, object_id)
