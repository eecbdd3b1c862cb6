"""The generic scoped-API test base: every resource proves 401, 200 in scope and 404 out of scope.

A resource's test module subclasses `ScopedResourceTests` and says how to reach one object that the
in-scope user may see and one that the out-of-scope user may not:

    class TestEnterpriseScope(ScopedResourceTests):
        list_url = "/api/v1/enterprises"

        def detail_url(self, obj): return f"/api/v1/enterprises/{obj.pk}"
        def in_scope(self, network): return network.liaison_zgc, network.ent_zgc
        def out_of_scope(self, network): return network.liaison_zgc, network.ent_wangjing
"""

from __future__ import annotations

import pytest


class ScopedResourceTests:
    list_url: str = ""
    # Lists whose items carry an `id`; the out-of-scope object must never appear in them.
    list_has_ids: bool = True

    def detail_url(self, obj) -> str:  # pragma: no cover - each resource says
        raise NotImplementedError

    def in_scope(self, network):  # -> (user, obj)
        raise NotImplementedError

    def out_of_scope(self, network):  # -> (user, obj)
        raise NotImplementedError

    extra_out_of_scope: tuple[str, ...] = ()  # names of further (user, obj) methods to check

    def test_list_requires_authentication(self, network, api_as):
        response = api_as().get(self.list_url)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_detail_requires_authentication(self, network, api_as):
        _user, obj = self.in_scope(network)
        assert api_as().get(self.detail_url(obj)).status_code == 401

    def test_detail_in_scope(self, network, api_as):
        user, obj = self.in_scope(network)
        response = api_as(user).get(self.detail_url(obj))
        assert response.status_code == 200, response.content
        assert response.json()["id"] == obj.pk

    def test_detail_out_of_scope_is_404(self, network, api_as):
        for name in ("out_of_scope", *self.extra_out_of_scope):
            user, obj = getattr(self, name)(network)
            response = api_as(user).get(self.detail_url(obj))
            assert response.status_code == 404, f"{name}: {response.status_code}"
            assert response.json()["code"] == "not_found"

    def test_list_in_scope_excludes_out_of_scope(self, network, api_as):
        user, obj = self.in_scope(network)
        response = api_as(user).get(self.list_url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) >= {"count", "items"}
        if self.list_has_ids:
            ids = {item["id"] for item in body["items"]}
            assert obj.pk in ids
            out_user, out_obj = self.out_of_scope(network)
            if out_user == user:
                assert out_obj.pk not in ids


__all__ = ["ScopedResourceTests", "pytest"]
