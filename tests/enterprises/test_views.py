"""The enterprise pages over real HTTP: list, search, detail, forms, priority list."""

from __future__ import annotations

import re

from ipps.core.models import AuditEvent
from ipps.enterprises.models import Enterprise, IPAsset, PriorityListing
from ipps.enterprises.selectors import this_year
from tests.factories import make_patent_number

VALID_USCC = "91110000600037341L"


def text(response) -> str:
    return response.content.decode()


class TestList:
    def test_list_shows_scope_and_count(self, network, login_as):
        response = login_as(network.haidian_officer).get("/enterprises/")
        assert response.status_code == 200
        body = text(response)
        assert network.ent_zgc.name in body
        assert network.ent_shangdi.name in body
        assert network.ent_wangjing.name not in body
        assert "2 enterprises" in body
        assert 'id="export-xlsx"' in body and 'id="export-csv"' in body
        assert 'hx-get="/enterprises/"' in body

    def test_search_htmx_returns_partial(self, network, login_as):
        client = login_as(network.admin)
        response = client.get("/enterprises/", {"q": "望京"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        body = text(response)
        assert "<html" not in body
        assert network.ent_wangjing.name in body
        assert network.ent_zgc.name not in body
        assert "1 enterprise" in body
        assert "HX-Request" in response["Vary"]
        # The export links carry the same filters.
        assert re.search(r'href="/enterprises/export\.xlsx\?[^"]*q=%E6%9C%9B%E4%BA%AC', body)

    def test_history_restore_gets_full_page(self, network, login_as):
        headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        response = login_as(network.admin).get("/enterprises/", {"q": "望京"}, headers=headers)
        assert "<html" in text(response)

    def test_filters_and_empty_state(self, network, login_as):
        response = login_as(network.admin).get("/enterprises/", {"district": "110101"})
        body = text(response)
        assert 'id="empty-state"' in body
        assert "No enterprise matches these filters." in body

    def test_bad_filter_value_shows_error_not_500(self, network, login_as):
        response = login_as(network.admin).get(
            "/enterprises/", {"priority_year": "abc", "stage": "x"}
        )
        assert response.status_code == 200
        assert "is-invalid" in text(response)

    def test_pagination_keeps_filters(self, network, login_as, many_zgc):
        from tests.factories import EnterpriseFactory

        EnterpriseFactory.create_batch(25, workstation=network.ws_zgc)
        response = login_as(network.liaison_zgc).get("/enterprises/", {"stage": "growth"})
        body = text(response)
        assert "56 enterprises" in body
        assert body.count("<tr>") == 51  # header row + 50 rows
        assert "?stage=growth&amp;page=2" in body
        page2 = login_as(network.liaison_zgc).get("/enterprises/", {"stage": "growth", "page": 2})
        assert text(page2).count("<tr>") == 7

    def test_list_page_query_count_is_flat(
        self, network, login_as, many_zgc, django_assert_max_num_queries
    ):
        client = login_as(network.liaison_zgc)
        client.get("/enterprises/")
        with django_assert_max_num_queries(14):
            response = client.get("/enterprises/")
        assert "31 enterprises" in text(response)

    def test_anonymous_is_sent_to_login(self, network, client):
        response = client.get("/enterprises/")
        assert response.status_code == 302
        assert "/accounts/login" in response["Location"]


class TestDetail:
    def test_detail_for_liaison(self, network, login_as, asset_zgc, listed_zgc):
        response = login_as(network.liaison_zgc).get(f"/enterprises/{network.ent_zgc.pk}/")
        assert response.status_code == 200
        body = text(response)
        assert network.ent_zgc.uscc in body
        assert "65 " in body  # industry label of division 65
        assert "13812345678" in body
        assert asset_zgc.number in body and asset_zgc.title in body
        assert 'id="edit-enterprise"' in body
        assert 'id="asset-form"' in body
        assert 'id="priority-badge"' in body
        assert "专精特新" in body

    def test_detail_masks_for_expert_and_hides_edit(self, network, login_as, expert):
        response = login_as(expert).get(f"/enterprises/{network.ent_zgc.pk}/")
        body = text(response)
        assert "138****5678" in body
        assert "13812345678" not in body
        assert 'id="edit-enterprise"' not in body
        assert 'id="asset-form"' not in body

    def test_out_of_scope_detail_is_404(self, network, login_as):
        assert (
            login_as(network.liaison_zgc)
            .get(f"/enterprises/{network.ent_wangjing.pk}/")
            .status_code
            == 404
        )

    def test_portal_user_sees_own_company_only(self, network, login_as):
        client = login_as(network.portal_zgc)
        response = client.get(f"/enterprises/{network.ent_zgc.pk}/")
        assert response.status_code == 200
        assert "13812345678" in text(response)
        assert 'id="edit-enterprise"' not in text(response)
        assert client.get(f"/enterprises/{network.ent_shangdi.pk}/").status_code == 404

    def test_edit_page_of_visible_but_not_editable_is_403(self, network, login_as, expert):
        assert login_as(expert).get(f"/enterprises/{network.ent_zgc.pk}/edit/").status_code == 403

    def test_edit_page_out_of_scope_is_404(self, network, login_as):
        assert (
            login_as(network.liaison_zgc)
            .get(f"/enterprises/{network.ent_wangjing.pk}/edit/")
            .status_code
            == 404
        )


class TestForms:
    def form_data(self, network, **overrides):
        data = {
            "uscc": "9111 0000 6000 3734 1L",
            "name": "北京表单测试科技有限公司",
            "workstation": network.ws_zgc.pk,
            "industry_division": "65",
            "stage": "growth",
            "size": "small",
            "designations": ["high_tech"],
            "contact_phone": "13911112222",
        }
        return data | overrides

    def test_create(self, network, login_as):
        client = login_as(network.liaison_zgc)
        assert client.get("/enterprises/new/").status_code == 200
        response = client.post("/enterprises/new/", self.form_data(network))
        ent = Enterprise.objects.get(uscc=VALID_USCC)
        assert response.status_code == 302
        assert response["Location"] == f"/enterprises/{ent.pk}/"
        assert ent.district == "110108"
        assert ent.industry_section == "I"
        assert ent.designations == ["high_tech"]
        assert AuditEvent.objects.filter(action="create", object_id=str(ent.pk)).exists()

    def test_create_shows_field_errors(self, network, login_as):
        response = login_as(network.liaison_zgc).post(
            "/enterprises/new/",
            self.form_data(network, uscc=network.ent_zgc.uscc, contact_email="bad"),
        )
        assert response.status_code == 200
        body = text(response)
        assert 'id="form-errors"' in body
        assert 'data-field="contact_email"' in body
        response = login_as(network.liaison_zgc).post(
            "/enterprises/new/", self.form_data(network, uscc=network.ent_zgc.uscc)
        )
        body = text(response)
        assert 'data-field="uscc"' in body
        assert "already registered" in body

    def test_create_offers_only_units_in_scope(self, network, login_as):
        body = text(login_as(network.liaison_zgc).get("/enterprises/new/"))
        assert network.ws_zgc.code in body
        assert network.ws_wangjing.code not in body
        response = login_as(network.liaison_zgc).post(
            "/enterprises/new/", self.form_data(network, workstation=network.ws_wangjing.pk)
        )
        assert response.status_code == 200
        assert not Enterprise.objects.filter(uscc=VALID_USCC).exists()

    def test_expert_cannot_open_create(self, network, login_as, expert):
        assert login_as(expert).get("/enterprises/new/").status_code == 403

    def test_edit(self, network, login_as):
        client = login_as(network.liaison_zgc)
        ent = network.ent_zgc
        page = client.get(f"/enterprises/{ent.pk}/edit/")
        assert page.status_code == 200
        assert ent.uscc in text(page)
        data = {
            "uscc": ent.uscc,
            "name": ent.name,
            "workstation": ent.workstation_id,
            "district": ent.district,
            "industry_section": "I",
            "industry_division": "65",
            "stage": "mature",
            "size": "small",
            "contact_name": ent.contact_name,
            "contact_phone": ent.contact_phone,
            "founded_on": "2015-03-01",
        }
        response = client.post(f"/enterprises/{ent.pk}/edit/", data)
        assert response.status_code == 302
        ent.refresh_from_db()
        assert ent.stage == "mature"
        event = AuditEvent.objects.get(action="update", object_id=str(ent.pk))
        assert event.changes["after"] == {"stage": "mature"}

    def test_archive_and_restore(self, network, login_as):
        client = login_as(network.liaison_zgc)
        ent = network.ent_zgc
        assert client.get(f"/enterprises/{ent.pk}/archive/").status_code == 405
        client.post(f"/enterprises/{ent.pk}/archive/", {"reason": "注销"})
        ent.refresh_from_db()
        assert ent.archived_at is not None
        assert ent.name not in text(client.get("/enterprises/"))
        client.post(f"/enterprises/{ent.pk}/restore/")
        ent.refresh_from_db()
        assert ent.archived_at is None

    def test_add_ip_asset(self, network, login_as):
        client = login_as(network.liaison_zgc)
        url = f"/enterprises/{network.ent_zgc.pk}/ip-assets/"
        response = client.post(
            url,
            {
                "kind": "utility_model",
                "number": make_patent_number(5, "2"),
                "title": "一种支架",
                "legal_status": "pending",
            },
        )
        assert response.status_code == 302
        assert IPAsset.objects.filter(enterprise=network.ent_zgc, kind="utility_model").exists()

    def test_add_ip_asset_wrong_number_shows_error(self, network, login_as):
        client = login_as(network.liaison_zgc)
        url = f"/enterprises/{network.ent_zgc.pk}/ip-assets/"
        response = client.post(
            url,
            {
                "kind": "design",
                "number": make_patent_number(5, "1"),
                "title": "外观",
                "legal_status": "pending",
            },
        )
        assert response.status_code == 422
        body = text(response)
        assert 'data-field="number"' in body
        assert "another patent type" in body
        assert not IPAsset.objects.exists()

    def test_ip_asset_archive(self, network, login_as, asset_zgc):
        client = login_as(network.liaison_zgc)
        client.post(f"/enterprises/{network.ent_zgc.pk}/ip-assets/{asset_zgc.pk}/archive/")
        asset_zgc.refresh_from_db()
        assert asset_zgc.archived_at is not None

    def test_priority_add_and_remove(self, network, login_as):
        client = login_as(network.liaison_zgc)
        ent = network.ent_zgc
        response = client.post(
            f"/enterprises/{ent.pk}/priority/",
            {"year": this_year(), "reason": "高价值专利", "source": "workstation"},
        )
        assert response.status_code == 302
        listing = PriorityListing.objects.get(enterprise=ent)
        again = client.post(
            f"/enterprises/{ent.pk}/priority/", {"year": this_year(), "source": "workstation"}
        )
        assert again.status_code == 422
        assert "already on that year" in text(again)
        client.post(f"/enterprises/{ent.pk}/priority/{listing.pk}/remove/")
        assert not PriorityListing.objects.exists()

    def test_writes_out_of_scope_are_404(self, network, login_as):
        client = login_as(network.liaison_zgc)
        ent = network.ent_wangjing
        assert client.post(f"/enterprises/{ent.pk}/archive/").status_code == 404
        assert (
            client.post(
                f"/enterprises/{ent.pk}/priority/", {"year": 2026, "source": "workstation"}
            ).status_code
            == 404
        )
        assert (
            client.post(
                f"/enterprises/{ent.pk}/ip-assets/", {"kind": "trademark", "title": "x"}
            ).status_code
            == 404
        )


class TestPriorityPage:
    def test_page(self, network, login_as, listed_zgc):
        response = login_as(network.haidian_officer).get("/enterprises/priority/")
        assert response.status_code == 200
        body = text(response)
        assert network.ent_zgc.name in body
        assert "专精特新" in body
        assert f"1 enterprise on the {this_year()} list" in body

    def test_other_year_empty(self, network, login_as, listed_zgc):
        response = login_as(network.admin).get("/enterprises/priority/", {"year": 2001})
        assert response.status_code == 200
        assert 'id="empty-state"' in text(response)

    def test_out_of_scope_not_listed(self, network, login_as, listed_zgc):
        body = text(login_as(network.liaison_wangjing).get("/enterprises/priority/"))
        assert network.ent_zgc.name not in body

    def test_query_count_is_flat(self, network, login_as, many_zgc, django_assert_max_num_queries):
        client = login_as(network.liaison_zgc)
        client.get("/enterprises/priority/")
        with django_assert_max_num_queries(12):
            response = client.get("/enterprises/priority/")
        assert "10 enterprises" in text(response)


def test_chinese_interface(network, client):
    client.force_login(network.liaison_zgc)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.get(f"/enterprises/{network.ent_zgc.pk}/")
    assert response.status_code == 200
    assert "信息传输、软件和信息技术服务业" in text(response) or "软件和信息技术服务业" in text(
        response
    )
