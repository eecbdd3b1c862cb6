"""The statistics selectors (ipps.ledger.stats): exact distinct counts across the tree, netting,
priority coverage, service levels, time series without gaps, drill-down by child unit, period
edges and scope — all on real ledger rows written by the ledger service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from ipps.casework import services as casework
from ipps.casework.models import ServiceRequest
from ipps.core.errors import ServiceError
from ipps.core.models import Notification
from ipps.ledger import stats
from ipps.ledger.services import ledger_record, ledger_reverse
from ipps.ledger.stats import Period
from tests.factories import PriorityListingFactory

Y2024 = Period.year(2024)


def act(network, unit, date, enterprise=None, *, kind="query_answered", quantity=1, **cell):
    """One act of service in the ledger, from its own source object; returns the source."""
    source = Notification.objects.create(user=network.admin, kind="test", text="source")
    ledger_record(
        source=source, kind=kind, unit=unit, date=date, enterprise=enterprise,
        ip_type=cell.get("ip_type", "patent"), chain_stage=cell.get("chain_stage", "creation"),
        channel=cell.get("channel", "phone"), quantity=quantity,
    )  # fmt: skip
    return source


# Distinct enterprises -------------------------------------------------------------------------


def test_an_enterprise_served_by_two_workstations_counts_once_above_them(network):
    n = network
    act(n, n.ws_zgc, dt.date(2024, 3, 5), n.ent_zgc)
    act(n, n.ws_shangdi, dt.date(2024, 4, 9), n.ent_zgc)  # the same enterprise, another station
    act(n, n.ws_shangdi, dt.date(2024, 4, 10), n.ent_shangdi)
    act(n, n.ws_wangjing, dt.date(2024, 5, 1), n.ent_wangjing)
    act(n, n.ws_wangjing, dt.date(2024, 5, 2), n.ent_wangjing)  # twice, still one enterprise

    def served(unit):
        return stats.enterprises_served(user=n.admin, unit=unit, period=Y2024)

    assert served(n.ws_zgc) == 1
    assert served(n.ws_shangdi) == 2
    assert served(n.haidian) == 2  # not 3: ent_zgc once
    assert served(n.chaoyang) == 1
    assert served(n.city) == 3
    by_district = stats.enterprises_served_by_unit(user=n.admin, unit=n.city, period=Y2024)
    assert by_district == [
        {"unit": n.chaoyang.pk, "enterprises_served": 1},
        {"unit": n.haidian.pk, "enterprises_served": 2},
    ]
    by_station = stats.enterprises_served_by_unit(user=n.admin, unit=n.haidian, period=Y2024)
    assert by_station == [
        {"unit": n.ws_zgc.pk, "enterprises_served": 1},
        {"unit": n.ws_shangdi.pk, "enterprises_served": 2},
    ]
    assert served(n.haidian) <= sum(r["enterprises_served"] for r in by_station)
    # by kind, and an empty period
    assert stats.enterprises_served(user=n.admin, period=Y2024, kind="visit") == 0
    assert stats.enterprises_served(user=n.admin, period=Period.year(2023)) == 0


def test_a_reversed_act_does_not_count_as_served(network):
    n = network
    source = act(n, n.ws_zgc, dt.date(2024, 6, 1), n.ent_zgc)
    assert stats.enterprises_served(user=n.admin, period=Y2024) == 1
    ledger_reverse(source=source, kind="query_answered")
    assert stats.enterprises_served(user=n.admin, period=Y2024) == 0
    assert stats.totals(user=n.admin, period=Y2024) == [{"quantity": 0, "records": 2}]
    # netting is per enterprise over the whole subtree and period, across months and stations
    act(n, n.ws_shangdi, dt.date(2024, 7, 1), n.ent_zgc)
    assert stats.enterprises_served(user=n.admin, unit=n.haidian, period=Y2024) == 1
    assert stats.enterprises_served(user=n.admin, unit=n.ws_zgc, period=Y2024) == 0


def test_partial_months_are_counted_to_the_day(network):
    n = network
    act(n, n.ws_zgc, dt.date(2024, 3, 14), n.ent_zgc)
    act(n, n.ws_zgc, dt.date(2024, 3, 15), n.ent_shangdi, quantity=2)
    act(n, n.ws_zgc, dt.date(2024, 4, 30), n.ent_wangjing)
    act(n, n.ws_zgc, dt.date(2024, 5, 10), n.ent_wangjing)
    act(n, n.ws_zgc, dt.date(2024, 5, 11), n.ent_zgc)
    period = Period(dt.date(2024, 3, 15), dt.date(2024, 5, 10))
    rows = stats.totals(user=n.admin, period=period, group_by="month")
    assert [(r["month"], r["quantity"], r["records"]) for r in rows] == [
        (dt.date(2024, 3, 1), 2, 1),
        (dt.date(2024, 4, 1), 1, 1),
        (dt.date(2024, 5, 1), 1, 1),
    ]
    assert stats.enterprises_served(user=n.admin, period=period) == 2
    inside_one_month = Period(dt.date(2024, 5, 2), dt.date(2024, 5, 10))
    assert stats.totals(user=n.admin, period=inside_one_month)[0]["quantity"] == 1
    # the rows behind the figure are exactly those of the period
    behind = stats.ledger_rows(user=n.admin, period=period)
    assert sum(r.quantity for r in behind) == 4
    assert [r.date for r in behind] == sorted((r.date for r in behind), reverse=True)


# Priority list ----------------------------------------------------------------------------------


def test_priority_coverage(network):
    n = network
    for enterprise in (n.ent_zgc, n.ent_shangdi, n.ent_wangjing):
        PriorityListingFactory(enterprise=enterprise, year=2024)
    PriorityListingFactory(enterprise=n.ent_zgc, year=2023)
    act(n, n.ws_zgc, dt.date(2024, 12, 31), n.ent_zgc)
    reversed_act = act(n, n.ws_shangdi, dt.date(2024, 2, 29), n.ent_shangdi)
    ledger_reverse(source=reversed_act, kind="query_answered")
    act(n, n.ws_wangjing, dt.date(2023, 12, 31), n.ent_wangjing)  # last year: does not count
    city = stats.priority_coverage(user=n.admin, unit=n.city, year=2024)
    assert city == {"year": 2024, "priority_total": 3, "served": 1, "share": pytest.approx(1 / 3)}
    haidian = stats.priority_coverage(user=n.city_officer, unit=n.haidian, year=2024)
    assert (haidian["priority_total"], haidian["served"], haidian["share"]) == (2, 1, 0.5)
    assert stats.priority_coverage(user=n.admin, unit=n.chaoyang, year=2023)["share"] is None
    assert stats.priority_coverage(user=n.admin, unit=n.ws_zgc, year=2023)["served"] == 0


# Service levels ---------------------------------------------------------------------------------


def _request(network, user, enterprise, *, resolve=False):
    request = casework.request_create(
        subject="咨询", description="请问如何办理？", channel="phone", ip_type="patent",
        chain_stage="creation", category="consultation", acting_user=user, enterprise=enterprise,
    )  # fmt: skip
    if resolve:
        casework.request_resolve(request=request, acting_user=user, answer="答复")
    return request


def test_service_level_shares_satisfaction_open_and_overdue(network):
    n = network
    now = timezone.now()
    hour = dt.timedelta(hours=1)
    in_time = _request(n, n.liaison_zgc, n.ent_zgc, resolve=True)
    late = _request(n, n.liaison_zgc, n.ent_zgc, resolve=True)
    overdue = _request(n, n.liaison_zgc, n.ent_zgc)
    pending = _request(n, n.liaison_zgc, n.ent_zgc)
    _request(n, n.liaison_wangjing, n.ent_wangjing)  # another district
    update = ServiceRequest.objects.filter
    update(pk=in_time.pk).update(
        first_response_due=now + hour, first_responded_at=now - hour,
        resolution_due=now + hour, resolved_at=now - hour, rating=5,
    )  # fmt: skip
    update(pk=late.pk).update(
        first_response_due=now - 3 * hour, first_responded_at=now - 2 * hour,
        resolution_due=now - 3 * hour, resolved_at=now - 2 * hour, rating=3,
    )  # fmt: skip
    update(pk=overdue.pk).update(first_response_due=now - hour, resolution_due=now - hour)
    update(pk=pending.pk).update(first_response_due=now + hour, resolution_due=now + hour)
    today = Period(timezone.localdate(), timezone.localdate())
    levels = stats.service_levels(user=n.city_officer, unit=n.haidian, period=today, now=now)
    assert levels == {
        "requests": 4,
        "answered_in_time": 1,
        "answered_measured": 3,  # pending has neither a response nor a passed due time
        "answered_in_time_share": pytest.approx(1 / 3),
        "resolved_in_time": 1,
        "resolved_measured": 3,  # in_time, late, and overdue (unresolved past due: late)
        "resolved_in_time_share": pytest.approx(1 / 3),
        "satisfaction": 4.0,
        "ratings": 2,
        "open": 2,
        "overdue": 1,
    }
    assert stats.service_levels(user=n.admin, period=today, now=now)["requests"] == 5
    # an empty period divides nothing by zero
    empty = stats.service_levels(user=n.admin, period=Period.year(2020), now=now)
    assert empty["requests"] == 0
    assert empty["answered_in_time_share"] is None and empty["satisfaction"] is None


# Totals ---------------------------------------------------------------------------------------


def test_group_by_month_gives_every_month_with_zeros(network):
    n = network
    act(n, n.ws_zgc, dt.date(2024, 2, 29), n.ent_zgc)
    act(n, n.ws_zgc, dt.date(2024, 11, 30), n.ent_zgc, quantity=3)
    rows = stats.totals(user=n.admin, period=Y2024, group_by="month")
    assert [r["month"] for r in rows] == [dt.date(2024, m, 1) for m in range(1, 13)]
    assert [r["quantity"] for r in rows] == [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0]
    by_kind = stats.totals(user=n.admin, period=Y2024, group_by=["month", "kind"])
    assert len(by_kind) == 12 and {r["kind"] for r in by_kind} == {"query_answered"}
    nothing = stats.totals(user=n.admin, period=Period.year(2023), group_by="month")
    assert len(nothing) == 12 and not any(r["quantity"] for r in nothing)


def test_group_by_unit_gives_the_children_with_their_subtrees(network):
    n = network
    act(n, n.ws_zgc, dt.date(2024, 1, 1), n.ent_zgc)
    act(n, n.ws_shangdi, dt.date(2024, 1, 2), n.ent_shangdi, quantity=2)
    act(n, n.haidian, dt.date(2024, 1, 3), n.ent_zgc, quantity=4)  # the district's own act
    act(n, n.ws_wangjing, dt.date(2024, 1, 4), n.ent_wangjing, quantity=8)
    city = stats.totals(user=n.admin, unit=n.city, period=Y2024, group_by="unit")
    assert [(r["unit"], r["quantity"]) for r in city] == [(n.chaoyang.pk, 8), (n.haidian.pk, 7)]
    haidian = stats.totals(user=n.admin, unit=n.haidian, period=Y2024, group_by="unit")
    assert [(r["unit"], r["quantity"], r["records"]) for r in haidian] == [
        (n.haidian.pk, 4, 1),  # its own rows under itself (units in code order)
        (n.ws_zgc.pk, 1, 1),
        (n.ws_shangdi.pk, 2, 1),
    ]
    assert sum(r["quantity"] for r in haidian) == 7
    station = stats.totals(user=n.admin, unit=n.ws_zgc, period=Y2024, group_by="unit")
    assert station == [{"unit": n.ws_zgc.pk, "quantity": 1, "records": 1}]
    # a child with no rows still appears, with 0
    act_free = stats.totals(
        user=n.admin, unit=n.chaoyang, period=Period.year(2023), group_by="unit"
    )
    assert act_free == [{"unit": n.ws_wangjing.pk, "quantity": 0, "records": 0}]


def test_breakdowns_and_filters(network):
    n = network
    act(n, n.ws_zgc, dt.date(2024, 5, 1), n.ent_zgc, ip_type="trademark", channel="portal")
    act(n, n.ws_zgc, dt.date(2024, 5, 2), n.ent_zgc, kind="case_assisted", chain_stage="protection")
    act(n, n.ws_zgc, dt.date(2024, 5, 3), n.ent_zgc)
    rows = stats.totals(user=n.admin, period=Y2024, group_by="kind,ip_type")
    assert {(r["kind"], r["ip_type"]): r["quantity"] for r in rows} == {
        ("case_assisted", "patent"): 1,
        ("query_answered", "patent"): 1,
        ("query_answered", "trademark"): 1,
    }
    assert stats.totals(user=n.admin, period=Y2024, channel="portal")[0]["quantity"] == 1
    assert (
        stats.totals(user=n.admin, period=Y2024, kind="query_answered,case_assisted")[0]["quantity"]
        == 3
    )
    assert stats.totals(user=n.admin, period=Y2024, chain_stage="protection", group_by="kind") == [
        {"kind": "case_assisted", "quantity": 1, "records": 1}
    ]
    with pytest.raises(ServiceError) as bad:
        stats.totals(user=n.admin, period=Y2024, group_by="month,colour")
    assert (bad.value.code, bad.value.field, bad.value.status) == ("bad_group_by", "group_by", 422)
    with pytest.raises(ServiceError) as bad:
        stats.totals(user=n.admin, period=Y2024, kind="bribery")
    assert bad.value.field == "kind"


# Periods --------------------------------------------------------------------------------------


def test_period_helpers_and_edges(network):
    assert Period.month(2024, 2) == Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert Period.month(2023, 2).end == dt.date(2023, 2, 28)
    assert Period.quarter(2024, 4) == Period(dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert Period.month(2024, 2).previous_year() == Period.month(2023, 2)
    leap_day = Period(dt.date(2024, 2, 29), dt.date(2024, 2, 29)).previous_year()
    assert leap_day == Period(dt.date(2023, 2, 28), dt.date(2023, 2, 28))
    assert Period.month(2025, 2).previous_year() == Period.month(2024, 2)  # month end stays one
    assert Period.month(2024, 2).whole_months() == (dt.date(2024, 2, 1), dt.date(2024, 2, 1))
    assert Period.month(2024, 2).partial_ranges() == []
    with pytest.raises(ServiceError) as bad:
        stats.parse_period(dt.date(2024, 3, 1), dt.date(2024, 2, 29))
    assert (bad.value.code, bad.value.field) == ("bad_period", "to")
    with pytest.raises(ServiceError) as bad:
        stats.parse_period(dt.date(2000, 1, 1), dt.date(2020, 1, 1))
    assert bad.value.code == "bad_period"
    assert stats.parse_period(dt.date(2000, 1, 1), dt.date(2019, 12, 31)).end.year == 2019
    today = timezone.localdate()
    assert stats.parse_period(None, None) == Period(dt.date(today.year, 1, 1), today)


def test_month_ends_and_leap_day_fall_in_their_month(network):
    n = network
    for day in (
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 1),
    ):
        act(n, n.ws_zgc, day, n.ent_zgc)
    february = stats.totals(user=n.admin, period=Period.month(2024, 2))
    assert february == [{"quantity": 2, "records": 2}]
    rows = stats.totals(user=n.admin, period=Period.quarter(2024, 1), group_by="month")
    assert [r["quantity"] for r in rows] == [1, 2, 1]
    assert (
        stats.enterprises_served(
            user=n.admin, period=Period(dt.date(2024, 2, 29), dt.date(2024, 2, 29))
        )
        == 1
    )


def test_dates_are_local_shanghai_dates(network):
    # A request answered at 00:30 in Beijing on 1 March (16:30 UTC on 29 February) is a March act.
    n = network
    request = _request(n, n.liaison_zgc, n.ent_zgc)
    request.refresh_from_db()
    instant = dt.datetime(2024, 2, 29, 16, 30, tzinfo=dt.UTC)
    ServiceRequest.objects.filter(pk=request.pk).update(received_at=instant)
    levels = stats.service_levels(user=n.admin, period=Period.month(2024, 3))
    assert levels["requests"] == 1
    assert stats.service_levels(user=n.admin, period=Period.month(2024, 2))["requests"] == 0


# Scope ----------------------------------------------------------------------------------------


def test_scope(network):
    n = network
    act(n, n.ws_zgc, dt.date(2024, 1, 1), n.ent_zgc)
    act(n, n.ws_wangjing, dt.date(2024, 1, 1), n.ent_wangjing)
    with pytest.raises(Http404):
        stats.totals(user=n.liaison_zgc, unit=n.haidian, period=Y2024)
    with pytest.raises(Http404):
        stats.totals(user=n.haidian_officer, unit=n.chaoyang, period=Y2024)
    with pytest.raises(Http404):
        stats.kpis(user=n.portal_zgc, period=Y2024)
    with pytest.raises(Http404):
        stats.scope_units(user=n.admin, unit=999_999)
    assert stats.scope_units(user=n.haidian_officer) == {n.haidian.pk, n.ws_zgc.pk, n.ws_shangdi.pk}
    assert stats.resolve_scope(user=n.haidian_officer).unit.id == n.haidian.pk
    assert stats.resolve_scope(user=n.admin).unit.id == n.city.pk
    assert stats.resolve_scope(user=n.liaison_zgc).unit.id == n.ws_zgc.pk
    assert stats.totals(user=n.haidian_officer, period=Y2024)[0]["quantity"] == 1
    assert stats.totals(user=n.city_officer, period=Y2024)[0]["quantity"] == 2
    assert stats.ledger_rows(user=n.haidian_officer, unit=n.ws_zgc, period=Y2024).count() == 1


def test_kpis_with_the_previous_year(network):
    n = network
    act(n, n.ws_zgc, dt.date(2023, 3, 1), n.ent_zgc)
    act(n, n.ws_zgc, dt.date(2024, 3, 1), n.ent_zgc)
    act(n, n.ws_zgc, dt.date(2024, 3, 2), n.ent_shangdi, kind="case_assisted")
    act(n, n.ws_zgc, dt.date(2024, 3, 3), n.ent_zgc)
    PriorityListingFactory(enterprise=n.ent_zgc, year=2024)
    figures = stats.kpis(user=n.admin, unit=n.haidian, period=Y2024, compare_previous_year=True)
    queries = figures.tile("queries_answered")
    assert (queries.value, queries.previous, queries.change, queries.has_data) == (2, 1, 1.0, True)
    cases = figures.tile("cases_assisted")
    assert (cases.value, cases.previous, cases.change) == (1, 0, None)  # never divide by zero
    assert figures.tile("visits").has_data is False and figures.tile("visits").value == 0
    assert figures.tile("enterprises_served").value == 2
    assert figures.tile("priority_coverage").value == 1.0
    assert figures.priority_coverage["year"] == 2024
    assert figures.previous_priority_coverage["year"] == 2023
    assert figures.previous_period == Period.year(2023)
    # the tiles are the same figures as the selectors give
    assert (
        queries.value
        == stats.totals(user=n.admin, unit=n.haidian, period=Y2024, kind="query_answered")[0][
            "quantity"
        ]
    )


@pytest.mark.parametrize("outside", [False, True])
def test_partial_months_read_from_rollups_only_when_their_left_out_days_are_empty(network, outside):
    """A custom range's partial months give the rows' exact sums either way: from the monthly
    rollups when no row lies on the days the range leaves out, else from the rows."""
    n = network
    act(n, n.ws_zgc, dt.date(2024, 3, 15), n.ent_zgc, quantity=2)
    act(n, n.ws_shangdi, dt.date(2024, 4, 10), n.ent_shangdi, quantity=5)
    act(n, n.ws_wangjing, dt.date(2024, 3, 31), n.ent_wangjing)
    if outside:
        act(n, n.ws_zgc, dt.date(2024, 3, 14), n.ent_zgc, quantity=100)  # before the range
        act(n, n.ws_zgc, dt.date(2024, 4, 11), n.ent_wangjing, quantity=100)  # after it
    period = Period.custom(dt.date(2024, 3, 15), dt.date(2024, 4, 10))
    whole, partial = stats._split(period)
    assert (whole is None, len(partial)) == ((True, 2) if outside else (False, 0))
    rows = stats.totals(user=n.admin, period=period, group_by=("unit", "month"))
    assert sum(r["quantity"] for r in rows) == 8
    by_ip = stats.totals(user=n.admin, period=period, group_by=("ip_type",))
    assert sum(r["quantity"] for r in by_ip) == 8
    assert stats.enterprises_served(user=n.admin, period=period) == 3
    served = stats.enterprises_served_by_unit(user=n.admin, unit=n.city, period=period)
    assert {r["unit"]: r["enterprises_served"] for r in served} == {
        n.haidian.pk: 2, n.chaoyang.pk: 1,
    }  # fmt: skip


def test_year_to_date_counts_enterprises_exactly_whatever_table_answers(network):
    n = network
    today = timezone.localdate()
    act(n, n.ws_zgc, today.replace(day=1), n.ent_zgc)
    act(n, n.ws_wangjing, dt.date(today.year, 1, 1), n.ent_wangjing)
    act(n, n.ws_zgc, dt.date(today.year - 1, 12, 31), n.ent_shangdi)  # last year: not counted
    ytd = Period.year_to_date(today)
    assert stats._whole_years(stats._split(ytd)[0]) == (today.year, today.year)
    assert stats.enterprises_served(user=n.admin, period=ytd) == 2
    if today.month < 12:
        # A row dated later this year (say, entered in advance) is outside the period: the
        # yearly table no longer answers, and the count stays exact.
        act(n, n.ws_shangdi, dt.date(today.year, 12, 31), n.ent_shangdi)
        assert stats._whole_years(stats._split(ytd)[0]) is None
        assert stats.enterprises_served(user=n.admin, period=ytd) == 2
    assert stats.enterprises_served(user=n.admin, period=Period.year(today.year)) == (
        3 if today.month < 12 else 2
    )


# Every unit, every table ---------------------------------------------------------------------


def test_every_unit_breakdown_and_count_agrees_with_the_rows(network):
    """Workstations and partners keep no subtree rows (their figures come from the per-unit
    tables), centres do: whatever table answers, each unit's figures — totals, the fine
    breakdowns, by child unit, distinct enterprises (also by child), priority coverage — equal
    what the ledger rows in its subtree say."""
    import random

    from ipps.ledger.models import ServiceRecord, SubtreeRollup
    from ipps.network.models import ServiceUnit
    from tests.factories import UnitFactory

    n = network
    partner = UnitFactory(
        kind="partner", code="PT-0001", parent=n.city, district="", region="tianjin"
    )
    units = [n.city, n.haidian, n.chaoyang, n.ws_zgc, n.ws_shangdi, n.ws_wangjing, partner]
    enterprises = [n.ent_zgc, n.ent_shangdi, n.ent_wangjing, None]
    rng = random.Random(7)
    for _i in range(60):
        act(
            n, rng.choice(units), dt.date(2024, rng.randint(1, 12), rng.randint(1, 28)),
            rng.choice(enterprises), kind=rng.choice(["query_answered", "case_assisted"]),
            quantity=rng.randint(1, 3), ip_type=rng.choice(["patent", "trademark"]),
            channel=rng.choice(["phone", "portal"]),
        )  # fmt: skip
    PriorityListingFactory(enterprise=n.ent_zgc, year=2024)
    PriorityListingFactory(enterprise=n.ent_wangjing, year=2024)
    assert not SubtreeRollup.objects.filter(root__kind__in=["workstation", "partner"]).exists()
    children = {u.pk: [c.pk for c in ServiceUnit.objects.filter(parent=u)] for u in units}

    def subtree(pk):
        return [pk] + [d for c in children.get(pk, []) for d in subtree(c)]

    rows = list(ServiceRecord.objects.values())
    for unit in units:
        ids = set(subtree(unit.pk))
        for period in (Y2024, Period(dt.date(2024, 3, 1), dt.date(2024, 5, 31)),
                       Period(dt.date(2024, 2, 10), dt.date(2024, 9, 20))):  # fmt: skip
            mine = [
                r for r in rows if r["unit_id"] in ids and period.start <= r["date"] <= period.end
            ]
            fine = stats.totals(
                user=n.admin, unit=unit, period=period, group_by="kind,ip_type,channel"
            )
            want: dict = {}
            for r in mine:
                key = (r["kind"], r["ip_type"], r["channel"])
                want[key] = want.get(key, 0) + r["quantity"]
            got = {(r["kind"], r["ip_type"], r["channel"]): r["quantity"] for r in fine}
            assert {k: v for k, v in got.items() if v} == want, (unit.code, period)
            by_unit = stats.totals(
                user=n.admin, unit=unit, period=period, group_by="unit", ip_type="patent"
            )
            bucket = {c: set(subtree(c)) for c in children.get(unit.pk, [])}
            want_units: dict = {}
            for r in mine:
                if r["ip_type"] != "patent":
                    continue
                b = next((c for c, s in bucket.items() if r["unit_id"] in s), unit.pk)
                want_units[b] = want_units.get(b, 0) + r["quantity"]
            got_units = {r["unit"]: r["quantity"] for r in by_unit if r["quantity"]}
            assert got_units == want_units, (unit.code, period)
            served = {r["enterprise_id"] for r in mine if r["enterprise_id"]}
            assert stats.enterprises_served(user=n.admin, unit=unit, period=period) == len(
                served
            ), (unit.code, period)
            per_child = {
                r["unit"]: r["enterprises_served"]
                for r in stats.enterprises_served_by_unit(user=n.admin, unit=unit, period=period)
                if r["enterprises_served"]
            }
            want_child: dict = {}
            for b in {*bucket, unit.pk}:
                inside = bucket.get(b, {unit.pk}) if b != unit.pk else {unit.pk}
                count = len({r["enterprise_id"] for r in mine
                             if r["enterprise_id"] and r["unit_id"] in inside})  # fmt: skip
                if count:
                    want_child[b] = count
            assert per_child == want_child, (unit.code, period)
        coverage = stats.priority_coverage(user=n.admin, unit=unit, year=2024)
        listed = {e.pk for e in (n.ent_zgc, n.ent_wangjing) if e.workstation_id in ids}
        year_rows = [r for r in rows if r["unit_id"] in ids and r["date"].year == 2024]
        covered = {r["enterprise_id"] for r in year_rows if r["enterprise_id"] in listed}
        assert (coverage["priority_total"], coverage["served"]) == (len(listed), len(covered)), (
            unit.code
        )
