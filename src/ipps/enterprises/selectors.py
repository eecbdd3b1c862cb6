"""Reads about enterprises: scoped lists and lookups, the priority list, who sees contact details."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from ipps.core.errors import ServiceError
from ipps.core.ids import mask_phone
from ipps.enterprises import industry as industry_codes
from ipps.enterprises.choices import PrioritySource
from ipps.enterprises.models import Enterprise, IPAsset, PriorityListing
from ipps.network.choices import CONTACT_ROLES, EDITOR_ROLES, UnitKind
from ipps.network.scope import _subtree_ids, reaches_unit, unit_ids_for


def this_year() -> int:
    return timezone.localdate().year


def _unit_id(unit: Any) -> int | None:
    if unit is None or unit == "":
        return None
    return int(getattr(unit, "pk", unit))


def parse_industry_filter(value: str | None) -> tuple[str, str]:
    """('I', '') for a section letter, ('I', '65') for a division; ServiceError otherwise."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
    if not text:
        return "", ""
    if text in industry_codes.SECTIONS:
        return text, ""
    if re.fullmatch(r"\d{1,2}", text):
        code = text.zfill(2)
        if code in industry_codes.DIVISIONS:
            return industry_codes.DIVISIONS[code][0], code
    raise ServiceError(
        "invalid_industry",
        _("Industry must be a GB/T 4754-2017 section letter (A–T) or a 2-digit division code."),
        field="industry",
        status=422,
    )


def normalize_query(q: str | None) -> str:
    """What people type into a search box, full-width characters folded to half-width."""
    return unicodedata.normalize("NFKC", str(q or "")).strip()


def with_priority(qs: QuerySet, year: int | None = None) -> QuerySet:
    """Annotate `is_priority`: on the priority list of `year` (default this year), in the same query."""
    year = year or this_year()
    listed = PriorityListing.objects.filter(enterprise=OuterRef("pk"), year=year)
    return qs.annotate(is_priority=Exists(listed))


def enterprise_list(
    *,
    user,
    unit: Any = None,
    district: str | None = None,
    industry: str | None = None,
    priority_year: int | None = None,
    q: str | None = None,
    stage: str | None = None,
    size: str | None = None,
    include_archived: bool = False,
) -> QuerySet[Enterprise]:
    """The enterprises `user` may see, filtered; each row knows whether it is a priority this year."""
    qs = Enterprise.objects.visible_to(user).select_related("workstation")
    if not include_archived:
        qs = qs.active()
    unit_id = _unit_id(unit)
    if unit_id is not None:
        qs = qs.filter(workstation_id__in=_subtree_ids([unit_id]))
    if district:
        qs = qs.filter(district=district)
    if industry:
        section, division = parse_industry_filter(industry)
        qs = (
            qs.filter(industry_division=division)
            if division
            else qs.filter(industry_section=section)
        )
    if priority_year:
        qs = qs.filter(priority_listings__year=int(priority_year))
    if stage:
        qs = qs.filter(stage=stage)
    if size:
        qs = qs.filter(size=size)
    text = normalize_query(q)
    if text:
        folded = re.sub(r"[\s\-]", "", text).upper()
        match = Q(name__icontains=text) | Q(name_en__icontains=text)
        if folded:
            match |= Q(uscc__icontains=folded)
        qs = qs.filter(match)
    return with_priority(qs)


def enterprise_get(*, user, pk: int) -> Enterprise:
    """One enterprise `user` may see (archived ones included), or 404."""
    return get_object_or_404(enterprise_list(user=user, include_archived=True), pk=pk)


def enterprise_get_for_change(*, user, pk: int) -> Enterprise:
    """One enterprise `user` may change, or 404."""
    qs = with_priority(Enterprise.objects.restrict(user, "change").select_related("workstation"))
    return get_object_or_404(qs, pk=pk)


def can_change(user, enterprise: Enterprise) -> bool:
    return reaches_unit(user, enterprise.workstation_id, EDITOR_ROLES)


def can_create(user) -> bool:
    ids = unit_ids_for(user, EDITOR_ROLES)
    return ids is None or bool(ids)


def editable_units(user) -> QuerySet:
    """Units for which `user` may create or move enterprises: workstations and district centres."""
    from ipps.network.models import ServiceUnit

    qs = ServiceUnit.objects.filter(kind__in=[UnitKind.WORKSTATION, UnitKind.DISTRICT_CENTRE])
    ids = unit_ids_for(user, EDITOR_ROLES)
    return qs if ids is None else qs.filter(pk__in=ids)


