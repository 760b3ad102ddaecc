"""Error pages that need the request (the site's header shows who is signed in)."""

from django.shortcuts import render


def bad_request(request, exception=None):
    """400: a malformed request (a NUL byte in the query string, a lookup the list does not
    declare, a date out of bounds). Django's own handler renders without the request."""
    return render(request, "400.html", status=400)
