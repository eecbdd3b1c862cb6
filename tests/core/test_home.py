"""Each person's home page shows what their role needs."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ipps.core.audit import audit_record
from tests.factories import EnterpriseFactory, PriorityListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/"


def test_district_officer_sees_units_counts_and_quick_links(network, login_as):
    year = timezone.localdate().year
    PriorityListingFactory(enterprise=network.ent_zgc, year=year)
    PriorityListingFactory(enterprise=network.ent_shangdi, year=year - 1)
    PriorityListingFactory(enterprise=network.ent_wangjing, year=year)  # another district
    EnterpriseFactory(workstation=network.ws_shangdi, archived_at=timezone.now())
    page = home(login_as(network.haidian_officer))
    assert 'id="enterprise-count">2<' in page  # two in Haidian; archived and Chaoyang's not counted
    assert 'id="priority-count">1<' in page
    assert f"Priority enterprises {year}" in page
    assert "Haidian IP Service Centre" in page and "DC-110108" in page and "Officer" in page
    for link in (
        "/units/",
        "/enterprises/",
        "/enterprises/import/",
        "/accounts/tokens/",
        "/api/v1/docs",
    ):
        assert f'href="{link}"' in page, link
    assert "Your workstation" not in page
    assert "Latest audit events" not in page


def test_liaison_sees_the_workstation_prominently(network, login_as):
    network.ws_zgc.phone = "010-62345678"
    network.ws_zgc.address = "北京市海淀区东北旺西路8号"
    network.ws_zgc.save()
    page = home(login_as(network.liaison_zgc))
    assert "Your workstation" in page
    card = page.split("liaison-workstation", 1)[1].split("</section>", 1)[0]
    assert "Zhongguancun Software Park Workstation" in card
    assert "WS-110108-001" in card and "010-62345678" in card and "中关村软件园" in card
    assert 'id="enterprise-count">1<' in page


def test_auditor_sees_the_latest_ten_events(network, login_as):
    for i in range(12):
        audit_record(action="update", actor_name="bulk", object_repr=f"event-{i:02d}")
    page = home(login_as(network.auditor))
    assert "Latest audit events" in page and 'href="/audit/"' in page
    assert "event-11" in page and "event-02" in page and "event-01" not in page
    assert "enterprise-count" not in page  # an auditor does not work with enterprises
    assert 'href="/enterprises/"' not in page and 'href="/enterprises/import/"' not in page


def test_portal_user_sees_their_company(network, login_as):
    network.ws_zgc.phone = "010-62345678"
    network.ws_zgc.save()
    page = home(login_as(network.portal_zgc))
    assert "Your company" in page
    assert network.ent_zgc.name in page and network.ent_zgc.uscc in page
    assert "Zhongguancun Software Park Workstation" in page and "010-62345678" in page
    assert f'href="/enterprises/{network.ent_zgc.pk}/"' in page
    assert network.ent_shangdi.name not in page
    assert "enterprise-count" not in page and "Latest audit events" not in page


def test_portal_user_sees_their_questions_and_what_waits_for_a_rating(
    network, login_as, make_request
):
    from ipps.casework import services

    client = login_as(network.portal_zgc)
    page = home(client)
    assert 'id="home-new-request"' in page and "You have not asked anything yet." in page
    requests = [make_request(subject=f"问题{i}") for i in range(6)]
    make_request(
        enterprise=network.ent_wangjing, subject="别人的问题", channel="phone",
        acting_user=network.liaison_wangjing,
    )  # fmt: skip
    for answered in requests[4:]:
        services.request_resolve(request=answered, acting_user=network.liaison_zgc, answer="答复")
    services.request_rate(request=requests[4], acting_user=network.portal_zgc, rating=5)
    page = home(client)
    shown = [r.reference for r in requests if f'data-reference="{r.reference}"' in page]
    assert shown == [r.reference for r in requests[1:]]  # the newest five
    assert "别人的问题" not in page and "All 6 requests" in page

    def row(request):
        start = page.index(f'data-reference="{request.reference}"')
        return page[start : page.index("</li>", start)]

    assert "Rate the answer" in row(requests[5])  # answered, not rated yet
    assert "Rate the answer" not in row(requests[4])  # rated
    assert "Rate the answer" not in row(requests[3])  # not answered yet
    assert 'href="/portal/requests/"' in page


def test_superuser_sees_network_totals(network, login_as):
    page = home(login_as(network.admin))
    totals = page.split('id="network-totals"', 1)[1].split("</section>", 1)[0]
    # 2 district centres, 3 workstations, 3 enterprises, 5 staff, 1 portal account
    for number, label in (("2", "District centres"), ("3", "Workstations"), ("3", "Enterprises"),
                          ("5", "Staff accounts"), ("1", "Enterprise portal accounts")):  # fmt: skip
        assert f'<div class="kpi">{number}</div><div class="text-secondary small">{label}' in totals
    assert "Latest audit events" in page


def test_account_without_a_role_sees_a_clear_message(db, login_as):
    page = home(login_as(UserFactory(username="newcomer")))
    assert "Your account has no role in the network yet." in page


def test_home_query_count_is_bounded(network, login_as, django_assert_max_num_queries):
    client = login_as(network.admin)
    with django_assert_max_num_queries(20):
        client.get("/")