def can_see_contacts(user, enterprise: Enterprise) -> bool:
    """Superusers, contact roles reaching the enterprise's unit, and the enterprise's own portal users."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if getattr(user, "enterprise_id", None) and user.enterprise_id == enterprise.pk:
        return True
    return reaches_unit(user, enterprise.workstation_id, CONTACT_ROLES)


def mask_email(value: str) -> str:
    """z***@example.org: the domain stays, the mailbox does not."""
    if not value or "@" not in value:
        return value or ""
    local, _sep, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def contact_phone_for(user, enterprise: Enterprise) -> str:
    phone = enterprise.contact_phone or ""
    return phone if can_see_contacts(user, enterprise) else mask_phone(phone)


def contact_email_for(user, enterprise: Enterprise) -> str:
    email = enterprise.contact_email or ""
    return email if can_see_contacts(user, enterprise) else mask_email(email)


def can_see_confidential(user, enterprise: Enterprise) -> bool:
    """Trade secrets: the enterprise itself and staff of its own unit see contents; higher levels see counts."""
    if user is None or not user.is_authenticated:
        return False
    if getattr(user, "enterprise_id", None) and user.enterprise_id == enterprise.pk:
        return True
    cache = user.__dict__.setdefault("_ipps_direct_units", None)
    if cache is None:
        from ipps.network.models import Membership

        cache = frozenset(Membership.objects.filter(user=user).values_list("unit_id", flat=True))
        user.__dict__["_ipps_direct_units"] = cache
    return enterprise.workstation_id in cache


def ip_asset_list(
    *,
    user,
    enterprise: Enterprise | None = None,
    kind: str | None = None,
    include_archived: bool = False,
) -> QuerySet[IPAsset]:
    qs = IPAsset.objects.visible_to(user).select_related("enterprise")
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    if kind:
        qs = qs.filter(kind=kind)
    if not include_archived:
        qs = qs.active()
    return qs


def ip_asset_get(*, user, pk: int) -> IPAsset:
    return get_object_or_404(ip_asset_list(user=user, include_archived=True), pk=pk)


def priority_list(
    *, user, year: int | None = None, unit: Any = None, q: str | None = None
) -> QuerySet[PriorityListing]:
    """The priority listings of `year` among the enterprises `user` may see."""
    year = int(year or this_year())
    qs = (
        PriorityListing.objects.visible_to(user)
        .filter(year=year)
        .select_related("enterprise", "enterprise__workstation")
        .order_by("enterprise__name", "enterprise_id")
    )
    unit_id = _unit_id(unit)
    if unit_id is not None:
        qs = qs.filter(enterprise__workstation_id__in=_subtree_ids([unit_id]))
    text = normalize_query(q)
    if text:
        folded = re.sub(r"[\s\-]", "", text).upper()
        qs = qs.filter(
            Q(enterprise__name__icontains=text)
            | Q(enterprise__name_en__icontains=text)
            | Q(enterprise__uscc__icontains=folded or text)
        )
    return qs


def priority_years(*, user) -> list[int]:
    """The years that have a priority list the user can see, plus this year, newest first."""
    listings = PriorityListing.objects.visible_to(user).order_by()
    years = set(listings.values_list("year", flat=True).distinct())
    years.add(this_year())
    return sorted(years, reverse=True)


def enterprise_listings(*, enterprise: Enterprise) -> QuerySet[PriorityListing]:
    return enterprise.priority_listings.order_by("-year")


def default_priority_source(user) -> str:
    """Who is nominating: the municipal list, a district's list, or a workstation's nomination."""
    from ipps.network.models import Membership

    if user.is_superuser:
        return PrioritySource.MUNICIPAL
    kinds = set(
        Membership.objects.filter(user=user, role__in=EDITOR_ROLES).values_list(
            "unit__kind", flat=True
        )
    )
    if UnitKind.MUNICIPAL_CENTRE in kinds:
        return PrioritySource.MUNICIPAL
    if UnitKind.DISTRICT_CENTRE in kinds:
        return PrioritySource.DISTRICT
    return PrioritySource.WORKSTATION


def enterprise_history(*, enterprise: Enterprise, limit: int = 20):
    """The latest audit rows about this enterprise and its IP assets and listings."""
    from ipps.core.models import AuditEvent

    asset_ids = [str(pk) for pk in enterprise.ip_assets.values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(object_type="enterprises.enterprise", object_id=str(enterprise.pk))
        | Q(object_type="enterprises.ipasset", object_id__in=asset_ids)
        | Q(object_type="enterprises.prioritylisting", changes__enterprise=enterprise.pk)
    ).order_by("-id")[:limit]


def priority_listing_get(*, user, pk: int) -> PriorityListing:
    qs = PriorityListing.objects.visible_to(user).select_related(
        "enterprise", "enterprise__workstation"
    )
    return get_object_or_404(qs, pk=pk)
