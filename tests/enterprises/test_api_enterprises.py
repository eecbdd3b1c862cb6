"""The enterprises API: create, change, validation errors by field, masking, filters, query counts."""

from __future__ import annotations

import pytest

from ipps.core.models import AuditEvent
from ipps.enterprises.models import Enterprise, IPAsset
from ipps.enterprises.selectors import this_year
from tests.factories import EnterpriseFactory, PriorityListingFactory, make_patent_number, make_uscc

VALID_USCC = "91110000600037341L"


def _create_body(network, **overrides):
    body = {
        "uscc": VALID_USCC,
        "name": "北京知识产权示范科技有限公司",
        "name_en": "Beijing IP Demo Tech Co., Ltd.",
        "workstation": network.ws_zgc.pk,
        "industry_division": "65",
        "stage": "startup",
        "size": "micro",
        "designations": ["high_tech", "specialised_sme"],
        "founded_on": "2019-04-01",
        "contact_name": "李娜",
        "contact_phone": "13900001111",
        "contact_email": "lina@example.org",
    }
    return body | overrides


class TestCreate:
    def test_liaison_creates_in_own_workstation(self, network, api_as):
        response = api_as(network.liaison_zgc).post("/api/v1/enterprises", _create_body(network))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["uscc"] == VALID_USCC
        assert body["workstation"] == network.ws_zgc.pk
        assert body["workstation_code"] == "WS-110108-001"
        assert body["district"] == "110108"  # taken from the unit
        assert body["industry_section"] == "I"  # derived from the division
        assert body["industry"].startswith("65 ")
        assert body["designations"] == ["high_tech", "specialised_sme"]
        assert body["contact_phone"] == "13900001111"
        assert body["is_priority"] is False
        enterprise = Enterprise.objects.get(pk=body["id"])
        assert enterprise.created_by == network.liaison_zgc

    def test_uscc_is_normalised(self, network, api_as):
        typed = "９１１１ ００００ ６０００ ３７３４ １ｌ"
        response = api_as(network.liaison_zgc).post(
            "/api/v1/enterprises", _create_body(network, uscc=typed)
        )
        assert response.status_code == 201, response.content
        assert response.json()["uscc"] == VALID_USCC

    def test_chinese_is_returned_unescaped(self, network, api_as):
        response = api_as(network.liaison_zgc).post("/api/v1/enterprises", _create_body(network))
        assert "北京知识产权示范科技有限公司".encode() in response.content
        assert b"\\u" not in response.content
        assert response["Content-Type"].startswith("application/json")

    def test_bad_uscc_is_422_on_uscc(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            "/api/v1/enterprises", _create_body(network, uscc="91110000600037341A")
        )
        assert response.status_code == 422
        body = response.json()
        assert body["field"] == "uscc"
        assert body["code"] == "validation_error"
        assert "check character" in body["message"]

    def test_duplicate_uscc_is_422_on_uscc(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            "/api/v1/enterprises", _create_body(network, uscc=network.ent_wangjing.uscc.lower())
        )
        assert response.status_code == 422
        body = response.json()
        assert body["field"] == "uscc"
        assert "already registered" in body["message"]
        # The message does not reveal the name of an enterprise the caller cannot see.
        assert network.ent_wangjing.name not in body["message"]

    def test_missing_name_is_422_on_name(self, network, api_as):
        body = _create_body(network)
        del body["name"]
        response = api_as(network.liaison_zgc).post("/api/v1/enterprises", body)
        assert response.status_code == 422
        assert response.json()["field"] == "name"

    def test_bad_choice_is_422_on_that_field(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            "/api/v1/enterprises", _create_body(network, stage="unicorn")
        )
        assert response.status_code == 422
        assert response.json()["field"] == "stage"

    def test_division_of_another_section_is_422(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            "/api/v1/enterprises",
            _create_body(network, industry_section="C", industry_division="65"),
        )
        assert response.status_code == 422
        assert response.json()["field"] == "industry_division"

    def test_liaison_cannot_create_for_another_workstation(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            "/api/v1/enterprises", _create_body(network, workstation=network.ws_wangjing.pk)
        )
        assert response.status_code == 404
        assert response.json()["field"] == "workstation"
        assert not Enterprise.objects.filter(uscc=VALID_USCC).exists()

    def test_district_officer_creates_in_any_workstation_of_district(self, network, api_as):
        response = api_as(network.haidian_officer).post(
            "/api/v1/enterprises", _create_body(network, workstation=network.ws_shangdi.pk)
        )
        assert response.status_code == 201

    def test_enterprise_cannot_sit_under_municipal_centre(self, network, api_as):
        response = api_as(network.city_officer).post(
            "/api/v1/enterprises", _create_body(network, workstation=network.city.pk)
        )
        assert response.status_code == 422
        assert response.json()["field"] == "workstation"

    def test_expert_may_not_create(self, network, api_as, expert):
        response = api_as(expert).post("/api/v1/enterprises", _create_body(network))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_create_writes_audit_row(self, network, api_as):
        response = api_as(network.liaison_zgc).post("/api/v1/enterprises", _create_body(network))
        event = AuditEvent.objects.filter(
            action="create",
            object_type="enterprises.enterprise",
            object_id=str(response.json()["id"]),
        ).get()
        assert event.actor == network.liaison_zgc
        assert event.changes["after"]["uscc"] == VALID_USCC


