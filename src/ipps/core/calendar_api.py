"""GET /calendar/days and GET /calendar/add: the working calendar for programs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from ipps.core.api import Error
from ipps.core.calendar import WorkingCalendar
from ipps.core.errors import ServiceError

router = Router(tags=["calendar"])


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


class DaysOut(Schema):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    working_days: int
    fallback_used: bool
    items: list[DayOut]


class DaysQuery(Schema):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    fallback: bool = Field(
        False, description="Allow the weekends-only fallback for years without data"
    )


class AddQuery(Schema):
    start: dt.datetime = Field(
        description="ISO 8601; without an offset it is read as Asia/Shanghai time"
    )
    working_days: int | None = Field(None, ge=0, le=2000)
    working_hours: float | None = Field(None, ge=0, le=20000)
    fallback: bool = False


class AddOut(Schema):
    start: dt.datetime
    due: dt.datetime
    working_days: int | None
    working_hours: float | None
    fallback_used: bool


@router.get("/calendar/days", response={200: DaysOut, 401: Error, 422: Error}, by_alias=True)
def calendar_days(request, query: Query[DaysQuery]):
    """Each day from `from` to `to`: working or not, and why."""
    calendar = WorkingCalendar.load(allow_fallback=query.fallback)
    items = calendar.days(query.start, query.end)
    return {
        "from": query.start,
        "to": query.end,
        "working_days": sum(1 for d in items if d.working),
        "fallback_used": any(d.source == "fallback" for d in items),
        "items": items,
    }


@router.get("/calendar/add", response={200: AddOut, 401: Error, 422: Error})
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
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    calendar = WorkingCalendar.load(allow_fallback=query.fallback)
    if query.working_days is not None:
        due = calendar.add_working_days(start, query.working_days)
        first = calendar.next_working_instant(start) if query.working_days else start
    else:
        due = calendar.add_working_hours(start, query.working_hours)
        first = start
    span = calendar.days(
        min(first, due).astimezone(calendar.tz).date(), due.astimezone(calendar.tz).date()
    )
    return {
        "start": start,
        "due": due.astimezone(calendar.tz),
        "working_days": query.working_days,
        "working_hours": query.working_hours,
        "fallback_used": any(d.source == "fallback" for d in span),
    }
