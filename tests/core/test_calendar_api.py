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
    missing = api.get("/api/v1/calendar/days", {"from": "2027-01-01", "to": "2027-01-05"})
    assert missing.status_code == 422 and missing.json()["code"] == "calendar_year_missing"
    fallback = api.get(
        "/api/v1/calendar/days", {"from": "2027-01-01", "to": "2027-01-05", "fallback": "true"}
    ).json()
    assert fallback["fallback_used"] is True
    garbage = api.get("/api/v1/calendar/days", {"from": "yesterday", "to": "2027-01-05"})
    assert garbage.status_code == 422 and garbage.json()["field"] == "from"
    backwards = api.get("/api/v1/calendar/days", {"from": "2026-02-01", "to": "2026-01-05"})
    assert backwards.status_code == 400 and backwards.json()["code"] == "bad_range"
