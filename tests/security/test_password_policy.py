"""Password policy: at least 10 characters, three character classes, not containing the user name."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from ipps.core.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/accounts/password/"


@pytest.fixture
def person(db):
    return UserFactory(username="wangfang")


def errors_for(password, user) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [e.code for e in exc.error_list]
    return []


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1-short", "password_too_short"),  # 9 characters
        ("alllowercase", "password_too_simple"),  # one class
        ("lowercase123", "password_too_simple"),  # two classes
        ("LOWER-UPPER-ONLY", "password_too_simple"),  # upper + other: two classes
        ("Xx-wangfang-2026", "password_has_username"),
        ("Xx-WANGFANG-2026", "password_has_username"),  # case does not hide it
    ],
)
def test_validators_refuse_weak_passwords(person, password, code):
    assert code in errors_for(password, person)


@pytest.mark.parametrize(
    "password", ["Abcdefgh12", "abcdefgh1-", "ABCDEFGH1-", "Kq7#mZ2!pL", "长城-Great-Wall-9"]
)
def test_validators_accept_strong_passwords(person, password):
    assert errors_for(password, person) == []


def change(client, old, new):
    return client.post(PAGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_password_page_refuses_a_weak_password_with_a_clear_error(person, client, password):
    client.force_login(person)
    response = change(client, password, "wangfang-lower")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The password may not contain the user name." in page
    assert "The password must mix at least three of" in page
    person.refresh_from_db()
    assert person.check_password(password)
    assert not AuditEvent.objects.filter(action="password_changed").exists()


def test_password_page_refuses_a_short_password(person, client, password):
    client.force_login(person)
    page = change(client, password, "Ab1-short").content.decode()
    assert "at least 10 characters" in page


def test_password_page_shows_the_rules(person, client):
    client.force_login(person)
    page = client.get(PAGE).content.decode()
    assert (
        "Use at least three of: lower-case letters, upper-case letters, digits and other characters."
        in page
    )
    assert "may not contain your user name" in page


def test_password_page_changes_a_good_password_and_audits_it(person, client, password):
    client.force_login(person)
    response = change(client, password, "Kq7#mZ2!pLw")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Kq7#mZ2!pLw")
    assert person.password_changed_at is not None
    event = AuditEvent.objects.get(action="password_changed")
    assert event.actor_id == person.pk and "Kq7" not in str(event.changes)
    # The session survives the change.
    assert client.get("/").status_code == 200


def test_password_page_needs_the_old_password(person, client):
    client.force_login(person)
    response = change(client, "not-the-old-one", "Kq7#mZ2!pLw")
    assert response.status_code == 200
    person.refresh_from_db()
    assert not person.check_password("Kq7#mZ2!pLw")


def test_password_page_needs_login(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
