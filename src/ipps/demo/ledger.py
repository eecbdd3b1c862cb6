"""Demo ledger history: every unit's acts of service from 1 January of last year to today.

The rows go through the bulk import path (`ipps.ledger.importing.write_rows`), so the rollups are
kept as real imports keep them. The mix follows the source's January–November figures: queries
answered far outnumber enterprises served; policy pushes are about twenty times the training
sessions. Rows carry source_type "demo.ledger" and are written once per database: a second run
adds nothing. The same seed on the same day gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ipps.core.audit import audit_record
from ipps.core.choices import AuditAction, ChainStage, Channel, IPType
from ipps.demo.plan import DEFAULT_SEED
from ipps.enterprises.models import Enterprise
from ipps.ledger.choices import RecordKind
from ipps.ledger.importing import write_rows
from ipps.ledger.models import ServiceRecord
from ipps.network.choices import UnitKind
from ipps.network.models import ServiceUnit

SOURCE_TYPE = "demo.ledger"
MARKER_TYPE = "demo"
ROWS_PER_ENTERPRISE = 50  # 3,000 demo enterprises give 150,000 rows

# Shares of the rows; see DOMAIN.md ("Figures reported for January–November").
KIND_WEIGHTS = {
    RecordKind.QUERY_ANSWERED: 825,
    RecordKind.POLICY_PUSHED: 100,
    RecordKind.VISIT: 50,
    RecordKind.CASE_ASSISTED: 10,
    RecordKind.PRODUCT_DELIVERED: 10,
    RecordKind.TRAINING_DELIVERED: 5,
}
# Share of each kind's rows that name the enterprise served.
WITH_ENTERPRISE = {
    RecordKind.QUERY_ANSWERED: 0.35,
    RecordKind.POLICY_PUSHED: 0.6,
    RecordKind.VISIT: 1.0,
    RecordKind.CASE_ASSISTED: 1.0,
    RecordKind.PRODUCT_DELIVERED: 1.0,
    RecordKind.TRAINING_DELIVERED: 0.0,
}
CHANNELS = {
    RecordKind.QUERY_ANSWERED: {
        Channel.PHONE: 35,
        Channel.PORTAL: 25,
        Channel.WECHAT: 20,
        Channel.WALK_IN: 12,
        Channel.EMAIL: 5,
        Channel.API: 3,
    },
    RecordKind.POLICY_PUSHED: {Channel.WECHAT: 50, Channel.EMAIL: 30, Channel.PORTAL: 20},
    RecordKind.VISIT: {Channel.VISIT: 1},
    RecordKind.CASE_ASSISTED: {Channel.WALK_IN: 40, Channel.VISIT: 30, Channel.REFERRAL: 30},
    RecordKind.PRODUCT_DELIVERED: {Channel.VISIT: 60, Channel.PORTAL: 40},
    RecordKind.TRAINING_DELIVERED: {Channel.WALK_IN: 70, Channel.PORTAL: 30},
}
IP_WEIGHTS = {
    IPType.PATENT: 45,
    IPType.TRADEMARK: 30,
    IPType.COPYRIGHT: 14,
    IPType.TRADE_SECRET: 5,
    IPType.GEOGRAPHICAL_INDICATION: 3,
    IPType.OTHER: 3,
}
STAGE_WEIGHTS = {
    ChainStage.CREATION: 35,
    ChainStage.PROTECTION: 25,
    ChainStage.UTILISATION: 20,
    ChainStage.MANAGEMENT: 12,
    ChainStage.SERVICES: 8,
}
# Workstations answer most queries; each district centre does more than one workstation.
UNIT_WEIGHTS = {
    UnitKind.WORKSTATION: 10,
    UnitKind.DISTRICT_CENTRE: 20,
    UnitKind.MUNICIPAL_CENTRE: 30,
}


def ledger_for(enterprises: int) -> int:
    return ROWS_PER_ENTERPRISE * enterprises


@dataclass
class LedgerResult:
    created: int = 0
    seconds: float = 0.0


def _cumulative(weights: dict) -> tuple[list, list[float]]:
    values, cum, total = [], [], 0.0
    for value, weight in weights.items():
        total += weight
        values.append(str(value))
        cum.append(total)
    return values, cum


def plan_ledger(*, seed: int, count: int, today: dt.date):
    """The rows, lazily: (unit_id, enterprise_id, date, kind, ip_type, stage, channel, qty, …)."""
    units = list(
        ServiceUnit.objects.filter(kind__in=list(UNIT_WEIGHTS))
        .order_by("code")
        .values_list("id", "kind", "district")
    )
    if not units or not count:
        return
    by_district: dict[str, list[int]] = defaultdict(list)
    everyone: list[int] = []
    for pk, district in Enterprise.objects.order_by("uscc").values_list("id", "district"):
        by_district[district].append(pk)
        everyone.append(pk)
    rng = random.Random(f"{seed}:ledger")  # noqa: S311 - demo data, not security
    unit_ids = [u[0] for u in units]
    unit_cum = []
    total = 0.0
    for _pk, kind, _district in units:
        total += UNIT_WEIGHTS[kind]
        unit_cum.append(total)
    pools = {pk: by_district.get(district) or everyone for pk, _kind, district in units}
    kinds, kind_cum = _cumulative(KIND_WEIGHTS)
    ips, ip_cum = _cumulative(IP_WEIGHTS)
    stages, stage_cum = _cumulative(STAGE_WEIGHTS)
    channels = {str(k): _cumulative(w) for k, w in CHANNELS.items()}
    with_enterprise = {str(k): share for k, share in WITH_ENTERPRISE.items()}
    start = dt.date(today.year - 1, 1, 1)
    span = (today - start).days + 1
    days = [start + dt.timedelta(days=d) for d in range(span)]
    choices = rng.choices
    for i in range(count):
        # Activity grows over the period and drops at weekends.
        day = days[min(span - 1, int(span * rng.random() ** 0.85))]
        if day.weekday() >= 5 and rng.random() < 0.8:
            day = days[min(span - 1, int(span * rng.random() ** 0.85))]
        unit_id = choices(unit_ids, cum_weights=unit_cum)[0]
        kind = choices(kinds, cum_weights=kind_cum)[0]
        channel_values, channel_cum = channels[kind]
        channel = choices(channel_values, cum_weights=channel_cum)[0]
        ip_type = choices(ips, cum_weights=ip_cum)[0]
        stage = choices(stages, cum_weights=stage_cum)[0]
        enterprise_id = None
        quantity = 1
        pool = pools[unit_id]
        if pool and rng.random() < with_enterprise[kind]:
            # Skewed: some enterprises come back often, many are served once or never.
            enterprise_id = pool[int(len(pool) * rng.random() ** 2)]
        elif kind == RecordKind.QUERY_ANSWERED:
            quantity = rng.randint(1, 4)  # a day's tally of anonymous hotline queries
        yield (
            unit_id,
            enterprise_id,
            day,
            kind,
            ip_type,
            stage,
            channel,
            quantity,
            SOURCE_TYPE,
            f"{seed}:{i}",
        )


def load_ledger(
    *,
    seed: int = DEFAULT_SEED,
    count: int,
    today: dt.date | None = None,
    acting_user=None,
) -> LedgerResult:
    """Write the demo ledger history once; a database that has it gets nothing new."""
    started = time.monotonic()
    result = LedgerResult()
    today = today or timezone.localdate()
    if not count or ServiceRecord.objects.filter(source_type=SOURCE_TYPE).exists():
        result.seconds = time.monotonic() - started
        return result
    with transaction.atomic():
        result.created = write_rows(plan_ledger(seed=seed, count=count, today=today))
        if result.created:
            audit_record(
                action=AuditAction.IMPORT,
                actor=acting_user,
                actor_name="" if acting_user else "ipps demo",
                object_type=MARKER_TYPE,
                object_id=f"ledger:{seed}",
                object_repr="demo ledger",
                changes={"created": result.created, "seed": seed, "today": today.isoformat()},
            )
    result.seconds = time.monotonic() - started
    return result
