"""Writes about the network's units: create, change, open/suspend/close. Each one audited.

Roles (memberships) are granted and revoked by `ipps.accounts.services.membership_grant` /
`membership_revoke`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipps.core.audit import audit_created, audit_record, diff, snapshot
from ipps.core.calendar import calendar_changed_on_commit
from ipps.core.choices import AuditAction
from ipps.core.errors import ServiceError
from ipps.network.choices import UnitKind, UnitStatus
from ipps.network.models import ALLOWED_PARENT_KIND, ServiceUnit

# The fields a caller may set; timestamps, created_by and the status dates are the services' own.
UNIT_FIELDS = (
    "kind",
    "code",
    "parent",
    "name_zh",
    "name_en",
    "host_park",
    "district",
    "region",
    "address",
    "latitude",
    "longitude",
    "phone",
    "email",
    "opening_hours",
    "offers_offline",
    "offers_online",
    "online_url",
    "calendar_weekend_fallback",
    "status",
    "opened_on",
)
# On an existing unit, the code is its stable identifier and the status moves via unit_set_status.
UNIT_CHANGEABLE_FIELDS = tuple(f for f in UNIT_FIELDS if f != "code")


def _normalise_keys(values: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    data = dict(values)
    if "parent_id" in data:
        parent_id = data.pop("parent_id")
        data["parent"] = (
            None if parent_id is None else ServiceUnit.objects.filter(pk=parent_id).first()
        )
        if parent_id is not None and data["parent"] is None:
            raise ValidationError({"parent": _("The parent unit does not exist.")})
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ServiceError(
            "unknown_field",
            _("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)},
            field=unknown[0],
        )
    for name in ("name_zh", "name_en", "code", "host_park", "address", "phone", "opening_hours"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    return data


def check_sub_units(unit: ServiceUnit) -> None:
    """The unit's existing sub-units must still fit under it (kind and district); raises ValidationError."""
    if unit.pk is None:
        return
    errors: dict[str, list[str]] = {}
    children = list(unit.children.order_by("code"))
    misfits = [c for c in children if ALLOWED_PARENT_KIND.get(c.kind) != unit.kind]
    if misfits:
        errors.setdefault("kind", []).append(
            _("A %(kind)s cannot hold the sub-units %(codes)s; move them first.")
            % {"kind": UnitKind(unit.kind).label, "codes": ", ".join(c.code for c in misfits)}
        )
    if unit.kind == UnitKind.DISTRICT_CENTRE and unit.district:
        elsewhere = [
            c for c in children if c.kind == UnitKind.WORKSTATION and c.district != unit.district
        ]
        if elsewhere:
            errors.setdefault("district", []).append(
                _(
                    "The workstations %(codes)s lie in another district; a district centre and its "
                    "workstations share one district."
                )
                % {"codes": ", ".join(c.code for c in elsewhere)}
            )
    if errors:
        raise ValidationError(errors)


def check_no_cycle(unit: ServiceUnit, parent: ServiceUnit | None) -> None:
    """Refuse a parent that is the unit itself or lies below it, on the parent field.

    (django-tree-queries' own check would answer first with a form-wide message.)
    """
    if unit.pk is None or parent is None:
        return
    node, seen = parent, set()
    while node is not None and node.pk not in seen:
        if node.pk == unit.pk:
            raise ValidationError(
                {"parent": _("A unit cannot sit under itself or one of its own sub-units.")}
            )
        seen.add(node.pk)
        node = node.parent


def _check_move(unit: ServiceUnit, old_parent_id: int | None, acting_user) -> None:
    """Moving a unit needs the right to change the unit it moves under."""
    if acting_user is None or unit.parent_id == old_parent_id or unit.parent_id is None:
        return
    allowed = ServiceUnit.objects.restrict(acting_user, "change").filter(pk=unit.parent_id)
    if not allowed.exists():
        raise ValidationError(
            {"parent": _("You can only move a unit under a unit that you administer.")}
        )


def _apply_status(unit: ServiceUnit, status: str, on_date: datetime.date) -> None:
    if status not in UnitStatus.values:
        raise ValidationError({"status": _("Unknown status: %(v)s.") % {"v": status}})
    if status == UnitStatus.CLOSED and unit.status != UnitStatus.CLOSED and unit.pk is not None:
        open_children = unit.children.exclude(status=UnitStatus.CLOSED).order_by("code")
        codes = list(open_children.values_list("code", flat=True)[:10])
        if codes:
            raise ValidationError(
                {
                    "status": _("Close or move the sub-units %(codes)s before closing this unit.")
                    % {"codes": ", ".join(codes)}
                }
            )
    if unit.opened_on and on_date < unit.opened_on:
        raise ValidationError(
            {
                "status": _("The status cannot change before the unit opened (%(d)s).")
                % {"d": unit.opened_on}
            }
        )
    unit.status = status
    unit.status_changed_on = on_date
    unit.closed_on = on_date if status == UnitStatus.CLOSED else None


