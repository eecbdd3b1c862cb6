"""The requests API over real HTTP: scope, intake, every action, confidentiality, files, queries."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipps.casework import selectors, services
from ipps.casework.choices import RequestStatus
from ipps.casework.models import Expert, ServiceRequest
from ipps.core.api import register_routers
from ipps.ledger.models import ServiceRecord
from tests.factories import UnitFactory, UserFactory
from tests.scoped_api import ScopedResourceTests

S = RequestStatus
URL = "/api/v1/requests"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def other_portal_user(network):
    return UserFactory(username="portal-shangdi", enterprise=network.ent_shangdi)


class TestRequestScope(ScopedResourceTests):
    list_url = URL
    extra_out_of_scope = ("other_enterprise",)

    def detail_url(self, obj):
        return f"{URL}/{obj.pk}"

    def _request(self, network):
        return services.request_create(
            subject="专利申请咨询", description="发明专利需要哪些材料？", channel="portal",
            ip_type="patent", chain_stage="creation", category="consultation",
            acting_user=network.portal_zgc,
        )  # fmt: skip

    def in_scope(self, network):
        return network.liaison_zgc, self._request(network)

    def out_of_scope(self, network):
        return network.liaison_wangjing, self._request(network)

    def other_enterprise(self, network):
        return other_portal_user(network), self._request(network)


class TestEventScope(TestRequestScope):
    """The timeline answers 404 exactly where the request does."""

    list_has_ids = False

    def detail_url(self, obj):
        return f"{URL}/{obj.pk}/events"

    def test_detail_in_scope(self, network, api_as):
        user, obj = self.in_scope(network)
        response = api_as(user).get(self.detail_url(obj))
        assert response.status_code == 200, response.content
        assert response.json()["items"][0]["kind"] == "created"


# Intake ------------------------------------------------------------------------------------------


NEW = {
    "subject": "商标被抢注怎么办",
    "description": "我们的商标在外地被他人抢先注册，应该如何处理？",
    "ip_type": "trademark",
    "chain_stage": "protection",
    "category": "consultation",
}


def test_portal_user_files_for_their_enterprise(network, api_as):
    response = api_as(network.portal_zgc).post(URL, {**NEW, "enterprise": network.ent_wangjing.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enterprise"] == {"id": network.ent_zgc.pk, "name": network.ent_zgc.name}
    assert body["handling_unit"]["code"] == "WS-110108-001"
    assert body["channel"] == "api" and body["status"] == "new"
    assert body["reference"].startswith("SR-")
    assert body["first_response_due"] and body["resolution_due"] and body["breached"] is False
    assert body["assignee"]["username"] == network.liaison_zgc.username
    assert set(body["allowed_actions"]) == {"comment"}


def test_staff_file_a_phone_request_for_a_member_of_the_public(network, api_as):
    payload = {
        **NEW, "channel": "phone", "requester_name": "王女士", "requester_phone": "13900001111",
        "requester_email": "wang@example.org", "district": "110105",
    }  # fmt: skip
    response = api_as(network.city_officer).post(URL, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enterprise"] is None and body["handling_unit"]["code"] == "DC-110105"
    assert body["requester_phone"] == "13900001111" and body["channel"] == "phone"


def test_staff_file_for_an_enterprise_by_id(network, api_as):
    response = api_as(network.liaison_zgc).post(
        URL, {**NEW, "channel": "visit", "enterprise": network.ent_zgc.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["handling_unit"]["id"] == network.ws_zgc.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ip_type": "perfume"}, "ip_type"),
        ({"subject": "   "}, "subject"),
        ({"description": None}, "description"),
        ({"channel": "pigeon"}, "channel"),
        ({"enterprise": 999999}, "enterprise"),
    ],
)
def test_bad_intake_is_422_naming_the_field(network, api_as, change, field):
    response = api_as(network.liaison_zgc).post(URL, {**NEW, **change})
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


def test_staff_cannot_file_for_an_enterprise_outside_their_scope(network, api_as):
    response = api_as(network.liaison_wangjing).post(URL, {**NEW, "enterprise": network.ent_zgc.pk})
    assert response.status_code == 422 and response.json()["field"] == "enterprise"


@pytest.mark.parametrize(
    ("who", "payload"),
    [
        ("portal_zgc", {}),
        ("liaison_zgc", {"enterprise": "ent_zgc", "received_at": "2026-11-20T10:15:30.5+08:00"}),
        ("liaison_zgc", {"enterprise": "ent_zgc", "ip_type": "trade_secret"}),
        ("haidian_officer", {"enterprise": "ent_zgc", "confidential": True, "unit": "ws_zgc"}),
        ("city_officer", {"requester_name": "王女士", "requester_phone": "13900001111",
                          "district": "110105"}),
    ],
)  # fmt: skip
def test_the_answer_to_a_write_is_what_a_read_returns_after_it(network, api_as, who, payload):
    """Create and resolve answer without reading the request back: the answer must be exactly
    what GET returns for the same caller (times in UTC, content hidden or masked alike)."""
    payload = {
        k: getattr(network, v).pk if k in ("enterprise", "unit") else v for k, v in payload.items()
    }
    client = api_as(getattr(network, who))
    created = client.post(URL, {**NEW, **payload})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body == client.get(f"{URL}/{body['id']}").json()
    request = ServiceRequest.objects.get(pk=body["id"])
    # the first of these who may resolve it (some cannot see the request at all: 404)
    for resolver in [network.liaison_zgc, network.haidian_officer, handler(request, network)]:
        seen = api_as(resolver).get(f"{URL}/{request.pk}")
        if seen.status_code == 200 and "resolve" in seen.json()["allowed_actions"]:
            break
    as_resolver = api_as(resolver)
    resolved = as_resolver.post(f"{URL}/{request.pk}/resolve", {"answer": "已答复"})
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == "resolved"
    assert resolved.json() == as_resolver.get(f"{URL}/{request.pk}").json()


def test_an_expert_resolving_gets_the_answer_a_read_gives(network, api_as):
    request = new_request(network, ip_type="trade_secret")
    expert = Expert.objects.create(name="李专家", user=UserFactory(username="expert-wang"))
    services.request_refer(
        request=request, acting_user=network.liaison_zgc, expert=expert, reason="专业问题"
    )
    client = api_as(expert.user)
    resolved = client.post(f"{URL}/{request.pk}/resolve", {"answer": "建议先做专利检索"})
    assert resolved.status_code == 200, resolved.content
    body = resolved.json()
    assert body["allowed_actions"] == ["comment"] and body["content_hidden"] is False
    assert body == client.get(f"{URL}/{request.pk}").json()


# Actions over HTTP -------------------------------------------------------------------------------


def new_request(network, **kwargs):
    defaults = dict(
        subject="专利申请咨询", description="发明专利需要哪些材料？", channel="portal",
        ip_type="patent", chain_stage="creation", category="consultation",
        acting_user=network.portal_zgc,
    )  # fmt: skip
    defaults.update(kwargs)
    return services.request_create(**defaults)


def handler(request, n):
    request.refresh_from_db()
    return {n.ws_zgc.pk: n.liaison_zgc, n.haidian.pk: n.haidian_officer}.get(
        request.handling_unit_id, n.city_officer
    )


BODIES = {
    "acknowledge": {"message": "已收到"},
    "wait": {"message": "请补充专利证书"},
    "resume": None,
    "escalate": {"reason": "需要区中心协助"},
    "resolve": {"answer": "需要提交请求书、说明书、权利要求书"},
    "close": None,
    "reopen": {"reason": "还有疑问"},
}
PATHS = {
    S.NEW: [],
    S.ACKNOWLEDGED: ["acknowledge"],
    S.WAITING_ON_ENTERPRISE: ["acknowledge", "wait"],
    S.IN_PROGRESS: ["acknowledge", "wait", "resume"],
    S.ESCALATED: ["escalate"],
    S.RESOLVED: ["resolve"],
    S.CLOSED: ["resolve", "close"],
    S.REOPENED: ["resolve", "reopen"],
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(PATHS, BODIES)))
def test_every_action_over_http_is_done_or_refused_with_409(network, api_as, status, action):
    request = new_request(network)
    for step in PATHS[status]:
        response = api_as(handler(request, network)).post(
            f"{URL}/{request.pk}/{step}", BODIES[step]
        )
        assert response.status_code == 200, (step, response.content)
    request.refresh_from_db()
    assert request.status == status
    client = api_as(handler(request, network))
    listed = client.get(f"{URL}/{request.pk}").json()["allowed_actions"]
    response = client.post(f"{URL}/{request.pk}/{action}", BODIES[action])
    if status in services.TRANSITIONS[action][0]:
        assert response.status_code == 200, response.content
        assert action in listed
        target = services.TRANSITIONS[action][1]
        assert response.json()["status"] == target
    else:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "illegal_transition"
        assert action not in listed


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("comment", {"body": ""}, "body"),
        ("comment", {}, "body"),
        ("escalate", {"reason": " "}, "reason"),
        ("escalate", {"reason": "x", "to_unit": 999999}, "to_unit"),
        ("wait", {}, "message"),
        ("resolve", {"answer": ""}, "answer"),
        ("resolve", {"answer": "好", "articles": [999999]}, "articles"),
        ("reopen", {"reason": ""}, "reason"),
        ("assign", {}, "assignee"),
        ("assign", {"assignee": 999999}, "assignee"),
        ("refer", {"reason": "x", "expert": 999999}, "expert"),
    ],
)
def test_bad_action_bodies_are_422_naming_the_field(network, api_as, action, body, field):
    request = new_request(network)
    response = api_as(network.liaison_zgc).post(f"{URL}/{request.pk}/{action}", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


def test_comment_assign_escalate_refer_and_timeline(network, api_as):
    request = new_request(network)
    liaison = api_as(network.liaison_zgc)
    r = liaison.post(f"{URL}/{request.pk}/comment", {"body": "内部备注：老客户", "internal": True})
    assert r.status_code == 201 and r.json()["visibility"] == "internal"
    r = liaison.post(f"{URL}/{request.pk}/assign", {"assignee": network.liaison_zgc.pk})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = liaison.post(f"{URL}/{request.pk}/comment", {"body": "您好，我们正在处理。"})
    assert r.status_code == 201 and r.json()["visibility"] == "enterprise"
    # escalation only upward: a sibling workstation is refused
    r = liaison.post(
        f"{URL}/{request.pk}/escalate", {"reason": "x", "to_unit": network.ws_shangdi.pk}
    )
    assert r.status_code == 400 and r.json()["code"] == "escalation_not_upward"
    r = liaison.post(f"{URL}/{request.pk}/escalate", {"reason": "需要区中心"})
    assert r.status_code == 200
    body = r.json()
    assert (
        body["handling_unit"]["code"] == "DC-110108"
        and body["originating_unit"]["code"] == "WS-110108-001"
    )
    assert body["allowed_actions"] == []  # the workstation still sees it but no longer acts
    assert liaison.post(f"{URL}/{request.pk}/comment", {"body": "x"}).status_code == 403
    district = api_as(network.haidian_officer)
    queue = district.get(URL, {"escalated_in": "true", "status": "open"}).json()
    assert [item["id"] for item in queue["items"]] == [request.pk]
    expert = Expert.objects.create(
        name="李专家", organisation="北京大学", user=UserFactory(username="expert-li")
    )
    r = district.post(f"{URL}/{request.pk}/refer", {"expert": expert.pk, "reason": "专业问题"})
    assert r.status_code == 200, r.content
    as_expert = api_as(expert.user)
    r = as_expert.get(f"{URL}/{request.pk}")
    assert r.status_code == 200 and set(r.json()["allowed_actions"]) == {"comment", "resolve"}
    r = as_expert.post(f"{URL}/{request.pk}/resolve", {"answer": "建议先做专利检索"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    staff_timeline = liaison.get(f"{URL}/{request.pk}/events").json()["items"]
    portal_timeline = api_as(network.portal_zgc).get(f"{URL}/{request.pk}/events").json()["items"]
    assert "内部备注：老客户" in [e["body"] for e in staff_timeline]
    assert all(e["visibility"] == "enterprise" for e in portal_timeline)
    assert "内部备注：老客户" not in [e["body"] for e in portal_timeline]
    assert {"created", "comment", "escalation", "status"} <= {e["kind"] for e in portal_timeline}


def test_portal_user_cannot_act_as_staff(network, api_as):
    request = new_request(network)
    r = api_as(network.portal_zgc).post(f"{URL}/{request.pk}/acknowledge")
    assert r.status_code == 403 and r.json()["code"] == "not_allowed"
    r = api_as(network.portal_zgc).post(
        f"{URL}/{request.pk}/comment", {"body": "x", "internal": True}
    )
    assert r.status_code == 400 and r.json()["field"] == "internal"


def test_portal_user_rates_the_answer(network, api_as):
    request = new_request(network)
    portal = api_as(network.portal_zgc)
    r = portal.post(f"{URL}/{request.pk}/rate", {"rating": 5})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    api_as(network.liaison_zgc).post(f"{URL}/{request.pk}/resolve", {"answer": "答复"})
    assert "rate" in portal.get(f"{URL}/{request.pk}").json()["allowed_actions"]
    r = portal.post(f"{URL}/{request.pk}/rate", {"rating": 6})
    assert r.status_code == 422 and r.json()["field"] == "rating"
    r = api_as(network.liaison_zgc).post(f"{URL}/{request.pk}/rate", {"rating": 5})
    assert r.status_code == 403
    r = portal.post(f"{URL}/{request.pk}/rate", {"rating": 4, "comment": "回复及时"})
    assert r.status_code == 200
    assert (r.json()["rating"], r.json()["rating_comment"]) == (4, "回复及时")


# Lists and filters -------------------------------------------------------------------------------


def test_list_filters(network, api_as):
    a = new_request(network, subject="商标续展")
    b = new_request(network, subject="专利年费", ip_type="patent")
    services.request_resolve(request=b, acting_user=network.liaison_zgc, answer="答复")
    c = new_request(network, acting_user=network.liaison_wangjing, enterprise=network.ent_wangjing)
    city = api_as(network.city_officer)

    def ids(**params):
        r = city.get(URL, params)
        assert r.status_code == 200, r.content
        return {item["id"] for item in r.json()["items"]}

    assert ids() == {a.pk, b.pk, c.pk}
    assert ids(status="open") == {a.pk, c.pk}
    assert ids(status="resolved,closed") == {b.pk}
    assert ids(unit=network.haidian.pk) == {a.pk, b.pk}
    assert ids(enterprise=network.ent_wangjing.pk) == {c.pk}
    assert ids(q="续展") == {a.pk}
    assert ids(q=b.reference) == {b.pk}
    assert ids(assignee="me") == set()
    assert ids(assignee=network.liaison_wangjing.pk) == {c.pk}
    assert ids(breached="false") == {a.pk, b.pk, c.pk}
    r = city.get(URL, {"status": "nonsense"})
    assert r.status_code == 422 and r.json()["field"] == "status"
    due = [i["id"] for i in city.get(URL, {"ordering": "due", "status": "open"}).json()["items"]]
    assert due == sorted(
        [a.pk, c.pk], key=lambda pk: ServiceRequest.objects.get(pk=pk).resolution_due
    )


def test_list_query_count_does_not_grow_with_rows(network, api_as, django_assert_max_num_queries):
    client = api_as(network.city_officer)
    new_request(network, ip_type="trade_secret")
    client.get(URL)  # warm-up: token's last_used_at, caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for i in range(8):
        r = new_request(network, subject=f"问题{i}", confidential=i % 2 == 0)
        if i % 3 == 0:
            services.request_resolve(request=r, acting_user=network.liaison_zgc, answer="答复")
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)
    assert response.json()["count"] == 9


# Confidentiality ----------------------------------------------------------------------------------


def test_confidential_content_is_hidden_from_ancestors_over_the_api(network, api_as):
    request = new_request(
        network, ip_type="trade_secret", subject="配方泄露", description="前员工带走了配方",
        acting_user=network.liaison_zgc, enterprise=network.ent_zgc, requester_phone="13812345678",
    )  # fmt: skip
    services.request_comment(request=request, acting_user=network.liaison_zgc, body="已联系律师")
    city = api_as(network.city_officer)
    body = city.get(f"{URL}/{request.pk}").json()
    assert body["confidential"] and body["content_hidden"]
    assert body["status"] == "in_progress" and body["reference"] == request.reference
    assert body["subject"] is None and body["description"] is None
    assert body["requester_phone"] is None
    listed = city.get(URL).json()["items"][0]
    assert listed["content_hidden"] and listed["subject"] is None
    events = city.get(f"{URL}/{request.pk}/events").json()["items"]
    assert events and all(e["body"] == "" for e in events)
    # searching by content does not reveal it either
    assert city.get(URL, {"q": "配方"}).json()["count"] == 0
    for user in (network.liaison_zgc, network.portal_zgc):
        seen = api_as(user).get(f"{URL}/{request.pk}").json()
        assert seen["content_hidden"] is False and seen["subject"] == "配方泄露"
    # the API's answer agrees with the service's rule
    for user in (
        network.city_officer,
        network.haidian_officer,
        network.liaison_zgc,
        network.portal_zgc,
    ):
        annotated = selectors.request_get(user=user, pk=request.pk)
        assert selectors.can_see_content(user, annotated) == services.can_see_content(user, request)


def test_requester_phone_is_masked_for_roles_without_contacts(network, api_as):
    request = new_request(
        network, acting_user=network.liaison_zgc, enterprise=network.ent_zgc,
        requester_name="张经理", requester_phone="13812345678", requester_email="zhang@example.org",
    )  # fmt: skip
    expert_user = UserFactory(username="expert-unit")
    from tests.factories import membership

    membership(expert_user, network.haidian, "expert")
    body = api_as(expert_user).get(f"{URL}/{request.pk}").json()
    assert body["requester_phone"] == "138****5678"
    assert body["requester_email"] == "z***@example.org"
    assert (
        api_as(network.liaison_zgc).get(f"{URL}/{request.pk}").json()["requester_phone"]
        == "13812345678"
    )


# Attachments -------------------------------------------------------------------------------------


def _post_multipart(client, path, data):
    return client.client.post(path, data=data, headers=client.headers)


def test_attachments_hash_limits_and_scoped_download(network, api_as, settings):
    settings.IPPS_ATTACHMENT_MAX_BYTES = 1024
    request = new_request(network)
    portal = api_as(network.portal_zgc)
    content = "专利证书扫描件".encode() * 10
    r = _post_multipart(
        portal, f"{URL}/{request.pk}/attachments", {"file": SimpleUploadedFile("证书.pdf", content)}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest() and body["size"] == len(content)
    assert body["visibility"] == "enterprise"
    download = portal.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["X-Content-SHA256"] == body["sha256"]
    assert download["Content-Type"] == "application/pdf"  # as the OpenAPI description says
    described = register_routers().get_openapi_schema()["paths"][
        "/api/v1/requests/{request_id}/attachments/{attachment_id}"
    ]["get"]["responses"][200]
    assert "*/*" in described["content"] and "X-Content-SHA256" in described["headers"]
    r = _post_multipart(
        portal,
        f"{URL}/{request.pk}/attachments",
        {"file": SimpleUploadedFile("big.pdf", b"x" * 2048)},
    )
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"
    r = _post_multipart(
        portal, f"{URL}/{request.pk}/attachments", {"file": SimpleUploadedFile("run.exe", b"MZ")}
    )
    assert r.status_code == 415 and r.json()["code"] == "file_type"
    liaison = api_as(network.liaison_zgc)
    r = _post_multipart(
        liaison, f"{URL}/{request.pk}/attachments",
        {"file": SimpleUploadedFile("notes.txt", b"internal"), "internal": "true"},
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["visibility"] == "internal"
    internal_url = r.json()["download_url"]
    assert liaison.get(internal_url).status_code == 200
    assert portal.get(internal_url).status_code == 404
    assert [a["name"] for a in portal.get(f"{URL}/{request.pk}/attachments").json()["items"]] == [
        "证书.pdf"
    ]
    assert api_as(network.liaison_wangjing).get(body["download_url"]).status_code == 404
    assert api_as(other_portal_user(network)).get(body["download_url"]).status_code == 404
    assert api_as().get(body["download_url"]).status_code == 401


def test_ancestors_cannot_download_confidential_files(network, api_as):
    request = new_request(network, ip_type="trade_secret")
    r = _post_multipart(
        api_as(network.portal_zgc), f"{URL}/{request.pk}/attachments",
        {"file": SimpleUploadedFile("配方.pdf", b"%PDF secret")},
    )  # fmt: skip
    assert r.status_code == 201
    assert api_as(network.city_officer).get(r.json()["download_url"]).status_code == 404


# The ledger follows the API ----------------------------------------------------------------------


def test_resolving_over_http_writes_one_ledger_row(network, api_as):
    request = new_request(network)
    liaison = api_as(network.liaison_zgc)
    liaison.post(f"{URL}/{request.pk}/resolve", {"answer": "答复"})
    api_as(network.portal_zgc).post(f"{URL}/{request.pk}/reopen", {"reason": "还有问题"})
    liaison.post(f"{URL}/{request.pk}/resolve", {"answer": "补充答复"})
    assert (
        ServiceRecord.objects.filter(source_id=str(request.pk), kind="query_answered").count() == 1
    )


def test_openapi_declares_the_errors(network, api_as):
    spec = api_as(network.admin).get("/api/v1/openapi.json").json()
    resolve = spec["paths"]["/api/v1/requests/{request_id}/resolve"]["post"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(resolve)
    attach = spec["paths"]["/api/v1/requests/{request_id}/attachments"]["post"]["responses"]
    assert {"413", "415"} <= set(attach)


def test_partner_units_are_not_intake_units(network, api_as):
    partner = UnitFactory(
        kind="partner", code="P-TJ-1", parent=network.city, region="tianjin", district=""
    )
    r = api_as(network.city_officer).post(
        URL, {**NEW, "requester_name": "赵先生", "unit": partner.pk}
    )
    assert r.status_code == 422 and r.json()["field"] == "unit"
