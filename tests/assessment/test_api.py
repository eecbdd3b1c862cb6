"""/api/v1/assessment and /api/v1/funding over the real HTTP stack."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from ipps.assessment.models import Evaluation, Scheme
from tests.scoped_api import ScopedResourceTests


@pytest.fixture
def _published(published):
    return published


@pytest.mark.usefixtures("_published")
class TestEvaluationScope(ScopedResourceTests):
    list_url = "/api/v1/assessment/evaluations"

    def detail_url(self, obj):
        return f"/api/v1/assessment/evaluations/{obj.pk}"

    def in_scope(self, network):
        return network.liaison_zgc, Evaluation.objects.get(unit=network.ws_zgc)

    def out_of_scope(self, network):
        return network.liaison_zgc, Evaluation.objects.get(unit=network.ws_wangjing)

    extra_out_of_scope = ("other_district",)

    def other_district(self, network):
        return network.haidian_officer, Evaluation.objects.get(unit=network.ws_wangjing)


def test_a_form_without_its_file_is_refused_not_a_server_error(network, api_as, example_yaml):
    client = api_as(network.city_officer)
    r = client.post("/api/v1/assessment/schemes/import", {"other": "x"}, multipart=True)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "file_required" and r.json()["field"] == "file"
    assert Scheme.objects.count() == 0
    imported = client.post(
        "/api/v1/assessment/schemes/import", example_yaml, content_type="application/yaml"
    )
    r = client.post(
        f"/api/v1/assessment/schemes/{imported.json()['id']}/replace", {"x": "1"}, multipart=True
    )
    assert r.status_code == 422 and r.json()["code"] == "file_required"


def test_import_yaml_body_and_multipart(network, api_as, example_yaml):
    client = api_as(network.city_officer)
    r = client.post(
        "/api/v1/assessment/schemes/import", example_yaml, content_type="application/yaml"
    )
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 1 and r.json()["max_points"] == "100"
    r = client.post(
        "/api/v1/assessment/schemes/import",
        {"file": io.BytesIO(example_yaml.replace(b"share: 0.6", b"share: 6"))},
        multipart=True,
    )
    assert (
        r.status_code == 422 and r.json()["field"] == "areas[0].indicators[0].rule.tiers[1].share"
    )
    assert Scheme.objects.count() == 1
    assert (
        api_as(network.haidian_officer)
        .post("/api/v1/assessment/schemes/import", example_yaml, content_type="application/yaml")
        .status_code
        == 403
    )
    exported = client.get(f"/api/v1/assessment/schemes/{Scheme.objects.get().pk}/export")
    assert exported.status_code == 200 and b"A1" in exported.content
    scheme = Scheme.objects.get()
    replaced = client.post(
        f"/api/v1/assessment/schemes/{scheme.pk}/replace",
        exported.content.replace(b"target: 25", b"target: 30", 1),
        content_type="application/yaml",
    )
    assert replaced.status_code == 200, replaced.content
    scheme.refresh_from_db()
    assert scheme.indicators()[1]["target"]["default"] == "30"


def test_evaluation_cycle_over_http(network, api_as, published):
    zgc = Evaluation.objects.get(unit=network.ws_zgc)
    url = f"/api/v1/assessment/evaluations/{zgc.pk}"
    body = api_as(network.liaison_zgc).get(url).json()
    a1 = next(c for c in body["cells"] if c["code"] == "A1")
    assert a1["points"] == "15" and "1000 of target 1000" in a1["explanation"]
    r = api_as(network.liaison_zgc).post(
        f"{url}/self-score",
        {"scores": [{"indicator": "C1", "score": "5", "evidence": "制度文件"}], "submit": True},
    )
    assert r.status_code == 200 and r.json()["status"] == "under_review"
    r = api_as(network.haidian_officer).post(
        f"{url}/review",
        {"scores": [{"indicator": "C1", "judgement": True, "comment": "ok"}], "finish": True},
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "reviewed" and D(r.json()["total"]) == D("51.17")
    r = api_as(network.liaison_zgc).post(
        f"{url}/appeals", {"reason": "A1 target", "indicator": "Z1"}
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_indicator"
    r = api_as(network.liaison_zgc).post(f"{url}/appeals", {"reason": "请复核A3"})
    assert r.status_code == 201
    r = api_as(network.city_officer).post(
        f"/api/v1/assessment/appeals/{r.json()['id']}/decide", {"upheld": False, "decision": "维持"}
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    r = api_as(network.city_officer).post(f"{url}/publish")
    assert r.status_code == 409 and r.json()["code"] == "appeal_window_open"


def test_funding_over_http(network, api_as, published):
    client = api_as(network.city_officer)
    r = client.post(
        "/api/v1/funding/plans",
        {"scheme": published.pk, "budget": "100000.00", "base_by_kind": {"workstation": "10000"}},
    )
    assert r.status_code == 201, r.content
    plan = r.json()["id"]
    r = client.post(f"/api/v1/funding/plans/{plan}/simulate")
    assert r.status_code == 200
    units = r.json()["simulation"]["units"]
    assert sum(D(u["total"]) for u in units) == D("100000.00")
    r = client.post(f"/api/v1/funding/plans/{plan}/publish")
    assert r.status_code == 409 and r.json()["code"] == "evaluations_not_published"
    bad = client.patch(f"/api/v1/funding/plans/{plan}", {"budget": "abc"})
    assert bad.status_code == 422 and bad.json()["field"] == "budget"
    sheet = load_workbook(
        io.BytesIO(client.get(f"/api/v1/funding/plans/{plan}/export").content)
    ).active
    assert sheet.max_row == 4 + 3 + 1
    # Drafts are the city's; others see nothing.
    assert api_as(network.haidian_officer).get(f"/api/v1/funding/plans/{plan}").status_code == 404


def test_cells_explain_themselves_in_the_readers_language(network, api_as, published):
    """Computed (and stored) in English, read in Chinese: the sentences follow the reader."""
    zgc = Evaluation.objects.get(unit=network.ws_zgc)
    url = f"/api/v1/assessment/evaluations/{zgc.pk}"
    english = {c["code"]: c for c in api_as(network.liaison_zgc).get(url).json()["cells"]}
    # The request activates Chinese in this thread; the override restores English afterwards.
    with translation.override("en"):
        response = api_as(network.liaison_zgc).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese = {c["code"]: c for c in response.json()["cells"]}
    assert "of target" in english["A1"]["explanation"]
    assert english["A1"]["explanation"] != chinese["A1"]["explanation"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["A1"]["explanation"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["A1"]["value_explanation"])
    assert chinese["A1"]["points"] == english["A1"]["points"] == "15"
    assert chinese["D1"]["value_explanation"] == english["D1"]["value_explanation"]  # formula


def test_funding_steps_read_in_the_readers_language(network, api_as, login_as, published):
    """A simulation keeps its sentences as data: whoever reads it reads them in their own
    language, and publishing in another language than the simulation's is not 'stale'."""
    client = api_as(network.city_officer)
    r = client.post(
        "/api/v1/funding/plans",
        {
            "scheme": published.pk,
            "budget": "100000.00",
            "base_by_kind": {"workstation": "10000"},
            "deductions": [{"name": "月报逾期", "measure": "late_reports", "amount": "100"}],
        },
    )
    plan = r.json()["id"]
    with translation.override("en"):  # the request leaks its language into this thread
        r = client.post(f"/api/v1/funding/plans/{plan}/simulate", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    zh = r.json()["simulation"]["units"][0]["steps"]
    assert zh[0] == "基础经费（工作站）：10,000.00 元。", zh
    with translation.override("en"):
        r = client.get(f"/api/v1/funding/plans/{plan}", HTTP_ACCEPT_LANGUAGE="en")
        en = r.json()["simulation"]["units"][0]["steps"]
        assert en[0] == "Base amount for a workstation: 10,000.00 yuan."
        assert en[-1].startswith("Total: ") and len(en) == len(zh)
    with translation.override("en"):
        page = login_as(network.city_officer).get(
            reverse("assessment:plan", args=[plan]), HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "Base amount for a workstation: 10,000.00 yuan." in page.content.decode()
