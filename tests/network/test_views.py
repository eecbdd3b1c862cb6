"""The unit pages: directory, unit page, edit form."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ipps.core.models import AuditEvent
from tests.factories import EnterpriseFactory, UserFactory, membership


def unit_url(unit, suffix=""):
    return reverse("network:unit_detail", args=[unit.pk]) + suffix


def text(response) -> str:
    return response.content.decode()


def test_directory_needs_login(client, network):
    response = client.get(reverse("network:unit_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_directory_shows_the_tree_with_workstation_counts(login_as, network):
    response = login_as(network.liaison_zgc).get("/units/")
    assert response.status_code == 200
    page = text(response)
    for unit in (
        network.city,
        network.haidian,
        network.chaoyang,
        network.ws_zgc,
        network.ws_wangjing,
    ):
        assert unit_url(unit) in page
    haidian = page[page.index('data-district="110108"') :]
    count = re.search(r'data-testid="workstation-count">\s*([^<]+?)\s*<', haidian).group(1)
    assert count == "2 workstations"
    assert page.index(network.city.code) < page.index("DC-110105") < page.index("WS-110105-001")


def test_directory_lists_partners_separately(login_as, network):
    from ipps.network.services import unit_create

    unit_create(
        data={
            "kind": "partner",
            "code": "PT-HE-001",
            "name_zh": "保定·中关村创新中心知识产权工作站",
            "parent": network.city,
            "region": "hebei",
        },
        acting_user=network.admin,
    )
    page = text(login_as(network.city_officer).get("/units/"))
    assert "Partners outside the city" in page
    assert "保定·中关村创新中心知识产权工作站" in page and "Hebei" in page


def test_directory_filters_and_htmx_returns_the_partial(login_as, network):
    client = login_as(network.portal_zgc)
    response = client.get("/units/", {"q": "软件园"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page
    assert unit_url(network.ws_zgc) in page
    assert unit_url(network.ws_shangdi) not in page
    assert unit_url(network.ws_wangjing) not in page
    assert "1 of 6 units match." in page

    page = text(client.get("/units/", {"kind": "workstation", "district": "110105"}))
    assert unit_url(network.ws_wangjing) in page and unit_url(network.ws_zgc) not in page

    network.ws_shangdi.status = "suspended"
    network.ws_shangdi.save()
    page = text(client.get("/units/", {"status": "suspended"}))
    assert unit_url(network.ws_shangdi) in page and unit_url(network.ws_zgc) not in page


def test_directory_empty_states(login_as, network):
    page = text(login_as(network.city_officer).get("/units/", {"q": "no such unit"}))
    assert 'data-testid="directory-empty"' in page
    assert "No unit matches these filters." in page


def test_directory_of_an_empty_network(login_as, db):
    page = text(login_as(UserFactory(username="lonely")).get("/units/"))
    assert "The network has no units yet." in page


def test_unit_page_shows_the_profile_and_sub_units(login_as, network):
    unit = network.haidian
    unit.address, unit.phone, unit.opening_hours = (
        "北京市海淀区长春桥路17号",
        "010-88889999",
        "周一至周五",
    )
    unit.save()
    response = login_as(network.liaison_wangjing).get(unit_url(unit))
    assert response.status_code == 200
    page = text(response)
    for value in (
        "海淀区知识产权公共服务中心",
        "北京市海淀区长春桥路17号",
        "010-88889999",
        "周一至周五",
        "District centre",
        "Haidian",
        "Walk-in (offline)",
    ):
        assert value in page
    assert unit_url(network.ws_zgc) in page and unit_url(network.ws_shangdi) in page


def test_unit_page_empty_states(login_as, network):
    page = text(login_as(network.haidian_officer).get(unit_url(network.ws_shangdi)))
    assert "This unit has no sub-units." in page
    assert "Nobody holds a role on this unit yet." in page


def test_staff_are_shown_only_to_users_who_reach_the_unit(login_as, client, network):
    page = text(login_as(network.haidian_officer).get(unit_url(network.ws_zgc)))
    assert 'data-testid="staff"' in page and "liaison-ws-110108-001" in page and "Liaison" in page

    client.logout()
    page = text(login_as(network.liaison_wangjing).get(unit_url(network.ws_zgc)))
    assert 'data-testid="staff-hidden"' in page
    assert "liaison-ws-110108-001" not in page


def test_unit_page_lists_the_enterprises_of_the_subtree(login_as, network):
    for n in range(22):
        EnterpriseFactory(workstation=network.ws_shangdi, name=f"北京上地测试{n:02d}科技有限公司")
    page = text(login_as(network.haidian_officer).get(unit_url(network.haidian)))
    count = re.search(r'data-testid="enterprise-count">(\d+)<', page).group(1)
    assert count == "24"  # ent_zgc + ent_shangdi + 22
    assert f"/enterprises/?unit={network.haidian.pk}" in page
    assert "The first 20 of 24 are shown." in page
    assert "北京上地测试00科技有限公司" in page


def test_enterprises_are_limited_to_what_the_user_may_see(login_as, network):
    page = text(login_as(network.liaison_zgc).get(unit_url(network.haidian)))
    assert re.search(r'data-testid="enterprise-count">(\d+)<', page).group(1) == "1"
    assert "北京上地云图软件有限公司" not in page

    page = text(login_as(network.liaison_wangjing).get(unit_url(network.haidian)))
    assert re.search(r'data-testid="enterprise-count">(\d+)<', page).group(1) == "0"
    assert "No enterprise you may see is served by this unit or its sub-units." in page


def test_unknown_unit_is_404(login_as, network):
    assert login_as(network.city_officer).get("/units/999999/").status_code == 404


@pytest.mark.parametrize(
    "who", ["city_officer", "haidian_officer", "liaison_zgc", "auditor", "portal_zgc"]
)
def test_edit_is_404_for_users_who_do_not_administer_the_unit(login_as, network, who):
    client = login_as(getattr(network, who))
    assert client.get(unit_url(network.ws_zgc, "edit/")).status_code == 404
    assert client.post(unit_url(network.ws_zgc, "edit/"), {"name_zh": "x"}).status_code == 404
    assert "Edit</a>" not in text(client.get(unit_url(network.ws_zgc)))


@pytest.fixture
def haidian_admin(network):
    user = UserFactory(username="haidian-admin")
    membership(user, network.haidian, "admin")
    return user


def form_data(unit, **changes):
    data = {
        "name_zh": unit.name_zh,
        "name_en": unit.name_en,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "host_park": unit.host_park,
        "district": unit.district,
        "region": unit.region,
        "address": unit.address,
        "phone": unit.phone,
        "email": unit.email,
        "opening_hours": unit.opening_hours,
        "offers_offline": "on",
        "offers_online": "on",
        "online_url": unit.online_url,
        "status": unit.status,
        "opened_on": "",
        "status_on": "",
        "latitude": "",
        "longitude": "",
    }
    data.update(changes)
    return data


def test_a_unit_admin_edits_a_unit_in_the_subtree(login_as, network, haidian_admin):
    client = login_as(haidian_admin)
    url = unit_url(network.ws_zgc, "edit/")
    assert client.get(url).status_code == 200
    assert "Edit</a>" in text(client.get(unit_url(network.ws_zgc)))
    response = client.post(
        url,
        form_data(network.ws_zgc, phone="010-62626262", status="suspended", status_on="2026-03-01"),
    )
    assert response.status_code == 302 and response["Location"] == unit_url(network.ws_zgc)
    network.ws_zgc.refresh_from_db()
    assert network.ws_zgc.phone == "010-62626262"
    assert network.ws_zgc.status == "suspended"
    assert str(network.ws_zgc.status_changed_on) == "2026-03-01"
    row = AuditEvent.objects.order_by("-id").first()
    assert row.actor == haidian_admin and row.action == "update"
    assert row.changes["after"]["phone"] == "010-62626262"


def test_a_unit_admin_allows_the_weekends_only_calendar(
    login_as, network, haidian_admin, django_capture_on_commit_callbacks
):
    client = login_as(haidian_admin)
    page = text(client.get(unit_url(network.ws_zgc)))
    shown = page[page.index('data-testid="calendar-fallback"') :]
    assert "Statutory calendar only" in shown[: shown.index("</dd>")]
    form = text(client.get(unit_url(network.ws_zgc, "edit/")))
    assert 'name="calendar_weekend_fallback"' in form
    assert "count only weekends as days off" in form  # the help text says what it does
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            unit_url(network.ws_zgc, "edit/"),
            form_data(network.ws_zgc, calendar_weekend_fallback="on"),
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the due times of the unit's open requests are recomputed
    network.ws_zgc.refresh_from_db()
    assert network.ws_zgc.calendar_weekend_fallback is True
    row = AuditEvent.objects.order_by("-id").first()
    assert row.actor == haidian_admin and row.object_id == str(network.ws_zgc.pk)
    assert row.changes == {
        "before": {"calendar_weekend_fallback": False},
        "after": {"calendar_weekend_fallback": True},
    }
    page = text(client.get(unit_url(network.ws_zgc)))
    shown = page[page.index('data-testid="calendar-fallback"') :]
    assert "weekends-only calendar allowed" in shown[: shown.index("</dd>")]


def test_only_the_units_administrators_change_the_calendar_setting(
    login_as, network, haidian_admin
):
    for user, unit in ((haidian_admin, network.ws_wangjing), (network.liaison_zgc, network.ws_zgc)):
        response = login_as(user).post(
            unit_url(unit, "edit/"), form_data(unit, calendar_weekend_fallback="on")
        )
        assert response.status_code == 404
        unit.refresh_from_db()
        assert unit.calendar_weekend_fallback is False


def test_edit_errors_are_shown_on_their_fields(login_as, network, haidian_admin):
    client = login_as(haidian_admin)
    response = client.post(
        unit_url(network.ws_zgc, "edit/"), form_data(network.ws_zgc, district="110105")
    )
    assert response.status_code == 200
    page = text(response)
    field = page[page.index('name="district"') - 200 : page.index('name="district"') + 4000]
    assert "is-invalid" in field
    assert "A workstation lies in the district of its district centre (Haidian)." in page
    network.ws_zgc.refresh_from_db()
    assert network.ws_zgc.district == "110108"


def test_a_unit_admin_cannot_move_a_unit_outside_the_subtree(login_as, network, haidian_admin):
    response = login_as(haidian_admin).post(
        unit_url(network.ws_zgc, "edit/"),
        form_data(network.ws_zgc, parent=network.chaoyang.pk, district="110105"),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    network.ws_zgc.refresh_from_db()
    assert network.ws_zgc.parent_id == network.haidian.pk


def test_edit_of_a_unit_outside_the_subtree_is_404(login_as, network, haidian_admin):
    assert login_as(haidian_admin).get(unit_url(network.ws_wangjing, "edit/")).status_code == 404


def test_superuser_can_edit_any_unit(login_as, network):
    response = login_as(network.admin).post(
        unit_url(network.ws_wangjing, "edit/"),
        form_data(network.ws_wangjing, name_en="Wangjing WS"),
    )
    assert response.status_code == 302
    network.ws_wangjing.refresh_from_db()
    assert network.ws_wangjing.name_en == "Wangjing WS"


def test_pages_take_a_fixed_number_of_queries(login_as, network, django_assert_max_num_queries):
    from tests.factories import UnitFactory

    client = login_as(network.haidian_officer)
    for n in range(30):
        unit = UnitFactory(kind="workstation", code=f"WS-110108-{n + 100}", parent=network.haidian)
        EnterpriseFactory(workstation=unit)
    with django_assert_max_num_queries(9):  # 8 + the notification bell's unread count
        assert client.get("/units/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(unit_url(network.haidian)).status_code == 200


def test_a_history_restore_gets_the_whole_page(login_as, network):
    response = login_as(network.city_officer).get(
        "/units/",
        {"q": "软件"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]
