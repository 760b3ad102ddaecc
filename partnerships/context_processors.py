from django.conf import settings
from django.utils.functional import SimpleLazyObject

from bodies.access import (
    access_for,
    dashboard_department_ids,
    has_workspace,
    reads_national_figures,
    uses_administration,
)


def _has_own_page(access) -> bool:
    """A dashboard or « Mes instances » to land on (`partnerships.dashboards.after_login`)."""
    return bool(
        reads_national_figures(access) or dashboard_department_ids(access) or has_workspace(access)
    )


def site(request):
    """What every page's header and footer need, without a database query.

    django-dsfr's own context processor reads a `DsfrConfig` row on every request; the
    registry's title and tagline are settings, so pages stay at their asserted query counts.
    """
    return {
        "SITE_CONFIG": {
            "site_title": settings.SITE_TITLE,
            "site_tagline": settings.SITE_TAGLINE,
            "footer_description": settings.SITE_TAGLINE,
            "accessibility_status": "PART",
        },
        # Evaluated only when a template asks (the header does, for signed-in users).
        "shows_administration": SimpleLazyObject(
            lambda: uses_administration(access_for(request.user))
        ),
        "has_own_page": SimpleLazyObject(lambda: _has_own_page(access_for(request.user))),
    }
