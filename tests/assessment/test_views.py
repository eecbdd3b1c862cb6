"""The assessment and funding pages as people use them: import and publish a scheme, read an
evaluation whose every cell explains itself, self-assess, review, appeal, publish, and fund."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
import yaml
from django.utils import timezone
from openpyxl import load_workbook

from ipps.assessment import services
from ipps.assessment.forms import parse_coefficients
from ipps.assessment.models import Appeal, Evaluation, FundingPlan, IndicatorScore, Scheme
from ipps.assessment.views import money, rule_summary

BROKEN_PATH = "areas[0].indicators[0].rule.tiers[1].share"


def upload(content: bytes, name: str = "scheme.yaml") -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def html(response) -> str:
    return response.content.decode()


def rows(page: str, table_id: str) -> list[str]:
    """The body rows of the table with this id."""
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", body, flags=re.S)


# Schemes --------------------------------------------------------------------------------------


def test_import_a_broken_then_a_good_scheme_and_publish_it(network, login_as, example_yaml):
    client = login_as(network.city_officer)
    page = html(client.get("/assessment/"))
    assert 'id="scheme-import"' in page and 'id="no-schemes"' in page
    assert 'id="no-evaluations"' in page

    broken = example_yaml.replace(b"share: 0.6", b"share: 6")
    r = client.post("/assessment/schemes/import/", {"file": upload(broken)})
    assert r.status_code == 422
    assert f'<code class="mono">{BROKEN_PATH}</code>' in html(r)
    assert "is-invalid" in html(r)
    assert Scheme.objects.count() == 0

    r = client.post("/assessment/schemes/import/", {"file": upload(example_yaml)})
    scheme = Scheme.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/assessment/schemes/{scheme.pk}/"
    page = html(client.get(r["Location"]))
    assert 'data-status="draft"' in page and 'id="publish-scheme"' in page
    assert "≥100% → 100%, ≥90% → 60%" in page  # A1's tiers, readably
    assert "WS-110108-001</span>: 1000" in page  # A1's target for one workstation
    assert "deduction: −5 points per event, at most −10" in page
    assert '<td class="text-end" id="scheme-max">100</td>' in page
    assert 'id="no-ranking"' in page

    download = client.get(f"/assessment/schemes/{scheme.pk}/scheme.yaml")
    assert download.status_code == 200
    assert yaml.safe_load(download.content)["areas"][0]["indicators"][0]["code"] == "A1"

    r = client.post(f"/assessment/schemes/{scheme.pk}/publish/")
    assert r.status_code == 302
    page = html(client.get(r["Location"]))
    assert 'data-status="published"' in page and 'id="publish-scheme"' not in page
    assert len(rows(page, "ranking")) == 3
    again = client.post(f"/assessment/schemes/{scheme.pk}/publish/")
    assert again.status_code == 409 and 'id="scheme-error"' in html(again)
    assert len(rows(html(client.get("/assessment/")), "evaluation-table")) == 3


def test_only_the_city_imports_and_sees_drafts(network, login_as, example_yaml):
    draft = services.scheme_import(source=example_yaml, acting_user=network.city_officer)
    client = login_as(network.haidian_officer)
    page = html(client.get("/assessment/"))
    assert 'id="scheme-import"' not in page and 'id="no-schemes"' in page
    assert client.get(f"/assessment/schemes/{draft.pk}/").status_code == 404
    assert client.get(f"/assessment/schemes/{draft.pk}/scheme.yaml").status_code == 404
    r = client.post("/assessment/schemes/import/", {"file": upload(example_yaml)})
    assert r.status_code == 403 and Scheme.objects.count() == 1
    assert client.get("/assessment/schemes/import/").status_code == 405


def test_replace_a_draft_with_a_new_file(network, login_as, example_yaml):
    draft = services.scheme_import(source=example_yaml, acting_user=network.city_officer)
    client = login_as(network.city_officer)
    renamed = example_yaml.replace("知识产权工作站年度绩效考核".encode(), "新考核方案".encode())
    r = client.post(f"/assessment/schemes/{draft.pk}/replace/", {"file": upload(renamed)})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "新考核方案" and draft.version == 1
    other_year = example_yaml.replace(b"year: 2025", b"year: 2026")
    r = client.post(f"/assessment/schemes/{draft.pk}/replace/", {"file": upload(other_year)})
    assert r.status_code == 422 and "another year or unit kind" in html(r)
    assert Scheme.objects.get().year == 2025


# Evaluations ----------------------------------------------------------------------------------


def test_every_cell_explains_itself(network, login_as, published):
    zgc = Evaluation.objects.get(unit=network.ws_zgc)
    page = html(login_as(network.liaison_zgc).get(f"/assessment/evaluations/{zgc.pk}/"))
    cells = rows(page, "cells")
    assert len(cells) == len(published.indicators()) == 14
    a1 = next(c for c in cells if 'data-indicator="A1"' in c)
    assert "1000 of target 1000" in a1 and "15 / 15" in a1
    assert "from the service ledger (query_answered)" in a1
    d1 = next(c for c in cells if 'data-indicator="D1"' in c)
    assert "SAFE_DIV(visits_and_cases, 30)" in d1
    assert all('class="small cell-explanation">' in c and "cell-explanation\"></td>" not in c
               for c in cells)  # fmt: skip
    assert 'id="evaluation-total">46.17<' in page
    assert 'id="self-form"' in page and 'id="review-form"' not in page
    assert 'id="publish-evaluation"' not in page


def test_self_assess_review_appeal_decide_publish(network, login_as, published):
    n = network
    zgc = Evaluation.objects.get(unit=n.ws_zgc)
    url = f"/assessment/evaluations/{zgc.pk}/"
    unit = login_as(n.liaison_zgc)

    bad = unit.post(
        f"{url}self-assessment/",
        {"score_A1": "99", "evidence_A1": "my typed evidence", "score_C1": "5", "submit": "1"},
    )
    assert bad.status_code == 422
    assert 'data-field="score_A1">At most 15.<' in html(bad)
    assert "my typed evidence" in html(bad)  # nothing typed is lost
    assert not IndicatorScore.objects.filter(evaluation=zgc).exists()  # nothing half-saved

    r = unit.post(f"{url}self-assessment/", {"score_C1": "5", "evidence_C1": "制度文件三份"})
    assert r.status_code == 302
    r = unit.post(f"{url}self-assessment/", {"score_A1": "15", "value_E1": "", "submit": "1"})
    assert r.status_code == 302
    zgc.refresh_from_db()
    c1 = IndicatorScore.objects.get(evaluation=zgc, indicator="C1")
    assert zgc.status == "under_review" and zgc.self_total == D(20)
    assert c1.evidence == "制度文件三份" and c1.self_score == 5  # not posted, so kept
    page = html(unit.get(url))
    assert 'id="self-form"' not in page and 'data-status="under_review"' in page

    reviewer = login_as(n.haidian_officer)
    page = html(reviewer.get(url))
    assert 'id="review-form"' in page and "制度文件三份" in page
    r = reviewer.post(f"{url}review/", {"score_A3": "8", "comment_A3": "", "finish": "1"})
    assert r.status_code == 422 and 'data-field="comment_A3"' in html(r)
    assert Evaluation.objects.get(pk=zgc.pk).status == "under_review"
    r = reviewer.post(
        f"{url}review/",
        {
            "judgement_C1": "yes",
            "comment_C1": "制度齐全",
            "value_E1": "1",
            "comment_E1": "投诉属实",
        },
    )
    assert r.status_code == 302
    zgc.refresh_from_db()
    assert zgc.total == D("46.17") + 5 - 5  # C1 met with evidence; one complaint deducted
    r = reviewer.post(f"{url}review/", {"finish": "1"})
    assert r.status_code == 302
    zgc.refresh_from_db()
    assert zgc.status == "reviewed" and zgc.appeal_until >= timezone.localdate()
    page = html(reviewer.get(url))
    assert "Judged met with evidence → 5 of 5 points" in page
    assert 'id="appeal-form"' not in page  # the district reviews; it does not appeal

    unit = login_as(n.liaison_zgc)  # one test client: log the unit's liaison back in
    page = html(unit.get(url))
    assert 'id="appeal-form"' in page
    r = unit.post(f"{url}appeal/", {"indicator": "A3", "reason": "短"})
    assert r.status_code == 422 and "at least 5 characters" in html(r)
    r = unit.post(f"{url}appeal/", {"indicator": "A3", "reason": "服务企业数漏计了园区企业"})
    assert r.status_code == 302
    appeal = Appeal.objects.get()

    city = login_as(n.city_officer)
    page = html(city.get(url))
    assert f'id="decide-{appeal.pk}"' in page and 'id="publish-evaluation"' in page
    prefix = f"appeal-{appeal.pk}"
    r = city.post(
        f"/assessment/appeals/{appeal.pk}/decide/",
        {f"{prefix}-upheld": "yes", f"{prefix}-score": "5"},
    )
    assert r.status_code == 422 and "Write the decision" in html(r)
    r = city.post(
        f"/assessment/appeals/{appeal.pk}/decide/",
        {f"{prefix}-upheld": "yes", f"{prefix}-decision": "核实后补计", f"{prefix}-score": "5"},
    )
    assert r.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "upheld" and appeal.total_after == appeal.total_before - D("0.17") + 5

    early = city.post(f"{url}publish/")
    assert early.status_code == 409 and "publish after that day" in html(early)
    Evaluation.objects.filter(pk=zgc.pk).update(
        appeal_until=timezone.localdate() - dt.timedelta(days=1)
    )
    r = city.post(f"{url}publish/")
    assert r.status_code == 302
    page = html(city.get(url))
    assert 'data-status="published"' in page and 'id="published-note"' in page
    assert 'id="publish-evaluation"' not in page and 'id="review-form"' not in page


def test_the_whole_form_posted_touches_only_what_changed(network, login_as, published):
    zgc = Evaluation.objects.get(unit=network.ws_zgc)
    url = f"/assessment/evaluations/{zgc.pk}/"
    reviewer = login_as(network.haidian_officer)
    form = html(reviewer.get(url)).split('id="review-form"', 1)[1].split("</form>", 1)[0]
    names = re.findall(r'name="((?:score|value|judgement|comment)_\w+)"', form)
    assert {"judgement_C1", "value_E1", "score_A1", "comment_E1"} <= set(names)
    assert "score_E1" not in names and "judgement_A1" not in names  # by rule type
    data = dict.fromkeys(names, "") | {"score_A2": "9", "comment_A2": "两次走访无记录"}
    assert reviewer.post(f"{url}review/", data).status_code == 302
    stored = IndicatorScore.objects.get(evaluation=zgc)
    assert stored.indicator == "A2" and stored.review_score == 9
    assert stored.reviewed_by == network.haidian_officer


def test_scope_and_roles(network, login_as, published, client):
    zgc = Evaluation.objects.get(unit=network.ws_zgc)
    url = f"/assessment/evaluations/{zgc.pk}/"
    assert login_as(network.liaison_wangjing).get(url).status_code == 404
    assert login_as(network.liaison_wangjing).post(f"{url}self-assessment/").status_code == 404
    r = login_as(network.haidian_officer).post(f"{url}publish/")
    assert r.status_code == 403 and 'id="evaluation-error"' in html(r)
    r = login_as(network.liaison_zgc).post(f"{url}review/", {"score_A1": "1", "comment_A1": "x"})
    assert r.status_code == 403 and "Only officers of the parent unit" in html(r)
    assert not IndicatorScore.objects.exists()
    assert login_as(network.liaison_zgc).get(f"{url}publish/").status_code == 405
    for path in ("/assessment/", url, "/funding/"):
        assert login_as(network.portal_zgc).get(path).status_code == 404
    client.logout()
    r = client.get("/assessment/")
    assert r.status_code == 302 and "login" in r["Location"]


# Funding --------------------------------------------------------------------------------------


def plan_form(scheme, **overrides) -> dict:
    data = {
        "scheme": scheme.pk,
        "name": "2025年工作站绩效经费",
        "budget": "300000",
        "method": "proportional",
        "grade_coefficients": "",
        "floor": "",
        "cap": "",
        "base_workstation": "50000",
        "base_district_centre": "",
        "base_municipal_centre": "",
    }
    return {**data, **overrides}


def test_create_simulate_publish_and_export_a_plan(network, login_as, published):
    client = login_as(network.city_officer)
    page = html(client.get("/funding/"))
    assert 'id="plan-create"' in page and 'id="no-plans"' in page

    r = client.post("/funding/new/", plan_form(published, grade_coefficients="excellent 1.2"))
    assert r.status_code == 400 and "grade=coefficient" in html(r)
    r = client.post("/funding/new/", plan_form(published, grade_coefficients="superb=2"))
    assert r.status_code == 422 and 'data-field="grade_coefficients"' in html(r)
    r = client.post(
        "/funding/new/",
        plan_form(published, deduction_0_measure="late_reports", deduction_0_amount="abc"),
    )
    assert r.status_code == 422 and 'data-field="deduction_0_amount"' in html(r)
    assert "2025年工作站绩效经费" in html(r)  # what was typed is kept
    assert not FundingPlan.objects.exists()

    r = client.post(
        "/funding/new/",
        plan_form(
            published,
            deduction_1_measure="indicator_shortfall",
            deduction_1_indicator="C1",
            deduction_1_amount="100",
            deduction_1_cap="400",
        ),
    )
    plan = FundingPlan.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/funding/{plan.pk}/"
    assert plan.deductions == [
        {
            "name": "Shortfall on an indicator (per point)",
            "measure": "indicator_shortfall",
            "amount": "100",
            "cap": "400",
            "indicator": "C1",
        }
    ]
    page = html(client.get(r["Location"]))
    assert 'id="no-simulation"' in page and 'id="publish-plan"' not in page
    assert 'id="plan-budget">300,000.00<' in page

    r = client.post(f"/funding/{plan.pk}/simulate/")
    assert r.status_code == 302
    page = html(client.get(f"/funding/{plan.pk}/"))
    units = rows(page, "simulation")
    assert len(units) == 3 and all("<details" in u for u in units)
    assert 'data-adds-up="true">300,000.00<' in page
    plan.refresh_from_db()
    assert sum(D(u["total"]) for u in plan.simulation["units"]) == D("300000.00")
    # C1 awaits its judgement everywhere: a 5-point shortfall, capped at 400 yuan.
    assert (
        "Shortfall on an indicator (per point): 5 × 100 yuan = 500 yuan, capped at 400 yuan" in page
    )
    assert 'id="provisional-note"' in page

    r = client.post(f"/funding/{plan.pk}/publish/")
    assert r.status_code == 409 and "must be published before the funding is" in html(r)

    Evaluation.objects.filter(scheme=published).update(
        status="reviewed", appeal_until=timezone.localdate() - dt.timedelta(days=1)
    )
    for evaluation in Evaluation.objects.filter(scheme=published):
        services.evaluation_publish(evaluation=evaluation, acting_user=network.city_officer)
    r = client.post(f"/funding/{plan.pk}/publish/")
    assert r.status_code == 302
    page = html(client.get(f"/funding/{plan.pk}/"))
    assert 'data-status="published"' in page and len(rows(page, "allocations")) == 3
    assert 'id="allocations-total" data-adds-up="true">300,000.00<' in page
    assert 'id="simulate-plan"' not in page and 'id="plan-edit"' not in page

    export = client.get(f"/funding/{plan.pk}/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 4 + 3 + 1 and sheet.cell(sheet.max_row, 8).value == 300000

    district = login_as(network.haidian_officer)
    assert 'id="plan-table"' in html(district.get("/funding/"))
    page = html(district.get(f"/funding/{plan.pk}/"))
    assert 'id="allocations"' in page and 'id="plan-edit"' not in page
    assert district.post(f"/funding/{plan.pk}/simulate/").status_code == 403


def test_edit_a_draft_plan_resets_its_simulation(network, login_as, published):
    plan = services.plan_create(
        data={"scheme": published.pk, "budget": "100000", "base_by_kind": {"workstation": "1"}},
        acting_user=network.city_officer,
    )
    services.plan_simulate(plan=plan, acting_user=network.city_officer)
    client = login_as(network.city_officer)
    form = plan_form(published, budget="120000.5", method="grade")
    form["grade_coefficients"] = "excellent=1.2，good=1, pass=0.8; fail=0"
    del form["scheme"]
    r = client.post(f"/funding/{plan.pk}/edit/", form)
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.budget == D("120000.50") and plan.method == "grade"
    assert plan.grade_coefficients == {"excellent": "1.2", "good": "1", "pass": "0.8", "fail": "0"}
    assert plan.simulation == {} and plan.base_by_kind == {"workstation": "50000"}
    r = client.post(f"/funding/{plan.pk}/edit/", {**form, "budget": "-1"})
    assert r.status_code == 422 and 'data-field="budget"' in html(r)
    assert 'value="-1"' in html(r)
    other = login_as(network.haidian_officer)
    assert other.get(f"/funding/{plan.pk}/").status_code == 404  # drafts are the city's


# Helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"type": "tiered", "tiers": [{"at_least": "1", "share": "1"}]}, "≥100% → 100%"),
        ({"type": "bands", "bands": [{"at_least": "0.95", "share": "0.8"}]}, "≥95% → 80%"),
        ({"type": "bonus", "per_unit": "0.25", "cap": "5"}, "0.25 points per unit above"),
        ({"type": "per_event", "per_event": "2"}, "2 points per event, at most 10"),
        ({"type": "judgement", "requires_evidence": True}, "a yes needs evidence"),
    ],
)
def test_rule_summary(rule, text):
    assert text in rule_summary(rule, "10")


def test_money_and_coefficients():
    assert money(D("1234567.5")) == "1,234,567.50" and money(None) == "—"
    assert parse_coefficients("a=1, b：0.5；c:2") == {"a": "1", "b": "0.5", "c": "2"}
    for bad in ("a", "a=1, a=2", "=1"):
        with pytest.raises(ValueError):
            parse_coefficients(bad)


def test_lists_read_in_a_fixed_number_of_queries(
    network, login_as, published, django_assert_max_num_queries
):
    client = login_as(network.city_officer)
    for url in ("/assessment/", f"/assessment/schemes/{published.pk}/", "/funding/"):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_a_simulation_shows_unit_names_in_the_readers_language(network, login_as, published):
    from django.utils import translation

    plan = services.plan_create(
        data={"scheme": published.pk, "budget": "30000.00"}, acting_user=network.city_officer
    )
    with translation.override("en"):
        plan = services.plan_simulate(plan=plan, acting_user=network.city_officer)
    assert "Zhongguancun Software Park Workstation" in str(plan.simulation)
    client = login_as(network.city_officer)
    with translation.override("en"):  # the request activates Chinese in this thread
        page = client.get(f"/funding/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "中关村软件园工作站" in page
