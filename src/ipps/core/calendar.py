"""The working calendar: which days are working days in China and when a service level falls due.

Statutory holidays and make-up workdays come from the `chinesecalendar` package, administrators'
overrides (`CalendarDay`) win over it, and a year the package does not know must be entered by
hand (`CalendarYear`) unless the caller explicitly allows a weekends-only fallback (for due times:
the handling unit's setting, `fallback_allowed`). Guessing is never silent: the answer says where
it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from ipps.core.errors import ServiceError

MAX_SPAN_DAYS = 3660  # ten years: bounds every walk over the calendar


class CalendarDataMissing(ServiceError):
    status = 422

    def __init__(self, year: int, *, unit=None, hint: str = ""):
        if unit is not None:
            message = _(
                "The working calendar has no data for %(year)d. An administrator must import that "
                "year's holidays and make-up workdays (ipps calendar import, or Administration → "
                "Calendar years), or allow the weekends-only calendar for %(unit)s."
            ) % {"year": year, "unit": unit}
        else:
            message = _(
                "The working calendar has no data for %(year)d. An administrator must import that "
                "year's holidays and make-up workdays (ipps calendar import, or Administration → "
                "Calendar years), or allow the weekends-only calendar."
            ) % {"year": year}
        super().__init__("calendar_year_missing", f"{message} {hint}".strip(), field="date")
        self.year = year


# Sent (after commit) when what the calendar answers may have changed: override days, an entered
# year, or units' permission to fall back on weekends only. `unit_ids`: the units concerned, or None
# for all. Casework connects to it to compute due times again; core never imports casework.
working_calendar_changed = Signal()


def calendar_changed_on_commit(*, unit_ids: list[int] | None = None) -> None:
    """Announce a change of the working calendar once the current transaction commits."""
    transaction.on_commit(
        lambda: working_calendar_changed.send(sender=WorkingCalendar, unit_ids=unit_ids)
    )


def fallback_allowed(unit) -> bool:
    """Whether `unit`'s due times may count weekends only in a year without calendar data.

    The unit's own setting decides; IPPS_CALENDAR_WEEKEND_FALLBACK=1 allows it for every unit.
    """
    return bool(
        settings.IPPS_CALENDAR_WEEKEND_FALLBACK or getattr(unit, "calendar_weekend_fallback", False)
    )


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    working: bool
    reason: (
        str  # workday | weekend | holiday | makeup_workday | override_day_off | override_workday
    )
    source: str  # statutory | override | fallback
    label: str = ""


def parse_office_hours(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """'09:00-12:00,13:30-17:30' → ((09:00, 12:00), (13:30, 17:30)); ordered, non-overlapping."""
    spans = []
    for part in text.split(","):
        start, end = (dt.time.fromisoformat(x.strip()) for x in part.split("-"))
        if end <= start:
            raise ValueError(f"office hours {part!r}: the end must be after the start")
        spans.append((start, end))
    spans.sort()
    for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
        if s2 < e1:
            raise ValueError("office hours overlap")
    return tuple(spans)


_LOADED: dict[tuple, tuple[tuple, WorkingCalendar]] = {}


def tables_version(*models) -> tuple:
    """Changes whenever a row of these (time-stamped) models is added, changed or removed."""
    from ipps.core.prepared import fetch_all

    parts = ", ".join(
        f"(SELECT COUNT(*) FROM {t}), (SELECT MAX(updated_at) FROM {t}), "  # noqa: S608
        f"(SELECT MAX(id) FROM {t})"
        for t in (m._meta.db_table for m in models)
    )
    return tuple(fetch_all(f"SELECT {parts}")[0])  # noqa: S608 - our own table names


class WorkingCalendar:
    """Working days and office hours; every computation happens in the configured time zone."""

    def __init__(
        self,
        *,
        overrides: dict[dt.date, tuple[bool, str]] | None = None,
        entered_years: set[int] | None = None,
        allow_fallback: bool = False,
        office_hours: tuple[tuple[dt.time, dt.time], ...] | None = None,
        tz: str | None = None,
    ):
        self.overrides = overrides or {}
        self.entered_years = entered_years or set()
        self.allow_fallback = allow_fallback
        self.office_hours = office_hours or parse_office_hours(settings.IPPS_OFFICE_HOURS)
        self.tz = ZoneInfo(tz or settings.TIME_ZONE)
        self._days: dict[dt.date, DayInfo] = {}

    @classmethod
    def load(cls, *, allow_fallback: bool = False, version: tuple | None = None) -> WorkingCalendar:
        """The calendar as the database has it now; shared within a process while unchanged.

        One cheap query tells whether an administrator changed overrides or years since the
        cached copy was built (in this process or another), so the cache is never stale. A caller
        that has just read that version (`tables_version(CalendarDay, CalendarYear)`, part of
        `ipps.casework.sla.rules_version()`) may pass it.
        """
        from ipps.core.models import CalendarDay, CalendarYear

        if version is None:
            version = tables_version(CalendarDay, CalendarYear)
        key = (allow_fallback, settings.IPPS_OFFICE_HOURS, settings.TIME_ZONE)
        cached = _LOADED.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        overrides = {d.date: (d.is_working, d.reason) for d in CalendarDay.objects.all()}
        years = set(CalendarYear.objects.values_list("year", flat=True))
        calendar = cls(overrides=overrides, entered_years=years, allow_fallback=allow_fallback)
        _LOADED[key] = (version, calendar)
        return calendar

    # Days -------------------------------------------------------------------------------------

    def day(self, date: dt.date) -> DayInfo:
        info = self._days.get(date)
        if info is None:
            info = self._days[date] = self._day(date)
        return info

    def _day(self, date: dt.date) -> DayInfo:
        if date in self.overrides:
            working, reason = self.overrides[date]
            return DayInfo(
                date,
                working,
                "override_workday" if working else "override_day_off",
                "override",
                reason,
            )
        if date.year in self.entered_years:
            weekend = date.weekday() >= 5
            return DayInfo(date, not weekend, "weekend" if weekend else "workday", "override")
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(date)
        except NotImplementedError:
            if not self.allow_fallback:
                raise CalendarDataMissing(date.year) from None
            weekend = date.weekday() >= 5
            return DayInfo(date, not weekend, "weekend" if weekend else "workday", "fallback")
        weekend = date.weekday() >= 5
        if is_holiday:
            return DayInfo(date, False, "holiday" if name else "weekend", "statutory", name or "")
        if weekend:
            return DayInfo(date, True, "makeup_workday", "statutory", name or "")
        return DayInfo(date, True, "workday", "statutory")

    def is_working_day(self, date: dt.date) -> bool:
        return self.day(date).working

    def days(self, start: dt.date, end: dt.date) -> list[DayInfo]:
        if end < start:
            raise ServiceError("bad_range", _("The end date is before the start date."), field="to")
        if (end - start).days > MAX_SPAN_DAYS:
            raise ServiceError(
                "range_too_long", _("Ask for at most ten years at a time."), field="to"
            )
        return [self.day(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]

    # Instants ---------------------------------------------------------------------------------

    def _local(self, moment: dt.datetime) -> dt.datetime:
        if timezone.is_naive(moment):
            raise ValueError("working-time arithmetic needs an aware datetime")
        return moment.astimezone(self.tz)

    def _intervals(self, date: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        if self.is_working_day(date):
            for start, end in self.office_hours:
                yield (
                    dt.datetime.combine(date, start, tzinfo=self.tz),
                    dt.datetime.combine(date, end, tzinfo=self.tz),
                )

    def _walk(self, moment: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Working intervals from `moment` on, the first one clipped to start at `moment`."""
        local = self._local(moment)
        date = local.date()
        for _i in range(MAX_SPAN_DAYS):
            for start, end in self._intervals(date):
                if end > local:
                    yield max(start, local), end
            date += dt.timedelta(days=1)
        raise ServiceError("no_working_time", _("No working time within ten years."))

    def next_working_instant(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself during office hours on a working day, else the next opening."""
        return next(self._walk(moment))[0]

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = dt.timedelta(hours=hours)
        if not remaining:
            return start
        for begin, end in self._walk(start):
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("unreachable")  # pragma: no cover

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The same office-hours clock time `days` working days later (start snapped to opening)."""
        if days < 0:
            raise ValueError("days must not be negative")
        if days == 0:
            return start
        first = self.next_working_instant(start)
        date = first.date()
        counted = 0
        for _i in range(MAX_SPAN_DAYS):
            date += dt.timedelta(days=1)
            if self.is_working_day(date):
                counted += 1
                if counted == days:
                    return dt.datetime.combine(date, first.timetz())
        raise ServiceError("no_working_time", _("No working time within ten years."))

    def working_seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Office-hours seconds in [start, end); 0 when end is not after start."""
        if end <= start:
            return 0
        end_local = self._local(end)
        total = dt.timedelta()
        for begin, finish in self._walk(start):
            if begin >= end_local:
                break
            total += min(finish, end_local) - begin
        return int(total.total_seconds())

    @property
    def seconds_per_day(self) -> int:
        return sum(
            int(
                (
                    dt.datetime.combine(dt.date.min, e) - dt.datetime.combine(dt.date.min, s)
                ).total_seconds()
            )
            for s, e in self.office_hours
        )
