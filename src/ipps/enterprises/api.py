from ninja import Router, Status
from ninja.pagination import paginate

from ipps.core.api import Error, Pagination
from ipps.enterprises import selectors, services
from ipps.enterprises.schemas import (
    ArchiveIn,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePatch,
    IPAssetIn,
    IPAssetOut,
    IPAssetPatch,
    PriorityListingIn,
    PriorityListingOut,
)

router = Router(tags=["enterprises"])

# --- import (owned by the import slice): define POST /enterprises/import here, ABOVE the
# enterprises slice, so that "import" is not taken for an {id} path parameter. ---

# Imports of this section stay here so the two slices can change independently.
from django.utils.translation import gettext as _  # noqa: E402
from ninja import File, Form, Schema  # noqa: E402
from ninja.files import UploadedFile  # noqa: E402

from ipps.core.errors import ServiceError  # noqa: E402
from ipps.enterprises.importing import import_upload  # noqa: E402


class ImportErrorOut(Schema):
    row: int | None = None
    column: str
    value: str
    code: str
    message: str


class ImportReportOut(Schema):
    """What an import did; `status` is "imported" or "refused" (then nothing was written)."""

    status: str
    partial: bool
    file_name: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    priority_listed: int
    error_count: int
    errors_truncated: bool
    ignored_columns: list[str]
    errors: list[ImportErrorOut]


_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}


@router.post(
    "/enterprises/import",
    response={
        200: ImportReportOut,
        400: Error,
        401: Error,
        403: Error,
        409: Error,
        413: Error,
        415: Error,
        422: ImportReportOut,
    },
    summary="Import enterprises from an .xlsx or .csv file",
)
def enterprises_import(
    request,
    file: UploadedFile | None = File(None),  # noqa: B008
    partial: str = Form(""),  # noqa: B008
):
    """Multipart upload: `file` (.xlsx or .csv, Chinese or English headers) and optionally
    `partial=true`. All-or-nothing by default: any bad row refuses the whole file (422, nothing
    written) with the errors by row and column; with `partial` the good rows are imported (200) and
    the bad ones reported. Existing enterprises (same USCC, in your editing scope) are updated.
    File-level problems answer 400 (no header, missing columns, empty, unreadable), 413 (too
    large) or 415 (not .xlsx/.csv). See docs/import.md."""
    flag = (partial or "").strip().lower()
    if flag not in _TRUE | _FALSE:
        raise ServiceError(
            "bad_request", _("partial must be true or false."), field="partial", status=400
        )
    if file is None:
        raise ServiceError(
            "file_required",
            _("Send the spreadsheet as the multipart field “file”."),
            field="file",
            status=400,
        )
    report = import_upload(
        upload=file, partial=flag in _TRUE, acting_user=request.auth, request=request
    )
    return Status(200 if report.status == "imported" else 422, report.as_dict())


# --- end import slice ---

# --- enterprises (owned by the enterprises slice) ---

ENTERPRISE_ERRORS = {401: Error, 404: Error, 422: Error}


@router.get(
    "/enterprises",
    response={200: list[EnterpriseOut], 401: Error, 422: Error},
    summary="List enterprises",
)
@paginate(Pagination)
def enterprises_list(
    request,
    unit: int | None = None,
    district: str | None = None,
    industry: str | None = None,
    priority_year: int | None = None,
    q: str | None = None,
    stage: str | None = None,
    size: str | None = None,
    include_archived: bool = False,
):
    """Enterprises you may see. `unit` takes a unit's whole subtree; `industry` a section letter
    (e.g. `I`) or a 2-digit division (e.g. `65`); `q` matches name, English name or USCC."""
    return selectors.enterprise_list(
        user=request.auth,
        unit=unit,
        district=district,
        industry=industry,
        priority_year=priority_year,
        q=q,
        stage=stage,
        size=size,
        include_archived=include_archived,
    )


