"""`ipps audit verify` finds changed and removed rows; the database refuses changes to begin with."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from ipps.core.audit import audit_record
from ipps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    return [
        audit_record(action="update", actor_name="tester", object_type="t.thing", object_id=str(i),
                     object_repr=f"thing {i}", changes={"after": {"n": i}})
        for i in range(5)
    ]  # fmt: skip


def disable_append_only_trigger():
    """What an attacker with database access would do first (undone by the test's rollback)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_verify_reports_rows_checked_and_ok(chain):
    total = AuditEvent.objects.count()
    assert verify().strip() == f"{total} rows checked. OK"


def test_verify_on_an_empty_log():
    assert verify().strip() == "0 rows checked. OK"


def test_database_refuses_to_update_audit_rows(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["forged", chain[2].pk])
    assert AuditEvent.objects.get(pk=chain[2].pk).object_repr == "thing 2"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's trigger covers UPDATE only")
def test_postgresql_refuses_to_delete_audit_rows(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM core_auditevent WHERE id = %s", [chain[2].pk])


def test_orm_refuses_to_change_or_delete(chain):
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=chain[0].pk).update(object_repr="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=chain[0].pk).delete()
    with pytest.raises(TypeError):
        chain[0].save()
    with pytest.raises(TypeError):
        chain[0].delete()


def test_verify_names_a_changed_row(chain):
    disable_append_only_trigger()
    raw("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["forged", chain[2].pk])
    with pytest.raises(CommandError) as exc:
        verify()
    assert exc.value.returncode == 1
    message = str(exc.value)
    assert f"row {chain[2].pk}" in message
    assert "content does not match its hash" in message


def test_verify_names_a_changed_row_even_when_its_hash_is_recomputed(chain):
    disable_append_only_trigger()
    forged = AuditEvent.objects.get(pk=chain[2].pk)
    forged.object_repr = "forged"
    raw(
        "UPDATE core_auditevent SET object_repr = %s, hash = %s WHERE id = %s",
        ["forged", forged.compute_hash(), forged.pk],
    )
    with pytest.raises(CommandError) as exc:
        verify()
    # The next row still points at the old hash.
    assert f"row {chain[3].pk}" in str(exc.value)
    assert "previous hash" in str(exc.value)


def test_verify_detects_a_deleted_middle_row(chain):
    disable_append_only_trigger()
    raw("DELETE FROM core_auditevent WHERE id = %s", [chain[2].pk])
    with pytest.raises(CommandError) as exc:
        verify()
    assert exc.value.returncode == 1
    assert f"row {chain[3].pk}" in str(exc.value)
    assert "previous hash does not match" in str(exc.value)


def head() -> str:
    out = StringIO()
    call_command("audit", "head", stdout=out)
    return out.getvalue().split()[0]


def test_head_prints_the_newest_row_as_an_anchor(chain):
    event_id, digest = head().split(":")
    last = AuditEvent.objects.order_by("-id").first()
    assert int(event_id) == last.pk and digest == last.hash


def test_an_anchor_catches_rows_cut_from_the_end(chain):
    anchor = head()
    out = StringIO()
    call_command("audit", "verify", "--anchor", anchor, stdout=out)
    assert out.getvalue().strip() == f"{len(chain)} rows checked, 1 anchor(s) found unchanged. OK"

    disable_append_only_trigger()
    raw("DELETE FROM core_auditevent WHERE id >= %s", [chain[3].pk])
    assert verify().strip() == "3 rows checked. OK"  # the chain alone cannot tell
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", "--anchor", anchor)
    assert exc.value.returncode == 1
    assert f"Anchor row {chain[-1].pk} is MISSING" in str(exc.value)


def test_an_anchor_catches_a_rewritten_tail(chain):
    anchor = head()
    disable_append_only_trigger()
    # Rewrite the last row and recompute its hash: the chain is valid again, the anchor is not.
    last = AuditEvent.objects.get(pk=chain[-1].pk)
    last.object_repr = "forged"
    raw(
        "UPDATE core_auditevent SET object_repr = %s, hash = %s WHERE id = %s",
        ["forged", last.compute_hash(), last.pk],
    )
    assert "OK" in verify()
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", "--anchor", anchor)
    assert "DIFFERENT hash" in str(exc.value)


def test_a_malformed_anchor_is_a_clear_error(chain):
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", "--anchor", "12")
    assert "An anchor is ID:HASH" in str(exc.value)
