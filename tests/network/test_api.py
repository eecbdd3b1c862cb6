"""GET /api/v1/units and /api/v1/units/{id}: a public directory for every signed-in user."""

from __future__ import annotations

from ipps.network.models import ServiceUnit
from tests.scoped_api import ScopedResourceTests


class TestUnitScope(ScopedResourceTests):
    """Units are visible to every authenticated user, so the out-of-scope case is a unit that does
    not exist: it must answer 404 like any object out of scope, and never appear in the list."""

    list_url = "/api/v1/units"
    extra_out_of_scope = ("out_of_scope_for_portal_user",)

    def detail_url(self, obj):
        return f"/api/v1/units/{obj.pk}"

    def in_scope(self, network):
        # A liaison of Haidian sees a Chaoyang workstation: the directory is public.
        return network.liaison_zgc, network.ws_wangjing

    def out_of_scope(self, network):
        return network.liaison_zgc, ServiceUnit(pk=ServiceUnit.objects.order_by("-pk")[0].pk + 1000)

    def out_of_scope_for_portal_user(self, network):
        return network.portal_zgc, ServiceUnit(pk=987_654_321)


def ids(response):
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_list_filters(network, api_as):
    api = api_as(network.liaison_zgc)
    assert ids(api.get("/api/v1/units", {"kind": "district_centre"})) == ["DC-110105", "DC-110108"]
    assert ids(api.get("/api/v1/units", {"parent": network.haidian.pk})) == [
        "WS-110108-001",
        "WS-110108-002",
    ]
    assert ids(api.get("/api/v1/units", {"district": "110105"})) == ["DC-110105", "WS-110105-001"]
    assert ids(api.get("/api/v1/units", {"q": "软件园"})) == ["WS-110108-001"]
    assert ids(api.get("/api/v1/units", {"q": "software park"})) == ["WS-110108-001"]
    assert ids(api.get("/api/v1/units", {"q": "ws-110105"})) == ["WS-110105-001"]
    network.ws_shangdi.status = "suspended"
    network.ws_shangdi.save()
    assert ids(api.get("/api/v1/units", {"status": "suspended"})) == ["WS-110108-002"]


def test_list_is_paginated_with_count_and_items(network, api_as):
    body = api_as(network.portal_zgc).get("/api/v1/units", {"limit": 2, "offset": 1}).json()
    assert body["count"] == 6
    assert [u["code"] for u in body["items"]] == ["DC-110105", "DC-110108"]
    first = body["items"][0]
    assert first["parent_id"] == network.city.pk and first["parent_code"] == "BJ"
    assert first["children_count"] == 1


def test_detail_has_the_profile(network, api_as):
    unit = network.ws_zgc
    unit.address = "北京市海淀区东北旺西路8号院"
    unit.latitude, unit.longitude = "40.043300", "116.287700"
    unit.phone, unit.opening_hours = "010-82820000", "周一至周五 9:00—17:00"
    unit.offers_online, unit.online_url = True, "https://example.com/ws"
    unit.save()
    body = api_as(network.liaison_wangjing).get(f"/api/v1/units/{unit.pk}").json()
    assert body["code"] == "WS-110108-001"
    assert body["kind"] == "workstation" and body["kind_label"] == "Workstation"
    assert body["parent_id"] == network.haidian.pk and body["parent_code"] == "DC-110108"
    assert body["children_count"] == 0
    assert body["district"] == "110108" and body["district_label"] == "Haidian"
    assert body["host_park"] == "中关村软件园"
    assert body["address"] == "北京市海淀区东北旺西路8号院"
    assert float(body["latitude"]) == 40.0433 and float(body["longitude"]) == 116.2877
    assert body["phone"] == "010-82820000"
    assert body["opening_hours"] == "周一至周五 9:00—17:00"
    assert body["offers_online"] is True and body["offers_offline"] is True
    assert body["online_url"] == "https://example.com/ws"
    assert body["status"] == "active" and body["status_label"] == "Active"
    assert {"opened_on", "status_changed_on", "closed_on", "region", "region_label"} <= set(body)
    assert body["calendar_weekend_fallback"] is False


def test_chinese_stays_readable_in_the_json(network, api_as):
    response = api_as(network.city_officer).get(f"/api/v1/units/{network.city.pk}")
    assert "北京市知识产权公共服务中心".encode() in response.content


def test_bad_filter_values_answer_422(network, api_as):
    response = api_as(network.city_officer).get("/api/v1/units", {"parent": "abc"})
    assert response.status_code == 422
    assert response.json()["field"] == "parent"


def test_the_openapi_spec_declares_the_errors(network, api_as):
    spec = api_as(network.admin).get("/api/v1/openapi.json").json()
    list_op = spec["paths"]["/api/v1/units"]["get"]
    detail_op = spec["paths"]["/api/v1/units/{unit_id}"]["get"]
    assert {"200", "401"} <= set(list_op["responses"])
    assert {"200", "401", "404"} <= set(detail_op["responses"])


def test_the_list_takes_a_fixed_number_of_queries(network, api_as, django_assert_max_num_queries):
    from tests.factories import UnitFactory

    api = api_as(network.liaison_zgc)
    for n in range(30):
        UnitFactory(kind="workstation", code=f"WS-110108-{n + 100}", parent=network.haidian)
    with django_assert_max_num_queries(4):
        body = api.get("/api/v1/units", {"limit": 100}).json()
    assert body["count"] == 36
    assert all(item["parent_code"] for item in body["items"] if item["kind"] == "workstation")


def test_unknown_filter_values_answer_422_naming_the_field(network, api_as):
    api = api_as(network.city_officer)
    for field, value in (("kind", "castle"), ("status", "asleep"), ("district", "120101")):
        response = api.get("/api/v1/units", {field: value})
        assert response.status_code == 422, field
        assert response.json()["field"] == field
