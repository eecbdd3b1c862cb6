"""Exports of enterprise lists to .xlsx and .csv: exactly the rows shown, in the user's language.

Column headers are given in both languages here (as industry.py does for GB/T 4754) so that an
exported file always has proper Chinese headers, whatever the state of the translation catalogue,
and can be read back by the importer.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ipps.enterprises import selectors
from ipps.enterprises.models import Enterprise, PriorityListing
from ipps.network.choices import DISTRICT_NAMES_ZH

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
# Cells that a spreadsheet would run as a formula (CSV/formula injection) get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_zh() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    zh: str
    value: Callable[[Any, Any], Any]
    width: int = 16

    def header(self) -> str:
        return self.zh if is_zh() else self.en


def _district(code: str) -> str:
    if not code:
        return ""
    if is_zh():
        return DISTRICT_NAMES_ZH.get(code, code)
    from ipps.network.choices import District

    return str(dict(District.choices).get(code, code))


def _yes_no(value: bool) -> str:
    if is_zh():
        return "是" if value else "否"
    return "yes" if value else "no"


def _unit_name(unit) -> str:
    if unit is None:
        return ""
    if is_zh():
        return unit.name_zh
    return unit.name_en or unit.name_zh


ENTERPRISE_COLUMNS: tuple[Column, ...] = (
    Column("uscc", "Unified Social Credit Code", "统一社会信用代码", lambda e, u: e.uscc, 22),
    Column("name", "Name", "企业名称", lambda e, u: e.name, 36),
    Column("name_en", "English name", "英文名称", lambda e, u: e.name_en, 30),
    Column("district", "District", "所在区", lambda e, u: _district(e.district)),
    Column("park", "Park", "所在园区", lambda e, u: e.park, 24),
    Column("workstation_code", "Unit code", "服务单位编码", lambda e, u: e.workstation.code),
    Column(
        "workstation", "Responsible unit", "服务单位", lambda e, u: _unit_name(e.workstation), 30
    ),
    Column("industry_section", "Industry section", "行业门类", lambda e, u: e.industry_section, 10),
    Column(
        "industry_division", "Industry division", "行业大类", lambda e, u: e.industry_division, 10
    ),
    Column("industry", "Industry", "所属行业", lambda e, u: e.industry_label, 30),
    Column(
        "stage", "Stage", "发展阶段", lambda e, u: str(e.get_stage_display()) if e.stage else "", 10
    ),
    Column(
        "size", "Size", "企业规模", lambda e, u: str(e.get_size_display()) if e.size else "", 10
    ),
    Column(
        "designations",
        "Designations",
        "资质认定",
        lambda e, u: "; ".join(e.designation_labels()),
        30,
    ),
    Column("founded_on", "Founding date", "成立日期", lambda e, u: e.founded_on, 12),
    Column("address", "Address", "地址", lambda e, u: e.address, 30),
    Column("contact_name", "Contact person", "联系人", lambda e, u: e.contact_name, 12),
    Column(
        "contact_phone", "Contact phone", "联系电话", lambda e, u: selectors.contact_phone_for(u, e)
    ),
    Column(
        "contact_email",
        "Contact email",
        "联系邮箱",
        lambda e, u: selectors.contact_email_for(u, e),
        24,
    ),
    Column(
        "is_priority",
        "Priority this year",
        "本年度重点企业",
        lambda e, u: _yes_no(getattr(e, "is_priority", False)),
        10,
    ),
)

PRIORITY_COLUMNS: tuple[Column, ...] = (
    Column("year", "Year", "年度", lambda p, u: p.year, 8),
    Column(
        "uscc", "Unified Social Credit Code", "统一社会信用代码", lambda p, u: p.enterprise.uscc, 22
    ),
    Column("name", "Name", "企业名称", lambda p, u: p.enterprise.name, 36),
    Column("district", "District", "所在区", lambda p, u: _district(p.enterprise.district)),
    Column(
        "workstation_code", "Unit code", "服务单位编码", lambda p, u: p.enterprise.workstation.code
    ),
    Column(
        "workstation",
        "Responsible unit",
        "服务单位",
        lambda p, u: _unit_name(p.enterprise.workstation),
        30,
    ),
    Column("industry", "Industry", "所属行业", lambda p, u: p.enterprise.industry_label, 30),
    Column("reason", "Reason", "列入理由", lambda p, u: p.reason, 30),
    Column("source", "Source", "来源", lambda p, u: str(p.get_source_display()), 14),
    Column("listed_on", "Listed on", "列入日期", lambda p, u: timezone.localdate(p.created_at), 12),
)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def rows(queryset: QuerySet, columns: Iterable[Column], user) -> Iterator[list[Any]]:
    """One list of cell values per record, reading the queryset in chunks."""
    columns = tuple(columns)
    for obj in queryset.iterator(chunk_size=2000):
        yield [_cell(col.value(obj, user)) for col in columns]


def headers(columns: Iterable[Column]) -> list[str]:
    return [col.header() for col in columns]


class _Echo:
    """A file-like object whose write() returns what it was given, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    *, filename: str, columns: tuple[Column, ...], queryset: QuerySet, user
) -> StreamingHttpResponse:
    """A streamed CSV with a UTF-8 BOM, so that Excel opens the Chinese text correctly."""
    language = translation.get_language()

    def generate() -> Iterator[str]:
        with translation.override(language):
            writer = csv.writer(_Echo())
            yield "\ufeff" + writer.writerow(headers(columns))
            for row in rows(queryset, columns, user):
                yield writer.writerow(
                    [v.isoformat() if isinstance(v, datetime.date) else v for v in row]
                )

    response = StreamingHttpResponse(generate(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(
    *, filename: str, sheet_title: str, columns: tuple[Column, ...], queryset: QuerySet, user
) -> tuple[FileResponse, int]:
    """A workbook built in openpyxl's write-only mode into a temporary file, then streamed out."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for index, col in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = col.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in headers(columns):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows(queryset, columns, user):
        sheet.append(row)
        count += 1
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    return response, count


def export_filename(stem: str, fmt: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}"


def enterprise_queryset_for_export(queryset: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    return queryset.select_related("workstation")


def priority_queryset_for_export(queryset: QuerySet[PriorityListing]) -> QuerySet[PriorityListing]:
    return queryset.select_related("enterprise", "enterprise__workstation")
