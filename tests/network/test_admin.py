"""The admin site goes through the services: tree rules shown on the form, every save audited."""

from __future__ import annotations

import pytest

from ipps.core.models import AuditEvent
from ipps.network.models import Membership, ServiceUnit

INLINE = {
    "children-TOTAL_FORMS": "0",
    "children-INITIAL_FORMS": "0",
    "children-MIN_NUM_FORMS": "0",
    "children-MAX_NUM_FORMS": "1000",
}


def unit_form(**values):
    data = {
        "kind": "workstation",
        "code": "",
        "parent": "",
        "name_zh": "",
        "name_en": "",
        "host_park": "",
        "district": "",
        "region": "",
        "address": "",
        "latitude": "",
        "longitude": "",
        "phone": "",
        "email": "",
        "opening_hours": "",
        "offers_offline": "on",
        "offers_online": "on",
        "online_url": "",
        "status": "active",
        "opened_on": "",
    }
    data.update(INLINE)
    data.update(values)
    return data


@pytest.fixture
def admin_client(login_as, network):
    return login_as(network.admin)


def test_unit_changelist_and_search(admin_client, network):
    response = admin_client.get("/admin/network/serviceunit/", {"q": "软件园"})
    assert response.status_code == 200
    assert "WS-110108-001" in response.content.decode()
    assert "WS-110105-001" not in response.content.decode()
    assert (
        admin_client.get("/admin/network/serviceunit/", {"kind__exact": "workstation"}).status_code
        == 200
    )


def test_adding_a_unit_goes_through_the_service_and_is_audited(admin_client, network):
    response = admin_client.post(
        "/admin/network/serviceunit/add/",
        unit_form(
            code="WS-110108-003",
            parent=network.haidian.pk,
            name_zh="清华科技园知识产权工作站",
            district="110108",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    unit = ServiceUnit.objects.get(code="WS-110108-003")
    assert unit.created_by == network.admin
    row = AuditEvent.objects.order_by("-id").first()
    assert row.action == "create" and row.object_id == str(unit.pk)


def test_the_models_tree_errors_are_shown_on_the_admin_form(admin_client, network):
    response = admin_client.post(
        "/admin/network/serviceunit/add/",
        unit_form(
            code="WS-110108-004", parent=network.ws_zgc.pk, name_zh="错误工作站", district="110108"
        ),
    )
    assert response.status_code == 200
    assert "cannot sit under a Workstation (WS-110108-001)" in response.content.decode()
    assert not ServiceUnit.objects.filter(code="WS-110108-004").exists()


def test_changing_a_unit_is_audited_with_before_and_after(admin_client, network):
    unit = network.ws_zgc
    response = admin_client.post(
        f"/admin/network/serviceunit/{unit.pk}/change/",
        unit_form(
            kind="workstation",
            parent=network.haidian.pk,
            name_zh=unit.name_zh,
            name_en=unit.name_en,
            host_park=unit.host_park,
            district="110108",
            phone="010-12345678",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    row = AuditEvent.objects.order_by("-id").first()
    assert row.action == "update"
    assert row.changes == {"before": {"phone": ""}, "after": {"phone": "010-12345678"}}


def test_changing_the_district_of_a_centre_with_workstations_is_refused_on_the_form(
    admin_client, network
):
    unit = network.chaoyang
    response = admin_client.post(
        f"/admin/network/serviceunit/{unit.pk}/change/",
        unit_form(
            kind="district_centre", parent=network.city.pk, name_zh=unit.name_zh, district="110106"
        ),
    )
    assert response.status_code == 200
    assert "WS-110105-001" in response.content.decode()
    unit.refresh_from_db()
    assert unit.district == "110105"


def test_units_are_not_deleted_in_the_admin(admin_client, network):
    assert (
        admin_client.get(f"/admin/network/serviceunit/{network.ws_zgc.pk}/delete/").status_code
        == 403
    )


def test_granting_and_revoking_roles_in_the_admin_is_audited(admin_client, network):
    response = admin_client.post(
        "/admin/network/membership/add/",
        {"user": network.liaison_wangjing.pk, "unit": network.ws_zgc.pk, "role": "liaison"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = Membership.objects.get(user=network.liaison_wangjing, unit=network.ws_zgc)
    row = AuditEvent.objects.order_by("-id").first()
    assert row.action == "role_granted" and row.object_id == str(membership.pk)

    response = admin_client.post(
        f"/admin/network/membership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.order_by("-id").first().action == "role_revoked"


def test_bulk_revoke_writes_one_audit_row_per_role(admin_client, network):
    ids = list(Membership.objects.filter(role="liaison").values_list("pk", flat=True))
    before = AuditEvent.objects.filter(action="role_revoked").count()
    response = admin_client.post(
        "/admin/network/membership/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=ids).exists()
    assert AuditEvent.objects.filter(action="role_revoked").count() == before + len(ids)


def test_a_duplicate_role_is_refused_with_the_constraints_message(admin_client, network):
    response = admin_client.post(
        "/admin/network/membership/add/",
        {"user": network.liaison_zgc.pk, "unit": network.ws_zgc.pk, "role": "liaison"},
    )
    assert response.status_code == 200
    assert "This user already has this role on this unit." in response.content.decode()