@router.post(
    "/enterprises",
    response={201: EnterpriseOut, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="Register an enterprise",
)
def enterprises_create(request, payload: EnterpriseIn):
    enterprise = services.enterprise_create(
        **payload.model_dump(), acting_user=request.auth, request=request
    )
    return Status(201, selectors.enterprise_get(user=request.auth, pk=enterprise.pk))


@router.get(
    "/enterprises/{int:enterprise_id}",
    response={200: EnterpriseOut, **ENTERPRISE_ERRORS},
    summary="One enterprise",
)
def enterprises_detail(request, enterprise_id: int):
    return selectors.enterprise_get(user=request.auth, pk=enterprise_id)


@router.patch(
    "/enterprises/{int:enterprise_id}",
    response={200: EnterpriseOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Change some fields of an enterprise",
)
def enterprises_update(request, enterprise_id: int, payload: EnterprisePatch):
    enterprise = selectors.enterprise_get(user=request.auth, pk=enterprise_id)
    services.enterprise_update(
        enterprise=enterprise,
        changes=payload.model_dump(exclude_unset=True),
        acting_user=request.auth,
        request=request,
    )
    return selectors.enterprise_get(user=request.auth, pk=enterprise_id)


@router.post(
    "/enterprises/{int:enterprise_id}/archive",
    response={200: EnterpriseOut, 401: Error, 403: Error, 404: Error},
    summary="Archive an enterprise",
)
def enterprises_archive(request, enterprise_id: int, payload: ArchiveIn | None = None):
    enterprise = selectors.enterprise_get(user=request.auth, pk=enterprise_id)
    services.enterprise_archive(
        enterprise=enterprise,
        acting_user=request.auth,
        reason=payload.reason if payload else "",
        request=request,
    )
    return selectors.enterprise_get(user=request.auth, pk=enterprise_id)


@router.post(
    "/enterprises/{int:enterprise_id}/restore",
    response={200: EnterpriseOut, 401: Error, 403: Error, 404: Error},
    summary="Restore an archived enterprise",
)
def enterprises_restore(request, enterprise_id: int):
    enterprise = selectors.enterprise_get(user=request.auth, pk=enterprise_id)
    services.enterprise_restore(enterprise=enterprise, acting_user=request.auth, request=request)
    return selectors.enterprise_get(user=request.auth, pk=enterprise_id)


@router.get(
    "/enterprises/{int:enterprise_id}/ip-assets",
    response={200: list[IPAssetOut], **ENTERPRISE_ERRORS},
    summary="IP assets of an enterprise",
)
@paginate(Pagination)
def enterprise_ip_assets(
    request, enterprise_id: int, kind: str | None = None, include_archived: bool = False
):
    enterprise = selectors.enterprise_get(user=request.auth, pk=enterprise_id)
    return selectors.ip_asset_list(
        user=request.auth, enterprise=enterprise, kind=kind, include_archived=include_archived
    )


@router.post(
    "/enterprises/{int:enterprise_id}/ip-assets",
    response={201: IPAssetOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Record an IP asset of an enterprise",
)
def enterprise_ip_asset_create(request, enterprise_id: int, payload: IPAssetIn):
    """Patent numbers are validated (check character, type digit against `kind`) and stored as
    `CN<12 digits>.<check>`; a mismatch answers 422 on `number`."""
    enterprise = selectors.enterprise_get(user=request.auth, pk=enterprise_id)
    asset = services.ip_asset_create(
        enterprise=enterprise, **payload.model_dump(), acting_user=request.auth, request=request
    )
    return Status(201, selectors.ip_asset_get(user=request.auth, pk=asset.pk))


@router.get(
    "/ip-assets",
    response={200: list[IPAssetOut], 401: Error},
    summary="IP assets of the enterprises you may see",
)
@paginate(Pagination)
def ip_assets_list(
    request, enterprise: int | None = None, kind: str | None = None, include_archived: bool = False
):
    qs = selectors.ip_asset_list(user=request.auth, kind=kind, include_archived=include_archived)
    return qs.filter(enterprise_id=enterprise) if enterprise else qs


@router.get(
    "/ip-assets/{int:asset_id}",
    response={200: IPAssetOut, 401: Error, 404: Error},
    summary="One IP asset",
)
def ip_assets_detail(request, asset_id: int):
    return selectors.ip_asset_get(user=request.auth, pk=asset_id)


@router.patch(
    "/ip-assets/{int:asset_id}",
    response={200: IPAssetOut, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="Change some fields of an IP asset",
)
def ip_assets_update(request, asset_id: int, payload: IPAssetPatch):
    asset = selectors.ip_asset_get(user=request.auth, pk=asset_id)
    services.ip_asset_update(
        asset=asset,
        changes=payload.model_dump(exclude_unset=True),
        acting_user=request.auth,
        request=request,
    )
    return selectors.ip_asset_get(user=request.auth, pk=asset_id)


@router.post(
    "/ip-assets/{int:asset_id}/archive",
    response={200: IPAssetOut, 401: Error, 403: Error, 404: Error},
    summary="Archive an IP asset",
)
def ip_assets_archive(request, asset_id: int):
    asset = selectors.ip_asset_get(user=request.auth, pk=asset_id)
    services.ip_asset_archive(asset=asset, acting_user=request.auth, request=request)
    return selectors.ip_asset_get(user=request.auth, pk=asset_id)


@router.get(
    "/priority-list",
    response={200: list[PriorityListingOut], 401: Error},
    summary="The priority list of a year",
)
@paginate(Pagination)
def priority_list(request, year: int | None = None, unit: int | None = None, q: str | None = None):
    """Listings of `year` (default: this year) among the enterprises you may see."""
    return selectors.priority_list(user=request.auth, year=year, unit=unit, q=q)


@router.post(
    "/priority-list",
    response={201: PriorityListingOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Put an enterprise on a year's priority list",
)
def priority_list_add(request, payload: PriorityListingIn):
    enterprise = selectors.enterprise_get(user=request.auth, pk=payload.enterprise)
    listing = services.priority_listing_add(
        enterprise=enterprise,
        year=payload.year or selectors.this_year(),
        reason=payload.reason,
        source=payload.source or selectors.default_priority_source(request.auth),
        acting_user=request.auth,
        request=request,
    )
    return Status(201, selectors.priority_listing_get(user=request.auth, pk=listing.pk))


@router.delete(
    "/priority-list/{int:listing_id}",
    response={204: None, 401: Error, 403: Error, 404: Error},
    summary="Take an enterprise off a year's priority list",
)
def priority_list_remove(request, listing_id: int):
    listing = selectors.priority_listing_get(user=request.auth, pk=listing_id)
    services.priority_listing_remove(listing=listing, acting_user=request.auth, request=request)
    return Status(204, None)


# --- end enterprises slice ---
