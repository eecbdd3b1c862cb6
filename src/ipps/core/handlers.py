"""The WSGI handler: Django's, with a shorter middleware chain for API calls made with a token.

A program that calls `/api/` with `Authorization: Bearer …` and sends no cookie has no session, no
CSRF cookie, no flash messages and no htmx; static files are not under `/api/`. The sessions,
CSRF, authentication, messages, htmx and static-file middleware would each run and find nothing to
do, at about a tenth of the cost of a whole API call. Such calls go through the middleware that
still applies to them: security headers, the language (`Accept-Language`, decided by a shorter
version of Django's locale middleware), the common checks and the frame option. The caller is
anonymous until the token authenticates them, as it would be after the authentication middleware
without a session. Every other request — pages, the API from a browser (session cookie), a token
sent alongside a cookie — takes the whole chain.
"""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

# What a token call keeps of settings.MIDDLEWARE, in its order; a value replaces its entry.
TOKEN_CALL_MIDDLEWARE = {
    "django.middleware.security.SecurityMiddleware": None,
    "django.middleware.locale.LocaleMiddleware": "ipps.core.handlers.TokenCallLocaleMiddleware",
    "django.middleware.common.CommonMiddleware": None,
    "django.middleware.clickjacking.XFrameOptionsMiddleware": None,
}


class TokenCallLocaleMiddleware(LocaleMiddleware):
    """Django's `LocaleMiddleware` for a token call, where it has less to decide: no URL of ours
    carries a language prefix (no `i18n_patterns`) and a token call sends no cookie, so the
    language is the caller's `Accept-Language` or the default. Django's reads the path for a
    language prefix twice a call (a regular expression each) to learn that there is none. The
    answer's `Vary: Accept-Language` and `Content-Language` are as Django's."""

    def __init__(self, get_response):
        super().__init__(get_response)
        if is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
            raise ImproperlyConfigured(
                "TokenCallLocaleMiddleware assumes no i18n_patterns; use LocaleMiddleware."
            )

    def process_request(self, request):
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


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
        kept = [
            TOKEN_CALL_MIDDLEWARE[m] or m for m in settings.MIDDLEWARE if m in TOKEN_CALL_MIDDLEWARE
        ]
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
