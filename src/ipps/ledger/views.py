"""The dashboards: KPI tiles, monthly series, breakdowns and the ranking of child units for a unit
and period, and the drill-down from any figure to the child units and the ledger rows behind it.

Every number comes from `ipps.ledger.stats`; these views only arrange and format them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipps.core.choices import ChainStage, Channel, IPType
from ipps.enterprises import exporting
from ipps.enterprises.exporting import Column
from ipps.enterprises.models import Enterprise
from ipps.enterprises.services import export_record
from ipps.ledger import charts, stats
from ipps.ledger.choices import RecordKind
from ipps.ledger.forms import DashboardForm, DrillForm
from ipps.network.choices import UnitKind
from ipps.network.scope import unit_ids_for

ROWS_PER_PAGE = 50
DIMENSIONS = (
    ("ip_type", IPType, gettext_lazy("By IP type")),
    ("chain_stage", ChainStage, gettext_lazy("By chain stage")),
    ("channel", Channel, gettext_lazy("By channel")),
)
KIND_LABELS = {
    "queries_answered": gettext_lazy("Queries answered"),
    "cases_assisted": gettext_lazy("Cases assisted"),
    "visits": gettext_lazy("Visits"),
    "training_delivered": gettext_lazy("Training delivered"),
    "policy_pushed": gettext_lazy("Policy items pushed"),
    "product_delivered": gettext_lazy("Service products delivered"),
}
TILE_OF_KIND = {kind: key for key, kind in stats.KIND_TILES}


# Formatting ---------------------------------------------------------------------------------------


def _percent(share: float | None) -> str:
    if share is None:
        return "—"
    return number_format(share * 100, decimal_pos=1, use_l10n=True) + "%"


def _change(change: float | None) -> tuple[str, str]:
    """("▲ 12.5%", "up") for a year-on-year change; ("—", "") when there is nothing to compare."""
    if change is None:
        return "—", ""
    if change > 0:
        return "▲ " + _percent(change), "up"
    if change < 0:
        return "▼ " + _percent(-change), "down"
    return "0%", "flat"


def _month_label(day: dt.date) -> str:
    return dateformat.format(day, "M")


# Links --------------------------------------------------------------------------------------------


def _query(**params) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return urlencode({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in clean.items()})


def drill_url(unit_id: int, start: dt.date, end: dt.date, **filters) -> str:
    return (
        reverse("ledger:drill")
        + "?"
        + _query(unit=unit_id, **{"from": start, "to": end}, **filters)
    )


def dashboard_url(unit_id: int, period: stats.Period, **params) -> str:
    return (
        reverse("ledger:dashboard")
        + "?"
        + _query(
            unit=unit_id, period="custom", **{"from": period.start, "to": period.end}, **params
        )
    )


def _reach(user) -> frozenset[int] | None:
    return unit_ids_for(user)  # cached on the user by resolve_scope


def _breadcrumb(scope: stats.Scope, user) -> list[stats.UnitInfo]:
    """The unit's ancestors the user reaches, top first, then the unit."""
    reach = _reach(user)
    chain, node = [], scope.unit
    while node.parent_id is not None and node.parent_id in scope.units:
        node = scope.units[node.parent_id]
        if reach is not None and node.id not in reach:
            break
        chain.append(node)
    return [*reversed(chain), scope.unit]


def _title(unit: stats.UnitInfo) -> str:
    if unit.kind == UnitKind.MUNICIPAL_CENTRE:
        return _("Network dashboard")
    if unit.kind == UnitKind.DISTRICT_CENTRE:
        return _("District dashboard")
    if unit.kind == UnitKind.WORKSTATION:
        return _("Workstation dashboard")
    return _("Unit dashboard")


# Dashboard ----------------------------------------------------------------------------------------


@dataclass
class TileView:
    key: str
    label: str
    value: str
    href: str
    detail: str = ""
    previous: str | None = None
    change: str = ""
    trend: str = ""
    primary: bool = False


@dataclass
class RankRow:
    unit: stats.UnitInfo
    quantity: int
    enterprises: int
    href: str
    dashboard_href: str
    own: bool = False
    share: float = 0.0


