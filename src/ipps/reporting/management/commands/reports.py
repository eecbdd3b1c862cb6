"""ipps reports open [--month YYYY-MM] | remind: the monthly report cycle from the command line."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ipps.reporting import services


def _month(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise CommandError(f"--month must look like 2026-10, not {value!r}.") from None


class Command(BaseCommand):
    help = "Open the monthly reports of a month for every unit that owes one, or send reminders."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["open", "remind"])
        parser.add_argument("--month", help="YYYY-MM (open; default: this month)")

    def handle(self, *args, action, month=None, **options):
        started = time.monotonic()
        if action == "remind":
            count = services.reports_remind()
            self.stdout.write(f"Reminded {count} report(s).")
            return
        first = _month(month) if month else timezone.localdate().replace(day=1)
        count = services.reports_open(month=first)
        self.stdout.write(
            f"Opened {count} report(s) for {first:%Y-%m} in {time.monotonic() - started:.2f} s."
        )
