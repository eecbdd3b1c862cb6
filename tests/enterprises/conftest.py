"""Fixtures of the enterprises tests: an expert who sees but may not edit, IP assets, listings."""

from __future__ import annotations

import pytest

from ipps.enterprises.selectors import this_year
from tests.factories import (
    EnterpriseFactory,
    IPAssetFactory,
    PriorityListingFactory,
    UserFactory,
    make_patent_number,
    membership,
)


@pytest.fixture
def expert(network):
    """An expert on the municipal centre: reaches every enterprise, edits none, sees contacts masked."""
    user = UserFactory(username="expert-city")
    membership(user, network.city, "expert")
    return user


@pytest.fixture
def asset_zgc(network):
    return IPAssetFactory(
        enterprise=network.ent_zgc, number=make_patent_number(4242), title="一种图像识别方法"
    )


@pytest.fixture
def asset_wangjing(network):
    return IPAssetFactory(
        enterprise=network.ent_wangjing, number=make_patent_number(4343), title="一种药物组合物"
    )


@pytest.fixture
def listed_zgc(network):
    return PriorityListingFactory(enterprise=network.ent_zgc, year=this_year(), reason="专精特新")


@pytest.fixture
def many_zgc(network):
    """Thirty more enterprises under the ZGC workstation, for query counts and pagination."""
    items = EnterpriseFactory.create_batch(30, workstation=network.ws_zgc)
    for item in items[:10]:
        PriorityListingFactory(enterprise=item, year=this_year())
        IPAssetFactory(enterprise=item)
    return items
