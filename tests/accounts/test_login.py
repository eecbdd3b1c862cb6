"""Login through the real login page: lockout after repeated failures, every attempt audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from ipps.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED_TEXT = "Too many failed attempts: this account is locked until"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def actions_for(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_settings_match_the_baseline():
    assert settings.IPPS_LOCKOUT_THRESHOLD == 5
    assert settings.IPPS_LOCKOUT_MINUTES == 15


def test_login_succeeds_redirects_home_and_is_audited(network, client, password):
    user = network.liaison_zgc
    response = attempt(client, user.username, password)
    assert response.status_code == 302 and response.url == "/"
    assert logged_in(client)
    event = AuditEvent.objects.filter(action="login").latest("id")
    assert event.actor_id == user.pk and event.actor_name == user.username
    assert event.ip_address == "127.0.0.1"


def test_wrong_password_is_refused_and_audited(network, client):
    user = network.liaison_zgc
    response = attempt(client, user.username, "Wrong-pass-2026")
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert not logged_in(client)
    event = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert event.actor_id == user.pk and event.changes["reason"] == "bad_password"


def test_unknown_user_is_refused_and_audited(network, client):
    response = attempt(client, "no-such-person", "Whatever-2026")
    assert response.status_code == 200 and not logged_in(client)
    event = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert event.actor_id is None and event.actor_name == "no-such-person"
    assert event.changes["reason"] == "unknown_user"


def test_five_failures_lock_the_account_for_fifteen_minutes(network, client, password):
    user = network.liaison_zgc
    for _ in range(4):
        response = attempt(client, user.username, "Wrong-pass-2026")
        assert LOCKED_TEXT not in response.content.decode()
    before = timezone.now()
    response = attempt(client, user.username, "Wrong-pass-2026")
    assert LOCKED_TEXT in response.content.decode()
    user.refresh_from_db()
    assert user.is_locked
    assert (
        timedelta(minutes=14, seconds=50)
        < user.locked_until - before
        <= timedelta(minutes=15, seconds=5)
    )

    # Even the right password is refused while the lock lasts, with the lockout message.
    response = attempt(client, user.username, password)
    assert response.status_code == 200 and not logged_in(client)
    assert LOCKED_TEXT in response.content.decode()

    actions = actions_for(user)
    assert actions.count("login_failed") == 6
    assert actions.count("lockout") == 1
    assert "login" not in actions
    locked_refusal = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert locked_refusal.changes["reason"] == "locked"


def test_after_the_lock_expires_login_works_and_the_counter_is_reset(network, client, password):
    user = network.liaison_zgc
    for _ in range(5):
        attempt(client, user.username, "Wrong-pass-2026")
    user.refresh_from_db()
    assert user.is_locked
    type(user).objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))

    response = attempt(client, user.username, password)
    assert response.status_code == 302 and logged_in(client)
    user.refresh_from_db()
    assert user.failed_logins == 0 and user.locked_until is None
    assert actions_for(user)[-1] == "login"


def test_a_success_resets_the_count_of_failures(network, client, password):
    user = network.liaison_zgc
    for _ in range(4):
        attempt(client, user.username, "Wrong-pass-2026")
    assert attempt(client, user.username, password).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        attempt(client, user.username, "Wrong-pass-2026")
    user.refresh_from_db()
    assert not user.is_locked and user.failed_logins == 4


def test_lockout_of_one_account_leaves_others_alone(network, client, password):
    for _ in range(5):
        attempt(client, network.liaison_zgc.username, "Wrong-pass-2026")
    assert attempt(client, network.liaison_wangjing.username, password).status_code == 302


def test_login_page_states_the_policy(client, db):
    page = client.get(LOGIN).content.decode()
    assert "After 5 failed attempts in a row the account is locked for 15 minutes." in page


def test_logout_is_a_post_and_is_audited(network, client, password):
    user = network.liaison_zgc
    attempt(client, user.username, password)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert not logged_in(client)
    assert actions_for(user)[-1] == "logout"


def test_inactive_user_cannot_log_in(network, client, password):
    user = network.liaison_zgc
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert attempt(client, user.username, password).status_code == 200
    assert not logged_in(client)
