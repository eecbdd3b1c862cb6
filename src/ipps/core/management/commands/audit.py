from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ipps.core.audit import audit_verify
from ipps.core.models import AuditEvent


class Command(BaseCommand):
    help = "Audit log tools: `verify` walks the hash chain; `head` prints the newest row's hash."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify,head}")
        verify = sub.add_parser(
            "verify", help="Check every row's hash and link; exit 1 at the first break."
        )
        verify.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="ID:HASH",
            help="A row id and hash saved earlier by `ipps audit head`; that row must still exist "
            "unchanged (catches rows cut from the end of the log). May be repeated.",
        )
        sub.add_parser(
            "head",
            help="Print the newest row's id, time and hash, to keep outside the system as an anchor.",
        )

    def handle(self, *args, action, **options):
        if action == "head":
            return self._head()
        anchors = [self._parse_anchor(text) for text in options.get("anchor") or []]
        checked, broken = audit_verify()
        if broken is not None:
            raise CommandError(
                f"Audit chain BROKEN at row {broken.event_id}: {broken.reason} "
                f"({checked} rows before it verified).",
                returncode=1,
            )
        for event_id, digest in anchors:
            found = AuditEvent.objects.filter(pk=event_id).values_list("hash", flat=True).first()
            if found is None:
                raise CommandError(
                    f"Anchor row {event_id} is MISSING: the log was cut after the anchor was taken.",
                    returncode=1,
                )
            if found != digest:
                raise CommandError(
                    f"Anchor row {event_id} has a DIFFERENT hash: the log was rewritten from there on.",
                    returncode=1,
                )
        suffix = f", {len(anchors)} anchor(s) found unchanged" if anchors else ""
        self.stdout.write(f"{checked} rows checked{suffix}. OK")

    def _parse_anchor(self, text: str) -> tuple[int, str]:
        event_id, _sep, digest = text.partition(":")
        if not event_id.strip().isdigit() or len(digest.strip()) != 64:
            raise CommandError(
                f"An anchor is ID:HASH as printed by `ipps audit head`, not {text!r}."
            )
        return int(event_id), digest.strip().lower()

    def _head(self):
        last = AuditEvent.objects.order_by("-id").first()
        if last is None:
            self.stdout.write("The audit log is empty.")
            return
        at = timezone.localtime(last.at).isoformat(timespec="seconds")
        self.stdout.write(f"{last.pk}:{last.hash} {at}")
