"""The import pages: upload a file, watch its progress, read and download its report."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ipps.enterprises.importing import (
    COLUMNS,
    ImportFileError,
    can_import,
    check_upload,
    import_job_create,
    report_csv,
    report_xlsx,
    template_xlsx,
)
from ipps.enterprises.models import ImportJob

ERRORS_SHOWN = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file (UTF-8 or GB18030)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )
    partial = forms.BooleanField(
        label=_("Import the good rows and skip the bad ones"),
        required=False,
        help_text=_("Without this, one bad row refuses the whole file and nothing is written."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(file_name=upload.name, size=upload.size)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return upload


def _editor_or_404(user) -> None:
    if not can_import(user):
        raise Http404


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)


@login_required
def import_start(request):
    _editor_or_404(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            upload=form.cleaned_data["file"],
            partial=form.cleaned_data["partial"],
            acting_user=request.user,
            language=get_language(),
        )
        return redirect("enterprises:import_job", pk=job.pk)
    jobs = ImportJob.objects.visible_to(request.user).select_related("created_by")[:10]
    return render(
        request,
        "enterprises/import.html",
        {
            "form": form,
            "jobs": jobs,
            "columns": COLUMNS,
            "max_mb": settings.IPPS_IMPORT_MAX_BYTES // (1024 * 1024),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def import_template(request):
    _editor_or_404(request.user)
    response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="enterprise-import-template.xlsx"'
    return response


def _result_context(job: ImportJob) -> dict:
    errors = job.report.get("errors", []) if job.is_finished else []
    return {
        "job": job,
        "report": job.report,
        "errors": errors[:ERRORS_SHOWN],
        "errors_shown": min(len(errors), ERRORS_SHOWN),
        "error_count": job.report.get("error_count", len(errors)),
        "errors_in_report": len(errors),
    }


@login_required
@require_GET
def import_job_detail(request, pk: int):
    job = _job(request, pk)
    return render(request, "enterprises/import_job.html", _result_context(job))


@login_required
@require_GET
def import_job_progress(request, pk: int):
    """The progress fragment the job page polls with htmx; once finished, the result."""
    job = _job(request, pk)
    return render(request, "enterprises/import_progress.html", _result_context(job))


@login_required
@require_GET
def import_job_report(request, pk: int, fmt: str):
    job = _job(request, pk)
    if fmt not in ("xlsx", "csv") or not job.is_finished:
        raise Http404
    if fmt == "csv":
        response = HttpResponse(report_csv(job.report), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(report_xlsx(job.report), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.{fmt}"'
    return response
