"""GET /calendar/days and GET /calendar/add: the working calendar for programs."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from ipps.core.api import Error
from ipps.core.calendar import CalendarDataMissing, WorkingCalendar, fallback_allowed
from ipps.core.errors import ServiceError
from ipps.network.models import ServiceUnit

router = Router(tags=["calendar"])

# The first year with a standard time in the zones the network uses (Asia/Shanghai: 1901).
FIRST_YEAR = 1901


class DayOut(Schema):
    date: dt.date
    working: bool
    reason: str = Field(
        description="workday, weekend, holiday, makeup_workday, override_day_off, override_workday"
    )
    source: str = Field(
        description="statutory (chinesecalendar), override (entered by an administrator) or fallback (weekends only)"
    )
    label: str


UNIT_DESCRIPTION = (
    "A service unit's id: its setting (calendar_weekend_fallback) decides whether years without "
    "data count weekends only. Do not combine with fallback=true."
)
FALLBACK_DESCRIPTION = (
    "Without unit: allow the weekends-only fallback for years without data (default false)."
)


class DaysOut(Schema):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    unit_id: int | None = Field(description="The unit whose setting decided the fallback.")
    fallback_allowed: bool = Field(description="Whether years without data count weekends only.")
    working_days: int
    fallback_used: bool
    items: list[DayOut]


class DaysQuery(Schema):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    unit: int | None = Field(None, description=UNIT_DESCRIPTION)
    fallback: bool = Field(False, description=FALLBACK_DESCRIPTION)


class AddQuery(Schema):
    start: dt.datetime = Field(
        description="ISO 8601; without an offset it is read as Asia/Shanghai time"
    )
    working_days: int | None = Field(None, ge=0, le=2000)
    working_hours: float | None = Field(None, ge=0, le=20000)
    unit: int | None = Field(None, description=UNIT_DESCRIPTION)
    fallback: bool = Field(False, description=FALLBACK_DESCRIPTION)


class AddOut(Schema):
    start: dt.datetime
    due: dt.datetime
    working_days: int | None
    working_hours: float | None
    unit_id: int | None = Field(description="The unit whose setting decided the fallback.")
    fallback_allowed: bool = Field(description="Whether years without data count weekends only.")
    fallback_used: bool


def _calendar_for(request, query) -> tuple[WorkingCalendar, object | None]:
    """The unit's calendar (its setting decides the fallback), or the one `fallback` asks for."""
    if query.unit is None:
        return WorkingCalendar.load(allow_fallback=query.fallback), None
    if query.fallback:
        raise ServiceError(
            "validation_error",
            _("Give either unit or fallback: with a unit, the unit's setting decides."),
            field="fallback",
            status=422,
        )
    unit = get_object_or_404(ServiceUnit.objects.visible_to(request.auth), pk=query.unit)
    return WorkingCalendar.load(allow_fallback=fallback_allowed(unit)), unit


def _missing(exc: CalendarDataMissing, unit) -> CalendarDataMissing:
    """The error again, saying how this caller can fix it."""
    if unit is not None:
        return CalendarDataMissing(exc.year, unit=unit.name)
    return CalendarDataMissing(
        exc.year, hint=_("Ask with a unit that allows it, or with fallback=true.")
    )


@router.get(
    "/calendar/days",
    response={200: DaysOut, 400: Error, 401: Error, 404: Error, 422: Error},
    by_alias=True,
)
def calendar_days(request, query: Query[DaysQuery]):
    """Each day from `from` to `to`: working or not, and why (`source: fallback` where the
    weekends-only calendar stood in for a year without data)."""
    calendar, unit = _calendar_for(request, query)
    try:
        items = calendar.days(query.start, query.end)
    except CalendarDataMissing as exc:
        raise _missing(exc, unit) from None
    return {
        "from": query.start,
        "to": query.end,
        "unit_id": unit.pk if unit else None,
        "fallback_allowed": calendar.allow_fallback,
        "working_days": sum(1 for d in items if d.working),
        "fallback_used": any(d.source == "fallback" for d in items),
        "items": items,
    }


@router.get("/calendar/add", response={200: AddOut, 400: Error, 401: Error, 404: Error, 422: Error})
def calendar_add(request, query: Query[AddQuery]):
    """The due time: `start` plus N working days or N working hours."""
    if (query.working_days is None) == (query.working_hours is None):
        raise ServiceError(
            "validation_error",
            _("Give exactly one of working_days and working_hours."),
            field="working_days",
            status=422,
        )
    start = query.start
    if start.year < FIRST_YEAR:
        # Before standard time the zone's offset has seconds (+08:05:43), which no ISO time shows.
        raise ServiceError(
            "out_of_range",
            _("Give a start in %(year)d or later.") % {"year": FIRST_YEAR},
            field="start",
            status=422,
        )
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    calendar, unit = _calendar_for(request, query)
    try:
        if query.working_days is not None:
            due = calendar.add_working_days(start, query.working_days)
            first = calendar.next_working_instant(start) if query.working_days else start
        else:
            due = calendar.add_working_hours(start, query.working_hours)
            first = start
        span = calendar.days(
            min(first, due).astimezone(calendar.tz).date(), due.astimezone(calendar.tz).date()
        )
    except CalendarDataMissing as exc:
        raise _missing(exc, unit) from None
    return {
        "start": start,
        "due": due.astimezone(calendar.tz),
        "working_days": query.working_days,
        "working_hours": query.working_hours,
        "unit_id": unit.pk if unit else None,
        "fallback_allowed": calendar.allow_fallback,
        "fallback_used": any(d.source == "fallback" for d in span),
    }
