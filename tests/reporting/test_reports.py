"""The monthly-report cycle on the real database: figures from the ledger selectors, frozen at
submission, corrections, the approval flow, expiry, timeliness, consolidation, reminders."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from ipps.core.errors import ConflictError, PermissionDeniedError, ServiceError
from ipps.core.models import AuditEvent, Notification
from ipps.ledger import stats
from ipps.ledger.stats import Period
from ipps.reporting import selectors, services
from ipps.reporting.models import MonthlyReport, ReportAdjustment
from tests.reporting.conftest import act

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_opening_is_idempotent_and_sets_deadlines(network, rules, month):
    assert services.reports_open(month=month) == 6
    assert services.reports_open(month=month) == 0
    report = MonthlyReport.objects.get(unit=network.ws_zgc, month=month)
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    assert report.due_on == nxt.replace(day=5)
    assert report.expires_on == Period.month(month.year, month.month).end + dt.timedelta(days=60)
    assert report.status == "draft"
    assert report.events.get().action == "open"


def test_closed_and_not_yet_opened_units_owe_no_report(network, rules, month):
    network.ws_shangdi.status = "closed"
    network.ws_shangdi.closed_on = month - dt.timedelta(days=40)
    network.ws_shangdi.save()
    network.ws_wangjing.opened_on = month + dt.timedelta(days=40)
    network.ws_wangjing.save()
    assert services.reports_open(month=month) == 4


def test_live_figures_equal_the_ledger_selectors(network, reports, month):
    n = network
    act(n, n.ws_zgc, month, n.ent_zgc)
    act(n, n.ws_zgc, month + dt.timedelta(days=3), n.ent_zgc, quantity=4)
    act(n, n.ws_zgc, month + dt.timedelta(days=5), n.ent_shangdi, kind="visit")
    act(n, n.ws_zgc, month - dt.timedelta(days=1), n.ent_zgc)  # the month before: not counted
    act(n, n.ws_shangdi, month, n.ent_shangdi)  # another unit
    view = selectors.report_view(reports["WS-110108-001"])
    period = Period.month(month.year, month.month)
    by_kind = {
        r["kind"]: r["quantity"]
        for r in stats.totals(user=n.admin, unit=n.ws_zgc, period=period, group_by="kind")
    }
    assert view.row("query_answered").ledger == by_kind["query_answered"] == 5
    assert view.row("visit").ledger == by_kind["visit"] == 1
    assert view.row("enterprises_served").ledger == stats.enterprises_served(
        user=n.admin, unit=n.ws_zgc, period=period
    )
    assert view.row("enterprises_served").ledger == 2
    levels = stats.service_levels(user=n.admin, unit=n.ws_zgc, period=period)
    assert view.row("requests_received").ledger == levels["requests"]


def submit(report, user, day: dt.date | None = None):
    now = None
    if day is not None:
        now = dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)
    return services.report_submit(report=report, acting_user=user, now=now)


def test_figures_are_frozen_at_submission_and_late_rows_show(network, reports, month):
    n = network
    act(n, n.ws_zgc, month, n.ent_zgc, quantity=3)
    report = submit(reports["WS-110108-001"], n.liaison_zgc)
    assert report.status == "submitted"
    assert report.figures["query_answered"] == 3
    act(n, n.ws_zgc, month + dt.timedelta(days=1), n.ent_zgc, quantity=2)  # arrives late
    view = selectors.report_view(MonthlyReport.objects.get(pk=report.pk))
    row = view.row("query_answered")
    assert (row.ledger, row.reported, row.live, row.late) == (3, 3, 5, 2)
    assert view.has_late_rows
    assert any("late rows" in flag for flag in row.flags)


def test_corrections_sit_beside_the_ledger_figure_and_are_audited(network, reports, month):
    n = network
    act(n, n.ws_zgc, month, n.ent_zgc, quantity=3)
    report = reports["WS-110108-001"]
    adjustment = services.report_adjust(
        report=report, figure="query_answered", amount=2, reason="Phone log not yet imported",
        acting_user=n.liaison_zgc,
    )  # fmt: skip
    row = selectors.report_view(report).row("query_answered")
    assert (row.ledger, row.adjustment, row.reported) == (3, 2, 5)
    audit = AuditEvent.objects.get(object_type="reporting.reportadjustment")
    assert audit.object_id == str(adjustment.pk) and audit.actor == n.liaison_zgc
    with pytest.raises(ServiceError) as exc:
        services.report_adjust(
            report=report, figure="query_answered", amount=-6, reason="Too many",
            acting_user=n.liaison_zgc,
        )  # fmt: skip
    assert exc.value.code == "negative_figure"
    with pytest.raises(ServiceError) as exc:
        services.report_adjust(
            report=report, figure="query_answered", amount=1, reason="", acting_user=n.liaison_zgc
        )
    assert exc.value.code == "reason_required"
    with pytest.raises(ServiceError) as exc:
        services.report_adjust(
            report=report, figure="bogus", amount=1, reason="Because", acting_user=n.liaison_zgc
        )
    assert exc.value.code == "unknown_figure"
    with pytest.raises(TypeError):
        adjustment.delete()
    assert ReportAdjustment.objects.count() == 1
    # Frozen with the report; the sum shows in the reported figure.
    submit(report, n.liaison_zgc)
    row = selectors.report_view(MonthlyReport.objects.get(pk=report.pk)).row("query_answered")
    assert (row.ledger, row.reported) == (3, 5)


def test_the_submission_notice_names_the_unit_in_the_readers_language(network, reports):
    n = network
    with translation.override("zh-hans"):
        submit(reports["WS-110108-001"], n.liaison_zgc)
    note = Notification.objects.get(user=n.haidian_officer, kind="report")
    assert note.text.startswith("中关村软件园工作站")  # written in the submitter's language
    with translation.override("en"):
        assert note.shown.startswith("Zhongguancun Software Park Workstation submitted its report")
    with translation.override("zh-hans"):
        assert note.shown == note.text


def test_returned_report_is_resubmitted_and_approved_then_accepted(network, reports, month):
    n = network
    report = reports["WS-110108-001"]
    services.report_update(
        report=report, acting_user=n.liaison_zgc, data={"work_done": "Answered 3 queries"}
    )
    submit(report, n.liaison_zgc)
    with pytest.raises(PermissionDeniedError):
        services.report_approve(report=report, acting_user=n.liaison_zgc)
    with pytest.raises(ServiceError) as exc:
        services.report_return(report=report, acting_user=n.haidian_officer, comment="  ")
    assert exc.value.code == "comment_required"
    services.report_return(
        report=report, acting_user=n.haidian_officer, comment="Describe the notable cases"
    )
    report.refresh_from_db()
    assert report.status == "returned" and report.frozen_at is None
    assert Notification.objects.filter(user=n.liaison_zgc, kind="report").exists()
    services.report_update(
        report=report, acting_user=n.liaison_zgc, data={"notable_cases": "A trademark dispute"}
    )
    submit(report, n.liaison_zgc)
    with pytest.raises(ConflictError) as exc:
        services.report_accept(report=report, acting_user=n.city_officer)
    assert exc.value.code == "not_approved"
    services.report_approve(report=report, acting_user=n.haidian_officer)
    services.report_accept(report=report, acting_user=n.city_officer)
    report.refresh_from_db()
    assert report.status == "accepted"
    assert [e.action for e in report.events.order_by("at", "id")] == [
        "open", "edit", "submit", "return", "edit", "submit", "approve", "accept",
    ]  # fmt: skip
    with pytest.raises(ConflictError) as exc:
        services.report_update(report=report, acting_user=n.liaison_zgc, data={"problems": "x"})
    assert exc.value.code == "report_not_editable"


def test_another_district_cannot_approve(network, reports):
    report = submit(reports["WS-110105-001"], network.liaison_wangjing)
    with pytest.raises(PermissionDeniedError):
        services.report_approve(report=report, acting_user=network.haidian_officer)


def test_illegal_transitions_answer_409(network, reports):
    report = reports["WS-110108-001"]
    with pytest.raises(ConflictError) as exc:
        services.report_approve(report=report, acting_user=network.haidian_officer)
    assert exc.value.code == "illegal_transition"
    with pytest.raises(ConflictError) as exc:
        services.report_approve(report=reports["BJ"], acting_user=network.admin)
    assert exc.value.code == "no_parent"


def test_municipal_centre_accepts_its_own_report(network, reports):
    report = submit(reports["BJ"], network.city_officer)
    services.report_accept(report=report, acting_user=network.city_officer)
    assert MonthlyReport.objects.get(pk=report.pk).status == "accepted"


def test_a_month_cannot_be_submitted_before_it_ends(network, rules):
    this_month = timezone.localdate().replace(day=1)
    services.reports_open(month=this_month)
    report = MonthlyReport.objects.get(unit=network.ws_zgc, month=this_month)
    with pytest.raises(ConflictError) as exc:
        services.report_submit(report=report, acting_user=network.liaison_zgc)
    assert exc.value.code == "period_not_over"


def test_expiry_is_enforced(network, reports):
    report = reports["WS-110108-001"]
    MonthlyReport.objects.filter(pk=report.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    report.refresh_from_db()
    for call in (
        lambda: services.report_update(report=report, acting_user=network.liaison_zgc, data={"work_done": "x"}),
        lambda: services.report_submit(report=report, acting_user=network.liaison_zgc),
        lambda: services.report_adjust(report=report, figure="visit", amount=1, reason="forgot it", acting_user=network.liaison_zgc),
    ):  # fmt: skip
        with pytest.raises(ConflictError) as exc:
            call()
        assert exc.value.code == "report_expired"


@pytest.mark.parametrize(
    ("local_time", "on_time"),
    [
        ((0, 0, 0), True),
        ((23, 59, 59), True),
    ],
)
def test_timeliness_on_the_due_day(network, reports, local_time, on_time):
    report = reports["WS-110108-001"]
    now = dt.datetime.combine(report.due_on, dt.time(*local_time), tzinfo=SHANGHAI)
    services.report_submit(report=report, acting_user=network.liaison_zgc, now=now)
    assert MonthlyReport.objects.get(pk=report.pk).on_time is on_time


def test_the_day_after_the_due_day_is_late_even_in_utc_terms(network, reports):
    report = reports["WS-110108-001"]
    # 00:30 in Beijing on the day after is still the due day in UTC: local time decides.
    now = dt.datetime.combine(report.due_on + dt.timedelta(days=1), dt.time(0, 30), SHANGHAI)
    services.report_submit(report=report, acting_user=network.liaison_zgc, now=now)
    report.refresh_from_db()
    assert report.on_time is False
    # Timeliness belongs to the first submission; a return and resubmission keep it.
    services.report_return(report=report, acting_user=network.haidian_officer, comment="Fix it")
    services.report_submit(report=report, acting_user=network.liaison_zgc)
    report.refresh_from_db()
    assert report.on_time is False and report.first_submitted_at == now


def test_district_consolidates_its_workstations_approved_reports(network, reports, month):
    n = network
    act(n, n.ws_zgc, month, n.ent_zgc, quantity=3)
    act(n, n.ws_shangdi, month, n.ent_shangdi, quantity=4)
    act(n, n.haidian, month, n.ent_zgc, quantity=10)
    zgc = submit(reports["WS-110108-001"], n.liaison_zgc)
    services.report_adjust(
        report=reports["WS-110108-002"], figure="query_answered", amount=1,
        reason="walk-in not logged", acting_user=n.haidian_officer,
    )  # fmt: skip
    shangdi = submit(reports["WS-110108-002"], n.haidian_officer)
    services.report_approve(report=zgc, acting_user=n.haidian_officer)
    view = selectors.report_view(reports["DC-110108"])
    assert view.consolidation.values["query_answered"] == 10 + 3
    assert view.consolidation.missing == [n.ws_shangdi.pk]
    services.report_approve(report=shangdi, acting_user=n.haidian_officer)
    district = submit(reports["DC-110108"], n.haidian_officer)
    assert district.consolidated["values"]["query_answered"] == 10 + 3 + 5
    assert district.consolidated["included"] == [n.ws_zgc.pk, n.ws_shangdi.pk]
    # The city sums the district's consolidated figures once the district is approved.
    services.report_approve(report=district, acting_user=n.city_officer)
    city = selectors.report_view(reports["BJ"])
    assert city.consolidation.values["query_answered"] == 18
    assert city.consolidation.missing == [n.chaoyang.pk]


def test_plausibility_flags_a_jump_against_history(network, rules, month):
    n = network
    earlier = month
    for _i in range(4):
        earlier = (earlier - dt.timedelta(days=1)).replace(day=1)
        services.reports_open(month=earlier)
        r = MonthlyReport.objects.get(unit=n.ws_zgc, month=earlier)
        MonthlyReport.objects.filter(pk=r.pk).update(
            figures={"query_answered": 10}, frozen_at=timezone.now(), status="approved"
        )
    services.reports_open(month=month)
    report = MonthlyReport.objects.get(unit=n.ws_zgc, month=month)
    act(n, n.ws_zgc, month, n.ent_zgc, quantity=60)
    row = selectors.report_view(report).row("query_answered")
    assert any("far above" in flag for flag in row.flags)
    assert not selectors.report_view(report).row("visit").flags


def test_reminders_go_to_the_units_staff_once_a_day(network, reports):
    report = reports["WS-110108-001"]
    due = report.due_on
    assert services.reports_remind(today=due - dt.timedelta(days=4)) == 0
    count = services.reports_remind(today=due - dt.timedelta(days=2))
    assert count == 6
    assert Notification.objects.filter(user=network.liaison_zgc, kind="report").count() == 1
    assert services.reports_remind(today=due - dt.timedelta(days=2)) == 0
    submit(report, network.liaison_zgc)
    assert services.reports_remind(today=due - dt.timedelta(days=1)) == 5


def test_completeness_counts_expected_submitted_and_on_time(network, reports, month):
    n = network
    report = reports["WS-110108-001"]
    services.report_submit(
        report=report, acting_user=n.liaison_zgc,
        now=dt.datetime.combine(report.due_on, dt.time(9), SHANGHAI),
    )  # fmt: skip
    late = reports["WS-110105-001"]
    services.report_submit(
        report=late, acting_user=n.liaison_wangjing,
        now=dt.datetime.combine(late.due_on + dt.timedelta(days=2), dt.time(9), SHANGHAI),
    )  # fmt: skip
    today = report.due_on + dt.timedelta(days=3)
    figures = selectors.completeness(user=n.city_officer, start=month, end=month, today=today)
    assert (figures["expected"], figures["submitted"], figures["on_time"]) == (6, 2, 1)
    levels = {row["level"]: row for row in figures["levels"]}
    assert levels["workstation"]["expected"] == 3 and levels["workstation"]["submitted"] == 2
    assert levels["workstation"]["timeliness"] == pytest.approx(1 / 3)
    # Before the due day nothing is expected yet.
    early = selectors.completeness(
        user=n.city_officer, start=month, end=month, today=report.due_on - dt.timedelta(days=1)
    )
    assert early["expected"] == 0 and early["completeness"] is None
    # A district officer sees their subtree only.
    haidian = selectors.completeness(user=n.haidian_officer, start=month, end=month, today=today)
    assert haidian["expected"] == 3
