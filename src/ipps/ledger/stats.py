"""Network statistics: the one selector layer behind dashboards, the stats API, exports and reports.

Every figure is computed here, one way only, and reads the rollup tables (`LedgerRollup`,
`EnterpriseMonth`), never a GROUP BY over the ledger rows — except for the days of a period's
partial first or last month (a custom range such as 15 March – 10 April), which the monthly
rollups cannot answer; those days come from the rows of at most two months, through the
(unit, date) index. Whole-month periods read the rollups only. `ledger_rows` gives the rows
behind any figure.

Scope is decided once, in `scope_units` (through `ipps.network.scope.unit_ids_for`, the same rule
as `ServiceRecord.objects.visible_to`): a unit outside the user's reach answers 404, and every
query below is restricted to that unit's subtree. These functions never write.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ipps.casework.choices import OPEN_STATUSES
from ipps.casework.models import ServiceRequest
from ipps.core.choices import ChainStage, Channel, IPType
from ipps.core.errors import ServiceError
from ipps.enterprises.models import PriorityListing
from ipps.ledger.choices import RecordKind
from ipps.ledger.models import (
    EnterpriseMonth,
    LedgerMonthly,
    LedgerRollup,
    ServiceRecord,
    SubtreeEnterpriseMonth,
    SubtreeEnterpriseYear,
    SubtreeRollup,
)
from ipps.ledger.rollups import has_subtree_rows
from ipps.network.choices import UnitKind
from ipps.network.models import ServiceUnit
from ipps.network.scope import unit_ids_for

GROUP_KEYS = ("month", "unit", "kind", "ip_type", "chain_stage", "channel")
MAX_YEARS = 20
# The dates a period may take (the year before is reachable for comparisons): the network's
# records are recent, and dates near year 1 or 9999 have no month before or after them.
EARLIEST, LATEST = dt.date(1901, 1, 1), dt.date(2100, 12, 31)
# The dashboard's tiles that count ledger quantities, in display order.
KIND_TILES = (
    ("queries_answered", RecordKind.QUERY_ANSWERED),
    ("cases_assisted", RecordKind.CASE_ASSISTED),
    ("visits", RecordKind.VISIT),
    ("training_delivered", RecordKind.TRAINING_DELIVERED),
    ("policy_pushed", RecordKind.POLICY_PUSHED),
    ("product_delivered", RecordKind.PRODUCT_DELIVERED),
)
_FILTER_CHOICES = {
    "kind": RecordKind,
    "ip_type": IPType,
    "chain_stage": ChainStage,
    "channel": Channel,
}


# Periods ----------------------------------------------------------------------------------------


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _shift_year(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February, a month end stays a month end."""
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    if day == _month_end(day):
        return dt.date(year, day.month, last)
    return dt.date(year, day.month, min(day.day, last))


