"""GET /stats and GET /stats/kpis over real HTTP: scope, errors, the selectors' figures, and query
counts that do not grow with the ledger or the network."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipps.ledger import stats
from ipps.ledger.stats import Period
from tests.factories import UnitFactory
from tests.ledger.test_stats import act

URL = "/api/v1/stats"
KPIS = "/api/v1/stats/kpis"
YEAR = {"from": "2024-01-01", "to": "2024-12-31"}


def seed(network):
    n = network
    act(n, n.ws_zgc, dt.date(2024, 1, 31), n.ent_zgc)
    act(n, n.ws_shangdi, dt.date(2024, 2, 29), n.ent_zgc, quantity=2)
    act(n, n.ws_wangjing, dt.date(2024, 3, 1), n.ent_wangjing, kind="case_assisted")
    act(n, n.ws_wangjing, dt.date(2023, 3, 1), n.ent_wangjing)


def test_authentication_scope_and_errors(network, api_as):
    n = network
    assert api_as().get(URL).status_code == 401
    assert api_as().get(KPIS).json()["code"] == "not_authenticated"
    liaison = api_as(n.liaison_zgc)
    assert liaison.get(URL, {"unit": n.haidian.pk}).status_code == 404
    assert liaison.get(KPIS, {"unit": n.haidian.pk}).json()["code"] == "not_found"
    assert api_as(n.portal_zgc).get(URL).status_code == 404
    assert api_as(n.portal_zgc).get(KPIS).status_code == 404
    city = api_as(n.city_officer)
    for params, field in (
        ({"group_by": "month,colour"}, "group_by"),
        ({"kind": "bribery"}, "kind"),
        ({"ip_type": "magic"}, "ip_type"),
        ({"from": "2024-03-01", "to": "2024-02-29"}, "to"),
        ({"from": "2024-02-30"}, "from"),
        # Dates with no month before or after them (found by schemathesis: a 500).
        ({"to": "0001-01-01"}, "to"),
        ({"from": "9999-12-01", "to": "9999-12-31"}, "from"),
        ({"from": "1900-12-31"}, "from"),
    ):
        response = city.get(URL, params)
        assert response.status_code == 422, params
        assert response.json()["field"] == field
    for params in ({"to": "0001-01-01"}, {"from": "2101-01-01", "to": "2101-02-01"}):
        response = city.get(KPIS, params)
        assert response.status_code == 422 and response.json()["code"] == "bad_period"
    response = city.get(KPIS, {"compare": "last_decade"})
    assert response.status_code == 422 and response.json()["field"] == "compare"


def test_stats_equal_the_selectors(network, api_as):
    n = network
    seed(n)
    city = api_as(n.city_officer)
    body = city.get(URL, {**YEAR, "group_by": "month,unit"}).json()
    assert body["unit"]["code"] == "BJ" and (body["from"], body["to"]) == (
        "2024-01-01",
        "2024-12-31",
    )
    assert body["group_by"] == ["month", "unit"]
    assert len(body["items"]) == 12 * 2  # every month × both districts
    rows = stats.totals(user=n.city_officer, period=Period.year(2024), group_by="month,unit")
    assert [(i["month"], i["unit"]["id"], i["quantity"], i["records"]) for i in body["items"]] == [
        (r["month"].strftime("%Y-%m"), r["unit"], r["quantity"], r["records"]) for r in rows
    ]
    assert body["total"] == 4 and body["records"] == 3
    february = [i for i in body["items"] if i["month"] == "2024-02"]
    assert {i["unit"]["code"]: i["quantity"] for i in february} == {"DC-110105": 0, "DC-110108": 2}
    # the district officer's default unit is their district
    district = api_as(n.haidian_officer).get(URL, YEAR).json()
    assert district["unit"]["id"] == n.haidian.pk and district["total"] == 3
    assert district["items"] == [{"month": None, "unit": None, "kind": None, "ip_type": None,
                                  "chain_stage": None, "channel": None, "quantity": 3,
                                  "records": 2}]  # fmt: skip
    kinds = city.get(URL, {**YEAR, "group_by": "kind", "unit": n.chaoyang.pk}).json()
    assert [(i["kind"], i["quantity"]) for i in kinds["items"]] == [("case_assisted", 1)]


def test_kpis_equal_the_selectors(network, api_as):
    n = network
    seed(n)
    body = api_as(n.admin).get(KPIS, {**YEAR, "compare": "previous_year"}).json()
    figures = stats.kpis(user=n.admin, period=Period.year(2024), compare_previous_year=True)
    tiles = {t["key"]: t for t in body["tiles"]}
    assert {k: t["value"] for k, t in tiles.items()} == {t.key: t.value for t in figures.tiles}
    assert tiles["queries_answered"]["value"] == 3 and tiles["queries_answered"]["previous"] == 1
    assert tiles["queries_answered"]["change"] == 2.0
    assert tiles["enterprises_served"]["value"] == 2
    assert tiles["visits"]["has_data"] is False
    assert tiles["priority_coverage"]["value"] is None  # nobody on the list: no share
    assert body["previous"] == {"from": "2023-01-01", "to": "2023-12-31"}
    assert body["service_levels"]["requests"] == 0
    plain = api_as(n.admin).get(KPIS, YEAR).json()
    assert plain["previous"] is None and plain["tiles"][0]["previous"] is None


def _grow(network, stations: int, rows_each: int):
    n = network
    for i in range(stations):
        unit = UnitFactory(
            kind="workstation", parent=n.haidian, district="110108", code=f"WS-110108-9{i:02d}"
        )
        for j in range(rows_each):
            act(n, unit, dt.date(2024, 1 + j % 12, 1 + j % 28), n.ent_shangdi)


def test_query_counts_do_not_grow(network, api_as, django_assert_max_num_queries):
    n = network
    seed(n)
    act(n, n.ws_zgc, dt.date(2024, 1, 2), n.ent_zgc)  # on left-out days: partial months from rows
    act(n, n.ws_wangjing, dt.date(2024, 12, 28), n.ent_wangjing)
    client = api_as(n.city_officer)
    params = {"from": "2024-01-15", "to": "2024-12-20"}  # partial months too
    calls = [
        (URL, {**params, "group_by": "month,unit,kind,ip_type,chain_stage,channel"}),
        (URL, {**params, "group_by": "unit", "unit": n.haidian.pk}),
        (KPIS, {**params, "compare": "previous_year"}),
        (KPIS, {**params, "unit": n.haidian.pk}),
    ]
    counts = []
    for url, query in calls:
        client.get(url, query)
        with CaptureQueriesContext(connection) as few:
            assert client.get(url, query).status_code == 200
        counts.append(len(few))
    # auth, scope (memberships, tree), probes of the partial months, the rollups (whole months:
    # the subtree table for the children, the unit's own cells; partial months: rows), tiles
    assert counts[0] <= 8 and counts[1] <= 7 and counts[2] <= 19 and counts[3] <= 12, counts
    _grow(n, stations=4, rows_each=15)
    for (url, query), count in zip(calls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url, query).status_code == 200
