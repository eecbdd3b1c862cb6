"""Writing and verifying the audit log.

Rows are chained: each row's hash covers its content and the previous row's hash, so an edited,
inserted or deleted row breaks the chain at that point and `ipps audit verify` names it.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import operator
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from ipps.core import utc
from ipps.core.models import AuditEvent
from ipps.core.prepared import Prepared, build, insert

GENESIS = "0" * 64
_PG_LOCK_KEY = 4_771_001  # advisory lock that serialises appends to the chain on PostgreSQL


# Most values of a record are one of these exactly: returned as they are at the first test.
_PLAIN = frozenset({str, int, bool, type(None)})


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if kind is datetime.datetime and value.tzinfo is not None:
        return utc.isoformat(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


_SECRET_FIELDS = frozenset({"password", "digest"})


@functools.cache
def _snapshot_fields(model: type[models.Model]) -> tuple:
    """(name, how to read the value) for each concrete field of `model` an audit row shows: the
    attribute where the field's class reads it as `Field.value_from_object` does."""
    fields = []
    for field in model._meta.concrete_fields:
        if field.name in _SECRET_FIELDS:
            continue
        if type(field).value_from_object is models.Field.value_from_object:
            read = operator.attrgetter(field.attname)
        else:
            read = field.value_from_object
        fields.append((field.name, read))
    return tuple(fields)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a record, JSON-ready, for the before/after of an audit row."""
    names = set(fields) if fields is not None else None
    jsonable, plain = _jsonable, _PLAIN
    data: dict[str, Any] = {}
    for name, read in _snapshot_fields(type(instance)):
        if names is not None and name not in names:
            continue
        value = read(instance)
        data[name] = value if type(value) in plain else jsonable(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only what changed, as {"before": {...}, "after": {...}}."""
    keys = [k for k in after if before.get(k) != after.get(k) and k not in {"updated_at"}]
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after.get(k) for k in keys}}


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


# Every audited act reads the chain's last hash: compiled once.
_LAST_HASH = Prepared(lambda: AuditEvent.objects.order_by("-id").values_list("hash", flat=True)[:1])


def audit_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    request=None,
    actor_name: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one row to the audit log, inside the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_name = actor_name or actor.get_username()
    else:
        actor = None
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = _LAST_HASH.first()
        event = build(
            AuditEvent,
            actor_id=actor.pk if actor is not None else None,  # by id: no related-object checks
            actor_name=actor_name[:150],
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            object_repr=str(object_repr)[:255],
            changes=_jsonable(changes or {}),
            ip_address=client_ip(request),
            prev_hash=last or GENESIS,
        )
        event.hash = event.compute_hash()
        insert(event)
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def audit_verify(*, batch_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the chain from the first row; return rows checked and the first break, if any."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return checked, None
        for event in batch:
            if event.prev_hash != expected_prev:
                return checked, ChainBreak(event.id, "previous hash does not match the row before")
            if event.compute_hash() != event.hash:
                return checked, ChainBreak(event.id, "content does not match its hash")
            expected_prev = event.hash
            checked += 1
            last_id = event.id


def audit_created(obj: models.Model, *, actor, request=None) -> AuditEvent:
    """The audit row of a new record: its whole content as `after`."""
    return audit_record(
        action="create", actor=actor, obj=obj, changes={"after": snapshot(obj)}, request=request
    )


def audit_changed(
    obj: models.Model, before: dict[str, Any], *, actor, action: str = "update", request=None
) -> AuditEvent:
    """The audit row of a change: only the fields that differ from `before`."""
    return audit_record(
        action=action, actor=actor, obj=obj, changes=diff(before, snapshot(obj)), request=request
    )
