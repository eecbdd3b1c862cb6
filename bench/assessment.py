"""Benchmark: assessing N units against a K-indicator scheme and allocating funding.

    .venv/bin/python bench/assessment.py [--units 1000] [--indicators 30] [--repeat 3] [--keep]
    .venv/bin/python bench/assessment.py --profile       # also cProfile (a) and (b)
    .venv/bin/python bench/assessment.py --database-url postgres://postgres@127.0.0.1:5432/ipps_bench

Target: assessing 1,000 units against a 30-indicator scheme and allocating funding takes under
2 s on this machine (2 cores).

Sets up a throw-away data dir (tempfile; SQLite unless --database-url, whose database is created
and dropped by the script), migrates, and writes in bulk: a municipal centre, 17 district centres
and N workstations under them; 10 enterprises per workstation; last year's ledger for every
workstation (--rows-per-unit rows through `ipps.ledger.importing.write_rows`, so the rollup tables
the engine reads — LedgerRollup, LedgerMonthly, EnterpriseMonth — are kept as real imports keep
them); service requests with response and resolution times and ratings (for the service-level
shares); twelve monthly reports per workstation with a mix of statuses and timeliness. Then it
generates a K-indicator scheme (YAML, as `ipps assessment import` reads it) that mixes every value
source — ledger kinds with and without ip_type / chain_stage / channel filters, figures, shares,
reports, formulas (named formulas, LOOKUP tables, IF / MIN / MAX / ROUND / SAFE_DIV, formulas over
formulas), manual values and judgements — and every rule type (tiered, bands, linear, bonus,
per_event, judgement, deduction), imports and publishes it, adds self-assessments and reviews for
the manual indicators, and measures (median of --repeat runs; the first, cold run in brackets):

(a) `engine.gather` + `engine.compute` for all N units (values, scores, totals, grades, ranks);
(b) `services.evaluations_compute(scheme=…)`: the same with the reviewers' scores, saved;
(c) funding: `allocation.allocate` of the N results (proportional with floor and cap; by grade),
    `services.plan_compute` and `services.plan_simulate` of a FundingPlan over the scheme with a
    deduction schedule. (c) in the target is `plan_simulate`, which runs `plan_compute`, which runs
    `allocate`;
(d) baseline, in the same run: the naive way to get the ledger values — for each unit and each
    ledger indicator a separate ORM aggregate query, over the ServiceRecord rows and over
    LedgerRollup — on a sample of units, extrapolated to N, and its ratio to `engine.gather`
    (which also reads every other source). The sample's values must equal the engine's.

Prints each figure (seconds, units/s), whether the target is met for (a)+(c) and for (b)+(c),
and the peak memory of the run (ru_maxrss).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from common import create_database, drop_database  # noqa: E402 - bench/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0
ENTERPRISES_PER_UNIT = 10
DISTRICTS = (
    "110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111", "110112",
    "110113", "110114", "110115", "110116", "110117", "110118", "110119", "BDA",
)  # fmt: skip
# Share of the ledger rows by kind, and of each kind's rows that name an enterprise.
KINDS = {
    "query_answered": (60, 0.35),
    "policy_pushed": (15, 0.6),
    "visit": (12, 1.0),
    "case_assisted": (5, 1.0),
    "product_delivered": (4, 1.0),
    "training_delivered": (4, 0.0),
}
CHANNELS = {
    "query_answered": ("phone", "portal", "wechat", "walk_in", "email", "api"),
    "policy_pushed": ("wechat", "email", "portal"),
    "visit": ("visit",),
    "case_assisted": ("walk_in", "visit", "referral"),
    "product_delivered": ("visit", "portal"),
    "training_delivered": ("walk_in", "portal"),
}
IP_TYPES = ("patent", "patent", "patent", "trademark", "trademark", "copyright", "trade_secret")
STAGES = ("creation", "creation", "protection", "utilisation", "management", "services")


# Set-up ------------------------------------------------------------------------------------------


def setup_django(data_dir: Path, database_url: str | None) -> None:
    os.environ["IPPS_DATA_DIR"] = str(data_dir)
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ipps.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_network(units: int) -> list[tuple[int, str, str]]:
    """The municipal centre, 17 district centres and `units` workstations spread over them;
    returns (id, code, district) of the workstations, ordered by code."""
    from ipps.network.models import ServiceUnit

    city = ServiceUnit.objects.create(kind="municipal_centre", code="BJ", name_zh="北京市中心")
    ServiceUnit.objects.bulk_create(
        ServiceUnit(
            kind="district_centre",
            code=f"DC-{d}",
            parent=city,
            district=d,
            name_zh=f"区中心{d}",
        )
        for d in DISTRICTS
    )
    parents = dict(ServiceUnit.objects.filter(kind="district_centre").values_list("district", "id"))
    rows = []
    for i in range(units):
        district = DISTRICTS[i % len(DISTRICTS)]
        number = i // len(DISTRICTS) + 1
        rows.append(
            ServiceUnit(
                kind="workstation",
                code=f"WS-{district}-{number:03d}",
                parent_id=parents[district],
                district=district,
                name_zh=f"知识产权工作站{i + 1:04d}",
                opened_on=dt.date(2020, 1, 1),
            )
        )
    ServiceUnit.objects.bulk_create(rows, batch_size=500)
    return list(
        ServiceUnit.objects.filter(kind="workstation")
        .order_by("code")
        .values_list("id", "code", "district")
    )


def build_enterprises(workstations) -> dict[int, list[int]]:
    """ENTERPRISES_PER_UNIT enterprises per workstation; returns workstation → enterprise ids."""
    from stdnum.cn import uscc as stdnum_uscc

    from ipps.enterprises.models import Enterprise

    rows = []
    for n, (unit_id, _code, district) in enumerate(workstations):
        for k in range(ENTERPRISES_PER_UNIT):
            body = f"91110000{n * ENTERPRISES_PER_UNIT + k:09d}"
            rows.append(
                Enterprise(
                    uscc=body + stdnum_uscc.calc_check_digit(body),
                    name=f"北京基准评估科技有限公司{n:04d}{k:02d}",
                    district=district,
                    workstation_id=unit_id,
                    industry_section="I",
                    industry_division="65",
                )
            )
    Enterprise.objects.bulk_create(rows, batch_size=1000)
    by_unit: dict[int, list[int]] = {}
    for pk, unit_id in Enterprise.objects.order_by("id").values_list("id", "workstation_id"):
        by_unit.setdefault(unit_id, []).append(pk)
    return by_unit


def ledger_rows(workstations, enterprises, year: int, per_unit: int, rng: random.Random):
    """Rows for `write_rows`: (unit, enterprise, date, kind, ip_type, stage, channel, qty, …)."""
    kinds = list(KINDS)
    weights = [KINDS[k][0] for k in kinds]
    start = dt.date(year, 1, 1)
    days = (dt.date(year, 12, 31) - start).days + 1
    n = 0
    for unit_id, _code, _district in workstations:
        pool = enterprises.get(unit_id, [])
        # Units differ in how busy they are, so scores and grades spread out.
        count = int(per_unit * (0.4 + 1.2 * rng.random()))
        for _ in range(count):
            kind = rng.choices(kinds, weights)[0]
            enterprise = None
            quantity = 1
            if pool and rng.random() < KINDS[kind][1]:
                enterprise = pool[int(len(pool) * rng.random() ** 2)]
            elif kind == "query_answered":
                quantity = rng.randint(1, 3)
            n += 1
            yield (
                unit_id,
                enterprise,
                start + dt.timedelta(days=rng.randrange(days)),
                kind,
                rng.choice(IP_TYPES),
                rng.choice(STAGES),
                rng.choice(CHANNELS[kind]),
                quantity,
                "bench.assessment",
                str(n),
            )


def build_requests(workstations, enterprises, year: int, per_unit: int, rng) -> int:
    """Service requests received in `year`, answered and resolved in time or late, some rated."""
    from django.utils import timezone

    from ipps.casework.models import ServiceRequest

    tz = timezone.get_default_timezone()
    start = dt.datetime(year, 1, 1, 9, tzinfo=tz)
    hour = dt.timedelta(hours=1)
    rows = []
    for unit_id, _code, _district in workstations:
        for _ in range(rng.randint(max(1, per_unit // 2), per_unit * 3 // 2)):
            received = start + dt.timedelta(days=rng.randrange(360), hours=rng.randrange(8))
            response_due, resolution_due = received + 24 * hour, received + 120 * hour
            responded = received + (4 * hour if rng.random() < 0.85 else 40 * hour)
            resolved = None
            if rng.random() < 0.9:
                resolved = received + (48 * hour if rng.random() < 0.8 else 200 * hour)
            rated = resolved is not None and rng.random() < 0.6
            rows.append(
                ServiceRequest(
                    reference=f"BENCH-{len(rows) + 1:07d}",
                    enterprise_id=rng.choice(enterprises[unit_id]),
                    handling_unit_id=unit_id,
                    originating_unit_id=unit_id,
                    channel="portal",
                    ip_type="patent",
                    chain_stage="creation",
                    category="consultation",
                    subject="专利申请咨询",
                    description="基准测试请求",
                    status="resolved" if resolved else "in_progress",
                    received_at=received,
                    first_response_due=response_due,
                    first_responded_at=responded,
                    resolution_due=resolution_due,
                    resolved_at=resolved,
                    rating=rng.choice((3, 4, 4, 5, 5, 5)) if rated else None,
                    rated_at=resolved if rated else None,
                )
            )
    ServiceRequest.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def build_reports(workstations, year: int, rng) -> int:
    """Twelve monthly reports per workstation: most accepted, some late, returned or missing."""
    from django.utils import timezone

    from ipps.reporting.models import MonthlyReport

    tz = timezone.get_default_timezone()
    rows = []
    for unit_id, _code, _district in workstations:
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            due_on = following.replace(day=5)
            status = rng.choices(
                ("accepted", "approved", "submitted", "returned", "draft"), (70, 15, 8, 2, 5)
            )[0]
            submitted = status in ("accepted", "approved", "submitted")
            on_time = (rng.random() < 0.85) if submitted else None
            at = None
            if submitted:
                day = due_on + dt.timedelta(days=-2 if on_time else 3)
                at = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
            rows.append(
                MonthlyReport(
                    unit_id=unit_id,
                    month=first,
                    status=status,
                    due_on=due_on,
                    expires_on=following - dt.timedelta(days=1) + dt.timedelta(days=30),
                    on_time=on_time,
                    first_submitted_at=at,
                    submitted_at=at,
                    frozen_at=at,
                )
            )
    MonthlyReport.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# The scheme --------------------------------------------------------------------------------------


def _ledger(kind: str, **filters: str) -> dict:
    return {"source": "ledger", "kind": kind, **filters}


def _tiers(*pairs: tuple[float, float]) -> list[dict]:
    return [{"at_least": a, "share": s} for a, s in pairs]


@dataclass(frozen=True)
class Template:
    """One indicator to generate; `needs` are the roles and named formulas its formula reads,
    written as {role} in the formula text."""

    area: str
    role: str
    name: str
    value: dict | None
    rule: dict
    target: Any = None
    needs: tuple[str, ...] = ()
    deduction_points: int = 0


AREAS = {
    "A": "服务开展",
    "B": "服务质量",
    "C": "月报报送",
    "D": "综合指数",
    "E": "制度建设与自评",
    "F": "扣分项",
}
TIERS = {"type": "tiered", "tiers": _tiers((1.0, 1.0), (0.9, 0.6), (0.7, 0.3))}
LINEAR = {"type": "linear"}
TEMPLATES = (
    Template("A", "queries", "答复企业咨询", _ledger("query_answered"), TIERS, "per-unit:100"),
    Template(
        "A", "queries_patent", "专利咨询", _ledger("query_answered", ip_type="patent"), LINEAR, 40
    ),
    Template(
        "A", "queries_phone", "热线答复", _ledger("query_answered", channel="phone"), TIERS, 25
    ),
    Template("A", "visits", "走访企业", _ledger("visit"), TIERS, 15),
    Template(
        "A",
        "visits_creation",
        "创造环节走访加分",
        _ledger("visit", chain_stage="creation"),
        {"type": "bonus", "per_unit": 0.5},
        4,
    ),
    Template(
        "A", "cases", "协助维权", _ledger("case_assisted"), {"type": "per_event", "per_event": 1}
    ),
    Template(
        "A",
        "training",
        "组织培训",
        _ledger("training_delivered"),
        {"type": "per_event", "per_event": 1},
    ),
    Template(
        "A", "policy_wechat", "微信政策推送", _ledger("policy_pushed", channel="wechat"), LINEAR, 8
    ),
    Template(
        "A",
        "products",
        "商标服务产品",
        _ledger("product_delivered", ip_type="trademark", channel="visit"),
        {"type": "per_event", "per_event": 0.5},
    ),
    Template(
        "A",
        "policy_protect",
        "专利保护政策推送",
        _ledger("policy_pushed", ip_type="patent", chain_stage="protection"),
        LINEAR,
        2,
    ),
    Template(
        "B", "served", "服务企业数", {"source": "figure", "figure": "enterprises_served"}, LINEAR, 8
    ),
    Template(
        "B",
        "requests",
        "受理服务请求",
        {"source": "figure", "figure": "requests_received"},
        TIERS,
        6,
    ),
    Template(
        "B",
        "answered",
        "按时首次答复数",
        {"source": "figure", "figure": "answered_in_time"},
        LINEAR,
        5,
    ),
    Template(
        "B",
        "answered_share",
        "按时答复率",
        {"source": "share", "share": "answered_in_time_share"},
        {"type": "bands", "bands": _tiers((0.95, 1), (0.9, 0.8), (0.8, 0.5))},
    ),
    Template(
        "B",
        "resolved_share",
        "按时办结率",
        {"source": "share", "share": "resolved_in_time_share"},
        {"type": "bands", "bands": _tiers((0.9, 1), (0.8, 0.6))},
    ),
    Template(
        "B", "satisfaction", "企业满意度", {"source": "share", "share": "satisfaction"}, LINEAR, 5
    ),
    Template(
        "C",
        "reports_on_time",
        "月报按时报送",
        {"source": "reports", "measure": "on_time"},
        {"type": "tiered", "tiers": _tiers((1.0, 1.0), (0.75, 0.5))},
        12,
    ),
    Template(
        "C",
        "reports_submitted",
        "月报报送",
        {"source": "reports", "measure": "submitted"},
        LINEAR,
        12,
    ),
    Template(
        "C",
        "reports_accepted",
        "月报通过验收",
        {"source": "reports", "measure": "accepted"},
        {"type": "per_event", "per_event": 0.5},
    ),
    Template(
        "D",
        "volume_index",
        "服务量综合指数",
        {
            "source": "formula",
            "formula": "SAFE_DIV(service_volume, 250) * LOOKUP(district_factor, unit.district, 1)",
        },
        LINEAR,
        1,
        ("service_volume",),
    ),
    Template(
        "D",
        "quality",
        "服务质量指数",
        {"source": "formula", "formula": "IF(quality_index >= 0.9, 1, ROUND(quality_index, 2))"},
        {"type": "bands", "bands": _tiers((0.95, 1), (0.85, 0.7), (0.7, 0.4))},
        None,
        ("quality_index",),
    ),
    Template(
        "D",
        "coverage",
        "企业覆盖指数",
        {
            "source": "formula",
            "formula": "MIN(1, SAFE_DIV({served}, LOOKUP(kind_target, unit.kind, 20)))",
        },
        TIERS,
        1,
        ("served",),
    ),
    Template(
        "D",
        "overall",
        "综合发展指数",
        {"source": "formula", "formula": "ROUND(0.5 * {volume_index} + 0.5 * {coverage}, 4)"},
        LINEAR,
        1,
        ("volume_index", "coverage"),
    ),
    Template("E", "events", "自主举办活动", {"source": "manual"}, LINEAR, 6),
    Template("E", "partners", "合作服务机构", {"source": "manual"}, TIERS, 3),
    Template(
        "E", "rules", "知识产权管理制度健全", None, {"type": "judgement", "requires_evidence": True}
    ),
    Template("E", "records", "服务台账规范", None, {"type": "judgement"}),
    Template(
        "F",
        "complaints",
        "服务投诉经查属实",
        {"source": "manual"},
        {"type": "deduction", "per_event": 2},
        deduction_points=6,
    ),
    Template(
        "F",
        "report_gap",
        "月报缺报",
        {"source": "formula", "formula": "report_gap"},
        {"type": "deduction", "per_event": 1},
        None,
        ("report_gap",),
        deduction_points=5,
    ),
    Template(
        "F",
        "backlog",
        "逾期未答复请求",
        {"source": "formula", "formula": "MAX(0, {requests} - {answered} - 2)"},
        {"type": "deduction", "per_event": 0.5},
        None,
        ("requests", "answered"),
        deduction_points=3,
    ),
)
# Named formulas: (text, roles it reads).
NAMED = {
    "service_volume": ("{queries} + 5 * {visits} + 10 * {cases}", ("queries", "visits", "cases")),
    "quality_index": (
        "SAFE_DIV({answered_share} + {resolved_share}, 2)",
        ("answered_share", "resolved_share"),
    ),
    "report_gap": ("MAX(0, 12 - {reports_submitted})", ("reports_submitted",)),
}
TABLES = {
    "district_factor": {d: (1.2 if d in ("110116", "110118", "110119") else 1) for d in DISTRICTS},
    "kind_target": {"workstation": 8, "district_centre": 40},
}


@dataclass
class SchemeSpec:
    data: dict
    sources: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)
    filtered_ledger: int = 0
    manual_codes: list[str] = field(default_factory=list)
    judgement_codes: list[str] = field(default_factory=list)
    deduction_codes: list[str] = field(default_factory=list)


def generate_scheme(count: int, year: int, unit_codes: list[str]) -> SchemeSpec:
    """A scheme of `count` indicators cycling through TEMPLATES; a formula is used only once
    the indicators (and named formulas) it reads exist, so any count gives a valid scheme."""
    chosen: list[Template] = []
    roles: dict[str, str] = {}  # role → code of its first indicator
    per_area: Counter = Counter()
    codes: list[str] = []
    i = 0
    while len(chosen) < count and i < 10 * count * len(TEMPLATES):
        template = TEMPLATES[i % len(TEMPLATES)]
        i += 1
        missing = [
            n
            for n in template.needs
            if n not in roles and not (n in NAMED and all(r in roles for r in NAMED[n][1]))
        ]
        if missing:
            continue
        per_area[template.area] += 1
        code = f"{template.area}{per_area[template.area]}"
        roles.setdefault(template.role, code)
        chosen.append(template)
        codes.append(code)
    scored = [t for t in chosen if not t.deduction_points]
    points = (Decimal(100) / max(1, len(scored))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    maximum = points * len(scored)
    spec = SchemeSpec(data={})
    areas: dict[str, list[dict]] = {}
    for template, code in zip(chosen, codes, strict=True):
        indicator: dict[str, Any] = {
            "code": code,
            "name": template.name,
            "points": template.deduction_points or float(points),
        }
        if template.value is not None:
            value = dict(template.value)
            if value["source"] == "formula":
                value["formula"] = value["formula"].format(**roles)
            indicator["value"] = value
        if template.target == "per-unit:100":
            indicator["target"] = {"default": 100, "units": dict.fromkeys(unit_codes[:5], 130)}
        elif template.target is not None:
            indicator["target"] = template.target
        indicator["rule"] = dict(template.rule)
        areas.setdefault(template.area, []).append(indicator)
        source = (template.value or {"source": "manual"})["source"]
        spec.sources[source] += 1
        spec.rules[template.rule["type"]] += 1
        spec.filtered_ledger += source == "ledger" and len(template.value) > 2
        if template.rule["type"] == "judgement":
            spec.judgement_codes.append(code)
        elif source == "manual" and template.rule["type"] == "deduction":
            spec.deduction_codes.append(code)
        elif source == "manual":
            spec.manual_codes.append(code)
    named = {
        name: text.format(**roles)
        for name, (text, needs) in NAMED.items()
        if all(r in roles for r in needs)
    }
    spec.data = {
        "format": 1,
        "year": year,
        "unit_kind": "workstation",
        "name": f"工作站绩效考核（基准测试，{len(chosen)}项指标）",
        "description": "Generated by bench/assessment.py.",
        "appeal_days": 10,
        "grades": [
            {"grade": "excellent", "label": "优秀", "min": float(maximum * Decimal("0.9"))},
            {"grade": "good", "label": "良好", "min": float(maximum * Decimal("0.75"))},
            {"grade": "pass", "label": "合格", "min": float(maximum * Decimal("0.6"))},
            {"grade": "fail", "label": "不合格", "min": 0},
        ],
        "tables": TABLES,
        "formulas": named,
        "areas": [
            {"code": area, "name": AREAS[area], "indicators": indicators}
            for area, indicators in areas.items()
        ],
    }
    return spec


def build_scores(scheme, spec: SchemeSpec, admin, rng) -> int:
    """Self-assessments and reviews of the manual, judgement and deduction indicators."""
    from ipps.assessment.models import Evaluation, IndicatorScore

    rows = []
    for evaluation in Evaluation.objects.filter(scheme=scheme).order_by("id"):
        for code in spec.manual_codes:
            value = rng.randint(0, 8)
            reviewed = rng.random() < 0.5
            rows.append(
                IndicatorScore(
                    evaluation=evaluation,
                    indicator=code,
                    self_value=value,
                    evidence="活动记录（附件）",
                    review_value=max(0, value - 1) if reviewed else None,
                    review_comment="核减一项无记录的活动" if reviewed else "",
                    reviewed_by=admin if reviewed else None,
                )
            )
        for code in spec.judgement_codes:
            yes = rng.random() < 0.85
            rows.append(
                IndicatorScore(
                    evaluation=evaluation,
                    indicator=code,
                    evidence="制度文件（附件）" if rng.random() < 0.9 else "",
                    review_judgement=yes,
                    review_comment="制度文件齐全" if yes else "未提供制度文件",
                    reviewed_by=admin,
                )
            )
        for code in spec.deduction_codes:
            if rng.random() < 0.08:
                rows.append(
                    IndicatorScore(
                        evaluation=evaluation,
                        indicator=code,
                        review_value=1,
                        review_comment="一起服务投诉经核实属实",
                        reviewed_by=admin,
                    )
                )
    IndicatorScore.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# Measuring ---------------------------------------------------------------------------------------


@dataclass
class Timing:
    first: float
    median: float
    result: Any


def measure(fn: Callable[[], Any], repeat: int) -> Timing:
    """Run `fn` `repeat` times; the first (cold) run and the median of all runs, in seconds."""
    times, result = [], None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return Timing(first=times[0], median=statistics.median(times), result=result)


def profile(fn: Callable[[], Any], top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def naive_ledger_values(specs, unit_ids, year: int, table: str) -> dict[tuple[int, str], int]:
    """One ORM aggregate query per unit and ledger indicator: the baseline."""
    from django.db.models import Sum

    from ipps.ledger.models import LedgerRollup, ServiceRecord

    values = {}
    for unit_id in unit_ids:
        for code, spec in specs:
            filters = {k: spec[k] for k in ("ip_type", "chain_stage", "channel") if spec.get(k)}
            if table == "rows":
                qs = ServiceRecord.objects.filter(
                    unit_id=unit_id,
                    date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)),
                    kind=spec["kind"],
                    **filters,
                )
            else:
                qs = LedgerRollup.objects.filter(
                    unit_id=unit_id,
                    month__range=(dt.date(year, 1, 1), dt.date(year, 12, 1)),
                    kind=spec["kind"],
                    **filters,
                )
            values[(unit_id, code)] = qs.aggregate(q=Sum("quantity"))["q"] or 0
    return values


def row(label: str, timing: Timing | None, units: int, *, seconds: float | None = None) -> str:
    median = timing.median if timing else seconds
    first = f"({timing.first:.3f})" if timing else ""
    rate = f"{units / median:,.0f}" if median else "-"
    return f"{label:<58}{median:>9.3f}{first:>10}{rate:>10}"


# Main --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000, help="workstations to assess")
    parser.add_argument("--indicators", type=int, default=30, help="indicators in the scheme")
    parser.add_argument("--rows-per-unit", type=int, default=150, help="ledger rows a unit (mean)")
    parser.add_argument("--requests-per-unit", type=int, default=6, help="service requests a unit")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measured step")
    parser.add_argument("--sample", type=int, default=50, help="units the baseline measures")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="cProfile (a) and (b)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data dir (and database)")
    args = parser.parse_args()
    if args.units < 1 or args.indicators < 1:
        parser.error("--units and --indicators must be at least 1")

    data_dir = Path(tempfile.mkdtemp(prefix="ipps-bench-assessment-"))
    if args.database_url:
        create_database(args.database_url)
    try:
        setup_django(data_dir, args.database_url)
        run(args, data_dir)
    finally:
        if args.keep:
            print(f"Kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            if args.database_url:
                from django.db import connections

                connections.close_all()
                drop_database(args.database_url)


def run(args, data_dir: Path) -> None:
    import yaml
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from ipps.accounts.models import User
    from ipps.assessment import engine, services
    from ipps.assessment.allocation import FundingPlanSpec, FundingUnit, allocate
    from ipps.ledger.importing import write_rows

    rng = random.Random(args.seed)  # noqa: S311 - benchmark data
    year = timezone.localdate().year - 1
    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench", "bench@example.org", "Bench-pass-2026!")
    print(
        f"ipps assessment benchmark on {connection.vendor}, {os.cpu_count()} CPUs, "
        f"data dir {data_dir}"
    )

    # Set-up -------------------------------------------------------------------------------------
    started = time.perf_counter()
    workstations = build_network(args.units)
    enterprises = build_enterprises(workstations)
    began = time.perf_counter()
    rows = write_rows(ledger_rows(workstations, enterprises, year, args.rows_per_unit, rng))
    ledger_seconds = time.perf_counter() - began
    requests = build_requests(workstations, enterprises, year, args.requests_per_unit, rng)
    reports = build_reports(workstations, year, rng)
    print(
        f"Set-up in {time.perf_counter() - started:.1f} s: {len(workstations):,} workstations "
        f"(+ 1 municipal centre, {len(DISTRICTS)} district centres), "
        f"{sum(map(len, enterprises.values())):,} enterprises, {rows:,} ledger rows for {year} "
        f"(write_rows with rollups: {ledger_seconds:.1f} s), {requests:,} service requests, "
        f"{reports:,} monthly reports; peak memory so far {peak_rss_mb():,.0f} MB"
    )

    spec = generate_scheme(args.indicators, year, [w[1] for w in workstations])
    text = yaml.safe_dump(spec.data, allow_unicode=True, sort_keys=False, width=100)
    began = time.perf_counter()
    scheme = services.scheme_import(source=text, acting_user=admin)
    imported = time.perf_counter() - began
    began = time.perf_counter()
    scheme = services.scheme_publish(scheme=scheme, acting_user=admin)
    published = time.perf_counter() - began
    scores = build_scores(scheme, spec, admin, rng)
    definition = scheme.definition
    indicators = scheme.indicators()
    print(
        f"Scheme: {len(indicators)} indicators ({len(text) / 1024:.1f} KB of YAML); sources "
        + ", ".join(f"{k} {v}" for k, v in sorted(spec.sources.items()))
        + f" ({spec.filtered_ledger} ledger with filters), {len(definition['formulas'])} named "
        f"formulas, {len(definition['tables'])} LOOKUP tables; rules "
        + ", ".join(f"{k} {v}" for k, v in sorted(spec.rules.items()))
    )
    print(
        f"scheme_import (parse + validate): {imported:.3f} s; scheme_publish (creates and "
        f"computes {scheme.evaluations.count():,} evaluations): {published:.3f} s; "
        f"{scores:,} self-assessed / reviewed indicator scores added"
    )
    unit_ids = [w[0] for w in workstations]
    n = len(unit_ids)
    before_measuring = peak_rss_mb()

    # (a) engine ---------------------------------------------------------------------------------
    gathered = measure(lambda: engine.gather(definition, unit_ids), args.repeat)
    computed = measure(
        lambda: engine.compute(definition, unit_ids, inputs=gathered.result), args.repeat
    )
    both = measure(lambda: engine.compute(definition, unit_ids), args.repeat)
    results = computed.result

    # (b) services -------------------------------------------------------------------------------
    saved = measure(lambda: services.evaluations_compute(scheme=scheme), args.repeat)
    assert saved.result == n, saved.result

    # (c) funding --------------------------------------------------------------------------------
    funding_units = [
        FundingUnit(
            unit_id=r.unit_id,
            kind="workstation",
            score=r.total,
            grade=r.grade or None,
            deduction=Decimal(1000) if r.rank and r.rank % 17 == 0 else Decimal(0),
        )
        for r in results.values()
    ]
    budget = Decimal(80_000) * n
    proportional = FundingPlanSpec(
        budget=budget,
        base_by_kind={"workstation": Decimal(50_000)},
        method="proportional",
        floor=Decimal(62_000),
        cap=Decimal(105_000),
    )
    by_grade = FundingPlanSpec(
        budget=budget,
        base_by_kind={"workstation": Decimal(50_000)},
        method="grade",
        grade_coefficients={
            "excellent": Decimal("1.5"),
            "good": Decimal("1.2"),
            "pass": Decimal(1),
            "fail": Decimal("0.5"),
        },
    )
    allocated = measure(lambda: allocate(proportional, funding_units), args.repeat)
    allocated_grade = measure(lambda: allocate(by_grade, funding_units), args.repeat)
    for result in (allocated.result, allocated_grade.result):
        assert sum(u.total for u in result.units) == budget
    plan = services.plan_create(
        data={
            "scheme": scheme.pk,
            "name": "绩效经费（基准测试）",
            "budget": str(budget),
            "base_by_kind": {"workstation": "50000"},
            "method": "grade",
            "grade_coefficients": {"excellent": "1.5", "good": "1.2", "pass": "1", "fail": "0.5"},
            "floor": "60000",
            "cap": "120000",
            "deductions": [
                {"name": "月报逾期", "measure": "late_reports", "amount": "1000", "cap": "5000"},
                {"name": "月报缺报", "measure": "missing_reports", "amount": "2000"},
                *(
                    [
                        {
                            "name": "管理制度缺失",
                            "measure": "indicator_shortfall",
                            "indicator": spec.judgement_codes[0],
                            "amount": "1000",
                        }
                    ]
                    if spec.judgement_codes
                    else []
                ),
            ],
        },
        acting_user=admin,
    )
    plan_computed = measure(lambda: services.plan_compute(plan), args.repeat)
    assert Decimal(plan_computed.result["total"]) == budget, plan_computed.result["total"]
    simulated = measure(lambda: services.plan_simulate(plan=plan, acting_user=admin), args.repeat)

    # (d) baseline -------------------------------------------------------------------------------
    ledger_specs = [(i["code"], i["value"]) for i in indicators if i["value"]["source"] == "ledger"]
    step = max(1, n // min(args.sample, n))
    sample = unit_ids[::step][: args.sample]
    scale = n / len(sample)
    naive_rows = measure(
        lambda: naive_ledger_values(ledger_specs, sample, year, "rows"), max(1, args.repeat // 2)
    )
    naive_rollup = measure(
        lambda: naive_ledger_values(ledger_specs, sample, year, "rollup"), max(1, args.repeat // 2)
    )
    for unit_id in sample:
        cells = {c.code: c.value for c in results[unit_id].cells}
        for code, _spec in ledger_specs:
            for naive in (naive_rows.result, naive_rollup.result):
                assert Decimal(naive[(unit_id, code)]) == cells[code], (unit_id, code)

    # Report -------------------------------------------------------------------------------------
    print()
    print(
        f"Times in seconds for {n:,} units and {len(indicators)} indicators: median of "
        f"{args.repeat} runs (first run in brackets)"
    )
    print(f"{'':<58}{'seconds':>9}{'(first)':>10}{'units/s':>10}")
    print(row("(a) engine.gather (values of every source)", gathered, n))
    print(row("    engine.compute (scores, totals, grades, ranks)", computed, n))
    print(row("    engine.compute, gathering itself: (a)", both, n))
    print(row("(b) services.evaluations_compute (with scores, saved)", saved, n))
    print(row("(c) allocation.allocate, proportional, floor + cap", allocated, n))
    print(row("    allocation.allocate, grade coefficients", allocated_grade, n))
    print(row("    services.plan_compute (scores, deductions, allocate)", plan_computed, n))
    print(row("    services.plan_simulate = (c) (plan_compute + save)", simulated, n))
    naive_rows_n = naive_rows.median * scale
    naive_rollup_n = naive_rollup.median * scale
    queries = len(ledger_specs) * n
    print(
        row(
            f"(d) naive: {queries:,} aggregate queries over ServiceRecord",
            None,
            n,
            seconds=naive_rows_n,
        )
    )
    print(
        row(
            f"    naive: {queries:,} aggregate queries over LedgerRollup",
            None,
            n,
            seconds=naive_rollup_n,
        )
    )
    print(
        f"    (measured on {len(sample)} units × {len(ledger_specs)} ledger indicators: "
        f"{naive_rows.median:.3f} s and {naive_rollup.median:.3f} s, ×{scale:g}; "
        "values equal the engine's)"
    )
    print(
        f"    ratio naive / engine.gather: {naive_rows_n / gathered.median:.1f}× (ServiceRecord), "
        f"{naive_rollup_n / gathered.median:.1f}× (LedgerRollup); engine.gather reads every "
        "source, the baseline only the ledger indicators"
    )
    print()
    engine_path = both.median + simulated.median
    service_path = saved.median + simulated.median
    for label, seconds in (
        ("(a) + (c): engine.gather + compute, then plan_simulate", engine_path),
        ("(b) + (c): evaluations_compute, then plan_simulate", service_path),
        ("(a) + allocate() alone (nothing read or saved)", both.median + allocated.median),
    ):
        verdict = "met" if seconds < TARGET_SECONDS else "NOT met"
        print(f"target < {TARGET_SECONDS:g} s, {label}: {seconds:.3f} s — {verdict}")
    print(
        f"peak memory of the run (ru_maxrss): {peak_rss_mb():,.0f} MB "
        f"({before_measuring:,.0f} MB before the measured steps)"
    )

    if args.profile:
        print()
        print("cProfile of (a) engine.compute with gathering:")
        print(profile(lambda: engine.compute(definition, unit_ids)))
        print("cProfile of (b) services.evaluations_compute:")
        print(profile(lambda: services.evaluations_compute(scheme=scheme)))


if __name__ == "__main__":
    main()
