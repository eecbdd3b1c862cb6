"""The request state machine, routing, escalation, confidentiality and the ledger write."""

from __future__ import annotations

import copy
import datetime as dt
import itertools

import pytest
from django.utils import timezone

from ipps.casework import services
from ipps.casework.choices import RequestStatus
from ipps.casework.models import ServiceRequest
from ipps.core.errors import ConflictError, PermissionDeniedError, ServiceError
from ipps.ledger.models import ServiceRecord
from tests.factories import UserFactory, membership

S = RequestStatus


def test_portal_request_goes_to_the_enterprise_workstation_and_its_liaison(network, make_request):
    request = make_request()
    assert request.handling_unit == network.ws_zgc
    assert request.enterprise == network.ent_zgc
    assert request.reference.startswith(f"SR-{timezone.localtime().year}-")
    assert request.assignee == network.liaison_zgc
    assert request.first_response_due > request.received_at
    assert request.resolution_due > request.first_response_due
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == ["created", "assignment"]


def test_public_request_goes_to_the_district_centre(network):
    request = services.request_create(
        subject="商标注册",
        description="个体户如何注册商标？",
        channel="phone",
        ip_type="trademark",
        chain_stage="creation",
        category="consultation",
        acting_user=network.city_officer,
        requester_name="王女士",
        requester_phone="13900001111",
        district="110105",
    )
    assert request.handling_unit == network.chaoyang and request.enterprise is None


def test_references_are_sequential(make_request):
    a, b = make_request(), make_request()
    assert int(b.reference[-6:]) == int(a.reference[-6:]) + 1


def test_staff_cannot_file_requests_for_units_outside_their_scope(network):
    with pytest.raises(PermissionDeniedError):
        services.request_create(
            subject="x",
            description="y",
            channel="phone",
            ip_type="patent",
            chain_stage="creation",
            category="consultation",
            acting_user=network.liaison_wangjing,
            enterprise=network.ent_zgc,
        )


def staff(request, n):
    """Whoever handles the request now: the liaison, or the district officer after escalation."""
    request.refresh_from_db()
    return {n.ws_zgc.pk: n.liaison_zgc, n.haidian.pk: n.haidian_officer}.get(
        request.handling_unit_id, n.city_officer
    )


ACTIONS = {
    "acknowledge": lambda r, n: services.request_acknowledge(request=r, acting_user=staff(r, n)),
    "wait": lambda r, n: services.request_wait(
        request=r, acting_user=staff(r, n), message="请补充材料"
    ),
    "resume": lambda r, n: services.request_resume(request=r, acting_user=staff(r, n)),
    "escalate": lambda r, n: services.request_escalate(
        request=r, acting_user=staff(r, n), reason="需要上级"
    ),
    "resolve": lambda r, n: services.request_resolve(
        request=r, acting_user=staff(r, n), answer="答复"
    ),
    "close": lambda r, n: services.request_close(request=r, acting_user=staff(r, n)),
    "reopen": lambda r, n: services.request_reopen(
        request=r, acting_user=staff(r, n), reason="未解决"
    ),
}

# How to bring a fresh request into each status.
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


@pytest.mark.parametrize(("status", "action"), list(itertools.product(PATHS, ACTIONS)))
def test_every_transition_is_allowed_or_refused_with_409(network, make_request, status, action):
    request = make_request()
    for step in PATHS[status]:
        ACTIONS[step](request, network)
    request.refresh_from_db()
    assert request.status == status
    allowed, _target = services.TRANSITIONS[action]
    if status in allowed:
        ACTIONS[action](request, network)
    else:
        events_before = request.events.count()
        with pytest.raises(ConflictError) as excinfo:
            ACTIONS[action](request, network)
        assert excinfo.value.code == "illegal_transition" and excinfo.value.status == 409
        request.refresh_from_db()
        assert request.status == status and request.events.count() == events_before


def test_escalation_goes_only_upward(network, make_request):
    request = make_request()
    for target in (network.ws_shangdi, network.chaoyang, network.ws_zgc):
        with pytest.raises(ServiceError) as excinfo:
            services.request_escalate(
                request=request, acting_user=network.liaison_zgc, to_unit=target, reason="x"
            )
        assert excinfo.value.code == "escalation_not_upward"
    request = services.request_escalate(
        request=request, acting_user=network.liaison_zgc, reason="复杂"
    )
    assert request.handling_unit == network.haidian and request.status == S.ESCALATED
    request = services.request_escalate(
        request=request,
        acting_user=network.haidian_officer,
        to_unit=network.city,
        reason="需要市级专家",
    )
    assert request.handling_unit == network.city
    hops = list(
        request.events.filter(kind="escalation").values_list("from_unit__code", "to_unit__code")
    )
    assert hops == [("WS-110108-001", "DC-110108"), ("DC-110108", "BJ")]