@dataclass
class Series:
    kind: str
    label: str
    total: int
    chart: str
    href: str
    extra: dict = field(default_factory=dict)


def _tiles(figures: stats.Kpis, scope: stats.Scope, period: stats.Period) -> list[TileView]:
    compare = figures.previous_period is not None
    unit_id = scope.unit.id
    queue = reverse("casework:queue") + "?" + _query(tab="all", unit=unit_id)
    tiles: list[TileView] = []

    def add(tile: stats.Tile, label, value: str, href: str, detail: str = "", previous=""):
        view = TileView(key=tile.key, label=str(label), value=value, href=href, detail=detail)
        if compare:
            view.previous = previous
            view.change, view.trend = _change(tile.change)
        tiles.append(view)
        return view

    kinds = dict(stats.KIND_TILES)
    for key in ("queries_answered", "enterprises_served", "priority_coverage", "cases_assisted"):
        tile = figures.tile(key)
        if key in kinds:
            add(
                tile, KIND_LABELS[key], charts.fmt(tile.value),
                drill_url(unit_id, period.start, period.end, kind=kinds[key]),
                previous=charts.fmt(tile.previous),
            ).primary = key == "queries_answered"  # fmt: skip
        elif key == "enterprises_served":
            add(
                tile, _("Enterprises served"), charts.fmt(tile.value),
                drill_url(unit_id, period.start, period.end),
                detail=_("distinct, all kinds of service"), previous=charts.fmt(tile.previous),
            )  # fmt: skip
        else:
            cov = figures.priority_coverage
            prev = figures.previous_priority_coverage or {}
            add(
                tile, _("Priority coverage"), _percent(cov["share"]),
                reverse("enterprises:priority_list") + "?" + _query(year=cov["year"], unit=unit_id),
                detail=_("%(served)s of %(total)s priority enterprises (%(year)s)") % {
                    "served": charts.fmt(cov["served"]), "total": charts.fmt(cov["priority_total"]),
                    "year": cov["year"]},
                previous=_percent(prev.get("share")),
            )  # fmt: skip
    levels = figures.service_levels
    prev_levels = figures.previous_service_levels or {}
    add(
        figures.tile("answered_in_time"), _("First response in time"),
        _percent(levels["answered_in_time_share"]), queue,
        detail=_("%(n)s of %(d)s requests") % {
            "n": charts.fmt(levels["answered_in_time"]), "d": charts.fmt(levels["answered_measured"])},
        previous=_percent(prev_levels.get("answered_in_time_share")),
    )  # fmt: skip
    add(
        figures.tile("resolved_in_time"), _("Resolved in time"),
        _percent(levels["resolved_in_time_share"]), queue,
        detail=_("%(n)s of %(d)s requests · %(open)s open, %(overdue)s overdue") % {
            "n": charts.fmt(levels["resolved_in_time"]), "d": charts.fmt(levels["resolved_measured"]),
            "open": charts.fmt(levels["open"]), "overdue": charts.fmt(levels["overdue"])},
        previous=_percent(prev_levels.get("resolved_in_time_share")),
    )  # fmt: skip
    satisfaction = levels["satisfaction"]
    prev_sat = prev_levels.get("satisfaction")
    add(
        figures.tile("satisfaction"), _("Average satisfaction"),
        "—" if satisfaction is None else number_format(satisfaction, decimal_pos=2, use_l10n=True),
        queue,
        detail=_("out of 5, %(n)s ratings") % {"n": charts.fmt(levels["ratings"])},
        previous="—" if prev_sat is None else number_format(prev_sat, decimal_pos=2, use_l10n=True),
    )  # fmt: skip
    for key in ("visits", "training_delivered", "policy_pushed", "product_delivered"):
        tile = figures.tile(key)
        if tile.has_data:
            add(
                tile, KIND_LABELS[key], charts.fmt(tile.value),
                drill_url(unit_id, period.start, period.end, kind=kinds[key]),
                previous=charts.fmt(tile.previous),
            )  # fmt: skip
    return tiles


