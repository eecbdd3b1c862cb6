"""The tree of units: what may sit under what, enforced by unit_create / unit_update."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from ipps.core.errors import ServiceError
from ipps.network.models import ServiceUnit
from ipps.network.services import unit_create, unit_set_status, unit_update


def messages(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict.get(field, []))


def test_workstation_under_a_workstation_is_refused_with_the_models_message(network):
    with pytest.raises(ValidationError) as info:
        unit_create(
            data={
                "kind": "workstation",
                "code": "WS-110108-099",
                "name_zh": "测试工作站",
                "district": "110108",
                "parent": network.ws_zgc,
            },
            acting_user=network.admin,
        )
    text = messages(info.value, "parent")
    assert "cannot sit under a Workstation (WS-110108-001)" in text
    assert "must sit under a District centre" in text
    assert not ServiceUnit.objects.filter(code="WS-110108-099").exists()


def test_moving_a_workstation_under_a_workstation_is_refused_and_the_unit_is_left_unchanged(
    network,
):
    unit = network.ws_shangdi
    with pytest.raises(ValidationError) as info:
        unit_update(unit=unit, changes={"parent": network.ws_zgc}, acting_user=network.admin)
    assert "cannot sit under a Workstation" in messages(info.value, "parent")
    assert unit.parent_id == network.haidian.pk  # the in-memory object is restored
    unit.refresh_from_db()
    assert unit.parent_id == network.haidian.pk


def test_a_cycle_is_refused(network):
    # The municipal centre under one of its own district centres: kind and cycle both refuse it.
    city = network.city
    with pytest.raises(ValidationError) as info:
        unit_update(
            unit=city,
            changes={"parent": network.haidian, "kind": "district_centre", "district": "110108"},
            acting_user=network.admin,
        )
    assert "cannot sit under itself or one of its own sub-units" in messages(info.value, "parent")
    city.refresh_from_db()
    assert city.parent_id is None


def test_a_district_centre_cannot_sit_under_itself(network):
    with pytest.raises(ValidationError) as info:
        unit_update(
            unit=network.haidian, changes={"parent": network.haidian}, acting_user=network.admin
        )
    assert "cannot sit under itself" in messages(info.value, "parent")


def test_a_workstation_lies_in_the_district_of_its_centre(network):
    with pytest.raises(ValidationError) as info:
        unit_update(unit=network.ws_zgc, changes={"district": "110105"}, acting_user=network.admin)
    assert "lies in the district of its district centre (Haidian)" in messages(
        info.value, "district"
    )

    with pytest.raises(ValidationError):
        unit_create(
            data={
                "kind": "workstation",
                "code": "WS-110105-050",
                "name_zh": "错区工作站",
                "district": "110105",
                "parent": network.haidian,
            },
            acting_user=network.admin,
        )


def test_a_workstation_needs_a_district(network):
    with pytest.raises(ValidationError) as info:
        unit_create(
            data={
                "kind": "workstation",
                "code": "WS-X",
                "name_zh": "无区工作站",
                "parent": network.haidian,
            },
            acting_user=network.admin,
        )
    assert "belong to a district" in messages(info.value, "district")


def test_a_partner_needs_a_region_and_only_partners_have_one(network):
    with pytest.raises(ValidationError) as info:
        unit_create(
            data={
                "kind": "partner",
                "code": "PT-TJ-009",
                "name_zh": "天津合作站",
                "parent": network.city,
            },
            acting_user=network.admin,
        )
    assert "A partner unit needs a region." in messages(info.value, "region")

    partner = unit_create(
        data={
            "kind": "partner",
            "code": "PT-TJ-009",
            "name_zh": "天津合作站",
            "parent": network.city,
            "region": "tianjin",
        },
        acting_user=network.admin,
    )
    assert partner.region == "tianjin"
    with pytest.raises(ValidationError) as info:
        unit_update(unit=network.ws_zgc, changes={"region": "hebei"}, acting_user=network.admin)
    assert "Only partner units have a region." in messages(info.value, "region")


def test_a_district_centre_cannot_change_district_while_its_workstations_are_elsewhere(network):
    with pytest.raises(ValidationError) as info:
        unit_update(unit=network.haidian, changes={"district": "110105"}, acting_user=network.admin)
    assert "WS-110108-001" in messages(info.value, "district")


def test_a_unit_with_sub_units_cannot_become_a_kind_that_cannot_hold_them(network):
    with pytest.raises(ValidationError) as info:
        unit_update(
            unit=network.chaoyang,
            changes={"kind": "workstation", "parent": network.haidian, "district": "110108"},
            acting_user=network.admin,
        )
    assert "WS-110105-001" in " ".join(sum(info.value.message_dict.values(), []))


def test_the_code_is_stable(network):
    with pytest.raises(ServiceError) as info:
        unit_update(unit=network.ws_zgc, changes={"code": "WS-NEW"}, acting_user=network.admin)
    assert info.value.field == "code"


def test_unknown_fields_are_refused(network):
    with pytest.raises(ServiceError) as info:
        unit_update(unit=network.ws_zgc, changes={"created_at": None}, acting_user=network.admin)
    assert info.value.code == "unknown_field"


def test_closing_needs_the_sub_units_closed_first(network):
    with pytest.raises(ValidationError) as info:
        unit_set_status(unit=network.chaoyang, status="closed", acting_user=network.admin)
    assert "WS-110105-001" in messages(info.value, "status")
    network.chaoyang.refresh_from_db()
    assert network.chaoyang.status == "active"


def test_set_status_dates_the_change_and_reopening_clears_the_closing_date(network):
    day = datetime.date(2026, 3, 2)
    unit = unit_set_status(
        unit=network.ws_wangjing, status="closed", on_date=day, acting_user=network.admin
    )
    unit.refresh_from_db()
    assert (unit.status, unit.status_changed_on, unit.closed_on) == ("closed", day, day)
    unit = unit_set_status(
        unit=unit, status="active", on_date=datetime.date(2026, 4, 1), acting_user=network.admin
    )
    unit.refresh_from_db()
    assert unit.status == "active" and unit.closed_on is None
    assert unit.status_changed_on == datetime.date(2026, 4, 1)


def test_moving_a_unit_needs_admin_rights_on_its_new_parent(network):
    from tests.factories import membership

    haidian_admin = membership(network.haidian_officer, network.haidian, "admin").user
    with pytest.raises(ValidationError) as info:
        unit_update(
            unit=network.ws_zgc,
            changes={"parent": network.chaoyang, "district": "110105"},
            acting_user=haidian_admin,
        )
    assert "administer" in messages(info.value, "parent")
