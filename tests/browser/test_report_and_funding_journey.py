"""A workstation submits its monthly report, the district returns it with a comment, it is
resubmitted and approved; the city simulates and publishes the funding — in a real browser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from ipps.assessment import services as assessment
from ipps.assessment.models import Evaluation, FundingPlan
from ipps.reporting import services as reporting
from ipps.reporting.models import MonthlyReport, ReportingRule

pytestmark = pytest.mark.browser
EXAMPLE = Path(__file__).resolve().parents[2] / "src/ipps/assessment/data/workstation-scheme.yaml"


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def test_report_returned_resubmitted_approved(network, page, log_in):
    n = network
    for kind in ("workstation", "district_centre", "municipal_centre"):
        ReportingRule.objects.create(unit_kind=kind, expiry_days=60)
    reporting.reports_open(month=_last_month())
    report = MonthlyReport.objects.get(unit=n.ws_zgc)

    log_in(n.liaison_zgc.username)
    page.click("#nav-reports")
    page.click(f"tr[data-unit='{n.ws_zgc.code}'] a >> nth=0")
    page.fill("#id_work_done", "本月走访企业5家，答复咨询12次。")
    page.click("#save-narrative")
    page.wait_for_selector(".alert-success")
    page.click("#submit-report")
    page.wait_for_selector("[data-status='submitted']")

    page.context.clear_cookies()
    log_in(n.haidian_officer.username)
    page.click("#nav-reports")
    page.click("#awaiting-review a")
    page.fill("#id_comment", "请补充典型案例")
    page.click("#return-report")
    page.wait_for_selector("[data-status='returned']")

    page.context.clear_cookies()
    log_in(n.liaison_zgc.username)
    page.goto(f"/reports/{report.pk}/")
    assert "请补充典型案例" in page.locator("#return-comment").inner_text()
    page.fill("#id_notable_cases", "协助一家企业应对商标侵权投诉。")
    page.click("#save-narrative")
    page.wait_for_selector(".alert-success")
    page.click("#submit-report")
    page.wait_for_selector("[data-status='submitted']")

    page.context.clear_cookies()
    log_in(n.haidian_officer.username)
    page.goto(f"/reports/{report.pk}/")
    page.click("#approve-report")
    page.wait_for_selector("[data-status='approved']")
    report.refresh_from_db()
    assert report.status == "approved" and report.notable_cases.startswith("协助")
    actions = list(report.events.order_by("at", "id").values_list("action", flat=True))
    assert actions.count("submit") == 2 and "return" in actions


def test_city_simulates_and_publishes_funding(network, page, log_in):
    n = network
    scheme = assessment.scheme_import(source=EXAMPLE.read_bytes(), acting_user=n.city_officer)
    assessment.scheme_publish(scheme=scheme, acting_user=n.city_officer)
    Evaluation.objects.filter(scheme=scheme).update(
        status="reviewed", appeal_until=timezone.localdate() - dt.timedelta(days=1)
    )
    for evaluation in Evaluation.objects.filter(scheme=scheme):
        assessment.evaluation_publish(evaluation=evaluation, acting_user=n.city_officer)
    plan = assessment.plan_create(
        data={"scheme": scheme.pk, "name": "2025 funding", "budget": "300000.00",
              "base_by_kind": {"workstation": "50000"}},
        acting_user=n.city_officer,
    )  # fmt: skip

    log_in(n.city_officer.username)
    page.goto(f"/funding/{plan.pk}/")
    page.click("#simulate-plan")
    page.wait_for_selector("#simulation")
    assert page.locator("#simulation tbody tr").count() == 3
    assert "300,000.00" in page.locator("#simulation-total").inner_text()
    page.click("#publish-plan")
    page.wait_for_selector("[data-status='published']")
    plan = FundingPlan.objects.get(pk=plan.pk)
    assert plan.status == "published"
    assert sum(a.total for a in plan.allocations.all()) == plan.budget
