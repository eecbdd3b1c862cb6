"""The configuration admin for accounts: roles changed there are audited, locks can be lifted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ipps.accounts.models import ApiToken
from ipps.accounts.services import token_create
from ipps.core.models import AuditEvent
from ipps.network.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(network, login_as):
    return login_as(network.admin)


def user_form(user, memberships, extra=None) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "enterprise": user.enterprise_id or "",
        "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(sum(1 for m in memberships if m.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(memberships):
        for key, value in m.items():
            data[f"memberships-{i}-{key}"] = value
        data[f"memberships-{i}-user"] = str(user.pk)
    data.update(extra or {})
    return data


def test_user_pages_load(network, admin_client):
    assert admin_client.get("/admin/accounts/user/").status_code == 200
    page = admin_client.get(
        f"/admin/accounts/user/{network.liaison_zgc.pk}/change/"
    ).content.decode()
    assert "roles on units" in page.lower() and "memberships-TOTAL_FORMS" in page
    assert "failed logins in a row" in page.lower()
    assert 'name="failed_logins"' not in page and 'name="locked_until"' not in page


def test_role_granted_in_the_admin_is_audited(network, admin_client):
    user = network.liaison_zgc
    existing = Membership.objects.get(user=user)
    data = user_form(user, [
        {"id": str(existing.pk), "unit": str(existing.unit_id), "role": "liaison"},
        {"id": "", "unit": str(network.haidian.pk), "role": "officer"},
    ])  # fmt: skip
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    granted = Membership.objects.get(user=user, unit=network.haidian, role="officer")
    event = AuditEvent.objects.get(action="role_granted")
    assert event.object_id == str(granted.pk) and event.actor_id == network.admin.pk
    assert AuditEvent.objects.filter(action="update", object_id=str(user.pk)).exists()


def test_role_removed_in_the_admin_is_audited(network, admin_client):
    user = network.liaison_zgc
    existing = Membership.objects.get(user=user)
    data = user_form(
        user,
        [
            {
                "id": str(existing.pk),
                "unit": str(existing.unit_id),
                "role": "liaison",
                "DELETE": "on",
            }
        ],
    )
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302
    assert not Membership.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="role_revoked")
    assert event.object_id == str(existing.pk) and event.actor_id == network.admin.pk


def test_lockout_fields_cannot_be_edited(network, admin_client):
    user = network.liaison_zgc
    existing = Membership.objects.get(user=user)
    data = user_form(
        user,
        [{"id": str(existing.pk), "unit": str(existing.unit_id), "role": "liaison"}],
        {"failed_logins": "0", "locked_until_0": "2000-01-01", "locked_until_1": "00:00"},
    )
    until = timezone.now() + timedelta(minutes=10)
    type(user).objects.filter(pk=user.pk).update(failed_logins=0, locked_until=until)
    admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    user.refresh_from_db()
    assert user.locked_until == until


def test_unlock_action_lifts_the_lock_and_is_audited(network, admin_client, password, client):
    user = network.liaison_zgc
    type(user).objects.filter(pk=user.pk).update(
        failed_logins=3, locked_until=timezone.now() + timedelta(minutes=10)
    )
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "unlock_accounts", "_selected_action": [str(user.pk), str(network.auditor.pk)]},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.locked_until is None and user.failed_logins == 0
    events = AuditEvent.objects.filter(action="update", changes__reason="account_unlocked")
    assert [e.object_id for e in events] == [str(user.pk)]  # the auditor was not locked
    assert events[0].actor_id == network.admin.pk


def test_token_admin_is_read_only_with_a_revoke_action(network, admin_client):
    token, _raw = token_create(user=network.liaison_zgc, name="script")
    assert admin_client.get("/admin/accounts/apitoken/").status_code == 200
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
    page = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert 'name="name"' not in page and token.digest not in page
    response = admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [str(token.pk)]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="token_revoked", actor=network.admin).exists()
    assert (
        admin_client.post(
            f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_admin_is_closed_to_network_staff(network, login_as):
    response = login_as(network.city_officer).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url