def test_escalation_does_not_restart_the_clock(network, make_request):
    request = make_request()
    due = request.resolution_due
    request = services.request_escalate(
        request=request, acting_user=network.liaison_zgc, reason="复杂"
    )
    assert request.resolution_due == due and request.received_at < due


def test_waiting_on_the_enterprise_pauses_the_clock(network, make_request, monkeypatch):
    request = make_request(received_at=timezone.now() - dt.timedelta(days=1))
    due = request.resolution_due
    request = services.request_wait(
        request=request, acting_user=network.liaison_zgc, message="请提供专利证书"
    )
    assert request.paused_at is not None
    later = request.paused_at + dt.timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    services.request_comment(request=request, acting_user=network.portal_zgc, body="证书已上传")
    request.refresh_from_db()
    assert request.status == S.IN_PROGRESS and request.paused_at is None
    assert request.paused_seconds > 0
    assert request.resolution_due > due


def test_resolving_writes_exactly_one_ledger_row_even_when_reopened(network, make_request):
    request = make_request()
    services.request_resolve(
        request=request, acting_user=network.liaison_zgc, answer="需要提交请求书、说明书等"
    )
    rows = ServiceRecord.objects.filter(source_id=str(request.pk))
    assert rows.count() == 1
    row = rows.get()
    assert (row.kind, row.unit, row.enterprise, row.quantity) == (
        "query_answered",
        network.ws_zgc,
        network.ent_zgc,
        1,
    )
    assert (row.ip_type, row.chain_stage, row.channel) == ("patent", "creation", "portal")
    services.request_reopen(request=request, acting_user=network.portal_zgc, reason="还有问题")
    services.request_resolve(request=request, acting_user=network.liaison_zgc, answer="补充答复")
    assert ServiceRecord.objects.filter(source_id=str(request.pk)).count() == 1


class _ReadBefore:
    """The request as another action found it before this one wrote: resolve reads the request
    before its transaction, and must notice that the row changed meanwhile."""

    def __init__(self, request):
        self.request = services._READ.get(pk=request.pk)

    def get(self, **_values):
        return copy.deepcopy(self.request)  # each time as it was read


def test_a_resolution_worked_out_from_a_stale_read_is_worked_out_again(
    network, make_request, monkeypatch
):
    request = make_request(received_at=timezone.now() - dt.timedelta(days=1))
    monkeypatch.setattr(services, "_READ", _ReadBefore(request))  # read while still new
    services.request_wait(request=request, acting_user=network.liaison_zgc, message="请补充材料")
    resolved = services.request_resolve(
        request=request, acting_user=network.liaison_zgc, answer="需要提交请求书、说明书等"
    )
    request.refresh_from_db()
    assert request.status == S.RESOLVED and request.paused_at is None
    assert resolved.paused_at is None
    last = request.events.filter(kind="status").order_by("-at", "-id").first()
    assert (last.from_status, last.to_status) == (S.WAITING_ON_ENTERPRISE, S.RESOLVED)


def test_a_request_resolved_meanwhile_is_not_resolved_twice(network, make_request, monkeypatch):
    request = make_request()
    monkeypatch.setattr(services, "_READ", _ReadBefore(request))
    services.request_resolve(request=request, acting_user=network.liaison_zgc, answer="第一次答复")
    with pytest.raises(ConflictError):
        services.request_resolve(
            request=request, acting_user=network.liaison_zgc, answer="第二次答复"
        )
    assert request.events.filter(kind="status", to_status=S.RESOLVED).count() == 1
    assert ServiceRecord.objects.filter(source_id=str(request.pk)).count() == 1
    assert not request.events.filter(body="第二次答复").exists()


def test_archiving_an_answered_request_writes_a_reversing_row(network, make_request):
    request = make_request(category="infringement")
    services.request_resolve(request=request, acting_user=network.liaison_zgc, answer="已协助")
    services.request_archive(request=request, acting_user=network.liaison_zgc)
    rows = ServiceRecord.objects.filter(source_id=str(request.pk))
    assert rows.count() == 4  # query_answered and case_assisted, each reversed
    assert sum(rows.values_list("quantity", flat=True)) == 0


def test_ledger_totals_by_unit_equal_the_resolved_requests(network, make_request):
    for i in range(5):
        r = make_request(subject=f"问题{i}")
        if i % 2 == 0:
            services.request_resolve(request=r, acting_user=network.liaison_zgc, answer="答复")
    from django.db.models import Sum

    total = ServiceRecord.objects.filter(unit=network.ws_zgc, kind="query_answered").aggregate(
        t=Sum("quantity")
    )["t"]
    assert (
        total
        == ServiceRequest.objects.filter(handling_unit=network.ws_zgc, status="resolved").count()
        == 3
    )


