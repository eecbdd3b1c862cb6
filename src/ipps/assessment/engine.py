"""Compute evaluations: gather every indicator's value for many units at once, score them by
their rules, add reviewers' scores, total, grade and rank — every cell explaining itself.

Values come from the same selectors as the dashboards and reports (ipps.ledger.stats), read in
a handful of grouped queries whatever the number of units, so a whole network is assessed in
one pass (bench/assessment.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from ipps.assessment import schemefile
from ipps.assessment.formula import FormulaError
from ipps.assessment.rules import RuleError, fmt, grade_for, score_rule
from ipps.core.bulk import paused_gc
from ipps.core.i18n import cached_gettext as _
from ipps.ledger.models import LedgerMonthly, LedgerRollup
from ipps.ledger.stats import Period, own_figures
from ipps.network.models import ServiceUnit
from ipps.reporting.choices import SUBMITTED_STATUSES, ReportStatus
from ipps.reporting.models import MonthlyReport

ZERO = Decimal(0)
CENT = Decimal("0.01")


@dataclass
class Cell:
    """One indicator of one unit: its value, target, points and why."""

    code: str
    name: str
    area: str
    source: str
    value: Any
    target: Decimal | None
    max_points: Decimal
    computed: Decimal
    points: Decimal  # the reviewer's score when given, else `computed`
    explanation: str
    steps: list[dict] = field(default_factory=list)
    value_explanation: str = ""
    self_score: Decimal | None = None
    review_score: Decimal | None = None
    review_comment: str = ""
    evidence: str = ""
    error: str = ""
    note_key: str = ""

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "area": self.area,
            "source": self.source,
            "value": _jsonable(self.value),
            "target": None if self.target is None else fmt(self.target),
            "max_points": fmt(self.max_points),
            "computed": fmt(self.computed),
            "points": fmt(self.points),
            "explanation": self.explanation,
            "value_explanation": self.value_explanation,
            "steps": self.steps,
            "self_score": None if self.self_score is None else fmt(self.self_score),
            "review_score": None if self.review_score is None else fmt(self.review_score),
            "review_comment": self.review_comment,
            "evidence": self.evidence,
            "error": self.error,
            "note_key": self.note_key,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fmt(value)
    return value


@dataclass
class Result:
    unit_id: int
    cells: list[Cell]
    total: Decimal
    self_total: Decimal | None
    grade: str
    rank: int | None = None

    def points_map(self) -> dict[str, list[str]]:
        return {c.code: [fmt(c.points), fmt(c.max_points)] for c in self.cells}

    def as_json(self) -> dict:
        return {
            "cells": [c.as_json() for c in self.cells],
            "total": fmt(self.total),
            "self_total": None if self.self_total is None else fmt(self.self_total),
            "grade": self.grade,
        }


# Values ---------------------------------------------------------------------------------------


def _subtrees(unit_ids: Iterable[int]) -> tuple[dict[int, set[int]], dict[int, ServiceUnit]]:
    units = {u.id: u for u in ServiceUnit.objects.all()}
    children: dict[int | None, list[int]] = defaultdict(list)
    for u in units.values():
        children[u.parent_id].append(u.id)
    trees = {}
    for root in unit_ids:
        seen, stack = set(), [root]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(children.get(node, ()))
        trees[root] = seen
    return trees, units


def _ledger_values(specs: list[dict], trees: dict[int, set[int]], year: int) -> dict:
    """{(spec key, unit): net quantity over the unit's subtree in the year}, one query per
    distinct filter set."""
    months = (dt.date(year, 1, 1), dt.date(year, 12, 1))
    all_units = set().union(*trees.values()) if trees else set()
    result: dict[tuple, int] = {}
    for key in {_ledger_key(s) for s in specs}:
        kind, filters = key[0], dict(key[1:])
        per_unit: dict[int, int] = defaultdict(int)
        table = LedgerRollup if filters else LedgerMonthly  # the small table when it can answer
        for row in (
            table.objects.filter(month__range=months, kind=kind, unit_id__in=all_units, **filters)
            .order_by()
            .values("unit_id")
            .annotate(q=Sum("quantity"))
        ):
            per_unit[row["unit_id"]] = row["q"] or 0
        for root, tree in trees.items():
            result[(key, root)] = sum(per_unit.get(u, 0) for u in tree)
    return result


def _ledger_key(spec: Mapping) -> tuple:
    return (spec["kind"], *sorted((k, spec[k]) for k in schemefile.LEDGER_FILTERS if spec.get(k)))


def _report_counts(unit_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(schemefile.REPORT_MEASURES, 0)
    )
    for row in (
        MonthlyReport.objects.filter(unit_id__in=unit_ids, month__year=year)
        .order_by()
        .values("unit_id")
        .annotate(
            submitted=Count("id", filter=Q(status__in=SUBMITTED_STATUSES)),
            on_time=Count("id", filter=Q(status__in=SUBMITTED_STATUSES, on_time=True)),
            accepted=Count("id", filter=Q(status=ReportStatus.ACCEPTED)),
        )
    ):
        counts[row["unit_id"]] = {k: row[k] for k in schemefile.REPORT_MEASURES}
    return counts


def _share(figures: Mapping[str, int], share: str) -> Decimal | None:
    num, den = {
        "answered_in_time_share": ("answered_in_time", "answered_measured"),
        "resolved_in_time_share": ("resolved_in_time", "resolved_measured"),
        "satisfaction": ("rating_points", "ratings"),
    }[share]
    if not figures.get(den):
        return None
    return (Decimal(figures[num]) / Decimal(figures[den])).quantize(Decimal("0.0001"))


@dataclass
class Inputs:
    """Everything the scores need, gathered for many units at once."""

    units: dict[int, ServiceUnit]
    ledger: dict[tuple, int]
    figures: dict[int, dict[str, int]]
    reports: dict[int, dict[str, int]]
    scores: dict[int, dict[str, Any]]  # unit → indicator → IndicatorScore


def gather(
    definition: Mapping, unit_ids: list[int], scores: dict[int, dict] | None = None
) -> Inputs:
    year = definition["year"]
    indicators = [i for a in definition["areas"] for i in a["indicators"]]
    sources = {i["value"]["source"] for i in indicators}
    trees, units = _subtrees(unit_ids)
    ledger = {}
    if "ledger" in sources:
        ledger = _ledger_values(
            [i["value"] for i in indicators if i["value"]["source"] == "ledger"], trees, year
        )
    figures = {}
    if sources & {"figure", "share"}:
        figures = own_figures(unit_ids=unit_ids, period=Period.year(year))
    reports = _report_counts(unit_ids, year) if "reports" in sources else {}
    return Inputs(units=units, ledger=ledger, figures=figures, reports=reports, scores=scores or {})


MANUAL_NOTES = {
    "judgement": lambda: _("reviewer's judgement"),
    "review": lambda: _("entered by the reviewer"),
    "self": lambda: _("entered by the unit"),
    "none": lambda: _("not entered yet"),
}


def _manual_key(indicator: Mapping, score) -> str:
    if indicator["rule"]["type"] == "judgement":
        return "judgement"
    if score and score.review_value is not None:
        return "review"
    if score and score.self_value is not None:
        return "self"
    return "none"


def localized_cells(definition: Mapping, cells: list[dict]) -> list[dict]:
    """Stored cells with their sentences in the active language: explanations are stored in
    the language of whoever triggered the computation, so for reading the rule is applied again
    to the stored value and target (the same points, checked) and the source note rebuilt.
    Formula traces hold only names and numbers and are kept as stored."""
    indicators = {i["code"]: i for a in definition.get("areas", []) for i in a["indicators"]}
    out = []
    for stored in cells:
        indicator = indicators.get(stored.get("code"))
        if indicator is None:
            out.append(stored)
            continue
        cell = dict(stored)
        spec = indicator["value"]
        if spec["source"] == "manual" and stored.get("note_key") in MANUAL_NOTES:
            cell["value_explanation"] = MANUAL_NOTES[stored["note_key"]]()
        elif spec["source"] not in ("manual", "formula"):
            cell["value_explanation"] = _source_note(spec)
        value = stored.get("value")
        if isinstance(value, str):
            value = Decimal(value)
        target = Decimal(stored["target"]) if stored.get("target") is not None else None
        try:
            outcome = score_rule(
                indicator["rule"],
                points=Decimal(indicator["points"]),
                value=value,
                target=target,
                evidence=bool((stored.get("evidence") or "").strip()),
                validated=True,
            )
        except RuleError as exc:
            if not stored.get("error") or stored.get("error") == stored.get("explanation"):
                cell["explanation"] = cell["error"] = exc.message
            out.append(cell)
            continue
        if fmt(outcome.points) != stored.get("computed"):
            out.append(stored)  # the rule or its data changed since: keep what was computed
            continue
        cell["explanation"] = outcome.explanation
        if stored.get("review_score") is not None:
            cell["explanation"] = _("%(computed)s; the reviewer set %(review)s points") % {
                "computed": outcome.explanation,
                "review": stored["review_score"],
            }
        out.append(cell)
    return out


def _source_note(spec: Mapping) -> str:
    """Where an indicator's value comes from, in words (the same for every unit)."""
    source = spec["source"]
    if source == "ledger":
        return _("from the service ledger (%(kind)s)") % {"kind": spec["kind"]}
    if source == "figure":
        return _("from the service figures (%(figure)s)") % {"figure": spec["figure"]}
    if source == "share":
        return _("from the service levels (%(share)s)") % {"share": spec["share"]}
    if source == "reports":
        return _("from the monthly reports (%(measure)s)") % {"measure": spec["measure"]}
    return ""


def _raw_value(indicator: Mapping, unit_id: int, inputs: Inputs, note: str) -> tuple[Any, str]:
    spec = indicator["value"]
    source = spec["source"]
    if source == "ledger":
        return Decimal(inputs.ledger.get((_ledger_key(spec), unit_id), 0)), note
    if source == "figure":
        return Decimal(inputs.figures.get(unit_id, {}).get(spec["figure"], 0)), note
    if source == "share":
        return _share(inputs.figures.get(unit_id, {}), spec["share"]), note
    if source == "reports":
        return Decimal(inputs.reports.get(unit_id, {}).get(spec["measure"], 0)), note
    if source == "manual":
        score = inputs.scores.get(unit_id, {}).get(indicator["code"])
        if indicator["rule"]["type"] == "judgement":
            return (score.review_judgement if score else None), MANUAL_NOTES["judgement"]()
        if score and score.review_value is not None:
            return score.review_value, MANUAL_NOTES["review"]()
        if score and score.self_value is not None:
            return score.self_value, MANUAL_NOTES["self"]()
        return None, MANUAL_NOTES["none"]()
    return None, ""  # formulas are computed afterwards


def _target(indicator: Mapping, unit: ServiceUnit) -> Decimal | None:
    target = indicator.get("target")
    if not target:
        return None
    value = target["units"].get(unit.code, target["default"])
    return None if value is None else Decimal(value)


def compute(
    definition: Mapping, unit_ids: list[int], *, inputs: Inputs | None = None
) -> dict[int, Result]:
    """Score every unit against the scheme definition; ranks by total (ties share a rank)."""
    inputs = inputs or gather(definition, unit_ids)
    with paused_gc():
        return _compute(definition, unit_ids, inputs)


def _compute(definition: Mapping, unit_ids: list[int], inputs: Inputs) -> dict[int, Result]:
    compiled = schemefile.compile_definition(definition)
    bands = [(g["grade"], Decimal(g["min"])) for g in definition["grades"]]
    results: dict[int, Result] = {}
    indicators = [i for area in definition["areas"] for i in area["indicators"]]
    source_notes = {i["code"]: _source_note(i["value"]) for i in indicators}
    for unit_id in unit_ids:
        unit = inputs.units[unit_id]
        raw: dict[str, Any] = {}
        notes: dict[str, str] = {}
        for area in definition["areas"]:
            for indicator in area["indicators"]:
                if indicator["value"]["source"] != "formula":
                    raw[indicator["code"]], notes[indicator["code"]] = _raw_value(
                        indicator, unit_id, inputs, source_notes[indicator["code"]]
                    )
        env = {k: (v if isinstance(v, Decimal) else ZERO) for k, v in raw.items()}
        env.update({"unit.kind": unit.kind, "unit.code": unit.code, "unit.district": unit.district})
        formula_error = ""
        try:
            derived = compiled.evaluate_explained(env)
        except FormulaError as exc:
            derived, formula_error = {}, str(exc)
        cells = []
        for area in definition["areas"]:
            for indicator in area["indicators"]:
                cells.append(
                    _cell(indicator, area, unit, raw, notes, derived, formula_error, inputs)
                )
        total = sum((c.points for c in cells), ZERO)
        total = max(total, ZERO).quantize(CENT)
        self_scores = [c.self_score for c in cells if c.self_score is not None]
        self_total = sum(self_scores, ZERO).quantize(CENT) if self_scores else None
        results[unit_id] = Result(
            unit_id=unit_id,
            cells=cells,
            total=total,
            self_total=self_total,
            grade=grade_for(total, bands) or "",
        )
    _rank(results)
    return results


def _cell(indicator, area, unit, raw, notes, derived, formula_error, inputs) -> Cell:
    code = indicator["code"]
    points = Decimal(indicator["points"])
    target = _target(indicator, unit)
    score = inputs.scores.get(unit.id, {}).get(code)
    source = indicator["value"]["source"]
    value_note = notes.get(code, "")
    error = ""
    if source == "formula":
        if code in derived:
            value = derived[code].value
            if isinstance(value, Decimal):
                value = value.quantize(Decimal("0.0001"))
            value_note = derived[code].text
        else:
            value, error = None, formula_error
    else:
        value = raw[code]
    try:
        outcome = score_rule(
            indicator["rule"],
            points=points,
            value=value,
            target=target,
            evidence=bool(score and score.evidence.strip()),
            validated=True,
        )
        computed, explanation, steps = outcome.points, outcome.explanation, outcome.steps
        max_points = outcome.max_points
    except RuleError as exc:
        computed, explanation, steps = ZERO, exc.message, []
        max_points = ZERO if indicator["rule"]["type"] == "deduction" else points
        error = error or exc.message
    review = score.review_score if score else None
    awarded = review if review is not None else computed
    if review is not None:
        explanation = _("%(computed)s; the reviewer set %(review)s points") % {
            "computed": explanation,
            "review": fmt(review),
        }
    return Cell(
        code=code,
        name=indicator["name"],
        area=area["code"],
        source=source,
        value=value,
        target=target,
        max_points=max_points,
        computed=computed,
        points=awarded,
        explanation=explanation,
        steps=steps,
        value_explanation=value_note,
        self_score=score.self_score if score else None,
        review_score=review,
        review_comment=score.review_comment if score else "",
        evidence=score.evidence if score else "",
        error=error,
        note_key=_manual_key(indicator, score) if source == "manual" else "",
    )


def _rank(results: dict[int, Result]) -> None:
    ordered = sorted(results.values(), key=lambda r: r.total, reverse=True)
    previous, rank = None, 0
    for position, result in enumerate(ordered, start=1):
        if result.total != previous:
            rank, previous = position, result.total
        result.rank = rank