def _series(rows, scope, period, kinds_shown) -> list[Series]:
    by_kind: dict[str, dict[dt.date, int]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], {})[row["month"]] = row["quantity"]
    months = period.months()
    result = []
    for kind in kinds_shown:
        values = by_kind.get(kind, {})
        bars = []
        for index, month in enumerate(months):
            start = max(month, period.start)
            end = min(stats.Period.month(month.year, month.month).end, period.end)
            sublabel = str(month.year) if index == 0 or month.month == 1 else ""
            bars.append(
                charts.Bar(
                    label=_month_label(month),
                    value=values.get(month, 0),
                    href=drill_url(scope.unit.id, start, end, kind=kind),
                    sublabel=sublabel,
                )
            )
        label = str(RecordKind(kind).label)
        result.append(
            Series(
                kind=kind,
                label=label,
                total=sum(values.values()),
                chart=charts.column_chart(
                    bars,
                    label=_("%(kind)s by month") % {"kind": label},
                    height=240 if not result else 160,
                ),
                href=drill_url(scope.unit.id, period.start, period.end, kind=kind),
            )
        )
    return result


def _breakdowns(rows, scope, period, kind) -> list[dict]:
    result = []
    for dim, choices, title in DIMENSIONS:
        sums: dict[str, int] = {}
        for row in rows:
            sums[row[dim]] = sums.get(row[dim], 0) + row["quantity"]
        labels = dict(choices.choices)
        bars = [
            charts.Bar(
                label=str(labels.get(value, value)) if value else _("Not classified"),
                value=quantity,
                # An empty value cannot be filtered on; its bar shows the figure without a link.
                href=drill_url(scope.unit.id, period.start, period.end, kind=kind, **{dim: value})
                if value
                else "",
            )
            for value, quantity in sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))
            if quantity
        ]
        result.append(
            {
                "key": dim,
                "title": title,
                "chart": charts.hbar_chart(bars, label=str(title)) if bars else "",
            }
        )
    return result


def _ranking(scope, period, quantities, served, kind, sort, query) -> list[RankRow]:
    served_by = {r["unit"]: r["enterprises_served"] for r in served}
    rows = []
    for row in quantities:
        info = scope.units[row["unit"]]
        own = info.id == scope.unit.id
        rows.append(
            RankRow(
                unit=info,
                quantity=row["quantity"],
                enterprises=served_by.get(info.id, 0),
                href=drill_url(info.id, period.start, period.end, kind=kind),
                dashboard_href=reverse("ledger:dashboard")
                + "?"
                + _query(**{**query, "unit": info.id}),
                own=own,
            )
        )
    top = max((r.quantity for r in rows), default=0) or 1
    for r in rows:
        r.share = max(r.quantity, 0) / top * 100
    keys = {
        "quantity": lambda r: (r.quantity, r.unit.code),
        "enterprises": lambda r: (r.enterprises, r.unit.code),
    }
    name = sort.lstrip("-")
    if name in keys:
        rows.sort(key=keys[name], reverse=sort.startswith("-"))
    return rows


