"""Every enterprises resource proves 401 without credentials, 200 in scope and 404 out of scope."""

from __future__ import annotations

from ipps.enterprises.models import IPAsset
from tests.factories import IPAssetFactory, PriorityListingFactory, make_patent_number
from tests.scoped_api import ScopedResourceTests


class TestEnterpriseScope(ScopedResourceTests):
    list_url = "/api/v1/enterprises"
    extra_out_of_scope = ("portal_out_of_scope", "district_out_of_scope")

    def detail_url(self, obj):
        return f"/api/v1/enterprises/{obj.pk}"

    def in_scope(self, network):
        return network.liaison_zgc, network.ent_zgc

    def out_of_scope(self, network):
        return network.liaison_zgc, network.ent_wangjing

    def portal_out_of_scope(self, network):
        return network.portal_zgc, network.ent_shangdi

    def district_out_of_scope(self, network):
        return network.haidian_officer, network.ent_wangjing


class TestEnterpriseScopeForPortalUser(ScopedResourceTests):
    list_url = "/api/v1/enterprises"

    def detail_url(self, obj):
        return f"/api/v1/enterprises/{obj.pk}"

    def in_scope(self, network):
        return network.portal_zgc, network.ent_zgc

    def out_of_scope(self, network):
        return network.portal_zgc, network.ent_shangdi


def _asset_of(enterprise) -> IPAsset:
    existing = IPAsset.objects.filter(enterprise=enterprise).first()
    return existing or IPAssetFactory(
        enterprise=enterprise, number=make_patent_number(9000 + enterprise.pk)
    )


class TestIPAssetScope(ScopedResourceTests):
    list_url = "/api/v1/ip-assets"
    extra_out_of_scope = ("portal_out_of_scope",)

    def detail_url(self, obj):
        return f"/api/v1/ip-assets/{obj.pk}"

    def in_scope(self, network):
        return network.liaison_zgc, _asset_of(network.ent_zgc)

    def out_of_scope(self, network):
        return network.liaison_zgc, _asset_of(network.ent_wangjing)

    def portal_out_of_scope(self, network):
        return network.portal_zgc, _asset_of(network.ent_shangdi)


class TestEnterpriseIPAssetList:
    """The per-enterprise list answers 404 for an enterprise out of scope, like its detail."""

    def test_in_scope(self, network, api_as, asset_zgc):
        response = api_as(network.liaison_zgc).get(
            f"/api/v1/enterprises/{network.ent_zgc.pk}/ip-assets"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        assert body["items"][0]["id"] == asset_zgc.pk
        assert body["items"][0]["number"] == asset_zgc.number

    def test_out_of_scope_is_404(self, network, api_as, asset_wangjing):
        url = f"/api/v1/enterprises/{network.ent_wangjing.pk}/ip-assets"
        for user in (network.liaison_zgc, network.portal_zgc, network.haidian_officer):
            response = api_as(user).get(url)
            assert response.status_code == 404, user
            assert response.json()["code"] == "not_found"

    def test_requires_authentication(self, network, api_as):
        response = api_as().get(f"/api/v1/enterprises/{network.ent_zgc.pk}/ip-assets")
        assert response.status_code == 401


class TestPriorityListScope:
    def test_only_listings_in_scope(self, network, api_as):
        mine = PriorityListingFactory(enterprise=network.ent_zgc, year=2026)
        other = PriorityListingFactory(enterprise=network.ent_wangjing, year=2026)
        response = api_as(network.liaison_zgc).get("/api/v1/priority-list", {"year": 2026})
        assert response.status_code == 200
        ids = {item["id"] for item in response.json()["items"]}
        assert mine.pk in ids
        assert other.pk not in ids

    def test_remove_out_of_scope_is_404(self, network, api_as):
        other = PriorityListingFactory(enterprise=network.ent_wangjing, year=2026)
        response = api_as(network.liaison_zgc).delete(f"/api/v1/priority-list/{other.pk}")
        assert response.status_code == 404

    def test_requires_authentication(self, network, api_as):
        assert api_as().get("/api/v1/priority-list").status_code == 401


def test_auditor_without_business_role_sees_no_enterprise(network, api_as):
    response = api_as(network.auditor).get(f"/api/v1/enterprises/{network.ent_zgc.pk}")
    assert response.status_code == 404
    assert api_as(network.auditor).get("/api/v1/enterprises").json()["count"] == 0
