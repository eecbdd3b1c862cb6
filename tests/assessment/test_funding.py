"""Funding plans over real evaluations: simulate, publish preconditions, deductions from the
schedule, exact sums. The suite runs on SQLite and PostgreSQL, so both give these figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from ipps.assessment import services
from ipps.assessment.allocation import localized_row
from ipps.assessment.models import Evaluation, FundingAllocation
from ipps.core.errors import ConflictError, PermissionDeniedError, ServiceError


@pytest.fixture
def plan(network, published):
    return services.plan_create(
        data={
            "scheme": published.pk,
            "name": "2025年工作站绩效经费",
            "budget": "300000.00",
            "base_by_kind": {"workstation": "50000"},
            "method": "proportional",
        },
        acting_user=network.city_officer,
    )


def publish_all(scheme, user):
    Evaluation.objects.filter(scheme=scheme).update(
        status="reviewed", appeal_until=timezone.localdate() - dt.timedelta(days=1)
    )
    for evaluation in Evaluation.objects.filter(scheme=scheme):
        services.evaluation_publish(evaluation=evaluation, acting_user=user)


def test_simulation_adds_up_and_explains(network, plan):
    plan = services.plan_simulate(plan=plan, acting_user=network.city_officer)
    rows = {r["unit_code"]: r for r in plan.simulation["units"]}
    assert sum(D(r["total"]) for r in rows.values()) == D("300000.00")
    scores = {
        e.unit.code: e.total
        for e in Evaluation.objects.filter(scheme=plan.scheme).select_related("unit")
    }
    total_score = sum(scores.values())
    pool = D("150000.00")
    for code, row in rows.items():
        exact = pool * scores[code] / total_score
        assert abs(D(row["performance"]) - exact) <= D("0.01")
        assert D(row["base"]) == D("50000.00")
        assert localized_row(row)["steps"]
    assert plan.simulation["final"] is False


def test_deductions_from_the_schedule(network, plan, month=None):
    from ipps.reporting.models import MonthlyReport

    MonthlyReport.objects.create(
        unit=network.ws_zgc, month=dt.date(2025, 3, 1), due_on=dt.date(2025, 4, 5),
        expires_on=dt.date(2025, 5, 1), status="approved", on_time=False,
        first_submitted_at=timezone.now(),
    )  # fmt: skip
    plan = services.plan_update(
        plan=plan,
        data={
            "deductions": [
                {"name": "月报逾期", "measure": "late_reports", "amount": "1000"},
                {
                    "name": "制度缺失",
                    "measure": "indicator_shortfall",
                    "indicator": "C1",
                    "amount": "500",
                    "cap": "2000",
                },
            ]
        },
        acting_user=network.city_officer,
    )
    plan = services.plan_simulate(plan=plan, acting_user=network.city_officer)
    rows = {r["unit_code"]: r for r in plan.simulation["units"]}
    # ZGC: one late report (1,000) + C1 short by 5 points × 500 = 2,500, capped at 2,000.
    assert D(rows["WS-110108-001"]["deduction"]) == D("3000.00")
    assert len(localized_row(rows["WS-110108-001"])["deduction_lines"]) == 2
    assert sum(D(r["total"]) for r in rows.values()) == D("300000.00")


def test_publish_needs_a_fresh_simulation_and_published_evaluations(network, plan):
    with pytest.raises(ConflictError) as exc:
        services.plan_publish(plan=plan, acting_user=network.city_officer)
    assert exc.value.code == "not_simulated"
    services.plan_simulate(plan=plan, acting_user=network.city_officer)
    with pytest.raises(ConflictError) as exc:
        services.plan_publish(plan=plan, acting_user=network.city_officer)
    assert exc.value.code == "evaluations_not_published"
    zgc = Evaluation.objects.get(scheme=plan.scheme, unit=network.ws_zgc)
    services.evaluation_review(
        evaluation=zgc,
        scores=[{"indicator": "A3", "score": "9", "comment": "另有台账"}],
        acting_user=network.haidian_officer,
    )
    publish_all(plan.scheme, network.city_officer)
    with pytest.raises(ConflictError) as exc:
        services.plan_publish(plan=plan, acting_user=network.city_officer)
    assert exc.value.code == "simulation_stale"  # the review changed a score since
    services.plan_simulate(plan=plan, acting_user=network.city_officer)
    plan = services.plan_publish(plan=plan, acting_user=network.city_officer)
    assert plan.status == "published"
    totals = FundingAllocation.objects.filter(plan=plan).values_list("total", flat=True)
    assert sum(totals) == D("300000.00") and len(totals) == 3
    with pytest.raises(ConflictError):
        services.plan_update(plan=plan, data={"budget": "1"}, acting_user=network.city_officer)


def test_only_the_city_plans_and_bad_input_is_refused(network, published, plan):
    with pytest.raises(PermissionDeniedError):
        services.plan_simulate(plan=plan, acting_user=network.haidian_officer)
    for data, field in [
        ({"budget": "12.345"}, "budget"),
        ({"budget": "-1"}, "budget"),
        ({"cap": 4.4e173}, "cap"),  # beyond what a money column holds (answered 500)
        ({"budget": "100000000000000"}, "budget"),
        ({"method": "lottery"}, "method"),
        ({"base_by_kind": {"castle": "1"}}, "base_by_kind.castle"),
        ({"grade_coefficients": {"legendary": "2"}}, "grade_coefficients.legendary"),
        (
            {"deductions": [{"measure": "indicator_shortfall", "indicator": "Z9", "amount": "1"}]},
            "deductions[0].indicator",
        ),
    ]:
        with pytest.raises(ServiceError) as exc:
            services.plan_update(plan=plan, data=data, acting_user=network.city_officer)
        assert exc.value.field == field, data
    services.plan_update(
        plan=plan,
        data={"base_by_kind": {"workstation": "200000"}},
        acting_user=network.city_officer,
    )
    with pytest.raises(ServiceError) as exc:  # 3 × 200,000 > 300,000
        services.plan_simulate(plan=plan, acting_user=network.city_officer)
    assert exc.value.code == "budget_below_base"


def test_grade_method(network, plan):
    services.plan_update(
        plan=plan,
        data={
            "method": "grade",
            "grade_coefficients": {"excellent": "1.5", "good": "1.2", "pass": "1", "fail": "0.5"},
        },
        acting_user=network.city_officer,
    )
    plan = services.plan_simulate(plan=plan, acting_user=network.city_officer)
    rows = plan.simulation["units"]
    assert {r["grade"] for r in rows} == {"fail"}  # every unit failed: equal weights
    assert {r["performance"] for r in rows} <= {"50000.00"}