@transaction.atomic
def unit_create(*, data: dict[str, Any], acting_user, request=None) -> ServiceUnit:
    """Create a unit after checking the tree rules (ServiceUnit.clean); raises ValidationError."""
    values = _normalise_keys(data, UNIT_FIELDS)
    unit = ServiceUnit(**values, created_by=acting_user if _is_user(acting_user) else None)
    if unit.status != UnitStatus.ACTIVE:
        unit.status_changed_on = unit.opened_on or timezone.localdate()
        unit.closed_on = unit.status_changed_on if unit.status == UnitStatus.CLOSED else None
    unit.full_clean()
    _check_move(unit, None, acting_user)
    unit.save()
    audit_created(unit, actor=acting_user, request=request)
    return unit


@transaction.atomic
def unit_update(
    *, unit: ServiceUnit, changes: dict[str, Any], acting_user, request=None
) -> ServiceUnit:
    """Change a unit's profile or place in the tree.

    Refuses (ValidationError, by field) a tree the model does not allow: a workstation under a
    workstation, a cycle, a workstation outside its district centre's district, a partner without a
    region; and sub-units that would no longer fit. A `status` in `changes` moves the status as
    `unit_set_status` does, dated `status_on` (today if absent). On refusal `unit` is left as it was.
    """
    values = dict(changes)
    status_on = values.pop("status_on", None)
    if "code" in values and values["code"] != unit.code:
        raise ServiceError(
            "code_is_stable",
            _("A unit's code is its stable identifier and cannot be changed."),
            field="code",
        )
    values.pop("code", None)
    values = _normalise_keys(values, UNIT_CHANGEABLE_FIELDS)
    before = snapshot(unit)
    saved = {f.attname: getattr(unit, f.attname) for f in unit._meta.concrete_fields}
    saved_parent = unit.parent
    old_parent_id = unit.parent_id
    try:
        new_status = values.pop("status", unit.status)
        for name, value in values.items():
            setattr(unit, name, value)
        if new_status != unit.status:
            _apply_status(unit, new_status, status_on or timezone.localdate())
        check_no_cycle(unit, unit.parent)
        unit.full_clean()
        check_sub_units(unit)
        _check_move(unit, old_parent_id, acting_user)
    except (ValidationError, ServiceError):
        for attname, value in saved.items():
            setattr(unit, attname, value)
        unit.parent = saved_parent
        raise
    after = snapshot(unit)
    changed = diff(before, after)
    if not changed["after"]:
        return unit
    unit.save()
    if unit.parent_id != old_parent_id or "kind" in changed["after"]:
        # A move changes which subtrees the unit's acts count in; a change of kind, whether the
        # unit keeps subtree rows of its own (ipps.ledger.rollups.LEAF_KINDS).
        from django.db import connection

        from ipps.ledger.rollups import refresh_subtrees

        refresh_subtrees(connection)
    if "calendar_weekend_fallback" in changed["after"]:
        # The unit's open requests get (or lose) due times counted on weekends only.
        calendar_changed_on_commit(unit_ids=[unit.pk])
    audit_record(
        action=AuditAction.UPDATE,
        actor=acting_user,
        obj=unit,
        changes=changed,
        request=request,
    )
    return unit


@transaction.atomic
def unit_set_status(
    *,
    unit: ServiceUnit,
    status: str,
    on_date: datetime.date | None = None,
    acting_user,
    request=None,
) -> ServiceUnit:
    """Open, suspend or close a unit as of `on_date` (today if None); a closed unit keeps its record."""
    if status == unit.status:
        return unit
    before = snapshot(unit, ["status", "status_changed_on", "closed_on"])
    saved = (unit.status, unit.status_changed_on, unit.closed_on)
    try:
        _apply_status(unit, status, on_date or timezone.localdate())
        unit.full_clean()
    except ValidationError:
        unit.status, unit.status_changed_on, unit.closed_on = saved
        raise
    unit.save(update_fields=["status", "status_changed_on", "closed_on", "updated_at"])
    audit_record(
        action=AuditAction.UPDATE,
        actor=acting_user,
        obj=unit,
        changes=diff(before, snapshot(unit, ["status", "status_changed_on", "closed_on"])),
        request=request,
    )
    return unit


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)
