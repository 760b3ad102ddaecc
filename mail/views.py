"""The page an e-mail's « ne plus recevoir » link opens: no sign-in, the signed token is the
key. GET shows the address's choice for that kind (a mail scanner following links changes
nothing); POST changes it — from the page's button, or from a mail application's own
one-click button (RFC 8058 posts `List-Unsubscribe=One-Click` without any cookie, so the
view takes no CSRF token: the signed token is what authorizes, and it only reaches one
address's preferences)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import Kind, MailPreference
from .sending import read_unsubscribe_token, set_preference


def masked(address: str) -> str:
    """« c…@example.org »: enough for its owner to recognise, little for anyone the e-mail
    was forwarded to."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = read_unsubscribe_token(token)
    if found is None:
        raise Http404
    address, kind = found
    changed = None
    if request.method == "POST":
        action = request.POST.get("action")
        if request.POST.get("List-Unsubscribe") == "One-Click" or action == "stop":
            set_preference(address, kind=kind, stops=True)
            changed = "stopped"
        elif action == "resume":
            set_preference(address, kind=kind, stops=False)
            changed = "resumed"
        elif action == "language":
            set_preference(address, language=request.POST.get("language"))
            changed = "language"
    preference = MailPreference.objects.filter(address=address).first()
    context = {
        "address": masked(address),
        "kind_label": Kind(kind).label,
        "stopped": preference is not None and preference.stops(kind),
        "language": preference.language if preference else "fr",
        "changed": changed,
    }
    return render(request, "mail/preferences.html", context)
