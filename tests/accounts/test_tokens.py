"""API tokens: created on the Tokens page and shown once, stored hashed, revocable, usage recorded."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from ipps.accounts.models import ApiToken, hash_token
from ipps.accounts.services import token_create, token_revoke
from ipps.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"


def shown_token(html: str) -> str | None:
    match = re.search(r'data-testid="token-value">\s*(ipps_[A-Za-z0-9_\-]+)', html)
    return match.group(1) if match else None


def test_token_created_on_the_page_is_shown_once(network, login_as):
    client = login_as(network.liaison_zgc)
    response = client.post(PAGE, {"name": "weekly export"})
    assert response.status_code == 200
    raw = shown_token(response.content.decode())
    assert raw is not None
    assert "it will not be shown again" in response.content.decode()

    later = client.get(PAGE).content.decode()
    assert raw not in later and shown_token(later) is None
    assert "weekly export" in later and raw[:11] in later  # the prefix identifies it

    token = ApiToken.objects.get(user=network.liaison_zgc)
    assert token.name == "weekly export" and token.digest == hash_token(raw)
    event = AuditEvent.objects.get(action="token_created")
    assert event.actor_id == network.liaison_zgc.pk and raw not in str(event.changes)


def test_the_raw_token_is_nowhere_in_the_database(network):
    _token, raw = token_create(user=network.city_officer, name="script")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, prefix, digest FROM accounts_apitoken")
        rows = cursor.fetchall()
        cursor.execute("SELECT changes, object_repr FROM core_auditevent")
        audit_rows = cursor.fetchall()
    assert rows and all(raw not in " ".join(map(str, row)) for row in rows)
    assert all(raw not in " ".join(map(str, row)) for row in audit_rows)
    assert rows[0][2] == hash_token(raw)


def test_a_token_needs_a_name(network, login_as):
    client = login_as(network.liaison_zgc)
    response = client.post(PAGE, {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_bearer_token_authenticates_and_records_last_use(network, api_as, client):
    token, raw = token_create(user=network.liaison_zgc, name="script")
    assert token.last_used_at is None
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == network.liaison_zgc.username
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused(network, client):
    token, raw = token_create(user=network.liaison_zgc, name="script")
    token_revoke(token=token, acting_user=network.liaison_zgc)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert AuditEvent.objects.filter(action="token_revoked", object_id=str(token.pk)).exists()


def test_made_up_token_is_refused(network, client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer ipps_not-a-real-token"})
    assert response.status_code == 401


def test_token_of_a_disabled_account_is_refused(network, client):
    _token, raw = token_create(user=network.liaison_zgc, name="script")
    network.liaison_zgc.is_active = False
    network.liaison_zgc.save(update_fields=["is_active"])
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_revoking_on_the_page(network, login_as, client):
    token, raw = token_create(user=network.liaison_zgc, name="script")
    page = login_as(network.liaison_zgc)
    response = page.post(f"{PAGE}{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in page.get(PAGE).content.decode()


def test_someone_elses_token_cannot_be_revoked_or_seen(network, login_as):
    token, _raw = token_create(user=network.liaison_wangjing, name="theirs")
    client = login_as(network.liaison_zgc)
    assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 404
    assert "theirs" not in client.get(PAGE).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_page_needs_login(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response.url
