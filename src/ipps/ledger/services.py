"""Writing the ledger. Called by the service functions that do the work, inside their transaction."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction

from ipps.core.prepared import Prepared, build, insert
from ipps.ledger import rollups
from ipps.ledger.models import ServiceRecord


def _source_key(source: models.Model) -> tuple[str, str]:
    return source._meta.label_lower, str(source.pk)


def _original(source_type, source_id, kind):
    return ServiceRecord.objects.select_for_update().filter(
        source_type=source_type, source_id=source_id, kind=kind, reverses__isnull=True
    )


_ORIGINAL = Prepared(_original)  # every act of service looks for its first row: compiled once


@transaction.atomic(savepoint=False)
def ledger_record(
    *,
    source: models.Model,
    kind: str,
    unit,
    date: dt.date,
    enterprise=None,
    ip_type: str = "",
    chain_stage: str = "",
    channel: str = "",
    quantity: int = 1,
) -> tuple[ServiceRecord, bool]:
    """Count an act once: a second call for the same source and kind returns the first row.

    A source whose row was reversed (archived, then restored) is counted again by a new row that
    reverses the reversal, so that the sum over a source is always 0 or its quantity.
    """
    source_type, source_id = _source_key(source)
    # At most one original per source and kind (a unique constraint).
    original = _ORIGINAL.first(source_type=source_type, source_id=source_id, kind=kind)
    if original is None:
        record = build(
            ServiceRecord,
            unit=unit,
            enterprise=enterprise,
            date=date,
            kind=kind,
            ip_type=ip_type,
            chain_stage=chain_stage,
            channel=channel,
            quantity=quantity,
            source_type=source_type,
            source_id=source_id,
        )
        insert(record)
        rollups.apply([record])
        return record, True
    net = ledger_net(source=source, kind=kind)
    if net:
        return original, False
    last_reversal = _chain_end(original)
    record = _reversal_of(last_reversal)
    return record, True


def _chain_end(record: ServiceRecord) -> ServiceRecord:
    while True:
        nxt = ServiceRecord.objects.filter(reverses=record).first()
        if nxt is None:
            return record
        record = nxt


def _reversal_of(record: ServiceRecord) -> ServiceRecord:
    reversal = ServiceRecord(
        unit_id=record.unit_id,
        enterprise_id=record.enterprise_id,
        date=record.date,
        kind=record.kind,
        ip_type=record.ip_type,
        chain_stage=record.chain_stage,
        channel=record.channel,
        quantity=-record.quantity,
        source_type=record.source_type,
        source_id=record.source_id,
        reverses=record,
    )
    reversal.save()
    rollups.apply([reversal])
    return reversal


def ledger_net(*, source: models.Model, kind: str) -> int:
    source_type, source_id = _source_key(source)
    total = ServiceRecord.objects.filter(
        source_type=source_type, source_id=source_id, kind=kind
    ).aggregate(total=models.Sum("quantity"))["total"]
    return total or 0


@transaction.atomic
def ledger_reverse(*, source: models.Model, kind: str) -> ServiceRecord | None:
    """Take an act out of the counts (its source was archived): a reversing row, never a delete."""
    source_type, source_id = _source_key(source)
    original = (
        ServiceRecord.objects.select_for_update()
        .filter(source_type=source_type, source_id=source_id, kind=kind, reverses__isnull=True)
        .first()
    )
    if original is None or not ledger_net(source=source, kind=kind):
        return None
    return _reversal_of(_chain_end(original))
