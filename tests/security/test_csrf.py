"""Browser sessions cannot be ridden by another site: API writes with a session need the CSRF token."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from ipps.accounts.models import ApiToken
from ipps.accounts.services import token_create
from ipps.core.api import register_routers

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"post", "put", "patch", "delete"}


def write_operations() -> list[tuple[str, str]]:
    """Every write operation the API offers, with path parameters filled in."""
    schema = register_routers().get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method in operations:
            if method in WRITE_METHODS:
                found.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return found


@pytest.fixture
def session_client(network, password):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {
            "username": network.city_officer.username,
            "password": password,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    return client


def test_revoking_a_token_with_a_session_but_no_csrf_token_is_refused(network, session_client):
    token, _raw = token_create(user=network.city_officer, name="script")
    response = session_client.post(f"/api/v1/me/tokens/{token.pk}/revoke")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    token.refresh_from_db()
    assert token.revoked_at is None


def test_with_the_csrf_token_the_same_request_works(network, session_client):
    token, _raw = token_create(user=network.city_officer, name="script")
    csrf = session_client.cookies["csrftoken"].value
    response = session_client.post(
        f"/api/v1/me/tokens/{token.pk}/revoke", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 200, response.content
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


@pytest.mark.parametrize(("method", "path"), write_operations())
def test_every_api_write_refuses_a_session_without_csrf(session_client, method, path):
    response = getattr(session_client, method)(path, data="{}", content_type="application/json")
    assert response.status_code == 403, (method, path, response.status_code)
    assert response.json()["code"] == "forbidden"


def test_bearer_tokens_need_no_csrf_token(network):
    token, raw = token_create(user=network.city_officer, name="script")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/v1/me/tokens/{token.pk}/revoke", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200


def test_login_form_needs_the_csrf_token(network, password):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": network.city_officer.username, "password": password}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic eDp5"])
def test_a_write_without_a_session_or_a_valid_token_is_not_authenticated(network, authorization):
    # Not "CSRF check failed": without the session cookie no session could authenticate it.
    token, _raw = token_create(user=network.city_officer, name="script")
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post(
        f"/api/v1/me/tokens/{token.pk}/revoke", headers={**headers, "Accept-Language": "zh-hans"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["message"].startswith("需要身份验证")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_session_cookie_is_still_checked_for_csrf(network):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    response = client.post("/api/v1/requests", data="{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_the_csrf_refusal_says_what_to_send(network, session_client):
    response = session_client.post(
        "/api/v1/requests",
        data="{}",
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 403
    assert "X-CSRFToken" in response.json()["message"]
    assert "CSRF" in response.json()["message"] and "会话" in response.json()["message"]
