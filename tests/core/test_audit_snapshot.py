"""What an audit row shows of a record: every concrete field but secrets, JSON-ready."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pytest

from ipps.accounts.models import User
from ipps.accounts.services import token_create
from ipps.core.audit import _jsonable, audit_created, snapshot

pytestmark = pytest.mark.django_db


def test_snapshot_has_every_concrete_field_but_secrets_as_json():
    user = User.objects.create_user("snap", password="Snap-pass-2026!")  # noqa: S106
    token, _raw = token_create(user=user, name="ci")

    shown = snapshot(user)
    expected = {f.name for f in User._meta.concrete_fields} - {"password"}
    assert set(shown) == expected
    assert shown["username"] == "snap" and shown["id"] == user.pk
    assert shown["date_joined"] == user.date_joined.isoformat()
    json.dumps(shown)  # JSON as it is

    token_shown = snapshot(token)
    assert "digest" not in token_shown
    assert token_shown["user"] == user.pk  # a related row by its id
    assert snapshot(token, fields=["name"]) == {"name": "ci"}


def test_the_audit_row_of_a_new_record_is_its_snapshot():
    user = User.objects.create_user("snap2", password="Snap-pass-2026!")  # noqa: S106
    event = audit_created(user, actor=None)
    assert event.changes == {"after": snapshot(user)}
    assert event.actor_id is None and event.object_id == str(user.pk)


def test_jsonable_values():
    at = dt.datetime(2026, 12, 6, 8, 30, tzinfo=dt.UTC)
    value = {
        "s": "专利",
        "n": 3,
        "b": True,
        "none": None,
        "f": 1.5,
        "at": at,
        "d": dt.date(2026, 12, 6),
        "money": decimal.Decimal("12.50"),
        "nested": {1: [at, (2, 3)]},
    }
    assert _jsonable(value) == {
        "s": "专利",
        "n": 3,
        "b": True,
        "none": None,
        "f": "1.5",
        "at": "2026-12-06T08:30:00+00:00",
        "d": "2026-12-06",
        "money": "12.50",
        "nested": {"1": ["2026-12-06T08:30:00+00:00", [2, 3]]},
    }
