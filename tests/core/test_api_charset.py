"""API answers carry their charset: given when the answer is made, not parsed from its header."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from ipps.core.api import api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/v1/me", None, 200),
        ("get", "/api/v1/requests/999999", None, 404),
        ("post", "/api/v1/requests", {"subject": ""}, 422),
    ],
)
def test_answers_are_utf8_json_with_one_charset(network, api_as, method, path, body, status):
    client = api_as(network.liaison_zgc)
    if body is None:
        response = getattr(client, method)(path)
    else:
        response = getattr(client, method)(path, body, content_type="application/json")
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.charset == "utf-8"
    response.json()  # decodes as the header says


def test_chinese_is_written_as_utf8_not_escaped():
    request = RequestFactory().get("/api/v1/me")
    response = api.create_response(request, {"name": "海淀中心"}, status=200)
    assert response.content == '{"name": "海淀中心"}'.encode()
    assert response.status_code == 200


def test_answers_are_made_with_their_charset():
    # Without it Django finds the charset again in the Content-Type, by regular expression, for
    # each of the two answers ninja makes a call (the speed of every API call, not its result).
    request = RequestFactory().get("/api/v1/me")
    assert api.create_temporal_response(request)._charset == "utf-8"
    assert api.create_response(request, {}, status=201)._charset == "utf-8"
    temporal = api.create_temporal_response(request)
    temporal.status_code = 202
    answer = api.create_response(request, {"a": 1}, temporal_response=temporal)
    assert answer is temporal and answer.status_code == 202 and answer.content == b'{"a": 1}'
