"""Writes about enterprises, their priority listing and their IP assets. Each one scoped and audited."""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipps.core import ids
from ipps.core.audit import audit_created, audit_record, diff, snapshot
from ipps.core.choices import AuditAction
from ipps.core.errors import ConflictError, PermissionDeniedError, ServiceError
from ipps.enterprises import industry
from ipps.enterprises.choices import LegalStatus, PrioritySource
from ipps.enterprises.models import Enterprise, IPAsset, PriorityListing, normalize_asset_number
from ipps.network.choices import EDITOR_ROLES, UnitKind
from ipps.network.models import ServiceUnit
from ipps.network.scope import unit_ids_for

# What a person may set on an enterprise; the rest (timestamps, archival) belongs to the system.
ENTERPRISE_FIELDS = (
    "uscc",
    "name",
    "name_en",
    "district",
    "park",
    "workstation",
    "industry_section",
    "industry_division",
    "stage",
    "size",
    "designations",
    "founded_on",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
)
IP_ASSET_FIELDS = ("kind", "number", "title", "filing_date", "grant_date", "legal_status")


def _not_found() -> ServiceError:
    return ServiceError("not_found", _("Not found."), status=404)


def _require_change(*, enterprise: Enterprise, acting_user) -> None:
    """Unseen enterprises answer 404 as if they did not exist; seen but not editable ones 403."""
    if Enterprise.objects.restrict(acting_user, "change").filter(pk=enterprise.pk).exists():
        return
    if Enterprise.objects.visible_to(acting_user).filter(pk=enterprise.pk).exists():
        raise PermissionDeniedError(
            "permission_denied", _("You may view this enterprise but not change it.")
        )
    raise _not_found()


def _require_active(enterprise: Enterprise) -> None:
    if enterprise.archived_at is not None:
        raise ConflictError(
            "archived", _("This enterprise is archived; restore it before changing it.")
        )


def _resolve_unit(value: Any, *, acting_user) -> ServiceUnit:
    """The unit an enterprise is assigned to; it must lie in the acting user's editing subtree."""
    allowed = unit_ids_for(acting_user, EDITOR_ROLES)
    unit_id = getattr(value, "pk", value)
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        raise ValidationError({"workstation": _("Choose the responsible unit.")}) from None
    if allowed is not None and unit_id not in allowed:
        raise ServiceError(
            "workstation_not_found",
            _("There is no unit with this id that you may assign enterprises to."),
            field="workstation",
            status=404,
        )
    unit = (
        value if isinstance(value, ServiceUnit) else ServiceUnit.objects.filter(pk=unit_id).first()
    )
    if unit is None:
        raise ServiceError(
            "workstation_not_found",
            _("There is no unit with this id that you may assign enterprises to."),
            field="workstation",
            status=404,
        )
    if unit.kind not in (UnitKind.WORKSTATION, UnitKind.DISTRICT_CENTRE):
        raise ValidationError(
            {
                "workstation": _(
                    "An enterprise is served by a workstation or a district centre, not a %(kind)s."
                )
                % {"kind": unit.get_kind_display()}
            }
        )
    return unit


