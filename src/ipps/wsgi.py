import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipps.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Do before the first request what it would otherwise wait for: load jieba's dictionary
    (about a second) and build the URLconf with the API's schemas."""
    from django.urls import get_resolver

    from ipps.core.search import tokens

    tokens("专利")
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf


warm_up()