@login_required
def dashboard(request):
    user = request.user
    scope = stats.resolve_scope(user=user, unit=request.GET.get("unit") or None)
    form = DashboardForm(request.GET)
    query = {k: v for k, v in request.GET.items() if k in form.fields and k != "unit"}
    context = {
        "form": form,
        "scope": scope,
        "unit": scope.unit,
        "title": _title(scope.unit),
        "breadcrumb_links": [
            (info, reverse("ledger:dashboard") + "?" + _query(**{**query, "unit": info.id}))
            for info in _breadcrumb(scope, user)
        ],
    }
    if not form.is_valid():
        return render(request, "ledger/dashboard.html", context, status=200)
    period = form.period
    kind = form.cleaned_data.get("kind") or RecordKind.QUERY_ANSWERED
    sort = form.cleaned_data.get("sort") or "-quantity"
    compare = form.cleaned_data.get("compare") == "previous_year"
    figures = stats.kpis(user=user, unit=scope, period=period, compare_previous_year=compare)
    with_data = {TILE_OF_KIND[k] for k in TILE_OF_KIND if figures.tile(TILE_OF_KIND[k]).has_data}
    monthly = stats.totals(user=user, unit=scope, period=period, group_by=("month", "kind"))
    totals_by_kind: dict[str, int] = {}
    for row in monthly:
        totals_by_kind[row["kind"]] = totals_by_kind.get(row["kind"], 0) + row["quantity"]
    kinds_shown = [kind] + [
        k
        for key, k in stats.KIND_TILES
        if k != kind and (key in with_data and totals_by_kind.get(k))
    ]
    cells = stats.totals(
        user=user, unit=scope, period=period, kind=kind,
        group_by=("ip_type", "chain_stage", "channel"),
    )  # fmt: skip
    ranking = []
    if scope.children:
        ranking = _ranking(
            scope,
            period,
            stats.totals(user=user, unit=scope, period=period, kind=kind, group_by=("unit",)),
            stats.enterprises_served_by_unit(user=user, unit=scope, period=period),
            kind,
            sort,
            query,
        )
    context.update(
        kind_choices=[
            (k, str(RecordKind(k).label))
            for key, k in stats.KIND_TILES
            if k == kind or key in with_data
        ],
        period=period,
        previous_period=figures.previous_period,
        compare=compare,
        kind=kind,
        kind_label=RecordKind(kind).label,
        sort=sort,
        tiles=_tiles(figures, scope, period),
        series=_series(monthly, scope, period, kinds_shown),
        breakdowns=_breakdowns(cells, scope, period, kind),
        breakdown_total=sum(r["quantity"] for r in cells),
        ranking=ranking,
        kind_total=totals_by_kind.get(kind, 0),
        drill_all=drill_url(scope.unit.id, period.start, period.end, kind=kind),
    )
    return render(request, "ledger/dashboard.html", context)


# Drill-down ---------------------------------------------------------------------------------------


FILTER_LABELS = {
    "kind": (gettext_lazy("Kind"), RecordKind),
    "ip_type": (gettext_lazy("IP type"), IPType),
    "chain_stage": (gettext_lazy("Chain stage"), ChainStage),
    "channel": (gettext_lazy("Channel"), Channel),
}


def _drill_input(request):
    user = request.user
    scope = stats.resolve_scope(user=user, unit=request.GET.get("unit") or None)
    form = DrillForm(request.GET)
    return user, scope, form


