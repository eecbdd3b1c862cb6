"""The report pages as people use them: list, fill, correct, submit, return, approve, completeness."""

from __future__ import annotations

import pytest

from ipps.reporting.models import MonthlyReport
from tests.reporting.conftest import act


@pytest.fixture(autouse=True)
def _reports(reports):
    return reports


def test_list_shows_the_users_reports_only(network, login_as):
    page = login_as(network.liaison_zgc).get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "WS-110108-001" in html and "WS-110105-001" not in html
    empty = login_as(network.liaison_zgc).get("/reports/", {"status": "accepted"})
    assert 'id="no-reports"' in empty.content.decode()


def test_portal_users_do_not_see_reports(network, login_as):
    assert login_as(network.portal_zgc).get("/reports/").status_code == 404


def test_fill_correct_and_submit(network, login_as, month):
    act(network, network.ws_zgc, month, network.ent_zgc, quantity=4)
    report = MonthlyReport.objects.get(unit=network.ws_zgc)
    client = login_as(network.liaison_zgc)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'id="narrative-form"' in page and 'id="submit-report"' in page
    r = client.post(
        f"/reports/{report.pk}/edit/",
        {
            "work_done": "走访企业3家",
            "notable_cases": "",
            "problems": "",
            "next_plan": "",
            "version": 1,
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"/reports/{report.pk}/adjust/", {"figure": "visit", "amount": "3", "reason": ""}
    )
    assert r.status_code == 400 and "reason" in r.content.decode().lower()
    r = client.post(
        f"/reports/{report.pk}/adjust/",
        {"figure": "visit", "amount": "3", "reason": "三次走访记录在纸质台账"},
    )
    assert r.status_code == 302
    stale = client.post(
        f"/reports/{report.pk}/edit/",
        {
            "work_done": "my unsaved text",
            "notable_cases": "",
            "problems": "",
            "next_plan": "",
            "version": 1,
        },
    )
    assert stale.status_code == 409
    assert "my unsaved text" in stale.content.decode()  # nothing typed is lost
    r = client.post(f"/reports/{report.pk}/submit/")
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.work_done == "走访企业3家"
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'id="submit-report"' not in page and 'id="narrative-form"' not in page


def test_district_returns_then_approves(network, login_as):
    report = MonthlyReport.objects.get(unit=network.ws_zgc)
    login_as(network.liaison_zgc).post(f"/reports/{report.pk}/submit/")
    client = login_as(network.haidian_officer)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'id="approve-report"' in page and 'id="return-report"' in page
    assert "awaiting-review" in client.get("/reports/").content.decode()
    r = client.post(f"/reports/{report.pk}/return/", {"comment": ""})
    assert r.status_code == 422
    r = client.post(f"/reports/{report.pk}/return/", {"comment": "请补充问题"})
    assert r.status_code == 302
    page = login_as(network.liaison_zgc).get(f"/reports/{report.pk}/").content.decode()
    assert "请补充问题" in page and 'id="return-comment"' in page
    login_as(network.liaison_zgc).post(f"/reports/{report.pk}/submit/")
    assert (
        login_as(network.haidian_officer).post(f"/reports/{report.pk}/approve/").status_code == 302
    )
    assert MonthlyReport.objects.get(pk=report.pk).status == "approved"


def test_unknown_action_and_out_of_scope_are_404(network, login_as):
    report = MonthlyReport.objects.get(unit=network.ws_wangjing)
    client = login_as(network.liaison_zgc)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    own = MonthlyReport.objects.get(unit=network.ws_zgc)
    assert client.post(f"/reports/{own.pk}/delete/").status_code == 404


def test_completeness_page(network, login_as, month):
    client = login_as(network.city_officer)
    page = client.get(
        "/reports/completeness/", {"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}"}
    )
    assert page.status_code == 200
    bad = client.get("/reports/completeness/", {"start": "2026-10", "end": "2026-01"})
    assert "The end month is before the start month." in bad.content.decode()
