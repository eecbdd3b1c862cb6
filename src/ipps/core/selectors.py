"""Reads of core: the audit log as auditors see it, and what each person's home page shows."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ipps.core.audit import audit_verify
from ipps.core.models import AuditEvent
from ipps.network.choices import BUSINESS_ROLES, Role
from ipps.network.scope import has_role, roles_of

AUDIT_ROLES = (Role.AUDITOR, Role.SECURITY_ADMIN)


# Requests of their own a portal user's home page lists, newest first.
PORTAL_HOME_REQUESTS = 5


def audit_can_view(user) -> bool:
    """Auditors and security administrators (on any unit) and superusers read the whole log."""
    return bool(user is not None and user.is_authenticated and has_role(user, *AUDIT_ROLES))


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    text: str = ""


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events(*, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """The audit log, newest first, narrowed by `filters` (dates are whole local days)."""
    f = filters or AuditFilter()
    qs = AuditEvent.objects.order_by("-id")
    if f.actor:
        qs = qs.filter(actor_name__icontains=f.actor)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.date_from:
        qs = qs.filter(at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_day_start(f.date_to + datetime.timedelta(days=1)))
    if f.text:
        qs = qs.filter(object_repr__icontains=f.text)
    return qs


def audit_object_types() -> list[str]:
    """The object types that occur in the log, for the filter's choices."""
    return sorted(
        t
        for t in AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
        if t
    )


@dataclass(frozen=True)
class ChangeRow:
    field: str
    before: Any
    after: Any


def audit_change_rows(changes: dict[str, Any] | None) -> tuple[list[ChangeRow], dict[str, Any]]:
    """Split an event's `changes` into before/after rows per field and any other details."""
    changes = changes or {}
    before = changes.get("before") if isinstance(changes.get("before"), dict) else {}
    after = changes.get("after") if isinstance(changes.get("after"), dict) else {}
    names = list(dict.fromkeys([*before, *after]))
    rows = [ChangeRow(n, _display(before.get(n)), _display(after.get(n))) for n in names]
    extra = {
        k: _display(v)
        for k, v in changes.items()
        if k not in ("before", "after") or not isinstance(v, dict)
    }
    return rows, extra


def _display(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class ChainStatus:
    checked: int
    ok: bool
    broken_id: int | None = None
    reason: str = ""


def audit_chain_status() -> ChainStatus:
    """Verify the hash chain now (reads every row)."""
    checked, broken = audit_verify()
    if broken is None:
        return ChainStatus(checked=checked, ok=True)
    reasons = {
        "previous hash does not match the row before": _(
            "its previous hash does not match the row before it (a row was deleted or inserted)"
        ),
        "content does not match its hash": _(
            "its content does not match its hash (the row was changed)"
        ),
    }
    return ChainStatus(
        checked=checked,
        ok=False,
        broken_id=broken.event_id,
        reason=reasons.get(broken.reason, broken.reason),
    )


# --- home page -------------------------------------------------------------------------------


@dataclass
class HomeSummary:
    """What one person's home page shows; sections are empty for roles the person lacks."""

    is_business_staff: bool = False
    memberships: list[Any] = field(default_factory=list)
    liaison_units: list[Any] = field(default_factory=list)
    enterprise_count: int = 0
    priority_count: int = 0
    year: int = 0
    is_auditor: bool = False
    latest_events: list[AuditEvent] = field(default_factory=list)
    company: Any = None
    totals: dict[str, int] | None = None


def home_summary(*, user) -> HomeSummary:
    from ipps.enterprises.models import Enterprise, PriorityListing
    from ipps.network.models import Membership, ServiceUnit

    year = timezone.localdate().year
    summary = HomeSummary(year=year)
    roles = roles_of(user)
    if user.is_superuser or roles & BUSINESS_ROLES:
        summary.is_business_staff = True
        summary.memberships = list(
            Membership.objects.filter(user=user)
            .select_related("unit")
            .order_by("unit__code", "role")
        )
        summary.liaison_units = [m.unit for m in summary.memberships if m.role == Role.LIAISON]
        if summary.liaison_units:
            counts = dict(
                Enterprise.objects.visible_to(user)
                .active()
                .filter(workstation__in=summary.liaison_units)
                .order_by()
                .values_list("workstation")
                .annotate(n=Count("id"))
            )
            for unit in summary.liaison_units:
                unit.enterprise_count = counts.get(unit.pk, 0)
        summary.enterprise_count = Enterprise.objects.visible_to(user).active().count()
        summary.priority_count = PriorityListing.objects.visible_to(user).filter(year=year).count()
    if audit_can_view(user):
        summary.is_auditor = True
        summary.latest_events = list(audit_events()[:10])
    if getattr(user, "enterprise_id", None):
        summary.company = (
            Enterprise.objects.visible_to(user)
            .select_related("workstation")
            .filter(pk=user.enterprise_id)
            .first()
        )
        if summary.company is not None:
            from ipps.casework.selectors import request_list

            mine = request_list(user=user, ordering="-received").filter(
                enterprise_id=user.enterprise_id
            )
            summary.my_requests = list(mine[:PORTAL_HOME_REQUESTS])
            summary.my_request_count = mine.count() if summary.my_requests else 0
    if user.is_superuser:
        from ipps.accounts.models import User

        units = ServiceUnit.objects.active().aggregate(
            municipal=Count("id", filter=Q(kind="municipal_centre")),
            districts=Count("id", filter=Q(kind="district_centre")),
            workstations=Count("id", filter=Q(kind="workstation")),
            partners=Count("id", filter=Q(kind="partner")),
        )
        summary.totals = {
            **units,
            "enterprises": Enterprise.objects.active().count(),
            "priority": PriorityListing.objects.filter(year=year).count(),
            "staff": User.objects.filter(is_active=True, memberships__isnull=False)
            .distinct()
            .count(),
            "portal_users": User.objects.filter(is_active=True, enterprise__isnull=False).count(),
        }
    return summary
