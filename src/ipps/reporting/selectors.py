"""Reads of the monthly reports: their figures (live or frozen) with corrections, late rows and
plausibility flags, consolidation up the tree, and completeness and timeliness (DHIS2-style)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipps.ledger.stats import OWN_FIGURES, Period, own_figures
from ipps.network.choices import UnitKind, UnitStatus
from ipps.network.models import ServiceUnit
from ipps.network.scope import unit_ids_for
from ipps.reporting.choices import APPROVED_STATUSES, SUBMITTED_STATUSES
from ipps.reporting.models import MonthlyReport, ReportAdjustment

FIGURE_LABELS: dict[str, Promise] = {
    "query_answered": gettext_lazy("Queries answered"),
    "case_assisted": gettext_lazy("Cases assisted"),
    "visit": gettext_lazy("Visits"),
    "training_delivered": gettext_lazy("Training delivered"),
    "policy_pushed": gettext_lazy("Policy items pushed"),
    "product_delivered": gettext_lazy("Service products delivered"),
    "enterprises_served": gettext_lazy("Enterprises served"),
    "requests_received": gettext_lazy("Requests received"),
    "answered_in_time": gettext_lazy("Answered within the first-response target"),
    "answered_measured": gettext_lazy("Requests whose first-response target has come"),
    "resolved_in_time": gettext_lazy("Resolved within the resolution target"),
    "resolved_measured": gettext_lazy("Requests whose resolution target has come"),
    "ratings": gettext_lazy("Satisfaction ratings received"),
    "rating_points": gettext_lazy("Sum of the satisfaction ratings"),
}
# (key, numerator, denominator, label): figures derived from two counts, never summed.
DERIVED = (
    (
        "answered_in_time_share",
        "answered_in_time",
        "answered_measured",
        gettext_lazy("Share answered in time"),
    ),
    (
        "resolved_in_time_share",
        "resolved_in_time",
        "resolved_measured",
        gettext_lazy("Share resolved in time"),
    ),
    ("satisfaction", "rating_points", "ratings", gettext_lazy("Average satisfaction (1–5)")),
)
REPORTING_KINDS = (UnitKind.MUNICIPAL_CENTRE, UnitKind.DISTRICT_CENTRE, UnitKind.WORKSTATION)
# A figure "jumps" when it is this many times its recent median (or a third of it).
JUMP_FACTOR = 3
JUMP_MIN_DIFFERENCE = 10
HISTORY_MONTHS = 6
# Corrections that move a figure further than this from the ledger are flagged.
ADJUSTMENT_TOLERANCE = 0.2


def month_period(month: dt.date) -> Period:
    return Period.month(month.year, month.month)


def live_figures(report: MonthlyReport, *, now: dt.datetime | None = None) -> dict[str, int]:
    """The unit's own figures for the month, from the ledger selectors, as of now."""
    return own_figures(unit_ids=[report.unit_id], period=month_period(report.month), now=now)[
        report.unit_id
    ]


def derived(values: dict[str, int]) -> dict[str, float | None]:
    return {
        key: (values.get(num, 0) / values[den] if values.get(den) else None)
        for key, num, den, _label in DERIVED
    }


@dataclass
class FigureRow:
    key: str
    label: str
    ledger: int  # frozen at submission, or live while editable
    adjustment: int  # sum of the corrections
    reported: int  # ledger + adjustment
    live: int | None = None  # today's ledger figure, once frozen
    late: int = 0  # live − frozen: ledger rows that arrived after submission
    flags: list[str] = field(default_factory=list)


@dataclass
class Consolidation:
    """A unit's own reported figures plus its children's approved (consolidated) figures."""

    values: dict[str, int]
    included: list[int]
    missing: list[int]

    def as_json(self) -> dict[str, Any]:
        return {"values": self.values, "included": self.included, "missing": self.missing}


@dataclass
class ReportView:
    report: MonthlyReport
    rows: list[FigureRow]
    derived: dict[str, float | None]
    consolidation: Consolidation | None
    consolidated_derived: dict[str, float | None] | None
    adjustments: list[ReportAdjustment]

    def row(self, key: str) -> FigureRow:
        return next(r for r in self.rows if r.key == key)

    @property
    def reported(self) -> dict[str, int]:
        return {r.key: r.reported for r in self.rows}

    @property
    def consolidated_rows(self) -> list[tuple[str, int]]:
        if self.consolidation is None:
            return []
        return [(r.label, self.consolidation.values.get(r.key, 0)) for r in self.rows]

    @property
    def has_late_rows(self) -> bool:
        return any(r.late for r in self.rows)

    @property
    def flags(self) -> list[tuple[str, str]]:
        return [(r.key, flag) for r in self.rows for flag in r.flags]


