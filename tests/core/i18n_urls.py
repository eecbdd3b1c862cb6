"""A URLconf with language-prefixed routes, which the token calls' locale middleware refuses."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

urlpatterns = i18n_patterns(path("hello/", lambda request: HttpResponse("hello")))
