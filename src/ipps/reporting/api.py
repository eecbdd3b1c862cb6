"""/reports: monthly reports, their workflow and completeness; figures from the ledger."""

import datetime as dt
from types import SimpleNamespace

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from ipps.core.api import Error, Pagination
from ipps.core.errors import ServiceError
from ipps.network.choices import UnitKind
from ipps.reporting import exports, selectors, services
from ipps.reporting.choices import ReportStatus
from ipps.reporting.models import MonthlyReport
from ipps.reporting.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    CommentIn,
    CompletenessOut,
    ReportOut,
    ReportPatchIn,
    ReportSummaryOut,
)

router = Router(tags=["reports"])
READ_ERRORS = {401: Error, 404: Error, 422: Error}
ACTION_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _month(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:7] + "-01")
    except ValueError:
        raise ServiceError(
            "bad_month", _("Give the month as YYYY-MM."), field=field, status=422
        ) from None


def _choice(value: str | None, choices, field: str) -> str | None:
    if value and value not in choices.values:
        raise ServiceError(
            "bad_choice",
            _("Unknown value %(value)s; use one of %(choices)s.")
            % {"value": value, "choices": ", ".join(choices.values)},
            field=field,
            status=422,
        )
    return value or None


def _get(request, report_id: int) -> MonthlyReport:
    return get_object_or_404(
        MonthlyReport.objects.visible_to(request.auth).select_related("unit"), pk=report_id
    )


SUMMARY_FIELDS = (
    "id",
    "unit_id",
    "month",
    "status",
    "due_on",
    "expires_on",
    "on_time",
    "first_submitted_at",
    "submitted_at",
    "approved_at",
    "accepted_at",
    "frozen_at",
    "version",
)


def _out(report: MonthlyReport) -> dict:
    view = selectors.report_view(report)
    data = {name: getattr(report, name) for name in SUMMARY_FIELDS}
    data.update(
        unit=report.unit,
        work_done=report.work_done,
        notable_cases=report.notable_cases,
        problems=report.problems,
        next_plan=report.next_plan,
        figures=[vars(r) for r in view.rows],
        derived=view.derived,
        consolidated=(
            {**view.consolidation.as_json(), "derived": view.consolidated_derived}
            if view.consolidation
            else None
        ),
        adjustments=view.adjustments,
        events=list(report.events.select_related("actor").order_by("at", "id")),
    )
    return SimpleNamespace(**data)


@router.get(
    "/reports",
    response={200: list[ReportSummaryOut], **READ_ERRORS},
    summary="Monthly reports",
)
@paginate(Pagination)
def reports_list(
    request,
    unit: int | None = None,
    month: str | None = Query(None, description="YYYY-MM"),  # noqa: B008
    status: str | None = None,
    level: str | None = Query(None, description="Unit kind"),  # noqa: B008
    overdue: bool | None = Query(None, description="Not yet submitted and past due"),  # noqa: B008
):
    """Reports of the units in your scope, newest month first. `unit` takes its whole subtree."""
    return selectors.report_list(
        user=request.auth,
        unit=unit,
        month=_month(month, "month"),
        status=_choice(status, ReportStatus, "status"),
        kind=_choice(level, UnitKind, "level"),
        overdue=overdue,
    )


@router.get(
    "/reports/completeness",
    response={200: CompletenessOut, **READ_ERRORS},
    summary="Completeness and timeliness of reporting",
    by_alias=True,
)
def reports_completeness(
    request,
    unit: int | None = None,
    level: str | None = Query(None, description="Unit kind"),  # noqa: B008
    date_from: str | None = Query(None, alias="from", description="YYYY-MM"),  # noqa: B008
    date_to: str | None = Query(None, alias="to", description="YYYY-MM"),  # noqa: B008
):
    """Expected, submitted and on-time reports (DHIS2's completeness and timeliness) for the
    unit's subtree (default: your topmost unit), per level, month and unit. A report is
    expected once its due day has come. Default period: this year so far."""
    today = timezone.localdate()
    start = _month(date_from, "from") or today.replace(month=1, day=1)
    end = _month(date_to, "to") or today.replace(day=1)
    if end < start:
        raise ServiceError(
            "bad_period", _("The end month is before the start month."), field="to", status=422
        )
    return selectors.completeness(
        user=request.auth,
        unit=unit,
        level=_choice(level, UnitKind, "level"),
        start=start,
        end=end,
    )


