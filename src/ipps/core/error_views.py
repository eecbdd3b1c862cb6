"""Error pages: in the reader's language, and JSON (the API's error shape) under /api/.

Django's own pages are English-only HTML, also for a program calling an API address that does not
exist (`/api/v1/requests/abc`). The root URLconf names these views as its handlers.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    # The body of ipps.core.api's errors: code, message, field.
    return JsonResponse(
        {"code": code, "message": message, "field": None},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception):
    if _is_api(request):
        return _api_error(400, "bad_request", _("The request could not be understood."))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return _api_error(403, "forbidden", _("You may not do this."))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return _api_error(404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return _api_error(
            500, "server_error", _("Something went wrong on our side; it has been logged.")
        )
    return defaults.server_error(request)
