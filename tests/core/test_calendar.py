"""The working calendar: statutory holidays, make-up workdays, office hours, overrides, missing years."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipps.core.calendar import CalendarDataMissing, WorkingCalendar, parse_office_hours
from ipps.core.models import CalendarDay, CalendarYear

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


CAL = WorkingCalendar(
    office_hours=parse_office_hours("09:00-12:00,13:30-17:30"), tz="Asia/Shanghai"
)


def test_national_day_week_2026_and_the_makeup_saturday():
    days = {d.date: d for d in CAL.days(dt.date(2026, 9, 26), dt.date(2026, 10, 11))}
    assert not days[dt.date(2026, 9, 27)].working  # Sunday, holiday
    for day in range(1, 8):
        info = days[dt.date(2026, 10, day)]
        assert not info.working and info.reason == "holiday", info
    assert days[dt.date(2026, 10, 1)].label == "National Day"
    assert days[dt.date(2026, 10, 9)].working
    makeup = days[dt.date(2026, 10, 10)]
    assert makeup.working and makeup.reason == "makeup_workday"
    assert not days[dt.date(2026, 10, 11)].working  # an ordinary Sunday


def test_three_working_days_across_national_day():
    # Wednesday 30 September 15:00 + 3 working days: 8th (Thu), 9th (Fri), 10th (make-up Saturday).
    assert CAL.add_working_days(at(2026, 9, 30, 15), 3) == at(2026, 10, 10, 15)


def test_lunch_break_and_evenings_are_not_working_time():
    assert CAL.add_working_hours(at(2026, 11, 24, 11), 2) == at(2026, 11, 24, 14, 30)
    assert CAL.next_working_instant(at(2026, 11, 24, 12, 15)) == at(2026, 11, 24, 13, 30)
    # Friday 17:00 + 1 hour: 30 minutes on Friday, 30 minutes on Monday morning.
    assert CAL.add_working_hours(at(2026, 11, 27, 17), 1) == at(2026, 11, 30, 9, 30)
    assert CAL.working_seconds_between(at(2026, 11, 24, 11), at(2026, 11, 24, 14)) == 90 * 60


def test_a_year_without_data_is_a_clear_error_unless_the_fallback_is_allowed():
    with pytest.raises(CalendarDataMissing) as excinfo:
        CAL.day(dt.date(2027, 3, 1))
    assert excinfo.value.code == "calendar_year_missing" and "2027" in excinfo.value.message
    fallback = WorkingCalendar(allow_fallback=True, tz="Asia/Shanghai")
    monday, saturday = fallback.day(dt.date(2027, 3, 1)), fallback.day(dt.date(2027, 3, 6))
    assert monday.working and monday.source == "fallback"
    assert not saturday.working and saturday.source == "fallback"


@pytest.mark.django_db
def test_overrides_win_and_entered_years_become_usable():
    CalendarDay.objects.create(date=dt.date(2026, 11, 24), is_working=False, reason="Office move")
    CalendarDay.objects.create(date=dt.date(2027, 2, 6), is_working=True, reason="Make-up workday")
    CalendarYear.objects.create(year=2027, note="Entered from the State Council notice")
    cal = WorkingCalendar.load()
    assert not cal.day(dt.date(2026, 11, 24)).working
    assert cal.day(dt.date(2026, 11, 24)).label == "Office move"
    assert cal.day(dt.date(2027, 2, 6)).working  # a Saturday made a workday
    assert cal.day(dt.date(2027, 3, 1)).source == "override"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        CAL.add_working_hours(dt.datetime(2026, 11, 24, 10), 1)  # noqa: DTZ001


starts = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 6, 30), timezones=st.just(SH)
)


@settings(max_examples=150, deadline=None)
@given(starts, st.integers(0, 40), st.integers(0, 40))
def test_adding_working_hours_in_two_steps_equals_adding_once(start, a, b):
    once = CAL.add_working_hours(start, a + b)
    assert once >= start
    assert CAL.add_working_hours(CAL.add_working_hours(start, a), b) == once


@settings(max_examples=150, deadline=None)
@given(starts, st.integers(0, 15), st.integers(0, 15))
def test_adding_working_days_in_two_steps_equals_adding_once(start, a, b):
    once = CAL.add_working_days(start, a + b)
    assert once >= start
    assert CAL.add_working_days(CAL.add_working_days(start, a), b) == once


@settings(max_examples=150, deadline=None)
@given(starts, st.integers(1, 60))
def test_working_time_between_start_and_due_is_what_was_added(start, hours):
    due = CAL.add_working_hours(start, hours)
    assert CAL.working_seconds_between(start, due) == hours * 3600


@settings(max_examples=100, deadline=None)
@given(starts, st.integers(1, 60), st.integers(0, 20 * 24 * 60))
def test_a_pause_is_excluded_from_working_time(start, hours, pause_minutes):
    """Pausing the clock for a span: the time worked before and after adds up, the pause does not."""
    pause_start = CAL.add_working_hours(start, hours / 2)
    pause_end = pause_start + dt.timedelta(minutes=pause_minutes)
    due = CAL.add_working_hours(pause_end, hours / 2)
    worked = CAL.working_seconds_between(start, pause_start) + CAL.working_seconds_between(
        pause_end, due
    )
    assert worked == hours * 3600
    assert due >= CAL.add_working_hours(start, hours)