def _same_id(value: Any, current: int | None) -> bool:
    try:
        return int(getattr(value, "pk", value)) == current
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def _assign_enterprise(enterprise: Enterprise, values: dict[str, Any], *, acting_user) -> None:
    """Put cleaned-up values on the instance; model validation follows in full_clean()."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name == "workstation":
            enterprise.workstation = _resolve_unit(value, acting_user=acting_user)
        elif name == "designations":
            items = value or []
            if isinstance(items, str):
                items = [items]
            enterprise.designations = list(dict.fromkeys(_text(v) for v in items if _text(v)))
        elif name == "founded_on":
            enterprise.founded_on = value or None
        elif name == "uscc":
            try:
                enterprise.uscc = ids.normalize_uscc(value or "")
            except ValueError as exc:
                errors["uscc"] = str(exc)
        elif name in ("industry_section", "industry_division"):
            setattr(
                enterprise,
                name,
                _text(value).upper() if name == "industry_section" else _text(value),
            )
        elif name == "name":
            # Company names keep their full-width brackets (（）); only surrounding space goes.
            enterprise.name = str(value or "").strip()
        else:
            setattr(enterprise, name, _text(value))
    if not enterprise.district and enterprise.workstation_id and enterprise.workstation.district:
        enterprise.district = enterprise.workstation.district
    if "industry_division" in values and "industry_section" not in values:
        division = industry.DIVISIONS.get(enterprise.industry_division)
        if division is not None:
            enterprise.industry_section = division[0]
    if errors:
        raise ValidationError(errors)


def _check_uscc_unique(enterprise: Enterprise) -> None:
    taken = Enterprise.objects.filter(uscc=enterprise.uscc).exclude(pk=enterprise.pk).exists()
    if taken:
        raise ValidationError(
            {
                "uscc": _(
                    "An enterprise with the Unified Social Credit Code %(uscc)s is already registered."
                )
                % {"uscc": enterprise.uscc}
            }
        )


@transaction.atomic
def enterprise_create(
    *,
    uscc: str,
    name: str,
    workstation: ServiceUnit | int,
    district: str = "",
    name_en: str = "",
    park: str = "",
    industry_section: str = "",
    industry_division: str = "",
    stage: str = "",
    size: str = "",
    designations: list[str] | None = None,
    founded_on: datetime.date | None = None,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    acting_user,
    request=None,
) -> Enterprise:
    """Register an enterprise under a unit of the acting user's subtree."""
    if unit_ids_for(acting_user, EDITOR_ROLES) == frozenset():
        raise ServiceError(
            "permission_denied",
            _("You have no role that may register enterprises."),
            status=403,
        )
    enterprise = Enterprise(created_by=acting_user if acting_user.is_authenticated else None)
    values = {
        "uscc": uscc,
        "name": name,
        "name_en": name_en,
        "district": district,
        "park": park,
        "workstation": workstation,
        "industry_section": industry_section,
        "industry_division": industry_division,
        "stage": stage,
        "size": size,
        "designations": designations,
        "founded_on": founded_on,
        "address": address,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
    }
    _assign_enterprise(enterprise, values, acting_user=acting_user)
    _check_uscc_unique(enterprise)
    enterprise.full_clean()
    enterprise.save()
    audit_created(enterprise, actor=acting_user, request=request)
    return enterprise


@transaction.atomic
def enterprise_update(
    *, enterprise: Enterprise, changes: dict[str, Any], acting_user, request=None
) -> Enterprise:
    """Change some fields of an enterprise; only what really changed is saved and audited."""
    _require_change(enterprise=enterprise, acting_user=acting_user)
    _require_active(enterprise)
    unknown = sorted(set(changes) - set(ENTERPRISE_FIELDS))
    if unknown:
        raise ServiceError(
            "unknown_field",
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(unknown)},
            field=unknown[0],
            status=422,
        )
    before = snapshot(enterprise)
    values = dict(changes)
    if "workstation" in values and _same_id(values["workstation"], enterprise.workstation_id):
        values.pop("workstation")  # unchanged: no need to hold the editing right on it again
    _assign_enterprise(enterprise, values, acting_user=acting_user)
    if "uscc" in values:
        _check_uscc_unique(enterprise)
    enterprise.full_clean()
    after = snapshot(enterprise)
    delta = diff(before, after)
    if not delta["after"]:
        return enterprise
    changed = [Enterprise._meta.get_field(k).name for k in delta["after"]]
    enterprise.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action=AuditAction.UPDATE, actor=acting_user, obj=enterprise, changes=delta, request=request
    )
    return enterprise


@transaction.atomic
def enterprise_archive(
    *, enterprise: Enterprise, acting_user, reason: str = "", request=None
) -> Enterprise:
    """Archive (never delete) an enterprise: it leaves lists and exports but keeps its history."""
    _require_change(enterprise=enterprise, acting_user=acting_user)
    if enterprise.archived_at is not None:
        return enterprise
    enterprise.archived_at = timezone.now()
    enterprise.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        action=AuditAction.ARCHIVE,
        actor=acting_user,
        obj=enterprise,
        changes={
            "before": {"archived_at": None},
            "after": {"archived_at": enterprise.archived_at},
            "reason": reason,
        },
        request=request,
    )
    return enterprise


@transaction.atomic
def enterprise_restore(*, enterprise: Enterprise, acting_user, request=None) -> Enterprise:
    _require_change(enterprise=enterprise, acting_user=acting_user)
    if enterprise.archived_at is None:
        return enterprise
    before = enterprise.archived_at
    enterprise.archived_at = None
    enterprise.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        action=AuditAction.RESTORE,
        actor=acting_user,
        obj=enterprise,
        changes={"before": {"archived_at": before}, "after": {"archived_at": None}},
        request=request,
    )
    return enterprise


@transaction.atomic
def priority_listing_add(
    *,
    enterprise: Enterprise,
    year: int,
    reason: str = "",
    source: str = PrioritySource.MUNICIPAL,
    acting_user,
    request=None,
) -> PriorityListing:
    """Put an enterprise on the priority list of a year."""
    _require_change(enterprise=enterprise, acting_user=acting_user)
    _require_active(enterprise)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Enter a year such as 2026.")}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("The year must lie between 2000 and 2100.")})
    if PriorityListing.objects.filter(enterprise=enterprise, year=year).exists():
        raise ValidationError(
            {"year": _("This enterprise is already on that year's priority list.")}
        )
    listing = PriorityListing(
        enterprise=enterprise,
        year=year,
        reason=_text(reason),
        source=source or PrioritySource.MUNICIPAL,
        created_by=acting_user if acting_user.is_authenticated else None,
    )
    listing.full_clean()
    listing.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=acting_user,
        obj=listing,
        changes={"enterprise": enterprise.pk, "after": snapshot(listing)},
        request=request,
    )
    return listing