def adjustment_totals(report_ids) -> dict[int, dict[str, int]]:
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        ReportAdjustment.objects.filter(report_id__in=list(report_ids))
        .order_by()
        .values("report_id", "figure")
        .annotate(total=Sum("amount"))
    ):
        totals[row["report_id"]][row["figure"]] = row["total"]
    return totals


def _history(report: MonthlyReport) -> dict[str, list[int]]:
    """The unit's frozen figures of the previous months (most recent first)."""
    start = report.month
    for _i in range(HISTORY_MONTHS):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    series: dict[str, list[int]] = defaultdict(list)
    for figures in (
        MonthlyReport.objects.filter(
            unit_id=report.unit_id, month__gte=start, month__lt=report.month
        )
        .exclude(frozen_at__isnull=True)
        .order_by("-month")
        .values_list("figures", flat=True)
    ):
        for key, value in figures.items():
            series[key].append(value)
    return series


def _plausibility(row: FigureRow, history: list[int]) -> list[str]:
    flags = []
    if len(history) >= 3:
        median = statistics.median(history)
        high = max(median * JUMP_FACTOR, median + JUMP_MIN_DIFFERENCE)
        if row.reported > high:
            flags.append(
                _("%(value)d is far above this unit's recent median of %(median)s.")
                % {"value": row.reported, "median": f"{median:g}"}
            )
        elif median >= JUMP_MIN_DIFFERENCE and row.reported * JUMP_FACTOR < median:
            flags.append(
                _("%(value)d is far below this unit's recent median of %(median)s.")
                % {"value": row.reported, "median": f"{median:g}"}
            )
    if row.adjustment and abs(row.adjustment) > max(
        ADJUSTMENT_TOLERANCE * row.ledger, JUMP_MIN_DIFFERENCE / 2
    ):
        flags.append(
            _("The corrections move this figure %(amount)+d away from the ledger's %(ledger)d.")
            % {"amount": row.adjustment, "ledger": row.ledger}
        )
    if row.late:
        flags.append(
            _("%(count)+d arrived in the ledger after submission (late rows).")
            % {"count": row.late}
        )
    return flags


def report_view(report: MonthlyReport, *, now: dt.datetime | None = None) -> ReportView:
    """Everything the report page, the API and the exports show about a report's figures."""
    adjustments = list(
        ReportAdjustment.objects.filter(report=report).select_related("created_by").order_by("id")
    )
    adjusted: dict[str, int] = defaultdict(int)
    for a in adjustments:
        adjusted[a.figure] += a.amount
    live = live_figures(report, now=now)
    frozen = report.figures if report.frozen_at else None
    history = _history(report)
    rows = []
    for key in OWN_FIGURES:
        ledger = frozen.get(key, 0) if frozen is not None else live[key]
        row = FigureRow(
            key=key,
            label=str(FIGURE_LABELS[key]),
            ledger=ledger,
            adjustment=adjusted.get(key, 0),
            reported=ledger + adjusted.get(key, 0),
        )
        if frozen is not None:
            row.live = live[key]
            row.late = live[key] - ledger
        row.flags = _plausibility(row, history.get(key, []))
        rows.append(row)
    reported = {r.key: r.reported for r in rows}
    consolidation = None
    if report.frozen_at and report.consolidated:
        c = report.consolidated
        consolidation = Consolidation(c["values"], c["included"], c["missing"])
    elif report.unit.kind != UnitKind.WORKSTATION or _has_children(report.unit_id):
        consolidation = consolidation_of(report, own=reported)
    if consolidation is not None and not consolidation.included and not consolidation.missing:
        consolidation = None
    return ReportView(
        report=report,
        rows=rows,
        derived=derived(reported),
        consolidation=consolidation,
        consolidated_derived=derived(consolidation.values) if consolidation else None,
        adjustments=adjustments,
    )


def _has_children(unit_id: int) -> bool:
    return ServiceUnit.objects.filter(parent_id=unit_id).exists()


def reported_values(report: MonthlyReport, adjustments: dict[str, int] | None = None) -> dict:
    """Frozen figures plus corrections (what the unit reported)."""
    if adjustments is None:
        adjustments = adjustment_totals([report.pk]).get(report.pk, {})
    return {k: report.figures.get(k, 0) + adjustments.get(k, 0) for k in OWN_FIGURES}


def consolidation_of(report: MonthlyReport, *, own: dict[str, int]) -> Consolidation:
    """`own` plus, for each child unit, its approved report's consolidated figures (or its own
    reported figures when it has no children). Children without an approved report are
    `missing`."""
    children = list(
        ServiceUnit.objects.filter(parent_id=report.unit_id, kind__in=REPORTING_KINDS)
        .exclude(status=UnitStatus.CLOSED, closed_on__lt=report.month)
        .order_by("code")
        .values_list("id", flat=True)
    )
    approved = list(
        MonthlyReport.objects.filter(
            unit_id__in=children, month=report.month, status__in=APPROVED_STATUSES
        )
    )
    adjustments = adjustment_totals(r.pk for r in approved)
    values = dict(own)
    included = []
    for child in approved:
        if child.consolidated:
            child_values = child.consolidated["values"]
        else:
            child_values = reported_values(child, adjustments.get(child.pk, {}))
        for key in OWN_FIGURES:
            values[key] = values.get(key, 0) + child_values.get(key, 0)
        included.append(child.unit_id)
    missing = [c for c in children if c not in set(included)]
    return Consolidation(values=values, included=included, missing=missing)


