"""Importing enterprises from office spreadsheets (.xlsx, .csv).

Pass 1 streams the file (openpyxl read-only, or the csv module), finds the header row, validates
every row — codes, dates, choices, units in the importer's editing scope, duplicates, enterprises
that exist already — and spools the clean rows to a temporary file. If a row is wrong and the import
is not partial, nothing is written and the report lists the errors. Pass 2 writes the spooled rows in
one transaction, in batches, with one audit row for the whole file. Memory stays flat: besides one
batch, only the codes seen so far are held.

The web page runs imports as a huey task (`ImportJob`), the API and the `ipps import` command call
`enterprises_import()` directly. See docs/import.md.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import json
import logging
import os
import re
import tempfile
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel
from openpyxl.utils.exceptions import InvalidFileException

from ipps.core import ids
from ipps.core.audit import audit_record
from ipps.core.choices import AuditAction
from ipps.core.errors import ConflictError, PermissionDeniedError, ServiceError
from ipps.enterprises import industry
from ipps.enterprises.choices import Designation, PrioritySource, Size, Stage
from ipps.enterprises.models import Enterprise, ImportJob, PriorityListing
from ipps.network.choices import DISTRICT_NAMES_ZH, EDITOR_ROLES, District, UnitKind, UnitStatus
from ipps.network.models import ServiceUnit
from ipps.network.scope import unit_ids_for

logger = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
HEADER_SCAN_ROWS = 10  # the header row is looked for among the first rows (title rows sit above it)
BATCH_SIZE = 1000
MAX_ERRORS = 20_000  # errors kept in a report; more are counted, not listed
CLI_ACTOR = "ipps import (command line)"

Progress = Callable[[str, int, int | None], None]


# ---------------------------------------------------------------------------------------------
# Columns and the header names they are known by


@dataclass(frozen=True)
class Column:
    field: str
    zh: str  # the Chinese header of the template
    en: str  # the English header of the template
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "uscc",
        "统一社会信用代码",
        "USCC",
        (
            "社会信用代码",
            "信用代码",
            "统一代码",
            "Unified social credit code",
            "Credit code",
            "Social credit code",
        ),
        required=True,
    ),
    Column(
        "name",
        "企业名称",
        "Name",
        (
            "名称",
            "单位名称",
            "公司名称",
            "企业",
            "Enterprise name",
            "Company name",
            "Enterprise",
            "Company",
        ),
        required=True,
    ),
    Column(
        "name_en",
        "英文名称",
        "English name",
        ("企业英文名称", "企业名称(英文)", "名称(英文)", "Name (English)", "Name in English"),
    ),
    Column(
        "district",
        "所属区",
        "District",
        ("区县", "所属区县", "所在区", "所在区县", "区", "行政区", "所属行政区", "辖区"),
    ),
    Column("park", "所在园区", "Park", ("园区", "所属园区", "Science park", "Industrial park")),
    Column(
        "workstation",
        "负责工作站",
        "Workstation",
        (
            "工作站",
            "所属工作站",
            "服务工作站",
            "负责单位",
            "服务单位",
            "工作站编码",
            "Responsible unit",
            "Unit",
            "Unit code",
            "Workstation code",
        ),
        required=True,
    ),
    Column(
        "industry",
        "行业",
        "Industry",
        ("所属行业", "行业分类", "国民经济行业分类", "行业代码", "行业门类", "Industry code"),
    ),
    Column("stage", "发展阶段", "Stage", ("阶段", "企业发展阶段", "Development stage")),
    Column("size", "企业规模", "Size", ("规模", "Enterprise size", "Company size", "Scale")),
    Column(
        "designations",
        "资质/企业称号",
        "Designations",
        ("资质", "企业称号", "企业资质", "资质称号", "荣誉资质", "Designation", "Qualifications"),
    ),
    Column(
        "founded_on",
        "成立日期",
        "Founded on",
        (
            "成立时间",
            "注册日期",
            "设立日期",
            "Founding date",
            "Date founded",
            "Founded",
            "Established on",
            "Date of establishment",
        ),
    ),
    Column(
        "address",
        "地址",
        "Address",
        ("注册地址", "企业地址", "通讯地址", "办公地址", "Registered address"),
    ),
    Column("contact_name", "联系人", "Contact name", ("联系人姓名", "Contact", "Contact person")),
    Column(
        "contact_phone",
        "联系电话",
        "Contact phone",
        ("电话", "手机", "联系方式", "手机号码", "Phone", "Telephone", "Tel", "Mobile"),
    ),
    Column(
        "contact_email",
        "联系邮箱",
        "Contact email",
        ("邮箱", "电子邮箱", "电子邮件", "Email", "E-mail"),
    ),
    Column(
        "priority_year",
        "重点企业年度",
        "Priority year",
        ("重点年度", "重点企业年份", "Priority list year", "Key enterprise year"),
    ),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
# A serial-number column ("序号") is recognised so that rows holding only a number count as blank.
SERIAL_FIELD = "_serial"
SERIAL_HEADERS = ("序号", "No", "No.", "Serial", "Seq")
# Model fields whose validation errors belong to a column of the file.
FIELD_COLUMN = {"industry_section": "industry", "industry_division": "industry"}


def _key(text: Any, *, hints: bool = True) -> str:
    """Text folded for matching: NFKC, lower case, only letters and digits; `hints=False` also
    drops what stands in brackets, e.g. "(必填)" or "(yyyy-mm-dd)"."""
    folded = unicodedata.normalize("NFKC", str(text)).lower()
    if not hints:
        folded = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", folded)
    return re.sub(r"[\W_]+", "", folded)


HEADER_INDEX: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.field, _column.zh, _column.en, *_column.aliases):
        HEADER_INDEX.setdefault(_key(_name), _column.field)
for _name in SERIAL_HEADERS:
    HEADER_INDEX.setdefault(_key(_name), SERIAL_FIELD)


def _lookup_header(text: str) -> str | None:
    return HEADER_INDEX.get(_key(text)) or HEADER_INDEX.get(_key(text, hints=False))


def header_field(text: Any) -> str | None:
    """The field a header cell names ("*统一社会信用代码", "USCC", "企业名称\\nName" …), or None."""
    if text is None:
        return None
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    if not raw:
        return None
    found = _lookup_header(raw)
    if found:
        return found
    for part in re.split(r"[\n\r/|]+", raw):
        found = _lookup_header(part)
        if found:
            return found
    return None


def _header_label(text: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


# ---------------------------------------------------------------------------------------------
# Errors and the report


class ImportFileError(ServiceError):
    """The file as a whole cannot be imported (type, size, encoding, header, no rows)."""


class CellError(Exception):
    """One cell is wrong; `column` names the field it belongs to when that is not obvious."""

    def __init__(self, code: str, message: str, *, column: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.column = column


@dataclass
class RowError:
    row: int | None
    column: str
    value: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class ImportReport:
    """What an import did: counts, and the rows it could not take with the reason."""

    status: str = "refused"  # "imported" | "refused"
    partial: bool = False
    file_name: str = ""
    sha256: str = ""
    sheet: str = ""
    header_row: int | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    priority_listed: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "partial": self.partial,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "priority_listed": self.priority_listed,
            "error_count": self.error_count,
            "errors_truncated": self.errors_truncated,
            "ignored_columns": self.ignored_columns,
            "errors": [e.as_dict() for e in self.errors],
        }


# ---------------------------------------------------------------------------------------------
# File checks and reading


def check_upload(*, file_name: str, size: int) -> str:
    """The lower-case extension of an acceptable file; raises ImportFileError otherwise."""
    ext = os.path.splitext(file_name or "")[1].lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise ImportFileError(
            "unsupported_type",
            _(
                "Files of type “%(ext)s” cannot be imported: upload an .xlsx or a .csv file "
                "(save .xls workbooks as .xlsx first)."
            )
            % {"ext": ext or file_name},
            field="file",
            status=415,
        )
    limit = settings.IPPS_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            "too_large",
            _("The file has %(size)s MB; at most %(limit)s MB can be imported at once.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
            field="file",
            status=413,
        )
    if size == 0:
        raise ImportFileError("empty_file", _("The file is empty."), field="file")
    return ext


@dataclass
class _Scan:
    sha256: str
    size: int
    lines: int
    encoding: str | None  # for CSV


def _scan(fileobj: IO[bytes], *, text: bool) -> _Scan:
    """One read of the whole file: its digest, size, line count and (for text) its encoding."""
    fileobj.seek(0)
    digest = hashlib.sha256()
    size = lines = 0
    decoder = codecs.getincrementaldecoder("utf-8")() if text else None
    utf8 = text
    first = True
    encoding = None
    while chunk := fileobj.read(1 << 20):
        if first and text:
            if chunk.startswith(codecs.BOM_UTF8):
                encoding = "utf-8-sig"
            elif chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                encoding = "utf-16"
        first = False
        digest.update(chunk)
        size += len(chunk)
        if text:
            lines += chunk.count(b"\n")
        if utf8 and decoder is not None and encoding is None:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8 and decoder is not None and encoding is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if text and encoding is None:
        encoding = "utf-8" if utf8 else "gb18030"
    fileobj.seek(0)
    return _Scan(digest.hexdigest(), size, lines, encoding)


@dataclass
class _Sheet:
    title: str
    rows: Iterator[tuple[int, list[Any]]]  # (row number as in the spreadsheet, cell values)
    estimate: int | None  # rows in the sheet, if the file says
    epoch: datetime.datetime = WINDOWS_EPOCH


def _csv_sheets(fileobj: IO[bytes], scan: _Scan) -> Iterator[_Sheet]:
    encoding = scan.encoding or "utf-8"
    stream = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        sample = stream.read(64 * 1024)
        stream.seek(0)
        lines = sample.splitlines()[:HEADER_SCAN_ROWS] or [""]
        delimiter = max(",\t;", key=lambda d: sum(line.count(d) for line in lines))
        reader = csv.reader(stream, delimiter=delimiter)

        def rows() -> Iterator[tuple[int, list[Any]]]:
            try:
                yield from enumerate(reader, start=1)
            except UnicodeDecodeError:
                raise ImportFileError(
                    "unreadable_file",
                    _(
                        "The CSV file is neither UTF-8 nor GB18030 text; save it again as UTF-8 CSV."
                    ),
                    field="file",
                ) from None
            except csv.Error as exc:
                raise ImportFileError(
                    "unreadable_file",
                    _("The CSV file cannot be read (%(reason)s).") % {"reason": exc},
                    field="file",
                ) from None

        yield _Sheet("", rows(), scan.lines + 1 if encoding != "utf-16" else None)
    finally:
        stream.detach()


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')


def _merged_ranges(workbook, worksheet) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a sheet as (min_col, min_row, max_col, max_row).

    Read-only mode does not read them (they follow the cell data), so the sheet's XML is scanned once
    for `<mergeCell ref=…>`; each merged cell then takes the value of the range's top-left cell.
    """
    tail = b""
    found = bytearray()
    # openpyxl keeps the archive and sheet path of read-only sheets in these attributes.
    with workbook._archive.open(worksheet._worksheet_path) as source:
        while chunk := source.read(1 << 20):
            if found:
                found += chunk
                continue
            window = tail + chunk
            at = window.find(b"mergeCell")
            if at >= 0:
                found += window[max(0, at - 16) :]
            tail = window[-32:]
    ranges = []
    for ref in _MERGE_RE.findall(bytes(found)):
        with suppress(ValueError):
            min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
            if (min_col, min_row) != (max_col, max_row):
                ranges.append((min_col, min_row, max_col, max_row))
    return ranges


