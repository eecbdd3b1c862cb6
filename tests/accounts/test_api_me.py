"""GET /api/v1/me and the token endpoints under it."""

from __future__ import annotations

import pytest

from ipps.accounts.services import token_create
from tests.scoped_api import ScopedResourceTests

pytestmark = pytest.mark.django_db


def test_me_requires_authentication(network, api_as):
    response = api_as().get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["code"] == "not_authenticated" and body["field"] is None and body["message"]


def test_me_for_a_liaison(network, api_as):
    response = api_as(network.liaison_zgc).get("/api/v1/me")
    assert response.status_code == 200
    # One charset parameter (it was given twice: "…; charset=utf-8; charset=utf-8").
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body == {
        "id": network.liaison_zgc.pk,
        "username": "liaison-ws-110108-001",
        "full_name": network.liaison_zgc.full_name,
        "email": network.liaison_zgc.email,
        "is_superuser": False,
        "enterprise": None,
        "memberships": [
            {
                "unit_id": network.ws_zgc.pk,
                "unit_code": "WS-110108-001",
                "unit_name": "Zhongguancun Software Park Workstation",
                "role": "liaison",
            }
        ],
        "language": "en",
    }


def test_me_in_chinese_keeps_chinese_readable(network, api_as):
    client = api_as(network.liaison_zgc)
    client.headers["Accept-Language"] = "zh-CN"
    response = client.get("/api/v1/me")
    body = response.json()
    assert body["language"] == "zh-hans"
    assert body["memberships"][0]["unit_name"] == "中关村软件园工作站"
    assert "中关村软件园工作站" in response.content.decode()  # not \u-escaped


def test_me_for_a_portal_user(network, api_as):
    body = api_as(network.portal_zgc).get("/api/v1/me").json()
    assert body["enterprise"] == network.ent_zgc.pk and body["memberships"] == []


def test_me_for_a_superuser(network, api_as):
    body = api_as(network.admin).get("/api/v1/me").json()
    assert body["is_superuser"] is True


def test_me_with_a_browser_session(network, login_as):
    response = login_as(network.auditor).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["memberships"][0]["role"] == "auditor"


def test_me_is_in_the_openapi_spec_with_its_errors(network, login_as):
    spec = login_as(network.admin).get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/me"]["get"]
    assert {"200", "401"} <= set(operation["responses"])


class TestTokenScope(ScopedResourceTests):
    list_url = "/api/v1/me/tokens"

    def detail_url(self, obj):
        return f"/api/v1/me/tokens/{obj.pk}"

    def in_scope(self, network):
        return network.liaison_zgc, token_create(user=network.liaison_zgc, name="mine")[0]

    def out_of_scope(self, network):
        return network.liaison_zgc, token_create(user=network.liaison_wangjing, name="theirs")[0]

    def superuser_sees_only_own(self, network):
        return network.admin, token_create(user=network.liaison_wangjing, name="theirs")[0]

    extra_out_of_scope = ("superuser_sees_only_own",)


def test_token_list_never_shows_digests(network, api_as):
    items = api_as(network.liaison_zgc).get("/api/v1/me/tokens").json()["items"]
    assert items and all("digest" not in item for item in items)
    assert items[0]["name"] == "tests" and items[0]["is_active"] is True


def test_revoking_through_the_api(network, api_as):
    client = api_as(network.liaison_zgc)
    other, _raw = token_create(user=network.liaison_zgc, name="old script")
    response = client.post(f"/api/v1/me/tokens/{other.pk}/revoke")
    assert response.status_code == 200 and response.json()["is_active"] is False
    foreign, _raw = token_create(user=network.liaison_wangjing, name="theirs")
    response = client.post(f"/api/v1/me/tokens/{foreign.pk}/revoke")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
