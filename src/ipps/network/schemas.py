"""API shapes of the network's units; field names follow the model."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from ipps.network.choices import District, UnitKind, UnitStatus


class UnitOut(Schema):
    id: int
    code: str = Field(description="Stable identifier, e.g. WS-110108-001.")
    kind: str = Field(description="municipal_centre, district_centre, workstation or partner.")
    kind_label: str
    name_zh: str
    name_en: str
    host_park: str
    district: str = Field(description="GB/T 2260 code of the Beijing district, BDA, or empty.")
    region: str = Field(description="For partners: tianjin, hebei or overseas.")
    status: str = Field(description="active, suspended or closed.")
    parent_id: int | None
    parent_code: str | None
    children_count: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_children_count(obj) -> int:
        value = getattr(obj, "children_count", None)
        return obj.children.count() if value is None else value


class UnitDetailOut(UnitOut):
    district_label: str = Field(description="The district's name in the caller's language.")
    region_label: str
    status_label: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    phone: str
    email: str
    opening_hours: str
    offers_online: bool
    offers_offline: bool
    online_url: str
    calendar_weekend_fallback: bool = Field(
        description="In a year without working-calendar data, this unit's due times count "
        "weekends only (true) or stay empty until the year is imported (false)."
    )
    opened_on: datetime.date | None
    status_changed_on: datetime.date | None
    closed_on: datetime.date | None

    @staticmethod
    def resolve_district_label(obj) -> str:
        return str(obj.get_district_display()) if obj.district else ""

    @staticmethod
    def resolve_region_label(obj) -> str:
        return str(obj.get_region_display()) if obj.region else ""

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class UnitFilters(Schema):
    kind: UnitKind | None = Field(None, description="Only units of this kind.")
    parent: int | None = Field(None, description="Only the direct sub-units of this unit id.")
    district: District | None = Field(None, description="GB/T 2260 code or BDA.")
    status: UnitStatus | None = Field(None, description="Only units with this status.")
    q: str | None = Field(
        None, max_length=100, description="Text in the code, Chinese or English name, or host park."
    )