def _filled_rows(rows: Iterable[tuple], ranges: list[tuple[int, int, int, int]]):
    """Rows numbered from 1, with the cells of merged ranges filled from their top-left cell."""
    starts: dict[int, list[tuple[int, int, int, int]]] = {}
    for r in ranges:
        starts.setdefault(r[1], []).append(r)
    active: list[tuple[int, int, int, Any]] = []  # (min_col, max_col, max_row, value)
    for number, values in enumerate(rows, start=1):
        cells = list(values)
        if starts or active:
            for min_col, _min_row, max_col, max_row in starts.pop(number, ()):
                value = cells[min_col - 1] if len(cells) >= min_col else None
                active.append((min_col, max_col, max_row, value))
            if active:
                active = [a for a in active if a[2] >= number]
                for min_col, max_col, _max_row, value in active:
                    if len(cells) < max_col:
                        cells.extend([None] * (max_col - len(cells)))
                    for col in range(min_col, max_col + 1):
                        if cells[col - 1] is None:
                            cells[col - 1] = value
        yield number, cells


def _xlsx_sheets(fileobj: IO[bytes]) -> Iterator[_Sheet]:
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except _XLSX_ERRORS as exc:
        logger.info("unreadable xlsx: %r", exc)
        raise _unreadable_xlsx() from None
    try:
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "_worksheet_path"):  # chart sheets have no cells
                continue
            try:
                estimate = worksheet.max_row
                ranges = _merged_ranges(workbook, worksheet)
            except _XLSX_ERRORS as exc:
                logger.info("unreadable xlsx sheet: %r", exc)
                raise _unreadable_xlsx() from None
            # Dimensions written by some programs are wrong; read what is there instead.
            worksheet.reset_dimensions()
            rows = _filled_rows(_guarded(worksheet.iter_rows(values_only=True)), ranges)
            yield _Sheet(worksheet.title, rows, estimate, workbook.epoch)
    finally:
        workbook.close()


_XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    OSError,
    EOFError,
    ValueError,
    TypeError,
    InvalidFileException,
    ParseError,
)


def _unreadable_xlsx() -> ImportFileError:
    return ImportFileError(
        "unreadable_file",
        _(
            "The file cannot be read as an Excel workbook (.xlsx); open it in Excel and save it "
            "again as .xlsx."
        ),
        field="file",
    )


def _guarded(rows: Iterator[tuple]) -> Iterator[tuple]:
    """Rows of a sheet; a damaged sheet becomes a clear file error, not a crash."""
    try:
        yield from rows
    except _XLSX_ERRORS as exc:
        logger.info("unreadable xlsx rows: %r", exc)
        raise _unreadable_xlsx() from None


# ---------------------------------------------------------------------------------------------
# Values: text, numbers, dates and choices as office files hold them

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Full-width ASCII and the ideographic space become half-width in free text, but Chinese
# punctuation that names and addresses use (（）、，：；) stays as typed.
_KEEP_FULL_WIDTH = "（）【】《》「」『』〔〕，、。：；！？“”‘’"
_FOLD_FREE_TEXT = {
    code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP_FULL_WIDTH
}
_FOLD_FREE_TEXT.update({0x3000: " ", **_ZERO_WIDTH})


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.translate(_ZERO_WIDTH).strip()
    return False


def _nfkc(value: Any) -> str:
    """A cell as normalised text: NFKC (full-width → half-width), trimmed; numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value.translate(_ZERO_WIDTH)).strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _free_text(value: Any) -> str:
    """Names and addresses: full-width letters and digits folded, spaces collapsed, CJK punctuation kept."""
    if isinstance(value, str):
        return " ".join(value.translate(_FOLD_FREE_TEXT).split())
    return _nfkc(value)


def display_value(value: Any) -> str:
    """A cell value as the person saw it in the spreadsheet, for the error report."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15G")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    return text if len(text) <= 200 else text[:199] + "…"


_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d*)?E[+-]?\d+", re.IGNORECASE)


def parse_uscc(value: Any) -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(value, int) and not isinstance(value, bool):
        with suppress(ValueError):
            return ids.normalize_uscc(str(value))  # an exact integer written by a program
    text = display_value(value) if numeric else _nfkc(value)
    if not numeric:
        try:
            return ids.normalize_uscc(text)
        except ValueError as exc:
            problem = str(exc)
    # Valid codes may hold "E" and digits (…0000E42), so scientific notation is only diagnosed
    # for what failed validation.
    if numeric or _SCIENTIFIC.fullmatch(text):
        raise CellError(
            "uscc_number",
            _(
                "Excel stored this code as a number (%(value)s) and lost its last digits: format the "
                "column as Text and type or paste the 18-character code again."
            )
            % {"value": text},
        )
    raise CellError("invalid_uscc", problem)


_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)


def _date_message() -> str:
    return _("Write the date as 2015-03-01, 2015/3/1, 2015年3月1日 or 20150301.")


def parse_date(value: Any, epoch: datetime.datetime = WINDOWS_EPOCH) -> datetime.date:
    parts: tuple[int, int, int] | None = None
    if isinstance(value, datetime.datetime):
        result = value.date()
    elif isinstance(value, datetime.date):
        result = value
    else:
        serial: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if number.is_integer() and 19000101 <= number <= 29991231:
                text = str(int(number))
                parts = (int(text[:4]), int(text[4:6]), int(text[6:]))
            else:
                serial = number
        else:
            text = _nfkc(value)
            match = _DATE_TEXT.fullmatch(text)
            if match:
                parts = (int(match[1]), int(match[2]), int(match[3]))
            elif re.fullmatch(r"\d{8}", text):
                parts = (int(text[:4]), int(text[4:6]), int(text[6:]))
            elif re.fullmatch(r"\d{5}(?:\.0+)?", text):
                serial = float(text)
            else:
                raise CellError("invalid_date", _date_message())
        if serial is not None:
            # Serials below 10000 (before 1927) are more likely a year or a typo than a date.
            if not 10000 <= serial < 2958466:
                raise CellError("invalid_date", _date_message())
            converted = from_excel(serial, epoch)
            result = converted.date() if isinstance(converted, datetime.datetime) else converted
        else:
            assert parts is not None
            try:
                result = datetime.date(*parts)
            except ValueError:
                raise CellError(
                    "invalid_date",
                    _("There is no such date: %(value)s.") % {"value": display_value(value)},
                ) from None
    if result.year < 1900:
        raise CellError("invalid_date", _("The date lies before 1900."))
    if result > timezone.localdate():
        raise CellError("future_date", _("The date lies in the future."))
    return result


def parse_year(value: Any) -> int:
    text = _nfkc(value).removesuffix("年").strip()
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        raise CellError("invalid_year", _("Write a year between 2000 and 2100, e.g. 2026."))
    return int(text)


def _choice_key(text: Any) -> str:
    return re.sub(r"[\s\-_'\"“”‘’「」『』]+", "", unicodedata.normalize("NFKC", str(text)).lower())


def _english(label) -> str:
    with translation.override("en"):
        return str(label)