@dataclass(frozen=True)
class Period:
    """Inclusive range of local (Asia/Shanghai) dates."""

    start: dt.date
    end: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        _check_date(first, "month")
        return cls(first, _month_end(first))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = dt.date(year, 3 * (quarter - 1) + 1, 1)
        return cls(first, _month_end(_add_months(first, 2)))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def custom(cls, start: dt.date, end: dt.date) -> Period:
        return parse_period(start, end)

    @classmethod
    def year_to_date(cls, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(dt.date(today.year, 1, 1), today)

    def previous_year(self) -> Period:
        return Period(_shift_year(self.start, -1), _shift_year(self.end, -1))

    def months(self) -> list[dt.date]:
        """First day of every month the period touches, in order."""
        first, last = self.start.replace(day=1), self.end.replace(day=1)
        count = (last.year - first.year) * 12 + last.month - first.month + 1
        return [_add_months(first, i) for i in range(count)]

    def whole_months(self) -> tuple[dt.date, dt.date] | None:
        """(first, last) month wholly inside the period, or None."""
        first = self.start if self.start.day == 1 else _add_months(self.start.replace(day=1), 1)
        last = self.end.replace(day=1)
        if self.end != _month_end(self.end):
            last = _add_months(last, -1)
        return (first, last) if first <= last else None

    def partial_ranges(self) -> list[tuple[dt.date, dt.date]]:
        """The (start, end) days of the period's partial months, each inside one month."""
        if self.start.replace(day=1) == self.end.replace(day=1):
            whole = self.start.day == 1 and self.end == _month_end(self.end)
            return [] if whole else [(self.start, self.end)]
        ranges = []
        if self.start.day != 1:
            ranges.append((self.start, _month_end(self.start)))
        if self.end != _month_end(self.end):
            ranges.append((self.end.replace(day=1), self.end))
        return ranges

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first instant, first instant after) of the period in the local time zone."""
        tz = timezone.get_default_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )


def _check_date(day: dt.date, field: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise ServiceError(
            "bad_period",
            _("Dates must lie between %(first)s and %(last)s.")
            % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
            field=field,
            status=422,
        )


def parse_period(start: dt.date | None, end: dt.date | None) -> Period:
    """A period from optional `from`/`to` dates: missing start = 1 January of the end's year,
    missing end = today (local date)."""
    for field, day in (("from", start), ("to", end)):
        if day is not None:
            _check_date(day, field)
    end = end or timezone.localdate()
    start = start or dt.date(end.year, 1, 1)
    if end < start:
        raise ServiceError(
            "bad_period", _("The end date is before the start date."), field="to", status=422
        )
    if end >= _shift_year(start, MAX_YEARS):
        raise ServiceError(
            "bad_period",
            _("A period can cover at most %(years)d years.") % {"years": MAX_YEARS},
            field="from",
            status=422,
        )
    return Period(start, end)


# Scope ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitInfo:
    id: int
    parent_id: int | None
    code: str
    kind: str
    name_zh: str
    name_en: str

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh


@dataclass
class Scope:
    """A unit the user reaches, its subtree and its children (for grouping by unit)."""

    unit: UnitInfo
    ids: frozenset[int]
    children: list[UnitInfo]
    child_subtrees: dict[int, frozenset[int]]
    units: dict[int, UnitInfo]
    whole_network: bool  # the subtree is every unit: no unit filter needed

    def unit_filter(self, column: str = "unit_id") -> Q:
        return Q() if self.whole_network else Q(**{f"{column}__in": self.ids})

    def bucket(self, column: str = "unit_id"):
        """SQL expression: the child whose subtree holds the row's unit, else the unit itself."""
        whens = [
            When(**{f"{column}__in": self.child_subtrees[c.id]}, then=Value(c.id))
            for c in self.children
        ]
        if not whens:
            return Value(self.unit.id, output_field=IntegerField())
        return Case(*whens, default=Value(self.unit.id), output_field=IntegerField())


def _load_tree() -> dict[int, UnitInfo]:
    return {
        row[0]: UnitInfo(*row)
        for row in ServiceUnit.objects.order_by().values_list(
            "id", "parent_id", "code", "kind", "name_zh", "name_en"
        )
    }


def _subtree(root: int, children: dict[int | None, list[int]]) -> frozenset[int]:
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(children.get(node, ()))
    return frozenset(seen)


def _depth(unit_id: int, units: dict[int, UnitInfo]) -> int:
    depth, node = 0, units[unit_id]
    while node.parent_id is not None and depth < len(units):
        depth, node = depth + 1, units[node.parent_id]
    return depth


def resolve_scope(*, user, unit: Any = None) -> Scope:
    """The scope of a statistic: `unit` (an id or a unit; default the user's topmost unit) and its
    subtree. Http404 when the unit does not exist or lies outside the user's reach, and for
    anonymous and portal (enterprise) users."""
    if user is None or not user.is_authenticated or getattr(user, "enterprise_id", None):
        raise Http404
    reach = unit_ids_for(user)
    units = _load_tree()
    if unit in (None, ""):
        candidates = list(units) if reach is None else [u for u in reach if u in units]
        if not candidates:
            raise Http404
        municipal = UnitKind.MUNICIPAL_CENTRE
        unit_id = min(
            candidates,
            key=lambda u: (_depth(u, units), units[u].kind != municipal, units[u].code),
        )
    else:
        try:
            unit_id = int(getattr(unit, "pk", unit))
        except (TypeError, ValueError):
            raise Http404 from None
        if unit_id not in units or (reach is not None and unit_id not in reach):
            raise Http404
    children_map: dict[int | None, list[int]] = defaultdict(list)
    for info in units.values():
        children_map[info.parent_id].append(info.id)
    ids = _subtree(unit_id, children_map)
    children = sorted((units[c] for c in children_map.get(unit_id, ())), key=lambda u: u.code)
    return Scope(
        unit=units[unit_id],
        ids=ids,
        children=children,
        child_subtrees={c.id: _subtree(c.id, children_map) for c in children},
        units=units,
        whole_network=len(ids) == len(units),
    )


