"""Due times in a year without working-calendar data (2031): the handling unit decides.

A unit that does not allow the weekends-only calendar gets requests saved without due times, and
clearly flagged, until the year is imported or the unit allows the fallback; a unit that allows it
gets due times counted on weekends only, and flagged as such.
"""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ipps.casework import services
from ipps.casework.models import ServiceRequest, SlaPolicy
from ipps.core.calendar_services import ImportedDay, calendar_day_set, calendar_year_import
from ipps.network.services import unit_update

BEIJING = dt.timezone(dt.timedelta(hours=8))
MONDAY_10 = dt.datetime(2031, 3, 3, 10, 0, tzinfo=BEIJING)  # 2031: chinesecalendar has no data
URL = "/api/v1/requests"
NEW = {
    "subject": "商标被抢注怎么办",
    "description": "我们的商标在外地被他人抢先注册，应该如何处理？",
    "ip_type": "trademark",
    "chain_stage": "protection",
    "category": "consultation",
    "channel": "phone",
}


class Clock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Everything in this module happens in 2031, sessions and tokens included."""
    now = Clock(MONDAY_10)
    monkeypatch.setattr(timezone, "now", now)
    return now


@pytest.fixture
def policy(db):
    return SlaPolicy.objects.create(
        name="default", first_response_hours=Decimal(4), resolution_days=3
    )


def fresh(request) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=request.pk)


def allow_fallback(unit, user, on=True):
    return unit_update(unit=unit, changes={"calendar_weekend_fallback": on}, acting_user=user)


def test_intake_saves_the_request_without_due_times_and_says_why(network, api_as, policy):
    response = api_as(network.liaison_zgc).post(URL, {**NEW, "enterprise": network.ent_zgc.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["calendar_missing"] is True and body["calendar_missing_year"] == 2031
    assert body["first_response_due"] is None and body["resolution_due"] is None
    assert body["calendar_fallback"] is False and body["breached"] is False
    saved = ServiceRequest.objects.get(pk=body["id"])
    assert saved.subject == NEW["subject"] and saved.sla_policy == policy
    assert saved.calendar_missing_year == 2031 and saved.resolution_due is None
    again = api_as(network.liaison_zgc).get(f"{URL}/{saved.pk}").json()
    assert again["calendar_missing"] is True


def test_the_request_page_the_queue_and_the_portal_warn(network, login_as, make_request):
    request = make_request()
    assert request.calendar_missing
    client = login_as(network.liaison_zgc)
    page = html.unescape(client.get(reverse("casework:request_detail", args=[request.pk])).text)
    assert 'id="calendar-missing"' in page
    assert (
        "No due time: the working calendar has no data for 2031. An administrator must import "
        "that year's calendar, or allow the weekends-only calendar for Zhongguancun Software "
        "Park Workstation." in page
    )
    queue = client.get(reverse("casework:queue"), {"tab": "unit"}).text
    assert 'id="queue-calendar-missing"' in queue
    row = queue[queue.index(f'data-reference="{request.reference}"') :]
    assert "no due time: no calendar for 2031" in row[: row.index("</tr>")]
    portal = login_as(network.portal_zgc).get(reverse("casework:portal_detail", args=[request.pk]))
    assert 'id="calendar-missing"' in portal.text and "2031" in portal.text
    assert "An administrator must import" not in portal.text


def test_the_scans_skip_requests_without_due_times(network, make_request, clock):
    request = make_request()
    services.request_acknowledge(request=request, acting_user=network.liaison_zgc)
    counts = services.sla_scan(now=MONDAY_10 + dt.timedelta(days=60))
    assert counts == {
        "warned": 0,
        "response_breached": 0,
        "resolution_breached": 0,
        "no_due_time": 1,
    }
    assert not fresh(request).breached and fresh(request).warned_at is None


def test_allowing_the_fallback_on_the_unit_computes_the_missing_due_times(
    network, make_request, policy, django_capture_on_commit_callbacks
):
    request = make_request()
    elsewhere = make_request(
        enterprise=network.ent_wangjing, acting_user=network.liaison_wangjing, channel="phone"
    )
    with django_capture_on_commit_callbacks(execute=True):
        allow_fallback(network.ws_zgc, network.admin)
    request = fresh(request)
    assert not request.calendar_missing and request.calendar_fallback is True
    # Weekends only: Monday 10:00 + 4 working hours, + 3 working days.
    assert request.first_response_due == dt.datetime(2031, 3, 3, 15, 30, tzinfo=BEIJING)
    assert request.resolution_due == dt.datetime(2031, 3, 6, 10, 0, tzinfo=BEIJING)
    event = request.events.filter(kind="sla").get()
    assert event.data == {"due_times_set": True, "calendar_year": 2031, "fallback": True}
    assert fresh(elsewhere).calendar_missing  # another unit: still no due time
    # Switching it off again: the unit refuses to guess, the due times go.
    with django_capture_on_commit_callbacks(execute=True):
        allow_fallback(network.ws_zgc, network.admin, on=False)
    assert fresh(request).calendar_missing and fresh(request).resolution_due is None


def test_importing_the_year_computes_the_missing_due_times(
    network, make_request, policy, django_capture_on_commit_callbacks
):
    request = make_request()
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(
            date=dt.date(2031, 3, 4),
            is_working=False,
            reason="Office move",
            acting_user=network.admin,
        )
    assert fresh(request).calendar_missing  # one override day does not make a year
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_import(
            year=2031,
            days=[ImportedDay(dt.date(2031, 3, 4), False, "Office move")],
            acting_user=network.admin,
        )
    request = fresh(request)
    assert not request.calendar_missing and request.calendar_fallback is False
    # Monday 10:00 + 4 working hours; + 3 working days, Tuesday being a day off: Friday.
    assert request.first_response_due == dt.datetime(2031, 3, 3, 15, 30, tzinfo=BEIJING)
    assert request.resolution_due == dt.datetime(2031, 3, 7, 10, 0, tzinfo=BEIJING)


def test_a_unit_that_allows_the_fallback_gets_weekends_only_due_times(
    network, make_request, login_as, api_as, policy
):
    allow_fallback(network.ws_zgc, network.admin)
    request = make_request()
    assert request.calendar_fallback is True and not request.calendar_missing
    assert request.resolution_due == dt.datetime(2031, 3, 6, 10, 0, tzinfo=BEIJING)
    body = api_as(network.liaison_zgc).get(f"{URL}/{request.pk}").json()
    assert body["calendar_fallback"] is True and body["calendar_missing"] is False
    due = dt.datetime.fromisoformat(body["resolution_due"].replace("Z", "+00:00"))
    assert due == dt.datetime(2031, 3, 6, 10, 0, tzinfo=BEIJING)
    page = login_as(network.liaison_zgc).get(reverse("casework:request_detail", args=[request.pk]))
    assert 'id="calendar-fallback"' in page.text and 'id="calendar-missing"' not in page.text


def test_a_pause_without_calendar_data_is_counted_once_the_year_is_known(
    network, make_request, policy, clock, django_capture_on_commit_callbacks
):
    request = make_request()
    services.request_wait(request=request, acting_user=network.liaison_zgc, message="请提供证书")
    clock.at = MONDAY_10 + dt.timedelta(days=1)  # a whole working day later
    services.request_resume(request=request, acting_user=network.liaison_zgc)
    request = fresh(request)
    assert request.paused_at is None and request.paused_seconds == 0
    [(start, end)] = request.uncounted_pauses
    assert dt.datetime.fromisoformat(start) == MONDAY_10
    assert dt.datetime.fromisoformat(end) == MONDAY_10 + dt.timedelta(days=1)
    assert request.calendar_missing
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_import(
            year=2031, days=[ImportedDay(dt.date(2031, 1, 1), False, "元旦")], acting_user=None
        )
    request = fresh(request)
    assert request.uncounted_pauses == [] and request.paused_seconds == 7 * 3600
    # Thursday 10:00 plus the seven working hours of the pause.
    assert request.resolution_due == dt.datetime(2031, 3, 7, 10, 0, tzinfo=BEIJING)


def test_an_answer_given_without_due_times_is_judged_once_they_exist(
    network, make_request, policy, clock, django_capture_on_commit_callbacks
):
    request = make_request()
    clock.at = dt.datetime(2031, 3, 12, 10, 0, tzinfo=BEIJING)
    services.request_resolve(request=request, acting_user=network.liaison_zgc, answer="答复")
    assert not fresh(request).breached
    with django_capture_on_commit_callbacks(execute=True):
        allow_fallback(network.ws_zgc, network.admin)
    request = fresh(request)
    assert request.status == "resolved" and request.resolution_due is not None
    assert request.breached_response and request.breached_resolution
    breaches = {e.data.get("breach") for e in request.events.filter(kind="sla")}
    assert breaches == {"first_response", "resolution", None}


def test_escalating_to_a_unit_that_allows_the_fallback_gives_due_times(
    network, make_request, policy
):
    allow_fallback(network.haidian, network.admin)
    request = make_request()
    assert request.calendar_missing
    request = services.request_escalate(
        request=request, acting_user=network.liaison_zgc, reason="需要区中心支持"
    )
    assert request.handling_unit == network.haidian
    assert not request.calendar_missing and request.calendar_fallback
    assert request.resolution_due == dt.datetime(2031, 3, 6, 10, 0, tzinfo=BEIJING)
