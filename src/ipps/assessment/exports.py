"""Funding plans and evaluations as .xlsx workbooks."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from ipps.assessment.allocation import localized_row
from ipps.assessment.models import FundingPlan
from ipps.assessment.services import plan_compute


def plan_rows(plan: FundingPlan) -> list[dict]:
    """A published plan's allocations; a draft's last simulation (or a fresh computation)."""
    if plan.status == "published":
        rows = [a.detail for a in plan.allocations.select_related("unit").order_by("-total")]
    else:
        rows = (plan.simulation or plan_compute(plan)).get("units", [])
    return [localized_row(row) for row in rows]


def plan_xlsx(plan: FundingPlan) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Funding")[:31]
    sheet.append([plan.name, plan.year, str(plan.get_status_display())])
    sheet.append([_("Budget (yuan)"), Decimal(plan.budget)])
    sheet.append([])
    sheet.append(
        [
            _("Unit code"), _("Unit"), _("Score"), _("Grade"), _("Base"), _("Performance"),
            _("Deduction"), _("Total (yuan)"), _("How it was reached"),
        ]
    )  # fmt: skip
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    total = Decimal(0)
    for row in plan_rows(plan):
        total += Decimal(row["total"])
        sheet.append(
            [
                row["unit_code"], row["unit_name"], Decimal(row["score"]), row["grade"],
                Decimal(row["base"]), Decimal(row["performance"]), Decimal(row["deduction"]),
                Decimal(row["total"]), " ".join(row.get("steps", []) + row.get("deduction_lines", [])),
            ]
        )  # fmt: skip
    sheet.append([_("Total"), "", "", "", "", "", "", total])
    for column in "EFGH":
        for cell in sheet[column][4:]:
            cell.number_format = "#,##0.00"
    sheet.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