def scope_units(*, user, unit: Any = None) -> frozenset[int]:
    """Ids of `unit`'s subtree, which the user may see; Http404 if the user does not reach it."""
    return resolve_scope(user=user, unit=unit).ids


def _scope(user, unit) -> Scope:
    return unit if isinstance(unit, Scope) else resolve_scope(user=user, unit=unit)


# Filters ----------------------------------------------------------------------------------------


def _values(name: str, value: str | Iterable[str] | None) -> list[str]:
    """A filter's values (one, a comma-separated list, or a list), checked against its choices."""
    if value in (None, ""):
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    items = [str(v).strip() for v in items if str(v).strip()]
    choices = _FILTER_CHOICES[name]
    for item in items:
        if item not in choices.values:
            raise ServiceError(
                "bad_filter",
                _("Unknown %(field)s “%(value)s”; use one of: %(choices)s.")
                % {"field": name, "value": item, "choices": ", ".join(choices.values)},
                field=name,
                status=422,
            )
    return items


def _filters(**filters) -> Q:
    q = Q()
    for name, value in filters.items():
        values = _values(name, value)
        if values:
            q &= Q(**{f"{name}__in": values})
    return q


def parse_group_by(group_by: str | Sequence[str] | None) -> tuple[str, ...]:
    if not group_by:
        return ()
    items = group_by.split(",") if isinstance(group_by, str) else list(group_by)
    keys: list[str] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        if item not in GROUP_KEYS:
            raise ServiceError(
                "bad_group_by",
                _("Cannot group by “%(value)s”; use any of: %(choices)s.")
                % {"value": item, "choices": ", ".join(GROUP_KEYS)},
                field="group_by",
                status=422,
            )
        if item not in keys:
            keys.append(item)
    return tuple(keys)


def _partial_month(ranges: list[tuple[dt.date, dt.date]]):
    """SQL expression: the month (first day) of a row dated inside one of the partial ranges."""
    whens = [
        When(date__range=(a, b), then=Value(a.replace(day=1), output_field=DateField()))
        for a, b in ranges
    ]
    return Case(*whens, output_field=DateField())


def _partial_q(ranges: list[tuple[dt.date, dt.date]]) -> Q:
    q = Q()
    for a, b in ranges:
        q |= Q(date__range=(a, b))
    return q


def _split(period: Period) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """(whole months, partial day ranges) to read: a partial month whose left-out days hold no
    ledger row at all (the usual "year to date": nothing is dated after today) reads as a whole
    month from the rollups — exactly the same sums, without scanning the month's rows. One
    round trip of index probes decides it."""
    whole = period.whole_months()
    ranges = period.partial_ranges()
    if not ranges:
        return whole, []
    probes, params = [], []
    units = _all_unit_ids()
    for start, end in ranges:
        month = start.replace(day=1)
        # Two probes, not one with OR: each is then an index range per unit.
        for outside in (
            Q(date__gte=month, date__lt=start),
            Q(date__gt=end, date__lte=_month_end(month)),
        ):
            sql, p = (
                ServiceRecord.objects.filter(outside, unit_id__in=units)
                .order_by()
                .values("id")[:1]
                .query.sql_with_params()
            )
            probes.append(f"EXISTS ({sql})")
            params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(probes), params)  # noqa: S608 - built by the ORM
        answers = cursor.fetchone()
    found = [before or after for before, after in zip(answers[::2], answers[1::2], strict=True)]
    partial = []
    for (start, end), rows_outside in zip(ranges, found, strict=True):
        if rows_outside:
            partial.append((start, end))
        else:
            month = start.replace(day=1)
            whole = (min(whole[0], month), max(whole[1], month)) if whole else (month, month)
    return whole, partial


def _all_unit_ids():
    """Every unit's id, as a subquery. The ledger's only date index leads with the unit, so a
    probe for "any row in these days" names every unit: one index range per unit instead of a
    scan of every row (PostgreSQL does not skip-scan; at 10,000,000 rows the scan cost 0.6 s a
    probe)."""
    return ServiceUnit.objects.order_by().values("id")


