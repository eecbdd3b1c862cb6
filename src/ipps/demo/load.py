"""Writing the demo plan into the database: only what is missing, in bulk, in one transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from ipps.accounts.models import User
from ipps.core.audit import audit_record
from ipps.core.choices import AuditAction
from ipps.demo.plan import DEFAULT_ENTERPRISES, DEFAULT_SEED, Plan, build_plan
from ipps.enterprises.models import Enterprise, IPAsset, PriorityListing
from ipps.network.models import Membership, ServiceUnit

DEMO_PASSWORD = "Demo-ipps-2026"  # noqa: S105 - the documented password of the demo logins
BATCH = 500


@dataclass
class DemoResult:
    plan: Plan
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def _unit(spec) -> ServiceUnit:
    return ServiceUnit(
        kind=spec.kind,
        code=spec.code,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        host_park=spec.host_park,
        district=spec.district,
        region=spec.region,
        address=spec.address,
        latitude=Decimal(spec.latitude) if spec.latitude else None,
        longitude=Decimal(spec.longitude) if spec.longitude else None,
        phone=spec.phone,
        email=spec.email,
        opening_hours=spec.opening_hours,
        offers_offline=spec.offers_offline,
        # The demo must keep working when run in a year the calendar package does not know yet
        # (its requests are then flagged "weekends-only calendar").
        calendar_weekend_fallback=True,
        offers_online=spec.offers_online,
        online_url=spec.online_url,
        status=spec.status,
        opened_on=spec.opened_on,
        status_changed_on=spec.status_changed_on,
    )


def _load_units(plan: Plan) -> tuple[dict[str, int], int]:
    ids = dict(ServiceUnit.objects.values_list("code", "id"))
    created = 0
    # Parents before children: one level of the tree per pass.
    pending = [u for u in plan.units if u.code not in ids]
    while pending:
        level = [u for u in pending if u.parent_code is None or u.parent_code in ids]
        if not level:
            missing = ", ".join(sorted({u.parent_code or "" for u in pending}))
            raise RuntimeError(f"demo units refer to missing parents: {missing}")
        parents = {
            p.pk: p for p in ServiceUnit.objects.filter(code__in={u.parent_code for u in level})
        }
        rows = []
        for spec in level:
            unit = _unit(spec)
            if spec.parent_code:
                unit.parent = parents[ids[spec.parent_code]]
            unit.full_clean(validate_unique=False)
            rows.append(unit)
        ServiceUnit.objects.bulk_create(rows, batch_size=BATCH)
        created += len(rows)
        ids = dict(ServiceUnit.objects.values_list("code", "id"))
        done = {u.code for u in level}
        pending = [u for u in pending if u.code not in done]
    return ids, created


def _ids_by(model, key: str, values: list[str]) -> dict[str, int]:
    """{key value: id} for these values, asked in chunks (databases cap query parameters)."""
    ids: dict[str, int] = {}
    for start in range(0, len(values), BATCH):
        chunk = values[start : start + BATCH]
        ids.update(model.objects.filter(**{f"{key}__in": chunk}).values_list(key, "id"))
    return ids


def _load_enterprises(plan: Plan, unit_ids: dict[str, int]) -> tuple[dict[str, int], int]:
    existing = set(_ids_by(Enterprise, "uscc", [e.uscc for e in plan.enterprises]))
    rows = [
        Enterprise(
            uscc=e.uscc,
            name=e.name,
            district=e.district,
            park=e.park,
            workstation_id=unit_ids[e.workstation_code],
            industry_section=e.industry_section,
            industry_division=e.industry_division,
            stage=e.stage,
            size=e.size,
            designations=list(e.designations),
            founded_on=e.founded_on,
            address=e.address,
            contact_name=e.contact_name,
            contact_phone=e.contact_phone,
            contact_email=e.contact_email,
        )
        for e in plan.enterprises
        if e.uscc not in existing
    ]
    Enterprise.objects.bulk_create(rows, batch_size=BATCH)
    return _ids_by(Enterprise, "uscc", [e.uscc for e in plan.enterprises]), len(rows)


def _load_assets(plan: Plan, enterprise_ids: dict[str, int]) -> int:
    ours = set(enterprise_ids.values())
    numbered = set(IPAsset.objects.exclude(number="").values_list("kind", "number"))
    unnumbered = {
        (ent, kind, title)
        for ent, kind, title in IPAsset.objects.filter(number="").values_list(
            "enterprise_id", "kind", "title"
        )
        if ent in ours
    }
    rows = []
    for a in plan.assets:
        ent = enterprise_ids[a.uscc]
        if a.number:
            if (a.kind, a.number) in numbered:
                continue
            numbered.add((a.kind, a.number))
        else:
            if (ent, a.kind, a.title) in unnumbered:
                continue
            unnumbered.add((ent, a.kind, a.title))
        rows.append(
            IPAsset(
                enterprise_id=ent,
                kind=a.kind,
                number=a.number,
                title=a.title,
                filing_date=a.filing_date,
                grant_date=a.grant_date,
                legal_status=a.legal_status,
            )
        )
    IPAsset.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _load_listings(plan: Plan, enterprise_ids: dict[str, int]) -> int:
    years = {li.year for li in plan.listings}
    existing = set(
        PriorityListing.objects.filter(year__in=years).values_list("enterprise_id", "year")
    )
    rows = []
    for li in plan.listings:
        key = (enterprise_ids[li.uscc], li.year)
        if key in existing:
            continue
        existing.add(key)
        rows.append(
            PriorityListing(enterprise_id=key[0], year=li.year, reason=li.reason, source=li.source)
        )
    PriorityListing.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _load_users(
    plan: Plan, unit_ids: dict[str, int], enterprise_ids: dict[str, int]
) -> tuple[int, int]:
    existing = set(User.objects.values_list("username", flat=True))
    new = [u for u in plan.users if u.username not in existing]
    now = timezone.now()
    if new:
        encoded = make_password(DEMO_PASSWORD)  # hashed once: hundreds of hashes take minutes
        User.objects.bulk_create(
            [
                User(
                    username=u.username,
                    full_name=u.full_name,
                    email=f"{u.username}@example.com",
                    password=encoded,
                    is_superuser=u.is_superuser,
                    is_staff=u.is_superuser,
                    enterprise_id=enterprise_ids[u.enterprise_uscc] if u.enterprise_uscc else None,
                    password_changed_at=now,
                )
                for u in new
            ],
            batch_size=BATCH,
        )
    user_ids = _ids_by(User, "username", [u.username for u in plan.users])
    have = set(Membership.objects.values_list("user_id", "unit_id", "role"))
    rows = []
    for u in plan.users:
        for unit_code, role in u.roles:
            key = (user_ids[u.username], unit_ids[unit_code], role)
            if key not in have:
                have.add(key)
                rows.append(Membership(user_id=key[0], unit_id=key[1], role=role))
    Membership.objects.bulk_create(rows, batch_size=BATCH)
    return len(new), len(rows)


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    enterprises: int = DEFAULT_ENTERPRISES,
    year: int | None = None,
    acting_user=None,
) -> DemoResult:
    """Create whatever of the demo network is missing; a second run creates nothing."""
    started = time.monotonic()
    year = year or timezone.localdate().year
    plan = build_plan(seed=seed, enterprises=enterprises, year=year)
    with transaction.atomic():
        unit_ids, units = _load_units(plan)
        enterprise_ids, ents = _load_enterprises(plan, unit_ids)
        assets = _load_assets(plan, enterprise_ids)
        listings = _load_listings(plan, enterprise_ids)
        users, memberships = _load_users(plan, unit_ids, enterprise_ids)
        result = DemoResult(
            plan=plan,
            created={
                "units": units,
                "enterprises": ents,
                "ip_assets": assets,
                "priority_listings": listings,
                "users": users,
                "memberships": memberships,
            },
        )
        if result.created_anything:
            audit_record(
                action=AuditAction.IMPORT,
                actor=acting_user,
                actor_name="" if acting_user else "ipps demo",
                object_type="demo",
                object_repr="demo network",
                changes={
                    "created": result.created,
                    "seed": seed,
                    "enterprises": enterprises,
                    "priority_year": year,
                    "plan_digest": plan.digest(),
                },
            )
    result.seconds = time.monotonic() - started
    return result