def test_confidential_content_is_hidden_from_ancestors(network, make_request):
    request = make_request(
        ip_type="trade_secret", subject="配方泄露", description="前员工带走了配方"
    )
    assert request.confidential
    assert services.can_see_content(network.liaison_zgc, request)
    assert services.can_see_content(network.portal_zgc, request)
    assert not services.can_see_content(network.haidian_officer, request)
    assert not services.can_see_content(network.city_officer, request)
    assert ServiceRequest.objects.visible_to(network.city_officer).filter(pk=request.pk).exists()


def test_rating_only_by_the_enterprise_and_only_when_answered(network, make_request):
    request = make_request()
    with pytest.raises(ConflictError):
        services.request_rate(request=request, acting_user=network.portal_zgc, rating=5)
    services.request_resolve(request=request, acting_user=network.liaison_zgc, answer="答复")
    with pytest.raises(PermissionDeniedError):
        services.request_rate(request=request, acting_user=network.liaison_zgc, rating=5)
    with pytest.raises(ServiceError):
        services.request_rate(request=request, acting_user=network.portal_zgc, rating=6)
    request = services.request_rate(
        request=request, acting_user=network.portal_zgc, rating=4, comment="很及时"
    )
    assert request.rating == 4


def test_least_loaded_liaison_gets_the_next_request(network, make_request):
    second = UserFactory(username="liaison-two")
    membership(second, network.ws_zgc, "liaison")
    first = make_request()
    nxt = make_request()
    assert {first.assignee, nxt.assignee} == {network.liaison_zgc, second}
    # Only open requests count: once the first liaison's are answered, the next comes to them,
    # however many they answered before.
    mine = [make_request() for _ in range(3)]
    busy = mine[0].assignee
    for request in [first, nxt, *mine]:
        if request.assignee == busy:
            services.request_resolve(request=request, acting_user=busy, answer="已答复")
    assert make_request().assignee == busy


def test_an_assignee_is_told_unless_they_wrote_the_request_down_themselves(network, make_request):
    from ipps.core.models import Notification

    portal = make_request()  # filed by the enterprise: the liaison it goes to is told
    assert portal.assignee == network.liaison_zgc

    def told():
        return list(Notification.objects.filter(user=network.liaison_zgc, kind="assigned"))

    assert [n.link for n in told()] == [f"/requests/{portal.pk}/"]
    assert told()[0].at == portal.events.get(kind="assignment").at
    # Taken on the phone by the liaison, who is also the one it is assigned to: no note to self.
    phoned = make_request(
        channel="phone", acting_user=network.liaison_zgc, enterprise=network.ent_zgc
    )
    assert phoned.assignee == network.liaison_zgc
    assert len(told()) == 1
    assert phoned.events.filter(kind="assignment").exists()  # the timeline still says so


def test_scope_of_requests(network, make_request):
    request = make_request()
    assert (
        not ServiceRequest.objects.visible_to(network.liaison_wangjing)
        .filter(pk=request.pk)
        .exists()
    )
    other_portal = UserFactory(username="portal-other", enterprise=network.ent_shangdi)
    assert not ServiceRequest.objects.visible_to(other_portal).filter(pk=request.pk).exists()
    assert ServiceRequest.objects.visible_to(network.haidian_officer).filter(pk=request.pk).exists()


def test_after_escalation_the_workstation_can_no_longer_act(network, make_request):
    request = make_request()
    services.request_escalate(request=request, acting_user=network.liaison_zgc, reason="复杂")
    with pytest.raises(PermissionDeniedError):
        services.request_resolve(request=request, acting_user=network.liaison_zgc, answer="x")
    assert ServiceRequest.objects.visible_to(network.liaison_zgc).filter(pk=request.pk).exists()


def test_the_prepared_scope_of_actions_is_visible_to(network, make_request):
    """The request an action names (a prepared query) is found exactly when the caller's
    `visible_to` holds it: for every kind of caller, including an expert and a superuser."""
    from django.http import Http404

    from ipps.casework.models import Expert
    from ipps.casework.selectors import request_to_act_on
    from ipps.network.scope import clear_cache

    zgc = make_request()
    wangjing = make_request(acting_user=network.liaison_wangjing, enterprise=network.ent_wangjing)
    secret = make_request(ip_type="trade_secret")
    expert_user = UserFactory(username="expert-li")
    expert = Expert.objects.create(name="李专家", user=expert_user)
    services.request_refer(
        request=secret, acting_user=network.liaison_zgc, expert=expert, reason="专业"
    )
    callers = [
        network.admin, network.city_officer, network.haidian_officer, network.liaison_zgc,
        network.liaison_wangjing, network.auditor, network.portal_zgc, expert_user,
    ]  # fmt: skip
    seen = set()
    for user in callers:
        clear_cache(user)
        visible = set(ServiceRequest.objects.visible_to(user).values_list("pk", flat=True))
        for request in (zgc, wangjing, secret):
            try:
                found = request_to_act_on(user=user, pk=request.pk).pk == request.pk
            except Http404:
                found = False
            assert found == (request.pk in visible), (user.username, request.reference)
            seen.add(found)
    assert seen == {True, False}