def _whole_years(whole: tuple[dt.date, dt.date] | None) -> tuple[int, int] | None:
    """The calendar years the whole months cover exactly — counting a year's trailing months
    that hold no ledger row (this year's future) — or None."""
    if whole is None or whole[0].month != 1:
        return None
    first, last = whole
    if last.month != 12:
        after = ServiceRecord.objects.filter(
            date__gt=_month_end(last),
            date__lte=dt.date(last.year, 12, 31),
            unit_id__in=_all_unit_ids(),
        )
        if after.exists():
            return None
    return first.year, last.year


# Totals -----------------------------------------------------------------------------------------


def totals(
    *,
    user,
    unit: Any = None,
    period: Period,
    kind: str | Iterable[str] | None = None,
    group_by: str | Sequence[str] = (),
    ip_type: str | Iterable[str] | None = None,
    chain_stage: str | Iterable[str] | None = None,
    channel: str | Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Net quantity and ledger-row count, grouped by any of GROUP_KEYS.

    "unit" groups by the unit's children (each child's whole subtree under the child) plus the
    unit's own rows under the unit itself; "month" yields every month of the period (0 when empty).
    Rows: {<group key>: value, …, "quantity": int, "records": int}.
    """
    scope = _scope(user, unit)
    keys = parse_group_by(group_by)
    q = scope.unit_filter() & _filters(
        kind=kind, ip_type=ip_type, chain_stage=chain_stage, channel=channel
    )
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])

    def add(qs: QuerySet, month, records, bucket=None) -> None:
        if "unit" in keys:
            qs = qs.annotate(g_unit=bucket if bucket is not None else scope.bucket())
        if "month" in keys:
            qs = qs.annotate(g_month=month)
        columns = [{"month": "g_month", "unit": "g_unit"}.get(k, k) for k in keys]
        for row in qs.values(*columns).annotate(q=Sum("quantity"), n=records).order_by():
            cell = cells[tuple(_date(row[c]) if c == "g_month" else row[c] for c in columns)]
            cell[0] += row["q"] or 0
            cell[1] += row["n"] or 0

    whole, partial = _split(period)
    if whole:
        # The unit × month × kind table is small; the full breakdown only when one is asked for,
        # from the subtree table: the scope's (or its children's) own cells, not every unit's.
        fine = bool(ip_type or chain_stage or channel) or bool(
            set(keys) - {"month", "unit", "kind"}
        )
        if not fine:
            add(
                LedgerMonthly.objects.filter(q, month__range=whole), F("month"), Sum("record_count")
            )
        else:
            dims = _filters(kind=kind, ip_type=ip_type, chain_stage=chain_stage, channel=channel)
            if "unit" not in keys:
                if has_subtree_rows(scope.unit.kind):
                    own = SubtreeRollup.objects.filter(dims, root_id=scope.unit.id)
                else:  # a workstation: its subtree is itself
                    own = LedgerRollup.objects.filter(dims, unit_id=scope.unit.id)
                add(own.filter(month__range=whole), F("month"), Sum("record_count"))
            else:
                inner, units = _children_by_table(scope)
                if inner:
                    add(
                        SubtreeRollup.objects.filter(dims, root_id__in=inner, month__range=whole),
                        F("month"),
                        Sum("record_count"),
                        bucket=F("root_id"),
                    )
                add(
                    LedgerRollup.objects.filter(dims, unit_id__in=units, month__range=whole),
                    F("month"),
                    Sum("record_count"),
                    bucket=F("unit_id"),
                )
    if partial:
        add(
            ServiceRecord.objects.filter(q, _partial_q(partial)),
            _partial_month(partial),
            Count("id"),
        )
    return _fill(cells, keys, scope, period)


def _children_by_table(scope: Scope) -> tuple[list[int], list[int]]:
    """The scope's children whose subtrees the subtree tables hold, and the units whose figures
    come from the per-unit tables: the children that keep no subtree rows, and the scope's own
    unit (its own rows, not its subtree's)."""
    inner = [c.id for c in scope.children if has_subtree_rows(c.kind)]
    units = [c.id for c in scope.children if not has_subtree_rows(c.kind)]
    return inner, [*units, scope.unit.id]


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _fill(cells: dict, keys: tuple[str, ...], scope: Scope, period: Period) -> list[dict]:
    """Rows for every month of the period and every child unit, observed combinations otherwise."""
    if not keys:
        quantity, records = cells.get((), (0, 0))
        return [{"quantity": quantity, "records": records}]
    fixed = {
        "month": period.months(),
        "unit": [c.id for c in scope.children] or [scope.unit.id],
    }
    fixed_keys = [k for k in keys if k in fixed]
    other_keys = [k for k in keys if k not in fixed]
    seen_fixed: dict[str, set] = {k: set() for k in fixed_keys}
    others = set()
    for cell in cells:
        values = dict(zip(keys, cell, strict=True))
        for k in fixed_keys:
            seen_fixed[k].add(values[k])
        others.add(tuple(values[k] for k in other_keys))
    if not other_keys:
        others = {()}
    axes = []
    for k in fixed_keys:
        axis = list(fixed[k])
        axis += sorted(v for v in seen_fixed[k] if v not in axis)  # the unit's own rows
        axes.append(axis)
    rows = []
    for combo in itertools.product(*axes, sorted(others)):
        *fixed_values, other_values = combo
        values = dict(zip(fixed_keys, fixed_values, strict=True))
        values.update(zip(other_keys, other_values, strict=True))
        quantity, records = cells.get(tuple(values[k] for k in keys), (0, 0))
        rows.append({**{k: values[k] for k in keys}, "quantity": quantity, "records": records})
    order = {u.id: (u.code,) for u in scope.units.values()}
    rows.sort(key=lambda r: tuple(order.get(r[k], ()) if k == "unit" else r[k] for k in keys))
    return rows


def total_of(rows: list[dict]) -> tuple[int, int]:
    return sum(r["quantity"] for r in rows), sum(r["records"] for r in rows)


# Distinct enterprises ---------------------------------------------------------------------------


def _enterprise_sql(scope: Scope, period: Period, kind, by_child: bool) -> tuple[str, list]:
    """(bucket, enterprise_id, quantity) rows from EnterpriseMonth (whole months) and the ledger
    rows of the partial months, as one UNION ALL."""
    q = scope.unit_filter() & _filters(kind=kind)
    kinds = _filters(kind=kind)
    parts: list[QuerySet] = []
    whole, partial = _split(period)
    years = _whole_years(whole) if not kind else None
    if whole:
        # Whole calendar years, all kinds: the yearly table, one row per enterprise and unit (it
        # has rows for every unit). Otherwise the monthly subtree table, and for units without
        # subtree rows (workstations) the per-unit monthly table. The scope's own rows (not its
        # subtree's): the per-unit monthly table.
        if years:
            subtree = SubtreeEnterpriseYear.objects.filter(year__range=years)
        else:
            subtree = SubtreeEnterpriseMonth.objects.filter(kinds, month__range=whole)
        per_unit = EnterpriseMonth.objects.filter(kinds, month__range=whole)
        if by_child:
            inner, units = _children_by_table(scope)
            if years:  # every child from the yearly table; the unit's own rows as before
                inner, units = [c.id for c in scope.children], [scope.unit.id]
            if inner:
                parts.append(subtree.filter(root_id__in=inner).annotate(g_unit=F("root_id")))
            parts.append(per_unit.filter(unit_id__in=units).annotate(g_unit=F("unit_id")))
        elif years or has_subtree_rows(scope.unit.kind):
            parts.append(
                subtree.filter(root_id=scope.unit.id).annotate(g_unit=Value(0, IntegerField()))
            )
        else:
            parts.append(
                per_unit.filter(unit_id=scope.unit.id).annotate(g_unit=Value(0, IntegerField()))
            )
    if partial:
        parts.append(
            ServiceRecord.objects.filter(
                q, _partial_q(partial), enterprise_id__isnull=False
            ).annotate(g_unit=scope.bucket() if by_child else Value(0, IntegerField()))
        )
    sqls, params = [], []
    for qs in parts:
        sql, p = (
            qs.order_by().values_list("g_unit", "enterprise_id", "quantity").query.sql_with_params()
        )
        sqls.append(sql)
        params.extend(p)
    return " UNION ALL ".join(sqls), params


def _served_counts(scope: Scope, period: Period, kind, by_child: bool) -> dict[int, int]:
    union, params = _enterprise_sql(scope, period, kind, by_child)
    if not union:
        return {}
    # Net per (bucket, enterprise) first: an enterprise whose rows cancel out was not served.
    sql = (
        "SELECT g_unit, COUNT(*) FROM (SELECT g_unit, enterprise_id FROM ("  # noqa: S608 - our SQL
        + union
        + ") u GROUP BY g_unit, enterprise_id HAVING SUM(quantity) > 0) s GROUP BY g_unit"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(g): int(n) for g, n in cursor.fetchall()}


def enterprises_served(
    *, user, unit: Any = None, period: Period, kind: str | Iterable[str] | None = None
) -> int:
    """Exact number of distinct enterprises with a positive net quantity in the subtree and
    period (an enterprise served by two workstations counts once)."""
    scope = _scope(user, unit)
    return sum(_served_counts(scope, period, kind, by_child=False).values())


def enterprises_served_by_unit(
    *, user, unit: Any = None, period: Period, kind: str | Iterable[str] | None = None
) -> list[dict[str, int]]:
    """Distinct enterprises served per child unit (its whole subtree), and by the unit itself
    when it served any directly: [{"unit": id, "enterprises_served": n}], children first by code.
    The unit's own figure is ≤ the sum of these."""
    scope = _scope(user, unit)
    counts = _served_counts(scope, period, kind, by_child=True)
    rows = [{"unit": c.id, "enterprises_served": counts.get(c.id, 0)} for c in scope.children]
    if counts.get(scope.unit.id):
        rows.append({"unit": scope.unit.id, "enterprises_served": counts[scope.unit.id]})
    return rows


# Priority list ----------------------------------------------------------------------------------


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def priority_coverage(*, user, unit: Any = None, year: int) -> dict[str, Any]:
    """Of `year`'s priority enterprises whose workstation lies in the subtree, how many had a
    positive net quantity of service (any kind, any unit of the subtree) in that year."""
    scope = _scope(user, unit)
    served = SubtreeEnterpriseYear.objects.filter(root_id=scope.unit.id, year=year)
    net = (
        served.filter(enterprise_id=OuterRef("enterprise_id"))
        .order_by()
        .values("enterprise_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    listings = PriorityListing.objects.filter(
        scope.unit_filter("enterprise__workstation_id"),
        year=year,
        enterprise__workstation_id__isnull=False,
    )
    figures = (
        listings.annotate(net=Subquery(net))
        .order_by()
        .aggregate(total=Count("id"), served=Count("id", filter=Q(net__gt=0)))
    )
    total, served = figures["total"] or 0, figures["served"] or 0
    return {
        "year": year,
        "priority_total": total,
        "served": served,
        "share": _share(served, total),
    }


# Service levels ---------------------------------------------------------------------------------


def _service_level_aggregates(now: dt.datetime) -> dict[str, Any]:
    """The aggregates behind every service-level figure (see docs/statistics.md)."""
    responded = Q(first_responded_at__isnull=False)
    resolved = Q(resolved_at__isnull=False)
    has_response_due = Q(first_response_due__isnull=False)
    has_resolution_due = Q(resolution_due__isnull=False)
    is_open = Q(status__in=OPEN_STATUSES)
    overdue = is_open & (
        Q(resolution_due__lt=now, paused_at__isnull=True) | Q(breached_resolution=True)
    )
    late_unresolved = (
        ~resolved
        & has_resolution_due
        & (Q(resolution_due__lt=now, paused_at__isnull=True) | Q(breached_resolution=True))
    )
    return {
        "requests": Count("id"),
        "response_measured": Count(
            "id", filter=has_response_due & (responded | Q(first_response_due__lt=now))
        ),
        "response_in_time": Count(
            "id",
            filter=has_response_due
            & responded
            & Q(first_responded_at__lte=F("first_response_due")),
        ),
        "resolution_measured": Count(
            "id", filter=(has_resolution_due & resolved) | late_unresolved
        ),
        "resolution_in_time": Count(
            "id",
            filter=has_resolution_due & resolved & Q(resolved_at__lte=F("resolution_due")),
        ),
        "rated": Count("rating"),
        "rating_sum": Sum("rating"),
        "open": Count("id", filter=is_open),
        "overdue": Count("id", filter=overdue),
    }


def _requests_received(period: Period):
    start, stop = period.bounds()
    return ServiceRequest.objects.filter(
        received_at__gte=start, received_at__lt=stop, archived_at__isnull=True
    ).order_by()


def service_levels(
    *, user, unit: Any = None, period: Period, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Service-level figures of the requests received in the period and handled in the subtree
    (archived requests excluded); one query. See docs/statistics.md for each definition."""
    scope = _scope(user, unit)
    figures = (
        _requests_received(period)
        .filter(scope.unit_filter("handling_unit_id"))
        .aggregate(**_service_level_aggregates(now or timezone.now()))
    )
    return {
        "requests": figures["requests"],
        "answered_in_time": figures["response_in_time"],
        "answered_measured": figures["response_measured"],
        "answered_in_time_share": _share(figures["response_in_time"], figures["response_measured"]),
        "resolved_in_time": figures["resolution_in_time"],
        "resolved_measured": figures["resolution_measured"],
        "resolved_in_time_share": _share(
            figures["resolution_in_time"], figures["resolution_measured"]
        ),
        "satisfaction": figures["rating_sum"] / figures["rated"] if figures["rated"] else None,
        "ratings": figures["rated"],
        "open": figures["open"],
        "overdue": figures["overdue"],
    }


# Each unit's own figures (monthly reports) ------------------------------------------------------

# The countable figures of a unit's own work in a period, in report order. Shares and averages
# are derived from these (numerator and denominator), so reports can be summed up the tree.
OWN_FIGURES = (
    *(kind.value for kind in RecordKind),
    "enterprises_served",
    "requests_received",
    "answered_in_time",
    "answered_measured",
    "resolved_in_time",
    "resolved_measured",
    "ratings",
    "rating_points",
)


def own_figures(
    *, unit_ids: Iterable[int], period: Period, now: dt.datetime | None = None
) -> dict[int, dict[str, int]]:
    """Each unit's own figures (its own ledger rows and the requests it handles, not its
    subtree's) for the period, for many units at once in four queries. System-level: callers
    check who may see them."""
    ids = list(unit_ids)
    result = {u: dict.fromkeys(OWN_FIGURES, 0) for u in ids}
    if not ids:
        return result
    whole = period.whole_months()
    partial = period.partial_ranges()
    if whole:
        for row in (
            LedgerMonthly.objects.filter(unit_id__in=ids, month__range=whole)
            .order_by()
            .values("unit_id", "kind")
            .annotate(q=Sum("quantity"))
        ):
            result[row["unit_id"]][row["kind"]] += row["q"] or 0
    if partial:
        for row in (
            ServiceRecord.objects.filter(_partial_q(partial), unit_id__in=ids)
            .order_by()
            .values("unit_id", "kind")
            .annotate(q=Sum("quantity"))
        ):
            result[row["unit_id"]][row["kind"]] += row["q"] or 0
    # Distinct enterprises: the same definition as enterprises_served, per unit.
    for unit_id, count in _served_by_own_unit(ids, period).items():
        result[unit_id]["enterprises_served"] = count
    names = {
        "requests": "requests_received",
        "response_in_time": "answered_in_time",
        "response_measured": "answered_measured",
        "resolution_in_time": "resolved_in_time",
        "resolution_measured": "resolved_measured",
        "rated": "ratings",
        "rating_sum": "rating_points",
    }
    aggregates = _service_level_aggregates(now or timezone.now())
    for row in (
        _requests_received(period)
        .filter(handling_unit_id__in=ids)
        .values("handling_unit_id")
        .annotate(**{k: aggregates[k] for k in names})
    ):
        for source, target in names.items():
            result[row["handling_unit_id"]][target] = row[source] or 0
    return result


def _served_by_own_unit(ids: list[int], period: Period) -> dict[int, int]:
    """Distinct enterprises with a positive net quantity per unit (its own rows only)."""
    parts: list[QuerySet] = []
    whole = period.whole_months()
    if whole:
        parts.append(EnterpriseMonth.objects.filter(unit_id__in=ids, month__range=whole))
    partial = period.partial_ranges()
    if partial:
        parts.append(
            ServiceRecord.objects.filter(
                _partial_q(partial), unit_id__in=ids, enterprise_id__isnull=False
            )
        )
    sqls, params = [], []
    for qs in parts:
        sql, p = (
            qs.order_by()
            .values_list("unit_id", "enterprise_id", "quantity")
            .query.sql_with_params()
        )
        sqls.append(sql)
        params.extend(p)
    if not sqls:
        return {}
    sql = (
        "SELECT unit_id, COUNT(*) FROM (SELECT unit_id, enterprise_id FROM ("  # noqa: S608 - our SQL
        + " UNION ALL ".join(sqls)
        + ") u GROUP BY unit_id, enterprise_id HAVING SUM(quantity) > 0) s GROUP BY unit_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(u): int(n) for u, n in cursor.fetchall()}


# Dashboard tiles --------------------------------------------------------------------------------


@dataclass
class Tile:
    key: str
    value: int | float | None
    has_data: bool = True
    previous: int | float | None = None
    change: float | None = None


@dataclass
class Kpis:
    unit: UnitInfo
    period: Period
    previous_period: Period | None
    tiles: list[Tile]
    service_levels: dict[str, Any]
    priority_coverage: dict[str, Any]
    previous_service_levels: dict[str, Any] | None = None
    previous_priority_coverage: dict[str, Any] | None = None

    def tile(self, key: str) -> Tile:
        return next(t for t in self.tiles if t.key == key)


def _kinds_with_data() -> set[str]:
    return set(LedgerMonthly.objects.order_by().values_list("kind", flat=True).distinct())


def _change(value, previous) -> float | None:
    if value is None or previous in (None, 0):
        return None
    return (value - previous) / previous


def kpis(*, user, unit: Any = None, period: Period, compare_previous_year: bool = False) -> Kpis:
    """The dashboard's tiles for a unit and period, optionally with last year's same period."""
    scope = _scope(user, unit)
    with_data = _kinds_with_data()

    def figures(p: Period) -> tuple[dict[str, Any], dict, dict]:
        by_kind = {
            r["kind"]: r["quantity"]
            for r in totals(user=user, unit=scope, period=p, group_by=("kind",))
        }
        values: dict[str, Any] = {key: by_kind.get(kind, 0) for key, kind in KIND_TILES}
        values["enterprises_served"] = enterprises_served(user=user, unit=scope, period=p)
        coverage = priority_coverage(user=user, unit=scope, year=p.end.year)
        levels = service_levels(user=user, unit=scope, period=p)
        values["priority_coverage"] = coverage["share"]
        values["answered_in_time"] = levels["answered_in_time_share"]
        values["resolved_in_time"] = levels["resolved_in_time_share"]
        values["satisfaction"] = levels["satisfaction"]
        values["open_requests"] = levels["open"]
        values["overdue_requests"] = levels["overdue"]
        return values, coverage, levels

    current, coverage, levels = figures(period)
    previous_period = period.previous_year() if compare_previous_year else None
    previous = previous_coverage = previous_levels = None
    if previous_period is not None:
        previous, previous_coverage, previous_levels = figures(previous_period)
    has_data = {key: kind in with_data for key, kind in KIND_TILES}
    tiles = []
    for key, value in current.items():
        tile = Tile(key=key, value=value, has_data=has_data.get(key, True))
        if previous is not None:
            tile.previous = previous[key]
            tile.change = _change(value, previous[key])
        tiles.append(tile)
    return Kpis(
        unit=scope.unit,
        period=period,
        previous_period=previous_period,
        tiles=tiles,
        service_levels=levels,
        priority_coverage=coverage,
        previous_service_levels=previous_levels,
        previous_priority_coverage=previous_coverage,
    )


# The rows behind a figure -----------------------------------------------------------------------


def ledger_rows(
    *,
    user,
    unit: Any = None,
    period: Period,
    kind: str | Iterable[str] | None = None,
    ip_type: str | Iterable[str] | None = None,
    chain_stage: str | Iterable[str] | None = None,
    channel: str | Iterable[str] | None = None,
) -> QuerySet[ServiceRecord]:
    """The ledger rows (reversing rows included) behind a figure of `totals`, newest first."""
    scope = _scope(user, unit)
    return (
        ServiceRecord.objects.visible_to(user)
        .filter(
            scope.unit_filter(),
            _filters(kind=kind, ip_type=ip_type, chain_stage=chain_stage, channel=channel),
            date__range=(period.start, period.end),
        )
        .select_related("unit", "enterprise")
        .order_by("-date", "-id")
    )


__all__ = [
    "GROUP_KEYS",
    "KIND_TILES",
    "Kpis",
    "Period",
    "Scope",
    "Tile",
    "enterprises_served",
    "enterprises_served_by_unit",
    "kpis",
    "ledger_rows",
    "parse_group_by",
    "parse_period",
    "priority_coverage",
    "resolve_scope",
    "scope_units",
    "service_levels",
    "total_of",
    "totals",
]