@transaction.atomic
def priority_listing_remove(*, listing: PriorityListing, acting_user, request=None) -> None:
    """Take an enterprise off a year's list; the audit row keeps what the listing said."""
    _require_change(enterprise=listing.enterprise, acting_user=acting_user)
    before = snapshot(listing)
    audit_record(
        action=AuditAction.DELETE,
        actor=acting_user,
        obj=listing,
        changes={"enterprise": listing.enterprise_id, "before": before},
        request=request,
    )
    listing.delete()


def _assign_asset(asset: IPAsset, values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name in ("filing_date", "grant_date"):
            setattr(asset, name, value or None)
        elif name == "title":
            asset.title = str(value or "").strip()
        else:
            setattr(asset, name, _text(value))
    if asset.number and asset.kind:
        try:
            asset.number = normalize_asset_number(asset.kind, asset.number)
        except ValueError as exc:
            errors["number"] = str(exc)
    if errors:
        raise ValidationError(errors)


def _check_asset_unique(asset: IPAsset) -> None:
    if not asset.number:
        return
    taken = IPAsset.objects.filter(kind=asset.kind, number=asset.number).exclude(pk=asset.pk)
    if taken.exists():
        raise ValidationError(
            {
                "number": _("An IP asset of this kind with the number %(n)s is already recorded.")
                % {"n": asset.number}
            }
        )


@transaction.atomic
def ip_asset_create(
    *,
    enterprise: Enterprise,
    kind: str,
    title: str,
    number: str = "",
    filing_date: datetime.date | None = None,
    grant_date: datetime.date | None = None,
    legal_status: str = LegalStatus.PENDING,
    acting_user,
    request=None,
) -> IPAsset:
    """Record a patent, trademark, copyright … of an enterprise; numbers are validated and normalised."""
    _require_change(enterprise=enterprise, acting_user=acting_user)
    _require_active(enterprise)
    asset = IPAsset(
        enterprise=enterprise, created_by=acting_user if acting_user.is_authenticated else None
    )
    _assign_asset(
        asset,
        {
            "kind": kind,
            "number": number,
            "title": title,
            "filing_date": filing_date,
            "grant_date": grant_date,
            "legal_status": legal_status or LegalStatus.PENDING,
        },
    )
    asset.full_clean(validate_constraints=False)
    _check_asset_unique(asset)
    asset.save()
    audit_created(asset, actor=acting_user, request=request)
    return asset


@transaction.atomic
def ip_asset_update(
    *, asset: IPAsset, changes: dict[str, Any], acting_user, request=None
) -> IPAsset:
    _require_change(enterprise=asset.enterprise, acting_user=acting_user)
    unknown = sorted(set(changes) - set(IP_ASSET_FIELDS))
    if unknown:
        raise ServiceError(
            "unknown_field",
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(unknown)},
            field=unknown[0],
            status=422,
        )
    before = snapshot(asset)
    _assign_asset(asset, changes)
    asset.full_clean(validate_constraints=False)
    after = snapshot(asset)
    delta = diff(before, after)
    if not delta["after"]:
        return asset
    _check_asset_unique(asset)
    asset.save(update_fields=[*delta["after"], "updated_at"])
    audit_record(
        action=AuditAction.UPDATE, actor=acting_user, obj=asset, changes=delta, request=request
    )
    return asset


@transaction.atomic
def ip_asset_archive(*, asset: IPAsset, acting_user, request=None) -> IPAsset:
    _require_change(enterprise=asset.enterprise, acting_user=acting_user)
    if asset.archived_at is not None:
        return asset
    asset.archived_at = timezone.now()
    asset.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        action=AuditAction.ARCHIVE,
        actor=acting_user,
        obj=asset,
        changes={"before": {"archived_at": None}, "after": {"archived_at": asset.archived_at}},
        request=request,
    )
    return asset


@transaction.atomic
def export_record(
    *, acting_user, what: str, fmt: str, filters: dict[str, Any], rows: int, request=None
):
    """An export leaves the system: who took which list, filtered how, how many rows."""
    return audit_record(
        action=AuditAction.EXPORT,
        actor=acting_user,
        object_type=what,
        object_repr=f"{what} ({fmt})",
        changes={"format": fmt, "filters": filters, "rows": rows},
        request=request,
    )