# Lists ------------------------------------------------------------------------------------------


def report_list(
    *,
    user,
    unit: int | None = None,
    month: dt.date | None = None,
    status: str | None = None,
    kind: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[MonthlyReport]:
    qs = MonthlyReport.objects.visible_to(user).select_related("unit")
    if unit is not None:
        from ipps.network.scope import _subtree_ids

        qs = qs.filter(unit_id__in=_subtree_ids([unit]))
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(unit__kind=kind)
    if overdue:
        today = today or timezone.localdate()
        qs = qs.filter(first_submitted_at__isnull=True, due_on__lt=today)
    return qs.order_by("-month", "unit__code")


def awaiting_action(*, user) -> QuerySet[MonthlyReport]:
    """Reports waiting for this user: submitted reports of the units whose parent they lead."""
    from ipps.reporting.services import APPROVER_ROLES

    ids = unit_ids_for(user, APPROVER_ROLES)
    qs = MonthlyReport.objects.filter(status="submitted").select_related("unit")
    if ids is not None:
        qs = qs.filter(unit__parent_id__in=ids)
    return qs.order_by("due_on", "unit__code")


# Completeness and timeliness --------------------------------------------------------------------


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _rate(n: int, d: int) -> float | None:
    return n / d if d else None


def completeness(
    *,
    user,
    unit: int | None = None,
    level: str | None = None,
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Expected, submitted and on-time reports per unit, per level (unit kind) and per month.

    A report is expected from every reporting unit open during a month whose due day has come;
    it is submitted when its status is submitted, approved or accepted (a returned report is not,
    until it is submitted again) and on time when its first submission came by the due day."""
    from ipps.ledger.stats import resolve_scope

    scope = resolve_scope(user=user, unit=unit)
    today = today or timezone.localdate()
    months = _months(start, end)
    units = ServiceUnit.objects.filter(id__in=scope.ids, kind__in=REPORTING_KINDS)
    if level:
        units = units.filter(kind=level)
    units = list(
        units.order_by("code").values(
            "id", "code", "name_zh", "name_en", "kind", "status", "opened_on", "closed_on"
        )
    )
    reports = {
        (r["unit_id"], r["month"]): r
        for r in MonthlyReport.objects.filter(
            unit_id__in=[u["id"] for u in units], month__in=months
        ).values("unit_id", "month", "status", "on_time", "due_on")
    }
    from ipps.reporting.services import deadlines, rules_by_kind

    rules = rules_by_kind()
    per_unit: list[dict[str, Any]] = []
    per_level: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    per_month: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for u in units:
        counts = [0, 0, 0]
        for month in months:
            period = month_period(month)
            if u["opened_on"] and u["opened_on"] > period.end:
                continue
            if u["status"] == UnitStatus.CLOSED and u["closed_on"] and u["closed_on"] < month:
                continue
            report = reports.get((u["id"], month))
            due_on = report["due_on"] if report else deadlines(rules[u["kind"]], month)[0]
            if due_on > today:
                continue  # not due yet: not expected
            submitted = bool(report and report["status"] in SUBMITTED_STATUSES)
            on_time = bool(submitted and report["on_time"])
            for bucket in (counts, per_level[u["kind"]], per_month[month]):
                bucket[0] += 1
                bucket[1] += submitted
                bucket[2] += on_time
        per_unit.append(
            {
                "unit": u["id"],
                "code": u["code"],
                "name": u["name_en"] if _english() and u["name_en"] else u["name_zh"],
                "kind": u["kind"],
                **_figures(counts),
            }
        )
    total = [sum(row[i] for row in per_level.values()) for i in range(3)]
    return {
        "from": months[0] if months else start,
        "to": months[-1] if months else end,
        "unit": scope.unit.id,
        **_figures(total),
        "levels": [
            {"level": kind, **_figures(per_level[kind])}
            for kind in REPORTING_KINDS
            if kind in per_level
        ],
        "months": [{"month": m, **_figures(per_month[m])} for m in months if m in per_month],
        "units": per_unit,
    }


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def _figures(counts: list[int]) -> dict[str, Any]:
    expected, submitted, on_time = counts
    return {
        "expected": expected,
        "submitted": submitted,
        "on_time": on_time,
        "completeness": _rate(submitted, expected),
        "timeliness": _rate(on_time, expected),
    }
