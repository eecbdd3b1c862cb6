"""GET /ledger over real HTTP: scope, filters, totals equal the resolved requests, query count."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ipps.casework import services
from ipps.casework.models import ServiceRequest

URL = "/api/v1/ledger"


def answered(network, n, *, unit_user=None, enterprise=None, category="consultation"):
    """n requests filed and resolved; returns them."""
    done = []
    for i in range(n):
        request = services.request_create(
            subject=f"问题{i}", description="请问如何办理？", channel="phone", ip_type="patent",
            chain_stage="creation", category=category, acting_user=unit_user or network.liaison_zgc,
            enterprise=enterprise or network.ent_zgc,
        )  # fmt: skip
        services.request_resolve(
            request=request, acting_user=unit_user or network.liaison_zgc, answer="答复"
        )
        done.append(request)
    return done


def test_totals_equal_the_resolved_requests(network, api_as):
    answered(network, 3)
    answered(network, 2, unit_user=network.liaison_wangjing, enterprise=network.ent_wangjing)
    open_one = services.request_create(
        subject="未答复", description="x", channel="phone", ip_type="patent", chain_stage="creation",
        category="consultation", acting_user=network.liaison_zgc, enterprise=network.ent_zgc,
    )  # fmt: skip
    assert open_one.status == "new"
    city = api_as(network.city_officer)
    body = city.get(URL, {"kind": "query_answered"}).json()
    assert body["count"] == 5 and body["total"] == 5
    assert body["total"] == ServiceRequest.objects.filter(status="resolved").count()
    haidian = city.get(URL, {"unit": network.haidian.pk, "kind": "query_answered"}).json()
    assert haidian["total"] == 3
    assert {row["unit_code"] for row in haidian["items"]} == {"WS-110108-001"}
    row = haidian["items"][0]
    assert (
        row["enterprise_name"] == network.ent_zgc.name
        and row["source_type"] == "casework.servicerequest"
    )
    assert (row["ip_type"], row["chain_stage"], row["channel"], row["quantity"]) == (
        "patent", "creation", "phone", 1,
    )  # fmt: skip
    # `total` covers every filtered row, not only the page
    page = city.get(URL, {"limit": 2}).json()
    assert len(page["items"]) == 2 and page["total"] == 5


def test_reopen_resolve_and_archive_over_the_api(network, api_as):
    (request,) = answered(network, 1, category="infringement")
    liaison = api_as(network.liaison_zgc)
    liaison.post(f"/api/v1/requests/{request.pk}/reopen", {"reason": "未解决"})
    liaison.post(f"/api/v1/requests/{request.pk}/resolve", {"answer": "再次答复"})
    body = liaison.get(URL).json()
    assert body["count"] == 2 and body["total"] == 2  # query_answered + case_assisted, once each
    services.request_archive(request=request, acting_user=network.liaison_zgc)
    body = liaison.get(URL).json()
    assert body["count"] == 4 and body["total"] == 0
    assert sum(1 for row in body["items"] if row["reverses"]) == 2


def test_scope_and_filters(network, api_as):
    answered(network, 2)
    answered(network, 1, unit_user=network.liaison_wangjing, enterprise=network.ent_wangjing)
    assert api_as(network.liaison_wangjing).get(URL).json()["total"] == 1
    assert api_as(network.liaison_zgc).get(URL).json()["total"] == 2
    assert api_as(network.portal_zgc).get(URL).json() == {"items": [], "count": 0, "total": 0}
    assert api_as().get(URL).status_code == 401
    today = timezone.localdate()
    city = api_as(network.city_officer)
    assert city.get(URL, {"from": today.isoformat(), "to": today.isoformat()}).json()["total"] == 3
    assert city.get(URL, {"to": "2000-01-01"}).json()["total"] == 0
    r = city.get(URL, {"kind": "bribery"})
    assert r.status_code == 422 and r.json()["field"] == "kind"
    r = city.get(URL, {"from": "2026-02-30"})
    assert r.status_code == 422 and r.json()["field"] == "from"


def test_query_count_does_not_grow_with_rows(network, api_as, django_assert_max_num_queries):
    answered(network, 1)
    client = api_as(network.city_officer)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    answered(network, 6)
    answered(network, 3, unit_user=network.liaison_wangjing, enterprise=network.ent_wangjing)
    with django_assert_max_num_queries(len(few)):
        body = client.get(URL).json()
    assert body["count"] == 10
