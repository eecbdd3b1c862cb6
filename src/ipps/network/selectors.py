"""Reads about the network: the unit directory, one unit's page, its staff and enterprises."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from ipps.network.choices import District, PartnerRegion, UnitKind, UnitStatus
from ipps.network.models import Membership, ServiceUnit
from ipps.network.scope import reaches_unit

ENTERPRISE_PREVIEW = 20


def unit_list(
    *,
    user,
    kind: str | None = None,
    parent: int | None = None,
    district: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> QuerySet[ServiceUnit]:
    """Units the user may list, filtered; the directory is public to every signed-in user."""
    qs = ServiceUnit.objects.visible_to(user).select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if district:
        qs = qs.filter(district=district)
    if status:
        qs = qs.filter(status=status)
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(
            Q(code__icontains=text)
            | Q(name_zh__icontains=text)
            | Q(name_en__icontains=text)
            | Q(host_park__icontains=text)
        )
    return qs.annotate(children_count=Count("children", distinct=True)).order_by("code")


def unit_subtree_ids(unit: ServiceUnit) -> list[int]:
    """The unit and every unit below it."""
    return list(
        ServiceUnit.objects.descendants(unit, include_self=True).values_list("pk", flat=True)
    )


@dataclass
class DistrictGroup:
    district: str
    label: str
    centre: ServiceUnit | None
    centre_matches: bool
    workstations: list[ServiceUnit] = field(default_factory=list)
    workstation_total: int = 0
    workstation_active: int = 0


@dataclass
class Directory:
    """The units as a tree: municipal centre → district centres → workstations, plus partners."""

    municipal: list[ServiceUnit]
    districts: list[DistrictGroup]
    partners: list[ServiceUnit]
    matched: int
    total: int
    filtered: bool

    @property
    def empty(self) -> bool:
        return self.matched == 0


def unit_directory(
    *,
    user,
    kind: str | None = None,
    district: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> Directory:
    """The directory tree, keeping a district's heading when only some of its units match."""
    everything = list(ServiceUnit.objects.visible_to(user).order_by("code"))
    matched_ids = set(
        unit_list(user=user, kind=kind, district=district, status=status, q=q).values_list(
            "pk", flat=True
        )
    )
    ws_total: Counter[str] = Counter()
    ws_active: Counter[str] = Counter()
    for unit in everything:
        if unit.kind == UnitKind.WORKSTATION:
            ws_total[unit.district] += 1
            if unit.status == UnitStatus.ACTIVE:
                ws_active[unit.district] += 1

    order = {code: i for i, code in enumerate(District.values)}
    groups: dict[str, DistrictGroup] = {}

    def group_for(code: str) -> DistrictGroup:
        if code not in groups:
            groups[code] = DistrictGroup(
                district=code,
                label=str(District(code).label) if code in District.values else code,
                centre=None,
                centre_matches=False,
                workstation_total=ws_total[code],
                workstation_active=ws_active[code],
            )
        return groups[code]

    municipal, partners = [], []
    for unit in everything:
        hit = unit.pk in matched_ids
        if unit.kind == UnitKind.MUNICIPAL_CENTRE and hit:
            municipal.append(unit)
        elif unit.kind == UnitKind.PARTNER and hit:
            partners.append(unit)
        elif unit.kind == UnitKind.DISTRICT_CENTRE and hit:
            group = group_for(unit.district)
            group.centre, group.centre_matches = unit, True
        elif unit.kind == UnitKind.WORKSTATION and hit:
            group_for(unit.district).workstations.append(unit)
    centres = {u.district: u for u in everything if u.kind == UnitKind.DISTRICT_CENTRE}
    for code, group in groups.items():
        if group.centre is None:
            group.centre = centres.get(code)
    region_order = {code: i for i, code in enumerate(PartnerRegion.values)}
    districts = sorted(groups.values(), key=lambda g: order.get(g.district, len(order)))
    return Directory(
        municipal=municipal,
        districts=districts,
        partners=sorted(partners, key=lambda u: (region_order.get(u.region, 99), u.code)),
        matched=len(matched_ids),
        total=len(everything),
        filtered=any([kind, district, status, (q or "").strip()]),
    )


def unit_detail(*, user, pk: int) -> ServiceUnit:
    """One unit with its parent; raises Http404 when it does not exist."""
    from django.shortcuts import get_object_or_404

    qs = (
        ServiceUnit.objects.visible_to(user)
        .select_related("parent")
        .annotate(children_count=Count("children", distinct=True))
    )
    return get_object_or_404(qs, pk=pk)


def unit_children(*, user, unit: ServiceUnit) -> QuerySet[ServiceUnit]:
    return (
        ServiceUnit.objects.visible_to(user)
        .filter(parent=unit)
        .annotate(children_count=Count("children", distinct=True))
        .order_by("code")
    )


def unit_staff(*, user, unit: ServiceUnit) -> QuerySet[Membership] | None:
    """The unit's memberships, for users who reach the unit; None means: show only the public profile."""
    if not reaches_unit(user, unit.pk):
        return None
    return Membership.objects.visible_to(user).filter(unit=unit).order_by("role", "user__username")


@dataclass
class UnitEnterprises:
    count: int
    first: list


def unit_enterprises(
    *, user, unit: ServiceUnit, limit: int = ENTERPRISE_PREVIEW
) -> UnitEnterprises:
    """Enterprises the user may see that are served by the unit or any unit below it."""
    from ipps.enterprises.models import Enterprise

    qs = (
        Enterprise.objects.visible_to(user)
        .active()
        .filter(workstation_id__in=unit_subtree_ids(unit))
        .select_related("workstation")
        .order_by("name", "id")
    )
    return UnitEnterprises(count=qs.count(), first=list(qs[:limit]))


def unit_can_change(*, user, unit: ServiceUnit) -> bool:
    return ServiceUnit.objects.restrict(user, "change").filter(pk=unit.pk).exists()


def unit_parent_choices(*, user, unit: ServiceUnit) -> QuerySet[ServiceUnit]:
    """Units this unit may be moved under by `user`: those the user administers, and its current parent."""
    allowed = ServiceUnit.objects.restrict(user, "change").values("pk")
    query = Q(pk__in=allowed)
    if unit.parent_id:
        query |= Q(pk=unit.parent_id)
    return (
        ServiceUnit.objects.visible_to(user)
        .filter(query)
        .filter(kind__in=[UnitKind.MUNICIPAL_CENTRE, UnitKind.DISTRICT_CENTRE])
        .order_by("code")
    )
