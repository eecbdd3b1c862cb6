"""Invalid API input is answered in the caller's language, field by field (pydantic speaks English
only: its errors are translated by their type)."""

from __future__ import annotations

import pytest
from django.db import connection

from ipps.core.api import validation_message

pytestmark = pytest.mark.django_db

VALID = {
    "subject": "发明专利申请需要哪些材料",
    "description": "请问需要准备哪些材料？",
    "ip_type": "patent",
    "chain_stage": "creation",
    "category": "consultation",
    "channel": "api",
}


def post(network, api_as, body, language):
    client = api_as(network.liaison_zgc)
    client.headers["Accept-Language"] = language
    response = client.post(
        "/api/v1/requests", {**body, "enterprise": body.get("enterprise", network.ent_zgc.pk)}
    )
    assert response.status_code == 422, response.content
    answer = response.json()
    assert answer["code"] == "validation_error"
    return answer, {e["field"]: e for e in answer["errors"]}


def test_each_invalid_field_is_named_in_chinese(network, api_as):
    body = {
        **VALID,
        "subject": "专" * 201,
        "ip_type": "patents",
        "priority": "soon",
        "confidential": "maybe",
        "received_at": "yesterday",
    }
    body.pop("description")
    answer, errors = post(network, api_as, body, "zh-hans")
    assert errors["description"]["message"] == "此字段为必填项。"
    assert errors["description"]["type"] == "missing"
    assert errors["subject"]["message"] == "最多输入 200 个字符。"
    assert errors["ip_type"]["message"] == (
        "请从以下选项中选择：'patent', 'trademark', 'copyright', 'geographical_indication', "
        "'trade_secret', 'other'。"
    )
    assert errors["priority"]["message"].startswith("请从以下选项中选择：'low', ")
    assert errors["confidential"]["message"] == "请输入 true 或 false。"
    assert errors["received_at"]["message"] == "请输入日期和时间，例如 2026-10-08T09:30:00+08:00。"
    first = answer["errors"][0]
    assert answer["message"] == f"{first['field']}: {first['message']}"
    assert answer["field"] == first["field"]


def test_the_same_errors_in_english(network, api_as):
    body = {**VALID, "enterprise": "abc"}
    body.pop("subject")
    _answer, errors = post(network, api_as, body, "en")
    assert errors["subject"]["message"] == "This field is required."
    assert errors["enterprise"]["message"] == "Enter a whole number."


def test_nothing_is_written_when_input_is_invalid(network, api_as):
    from ipps.casework.models import ServiceRequest

    before = ServiceRequest.objects.count()
    post(network, api_as, {**VALID, "channel": "pigeon"}, "zh-hans")
    assert ServiceRequest.objects.count() == before


def test_messages_of_our_validators_and_unknown_types_pass_through():
    assert (
        validation_message(
            {"type": "value_error", "msg": "Value error, 坏", "ctx": {"error": ValueError("坏")}}
        )
        == "坏"
    )
    assert (
        validation_message({"type": "some_new_type", "msg": "As pydantic says"})
        == "As pydantic says"
    )
    # A context without the limit the message names: pydantic's text rather than a broken one.
    assert (
        validation_message({"type": "string_too_long", "msg": "too long", "ctx": {}}) == "too long"
    )
    assert validation_message(
        {"type": "string_too_long", "msg": "x", "ctx": {"max_length": 5}}
    ) == ("Enter at most 5 characters.")


def test_a_body_that_is_not_json_is_refused_in_the_callers_language(network, api_as):
    client = api_as(network.liaison_zgc)
    client.headers["Accept-Language"] = "zh-hans"
    response = client.post("/api/v1/requests", "{bad", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "请求体不是有效的 JSON。",
        "field": None,
    }


# Numbers the database cannot hold ----------------------------------------------------------------


def test_numbers_too_large_for_the_database_are_refused_not_a_server_error(
    network, api_as, make_request
):
    """Found by schemathesis: SQLite's driver refuses integers beyond 64 bits (PostgreSQL too,
    with its own error); such input answered 500."""
    api = api_as(network.liaison_zgc)
    huge = 2**80
    sqlite = connection.vendor == "sqlite"  # PostgreSQL compares such a number and finds nothing
    response = api.get(f"/api/v1/units?parent={huge}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    if sqlite:
        assert response.status_code == 422 and response.json()["code"] == "out_of_range"
    else:
        assert response.status_code == 200 and response.json()["count"] == 0
    response = api.get(f"/api/v1/requests?offset={huge}")  # lists bound their offset
    assert response.status_code == 422 and response.json()["field"] == "offset"
    request = make_request()
    response = api.post(
        f"/api/v1/requests/{request.pk}/resolve", {"answer": "已答复", "articles": [huge]}
    )
    assert response.status_code == 422
    assert response.json()["code"] == ("out_of_range" if sqlite else "unknown_articles")
    request.refresh_from_db()
    assert request.status == "new"  # nothing was written


def test_a_due_time_from_before_standard_time_is_refused(network, api_as):
    response = api_as(network.liaison_zgc).get(
        "/api/v1/calendar/add", {"start": "1021-07-25T13:39:11", "working_days": 1}
    )
    assert response.status_code == 422 and response.json()["field"] == "start"


def test_with_debug_on_the_parsers_detail_follows_the_message_in_the_callers_language(
    network, api_as, settings
):
    settings.DEBUG = True
    client = api_as(network.liaison_zgc)
    client.headers["Accept-Language"] = "zh-hans"
    response = client.post("/api/v1/requests", "{bad", content_type="application/json")
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("请求体不是有效的 JSON。 (")
    assert "Cannot parse" not in message
