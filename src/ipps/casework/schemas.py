"""API shapes of service requests, their timeline, attachments and actions.

What a caller may read depends on who they are: confidential content is replaced by null/"" with
`content_hidden: true` for viewers who may only know that the request exists and its status, and
the requester's phone and email are masked for roles that do not handle contacts.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from ipps.casework import selectors
from ipps.casework.choices import Category, Priority
from ipps.core.choices import ChainStage, Channel, IPType
from ipps.core.ids import mask_phone
from ipps.enterprises.selectors import mask_email

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _user(context) -> object | None:
    request = (context or {}).get("request")
    if request is None:
        return None
    return getattr(request, "auth", None) or getattr(request, "user", None)


def _visible(obj, context) -> bool:
    """Whether the caller may read the request's content (cached on the object for the response)."""
    cached = obj.__dict__.get("_api_content_visible")
    if cached is None:
        cached = selectors.can_see_content(_user(context), obj)
        obj.__dict__["_api_content_visible"] = cached
    return cached


class RequestUnitRef(Schema):
    id: int
    code: str
    name: str


class UserRef(Schema):
    id: int
    username: str
    full_name: str


class EnterpriseRef(Schema):
    id: int
    name: str


class RequestOut(Schema):
    id: int
    reference: str = Field(description="Human-readable reference, e.g. SR-2026-000123.")
    status: str
    enterprise: EnterpriseRef | None
    requester_name: str | None = Field(description="Null when the content is hidden.")
    requester_phone: str | None = Field(
        description="Masked (138****5678) unless the caller handles contacts; null when hidden."
    )
    requester_email: str | None = Field(description="Masked unless the caller handles contacts.")
    requester_organisation: str | None
    handling_unit: RequestUnitRef
    originating_unit: RequestUnitRef
    channel: str
    ip_type: str
    chain_stage: str
    category: str
    subject: str | None = Field(description="Null when the content is hidden.")
    description: str | None = Field(description="Null when the content is hidden.")
    priority: str
    confidential: bool
    content_hidden: bool = Field(
        description="True when the request is confidential and the caller may see only that it "
        "exists and its status."
    )
    assignee: UserRef | None
    received_at: datetime.datetime
    first_response_due: datetime.datetime | None
    first_responded_at: datetime.datetime | None
    resolution_due: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    breached: bool = Field(description="First response or resolution missed its due time.")
    breached_response: bool
    breached_resolution: bool
    paused_at: datetime.datetime | None = Field(
        description="Set while waiting on the enterprise: the clock is paused."
    )
    calendar_fallback: bool = Field(
        description="Due times were counted on weekends only: the calendar had no data and the "
        "handling unit allows the weekends-only calendar."
    )
    calendar_missing: bool = Field(
        description="No due times (first_response_due and resolution_due are null): the working "
        "calendar has no data for calendar_missing_year and the handling unit does not allow the "
        "weekends-only calendar. They are computed once the year is imported or the unit allows it."
    )
    calendar_missing_year: int | None = Field(
        description="The year the working calendar lacks, while calendar_missing is true."
    )
    rating: int | None
    rating_comment: str | None
    allowed_actions: list[str] = Field(
        description="Actions the caller may take now, e.g. ['acknowledge', 'comment', 'resolve']."
    )
    archived_at: datetime.datetime | None

    @staticmethod
    def resolve_content_hidden(obj, context) -> bool:
        return not _visible(obj, context)

    @staticmethod
    def resolve_subject(obj, context) -> str | None:
        return obj.subject if _visible(obj, context) else None

    @staticmethod
    def resolve_description(obj, context) -> str | None:
        return obj.description if _visible(obj, context) else None

    @staticmethod
    def resolve_requester_name(obj, context) -> str | None:
        return obj.requester_name if _visible(obj, context) else None

    @staticmethod
    def resolve_requester_organisation(obj, context) -> str | None:
        return obj.requester_organisation if _visible(obj, context) else None

    @staticmethod
    def resolve_requester_phone(obj, context) -> str | None:
        if not _visible(obj, context):
            return None
        if selectors.can_see_contacts(_user(context), obj):
            return obj.requester_phone
        return mask_phone(obj.requester_phone)

    @staticmethod
    def resolve_requester_email(obj, context) -> str | None:
        if not _visible(obj, context):
            return None
        if selectors.can_see_contacts(_user(context), obj):
            return obj.requester_email
        return mask_email(obj.requester_email)

    @staticmethod
    def resolve_rating_comment(obj, context) -> str | None:
        return obj.rating_comment if _visible(obj, context) else None

    @staticmethod
    def resolve_breached(obj) -> bool:
        return obj.breached

    @staticmethod
    def resolve_allowed_actions(obj, context) -> list[str]:
        return selectors.allowed_actions(_user(context), obj)


