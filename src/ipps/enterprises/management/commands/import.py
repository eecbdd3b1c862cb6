"""`ipps import enterprises FILE [--partial] [--user USERNAME] [--report PATH]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ipps.core.errors import ServiceError
from ipps.enterprises.importing import (
    ImportReport,
    enterprises_import,
    report_csv,
    report_xlsx,
)

REPORT_FORMATS = (".xlsx", ".csv", ".json")


class Command(BaseCommand):
    help = (
        "Import records from an office spreadsheet (.xlsx or .csv). All-or-nothing unless "
        "--partial; exits with 1 when the import is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["enterprises"], help="What the file holds.")
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument(
            "--partial", action="store_true", help="Import the good rows and report the bad ones."
        )
        parser.add_argument(
            "--user",
            help="Import as this user, within their editing scope (default: the whole network).",
        )
        parser.add_argument(
            "--report", help="Write the full report here (.xlsx, .csv or .json by extension)."
        )
        parser.add_argument(
            "--show", type=int, default=20, help="How many errors to print (default 20)."
        )

    def handle(self, *args, kind, file, partial, user, report, show, **options):
        acting_user = None
        if user:
            acting_user = get_user_model().objects.filter(username=user, is_active=True).first()
            if acting_user is None:
                raise CommandError(_("There is no active user “%(name)s”.") % {"name": user})
        report_path = Path(report) if report else None
        if report_path is not None and report_path.suffix.lower() not in REPORT_FORMATS:
            raise CommandError(_("The report is written as .xlsx, .csv or .json."))
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        verbose = options.get("verbosity", 1) >= 2

        def progress(phase: str, done: int, total: int | None) -> None:
            if verbose:
                sys.stderr.write(f"\r{phase}: {done}/{total or '?'}")

        try:
            with path.open("rb") as handle:
                result = enterprises_import(
                    file=handle,
                    file_name=path.name,
                    partial=partial,
                    acting_user=acting_user,
                    progress=progress,
                )
        except ServiceError as exc:
            if report_path is not None:
                body = {
                    "status": "refused",
                    "file_error": {"code": exc.code, "message": exc.message},
                }
                self._write_report(report_path, body)
            raise CommandError(
                _("Import refused: %(message)s") % {"message": exc.message}, returncode=1
            ) from None
        if verbose:
            sys.stderr.write("\n")
        self._summary(result, show)
        if report_path is not None:
            self._write_report(report_path, result.as_dict())
            self.stdout.write(_("Full report written to %(path)s.") % {"path": report_path})
        if result.status != "imported":
            raise CommandError(
                _("Import refused: %(n)d rows have errors; nothing was written.")
                % {"n": result.error_count},
                returncode=1,
            )

    def _summary(self, result: ImportReport, show: int) -> None:
        self.stdout.write(
            _(
                "%(file)s: %(rows)d rows read, %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged, %(skipped)d blank rows skipped, %(errors)d errors."
            )
            % {
                "file": result.file_name,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
                "errors": result.error_count,
            }
        )
        for error in result.errors[:show]:
            self.stdout.write(
                _("Row %(row)s, %(column)s “%(value)s”: %(message)s")
                % {
                    "row": error.row,
                    "column": error.column or "—",
                    "value": error.value,
                    "message": error.message,
                }
            )
        if result.error_count > show:
            self.stdout.write(
                _("… and %(n)d more errors.")
                % {"n": result.error_count - min(show, len(result.errors))}
            )
        if result.status == "imported":
            self.stdout.write(self.style.SUCCESS(_("Imported.")))

    def _write_report(self, path: Path, body: dict) -> None:
        suffix = path.suffix.lower()
        if suffix == ".json":
            path.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
        elif suffix == ".csv":
            path.write_bytes(report_csv(body))
        else:
            path.write_bytes(report_xlsx(body))
