"""Error pages that need the request (the site's header shows who is signed in)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults


def bad_request(request, exception=None):
    """400: a malformed request (a NUL byte in the query string, a lookup the list does not
    declare, a date out of bounds). Django's own handler renders without the request. The API
    answers in its own format (OParl's error object)."""
    from .oparl.http import error_response, is_api_request

    if is_api_request(request):
        return error_response(400, _("Requête mal formée."))
    return render(request, "400.html", status=400)


def not_found(request, exception=None):
    """404: the site's page; under the API (outside its own routes, `/oparl/` itself), OParl's
    error object."""
    from .oparl.http import error_response, is_api_request

    if is_api_request(request):
        return error_response(404, _("Aucun objet à cette adresse."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500: the site's page; under the API, OParl's error object — a client reads JSON, even
    when the server fails."""
    from .oparl.http import error_response, is_api_request

    if is_api_request(request):
        return error_response(500, _("Erreur interne : réessayez plus tard."))
    return defaults.server_error(request)
