from django.contrib.admin.apps import AdminConfig


class RegistryAdminConfig(AdminConfig):
    """Installed in place of django.contrib.admin, so `@admin.register` uses our site.
    (Its own module: an AppConfig module must not import models.)"""

    default_site = "partnerships.admin_site.RegistryAdminSite"
