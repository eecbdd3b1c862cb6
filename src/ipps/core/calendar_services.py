"""Writes on the working calendar: single override days and whole years imported from a file.

Changing the calendar moves due times (and gives requests that had none their due times), so every
write sends `working_calendar_changed` after commit, which casework answers by recomputing the due
times of open requests; and every write writes an audit row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from ipps.core.audit import audit_record
from ipps.core.calendar import calendar_changed_on_commit
from ipps.core.choices import AuditAction
from ipps.core.errors import PermissionDeniedError, ServiceError
from ipps.core.models import CalendarDay, CalendarYear
from ipps.network.choices import Role

WORKING_WORDS = {"1", "yes", "y", "true", "是", "上班", "工作", "工作日", "班"}
OFF_WORDS = {"0", "no", "n", "false", "否", "休息", "休", "假", "休息日", "放假"}
HEADER_NAMES = {
    "date": {"date", "日期", "day"},
    "working": {"working", "is_working", "上班", "是否上班", "工作日", "working day"},
    "reason": {"reason", "原因", "说明", "备注", "note", "name", "名称"},
}


def can_edit_calendar(user) -> bool:
    """Superusers and administrators of a root unit (the municipal centre) edit the calendar."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    from ipps.network.models import Membership

    return Membership.objects.filter(user=user, role=Role.ADMIN, unit__parent__isnull=True).exists()


def _require(user) -> None:
    if not can_edit_calendar(user):
        raise PermissionDeniedError(
            "not_allowed", _("Only administrators may change the working calendar.")
        )


def _recompute_after_commit() -> None:
    """Due times follow the calendar: announce the change (casework recomputes them) on commit."""
    calendar_changed_on_commit()


@transaction.atomic
def calendar_day_set(
    *, date: dt.date, is_working: bool, reason: str, acting_user, http=None
) -> CalendarDay:
    """Make one day a day off or a working day, whatever the statutory calendar says."""
    _require(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("Say why this day is different."), field="reason")
    day = CalendarDay.objects.filter(date=date).first()
    before = {"is_working": day.is_working, "reason": day.reason} if day else None
    if day is None:
        day = CalendarDay(date=date, created_by=acting_user)
    day.is_working = bool(is_working)
    day.reason = reason
    day.full_clean()
    day.save()
    audit_record(
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        actor=acting_user,
        obj=day,
        changes={"before": before or {}, "after": {"is_working": day.is_working, "reason": reason}},
        request=http,
    )
    _recompute_after_commit()
    return day


@transaction.atomic
def calendar_day_remove(*, date: dt.date, acting_user, http=None) -> bool:
    """Drop an override: the day follows the statutory calendar (or the year's list) again."""
    _require(acting_user)
    day = CalendarDay.objects.filter(date=date).first()
    if day is None:
        return False
    audit_record(
        action=AuditAction.DELETE,
        actor=acting_user,
        obj=day,
        changes={"before": {"is_working": day.is_working, "reason": day.reason}},
        request=http,
    )
    day.delete()
    _recompute_after_commit()
    return True


# Importing a year -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class CalendarImportError(ServiceError):
    status = 422

    def __init__(self, errors: list[RowError]):
        super().__init__(
            "calendar_import_invalid",
            _("The file was not imported; %(n)d rows have errors.") % {"n": len(errors)},
            field="file",
        )
        self.errors = errors


@dataclass(frozen=True)
class ImportedDay:
    date: dt.date
    is_working: bool
    reason: str


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


