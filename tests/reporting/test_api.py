"""/api/v1/reports over the real HTTP stack: scope, the workflow, errors, completeness, exports."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ipps.reporting.models import MonthlyReport
from tests.reporting.conftest import act
from tests.scoped_api import ScopedResourceTests


@pytest.fixture(autouse=True)
def _reports(reports):
    return reports


class TestReportScope(ScopedResourceTests):
    list_url = "/api/v1/reports"

    def detail_url(self, obj):
        return f"/api/v1/reports/{obj.pk}"

    def in_scope(self, network):
        return network.liaison_zgc, MonthlyReport.objects.get(unit=network.ws_zgc)

    def out_of_scope(self, network):
        return network.liaison_zgc, MonthlyReport.objects.get(unit=network.ws_wangjing)

    extra_out_of_scope = ("parent_of_liaison", "portal_user")

    def parent_of_liaison(self, network):
        return network.liaison_zgc, MonthlyReport.objects.get(unit=network.haidian)

    def portal_user(self, network):
        return network.portal_zgc, MonthlyReport.objects.get(unit=network.ws_zgc)


def test_the_whole_flow_over_http(network, api_as, month):
    n = network
    act(n, n.ws_zgc, month, n.ent_zgc, quantity=7)
    report = MonthlyReport.objects.get(unit=n.ws_zgc)
    liaison, district, city = (
        api_as(n.liaison_zgc),
        api_as(n.haidian_officer),
        api_as(n.city_officer),
    )
    url = f"/api/v1/reports/{report.pk}"

    body = liaison.get(url).json()
    figures = {f["key"]: f for f in body["figures"]}
    assert figures["query_answered"]["ledger"] == 7 and figures["query_answered"]["live"] is None
    assert body["status"] == "draft" and body["version"] == 1

    r = liaison.patch(url, {"work_done": "工作站本月答复咨询7次", "version": 1})
    assert r.status_code == 200, r.content
    assert r.json()["work_done"] == "工作站本月答复咨询7次" and r.json()["version"] == 2
    stale = liaison.patch(url, {"problems": "x", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"

    r = liaison.post(
        f"{url}/adjustments", {"figure": "visit", "amount": 2, "reason": "两次走访未录入"}
    )
    assert r.status_code == 201, r.content
    bad = liaison.post(f"{url}/adjustments", {"figure": "visit", "amount": 0, "reason": "nothing"})
    assert bad.status_code == 422 and bad.json()["field"] == "amount"

    assert liaison.post(f"{url}/approve").status_code == 403  # not the parent's officer
    assert district.post(f"{url}/approve").json()["code"] == "illegal_transition"  # a draft
    r = liaison.post(f"{url}/submit")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted" and r.json()["frozen_at"]
    assert liaison.patch(url, {"problems": "late edit"}).json()["code"] == "report_not_editable"
    assert liaison.post(f"{url}/approve").status_code == 403

    r = district.post(f"{url}/return", {"comment": ""})
    assert r.status_code == 422 and r.json()["code"] == "comment_required"
    r = district.post(f"{url}/return", {"comment": "请补充典型案例"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert r.json()["events"][-1]["comment"] == "请补充典型案例"
    assert liaison.post(f"{url}/submit").json()["status"] == "submitted"
    assert district.post(f"{url}/approve").json()["status"] == "approved"
    r = city.post(f"{url}/accept")
    assert r.json()["status"] == "accepted"
    figures = {f["key"]: f for f in r.json()["figures"]}
    assert (figures["visit"]["ledger"], figures["visit"]["reported"]) == (0, 2)


def test_list_filters_and_errors(network, api_as, month):
    client = api_as(network.city_officer)
    body = client.get("/api/v1/reports", {"month": f"{month:%Y-%m}"}).json()
    assert body["count"] == 6
    assert client.get("/api/v1/reports", {"level": "workstation"}).json()["count"] == 3
    r = client.get("/api/v1/reports", {"unit": network.haidian.pk})
    assert r.json()["count"] == 3
    bad = client.get("/api/v1/reports", {"month": "2026-13"})
    assert bad.status_code == 422 and bad.json()["field"] == "month"
    bad = client.get("/api/v1/reports", {"status": "done"})
    assert bad.status_code == 422 and bad.json()["field"] == "status"


def test_query_counts_are_pinned(network, api_as, month):
    client = api_as(network.city_officer)
    report = MonthlyReport.objects.get(unit=network.haidian)
    client.get("/api/v1/reports")  # warm caches (content types, token)
    with CaptureQueriesContext(connection) as list_queries:
        assert client.get("/api/v1/reports").status_code == 200
    with CaptureQueriesContext(connection) as detail_queries:
        assert client.get(f"/api/v1/reports/{report.pk}").status_code == 200
    assert len(list_queries) <= 8, [q["sql"] for q in list_queries]
    assert len(detail_queries) <= 22, [q["sql"] for q in detail_queries]


def test_completeness_endpoint(network, api_as, month):
    client = api_as(network.city_officer)
    r = client.get(
        "/api/v1/reports/completeness", {"from": f"{month:%Y-%m}", "to": f"{month:%Y-%m}"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["from"] == f"{month:%Y-%m}-01"
    assert {row["level"] for row in body["levels"]} <= {
        "municipal_centre",
        "district_centre",
        "workstation",
    }
    assert len(body["units"]) == 6
    bad = client.get("/api/v1/reports/completeness", {"from": "2026-10", "to": "2026-01"})
    assert bad.status_code == 422
    assert (
        api_as(network.liaison_zgc)
        .get("/api/v1/reports/completeness", {"unit": network.city.pk})
        .status_code
        == 404
    )


def test_xlsx_export(network, api_as, month):
    act(network, network.ws_zgc, month, network.ent_zgc, quantity=3)
    report = MonthlyReport.objects.get(unit=network.ws_zgc)
    r = api_as(network.liaison_zgc).get(f"/api/v1/reports/{report.pk}/export", {"format": "xlsx"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Queries answered"][1:4] == (3, 0, 3)
    bad = api_as(network.liaison_zgc).get(f"/api/v1/reports/{report.pk}/export", {"format": "doc"})
    assert bad.status_code == 422
