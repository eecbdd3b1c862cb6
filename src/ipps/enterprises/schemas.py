"""API shapes of enterprises, IP assets and the priority list; field names follow the models."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from ipps.enterprises import selectors
from ipps.enterprises.choices import IPKind


def _user(context) -> object | None:
    request = (context or {}).get("request")
    if request is None:
        return None
    return getattr(request, "auth", None) or getattr(request, "user", None)


class EnterpriseOut(Schema):
    id: int
    uscc: str = Field(description="Unified Social Credit Code, 18 characters.")
    name: str
    name_en: str
    district: str = Field(description="GB/T 2260 code of the Beijing district, or BDA.")
    park: str
    workstation: int = Field(
        description="Id of the responsible unit (workstation or district centre)."
    )
    workstation_code: str
    industry_section: str = Field(description="GB/T 4754-2017 section letter, A–T.")
    industry_division: str = Field(description="GB/T 4754-2017 two-digit division.")
    industry: str = Field(
        description="Label of the division (or section) in the caller's language."
    )
    stage: str
    size: str
    designations: list[str]
    founded_on: datetime.date | None
    address: str
    contact_name: str
    contact_phone: str = Field(
        description="Masked (138****5678) unless the caller may see contacts."
    )
    contact_email: str = Field(
        description="Masked (z***@example.org) unless the caller may see contacts."
    )
    is_priority: bool = Field(description="On this year's priority list.")
    archived_at: datetime.datetime | None

    @staticmethod
    def resolve_workstation(obj) -> int:
        return obj.workstation_id

    @staticmethod
    def resolve_workstation_code(obj) -> str:
        return obj.workstation.code

    @staticmethod
    def resolve_industry(obj) -> str:
        return obj.industry_label

    @staticmethod
    def resolve_is_priority(obj) -> bool:
        value = getattr(obj, "is_priority", None)
        if value is None:
            value = obj.priority_listings.filter(year=selectors.this_year()).exists()
        return bool(value)

    @staticmethod
    def resolve_contact_phone(obj, context) -> str:
        return selectors.contact_phone_for(_user(context), obj)

    @staticmethod
    def resolve_contact_email(obj, context) -> str:
        return selectors.contact_email_for(_user(context), obj)


class EnterpriseIn(Schema):
    uscc: str = Field(examples=["91110000600037341L"])
    name: str = Field(examples=["北京中关村数智科技有限公司"])
    workstation: int = Field(description="Id of a unit in your editing subtree.")
    district: str = Field("", description="Defaults to the district of the unit.")
    name_en: str = ""
    park: str = ""
    industry_section: str = ""
    industry_division: str = ""
    stage: str = ""
    size: str = ""
    designations: list[str] = []
    founded_on: datetime.date | None = None
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


class EnterprisePatch(Schema):
    """Send only the fields to change."""

    uscc: str | None = None
    name: str | None = None
    workstation: int | None = None
    district: str | None = None
    name_en: str | None = None
    park: str | None = None
    industry_section: str | None = None
    industry_division: str | None = None
    stage: str | None = None
    size: str | None = None
    designations: list[str] | None = None
    founded_on: datetime.date | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


class ArchiveIn(Schema):
    reason: str = ""


def _withheld(obj, context) -> bool:
    return obj.kind == IPKind.TRADE_SECRET and not selectors.can_see_confidential(
        _user(context), obj.enterprise
    )


class IPAssetOut(Schema):
    id: int
    enterprise: int
    kind: str
    number: str
    title: str
    filing_date: datetime.date | None
    grant_date: datetime.date | None
    legal_status: str
    confidential: bool = Field(
        description="True when contents are withheld (trade secrets seen from a higher level)."
    )
    archived_at: datetime.datetime | None

    @staticmethod
    def resolve_enterprise(obj) -> int:
        return obj.enterprise_id

    @staticmethod
    def resolve_confidential(obj, context) -> bool:
        return _withheld(obj, context)

    @staticmethod
    def resolve_title(obj, context) -> str:
        return "" if _withheld(obj, context) else obj.title

    @staticmethod
    def resolve_number(obj, context) -> str:
        return "" if _withheld(obj, context) else obj.number


class IPAssetIn(Schema):
    kind: str = Field(examples=["invention_patent"])
    title: str
    number: str = Field("", examples=["CN200710308494.X"])
    filing_date: datetime.date | None = None
    grant_date: datetime.date | None = None
    legal_status: str = "pending"


class IPAssetPatch(Schema):
    kind: str | None = None
    title: str | None = None
    number: str | None = None
    filing_date: datetime.date | None = None
    grant_date: datetime.date | None = None
    legal_status: str | None = None


class PriorityListingOut(Schema):
    id: int
    year: int
    enterprise: int
    uscc: str
    name: str
    workstation: int
    workstation_code: str
    reason: str
    source: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_enterprise(obj) -> int:
        return obj.enterprise_id

    @staticmethod
    def resolve_uscc(obj) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_workstation(obj) -> int:
        return obj.enterprise.workstation_id

    @staticmethod
    def resolve_workstation_code(obj) -> str:
        return obj.enterprise.workstation.code


class PriorityListingIn(Schema):
    enterprise: int
    year: int | None = Field(None, description="Defaults to this year.")
    reason: str = ""
    source: str | None = Field(None, description="Defaults by the caller's level.")
