"""Error pages in the reader's language, and the API's JSON error shape for addresses under /api/
that match no route (Django's own answers are English HTML)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_an_api_address_that_matches_no_route_answers_json(network, api_as):
    for path in ("/api/v1/requests/abc", "/api/v1/no-such-thing", "/api/nothing"):
        response = api_as(network.liaison_zgc).get(path, **ZH)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"code": "not_found", "message": "未找到。", "field": None}
    # Without a token too: the address is wrong before anyone is asked who they are.
    response = Client().get("/api/v1/requests/abc")
    assert response.status_code == 404 and response.json()["message"] == "Not found."


def test_a_page_that_does_not_exist_is_explained_in_the_readers_language(network, login_as):
    client = login_as(network.liaison_zgc)
    other = reverse("enterprises:detail", args=[network.ent_wangjing.pk])  # another workstation's
    for path in ("/no-such-page/", other):
        response = client.get(path, **ZH)
        assert response.status_code == 404
        html = response.content.decode()
        assert 'data-error="404"' in html and '<html lang="zh-hans">' in html
        assert "此页面不存在" in html
        assert 'id="nav-requests"' in html  # the menu is there to go on from
    english = client.get("/no-such-page/").content.decode()
    assert "This page does not exist, or it is not yours to see." in english
    assert Client().get("/no-such-page/", **ZH).status_code == 404


@pytest.mark.urls("tests.core.error_urls")
def test_a_server_error_is_explained_and_the_api_gets_json(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", **ZH)
    assert response.status_code == 500
    html = response.content.decode()
    assert 'data-error="500"' in html and '<html lang="zh-hans">' in html
    assert "RuntimeError" not in html and "a bug" not in html
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Something went wrong on our side; it has been logged.",
        "field": None,
    }


def test_an_expired_form_says_what_to_do(network, password):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"),
        {"username": network.liaison_zgc.username, "password": password},
        **ZH,
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-error="403"' in html and "表单已过期" in html
    assert "CSRF verification failed" not in html
