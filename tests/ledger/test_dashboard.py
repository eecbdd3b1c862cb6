"""The dashboards over real HTTP: figures for the city, a district and a workstation, scope (404),
the drill-down whose total equals its rows, exports, year-on-year comparison, empty periods,
period validation, and query counts that do not grow with the ledger."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from ipps.core.models import AuditEvent, Notification
from ipps.ledger.services import ledger_record, ledger_reverse

DASH = reverse("ledger:dashboard")
DRILL = reverse("ledger:drill")
Y2024 = {"period": "year", "year": "2024"}


def act(n, unit, date, enterprise=None, *, kind="query_answered", quantity=1, **cell):
    source = Notification.objects.create(user=n.admin, kind="test", text="source")
    ledger_record(
        source=source, kind=kind, unit=unit, date=date, enterprise=enterprise,
        ip_type=cell.get("ip_type", "patent"), chain_stage=cell.get("chain_stage", "creation"),
        channel=cell.get("channel", "phone"), quantity=quantity,
    )  # fmt: skip
    return source


def seed(n):
    """Queries: Zhongguancun 1, Shangdi 2 (Haidian 3), Wangjing 3 (Chaoyang 3): city 6."""
    act(n, n.ws_zgc, dt.date(2024, 3, 5), n.ent_zgc)
    act(n, n.ws_shangdi, dt.date(2024, 4, 9), n.ent_zgc)
    act(n, n.ws_shangdi, dt.date(2024, 4, 10), n.ent_shangdi, ip_type="trademark", channel="portal")
    act(n, n.ws_wangjing, dt.date(2024, 5, 1), n.ent_wangjing, quantity=3, chain_stage="protection")
    act(n, n.ws_zgc, dt.date(2024, 6, 1), n.ent_zgc, kind="case_assisted")


def tiles(response) -> dict[str, str]:
    return {t.key: t.value for t in response.context["tiles"]}


def test_city_district_and_workstation_dashboards_show_their_own_figures(network, login_as):
    n = network
    seed(n)
    city = login_as(n.city_officer).get(DASH, Y2024)
    assert city.status_code == 200
    assert city.context["title"] == "Network dashboard"
    t = tiles(city)
    assert t["queries_answered"] == "6"
    assert t["cases_assisted"] == "1"
    assert t["enterprises_served"] == "3"
    assert "visits" not in t  # nothing in the network writes visits yet
    html = city.content.decode()
    assert 'id="tile-queries_answered"' in html and "<svg" in html
    ranking = {r.unit.code: (r.quantity, r.enterprises) for r in city.context["ranking"]}
    assert ranking == {"DC-110108": (3, 2), "DC-110105": (3, 1)}
    assert [s.kind for s in city.context["series"]] == ["query_answered", "case_assisted"]
    ip_chart = next(b for b in city.context["breakdowns"] if b["key"] == "ip_type")
    assert "Trademark" in ip_chart["chart"] and "Patent" in ip_chart["chart"]

    district = login_as(n.haidian_officer).get(DASH, Y2024)
    assert district.context["title"] == "District dashboard"
    assert tiles(district)["queries_answered"] == "3"
    assert tiles(district)["enterprises_served"] == "2"  # ent_zgc served by two stations: once

    station = login_as(n.liaison_zgc).get(DASH, Y2024)
    assert station.status_code == 200
    assert station.context["title"] == "Workstation dashboard"
    assert tiles(station)["queries_answered"] == "1"
    assert station.context["ranking"] == []
    # the city officer reaches the workstation's dashboard too, the same template
    same = login_as(n.city_officer).get(DASH, {**Y2024, "unit": n.ws_zgc.pk})
    assert tiles(same)["queries_answered"] == "1"


def test_numbers_are_grouped_for_the_reader(network, login_as):
    n = network
    act(n, n.ws_zgc, dt.date(2024, 3, 5), n.ent_zgc, quantity=1234567)
    response = login_as(n.city_officer).get(DASH, Y2024)
    assert tiles(response)["queries_answered"] == "1,234,567"


@pytest.mark.parametrize("who", ["portal_zgc"])
def test_portal_users_get_404(network, login_as, who):
    client = login_as(getattr(network, who))
    assert client.get(DASH).status_code == 404
    assert client.get(DRILL).status_code == 404
    assert client.get(reverse("ledger:drill_export", args=["csv"])).status_code == 404


def test_units_out_of_scope_answer_404(network, login_as):
    n = network
    district = login_as(n.haidian_officer)
    assert district.get(DASH, {"unit": n.chaoyang.pk}).status_code == 404
    assert district.get(DASH, {"unit": n.city.pk}).status_code == 404
    assert district.get(DRILL, {"unit": n.ws_wangjing.pk}).status_code == 404
    assert district.get(DASH, {"unit": "999999"}).status_code == 404
    assert district.get(DASH, {"unit": "x"}).status_code == 404
    assert district.get(DASH, {"unit": n.ws_zgc.pk}).status_code == 200
    liaison = login_as(n.liaison_zgc)
    assert liaison.get(DASH, {"unit": n.haidian.pk}).status_code == 404
    assert (
        liaison.get(reverse("ledger:drill_export", args=["csv"]), {"unit": n.city.pk}).status_code
        == 404
    )


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(DASH)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_drill_total_equals_the_sum_of_its_rows_at_every_level(network, login_as):
    n = network
    seed(n)
    reversed_source = act(n, n.ws_wangjing, dt.date(2024, 7, 1), n.ent_wangjing)
    ledger_reverse(source=reversed_source, kind="query_answered")
    client = login_as(n.city_officer)
    params = {"from": "2024-01-01", "to": "2024-12-31", "kind": "query_answered"}
    for unit, expected in ((n.city, 6), (n.haidian, 3), (n.ws_shangdi, 2), (n.chaoyang, 3)):
        response = client.get(DRILL, {**params, "unit": unit.pk})
        assert response.status_code == 200
        figure = response.context["figure"]["quantity"]
        rows = list(response.context["page"].paginator.object_list)
        assert figure == expected == sum(r.quantity for r in rows)
        assert all(r.kind == "query_answered" for r in rows)
    city = client.get(DRILL, {**params, "unit": n.city.pk})
    children = {c["unit"].code: c["quantity"] for c in city.context["children"]}
    assert children == {"DC-110105": 3, "DC-110108": 3}
    assert f"unit={n.haidian.pk}" in city.context["children"][1]["href"]
    # a breakdown filter narrows the figure and the rows alike
    trademark = client.get(DRILL, {**params, "unit": n.city.pk, "ip_type": "trademark"})
    assert trademark.context["figure"]["quantity"] == 1
    assert trademark.context["page"].paginator.count == 1
    assert [c["name"] for c in trademark.context["chips"]] == ["Kind", "IP type"]


def test_drill_rows_are_paginated_by_fifty(network, login_as):
    n = network
    for day in range(60):
        act(n, n.ws_zgc, dt.date(2024, 1, 1) + dt.timedelta(days=day), n.ent_zgc)
    client = login_as(n.liaison_zgc)
    params = {"from": "2024-01-01", "to": "2024-12-31", "kind": "query_answered"}
    first = client.get(DRILL, params)
    assert len(first.context["page"].object_list) == 50
    assert first.context["figure"]["quantity"] == 60
    second = client.get(DRILL, {**params, "page": 2})
    assert len(second.context["page"].object_list) == 10


def test_drill_links_only_the_enterprises_the_viewer_may_open(network, login_as):
    """Zhongguancun served Wangjing's enterprise once: its liaison sees the name in the rows, but
    only their own enterprise is a link (the other's page would answer 404)."""
    n = network
    act(n, n.ws_zgc, dt.date(2024, 3, 5), n.ent_zgc)
    act(n, n.ws_zgc, dt.date(2024, 3, 6), n.ent_wangjing)
    client = login_as(n.liaison_zgc)
    html = client.get(DRILL, {"from": "2024-01-01", "to": "2024-12-31"}).content.decode()
    own, other = (reverse("enterprises:detail", args=[e.pk]) for e in (n.ent_zgc, n.ent_wangjing))
    assert f'href="{own}"' in html and client.get(own).status_code == 200
    assert n.ent_wangjing.name in html
    assert f'href="{other}"' not in html and client.get(other).status_code == 404
    # The city officer may open both.
    html = (
        login_as(n.city_officer)
        .get(DRILL, {"from": "2024-01-01", "to": "2024-12-31", "unit": n.ws_zgc.pk})
        .content.decode()
    )
    assert f'href="{own}"' in html and f'href="{other}"' in html


def test_bad_drill_filters_are_explained(network, login_as):
    client = login_as(network.city_officer)
    response = client.get(DRILL, {"from": "2024-05-01", "to": "2024-04-01"})
    assert response.status_code == 422
    assert "The end date is before the start date." in response.content.decode()
    assert client.get(DRILL, {"kind": "nonsense"}).status_code == 422


def test_export_holds_exactly_the_drilled_rows_and_is_audited(network, login_as):
    n = network
    seed(n)
    client = login_as(n.haidian_officer)
    params = {
        "unit": n.haidian.pk,
        "from": "2024-01-01",
        "to": "2024-12-31",
        "kind": "query_answered",
    }
    response = client.get(reverse("ledger:drill_export", args=["csv"]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert sum(int(r["Quantity"]) for r in rows) == 3
    assert {r["Unit code"] for r in rows} == {"WS-110108-001", "WS-110108-002"}
    assert {r["Kind"] for r in rows} == {"Query answered"}
    assert rows[0]["Date"] == "2024-04-10"  # newest first, as on the page
    assert rows[0]["IP type"] == "Trademark" and rows[0]["Channel"] == "Portal"
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.object_type == "ledger.servicerecord"
    assert event.changes["rows"] == 3 and event.changes["filters"]["kind"] == "query_answered"

    xlsx = client.get(reverse("ledger:drill_export", args=["xlsx"]), params)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).active
    values = list(sheet.values)
    assert values[0][:3] == ("Date", "Unit code", "Unit")
    assert len(values) == 4 and sum(v[9] for v in values[1:]) == 3
    assert AuditEvent.objects.filter(action="export").count() == 2
    assert client.get(reverse("ledger:drill_export", args=["pdf"]), params).status_code == 404


def test_compare_with_the_previous_year(network, login_as):
    n = network
    seed(n)
    act(n, n.ws_zgc, dt.date(2023, 3, 5), n.ent_zgc, quantity=4)
    response = login_as(n.city_officer).get(DASH, {**Y2024, "compare": "previous_year"})
    assert response.status_code == 200
    tile = next(t for t in response.context["tiles"] if t.key == "queries_answered")
    assert (tile.value, tile.previous, tile.change, tile.trend) == ("6", "4", "▲ 50.0%", "up")
    cases = next(t for t in response.context["tiles"] if t.key == "cases_assisted")
    assert (cases.previous, cases.change) == ("0", "—")  # nothing to compare with
    html = response.content.decode()
    assert "Last year: 4" in html and "compared with" in html


def test_an_empty_period_shows_zeros_and_dashes(network, login_as):
    n = network
    seed(n)
    response = login_as(n.city_officer).get(DASH, {"period": "year", "year": "2019"})
    assert response.status_code == 200
    t = tiles(response)
    assert t["queries_answered"] == "0" and t["enterprises_served"] == "0"
    assert t["priority_coverage"] == "—" and t["satisfaction"] == "—"
    assert "Nothing of this kind was recorded in this period." in response.content.decode()
    assert all(r.quantity == 0 for r in response.context["ranking"])
    drill = login_as(n.city_officer).get(DRILL, {"from": "2019-01-01", "to": "2019-12-31"})
    assert drill.status_code == 200 and 'id="rows-empty"' in drill.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"period": "month", "month": "2024-02"},
            (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ),
        (
            {"period": "quarter", "year": "2024", "quarter": "2"},
            (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        ),
        ({"period": "year", "year": "2023"}, (dt.date(2023, 1, 1), dt.date(2023, 12, 31))),
        (
            {"period": "custom", "from": "2024-03-15", "to": "2024-04-10"},
            (dt.date(2024, 3, 15), dt.date(2024, 4, 10)),
        ),
    ],
)
def test_period_selector(network, login_as, params, expected):
    n = network
    seed(n)
    response = login_as(n.city_officer).get(DASH, params)
    period = response.context["period"]
    assert (period.start, period.end) == expected


