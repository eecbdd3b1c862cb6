"""GET /ledger: the acts of service behind every figure, with their total."""

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from ipps.core.api import Error
from ipps.ledger import selectors

router = Router(tags=["ledger"])


class LedgerPagination(LimitOffsetPagination):
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
