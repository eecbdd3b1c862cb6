"""ipps ledger rebuild | verify: the rollups against the rows."""

import time

from django.core.management.base import BaseCommand, CommandError

from ipps.ledger import rollups


class Command(BaseCommand):
    help = "Rebuild the ledger's rollups from its rows, or verify that they agree."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "verify"])
        parser.add_argument("--limit", type=int, default=50, help="differences to list at most")

    def handle(self, *args, action, limit, **options):
        started = time.monotonic()
        if action == "rebuild":
            cells, pairs = rollups.rebuild()
            self.stdout.write(
                f"Rebuilt {cells} rollup cells and {pairs} enterprise-month rows "
                f"in {time.monotonic() - started:.1f} s."
            )
            return
        differences = rollups.verify(limit=limit)
        if differences:
            for difference in differences:
                self.stderr.write(str(difference))
            raise CommandError(
                f"The rollups disagree with the ledger rows ({len(differences)} difference(s)"
                f"{' or more' if len(differences) >= limit else ''}); run `ipps ledger rebuild`."
            )
        self.stdout.write(
            f"OK: the rollups equal the ledger rows ({time.monotonic() - started:.1f} s)."
        )
