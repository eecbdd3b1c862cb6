"""GET /ledger: the acts of service behind every figure, with their total; GET /stats and
GET /stats/kpis: the network statistics (ipps.ledger.stats), the same figures as the dashboards."""

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ipps.core.api import Error, Pagination
from ipps.core.errors import ServiceError
from ipps.ledger import selectors, stats
from ipps.ledger.schemas import KpisOut, StatsOut

router = Router(tags=["ledger"])


class LedgerPagination(Pagination):
    """limit/offset pages that also carry `total`: the sum of `quantity` over every filtered row."""

    class Output(Schema):
        items: list[Any]
        count: int
        total: int = Field(description="Sum of quantity over all the filtered rows (net).")

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["total"] = selectors.record_total(queryset)
        return page


class RecordOut(Schema):
    id: int
    unit_id: int
    unit_code: str
    enterprise_id: int | None
    enterprise_name: str | None
    date: dt.date
    kind: str
    ip_type: str
    chain_stage: str
    channel: str
    quantity: int = Field(description="Negative on a reversing row.")
    source_type: str = Field(description="The source object's model, e.g. casework.servicerequest.")
    source_id: str
    reverses: int | None = Field(description="Id of the row this one reverses.")

    @staticmethod
    def resolve_unit_code(obj) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_enterprise_name(obj) -> str | None:
        return obj.enterprise.name if obj.enterprise_id else None

    @staticmethod
    def resolve_reverses(obj) -> int | None:
        return obj.reverses_id


@router.get(
    "/ledger",
    response={200: list[RecordOut], 401: Error, 422: Error},
    summary="Rows of the service ledger",
)
@paginate(LedgerPagination)
def ledger_list(
    request,
    unit: int | None = None,
    date_from: dt.date | None = Query(None, alias="from"),  # noqa: B008
    date_to: dt.date | None = Query(None, alias="to"),  # noqa: B008
    kind: str | None = None,
    enterprise: int | None = None,
    ip_type: str | None = None,
    chain_stage: str | None = None,
    channel: str | None = None,
):
    """One row per act of service in your scope, newest first. `unit` takes the unit's whole
    subtree; `from`/`to` are inclusive dates; `kind` one kind or a comma-separated list. `total`
    is the net sum of `quantity` over every filtered row (reversing rows count negative)."""
    return selectors.record_list(
        user=request.auth,
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        kind=kind,
        enterprise=enterprise,
        ip_type=ip_type,
        chain_stage=chain_stage,
        channel=channel,
    )


def _unit_ref(info) -> dict:
    return {"id": info.id, "code": info.code, "name": info.name, "kind": info.kind}


@router.get(
    "/stats",
    response={200: StatsOut, 401: Error, 404: Error, 422: Error},
    by_alias=True,
    summary="Network statistics: totals by month, unit, kind, IP type, chain stage, channel",
)
def stats_totals(
    request,
    unit: int | None = None,
    date_from: dt.date | None = Query(None, alias="from"),  # noqa: B008
    date_to: dt.date | None = Query(None, alias="to"),  # noqa: B008
    group_by: str = Query(  # noqa: B008
        "", description="Comma-separated: month, unit, kind, ip_type, chain_stage, channel."
    ),
    kind: str | None = None,
    ip_type: str | None = None,
    chain_stage: str | None = None,
    channel: str | None = None,
):
    """Net quantities of the ledger over `unit`'s subtree (default: your topmost unit) and the
    inclusive period `from`–`to` (default: this year to date). Grouped by `unit`, each child unit
    carries its whole subtree and the unit itself its own rows; grouped by `month`, every month
    of the period appears, empty ones with 0. Filters take one value or a comma-separated list.
    A unit outside your scope answers 404."""
    user = request.auth
    scope = stats.resolve_scope(user=user, unit=unit)
    period = stats.parse_period(date_from, date_to)
    keys = stats.parse_group_by(group_by)
    rows = stats.totals(
        user=user, unit=scope, period=period, kind=kind, group_by=keys, ip_type=ip_type,
        chain_stage=chain_stage, channel=channel,
    )  # fmt: skip
    items = []
    for row in rows:
        item = dict(row)
        if "month" in item:
            item["month"] = item["month"].strftime("%Y-%m")
        if "unit" in item:
            item["unit"] = _unit_ref(scope.units[item["unit"]])
        items.append(item)
    quantity, records = stats.total_of(rows)
    return {
        "unit": _unit_ref(scope.unit),
        "from": period.start,
        "to": period.end,
        "group_by": list(keys),
        "items": items,
        "total": quantity,
        "records": records,
    }


@router.get(
    "/stats/kpis",
    response={200: KpisOut, 401: Error, 404: Error, 422: Error},
    by_alias=True,
    summary="The dashboard's key figures for a unit and period",
)
def stats_kpis(
    request,
    unit: int | None = None,
    date_from: dt.date | None = Query(None, alias="from"),  # noqa: B008
    date_to: dt.date | None = Query(None, alias="to"),  # noqa: B008
    compare: str | None = Query(None, description="`previous_year` adds last year's figures."),  # noqa: B008
):
    """Tiles (ledger quantities by kind, enterprises served, priority coverage of the end date's
    year, service-level shares, satisfaction, open and overdue requests) for `unit`'s subtree and
    the period; with `compare=previous_year` also the same period a year earlier and the change."""
    if compare not in (None, "", "previous_year"):
        raise ServiceError(
            "bad_compare",
            _("Unknown comparison “%(value)s”; use previous_year.") % {"value": compare},
            field="compare",
            status=422,
        )
    user = request.auth
    scope = stats.resolve_scope(user=user, unit=unit)
    period = stats.parse_period(date_from, date_to)
    figures = stats.kpis(
        user=user, unit=scope, period=period, compare_previous_year=compare == "previous_year"
    )
    previous = figures.previous_period
    return {
        "unit": _unit_ref(figures.unit),
        "from": period.start,
        "to": period.end,
        "previous": {"from": previous.start, "to": previous.end} if previous else None,
        "tiles": [asdict(tile) for tile in figures.tiles],
        "priority_coverage": figures.priority_coverage,
        "service_levels": figures.service_levels,
        "previous_priority_coverage": figures.previous_priority_coverage,
        "previous_service_levels": figures.previous_service_levels,
    }
