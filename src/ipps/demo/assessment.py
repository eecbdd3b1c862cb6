"""The demo's assessment: last year's published scheme with published evaluations, this year's
draft scheme, and a simulated draft funding plan for this year. Written once."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from ipps.accounts.models import User
from ipps.assessment import services
from ipps.assessment.models import Evaluation, IndicatorScore, Scheme

EXAMPLE = Path(__file__).resolve().parents[1] / "assessment/data/workstation-scheme.yaml"


@dataclass
class AssessmentResult:
    schemes: int = 0
    evaluations: int = 0
    plans: int = 0
    seconds: float = 0.0


def _scheme_for(year: int, *, raise_targets: bool = False) -> dict:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["year"] = year
    if raise_targets:
        data["name"] = f"{data['name']}（{year}年征求意见稿）"
        for area in data["areas"]:
            for indicator in area["indicators"]:
                target = indicator.get("target")
                if isinstance(target, int | float) and target > 1:
                    indicator["target"] = round(target * 1.1)
    return data


def load_assessment(*, seed: int, today: dt.date | None = None) -> AssessmentResult:
    started = time.monotonic()
    result = AssessmentResult()
    today = today or timezone.localdate()
    admin = User.objects.filter(is_superuser=True).order_by("id").first()
    if admin is None or Scheme.objects.exists():
        result.seconds = time.monotonic() - started
        return result
    rng = random.Random(f"{seed}-assessment")  # noqa: S311 - demo data
    with transaction.atomic():
        last = services.scheme_import(source=_scheme_for(today.year - 1), acting_user=admin)
        last = services.scheme_publish(scheme=last, acting_user=admin)
        evaluations = list(Evaluation.objects.filter(scheme=last).select_related("unit"))
        now = timezone.now()
        scores = []
        for evaluation in evaluations:
            has_rules = rng.random() < 0.85
            scores.append(
                IndicatorScore(
                    evaluation=evaluation,
                    indicator="C1",
                    self_score=5,
                    evidence="服务规范、台账管理和保密制度（附件）" if has_rules else "",
                    review_judgement=has_rules,
                    review_comment="制度文件齐全" if has_rules else "未提供制度文件",
                    reviewed_by=admin,
                )
            )
            if rng.random() < 0.08:
                scores.append(
                    IndicatorScore(
                        evaluation=evaluation,
                        indicator="E1",
                        review_value=1,
                        review_comment="一起服务投诉经核实属实",
                        reviewed_by=admin,
                    )
                )
        IndicatorScore.objects.bulk_create(scores)
        services.evaluations_compute(scheme=last)
        reviewed = dt.datetime.combine(dt.date(today.year, 1, 20), dt.time(10), now.tzinfo)
        Evaluation.objects.filter(scheme=last).update(
            status="published",
            self_submitted_at=reviewed - dt.timedelta(days=10),
            reviewed_at=reviewed,
            reviewed_by=admin,
            appeal_until=reviewed.date() + dt.timedelta(days=10),
            published_at=reviewed + dt.timedelta(days=15),
        )
        result.evaluations = len(evaluations)
        services.scheme_import(
            source=_scheme_for(today.year, raise_targets=True), acting_user=admin
        )
        draft = Scheme.objects.get(year=today.year)
        result.schemes = 2
        plan = services.plan_create(
            data={
                "scheme": draft.pk,
                "name": f"{today.year}年知识产权工作站绩效经费",
                "budget": "8700000.00",
                "base_by_kind": {"workstation": "60000"},
                "method": "grade",
                "grade_coefficients": {
                    "excellent": "1.5",
                    "good": "1.2",
                    "pass": "1",
                    "fail": "0.5",
                },
                "floor": "50000",
                "cap": "150000",
                "deductions": [
                    {
                        "name": "月报逾期报送",
                        "measure": "late_reports",
                        "amount": "1000",
                        "cap": "5000",
                    },
                    {
                        "name": "管理制度缺失",
                        "measure": "indicator_shortfall",
                        "indicator": "C1",
                        "amount": "1000",
                    },
                ],
            },
            acting_user=admin,
        )
        services.plan_simulate(plan=plan, acting_user=admin)
        result.plans = 1
    result.seconds = time.monotonic() - started
    return result
