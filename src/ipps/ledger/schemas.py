"""Schemas of the statistics API (GET /stats, GET /stats/kpis)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class UnitRef(Schema):
    id: int
    code: str
    name: str
    kind: str


class StatsRow(Schema):
    """One group of `totals`; the keys not grouped by are null."""

    month: str | None = Field(None, description="YYYY-MM, when grouped by month.")
    unit: UnitRef | None = Field(
        None,
        description="When grouped by unit: a child unit (its whole subtree), or the unit itself "
        "for its own rows.",
    )
    kind: str | None = None
    ip_type: str | None = None
    chain_stage: str | None = None
    channel: str | None = None
    quantity: int = Field(description="Net quantity (reversing rows count negative).")
    records: int = Field(description="Number of ledger rows (reversing rows included).")


class StatsOut(Schema):
    unit: UnitRef
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    group_by: list[str]
    items: list[StatsRow]
    total: int = Field(description="Net quantity over every group.")
    records: int = Field(description="Ledger rows over every group.")


class TileOut(Schema):
    key: str
    value: int | float | None = Field(
        description="A count (int), a share 0..1 or a mean rating (float); null when undefined."
    )
    has_data: bool = Field(
        description="False for a ledger kind that nothing in the network writes yet."
    )
    previous: int | float | None = None
    change: float | None = Field(
        None, description="(value − previous) / previous; null when previous is 0 or null."
    )


class PriorityCoverageOut(Schema):
    year: int
    priority_total: int
    served: int
    share: float | None


class ServiceLevelsOut(Schema):
    requests: int
    answered_in_time: int
    answered_measured: int
    answered_in_time_share: float | None
    resolved_in_time: int
    resolved_measured: int
    resolved_in_time_share: float | None
    satisfaction: float | None
    ratings: int
    open: int
    overdue: int


class PeriodOut(Schema):
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")


class KpisOut(Schema):
    unit: UnitRef
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    previous: PeriodOut | None = Field(None, description="The period compared with, if any.")
    tiles: list[TileOut]
    priority_coverage: PriorityCoverageOut
    service_levels: ServiceLevelsOut
    previous_priority_coverage: PriorityCoverageOut | None = None
    previous_service_levels: ServiceLevelsOut | None = None
