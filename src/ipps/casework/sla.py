"""Service levels of requests: which policy applies and when a request falls due.

Due times count working time on the working calendar. When the calendar has no data for a year the
request spans, the handling unit decides (`fallback_allowed`): either the due times count weekends
only and the request says so (`calendar_fallback`), or they stay empty and the request records the
missing year (`calendar_missing_year`) until an administrator imports it or allows the fallback.
Either way the request is saved: it is never refused for want of calendar data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ipps.casework.models import ServiceRequest, SlaPolicy
from ipps.core.calendar import (
    CalendarDataMissing,
    WorkingCalendar,
    fallback_allowed,
    tables_version,
)
from ipps.core.prepared import Prepared

# Used when no policy matches: the EU China IP SME Helpdesk's bar (3 working days) and a
# first response within one working day.
DEFAULT_FIRST_RESPONSE_HOURS = Decimal("7")
DEFAULT_RESOLUTION_DAYS = 3


_ACTIVE_POLICIES = Prepared(lambda: SlaPolicy.objects.filter(is_active=True).order_by())
_active: tuple[tuple, list[SlaPolicy]] | None = None  # (version, the policies as of it)


def rules_version() -> tuple[tuple, tuple]:
    """(policies, calendar): changes whenever what due times are computed from changes — a
    service-level policy, an override day of the calendar or an entered year is added, saved or
    removed. The second part is the calendar's own version (`WorkingCalendar.load`)."""
    from ipps.core.models import CalendarDay, CalendarYear

    both = tables_version(SlaPolicy, CalendarDay, CalendarYear)
    return both[:3], both[3:]


def active_policies(version: tuple) -> list[SlaPolicy]:
    """The active policies as of `version` (the first part of `rules_version()`, read by the
    caller), read again only when it has changed: intake reads the version anyway, and the
    policies change a few times a year. The instances are shared: read them, do not change them."""
    global _active
    if _active is None or _active[0] != version:
        _active = (version, _ACTIVE_POLICIES.all())
    return _active[1]


def policy_for(
    request: ServiceRequest, policies: list[SlaPolicy] | None = None
) -> SlaPolicy | None:
    """The most specific active policy whose every set field matches the request."""
    if policies is None:
        policies = _ACTIVE_POLICIES.all()
    unit_kind = (
        request.handling_unit.kind
        if request.originating_unit_id is None
        else (request.originating_unit.kind)
    )
    matching = [
        p
        for p in policies
        if p.is_active
        and p.unit_kind in ("", unit_kind)
        and p.priority in ("", request.priority)
        and p.category in ("", request.category)
    ]
    if not matching:
        return None
    return max(matching, key=lambda p: (p.specificity, -p.pk))


def calendar(*, fallback: bool = False, version: tuple | None = None) -> WorkingCalendar:
    return WorkingCalendar.load(allow_fallback=fallback, version=version)


def compute_dues(
    request: ServiceRequest,
    policy: SlaPolicy | None,
    now: dt.datetime,
    *,
    calendar_version: tuple | None = None,
) -> None:
    """Set the due times from the intake time, the policy and the paused working time.

    One continuous clock from intake: escalation does not restart it; time spent waiting on the
    enterprise (closed pauses, and the pause under way) moves the resolution due time later.
    A year without calendar data: see the module's docstring.
    """
    hours = policy.first_response_hours if policy else DEFAULT_FIRST_RESPONSE_HOURS
    days = policy.resolution_days if policy else DEFAULT_RESOLUTION_DAYS
    request.sla_policy = policy
    try:
        _set_dues(request, calendar(version=calendar_version), hours, days, now)
        request.calendar_fallback = False
    except CalendarDataMissing as exc:
        if not fallback_allowed(request.handling_unit):
            request.first_response_due = None
            request.resolution_due = None
            request.calendar_fallback = False
            request.calendar_missing_year = exc.year
            return
        _set_dues(request, calendar(fallback=True, version=calendar_version), hours, days, now)
        request.calendar_fallback = True
    request.calendar_missing_year = None


def _set_dues(request, cal: WorkingCalendar, hours, days, now) -> None:
    """All or nothing: a CalendarDataMissing leaves the request as it was."""
    uncounted = sum(
        cal.working_seconds_between(
            dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
        )
        for start, end in request.uncounted_pauses
    )
    paused = request.paused_seconds + uncounted
    if request.paused_at is not None:
        paused += cal.working_seconds_between(request.paused_at, now)
    first_response_due = cal.add_working_hours(request.received_at, float(hours))
    base = cal.add_working_days(request.received_at, int(days))
    resolution_due = cal.add_working_hours(base, paused / 3600) if paused else base
    request.first_response_due = first_response_due
    request.resolution_due = resolution_due
    if request.uncounted_pauses:
        request.paused_seconds += uncounted
        request.uncounted_pauses = []


def paused_working_seconds(request: ServiceRequest, now: dt.datetime) -> int:
    """Working seconds of the pause under way, on the handling unit's calendar.

    Raises CalendarDataMissing when the calendar lacks a year of the pause and the unit does not
    allow the weekends-only fallback.
    """
    if request.paused_at is None:
        return 0
    try:
        return calendar().working_seconds_between(request.paused_at, now)
    except CalendarDataMissing:
        if not fallback_allowed(request.handling_unit):
            raise
        request.calendar_fallback = True
        return calendar(fallback=True).working_seconds_between(request.paused_at, now)


def end_pause(request: ServiceRequest, now: dt.datetime) -> None:
    """Stop the pause under way: add its working time, or keep its bounds until it can be counted
    (`compute_dues` counts them once the calendar allows; until then the due times stay empty)."""
    if request.paused_at is None:
        return
    try:
        request.paused_seconds += paused_working_seconds(request, now)
    except CalendarDataMissing:
        request.uncounted_pauses = [
            *request.uncounted_pauses,
            [request.paused_at.isoformat(), now.isoformat()],
        ]
    request.paused_at = None


def judge_late_dues(request: ServiceRequest) -> None:
    """Breaches of a request that got its due times only after it was answered."""
    if (
        request.first_response_due
        and request.first_responded_at
        and request.first_responded_at > request.first_response_due
    ):
        request.breached_response = True
    if (
        request.resolution_due
        and request.resolved_at
        and request.resolved_at > request.resolution_due
    ):
        request.breached_resolution = True


def warning_calendar(request: ServiceRequest) -> WorkingCalendar:
    """The calendar used to time the warning before a due time: the handling unit's."""
    return calendar(fallback=fallback_allowed(request.handling_unit))
