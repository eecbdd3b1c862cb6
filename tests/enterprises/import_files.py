"""Spreadsheets for the import tests, built in code (no binary fixtures in the repository)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from tests.factories import make_uscc

ZH_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "所属区",
    "所在园区",
    "负责工作站",
    "行业",
    "发展阶段",
    "企业规模",
    "资质/企业称号",
    "成立日期",
    "地址",
    "联系人",
    "联系电话",
    "联系邮箱",
    "重点企业年度",
]
EN_HEADER = [
    "USCC",
    "Name",
    "District",
    "Park",
    "Workstation",
    "Industry",
    "Stage",
    "Size",
    "Designations",
    "Founded on",
    "Address",
    "Contact name",
    "Contact phone",
    "Contact email",
    "Priority year",
]


def uscc(n: int) -> str:
    """A valid code far from the factories' sequence, so tests never collide with the network."""
    return make_uscc(100_000 + n)


def row(n: int, **overrides: Any) -> list[Any]:
    """One good row in the column order of ZH_HEADER / EN_HEADER."""
    values = {
        "uscc": uscc(n),
        "name": f"北京导入测试科技有限公司{n}",
        "district": "海淀区",
        "park": "中关村软件园",
        "workstation": "WS-110108-001",
        "industry": "I65",
        "stage": "成长期",
        "size": "小型",
        "designations": "高新技术企业、专精特新中小企业",
        "founded_on": "2015-03-01",
        "address": "北京市海淀区中关村软件园1号",
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "contact_email": f"contact{n}@example.org",
        "priority_year": "",
    }
    values.update(overrides)
    return list(values.values())


def xlsx_bytes(
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[Any] = ZH_HEADER,
    above: Sequence[Sequence[Any]] = (),
    merges: Sequence[str] = (),
    below: Sequence[Sequence[Any]] = (),
    date_format: str | None = None,
) -> bytes:
    """A workbook: optional title rows above the header, the rows, then `below` (totals …)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业名单"
    for line in above:
        sheet.append(list(line))
    sheet.append(list(header))
    for line in rows:
        sheet.append(list(line))
    for line in below:
        sheet.append(list(line))
    for ref in merges:
        sheet.merge_cells(ref)
    if date_format:
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, datetime.date | datetime.datetime):
                    cell.number_format = date_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[Any] = ZH_HEADER,
    encoding: str = "utf-8",
    delimiter: str = ",",
    above: Sequence[Sequence[Any]] = (),
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for line in above:
        writer.writerow(line)
    writer.writerow(header)
    for line in rows:
        writer.writerow(line)
    return out.getvalue().encode(encoding)


def read_xlsx(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook as lists of values (for checking downloaded reports)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