@router.get(
    "/reports/{int:report_id}", response={200: ReportOut, **READ_ERRORS}, summary="A report"
)
def reports_get(request, report_id: int):
    """The report with its figures (ledger, corrections, reported, late rows, plausibility
    flags), the consolidation of the children's approved reports, corrections and timeline."""
    return _out(_get(request, report_id))


@router.patch(
    "/reports/{int:report_id}", response={200: ReportOut, **ACTION_ERRORS}, summary="Edit a report"
)
def reports_patch(request, report_id: int, payload: ReportPatchIn):
    """Change the narrative of a draft or returned report before it expires."""
    report = _get(request, report_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    services.report_update(
        report=report,
        acting_user=request.auth,
        data={k: v for k, v in data.items() if v is not None},
        version=version,
        http=request,
    )
    return _out(_get(request, report_id))


@router.post(
    "/reports/{int:report_id}/adjustments",
    response={201: AdjustmentOut, **ACTION_ERRORS},
    summary="Correct a figure",
)
def reports_adjust(request, report_id: int, payload: AdjustmentIn):
    """Add a correction (with its reason) to one figure; the ledger figure stays beside it."""
    adjustment = services.report_adjust(
        report=_get(request, report_id),
        figure=payload.figure,
        amount=payload.amount,
        reason=payload.reason,
        acting_user=request.auth,
        http=request,
    )
    return Status(201, adjustment)


def _action(name: str, summary: str, doc: str):
    def handler(request, report_id: int, payload: CommentIn | None = None):
        report = _get(request, report_id)
        comment = payload.comment if payload else ""
        if name == "submit":
            services.report_submit(report=report, acting_user=request.auth, http=request)
        elif name == "return":
            services.report_return(
                report=report, acting_user=request.auth, comment=comment, http=request
            )
        elif name == "approve":
            services.report_approve(
                report=report, acting_user=request.auth, comment=comment, http=request
            )
        else:
            services.report_accept(
                report=report, acting_user=request.auth, comment=comment, http=request
            )
        return _out(_get(request, report_id))

    handler.__name__ = f"reports_{name}"
    handler.__doc__ = doc
    router.post(
        f"/reports/{{int:report_id}}/{name}",
        response={200: ReportOut, **ACTION_ERRORS},
        summary=summary,
        operation_id=f"reports_{name}",
    )(handler)


_action(
    "submit",
    "Submit a report",
    "Freeze the figures and send the report to the parent unit (from the 1st of the next "
    "month until it expires).",
)
_action(
    "return",
    "Return a report",
    "Send a submitted or approved report back to its unit with a comment (required).",
)
_action("approve", "Approve a report", "The parent unit's officers approve a submitted report.")
_action(
    "accept",
    "Accept a report",
    "The municipal centre accepts an approved report (or its own submitted report).",
)


@router.get(
    "/reports/{int:report_id}/export",
    response={200: None, **READ_ERRORS},
    summary="Export a report (PDF or xlsx)",
)
def reports_export(request, report_id: int, format: str = "pdf"):  # noqa: A002
    """`format=pdf` (official layout, CJK font embedded) or `format=xlsx`."""
    report = _get(request, report_id)
    if format not in ("pdf", "xlsx"):
        raise ServiceError(
            "bad_format", _("Use format=pdf or format=xlsx."), field="format", status=422
        )
    content, content_type, filename = exports.export(report, format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
