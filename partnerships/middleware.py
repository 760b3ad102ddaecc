from django.core.exceptions import BadRequest
from django.utils.cache import patch_cache_control


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
    CharField does), with the input kept."""

    def middleware(request):
        if "\x00" in request.path_info:
            raise BadRequest("NUL byte in the path")
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("NUL byte in the query string")
        return get_response(request)

    return middleware
