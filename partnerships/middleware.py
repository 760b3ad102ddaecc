from django.core.exceptions import BadRequest, SuspiciousOperation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .oparl.http import error_response, is_api_request


def no_store_when_signed_in(get_response):
    """A signed-in user's pages may show partners or restricted records: no cache (browser,
    proxy) may keep them. Anonymous pages show public records only and stay cacheable."""

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response

    return middleware


def refuse_nul_in_query_string(get_response):
    """A NUL byte in a path or a query string reaches the database as text, which
    PostgreSQL refuses (a 500 from a search box, an autocomplete, a département code in a
    URL): every page answers 400 instead. Forms refuse NUL in their own fields (Django's
    CharField does), with the input kept.

    The API's answer is made here, in its own format (OParl's error object, with CORS), not
    left to `handler400`: with DEBUG on, Django answers a `BadRequest` with its HTML page."""

    def middleware(request):
        try:
            if "\x00" in request.path_info:
                raise BadRequest("NUL byte in the path")
            for key, values in request.GET.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("NUL byte in the query string")
        except (BadRequest, SuspiciousOperation) as refusal:  # also too many fields
            if not is_api_request(request):
                raise
            return error_response(400, _("Requête mal formée."), str(refusal))
        return get_response(request)

    return middleware
