"""Service levels: policies, warnings before due times, breaches, recomputation on policy change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ipps.casework import services, sla
from ipps.casework.models import ServiceRequest, SlaPolicy
from ipps.core.models import Notification

# A Tuesday morning in an ordinary working week of 2026.
MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def policies(db):
    SlaPolicy.objects.create(name="default", first_response_hours=Decimal(4), resolution_days=3)
    SlaPolicy.objects.create(
        name="urgent", priority="urgent", first_response_hours=Decimal(1), resolution_days=1
    )
    SlaPolicy.objects.create(
        name="urgent infringement at workstations",
        unit_kind="workstation",
        priority="urgent",
        category="infringement",
        first_response_hours=Decimal("0.5"),
        resolution_days=1,
    )


def test_the_most_specific_policy_applies(network, make_request, policies):
    assert make_request(received_at=MONDAY_9).sla_policy.name == "default"
    assert make_request(received_at=MONDAY_9, priority="urgent").sla_policy.name == "urgent"
    specific = make_request(received_at=MONDAY_9, priority="urgent", category="infringement")
    assert specific.sla_policy.name == "urgent infringement at workstations"
    assert specific.first_response_due == MONDAY_9 + dt.timedelta(minutes=30)
    assert specific.resolution_due == MONDAY_9 + dt.timedelta(days=1)


def test_due_times_follow_the_working_calendar(network, make_request, policies):
    friday_4pm = dt.datetime(2026, 11, 20, 16, 0, tzinfo=MONDAY_9.tzinfo)
    request = make_request(received_at=friday_4pm)
    # 4 working hours: 1.5 h on Friday, then Monday 09:00-11:30.
    assert request.first_response_due == dt.datetime(2026, 11, 23, 11, 30, tzinfo=MONDAY_9.tzinfo)
    assert request.resolution_due == dt.datetime(2026, 11, 25, 16, 0, tzinfo=MONDAY_9.tzinfo)


def test_scan_marks_breaches_once_and_tells_the_people_concerned(network, make_request, policies):
    request = make_request(received_at=MONDAY_9)
    late = request.resolution_due + dt.timedelta(minutes=1)
    first = services.sla_scan(now=late)
    assert first["response_breached"] == 1 and first["resolution_breached"] == 1
    request.refresh_from_db()
    assert request.breached_response and request.breached_resolution and request.breached
    assert ServiceRequest.objects.overdue(now=late).filter(pk=request.pk).exists()
    assert request.events.filter(kind="sla").count() == 2
    breaches = Notification.objects.filter(user=network.liaison_zgc, kind="breach")
    assert breaches.count() == 2
    assert {n.at for n in breaches} == {late}  # when the scan found them
    again = services.sla_scan(now=late + dt.timedelta(hours=1))
    assert again["response_breached"] == again["resolution_breached"] == 0


def test_scan_warns_before_the_due_time(network, make_request, policies):
    request = make_request(received_at=MONDAY_9)
    services.request_acknowledge(request=request, acting_user=network.liaison_zgc)
    request.refresh_from_db()
    early = services.sla_scan(now=MONDAY_9 + dt.timedelta(hours=2))
    assert early["warned"] == 0
    soon = request.resolution_due - dt.timedelta(hours=1)
    assert services.sla_scan(now=soon)["warned"] == 1
    assert Notification.objects.filter(user=network.liaison_zgc, kind="due_soon").count() == 1
    assert services.sla_scan(now=soon)["warned"] == 0  # warned once


def test_paused_and_answered_requests_are_not_breached(network, make_request, policies):
    paused = make_request(received_at=MONDAY_9)
    services.request_wait(request=paused, acting_user=network.liaison_zgc, message="请提供证书")
    answered = make_request(received_at=MONDAY_9)
    services.request_resolve(request=answered, acting_user=network.liaison_zgc, answer="答复")
    result = services.sla_scan(now=MONDAY_9 + dt.timedelta(days=30))
    assert result["resolution_breached"] == 0
    paused.refresh_from_db()
    assert not paused.breached_resolution


def test_resolving_late_records_the_breach(network, make_request, policies, monkeypatch):
    request = make_request(received_at=MONDAY_9)
    late = request.resolution_due + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: late)
    request = services.request_resolve(
        request=request, acting_user=network.liaison_zgc, answer="迟到的答复"
    )
    assert request.breached_resolution and request.breached_response


def test_a_policy_change_recomputes_open_requests(network, make_request, policies):
    request = make_request(received_at=MONDAY_9)
    done = make_request(received_at=MONDAY_9)
    services.request_resolve(request=done, acting_user=network.liaison_zgc, answer="答复")
    done.refresh_from_db()
    before_done = done.resolution_due
    SlaPolicy.objects.filter(name="default").update(resolution_days=10)
    assert services.sla_recompute() == 1
    request.refresh_from_db()
    done.refresh_from_db()
    assert request.resolution_due == dt.datetime(2026, 12, 7, 9, 0, tzinfo=MONDAY_9.tzinfo)
    assert done.resolution_due == before_done


def test_a_policy_saved_while_a_request_is_taken_in_applies_to_it(
    network, make_request, policies, monkeypatch
):
    """Intake computes due times before its transaction and checks in it that no policy changed
    meanwhile; one that did is applied (the recomputation after the change may have run before
    the request was written)."""
    compute = sla.compute_dues
    calls = []
    change = [True]

    def compute_then_change(request, policy, now, **kwargs):
        compute(request, policy, now, **kwargs)
        calls.append(policy.name if policy else None)
        if change.pop() if change else False:  # an administrator saves a policy just then
            SlaPolicy.objects.create(
                name="consultations", category="consultation", first_response_hours=2,
                resolution_days=5,
            )  # fmt: skip

    monkeypatch.setattr(sla, "compute_dues", compute_then_change)
    request = make_request(received_at=MONDAY_9)
    assert calls == ["default", "consultations"]
    request.refresh_from_db()
    assert request.sla_policy.name == "consultations"
    assert request.resolution_due == dt.datetime(2026, 11, 30, 9, 0, tzinfo=MONDAY_9.tzinfo)
    # Nothing changed: computed once.
    calls.clear()
    make_request(received_at=MONDAY_9)
    assert calls == ["consultations"]


def test_intake_reads_the_policies_again_only_after_one_changed(network, make_request, policies):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def policy_reads() -> int:
        with CaptureQueriesContext(connection) as queries:
            make_request(received_at=MONDAY_9)
        return sum(
            q["sql"].startswith('SELECT "casework_slapolicy"."id"')
            for q in queries.captured_queries
        )

    policy_reads()
    assert policy_reads() == 0
    default = SlaPolicy.objects.get(name="default")
    default.resolution_days = 10
    default.save()
    assert policy_reads() == 1
    request = make_request(received_at=MONDAY_9)
    assert request.resolution_due == dt.datetime(2026, 12, 7, 9, 0, tzinfo=MONDAY_9.tzinfo)
    SlaPolicy.objects.filter(name="urgent").delete()
    assert make_request(received_at=MONDAY_9, priority="urgent").sla_policy.name == "default"


def test_without_any_policy_the_helpdesk_default_applies(network, make_request):
    request = make_request(received_at=MONDAY_9)
    assert request.sla_policy is None
    assert request.resolution_due == MONDAY_9 + dt.timedelta(days=sla.DEFAULT_RESOLUTION_DAYS)


@pytest.fixture
def no_calendar_data(monkeypatch):
    from ipps.core import calendar as cal

    def no_data(date):
        raise NotImplementedError("no data")

    monkeypatch.setattr(cal.chinese_calendar, "get_holiday_detail", no_data)
    monkeypatch.setattr(cal, "_LOADED", {})  # calendars built before the data went missing


def test_a_year_without_calendar_data_falls_back_visibly_where_the_unit_allows_it(
    network, make_request, policies, no_calendar_data
):
    network.ws_zgc.calendar_weekend_fallback = True
    network.ws_zgc.save(update_fields=["calendar_weekend_fallback"])
    request = make_request(received_at=MONDAY_9)
    assert request.calendar_fallback is True and request.calendar_missing_year is None
    assert request.resolution_due == MONDAY_9 + dt.timedelta(days=3)


def test_a_year_without_calendar_data_leaves_no_due_time_where_the_unit_refuses(
    network, make_request, policies, no_calendar_data
):
    request = make_request(received_at=MONDAY_9)
    assert request.pk and request.calendar_fallback is False
    assert request.calendar_missing_year == 2026
    assert request.first_response_due is None and request.resolution_due is None


def test_the_site_wide_setting_allows_the_fallback_for_every_unit(
    network, make_request, policies, no_calendar_data, settings
):
    settings.IPPS_CALENDAR_WEEKEND_FALLBACK = True
    request = make_request(received_at=MONDAY_9)
    assert request.calendar_fallback is True and request.resolution_due is not None
