import pytest


@pytest.fixture
def api(network, api_as):
    return api_as(network.liaison_zgc)


def test_calendar_needs_authentication(network, api_as):
    assert (
        api_as()
        .get("/api/v1/calendar/days", {"from": "2026-10-01", "to": "2026-10-02"})
        .status_code
        == 401
    )


def test_days_say_why(api):
    body = api.get("/api/v1/calendar/days", {"from": "2026-10-07", "to": "2026-10-10"}).json()
    assert [d["working"] for d in body["items"]] == [False, True, True, True]
    assert (
        body["items"][0]["reason"] == "holiday" and body["items"][3]["reason"] == "makeup_workday"
    )
    assert body["working_days"] == 3 and body["from"] == "2026-10-07"


def test_add_working_days_and_hours(api):
    due = api.get(
        "/api/v1/calendar/add", {"start": "2026-09-30T15:00:00+08:00", "working_days": 3}
    ).json()
    assert due["due"].startswith("2026-10-10T15:00:00")
    naive = api.get(
        "/api/v1/calendar/add", {"start": "2026-11-24T11:00:00", "working_hours": 2}
    ).json()
    assert naive["due"].startswith("2026-11-24T14:30:00")


def test_bad_calendar_queries_get_clear_errors(api):
    both = api.get(
        "/api/v1/calendar/add",
        {"start": "2026-11-24T11:00:00", "working_hours": 2, "working_days": 1},
    )
    assert both.status_code == 422 and both.json()["field"] == "working_days"
    missing = api.get("/api/v1/calendar/days", {"from": "2031-01-01", "to": "2031-01-05"})
    assert missing.status_code == 422 and missing.json()["code"] == "calendar_year_missing"
    fallback = api.get(
        "/api/v1/calendar/days", {"from": "2031-01-01", "to": "2031-01-05", "fallback": "true"}
    ).json()
    assert fallback["fallback_used"] is True
    garbage = api.get("/api/v1/calendar/days", {"from": "yesterday", "to": "2031-01-05"})
    assert garbage.status_code == 422 and garbage.json()["field"] == "from"
    backwards = api.get("/api/v1/calendar/days", {"from": "2026-02-01", "to": "2026-01-05"})
    assert backwards.status_code == 400 and backwards.json()["code"] == "bad_range"


def test_a_unit_decides_the_fallback(network, api):
    days = {"from": "2031-01-01", "to": "2031-01-05"}
    refused = api.get("/api/v1/calendar/days", {**days, "unit": network.ws_zgc.pk})
    assert refused.status_code == 422 and refused.json()["code"] == "calendar_year_missing"
    message = refused.json()["message"]
    assert "no data for 2031" in message and "ipps calendar import" in message
    assert "allow the weekends-only calendar for Zhongguancun Software Park Workstation" in message
    network.ws_zgc.calendar_weekend_fallback = True
    network.ws_zgc.save(update_fields=["calendar_weekend_fallback"])
    allowed = api.get("/api/v1/calendar/days", {**days, "unit": network.ws_zgc.pk})
    assert allowed.status_code == 200, allowed.content
    body = allowed.json()
    assert body["unit_id"] == network.ws_zgc.pk and body["fallback_allowed"] is True
    assert body["fallback_used"] is True
    assert {d["source"] for d in body["items"]} == {"fallback"}
    assert [d["working"] for d in body["items"]] == [True, True, True, False, False]
    due = api.get(
        "/api/v1/calendar/add",
        {"start": "2031-01-03T10:00:00+08:00", "working_days": 1, "unit": network.ws_zgc.pk},
    ).json()
    assert due["due"].startswith("2031-01-06T10:00:00") and due["fallback_used"] is True
    other = api.get(
        "/api/v1/calendar/add",
        {"start": "2031-01-03T10:00:00+08:00", "working_days": 1, "unit": network.haidian.pk},
    )
    assert other.status_code == 422 and "Haidian IP Service Centre" in other.json()["message"]


def test_a_unit_and_a_year_with_data_need_no_fallback(network, api):
    body = api.get(
        "/api/v1/calendar/days",
        {"from": "2026-10-01", "to": "2026-10-02", "unit": network.ws_zgc.pk},
    ).json()
    assert body["fallback_used"] is False and body["fallback_allowed"] is False
    assert body["items"][0]["source"] == "statutory"


def test_unit_parameter_errors(network, api):
    days = {"from": "2031-01-01", "to": "2031-01-05"}
    unknown = api.get("/api/v1/calendar/days", {**days, "unit": 999999})
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    both = api.get("/api/v1/calendar/days", {**days, "unit": network.ws_zgc.pk, "fallback": "true"})
    assert both.status_code == 422 and both.json()["field"] == "fallback"
    without = api.get("/api/v1/calendar/days", days).json()
    assert "2031" in without["message"] and "fallback=true" in without["message"]
