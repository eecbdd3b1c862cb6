"""The WSGI handler: Django's, with a shorter middleware chain for API calls made with a token.

A program that calls `/api/` with `Authorization: Bearer …` and sends no cookie has no session, no
CSRF cookie, no flash messages and no htmx; static files are not under `/api/`. The sessions,
CSRF, authentication, messages, htmx and static-file middleware would each run and find nothing to
do, at about a tenth of the cost of a whole API call. Such calls go through the middleware that
still applies to them: security headers, the language (`Accept-Language`), the common checks and
the frame option. The caller is anonymous until the token authenticates them, as it would be
after the authentication middleware without a session. Every other request — pages, the API from
a browser (session cookie), a token sent alongside a cookie — takes the whole chain.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler

# What a token call keeps of settings.MIDDLEWARE, in its order.
TOKEN_CALL_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


def is_token_call(environ) -> bool:
    """An API call authenticated by a bearer token, with no cookie that the full chain would read."""
    return (
        environ.get("PATH_INFO", "").startswith("/api/")
        and environ.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
        and not environ.get("HTTP_COOKIE")
    )


class _TokenCallHandler(BaseHandler):
    def load_middleware(self, is_async=False):
        # Django builds the chain from settings.MIDDLEWARE; build it from the kept part instead
        # (once, at start-up, before any request is served).
        kept = [m for m in settings.MIDDLEWARE if m in TOKEN_CALL_MIDDLEWARE]
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = kept
        try:
            super().load_middleware(is_async=is_async)
        finally:
            settings.MIDDLEWARE = full

    def get_response(self, request):
        request.user = AnonymousUser()
        return super().get_response(request)


class TokenCallChain:
    """For a Django handler: token calls take the short chain, everything else the whole one."""

    _token_calls: _TokenCallHandler | None = None

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=is_async)
        self._token_calls = _TokenCallHandler()
        self._token_calls.load_middleware(is_async=is_async)

    def get_response(self, request):
        if self._token_calls is not None and is_token_call(request.META):
            return self._token_calls.get_response(request)
        return super().get_response(request)


class IppsWSGIHandler(TokenCallChain, WSGIHandler):
    """The handler `ipps serve` (uWSGI, `ipps.core.webserver`) runs."""
