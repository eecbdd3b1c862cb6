"""Service levels of requests: which policy applies and when a request falls due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from ipps.casework.models import ServiceRequest, SlaPolicy
from ipps.core.calendar import CalendarDataMissing, WorkingCalendar

# Used when no policy matches: the EU China IP SME Helpdesk's bar (3 working days) and a
# first response within one working day.
DEFAULT_FIRST_RESPONSE_HOURS = Decimal("7")
DEFAULT_RESOLUTION_DAYS = 3


def policy_for(
    request: ServiceRequest, policies: list[SlaPolicy] | None = None
) -> SlaPolicy | None:
    """The most specific active policy whose every set field matches the request."""
    if policies is None:
        policies = list(SlaPolicy.objects.filter(is_active=True))
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


def calendar(*, fallback: bool | None = None) -> WorkingCalendar:
    allow = settings.IPPS_CALENDAR_WEEKEND_FALLBACK if fallback is None else fallback
    return WorkingCalendar.load(allow_fallback=allow)


def compute_dues(request: ServiceRequest, policy: SlaPolicy | None, now: dt.datetime) -> None:
    """Set the due times from the intake time, the policy and the paused working time.

    One continuous clock from intake: escalation does not restart it; time spent waiting on the
    enterprise (closed pauses, and the pause under way) moves the resolution due time later.
    If the calendar has no data for a year, the weekends-only fallback is used and recorded on
    the request so that the UI shows it — a request is never refused for want of calendar data.
    """
    hours = policy.first_response_hours if policy else DEFAULT_FIRST_RESPONSE_HOURS
    days = policy.resolution_days if policy else DEFAULT_RESOLUTION_DAYS
    try:
        _set_dues(request, calendar(), hours, days, now)
        request.calendar_fallback = False
    except CalendarDataMissing:
        _set_dues(request, calendar(fallback=True), hours, days, now)
        request.calendar_fallback = True
    request.sla_policy = policy


def _set_dues(request, cal: WorkingCalendar, hours, days, now) -> None:
    paused = request.paused_seconds
    if request.paused_at is not None:
        paused += cal.working_seconds_between(request.paused_at, now)
    request.first_response_due = cal.add_working_hours(request.received_at, float(hours))
    base = cal.add_working_days(request.received_at, int(days))
    request.resolution_due = cal.add_working_hours(base, paused / 3600) if paused else base


def paused_working_seconds(request: ServiceRequest, now: dt.datetime) -> int:
    """Working seconds of the pause under way."""
    if request.paused_at is None:
        return 0
    cal = calendar(fallback=request.calendar_fallback or None)
    try:
        return cal.working_seconds_between(request.paused_at, now)
    except CalendarDataMissing:
        return calendar(fallback=True).working_seconds_between(request.paused_at, now)
