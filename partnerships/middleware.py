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
