"""`ipps calendar import FILE --year 2027` and `ipps calendar show --month 2026-10`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ipps.core.calendar_services import (
    CalendarImportError,
    calendar_year_import,
    parse_year,
    read_rows,
)
from ipps.core.calendar_views import month_grid, parse_month
from ipps.core.errors import ServiceError

REASON_SHORT = {
    "workday": "",
    "weekend": "-",
    "holiday": "H",
    "makeup_workday": "M",
    "override_day_off": "O",
    "override_workday": "W",
}


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # Translated when asked, in the language then active; argparse cannot format a lazy one.
        return _(
            "The working calendar: import a year's holidays and make-up workdays from a file, or show "
            "a month."
        )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help=_(
                "Import a whole year's list of days (.csv or .xlsx; columns: date, working, "
                "reason), all or nothing."
            ),
        )
        imp.add_argument("file", help=_("The .csv or .xlsx file."))
        imp.add_argument("--year", type=int, required=True, help=_("The year the file lists."))
        imp.add_argument("--note", default="", help=_("A note kept with the year (the source)."))
        show = sub.add_parser("show", help=_("Print a month of the working calendar."))
        show.add_argument(
            "--month", default="", help=_("The month as YYYY-MM (default: this one).")
        )

    def handle(self, *args, **options):
        if options["action"] == "import":
            self._import(options)
        else:
            self._show(options)

    def _import(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        year = options["year"]
        try:
            days = parse_year(read_rows(path), year)
            calendar_year_import(
                year=year, days=days, note=options["note"] or path.name, source=path.name
            )
        except CalendarImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from exc
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        off = sum(1 for d in days if not d.is_working)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(year)d imported: %(n)d days listed (%(off)d days off, %(on)d working days); "
                    "the year is marked as entered."
                )
                % {"year": year, "n": len(days), "off": off, "on": len(days) - off}
            )
        )

    def _show(self, options):
        first = parse_month(options["month"])
        if options["month"] and first.strftime("%Y-%m") != options["month"].strip()[:7]:
            raise CommandError(_("Give the month as YYYY-MM."))
        grid = month_grid(first)
        write = self.stdout.write
        write(first.strftime("%Y-%m"))
        if grid["missing"]:
            write(self.style.WARNING(grid["missing"].message))
        write("  ".join(f"{d:>4}" for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")))
        for week in grid["weeks"]:
            cells = []
            for cell in week:
                info = cell["info"]
                if not cell["inside"]:
                    cells.append("    ")
                    continue
                cells.append(f"{info.date.day:>3}{REASON_SHORT.get(info.reason, '')}".ljust(4))
            write("  ".join(cells))
        write(
            _("Working days: %(w)d; days off: %(o)d.")
            % {"w": grid["working_days"], "o": grid["days_off"]}
        )
        write(
            _(
                "H holiday, M make-up workday, O day off by override, W working day by override, - weekend."
            )
        )
        listed = [
            d
            for week in grid["weeks"]
            for cell in week
            if cell["inside"] and (d := cell["info"]).label
        ]
        for info in listed:
            write(f"  {info.date.isoformat()}  {info.reason:<17} {info.label}")
