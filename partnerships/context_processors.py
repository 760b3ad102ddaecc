from django.conf import settings
from django.utils.functional import SimpleLazyObject

from bodies.access import (
    access_for,
    dashboard_department_ids,
    has_workspace,
    uses_administration,
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
        # the header's « Mon tableau de bord » (prefecture staff) and « Mes instances »
        "has_county_dashboard": SimpleLazyObject(
            lambda: bool(dashboard_department_ids(access_for(request.user)))
        ),
        "has_workspace": SimpleLazyObject(lambda: has_workspace(access_for(request.user))),
    }