class TestPatch:
    def url(self, enterprise):
        return f"/api/v1/enterprises/{enterprise.pk}"

    def test_partial_update(self, network, api_as):
        ent = network.ent_zgc
        response = api_as(network.liaison_zgc).patch(
            self.url(ent), {"park": "中关村软件园二期", "size": "medium"}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["park"] == "中关村软件园二期"
        assert body["size"] == "medium"
        assert body["name"] == ent.name  # untouched
        event = AuditEvent.objects.filter(action="update", object_id=str(ent.pk)).get()
        assert event.changes["before"] == {"park": "", "size": "small"}
        assert event.changes["after"] == {"park": "中关村软件园二期", "size": "medium"}

    def test_patch_without_change_writes_no_audit(self, network, api_as):
        ent = network.ent_zgc
        response = api_as(network.liaison_zgc).patch(self.url(ent), {"name": ent.name})
        assert response.status_code == 200
        assert not AuditEvent.objects.filter(action="update", object_id=str(ent.pk)).exists()

    def test_bad_uscc_is_422(self, network, api_as):
        response = api_as(network.liaison_zgc).patch(self.url(network.ent_zgc), {"uscc": "123"})
        assert response.status_code == 422
        assert response.json()["field"] == "uscc"
        assert "18 characters" in response.json()["message"]

    def test_duplicate_uscc_is_422(self, network, api_as):
        response = api_as(network.haidian_officer).patch(
            self.url(network.ent_zgc), {"uscc": network.ent_shangdi.uscc}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "uscc"

    def test_bad_email_is_422(self, network, api_as):
        response = api_as(network.liaison_zgc).patch(
            self.url(network.ent_zgc), {"contact_email": "nope"}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "contact_email"

    def test_null_name_is_422(self, network, api_as):
        response = api_as(network.liaison_zgc).patch(self.url(network.ent_zgc), {"name": None})
        assert response.status_code == 422
        assert response.json()["field"] == "name"

    def test_wrong_type_is_422_naming_field(self, network, api_as):
        response = api_as(network.liaison_zgc).patch(
            self.url(network.ent_zgc), {"founded_on": "soon"}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "founded_on"

    def test_out_of_scope_is_404(self, network, api_as):
        response = api_as(network.liaison_zgc).patch(self.url(network.ent_wangjing), {"park": "x"})
        assert response.status_code == 404
        network.ent_wangjing.refresh_from_db()
        assert network.ent_wangjing.park == ""

    def test_visible_but_not_editable_is_403(self, network, api_as, expert):
        response = api_as(expert).patch(self.url(network.ent_zgc), {"park": "x"})
        assert response.status_code == 403

    def test_moving_to_unit_out_of_scope_is_refused(self, network, api_as):
        response = api_as(network.liaison_zgc).patch(
            self.url(network.ent_zgc), {"workstation": network.ws_wangjing.pk}
        )
        assert response.status_code == 404
        assert response.json()["field"] == "workstation"
        network.ent_zgc.refresh_from_db()
        assert network.ent_zgc.workstation == network.ws_zgc

    def test_archive_and_restore(self, network, api_as):
        client = api_as(network.liaison_zgc)
        response = client.post(f"{self.url(network.ent_zgc)}/archive", {"reason": "已注销"})
        assert response.status_code == 200
        assert response.json()["archived_at"] is not None
        listed = client.get("/api/v1/enterprises").json()
        assert network.ent_zgc.pk not in {i["id"] for i in listed["items"]}
        with_archived = client.get("/api/v1/enterprises", {"include_archived": True}).json()
        assert network.ent_zgc.pk in {i["id"] for i in with_archived["items"]}
        assert client.patch(self.url(network.ent_zgc), {"park": "x"}).status_code == 409
        response = client.post(f"{self.url(network.ent_zgc)}/restore")
        assert response.json()["archived_at"] is None
        actions = list(
            AuditEvent.objects.filter(
                object_id=str(network.ent_zgc.pk), object_type="enterprises.enterprise"
            )
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["archive", "restore"]


class TestMasking:
    def test_expert_sees_masked_phone(self, network, api_as, expert):
        body = api_as(expert).get(f"/api/v1/enterprises/{network.ent_zgc.pk}").json()
        assert body["contact_phone"] == "138****5678"
        listed = api_as(expert).get("/api/v1/enterprises").json()["items"]
        assert {item["contact_phone"] for item in listed} == {"138****5678"}

    def test_liaison_sees_full_phone(self, network, api_as):
        body = api_as(network.liaison_zgc).get(f"/api/v1/enterprises/{network.ent_zgc.pk}").json()
        assert body["contact_phone"] == "13812345678"

    def test_officer_above_sees_full_phone(self, network, api_as):
        body = api_as(network.city_officer).get(f"/api/v1/enterprises/{network.ent_zgc.pk}").json()
        assert body["contact_phone"] == "13812345678"

    def test_portal_user_sees_own_phone(self, network, api_as):
        body = api_as(network.portal_zgc).get(f"/api/v1/enterprises/{network.ent_zgc.pk}").json()
        assert body["contact_phone"] == "13812345678"

    def test_email_masked_too(self, network, api_as, expert):
        Enterprise.objects.filter(pk=network.ent_zgc.pk).update(
            contact_email="zhangwei@example.org"
        )
        body = api_as(expert).get(f"/api/v1/enterprises/{network.ent_zgc.pk}").json()
        assert body["contact_email"] == "z***@example.org"


class TestFilters:
    @pytest.fixture
    def spread(self, network):
        return {
            "c_mature": EnterpriseFactory(
                workstation=network.ws_shangdi,
                industry_section="C",
                industry_division="39",
                stage="mature",
                size="large",
                name="北京上地精密仪器有限公司",
                name_en="Shangdi Precision",
            ),
            "m_startup": EnterpriseFactory(
                workstation=network.ws_zgc,
                industry_section="M",
                industry_division="73",
                stage="startup",
                size="micro",
                name="北京中关村研发服务有限公司",
            ),
        }

    def ids(self, client, **params):
        response = client.get("/api/v1/enterprises", params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    def test_unit_takes_subtree(self, network, api_as, spread):
        client = api_as(network.city_officer)
        assert self.ids(client, unit=network.haidian.pk) == {
            network.ent_zgc.pk,
            network.ent_shangdi.pk,
            spread["c_mature"].pk,
            spread["m_startup"].pk,
        }
        assert self.ids(client, unit=network.ws_zgc.pk) == {
            network.ent_zgc.pk,
            spread["m_startup"].pk,
        }

    def test_district(self, network, api_as, spread):
        assert self.ids(api_as(network.admin), district="110105") == {network.ent_wangjing.pk}

    def test_industry_section_and_division(self, network, api_as, spread):
        client = api_as(network.admin)
        assert self.ids(client, industry="C") == {spread["c_mature"].pk}
        assert self.ids(client, industry="c") == {spread["c_mature"].pk}
        assert self.ids(client, industry="73") == {spread["m_startup"].pk}
        response = client.get("/api/v1/enterprises", {"industry": "ZZ"})
        assert response.status_code == 422
        assert response.json()["field"] == "industry"

    def test_stage_and_size(self, network, api_as, spread):
        client = api_as(network.admin)
        assert self.ids(client, stage="mature") == {spread["c_mature"].pk}
        assert self.ids(client, size="micro") == {spread["m_startup"].pk}

    def test_priority_year(self, network, api_as, spread):
        PriorityListingFactory(enterprise=network.ent_shangdi, year=2025)
        PriorityListingFactory(enterprise=network.ent_zgc, year=this_year())
        client = api_as(network.admin)
        assert self.ids(client, priority_year=2025) == {network.ent_shangdi.pk}
        items = client.get("/api/v1/enterprises").json()["items"]
        flags = {item["id"]: item["is_priority"] for item in items}
        assert flags[network.ent_zgc.pk] is True
        assert flags[network.ent_shangdi.pk] is (this_year() == 2025)

    def test_q_matches_name_english_name_and_uscc(self, network, api_as, spread):
        client = api_as(network.admin)
        assert self.ids(client, q="精密仪器") == {spread["c_mature"].pk}
        assert self.ids(client, q="shangdi precision") == {spread["c_mature"].pk}
        uscc = network.ent_wangjing.uscc
        assert self.ids(client, q=uscc.lower()) == {network.ent_wangjing.pk}
        full_width = "".join(chr(ord(c) + 0xFEE0) for c in uscc[:10])
        assert self.ids(client, q=full_width) == {network.ent_wangjing.pk}

    def test_filters_stay_within_scope(self, network, api_as, spread):
        assert self.ids(api_as(network.liaison_zgc), district="110105") == set()

    def test_pagination(self, network, api_as, many_zgc):
        client = api_as(network.liaison_zgc)
        body = client.get("/api/v1/enterprises", {"limit": 10, "offset": 0}).json()
        assert body["count"] == 31
        assert len(body["items"]) == 10
        second = client.get("/api/v1/enterprises", {"limit": 10, "offset": 10}).json()
        assert not {i["id"] for i in body["items"]} & {i["id"] for i in second["items"]}


class TestQueryCounts:
    def test_list_api_does_not_grow_with_rows(
        self, network, api_as, many_zgc, django_assert_max_num_queries
    ):
        client = api_as(network.liaison_zgc)
        client.get("/api/v1/enterprises")  # token's last_used_at is written on first use
        with django_assert_max_num_queries(7):
            response = client.get("/api/v1/enterprises", {"limit": 100})
        assert response.json()["count"] == 31

    def test_masked_list_does_not_grow_with_rows(
        self, network, api_as, many_zgc, expert, django_assert_max_num_queries
    ):
        client = api_as(expert)
        client.get("/api/v1/enterprises")
        with django_assert_max_num_queries(7):
            response = client.get("/api/v1/enterprises", {"limit": 100})
        assert response.json()["count"] == 33

    def test_ip_asset_list_does_not_grow_with_rows(
        self, network, api_as, many_zgc, django_assert_max_num_queries
    ):
        client = api_as(network.liaison_zgc)
        client.get("/api/v1/ip-assets")
        with django_assert_max_num_queries(7):
            response = client.get("/api/v1/ip-assets", {"limit": 100})
        assert response.json()["count"] == 10

    def test_priority_list_does_not_grow_with_rows(
        self, network, api_as, many_zgc, django_assert_max_num_queries
    ):
        client = api_as(network.liaison_zgc)
        client.get("/api/v1/priority-list")
        with django_assert_max_num_queries(7):
            response = client.get("/api/v1/priority-list", {"limit": 100})
        assert response.json()["count"] == 10


class TestIPAssets:
    def url(self, enterprise):
        return f"/api/v1/enterprises/{enterprise.pk}/ip-assets"

    def test_create_patent_normalises_number(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            self.url(network.ent_zgc),
            {
                "kind": "invention_patent",
                "number": "200710308494.x",
                "title": "一种数据压缩方法",
                "filing_date": "2007-12-29",
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["number"] == "CN200710308494.X"
        assert body["enterprise"] == network.ent_zgc.pk
        assert body["legal_status"] == "pending"
        assert (
            AuditEvent.objects.filter(action="create", object_type="enterprises.ipasset").count()
            == 1
        )

    def test_wrong_check_character_is_422_on_number(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            self.url(network.ent_zgc),
            {"kind": "invention_patent", "number": "CN200710308494.1", "title": "x"},
        )
        assert response.status_code == 422
        assert response.json()["field"] == "number"

    def test_kind_type_mismatch_is_422_on_number(self, network, api_as):
        utility = make_patent_number(77, type_digit="2")
        response = api_as(network.liaison_zgc).post(
            self.url(network.ent_zgc), {"kind": "invention_patent", "number": utility, "title": "x"}
        )
        assert response.status_code == 422
        body = response.json()
        assert body["field"] == "number"
        assert "another patent type" in body["message"]

    def test_patent_without_number_is_422(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            self.url(network.ent_zgc), {"kind": "design", "title": "外观设计"}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "number"

    def test_duplicate_number_is_422(self, network, api_as, asset_wangjing):
        response = api_as(network.liaison_zgc).post(
            self.url(network.ent_zgc),
            {"kind": "invention_patent", "number": asset_wangjing.number, "title": "x"},
        )
        assert response.status_code == 422
        assert response.json()["field"] == "number"

    def test_grant_before_filing_is_422(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            self.url(network.ent_zgc),
            {
                "kind": "trademark",
                "number": "12345678",
                "title": "数智",
                "filing_date": "2020-01-02",
                "grant_date": "2019-01-01",
            },
        )
        assert response.status_code == 422
        assert response.json()["field"] == "grant_date"

    def test_software_copyright(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            self.url(network.ent_zgc),
            {"kind": "software_copyright", "number": "2021sr0123456", "title": "数据管理平台V1.0"},
        )
        assert response.status_code == 201
        assert response.json()["number"] == "2021SR0123456"

    def test_create_out_of_scope_is_404(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            self.url(network.ent_wangjing), {"kind": "trademark", "title": "x"}
        )
        assert response.status_code == 404
        assert not IPAsset.objects.exists()

    def test_patch_and_archive(self, network, api_as, asset_zgc):
        client = api_as(network.liaison_zgc)
        response = client.patch(
            f"/api/v1/ip-assets/{asset_zgc.pk}",
            {"legal_status": "granted", "grant_date": "2022-01-01"},
        )
        assert response.status_code == 200, response.content
        assert response.json()["legal_status"] == "granted"
        response = client.post(f"/api/v1/ip-assets/{asset_zgc.pk}/archive")
        assert response.json()["archived_at"] is not None
        assert client.get(self.url(network.ent_zgc)).json()["count"] == 0
        actions = list(
            AuditEvent.objects.filter(object_type="enterprises.ipasset")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["update", "archive"]

    def test_trade_secret_contents_withheld_from_higher_levels(self, network, api_as):
        api_as(network.liaison_zgc).post(
            self.url(network.ent_zgc), {"kind": "trade_secret", "title": "配方工艺参数"}
        )
        own = api_as(network.liaison_zgc).get(self.url(network.ent_zgc)).json()["items"][0]
        assert own["title"] == "配方工艺参数"
        assert own["confidential"] is False
        above = api_as(network.city_officer).get(self.url(network.ent_zgc)).json()["items"][0]
        assert above["title"] == ""
        assert above["confidential"] is True


class TestPriorityListApi:
    def test_default_year_and_item_fields(self, network, api_as, listed_zgc):
        response = api_as(network.liaison_zgc).get("/api/v1/priority-list")
        assert response.status_code == 200
        item = response.json()["items"][0]
        assert item["enterprise"] == network.ent_zgc.pk
        assert item["uscc"] == network.ent_zgc.uscc
        assert item["name"] == network.ent_zgc.name
        assert item["workstation"] == network.ws_zgc.pk
        assert item["workstation_code"] == network.ws_zgc.code
        assert item["reason"] == "专精特新"
        assert item["source"] == "municipal"
        assert item["year"] == this_year()

    def test_other_year(self, network, api_as, listed_zgc):
        assert (
            api_as(network.admin).get("/api/v1/priority-list", {"year": 2001}).json()["count"] == 0
        )

    def test_add_and_remove(self, network, api_as):
        client = api_as(network.liaison_zgc)
        response = client.post(
            "/api/v1/priority-list", {"enterprise": network.ent_zgc.pk, "reason": "高价值专利"}
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["year"] == this_year()
        assert body["source"] == "workstation"  # a liaison nominates
        again = client.post("/api/v1/priority-list", {"enterprise": network.ent_zgc.pk})
        assert again.status_code == 422
        assert again.json()["field"] == "year"
        assert client.delete(f"/api/v1/priority-list/{body['id']}").status_code == 204
        actions = list(
            AuditEvent.objects.filter(object_type="enterprises.prioritylisting")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["create", "delete"]

    def test_add_out_of_scope_is_404(self, network, api_as):
        response = api_as(network.liaison_zgc).post(
            "/api/v1/priority-list", {"enterprise": network.ent_wangjing.pk}
        )
        assert response.status_code == 404


def test_openapi_declares_errors(network, client):
    spec = client.get("/api/v1/openapi.json").json()
    post = spec["paths"]["/api/v1/enterprises"]["post"]["responses"]
    assert {"201", "401", "404", "422"} <= set(post)
    get = spec["paths"]["/api/v1/enterprises/{enterprise_id}"]["get"]["responses"]
    assert {"200", "401", "404"} <= set(get)


def test_make_uscc_helper_is_valid():
    from ipps.core.ids import normalize_uscc

    assert normalize_uscc(make_uscc(1)) == make_uscc(1)
