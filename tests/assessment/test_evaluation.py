"""The example scheme computed for the test network, checked by hand; self-assessment, review,
appeals and publication."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from ipps.assessment import services
from ipps.assessment.models import Evaluation, Scheme
from ipps.core.errors import ConflictError, PermissionDeniedError, ServiceError


def cells(evaluation) -> dict[str, dict]:
    return {c["code"]: c for c in evaluation.computed["cells"]}


def test_publishing_opens_an_evaluation_per_workstation(network, published):
    assert published.status == "published"
    units = set(Evaluation.objects.filter(scheme=published).values_list("unit__code", flat=True))
    assert units == {"WS-110108-001", "WS-110108-002", "WS-110105-001"}
    with pytest.raises(ConflictError):
        services.scheme_publish(scheme=published, acting_user=network.city_officer)


def test_totals_by_hand(network, published):
    zgc = Evaluation.objects.get(scheme=published, unit=network.ws_zgc)
    c = cells(zgc)
    assert c["A1"]["points"] == "15"  # 1000 of its own target 1000 (the default is 900)
    assert c["A1"]["target"] == "1000"
    assert c["A2"]["points"] == "10"  # 27 visits ≥ 25 (the 50 visits of 2024 do not count)
    assert c["A3"]["points"] == "0.17"  # 2 enterprises of 120, linear: 10 × 2/120
    assert c["A4"]["points"] == "6"  # 3 cases × 2
    assert c["A5"]["points"] == "0.5"  # (27 − 25) × 0.25
    assert c["B1"]["points"] == "0" and c["B1"]["value"] is None  # no requests: no value
    assert c["B4"]["points"] == "0"  # no monthly report on time
    assert c["C1"]["points"] == "0"  # awaiting judgement
    assert c["C2"]["points"] == "2"  # 2 training sessions × 1
    assert c["C3"]["points"] == "2.5"  # 48 of 60 = 80% → half of 5
    assert c["D1"]["points"] == "10"  # (27 + 3) / 30 × 1 (Haidian) = 1 → all 10
    assert c["E1"]["points"] == "0"
    expected = D(15) + 10 + D("0.17") + 6 + D("0.5") + 2 + D("2.5") + 10
    assert zgc.total == expected == D("46.17")
    assert zgc.grade == "fail" and zgc.rank == 1
    assert "12" not in c["A2"]["explanation"] and "27 of target 25" in c["A2"]["explanation"]
    assert c["D1"]["value_explanation"].startswith("D1 = SAFE_DIV(visits_and_cases, 30)")
    wangjing = Evaluation.objects.get(scheme=published, unit=network.ws_wangjing)
    assert wangjing.rank == 2 and wangjing.total < zgc.total


def test_self_assessment_review_appeal_and_publish(network, published):
    n = network
    zgc = Evaluation.objects.get(scheme=published, unit=n.ws_zgc)
    with pytest.raises(PermissionDeniedError):
        services.evaluation_self_score(evaluation=zgc, scores=[], acting_user=n.liaison_wangjing)
    with pytest.raises(ServiceError) as exc:
        services.evaluation_self_score(
            evaluation=zgc, scores=[{"indicator": "A1", "score": "16"}], acting_user=n.liaison_zgc
        )
    assert exc.value.code == "above_maximum"
    zgc = services.evaluation_self_score(
        evaluation=zgc,
        scores=[
            {"indicator": "C1", "score": "5", "evidence": "服务规范、台账与保密制度（附件3份）"},
            {"indicator": "A3", "score": "8"},
        ],
        submit=True,
        acting_user=n.liaison_zgc,
    )
    assert zgc.status == "under_review" and zgc.self_total == D("13")
    with pytest.raises(ConflictError):
        services.evaluation_self_score(evaluation=zgc, scores=[], acting_user=n.liaison_zgc)
    # The district reviews: a judgement on C1, a score with its comment on A3, a complaint.
    with pytest.raises(ServiceError) as exc:
        services.evaluation_review(
            evaluation=zgc,
            scores=[{"indicator": "A3", "score": "8"}],
            acting_user=n.haidian_officer,
        )
    assert exc.value.code == "comment_required"
    with pytest.raises(ServiceError) as exc:  # a score would turn a deduction into a bonus
        services.evaluation_review(
            evaluation=zgc, scores=[{"indicator": "E1", "score": "3", "comment": "x"}],
            acting_user=n.haidian_officer,
        )  # fmt: skip
    assert exc.value.code == "score_on_deduction"
    with pytest.raises(PermissionDeniedError):  # the district reviews; it does not self-assess
        services.evaluation_self_score(evaluation=zgc, scores=[], acting_user=n.haidian_officer)
    zgc = services.evaluation_review(
        evaluation=zgc,
        scores=[
            {"indicator": "C1", "judgement": True, "comment": "制度齐全"},
            {"indicator": "A3", "score": "8", "comment": "园区外企业另有台账，酌情给分"},
            {"indicator": "E1", "value": "1", "comment": "一起投诉属实"},
        ],
        finish=True,
        acting_user=n.haidian_officer,
    )
    c = cells(zgc)
    assert c["C1"]["points"] == "5" and c["A3"]["points"] == "8" and c["E1"]["points"] == "-5"
    assert "the reviewer set 8 points" in c["A3"]["explanation"]
    assert zgc.total == D("46.17") - D("0.17") + 8 + 5 - 5 == D("54")
    assert zgc.status == "reviewed" and zgc.appeal_until == timezone.localdate() + dt.timedelta(10)
    # Appeal, decided by the city: A3 raised to 10.
    with pytest.raises(ConflictError) as exc:
        services.evaluation_publish(evaluation=zgc, acting_user=n.city_officer)
    assert exc.value.code == "appeal_window_open"
    appeal = services.appeal_file(
        evaluation=zgc,
        indicator="A3",
        reason="台账已补充上传，服务企业数达标",
        acting_user=n.liaison_zgc,
    )
    with pytest.raises(PermissionDeniedError):
        services.appeal_decide(
            appeal=appeal, upheld=True, decision="x", acting_user=n.haidian_officer
        )
    appeal = services.appeal_decide(
        appeal=appeal, upheld=True, decision="核实属实", score="10", acting_user=n.city_officer
    )
    assert (appeal.status, appeal.total_before, appeal.total_after) == ("upheld", D("54"), D("56"))
    Evaluation.objects.filter(pk=zgc.pk).update(appeal_until=timezone.localdate() - dt.timedelta(1))
    zgc = services.evaluation_publish(evaluation=zgc, acting_user=n.city_officer)
    assert zgc.status == "published" and zgc.total == D("56")
    with pytest.raises(ConflictError):
        services.evaluation_review(
            evaluation=zgc, scores=[{"indicator": "A1", "score": "1", "comment": "x"}],
            acting_user=n.city_officer,
        )  # fmt: skip


def test_published_evaluations_do_not_move_when_the_ledger_does(network, published):
    from tests.reporting.conftest import act

    zgc = Evaluation.objects.get(scheme=published, unit=network.ws_zgc)
    Evaluation.objects.filter(pk=zgc.pk).update(status="published")
    act(network, network.ws_zgc, dt.date(2025, 7, 1), None, kind="case_assisted", quantity=2)
    services.evaluations_compute(scheme=published)
    assert Evaluation.objects.get(pk=zgc.pk).total == D("46.17")


def test_a_draft_scheme_is_invisible_outside_the_city(network, example_yaml):
    scheme = services.scheme_import(source=example_yaml, acting_user=network.city_officer)
    assert not Scheme.objects.visible_to(network.haidian_officer).filter(pk=scheme.pk).exists()
    assert Scheme.objects.visible_to(network.city_officer).filter(pk=scheme.pk).exists()
