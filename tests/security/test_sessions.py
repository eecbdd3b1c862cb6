"""Sessions end after IPPS_SESSION_IDLE_MINUTES without a request; each request renews them."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_idle_timeout_comes_from_the_environment_with_a_30_minute_default():
    minutes = int(os.environ.get("IPPS_SESSION_IDLE_MINUTES", "30"))
    assert settings.SESSION_COOKIE_AGE == minutes * 60
    if "IPPS_SESSION_IDLE_MINUTES" not in os.environ:
        assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


def test_every_request_renews_the_session(network, client, password):
    client.post(
        "/accounts/login/", {"username": network.city_officer.username, "password": password}
    )
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    response = client.get("/")
    assert response.status_code == 200
    assert (
        int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"])
        == settings.SESSION_COOKIE_AGE
    )
    expiry = Session.objects.get(pk=key).expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_idle_session_has_expired(network, client, password):
    client.post(
        "/accounts/login/", {"username": network.city_officer.username, "password": password}
    )
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_session_cookie_flags(network, client, password):
    response = client.post(
        "/accounts/login/", {"username": network.city_officer.username, "password": password}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_login_rotates_the_session_key(network, client, password):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post(
        "/accounts/login/", {"username": network.city_officer.username, "password": password}
    )
    assert client.session.session_key != before


def test_pages_cannot_be_framed(network, client):
    response = client.get("/accounts/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
