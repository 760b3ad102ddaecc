"""How every answer of the API is made: JSON, OParl's error object, CORS open to GET,
conditional requests (ETag, Last-Modified, 304) and a request rate per client address.

A view decorated with `api_view` returns `(data, last_modified)`; it raises `ApiError` (or
`Http404`) to refuse. The ETag is a digest of the body, so it changes whenever the body does
(language included: `Vary: Accept-Language`); `Last-Modified` is the latest `modified` of what
the answer shows, tombstones included, so a deletion moves it too.
"""

import hashlib
import json
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from partnerships.security_log import client_address

ERROR_TYPE = "https://schema.oparl.org/1.1/Error"
CONTENT_TYPE = "application/json"
METHODS = ("GET", "HEAD", "OPTIONS")


PREFIX = "/oparl/"


def is_api_request(request) -> bool:
    """Whether the request is the API's: by `path_info`, which is the same wherever the site
    is mounted (`request.path` starts with the mount point, `SCRIPT_NAME`)."""
    return request.path_info.startswith(PREFIX)


class ApiError(Exception):
    """A refusal, answered as OParl's error object with `status`."""

    def __init__(self, status: int, message: str, debug: str = ""):
        super().__init__(message)
        self.status, self.message, self.debug = status, message, debug


def error_response(status: int, message: str, debug: str = "") -> HttpResponse:
    """OParl's error object (`type`, `message`, and `debug` when there is something to add)."""
    data = {"type": ERROR_TYPE, "message": str(message)}
    if debug:
        data["debug"] = debug
    response = HttpResponse(_dumps(data), content_type=CONTENT_TYPE, status=status)
    return with_cors(response)


def with_cors(response: HttpResponse) -> HttpResponse:
    """Any web page may read the API (public records only): CORS open, for reading."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
    return response


def _dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = ", ".join(METHODS)
    response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
    response["Access-Control-Max-Age"] = "86400"
    return with_cors(response)


def rate_exceeded(request) -> int | None:
    """Seconds to wait when the client's address has made more than `OPARL_RATE_LIMIT`
    requests in the current window of `OPARL_RATE_WINDOW` seconds; None otherwise. Counted
    in Django's cache (README, « Settings »: a cache shared by the workers makes the limit
    exact; the default local-memory cache counts per process)."""
    limit = settings.OPARL_RATE_LIMIT
    if limit <= 0:
        return None
    window = settings.OPARL_RATE_WINDOW
    now = time.time()
    slot = int(now // window)
    key = f"oparl-rate:{client_address(request) or '-'}:{slot}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, int((slot + 1) * window - now) + 1)


def api_view(view):
    """GET and HEAD (OPTIONS for CORS preflights), rate-limited, answered as JSON with
    validators; every refusal in OParl's error format.

    Exempt from the CSRF check: the API never writes (any other method answers 405), and the
    check would otherwise answer a POST first, with the site's HTML 403 and no CORS."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        wait = rate_exceeded(request)
        if wait is not None:
            message = _("Trop de requêtes : réessayez dans %(seconds)s secondes.")
            response = error_response(429, message % {"seconds": wait})
            response["Retry-After"] = str(wait)
            return response
        if request.method == "OPTIONS":
            return _preflight()
        if request.method not in ("GET", "HEAD"):
            response = error_response(405, _("Cette API se lit seulement (GET)."))
            response["Allow"] = ", ".join(METHODS)
            return response
        try:
            data, last_modified = view(request, *args, **kwargs)
        except ApiError as refusal:
            return error_response(refusal.status, refusal.message, refusal.debug)
        except Http404:
            return error_response(404, _("Aucun objet à cette adresse."))
        return conditional_json(request, data, last_modified)

    wrapper.oparl_api = True
    return wrapper


def conditional_json(request, data, last_modified) -> HttpResponse:
    """The JSON answer, or 304 when the client's copy (If-None-Match, If-Modified-Since)
    is current."""
    body = _dumps(data)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["ETag"] = etag
    timestamp = last_modified.timestamp() if last_modified is not None else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=settings.OPARL_MAX_AGE)
    patch_vary_headers(response, ("Accept-Language",))
    response = get_conditional_response(
        request, etag=etag, last_modified=timestamp and int(timestamp), response=response
    )
    return with_cors(response)
