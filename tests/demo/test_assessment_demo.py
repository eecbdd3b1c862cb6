"""`ipps demo` adds this year's monthly reports, last year's published scheme and evaluations,
this year's draft scheme and a simulated draft funding plan; the example scheme computed for the
demo network agrees with the ledger rows, recomputed here by hand."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from ipps.assessment.models import Evaluation, FundingPlan, Scheme
from ipps.ledger.models import ServiceRecord
from ipps.reporting.models import MonthlyReport
from tests.demo.conftest import loaded_for_the_module


def run() -> str:
    out = StringIO()
    call_command("demo", "--enterprises", "60", "--requests", "0", "--ledger", "6000", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with loaded_for_the_module(django_db_blocker):
        yield run()


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_monthly_reports_of_this_year(demo):
    today = timezone.localdate()
    reports = MonthlyReport.objects.filter(month__year=today.year)
    assert reports.values("unit").distinct().count() == 105
    past = reports.exclude(month=today.replace(day=1))
    statuses = Counter(past.values_list("status", flat=True))
    assert statuses["approved"] + statuses["accepted"] > 0.7 * past.count()
    assert statuses["draft"] > 0  # missing
    assert past.filter(on_time=False).exists()  # late
    assert past.filter(events__action="return").exists()  # returned (some resubmitted)
    assert not reports.filter(month=today.replace(day=1)).exclude(status="draft").exists()
    assert "Monthly reports:" in demo


def _tiered(value, target, points, tiers):
    for at_least, share in tiers:
        if value >= at_least * target:
            return (points * share).quantize(D("0.01"), ROUND_HALF_UP)
    return D(0)


def test_last_years_scheme_computed_for_the_demo_network_by_hand(demo):
    year = timezone.localdate().year - 1
    scheme = Scheme.objects.get(year=year)
    assert scheme.status == "published"
    evaluations = Evaluation.objects.filter(scheme=scheme).select_related("unit")
    assert evaluations.count() == 87 and not evaluations.exclude(status="published").exists()
    ranks = sorted(e.rank for e in evaluations)
    assert ranks[0] == 1
    for evaluation in evaluations.order_by("unit__code")[:5]:
        rows = ServiceRecord.objects.filter(unit=evaluation.unit, date__year=year)

        def net(kind, rows=rows):
            return D(rows.filter(kind=kind).aggregate(q=Sum("quantity"))["q"] or 0)

        cells = {c["code"]: D(c["points"]) for c in evaluation.computed["cells"]}
        target_a1 = D(1000) if evaluation.unit.code == "WS-110108-001" else D(900)
        assert cells["A1"] == _tiered(
            net("query_answered"), target_a1, D(15), [(1, 1), (D("0.9"), D("0.6"))]
        )
        assert cells["A2"] == _tiered(net("visit"), D(25), D(10), [(1, 1), (D("0.9"), D("0.6"))])
        assert cells["A4"] == min(net("case_assisted") * 2, D(10))
        assert cells["A5"] == min(max(net("visit") - 25, D(0)) * D("0.25"), D(5))
        assert cells["C2"] == min(net("training_delivered"), D(5))
        assert cells["C3"] == _tiered(
            net("policy_pushed"), D(60), D(5), [(1, 1), (D("0.8"), D("0.5"))]
        )
        factor = {"110115": D("1.1"), "110111": D("1.2")}.get(evaluation.unit.district, D(1))
        index = (net("visit") + net("case_assisted")) / 30 * factor
        assert cells["D1"] == (D(10) * min(index, D(1))).quantize(D("0.01"), ROUND_HALF_UP)
        assert evaluation.total == max(sum(cells.values()), D(0)).quantize(D("0.01"))


def test_this_years_draft_scheme_and_simulated_plan(demo):
    year = timezone.localdate().year
    assert Scheme.objects.get(year=year).status == "draft"
    plan = FundingPlan.objects.get(year=year)
    assert plan.status == "draft" and plan.simulated_at is not None
    assert sum(D(u["total"]) for u in plan.simulation["units"]) == plan.budget
    assert len(plan.simulation["units"]) == 87


def test_second_run_adds_nothing(demo):
    counts = (MonthlyReport.objects.count(), Scheme.objects.count(), FundingPlan.objects.count())
    run()
    assert (
        MonthlyReport.objects.count(),
        Scheme.objects.count(),
        FundingPlan.objects.count(),
    ) == counts
