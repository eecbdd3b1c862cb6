"""Pages of the monthly-report cycle: the list, a report (fill, correct, submit, review) and
completeness."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipps.core.errors import ServiceError
from ipps.enterprises.forms import add_service_errors
from ipps.network.choices import EDITOR_ROLES
from ipps.network.models import ServiceUnit
from ipps.network.scope import is_staff_user, reaches_unit
from ipps.reporting import exports, selectors, services
from ipps.reporting.forms import (
    AdjustmentForm,
    CommentForm,
    CompletenessForm,
    NarrativeForm,
    ReportFilterForm,
)
from ipps.reporting.models import MonthlyReport

PAGE_SIZE = 50
SUCCESS = {
    "submit": gettext_lazy("The report is submitted; its figures are frozen."),
    "approve": gettext_lazy("The report is approved."),
    "return": gettext_lazy("The report is returned to its unit."),
    "accept": gettext_lazy("The report is accepted."),
}


def _staff(request) -> None:
    if not is_staff_user(request.user) or getattr(request.user, "enterprise_id", None):
        raise Http404


def _get(request, pk: int) -> MonthlyReport:
    return get_object_or_404(
        MonthlyReport.objects.visible_to(request.user).select_related("unit", "unit__parent"), pk=pk
    )


@login_required
def report_list(request):
    _staff(request)
    form = ReportFilterForm(request.GET or None)
    try:
        unit = int(request.GET["unit"]) if request.GET.get("unit") else None
    except ValueError:
        raise Http404 from None
    rows = selectors.report_list(user=request.user, unit=unit, **form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    waiting = list(selectors.awaiting_action(user=request.user)[:20])
    return render(
        request,
        "reporting/list.html",
        {"form": form, "page": page, "today": today, "waiting": waiting},
    )


def _render_detail(request, report, *, bound=None, error=None, status=200):
    bound = bound or {}
    user = request.user
    view = selectors.report_view(report)
    can_edit = report.is_editable and reaches_unit(user, report.unit_id, EDITOR_ROLES)
    today = timezone.localdate()
    context = {
        "report": report,
        "view": view,
        "derived": [
            (key, str(label), view.derived[key]) for key, _n, _d, label in selectors.DERIVED
        ],
        "consolidated_derived": [
            (str(label), view.consolidated_derived[key]) for key, _n, _d, label in selectors.DERIVED
        ]
        if view.consolidated_derived
        else [],
        "expired": today > report.expires_on,
        "can_edit": can_edit and today <= report.expires_on,
        "can_submit": can_edit
        and today <= report.expires_on
        and today > selectors.month_period(report.month).end,
        "can_approve": report.status == "submitted" and services.can_approve(user, report),
        "can_return": report.status in ("submitted", "approved")
        and (services.can_approve(user, report) or services.can_accept(user, report)),
        "can_accept": (
            report.status == "approved"
            or (report.status == "submitted" and report.unit.parent_id is None)
        )
        and services.can_accept(user, report),
        "narrative_form": bound.get("narrative")
        or NarrativeForm(instance=report, initial={"version": report.version}),
        "adjustment_form": bound.get("adjust") or AdjustmentForm(),
        "comment_form": bound.get("comment") or CommentForm(),
        "events": list(report.events.select_related("actor").order_by("at", "id")),
        "error": error,
        "last_return": None,
        "missing_units": ServiceUnit.objects.filter(id__in=view.consolidation.missing).order_by(
            "code"
        )
        if view.consolidation
        else [],
    }
    returns = [e for e in context["events"] if e.action == "return"]
    context["last_return"] = returns[-1] if returns else None
    return render(request, "reporting/detail.html", context, status=status)


@login_required
def report_detail(request, pk: int):
    _staff(request)
    return _render_detail(request, _get(request, pk))


def _error_status(exc) -> int:
    return getattr(exc, "status", 400) if isinstance(exc, ServiceError) else 400


@login_required
@require_POST
def report_edit(request, pk: int):
    _staff(request)
    report = _get(request, pk)
    form = NarrativeForm(request.POST, instance=MonthlyReport.objects.get(pk=report.pk))
    if not form.is_valid():
        return _render_detail(request, report, bound={"narrative": form}, status=400)
    data = {k: form.cleaned_data[k] for k in NarrativeForm.Meta.fields}
    try:
        services.report_update(
            report=report,
            acting_user=request.user,
            data=data,
            version=form.cleaned_data["version"],
            http=request,
        )
    except (ServiceError, ValidationError) as exc:
        add_service_errors(form, exc)
        return _render_detail(
            request, _get(request, pk), bound={"narrative": form}, status=_error_status(exc)
        )
    messages.success(request, _("The report is saved."))
    return redirect("reporting:detail", pk=pk)


@login_required
@require_POST
def report_adjust(request, pk: int):
    _staff(request)
    report = _get(request, pk)
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, report, bound={"adjust": form}, status=400)
    try:
        services.report_adjust(
            report=report,
            acting_user=request.user,
            http=request,
            **form.cleaned_data,
        )
    except (ServiceError, ValidationError) as exc:
        add_service_errors(form, exc)
        return _render_detail(request, report, bound={"adjust": form}, status=_error_status(exc))
    messages.success(request, _("The correction is recorded."))
    return redirect("reporting:detail", pk=pk)


@login_required
@require_POST
def report_action(request, pk: int, action: str):
    _staff(request)
    if action not in SUCCESS:
        raise Http404
    report = _get(request, pk)
    form = CommentForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if action == "submit":
            services.report_submit(report=report, acting_user=request.user, http=request)
        else:
            call = {
                "approve": services.report_approve,
                "return": services.report_return,
                "accept": services.report_accept,
            }[action]
            call(report=report, acting_user=request.user, comment=comment, http=request)
    except ServiceError as exc:
        add_service_errors(form, exc)
        return _render_detail(
            request,
            _get(request, pk),
            bound={"comment": form},
            error=exc.message,
            status=_error_status(exc),
        )
    messages.success(request, str(SUCCESS[action]))
    return redirect("reporting:detail", pk=pk)


@login_required
def report_export(request, pk: int, fmt: str):
    _staff(request)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    content, content_type, filename = exports.export(_get(request, pk), fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def completeness(request):
    _staff(request)
    form = CompletenessForm(request.GET or None)
    today = timezone.localdate()
    start, end, level = today.replace(month=1, day=1), today.replace(day=1), None
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
        level = form.cleaned_data.get("level") or None
    figures = None
    if not form.is_bound or form.is_valid():
        figures = selectors.completeness(
            user=request.user,
            unit=request.GET.get("unit") or None,
            level=level,
            start=start,
            end=end,
        )
    return render(
        request,
        "reporting/completeness.html",
        {"form": form, "figures": figures, "start": start, "end": end},
    )