@login_required
def drill(request):
    user, scope, form = _drill_input(request)
    context = {"form": form, "scope": scope, "unit": scope.unit}
    if not form.is_valid():
        return render(request, "ledger/drill.html", context, status=422)
    period, filters = form.period, form.filters()
    figure = stats.totals(user=user, unit=scope, period=period, **filters)[0]
    children = []
    only_kind = set(filters) <= {"kind"}
    served = None
    if only_kind:
        served = stats.enterprises_served(
            user=user, unit=scope, period=period, kind=filters.get("kind")
        )
    if scope.children:
        served_by = {}
        if only_kind:
            served_by = {
                r["unit"]: r["enterprises_served"]
                for r in stats.enterprises_served_by_unit(
                    user=user, unit=scope, period=period, kind=filters.get("kind")
                )
            }
        rows = stats.totals(user=user, unit=scope, period=period, group_by=("unit",), **filters)
        top = max((r["quantity"] for r in rows), default=0) or 1
        for row in rows:
            info = scope.units[row["unit"]]
            children.append(
                {
                    "unit": info,
                    "own": info.id == scope.unit.id,
                    "quantity": row["quantity"],
                    "records": row["records"],
                    "enterprises": served_by.get(info.id, 0) if only_kind else None,
                    "share": max(row["quantity"], 0) / top * 100,
                    "href": drill_url(info.id, period.start, period.end, **filters),
                }
            )
    rows_qs = stats.ledger_rows(user=user, unit=scope, period=period, **filters)
    page = Paginator(rows_qs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    # A unit may have served an enterprise that another workstation looks after: its name is shown,
    # linked only where the viewer may open it.
    served_ids = {row.enterprise_id for row in page.object_list if row.enterprise_id}
    reach = _reach(user)
    linkable = served_ids
    if served_ids and reach is not None:
        linkable = set(
            Enterprise.objects.in_scope(ids=reach, enterprise_id=None)
            .filter(pk__in=served_ids)
            .values_list("pk", flat=True)
        )
    chips = []
    for name, value in filters.items():
        label, choices = FILTER_LABELS[name]
        rest = {k: v for k, v in filters.items() if k != name}
        chips.append(
            {
                "name": str(label),
                "value": str(choices(value).label),
                "remove": drill_url(scope.unit.id, period.start, period.end, **rest),
            }
        )
    export_query = _query(unit=scope.unit.id, **{"from": period.start, "to": period.end}, **filters)
    parent = scope.units.get(scope.unit.parent_id) if scope.unit.parent_id else None
    context.update(
        period=period,
        filters=filters,
        chips=chips,
        kind_label=RecordKind(filters["kind"]).label if "kind" in filters else None,
        figure=figure,
        served=served,
        children=children,
        page=page,
        linkable_enterprises=linkable,
        export_query=export_query,
        dashboard_href=dashboard_url(scope.unit.id, period, kind=filters.get("kind")),
        parent_href=(
            drill_url(parent.id, period.start, period.end, **filters)
            if parent and (reach is None or parent.id in reach)
            else ""
        ),
        breadcrumb_links=[
            (info, drill_url(info.id, period.start, period.end, **filters))
            for info in _breadcrumb(scope, user)
        ],
    )
    return render(request, "ledger/drill.html", context)


# Export -------------------------------------------------------------------------------------------


def _choice(choices):
    labels = dict(choices.choices)
    return lambda value: str(labels.get(value, value)) if value else ""


_kind, _ip, _stage, _channel = (_choice(c) for c in (RecordKind, IPType, ChainStage, Channel))

LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("date", "Date", "日期", lambda r, u: r.date, 12),
    Column("unit_code", "Unit code", "服务单位编码", lambda r, u: r.unit.code, 16),
    Column("unit", "Unit", "服务单位", lambda r, u: exporting._unit_name(r.unit), 30),
    Column(
        "enterprise",
        "Enterprise",
        "企业名称",
        lambda r, u: r.enterprise.name if r.enterprise_id else "",
        36,
    ),
    Column(
        "uscc",
        "Unified Social Credit Code",
        "统一社会信用代码",
        lambda r, u: r.enterprise.uscc if r.enterprise_id else "",
        22,
    ),
    Column("kind", "Kind", "服务类型", lambda r, u: _kind(r.kind), 18),
    Column("ip_type", "IP type", "知识产权类型", lambda r, u: _ip(r.ip_type), 14),
    Column("chain_stage", "Chain stage", "链条环节", lambda r, u: _stage(r.chain_stage), 12),
    Column("channel", "Channel", "渠道", lambda r, u: _channel(r.channel), 10),
    Column("quantity", "Quantity", "数量", lambda r, u: r.quantity, 8),
    Column("source", "Source", "来源", lambda r, u: f"{r.source_type}#{r.source_id}", 30),
    Column("id", "Ledger row", "台账行号", lambda r, u: r.pk, 10),
)


@login_required
def drill_export(request, fmt: str):
    if fmt not in exporting.FORMATS:
        raise Http404
    user, scope, form = _drill_input(request)
    if not form.is_valid():
        raise Http404
    period, filters = form.period, form.filters()
    queryset = stats.ledger_rows(user=user, unit=scope, period=period, **filters)
    filename = exporting.export_filename(f"ledger-{scope.unit.code}", fmt)
    if fmt == "csv":
        count = queryset.count()
        response = exporting.csv_response(
            filename=filename, columns=LEDGER_COLUMNS, queryset=queryset, user=user
        )
    else:
        response, count = exporting.xlsx_response(
            filename=filename,
            sheet_title="服务台账" if exporting.is_zh() else "Service ledger",
            columns=LEDGER_COLUMNS,
            queryset=queryset,
            user=user,
        )
    export_record(
        acting_user=user,
        what="ledger.servicerecord",
        fmt=fmt,
        filters={
            "unit": scope.unit.code,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            **filters,
        },
        rows=count,
        request=request,
    )
    return response