def test_default_period_is_this_year_to_date_of_the_topmost_unit(network, login_as):
    response = login_as(network.haidian_officer).get(DASH)
    assert response.context["unit"].id == network.haidian.pk
    assert response.context["period"].start.month == 1 and response.context["period"].start.day == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"period": "custom", "from": "2024-05-01", "to": "2024-04-01"},
            "The end date is before the start date.",
        ),
        ({"period": "custom", "from": "1990-01-01", "to": "2024-04-01"}, "at most 20 years"),
        ({"period": "month", "month": "2024-13"}, "Enter a month as YYYY-MM."),
        ({"period": "month", "month": "0001-01"}, "Dates must lie between 1901-01-01"),
        ({"period": "custom", "to": "0001-01-01"}, "Dates must lie between 1901-01-01"),
        ({"period": "custom", "from": "not a date"}, "Enter a valid date."),
        ({"period": "fortnight"}, "Select a valid choice."),
    ],
)
def test_bad_periods_are_shown_as_form_errors(network, login_as, params, message):
    response = login_as(network.city_officer).get(DASH, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="period-errors"' in html and message in html
    assert "tiles" not in response.context


def test_ranking_sorts_by_query_parameter(network, login_as):
    n = network
    seed(n)
    act(n, n.ws_wangjing, dt.date(2024, 5, 2), n.ent_wangjing)
    client = login_as(n.city_officer)
    codes = lambda r: [row.unit.code for row in r.context["ranking"]]  # noqa: E731
    assert codes(client.get(DASH, {**Y2024, "sort": "-quantity"})) == ["DC-110105", "DC-110108"]
    assert codes(client.get(DASH, {**Y2024, "sort": "quantity"})) == ["DC-110108", "DC-110105"]
    assert codes(client.get(DASH, {**Y2024, "sort": "-enterprises"})) == ["DC-110108", "DC-110105"]
    assert codes(client.get(DASH, {**Y2024, "sort": "code"})) == ["DC-110105", "DC-110108"]
    cases = client.get(DASH, {**Y2024, "kind": "case_assisted"})
    assert {r.unit.code: r.quantity for r in cases.context["ranking"]} == {
        "DC-110105": 0,
        "DC-110108": 1,
    }


def test_dashboard_link_in_navigation_for_business_staff(network, login_as):
    assert 'id="nav-dashboard"' in login_as(network.city_officer).get("/").content.decode()
    assert 'id="nav-dashboard"' not in login_as(network.auditor).get("/").content.decode()


def _grow(n, extra: int):
    units = [n.ws_zgc, n.ws_shangdi, n.ws_wangjing]
    for i in range(extra):
        act(
            n, units[i % 3], dt.date(2024, 1 + i % 12, 1 + i % 28), n.ent_shangdi,
            ip_type=("patent", "trademark", "copyright")[i % 3],
            channel=("phone", "portal", "email", "wechat")[i % 4],
        )  # fmt: skip


def test_query_counts_do_not_grow_with_the_ledger(network, login_as, django_assert_max_num_queries):
    n = network
    seed(n)
    # Rows on the days the custom ranges leave out: their partial months must be read from the
    # rows (the costlier path), before and after the ledger grows.
    act(n, n.ws_zgc, dt.date(2024, 1, 2), n.ent_zgc)
    act(n, n.ws_wangjing, dt.date(2024, 12, 28), n.ent_wangjing)
    client = login_as(n.city_officer)
    calls = [
        (DASH, {**Y2024, "compare": "previous_year"}),
        (DASH, {"period": "custom", "from": "2024-01-15", "to": "2024-12-20"}),
        (DASH, {**Y2024, "unit": n.haidian.pk}),
        (DRILL, {"from": "2024-01-15", "to": "2024-12-20", "kind": "query_answered"}),
        (
            DRILL,
            {"from": "2024-01-01", "to": "2024-12-31", "unit": n.haidian.pk, "channel": "phone"},
        ),
    ]
    counts = []
    for url, params in calls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        counts.append(len(ctx.captured_queries))
    # 22: one round trip of index probes, and one for which of the page's enterprises to link
    assert counts[0] <= 25 and counts[3] <= 22, counts
    _grow(n, 120)
    for (url, params), count in zip(calls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url, params).status_code == 200


def test_the_dashboard_renders_in_chinese(network, login_as, settings):
    # The request activates Chinese in this thread; the override restores English afterwards.
    with translation.override("en"):
        _chinese_pages(network, login_as, settings)


def _chinese_pages(network, login_as, settings):
    n = network
    seed(n)
    client = login_as(n.city_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(DASH, {**Y2024, "compare": "previous_year"})
    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "zh-hans"
    assert tiles(response)["queries_answered"] == "6"
    drill = client.get(DRILL, {"from": "2024-01-01", "to": "2024-12-31", "kind": "query_answered"})
    assert drill.status_code == 200
    export = client.get(reverse("ledger:drill_export", args=["csv"]), {"from": "2024-01-01"})
    header = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("日期,服务单位编码")