class RequestEventOut(Schema):
    id: int
    at: datetime.datetime
    kind: str
    visibility: str = Field(description="internal or enterprise (visible to the enterprise).")
    actor: UserRef | None
    from_status: str
    to_status: str
    from_unit: RequestUnitRef | None
    to_unit: RequestUnitRef | None
    body: str = Field(description="Empty when the request's content is hidden from the caller.")
    data: dict

    @staticmethod
    def resolve_body(obj, context) -> str:
        return obj.body if _visible(obj.request, context) else ""

    @staticmethod
    def resolve_data(obj, context) -> dict:
        if _visible(obj.request, context):
            return obj.data
        # Keep the shape of the step (which action, automatic or not), never names or reasons.
        return {k: v for k, v in (obj.data or {}).items() if k in ("action", "auto", "breach")}


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    visibility: str
    uploaded_by: UserRef | None
    uploaded_at: datetime.datetime
    download_url: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name

    @staticmethod
    def resolve_download_url(obj) -> str:
        return f"/api/v1/requests/{obj.request_id}/attachments/{obj.pk}"


class RequestIn(Schema):
    """A new request. Portal users file for their own enterprise (`enterprise`, `unit` and
    `district` are ignored); staff give `enterprise` (id) or the requester's details plus `unit`
    (id) or `district` (GB/T 2260 code) for the unit that should answer."""

    subject: ShortText
    description: Text
    ip_type: IPType
    chain_stage: ChainStage
    category: Category
    channel: Channel = Field(Channel.API, description="How the request came in; default api.")
    priority: Priority = Priority.NORMAL
    confidential: bool = Field(False, description="Trade-secret requests are always confidential.")
    enterprise: int | None = None
    requester_name: str = Field("", max_length=100)
    requester_phone: str = Field("", max_length=40)
    requester_email: str = Field("", max_length=254)
    requester_organisation: str = Field("", max_length=200)
    unit: int | None = None
    district: str = Field("", max_length=8)
    received_at: datetime.datetime | None = Field(
        None, description="When a phone call or visit took place; default now."
    )
    auto_assign: bool = Field(True, description="Assign to the least-loaded liaison of the unit.")


class MessageIn(Schema):
    message: str = ""


class RequestCommentIn(Schema):
    body: Text
    internal: bool = Field(False, description="Staff only: hidden from the enterprise.")


class AssignIn(Schema):
    assignee: int | None = Field(None, description="User id; omit with auto=true.")
    auto: bool = Field(False, description="Assign to the least-loaded liaison of the unit.")


class EscalateIn(Schema):
    to_unit: int | None = Field(None, description="A unit above the handling unit; default parent.")
    reason: Text


class WaitIn(Schema):
    message: Text


class ResolveIn(Schema):
    answer: Text
    articles: list[int] = Field(default_factory=list, description="Knowledge-base article ids.")


class ReasonIn(Schema):
    reason: Text


class RateIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = ""


class ReferIn(Schema):
    expert: int | None = Field(None, description="Expert id (one of expert or partner).")
    partner: int | None = Field(None, description="Partner unit id.")
    reason: Text
