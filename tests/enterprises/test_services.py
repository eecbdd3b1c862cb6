"""Services: scope of writes, validation by field, and an audit row with before/after for each write."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ipps.core.audit import audit_verify
from ipps.core.errors import ServiceError
from ipps.core.models import AuditEvent
from ipps.enterprises import services
from ipps.enterprises.models import Enterprise, PriorityListing
from tests.factories import make_uscc


def _create(network, user, **kw):
    values = {"uscc": make_uscc(555), "name": "北京服务测试有限公司", "workstation": network.ws_zgc}
    return services.enterprise_create(**(values | kw), acting_user=user)


def test_create_update_archive_restore_are_audited(network):
    user = network.liaison_zgc
    ent = _create(network, user, contact_phone="13700001111")
    services.enterprise_update(
        enterprise=ent, changes={"name_en": "Service Test"}, acting_user=user
    )
    services.enterprise_archive(enterprise=ent, acting_user=user, reason="迁出")
    services.enterprise_restore(enterprise=ent, acting_user=user)
    events = list(
        AuditEvent.objects.filter(
            object_type="enterprises.enterprise", object_id=str(ent.pk)
        ).order_by("id")
    )
    assert [e.action for e in events] == ["create", "update", "archive", "restore"]
    assert all(e.actor == user for e in events)
    assert events[0].changes["after"]["contact_phone"] == "13700001111"
    assert events[1].changes == {"before": {"name_en": ""}, "after": {"name_en": "Service Test"}}
    assert events[2].changes["reason"] == "迁出"
    assert events[2].changes["before"] == {"archived_at": None}
    assert audit_verify()[1] is None


def test_liaison_cannot_create_outside_subtree(network):
    with pytest.raises(ServiceError) as info:
        _create(network, network.liaison_zgc, workstation=network.ws_shangdi)
    assert info.value.status == 404
    assert info.value.field == "workstation"
    assert not Enterprise.objects.filter(uscc=make_uscc(555)).exists()


def test_district_centre_may_hold_enterprises(network):
    ent = _create(network, network.haidian_officer, workstation=network.haidian)
    assert ent.workstation == network.haidian
    assert ent.district == "110108"


def test_duplicate_uscc_names_the_field(network):
    with pytest.raises(ValidationError) as info:
        _create(network, network.admin, uscc=network.ent_wangjing.uscc)
    assert set(info.value.message_dict) == {"uscc"}


def test_update_rejects_unknown_fields(network):
    with pytest.raises(ServiceError) as info:
        services.enterprise_update(
            enterprise=network.ent_zgc, changes={"archived_at": None}, acting_user=network.admin
        )
    assert info.value.field == "archived_at"


def test_update_out_of_scope_is_not_found(network):
    with pytest.raises(ServiceError) as info:
        services.enterprise_update(
            enterprise=network.ent_wangjing, changes={"park": "x"}, acting_user=network.liaison_zgc
        )
    assert info.value.status == 404


def test_update_changing_division_moves_section(network):
    ent = services.enterprise_update(
        enterprise=network.ent_zgc, changes={"industry_division": "39"}, acting_user=network.admin
    )
    assert (ent.industry_section, ent.industry_division) == ("C", "39")


def test_portal_user_cannot_change_own_company(network):
    with pytest.raises(ServiceError):
        services.enterprise_update(
            enterprise=network.ent_zgc, changes={"park": "x"}, acting_user=network.portal_zgc
        )


def test_priority_listing_add_remove_audited(network):
    listing = services.priority_listing_add(
        enterprise=network.ent_zgc, year=2026, reason="高企", acting_user=network.liaison_zgc
    )
    with pytest.raises(ValidationError) as info:
        services.priority_listing_add(
            enterprise=network.ent_zgc, year=2026, acting_user=network.admin
        )
    assert "year" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.priority_listing_add(
            enterprise=network.ent_zgc, year=1999, acting_user=network.admin
        )
    services.priority_listing_remove(listing=listing, acting_user=network.liaison_zgc)
    assert not PriorityListing.objects.exists()
    events = list(
        AuditEvent.objects.filter(object_type="enterprises.prioritylisting").order_by("id")
    )
    assert [e.action for e in events] == ["create", "delete"]
    assert events[1].changes["before"]["reason"] == "高企"


def test_ip_asset_update_is_audited_with_before_after(network, asset_zgc):
    services.ip_asset_update(
        asset=asset_zgc, changes={"legal_status": "granted"}, acting_user=network.liaison_zgc
    )
    event = AuditEvent.objects.get(object_type="enterprises.ipasset", action="update")
    assert event.changes == {
        "before": {"legal_status": "pending"},
        "after": {"legal_status": "granted"},
    }


def test_ip_asset_write_out_of_scope_is_not_found(network, asset_wangjing):
    with pytest.raises(ServiceError) as info:
        services.ip_asset_archive(asset=asset_wangjing, acting_user=network.liaison_zgc)
    assert info.value.status == 404


def test_blank_district_falls_back_to_unit(network):
    ent = services.enterprise_update(
        enterprise=network.ent_zgc, changes={"district": ""}, acting_user=network.admin
    )
    assert ent.district == "110108"