def read_rows(path: Path) -> list[tuple[int, list]]:
    """(row number, cells) of a .csv (UTF-8, with or without BOM) or .xlsx file."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ServiceError(
                "bad_file", _("The spreadsheet cannot be read: %(e)s") % {"e": exc}, field="file"
            ) from exc
        sheet = book.worksheets[0]
        rows = [(i, list(r)) for i, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
        book.close()
        return rows
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise ServiceError(
                    "bad_encoding", _("Save the CSV file as UTF-8."), field="file"
                ) from exc
        return [(i, r) for i, r in enumerate(csv.reader(io.StringIO(text)), start=1)]
    raise ServiceError("file_type", _("Import a .csv or .xlsx file."), field="file", status=415)


def _parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell(value).replace("/", "-").replace(".", "-")
    for pattern in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise ValueError(text)


def _parse_working(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        value = str(int(value))
    text = _cell(value).lower()
    if text in WORKING_WORDS:
        return True
    if text in OFF_WORDS:
        return False
    raise ValueError(text)


def parse_year(rows: list[tuple[int, list]], year: int) -> list[ImportedDay]:
    """Check every row; raise CalendarImportError listing all bad rows, or return the days."""
    rows = [(n, cells) for n, cells in rows if any(_cell(c) for c in cells)]
    columns = {"date": 0, "working": 1, "reason": 2}
    if rows:
        first = [_cell(c).lower() for c in rows[0][1]]
        named = {
            key: first.index(name)
            for key, names in HEADER_NAMES.items()
            for name in names
            if name in first
        }
        if "date" in named:
            columns.update(named)
            rows = rows[1:]
    errors: list[RowError] = []
    days: list[ImportedDay] = []
    seen: dict[dt.date, int] = {}
    for number, cells in rows:

        def get(key, cells=cells):
            index = columns[key]
            return cells[index] if index < len(cells) else None

        try:
            date = _parse_date(get("date"))
        except ValueError:
            errors.append(
                RowError(
                    number,
                    _("“%(value)s” is not a date (write YYYY-MM-DD).")
                    % {"value": _cell(get("date"))},
                )
            )
            continue
        if date.year != year:
            errors.append(
                RowError(
                    number,
                    _("%(date)s is not in %(year)d.") % {"date": date.isoformat(), "year": year},
                )
            )
            continue
        if date in seen:
            errors.append(
                RowError(
                    number,
                    _("%(date)s appears twice (also in row %(row)d).")
                    % {"date": date.isoformat(), "row": seen[date]},
                )
            )
            continue
        seen[date] = number
        try:
            working = _parse_working(get("working"))
        except ValueError:
            errors.append(
                RowError(
                    number,
                    _(
                        "“%(value)s” does not say working or not (use 1/0, yes/no, 是/否, 上班/休息)."
                    )
                    % {"value": _cell(get("working"))},
                )
            )
            continue
        days.append(ImportedDay(date, working, _cell(get("reason"))[:200]))
    if errors:
        raise CalendarImportError(errors)
    if not days:
        raise CalendarImportError([RowError(1, _("The file lists no days."))])
    return days


@transaction.atomic
def calendar_year_import(
    *, year: int, days: list[ImportedDay], acting_user=None, note: str = "", source: str = ""
) -> CalendarYear:
    """Replace the year's override days by `days` and mark the year as entered, all or nothing.

    Days not listed follow the weekday rule (Monday–Friday working).
    """
    if acting_user is not None:
        _require(acting_user)
    if not 1900 <= year <= 2200:
        raise ServiceError("bad_year", _("Give a year between 1900 and 2200."), field="year")
    previous = CalendarDay.objects.filter(date__year=year)
    replaced = [
        {"date": d.date.isoformat(), "is_working": d.is_working, "reason": d.reason}
        for d in previous
    ]
    previous.delete()
    rows = []
    for d in days:
        row = CalendarDay(
            date=d.date,
            is_working=d.is_working,
            reason=d.reason,
            created_by=acting_user,
        )
        row.full_clean(validate_unique=False)
        rows.append(row)
    CalendarDay.objects.bulk_create(rows)
    entry, created = CalendarYear.objects.get_or_create(
        year=year, defaults={"note": note[:200], "created_by": acting_user}
    )
    if not created and note:
        entry.note = note[:200]
        entry.save(update_fields=["note", "updated_at"])
    audit_record(
        action=AuditAction.IMPORT,
        actor=acting_user,
        actor_name="" if acting_user else "ipps calendar import",
        obj=entry,
        changes={
            "year": year,
            "source": source,
            "days": len(rows),
            "days_off": sum(1 for d in days if not d.is_working),
            "working_days": sum(1 for d in days if d.is_working),
            "replaced": replaced,
        },
    )
    _recompute_after_commit()
    return entry