def _choice_index(choices, aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, label in choices.choices:
        for name in (value, _english(label), *aliases.get(value, ())):
            index[_choice_key(name)] = value
    return index


STAGE_ALIASES = {
    Stage.STARTUP: ("初创期", "初创", "初创阶段", "起步期", "种子期", "startup", "start up"),
    Stage.GROWTH: ("成长期", "成长", "成长阶段", "growing"),
    Stage.MATURE: ("成熟期", "成熟", "成熟阶段", "maturity"),
}
SIZE_ALIASES = {
    Size.MICRO: ("微型", "微型企业", "微", "micro enterprise"),
    Size.SMALL: ("小型", "小型企业", "小", "small enterprise"),
    Size.MEDIUM: ("中型", "中型企业", "中", "medium-sized", "medium enterprise"),
    Size.LARGE: ("大型", "大型企业", "大", "large enterprise"),
}
DESIGNATION_ALIASES = {
    Designation.HIGH_TECH: (
        "高新技术企业",
        "国家高新技术企业",
        "国家级高新技术企业",
        "高新企业",
        "高新",
        "高企",
        "High tech",
        "High-tech",
    ),
    Designation.SPECIALISED_SME: (
        "专精特新中小企业",
        "专精特新企业",
        "专精特新",
        "北京市专精特新中小企业",
        "Specialised SME",
        "Specialized SME",
    ),
    Designation.LITTLE_GIANT: (
        '专精特新"小巨人"',
        "专精特新“小巨人”企业",
        "专精特新小巨人企业",
        "国家级专精特新小巨人企业",
        "小巨人",
        "小巨人企业",
        "Little giant",
    ),
    Designation.TECH_SME: ("科技型中小企业", "科技型企业", "Tech SME", "Technology SME"),
    Designation.IP_ADVANTAGE: (
        "国家知识产权优势企业",
        "知识产权优势企业",
        "IP advantage enterprise",
    ),
    Designation.IP_DEMONSTRATION: (
        "国家知识产权示范企业",
        "知识产权示范企业",
        "IP demonstration enterprise",
    ),
    Designation.ZHONGGUANCUN_HIGH_TECH: ("中关村高新技术企业", "中关村高新", "ZGC high-tech"),
    Designation.LISTED: ("上市公司", "上市企业", "已上市", "Listed"),
}
DISTRICT_ALIASES = {
    District.BDA: (
        "BDA",
        "经开区",
        "北京经开区",
        "亦庄",
        "亦庄开发区",
        "经济技术开发区",
        "北京经济技术开发区",
        "北京亦庄",
        "Yizhuang",
        "E-Town",
        "Beijing E-Town",
        "Beijing Economic-Technological Development Area",
        "Economic-Technological Development Area",
    ),
}


@dataclass(frozen=True)
class _Choices:
    stage: dict[str, str]
    size: dict[str, str]
    designation: dict[str, str]
    district: dict[str, str]


def _district_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for member in District:
        names = [member.value, member.name, _english(member.label), DISTRICT_NAMES_ZH[member.value]]
        names += DISTRICT_ALIASES.get(member, ())
        zh = DISTRICT_NAMES_ZH[member.value]
        if member != District.BDA:
            names += [zh.removesuffix("区"), f"北京市{zh}", f"{member.name} district"]
        for name in names:
            index[_choice_key(name)] = member.value
    return index


def _choices() -> _Choices:
    return _Choices(
        stage=_choice_index(Stage, STAGE_ALIASES),
        size=_choice_index(Size, SIZE_ALIASES),
        designation=_choice_index(Designation, DESIGNATION_ALIASES),
        district=_district_index(),
    )


def _choice(index: dict[str, str], value: Any, code: str, message: Callable[[], str]) -> str:
    found = index.get(_choice_key(_nfkc(value)))
    if found is None:
        raise CellError(code, message())  # translated only when needed: this runs for every cell
    return found


# ---------------------------------------------------------------------------------------------
# Units: the responsible workstation or district centre, found by code or name


def _unit_key(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


class _Units:
    def __init__(self, editable: frozenset[int] | None):
        self.editable = editable
        self.by_code: dict[str, ServiceUnit] = {}
        self.by_name: dict[str, list[ServiceUnit]] = {}
        self.centres: dict[str, ServiceUnit] = {}
        self.by_id: dict[int, ServiceUnit] = {}
        for unit in ServiceUnit.objects.order_by("code"):
            self.by_id[unit.pk] = unit
            self.by_code[_unit_key(unit.code)] = unit
            for name in {unit.name_zh, unit.name_en} - {""}:
                self.by_name.setdefault(_unit_key(name), []).append(unit)
            if (
                unit.kind == UnitKind.DISTRICT_CENTRE
                and unit.status != UnitStatus.CLOSED
                and unit.district not in self.centres
            ):
                self.centres[unit.district] = unit

    def label(self, unit: ServiceUnit) -> str:
        return f"{unit.code} {unit.name}"

    def check(self, unit: ServiceUnit) -> ServiceUnit:
        if unit.kind not in (UnitKind.WORKSTATION, UnitKind.DISTRICT_CENTRE):
            raise CellError(
                "unit_kind",
                _(
                    "%(unit)s is a %(kind)s; enterprises are served by a workstation or a district "
                    "centre."
                )
                % {"unit": self.label(unit), "kind": unit.get_kind_display()},
            )
        if unit.status == UnitStatus.CLOSED:
            raise CellError("unit_closed", _("%(unit)s is closed.") % {"unit": self.label(unit)})
        if self.editable is not None and unit.pk not in self.editable:
            raise CellError(
                "unit_out_of_scope",
                _("You may not assign enterprises to %(unit)s: it lies outside your area.")
                % {"unit": self.label(unit)},
            )
        return unit

    def find(self, value: Any) -> ServiceUnit:
        text = _nfkc(value)
        unit = self.by_code.get(_unit_key(text))
        if unit is None:
            matches = self.by_name.get(_unit_key(text), [])
            if len(matches) > 1:
                raise CellError(
                    "ambiguous_unit",
                    _(
                        "Several units are called “%(value)s”; use the unit code instead (%(codes)s)."
                    )
                    % {"value": text, "codes": ", ".join(u.code for u in matches)},
                )
            if not matches:
                raise CellError(
                    "unknown_unit",
                    _(
                        "There is no unit “%(value)s”: use the unit code (e.g. WS-110108-001) or its "
                        "exact Chinese or English name."
                    )
                    % {"value": text},
                )
            unit = matches[0]
        return self.check(unit)

    def centre(self, district: str) -> ServiceUnit:
        unit = self.centres.get(district)
        if unit is None:
            raise CellError(
                "no_district_centre",
                _("%(district)s has no district centre; name the responsible workstation instead.")
                % {"district": District(district).label},
            )
        return self.check(unit)


# ---------------------------------------------------------------------------------------------
# The import


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]  # field -> raw cell value (non-blank only)
    values: dict[str, Any] = field(default_factory=dict)
    unit: ServiceUnit | None = None
    priority_year: int | None = None
    failed: bool = False


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, ServiceUnit):
        return value.pk
    return value


