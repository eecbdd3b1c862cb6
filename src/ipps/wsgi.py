import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipps.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application does

from ipps.core.handlers import IppsWSGIHandler  # noqa: E402 - needs the apps loaded

# Django's handler, with a shorter middleware chain for API calls made with a token.
application = IppsWSGIHandler()


def warm_up() -> None:
    """Do before the first request what it would otherwise wait for: load jieba's dictionary
    (about a second) and build the URLconf with the API's schemas."""
    from django.urls import get_resolver

    from ipps.core.search import tokens

    tokens("专利")
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf


warm_up()
