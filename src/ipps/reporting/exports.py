"""A report as an official PDF (WeasyPrint, CJK font embedded) or as an .xlsx workbook."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ipps.reporting import selectors
from ipps.reporting.models import MonthlyReport

# Fonts tried in order for Chinese text; the first one installed is embedded in the PDF.
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC")


def _filename(report: MonthlyReport, ext: str) -> str:
    return f"report-{report.unit.code}-{report.month:%Y-%m}.{ext}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def context(report: MonthlyReport) -> dict:
    view = selectors.report_view(report)
    derived = [
        (str(label), _share(view.derived[key]) if key != "satisfaction" else _average(view, key))
        for key, _num, _den, label in selectors.DERIVED
    ]
    return {
        "report": report,
        "view": view,
        "derived": derived,
        "generated_at": timezone.localtime(),
        "fonts": ", ".join(f'"{f}"' for f in CJK_FONTS),
    }


def _average(view, key: str) -> str:
    value = view.derived[key]
    return "—" if value is None else f"{value:.2f}"


def pdf(report: MonthlyReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reporting/report_pdf.html", context(report))
    return HTML(string=html).write_pdf()


def xlsx(report: MonthlyReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    view = selectors.report_view(report)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")[:31]
    bold = Font(bold=True)
    sheet.append([_("Monthly work report"), str(report.unit), f"{report.month:%Y-%m}"])
    sheet.append([_("Status"), str(report.get_status_display())])
    sheet.append([])
    header = [_("Figure"), _("Ledger"), _("Corrections"), _("Reported"), _("Late rows")]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in view.rows:
        sheet.append([row.label, row.ledger, row.adjustment, row.reported, row.late])
    if view.consolidation:
        sheet.append([])
        sheet.append([_("Consolidated with the approved reports of the units below")])
        sheet[sheet.max_row][0].font = bold
        for key in selectors.FIGURE_LABELS:
            sheet.append([str(selectors.FIGURE_LABELS[key]), view.consolidation.values.get(key, 0)])
    sheet.append([])
    for label, text in (
        (_("Work done"), report.work_done),
        (_("Notable cases"), report.notable_cases),
        (_("Problems met"), report.problems),
        (_("Next month's plan"), report.next_plan),
    ):
        sheet.append([label, text])
        sheet[sheet.max_row][0].font = bold
    if view.adjustments:
        corrections = book.create_sheet(_("Corrections")[:31])
        corrections.append([_("Figure"), _("Amount"), _("Reason"), _("By"), _("At")])
        for a in view.adjustments:
            corrections.append(
                [
                    str(selectors.FIGURE_LABELS.get(a.figure, a.figure)),
                    a.amount,
                    a.reason,
                    a.created_by.get_username() if a.created_by_id else "",
                    timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M"),
                ]
            )
    sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(report: MonthlyReport, fmt: str) -> tuple[bytes, str, str]:
    if fmt == "pdf":
        return pdf(report), "application/pdf", _filename(report, "pdf")
    return (
        xlsx(report),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(report, "xlsx"),
    )