# The model fields an import may set (workstation is handled through the unit).
WRITABLE_FIELDS = (
    "uscc",
    "name",
    "name_en",
    "district",
    "park",
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
PARSED_FIELDS = [
    "id", "created_at", "updated_at", "archived_at", "created_by", "workstation", "uscc",
    "district", "industry_section", "industry_division", "stage", "size", "designations",
    "founded_on",
]  # fmt: skip
_TOTAL_ROW = re.compile(r"(合计|总计|小计|共计|total|grandtotal|subtotal|sum)\d*[家个户条项]?")
_TOTAL_FIRST = "合总小共TtGgSs"


class EnterpriseImport:
    """One import of one file, by one person (or the command line when `acting_user` is None)."""

    def __init__(
        self, *, acting_user, partial: bool, progress: Progress | None = None, request=None
    ):
        self.user = acting_user
        self.partial = partial
        self.progress = progress or (lambda phase, done, total: None)
        self.request = request
        self.editable = None if acting_user is None else unit_ids_for(acting_user, EDITOR_ROLES)
        if self.editable is not None and not self.editable:
            raise PermissionDeniedError(
                "permission_denied", _("You have no role that may import enterprises.")
            )
        self.report = ImportReport(partial=partial)
        self.seen: dict[str, int] = {}  # USCC -> first row number
        self.headers: dict[str, str] = {}  # field -> header as written in the file
        self.epoch = WINDOWS_EPOCH
        self.planned = 0

    # -- entry point

    def run(self, fileobj: IO[bytes], file_name: str) -> ImportReport:
        fileobj.seek(0, os.SEEK_END)
        ext = check_upload(file_name=file_name, size=fileobj.tell())
        scan = _scan(fileobj, text=ext == ".csv")
        self.report.file_name = os.path.basename(file_name)
        self.report.sha256 = scan.sha256
        self.units = _Units(self.editable)
        self.choices = _choices()
        with tempfile.TemporaryFile("w+", encoding="utf-8", prefix="ipps-import-") as spool:
            sheets = _csv_sheets(fileobj, scan) if ext == ".csv" else _xlsx_sheets(fileobj)
            try:
                sheet, header_number, columns, rows = self._locate_header(sheets)
                self.report.sheet = sheet.title
                self.report.header_row = header_number
                self.epoch = sheet.epoch
                self._check_rows(rows, columns, sheet.estimate, spool)
            finally:
                sheets.close()
            if self.report.rows == 0:
                raise ImportFileError(
                    "empty_file",
                    _("The file has a header row but no rows of enterprises below it."),
                    field="file",
                )
            if self.report.error_count and not self.partial:
                self.report.status = "refused"
                return self.report
            self.progress("writing", 0, self.planned)
            spool.seek(0)
            try:
                self._write(spool, scan)
            except IntegrityError:
                raise _conflict() from None
        self.report.status = "imported"
        return self.report

    # -- header

    def _locate_header(self, sheets: Iterator[_Sheet]):
        """The first sheet with a header row among its first rows: (sheet, row, columns, rows)."""
        first_seen: list[str] = []
        any_cells = False
        for sheet in sheets:
            head: list[tuple[int, list[Any]]] = []
            for item in sheet.rows:
                head.append(item)
                if len(head) >= HEADER_SCAN_ROWS:
                    break
            best: tuple[int, int] | None = None  # (matches, index in head)
            for index, (_number, cells) in enumerate(head):
                labels = [c for c in cells if not _is_blank(c)]
                if labels:
                    any_cells = True
                    if not first_seen:
                        first_seen = [_header_label(c) for c in labels]
                matches = len({header_field(c) for c in cells} - {None, SERIAL_FIELD})
                if matches >= 2 and (best is None or matches > best[0]):
                    best = (matches, index)
            if best is None:
                continue
            number, cells = head[best[1]]
            columns: dict[int, str] = {}
            ignored: list[str] = []
            for position, cell in enumerate(cells):
                name = header_field(cell)
                if name is None or name in columns.values():
                    if not _is_blank(cell):
                        ignored.append(_header_label(cell))
                    continue
                columns[position] = name
                self.headers[name] = _header_label(cell)
            present = set(columns.values())
            missing = [c for c in ("uscc", "name") if c not in present]
            if not present & {"workstation", "district"}:
                missing.append("workstation")
            if missing:
                raise ImportFileError(
                    "missing_columns",
                    _("Required columns are missing: %(missing)s. Headers found: %(found)s.")
                    % {
                        "missing": "、".join(
                            f"{COLUMN_BY_FIELD[m].zh} ({COLUMN_BY_FIELD[m].en})" for m in missing
                        ),
                        "found": "、".join(_header_label(c) for c in cells if not _is_blank(c)),
                    },
                    field="file",
                )
            self.report.ignored_columns = ignored
            rest = (item for item in head[best[1] + 1 :])
            return sheet, number, columns, _chain(rest, sheet.rows)
        if not any_cells:
            raise ImportFileError("empty_file", _("The file is empty."), field="file")
        raise ImportFileError(
            "missing_columns",
            _(
                "No header row was found in the first %(n)d rows: the file needs the columns "
                "%(required)s. Headers found: %(found)s."
            )
            % {
                "n": HEADER_SCAN_ROWS,
                "required": "、".join(
                    f"{COLUMN_BY_FIELD[m].zh} ({COLUMN_BY_FIELD[m].en})"
                    for m in ("uscc", "name", "workstation")
                ),
                "found": "、".join(first_seen) or "—",
            },
            field="file",
        )

    # -- pass 1: check

    def _check_rows(self, rows, columns: dict[int, str], estimate: int | None, spool) -> None:
        self.progress("checking", 0, estimate)
        blank_run = 0
        batch: list[_Row] = []
        subheader_possible = True
        number = 0
        for number, values in rows:
            cells: dict[str, Any] = {}
            for position, name in columns.items():
                if position < len(values) and name != SERIAL_FIELD:
                    value = values[position]
                    if not _is_blank(value):
                        cells[name] = value
            if not cells:
                blank_run += 1
                continue
            if subheader_possible and sum(1 for v in values if header_field(v)) >= 2:
                continue  # a second header row, e.g. the English names under the Chinese ones
            subheader_possible = False
            if self._is_total_row(values, cells):
                continue
            self.report.skipped += blank_run  # blank rows count only when data follows them
            blank_run = 0
            self.report.rows += 1
            batch.append(_Row(number, cells))
            if len(batch) >= BATCH_SIZE:
                self._check_batch(batch, spool)
                batch = []
                self.progress("checking", number, estimate)
        if batch:
            self._check_batch(batch, spool)
        self.progress("checking", number, estimate)

    def _is_total_row(self, values: list[Any], cells: dict[str, Any]) -> bool:
        """A 合计/总计/Total row: such a word in one of its first cells, and no valid code."""
        texts = [v.strip() for v in values if isinstance(v, str) and v.strip()][:3]
        if not any(t[0] in _TOTAL_FIRST and _TOTAL_ROW.fullmatch(_key(t)) for t in texts):
            return False
        uscc = cells.get("uscc")
        if uscc is not None:
            try:
                parse_uscc(uscc)
                return False
            except CellError:
                pass
        return True

    def _error(self, row: _Row, name: str, code: str, message: str) -> None:
        row.failed = True
        column = self.headers.get(name, "")
        self.report.add_error(
            RowError(row.number, column, display_value(row.cells.get(name)), code, message)
        )

    def _parse(self, row: _Row) -> None:
        values = row.values
        choices = self.choices
        for name, raw in row.cells.items():
            try:
                if name == "uscc":
                    values["uscc"] = parse_uscc(raw)
                elif name in ("name", "name_en", "park", "address", "contact_name"):
                    values[name] = _free_text(raw)
                elif name == "district":
                    values["district"] = _choice(
                        choices.district,
                        raw,
                        "unknown_district",
                        lambda: _(
                            "Unknown district: use its name (海淀区, 海淀 or Haidian), its GB/T 2260 "
                            "code (110108) or BDA for the Economic-Technological Development Area."
                        ),
                    )
                elif name == "workstation":
                    row.unit = self.units.find(raw)
                elif name == "industry":
                    try:
                        section, division = industry.parse_industry(_nfkc(raw))
                    except ValueError:
                        raise CellError(
                            "invalid_industry",
                            _(
                                "Unknown industry: give a GB/T 4754-2017 section letter (I), a "
                                "division code (65 or I65) or its Chinese name."
                            ),
                        ) from None
                    values["industry_section"], values["industry_division"] = section, division
                elif name == "stage":
                    values["stage"] = _choice(
                        choices.stage,
                        raw,
                        "invalid_stage",
                        lambda: _(
                            "Unknown stage: write 初创期, 成长期 or 成熟期 (startup, growth, mature)."
                        ),
                    )
                elif name == "size":
                    values["size"] = _choice(
                        choices.size,
                        raw,
                        "invalid_size",
                        lambda: _(
                            "Unknown size: write 微型, 小型, 中型 or 大型 (micro, small, medium, "
                            "large)."
                        ),
                    )
                elif name == "designations":
                    values["designations"] = self._designations(raw)
                elif name == "founded_on":
                    values["founded_on"] = parse_date(raw, self.epoch)
                elif name == "contact_phone":
                    phone = _nfkc(raw)
                    if sum(ch.isdigit() for ch in phone) < 5:
                        raise CellError("invalid_phone", _("This is not a phone number."))
                    values["contact_phone"] = " ".join(phone.split())
                elif name == "contact_email":
                    values["contact_email"] = _nfkc(raw)
                elif name == "priority_year":
                    row.priority_year = parse_year(raw)
            except CellError as exc:
                self._error(row, name, exc.code, exc.message)

    def _designations(self, raw: Any) -> list[str]:
        found: list[str] = []
        unknown: list[str] = []
        for piece in re.split(r"[、,;，；/|\n]+", _nfkc(raw)):
            if not piece.strip():
                continue
            code = self.choices.designation.get(_choice_key(piece))
            if code is None:
                unknown.append(piece.strip())
            elif code not in found:
                found.append(code)
        if unknown:
            raise CellError(
                "unknown_designation",
                _(
                    "Unknown designation: %(names)s. Known: 高新技术企业, 专精特新中小企业, "
                    "专精特新“小巨人”, 科技型中小企业, 国家知识产权优势企业, 国家知识产权示范企业, "
                    "中关村高新技术企业, 上市公司."
                )
                % {"names": "、".join(unknown)},
            )
        return found

    def _editable_enterprises(self):
        if self.user is None:
            return Enterprise.objects.all()  # the command line acts for the whole network
        return Enterprise.objects.restrict(self.user, "change")

    def _existing(self, codes: list[str]) -> tuple[dict[str, Enterprise], set[str]]:
        """Enterprises with these codes the importer may change, and the codes taken elsewhere."""
        mine = {
            e.uscc: e
            for e in self._editable_enterprises()
            .filter(uscc__in=codes)
            .select_related("workstation")
        }
        rest = [c for c in codes if c not in mine]
        # USCCs are unique across the network, so codes outside the importer's scope are looked up too.
        elsewhere = (
            set(Enterprise.objects.filter(uscc__in=rest).values_list("uscc", flat=True))
            if rest
            else set()
        )
        return mine, elsewhere

    def _check_batch(self, batch: list[_Row], spool) -> None:
        for row in batch:
            self._parse(row)
        codes = [row.values["uscc"] for row in batch if "uscc" in row.values]
        mine, elsewhere = self._existing(codes)
        for row in batch:
            uscc = row.values.get("uscc")
            if "uscc" not in row.cells:
                self._error(
                    row, "uscc", "required", _("The Unified Social Credit Code is required.")
                )
            if uscc:
                first = self.seen.get(uscc)
                if first is not None:
                    self._error(
                        row,
                        "uscc",
                        "duplicate_in_file",
                        _(
                            "The code %(uscc)s appears more than once in the file: rows %(first)d and "
                            "%(row)d."
                        )
                        % {"uscc": uscc, "first": first, "row": row.number},
                    )
                    continue
                self.seen[uscc] = row.number
            existing = mine.get(uscc) if uscc else None
            if uscc in elsewhere:
                self._error(
                    row,
                    "uscc",
                    "exists_out_of_scope",
                    _(
                        "An enterprise with this code is registered with a unit outside your area; "
                        "ask that unit or the municipal centre to change it."
                    ),
                )
            elif existing is not None and existing.archived_at is not None:
                self._error(
                    row,
                    "uscc",
                    "archived",
                    _("This enterprise is archived; restore it before importing changes to it."),
                )
            if existing is None and "name" not in row.cells:
                self._error(row, "name", "required", _("The name of the enterprise is required."))
            if row.failed:
                continue
            try:
                self._place(row, existing)
            except CellError as exc:
                self._error(row, exc.column or "workstation", exc.code, exc.message)
                continue
            self._validate_and_spool(row, existing, spool)

    def _place(self, row: _Row, existing: Enterprise | None) -> None:
        """The responsible unit and district: the workstation given, else the district's centre."""
        district = row.values.get("district")
        unit = row.unit
        if unit is not None:
            if district and unit.district and district != unit.district:
                raise CellError(
                    "district_mismatch",
                    _("%(unit)s lies in %(unit_district)s, not in %(district)s.")
                    % {
                        "unit": self.units.label(unit),
                        "unit_district": District(unit.district).label,
                        "district": District(district).label,
                    },
                    column="district",
                )
        elif district:
            if existing is not None and existing.workstation.district == district:
                unit = existing.workstation
            else:
                try:
                    unit = self.units.centre(district)
                except CellError as exc:
                    exc.column = "district"
                    raise
        elif existing is None:
            if "workstation" in self.headers:
                raise CellError(
                    "required", _("The responsible workstation (or the district) is required.")
                )
            raise CellError("required", _("The district is required."), column="district")
        if unit is not None:
            row.unit = unit
            if unit.district:
                row.values["district"] = unit.district

    def _validate_and_spool(self, row: _Row, existing: Enterprise | None, spool) -> None:
        values = row.values
        if existing is None:
            target = Enterprise(workstation=row.unit, **values)
        else:
            target = Enterprise(
                **{
                    f.attname: getattr(existing, f.attname)
                    for f in Enterprise._meta.concrete_fields
                }
            )
            target.workstation = existing.workstation
            if row.unit is not None:
                target.workstation = row.unit
            if (
                "industry_section" in values
                and not values["industry_division"]
                and values["industry_section"] == existing.industry_section
            ):
                values["industry_division"] = existing.industry_division  # keep the finer code
            for name, value in values.items():
                setattr(target, name, value)
        try:
            # Uniqueness was checked above against the file and the database, and the fields in
            # PARSED_FIELDS hold values the parsers produced from fixed lists (the unit from the
            # preloaded tree, without a query per row); the model's clean() still runs.
            target.full_clean(
                exclude=PARSED_FIELDS, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = FIELD_COLUMN.get(name, name)
                if column not in self.headers:
                    column = "workstation" if "workstation" in self.headers else "district"
                self._error(row, column, "invalid", " ".join(messages))
            return
        if existing is None:
            record = {f: _jsonable(getattr(target, f)) for f in WRITABLE_FIELDS}
            record["workstation_id"] = target.workstation_id
        else:
            record = {
                f: _jsonable(getattr(target, f))
                for f in WRITABLE_FIELDS
                if getattr(target, f) != getattr(existing, f)
            }
            if target.workstation_id != existing.workstation_id:
                record["workstation_id"] = target.workstation_id
        spool.write(
            json.dumps(
                {
                    "row": row.number,
                    "uscc": target.uscc,
                    "id": existing.pk if existing else None,
                    "values": record,
                    "year": row.priority_year,
                },
                ensure_ascii=False,
            )
        )
        spool.write("\n")
        self.planned += 1

    # -- pass 2: write

    @transaction.atomic
    def _write(self, spool, scan: _Scan) -> None:
        batch: list[dict[str, Any]] = []
        for line in spool:
            batch.append(json.loads(line))
            if len(batch) >= BATCH_SIZE:
                self._write_batch(batch)
                batch = []
        if batch:
            self._write_batch(batch)
        report = self.report
        audit_record(
            action=AuditAction.IMPORT,
            actor=self.user,
            actor_name="" if self.user is not None else CLI_ACTOR,
            object_type=Enterprise._meta.label_lower,
            object_repr=report.file_name,
            changes={
                "file_name": report.file_name,
                "sha256": report.sha256,
                "size": scan.size,
                "partial": report.partial,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "skipped": report.skipped,
                "priority_listed": report.priority_listed,
                "errors": report.error_count,
            },
            request=self.request,
        )

    def _write_batch(self, batch: list[dict[str, Any]]) -> None:
        current = {
            e.uscc: e
            for e in self._editable_enterprises().filter(uscc__in=[r["uscc"] for r in batch])
        }
        now = timezone.now()
        created_by = self.user
        creates: list[Enterprise] = []
        updates: list[Enterprise] = []
        update_fields: set[str] = set()
        by_code: dict[str, Enterprise] = {}
        for record in batch:
            values = dict(record["values"])
            if values.get("founded_on"):
                values["founded_on"] = datetime.date.fromisoformat(values["founded_on"])
            enterprise = current.get(record["uscc"])
            if record["id"] is None:
                if enterprise is not None:
                    raise _conflict()
                enterprise = Enterprise(created_by=created_by, **values)
                creates.append(enterprise)
            else:
                if enterprise is None or enterprise.pk != record["id"]:
                    raise _conflict()
                if values:
                    for name, value in values.items():
                        setattr(enterprise, name, value)
                    enterprise.updated_at = now
                    update_fields.update(
                        "workstation" if name == "workstation_id" else name for name in values
                    )
                    updates.append(enterprise)
                else:
                    self.report.unchanged += 1
            by_code[record["uscc"]] = enterprise
        if creates:
            Enterprise.objects.bulk_create(creates, batch_size=BATCH_SIZE)
            self.report.created += len(creates)
        if updates:
            Enterprise.objects.bulk_update(
                updates, sorted(update_fields | {"updated_at"}), batch_size=BATCH_SIZE
            )
            self.report.updated += len(updates)
        wanted = {(by_code[r["uscc"]].pk, r["year"]) for r in batch if r["year"]}
        if wanted:
            listed = set(
                PriorityListing.objects.filter(
                    enterprise_id__in={pk for pk, _year in wanted},
                    year__in={year for _pk, year in wanted},
                ).values_list("enterprise_id", "year")
            )
            new = [
                PriorityListing(
                    enterprise_id=pk,
                    year=year,
                    source=PrioritySource.IMPORT,
                    created_by=created_by,
                )
                for pk, year in sorted(wanted - listed)
            ]
            PriorityListing.objects.bulk_create(new, batch_size=BATCH_SIZE)
            self.report.priority_listed += len(new)


def _conflict() -> ConflictError:
    return ConflictError(
        "import_conflict",
        _(
            "Enterprises changed while the file was being checked; nothing was written. "
            "Please import the file again."
        ),
    )


def _chain(first: Iterable, second: Iterable) -> Iterator:
    yield from first
    yield from second


def enterprises_import(
    *,
    file: IO[bytes],
    file_name: str,
    partial: bool = False,
    acting_user=None,
    progress: Progress | None = None,
    request=None,
) -> ImportReport:
    """Import enterprises from an .xlsx or .csv file (a seekable binary file object).

    All-or-nothing unless `partial`: with any bad row nothing is written and the report, whose
    status is then "refused", lists the errors. Problems with the file as a whole (type, size,
    header, no rows) raise ImportFileError; a user without an editing role PermissionDeniedError.
    `acting_user=None` is the command line acting for the whole network.
    """
    importer = EnterpriseImport(
        acting_user=acting_user, partial=partial, progress=progress, request=request
    )
    return importer.run(file, file_name)


@contextmanager
def open_upload(upload) -> Iterator[IO[bytes]]:
    """A Django UploadedFile as a seekable binary file."""
    if hasattr(upload, "temporary_file_path"):
        with open(upload.temporary_file_path(), "rb") as handle:
            yield handle
    else:
        upload.seek(0)
        yield upload.file


def import_upload(*, upload, partial: bool, acting_user, request=None) -> ImportReport:
    """Import an uploaded file in the request (the API)."""
    check_upload(file_name=upload.name, size=upload.size)
    with open_upload(upload) as handle:
        return enterprises_import(
            file=handle,
            file_name=upload.name,
            partial=partial,
            acting_user=acting_user,
            request=request,
        )


# ---------------------------------------------------------------------------------------------
# Import jobs: the web page's background imports


def can_import(user) -> bool:
    from ipps.network.scope import has_role

    return has_role(user, *EDITOR_ROLES)


@transaction.atomic
def import_job_create(*, upload, partial: bool, acting_user, language: str = "") -> ImportJob:
    """Store an uploaded file under MEDIA_ROOT/imports/ and queue its import after commit."""
    if not can_import(acting_user):
        raise PermissionDeniedError(
            "permission_denied", _("You have no role that may import enterprises.")
        )
    check_upload(file_name=upload.name, size=upload.size)
    job = ImportJob(
        created_by=acting_user,
        file_name=os.path.basename(upload.name)[:255],
        file_size=upload.size,
        partial=partial,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.file.save(upload.name, upload, save=False)
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from ipps.enterprises.tasks import import_enterprises_task

    import_enterprises_task(job_id)


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a waiting job (the huey task calls this); progress and the report go on the job row."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.CHECKING, started_at=timezone.now()
    )
    if not claimed:
        return None
    # The worker acts for the job's creator, so the job is read by id, not through a user's scope.
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    state = {"at": 0.0, "phase": ""}

    def progress(phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if phase == state["phase"] and now - state["at"] < 0.5:
            return
        state.update(at=now, phase=phase)
        status = ImportJob.Status.WRITING if phase == "writing" else ImportJob.Status.CHECKING
        ImportJob.objects.filter(pk=job_id).update(
            status=status, rows_processed=done, rows_total=total
        )

    user = job.created_by
    with translation.override(job.language or settings.LANGUAGE_CODE):
        report: dict[str, Any]
        try:
            if user is None or not user.is_active:
                raise PermissionDeniedError(
                    "permission_denied",
                    _("The account that uploaded this file is no longer active."),
                )
            with job.file.open("rb") as handle:
                result = enterprises_import(
                    file=handle,
                    file_name=job.file_name,
                    partial=job.partial,
                    acting_user=user,
                    progress=progress,
                )
            report = result.as_dict()
            status = (
                ImportJob.Status.IMPORTED
                if result.status == "imported"
                else ImportJob.Status.REFUSED
            )
        except ServiceError as exc:
            report = {"status": "refused", "file_error": {"code": exc.code, "message": exc.message}}
            status = ImportJob.Status.REFUSED
        except Exception:
            logger.exception("import job %s failed", job_id)
            report = {
                "status": "failed",
                "file_error": {
                    "code": "internal_error",
                    "message": _(
                        "The import stopped because of an unexpected error; nothing was "
                        "written. The error has been logged for the administrators."
                    ),
                },
            }
            status = ImportJob.Status.FAILED
    job.status = status
    job.report = report
    job.sha256 = report.get("sha256", "")
    job.finished_at = timezone.now()
    if job.rows_total is None or job.rows_processed > job.rows_total:
        job.rows_total = job.rows_processed
    job.save(
        update_fields=["status", "report", "sha256", "finished_at", "rows_total", "updated_at"]
    )
    return job


# ---------------------------------------------------------------------------------------------
# Reports and the template as files


def _report_header() -> list[str]:
    return [_("Row"), _("Column"), _("Value"), _("Code"), _("Message")]


def _report_rows(report: dict[str, Any]) -> Iterator[list[Any]]:
    file_error = report.get("file_error")
    if file_error:
        yield ["", "", "", file_error.get("code", ""), file_error.get("message", "")]
    for e in report.get("errors", []):
        yield [
            e.get("row") or "",
            e.get("column", ""),
            e.get("value", ""),
            e.get("code", ""),
            e.get("message", ""),
        ]


def _summary_rows(report: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (_("File"), report.get("file_name", "")),
        (_("SHA-256"), report.get("sha256", "")),
        (_("Status"), report.get("status", "")),
        (_("Rows read"), report.get("rows", 0)),
        (_("Created"), report.get("created", 0)),
        (_("Updated"), report.get("updated", 0)),
        (_("Unchanged"), report.get("unchanged", 0)),
        (_("Blank rows skipped"), report.get("skipped", 0)),
        (_("Added to the priority list"), report.get("priority_listed", 0)),
        (_("Errors"), report.get("error_count", len(report.get("errors", [])))),
    ]


def _safe_csv(value: Any) -> Any:
    """Spreadsheet programs run cells that start with = + - @ as formulas; quote them."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_csv(report: dict[str, Any]) -> bytes:
    """The error report as CSV (UTF-8 with BOM, so Excel shows Chinese correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_report_header())
    for row in _report_rows(report):
        writer.writerow([_safe_csv(v) for v in row])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def report_xlsx(report: dict[str, Any]) -> bytes:
    """The error report as an Excel workbook: the errors, and a sheet with the counts."""
    workbook = Workbook(write_only=True)
    errors = workbook.create_sheet(_("Errors"))
    errors.column_dimensions["A"].width = 8
    errors.column_dimensions["B"].width = 24
    errors.column_dimensions["C"].width = 30
    errors.column_dimensions["D"].width = 22
    errors.column_dimensions["E"].width = 80
    errors.append(_bold_cells(errors, _report_header()))
    for row in _report_rows(report):
        errors.append([_text_cell(errors, v) for v in row])
    summary = workbook.create_sheet(_("Summary"))
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 70
    for label, value in _summary_rows(report):
        summary.append([_text_cell(summary, label), _text_cell(summary, value)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cell(sheet, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the file held
    return cell


def _bold_cells(sheet, labels: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for label in labels:
        cell = _text_cell(sheet, label)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def template_xlsx() -> bytes:
    """An empty import template: one header row in Chinese and English, and a sheet of notes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业 Enterprises"
    fill = PatternFill("solid", fgColor="DDEBF7")
    for position, column in enumerate(COLUMNS, start=1):
        mark = "*" if column.required else ""
        cell = sheet.cell(row=1, column=position, value=f"{mark}{column.zh}\n{mark}{column.en}")
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 22 if column.field != "name" else 34
        sheet.column_dimensions[letter].number_format = "@"
    sheet.row_dimensions[1].height = 36
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明 Notes")
    notes.append(["列 Column", "说明 Notes"])
    for column in COLUMNS:
        notes.append([f"{column.zh} / {column.en}", _template_note(column.field)])
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 110
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _template_note(name: str) -> str:
    notes = {
        "uscc": _(
            "Required. The 18-character Unified Social Credit Code; keep the column as Text."
        ),
        "name": _("Required for new enterprises."),
        "district": _("海淀区, 海淀, Haidian, 110108 or BDA (经开区, 亦庄)."),
        "workstation": _(
            "Required unless the district is given (then the district centre is "
            "responsible): unit code such as WS-110108-001, or the unit's name."
        ),
        "industry": _(
            "GB/T 4754-2017: section letter (I), division (65 or I65) or the Chinese name."
        ),
        "stage": _("初创期, 成长期 or 成熟期 (startup, growth, mature)."),
        "size": _("微型, 小型, 中型 or 大型 (micro, small, medium, large)."),
        "designations": _(
            "Several separated by 、 , or ;: 高新技术企业, 专精特新中小企业, "
            "专精特新“小巨人”, 科技型中小企业, 国家知识产权优势企业, "
            "国家知识产权示范企业, 中关村高新技术企业, 上市公司."
        ),
        "founded_on": _("2015-03-01, 2015/3/1, 2015年3月1日, 20150301 or an Excel date."),
        "priority_year": _("Optional: puts the enterprise on that year's priority list."),
    }
    return str(notes.get(name, ""))
