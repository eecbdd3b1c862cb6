"""Selectors: scope first, then filters; who sees contact details."""

from __future__ import annotations

import pytest

from ipps.core.errors import ServiceError
from ipps.enterprises import selectors
from tests.factories import EnterpriseFactory, PriorityListingFactory


def test_unit_filter_takes_subtree(network):
    ids = set(
        selectors.enterprise_list(user=network.admin, unit=network.haidian).values_list(
            "pk", flat=True
        )
    )
    assert ids == {network.ent_zgc.pk, network.ent_shangdi.pk}


def test_unit_filter_cannot_widen_scope(network):
    qs = selectors.enterprise_list(user=network.liaison_zgc, unit=network.city)
    assert list(qs) == [network.ent_zgc]


def test_archived_excluded_unless_asked(network):
    EnterpriseFactory(workstation=network.ws_zgc, archived_at="2025-01-01T00:00:00+08:00")
    assert selectors.enterprise_list(user=network.liaison_zgc).count() == 1
    assert selectors.enterprise_list(user=network.liaison_zgc, include_archived=True).count() == 2


def test_full_width_query(network):
    ent = EnterpriseFactory(
        workstation=network.ws_zgc, name="北京ＡＢＣ科技有限公司", name_en="ABC Tech"
    )
    assert list(selectors.enterprise_list(user=network.admin, q="ａｂｃ tech")) == [ent]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("I", ("I", "")), ("65", ("I", "65")), ("ｃ", ("C", "")), ("5", ("A", "05"))],
)
def test_industry_filter_parsing(value, expected):
    assert selectors.parse_industry_filter(value) == expected


@pytest.mark.parametrize("value", ["Z", "99", "I65x"])
def test_industry_filter_rejects_unknown(value):
    with pytest.raises(ServiceError):
        selectors.parse_industry_filter(value)


def test_priority_list_by_year_and_scope(network):
    PriorityListingFactory(enterprise=network.ent_zgc, year=2025)
    PriorityListingFactory(enterprise=network.ent_wangjing, year=2025)
    PriorityListingFactory(enterprise=network.ent_shangdi, year=2024)
    assert [
        p.enterprise for p in selectors.priority_list(user=network.haidian_officer, year=2025)
    ] == [network.ent_zgc]
    assert selectors.priority_list(user=network.admin, year=2025).count() == 2
    assert 2024 in selectors.priority_years(user=network.admin)


def test_can_see_contacts(network, expert):
    ent = network.ent_zgc
    assert selectors.can_see_contacts(network.admin, ent)
    assert selectors.can_see_contacts(network.liaison_zgc, ent)
    assert selectors.can_see_contacts(network.haidian_officer, ent)
    assert selectors.can_see_contacts(network.portal_zgc, ent)
    assert not selectors.can_see_contacts(expert, ent)
    assert not selectors.can_see_contacts(network.liaison_wangjing, ent)
    assert not selectors.can_see_contacts(network.portal_zgc, network.ent_shangdi)
    assert selectors.contact_phone_for(expert, ent) == "138****5678"


def test_default_priority_source(network):
    assert selectors.default_priority_source(network.city_officer) == "municipal"
    assert selectors.default_priority_source(network.haidian_officer) == "district"
    assert selectors.default_priority_source(network.liaison_zgc) == "workstation"
