from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Registre")

    def ready(self):
        from . import security_log  # noqa: F401  (connects the login signal receivers)
