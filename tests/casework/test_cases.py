"""Infringement case files: services, API, the htmx panel, permissions and the evidence hash."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from ipps.casework import cases
from ipps.casework.models import Attachment, Evidence, InfringementCase
from ipps.core.errors import PermissionDeniedError, ServiceError
from ipps.core.models import AuditEvent
from tests.factories import IPAssetFactory, UserFactory, membership
from tests.scoped_api import ScopedResourceTests

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def infringement(make_request):
    return make_request(
        subject="产品被仿冒",
        description="电商平台出现仿冒我公司专利产品的商品。",
        category="infringement",
        chain_stage="protection",
    )


@pytest.fixture
def case(infringement):
    return infringement.case


def case_events(request):
    return list(request.events.filter(kind="case").values_list("body", flat=True))


# Services -------------------------------------------------------------------------------------------


def test_an_infringement_request_has_a_case_file(infringement):
    assert isinstance(infringement.case, InfringementCase)
    assert infringement.case.outcome == "pending"


def test_update_counterpart_route_and_outcome_is_audited_and_on_the_timeline(network, case):
    cases.case_update(
        case=case,
        changes={
            "counterpart_name": "深圳某电子公司",
            "route": "mediation",
            "outcome": "settled",
        },
        acting_user=network.liaison_zgc,
    )
    case.refresh_from_db()
    assert (case.counterpart_name, case.route, case.outcome) == (
        "深圳某电子公司",
        "mediation",
        "settled",
    )
    row = AuditEvent.objects.filter(object_type="casework.infringementcase").first()
    assert row.changes["after"]["route"] == "mediation"
    assert row.actor == network.liaison_zgc
    assert len(case_events(case.request)) == 1


def test_case_entries_on_the_timeline_are_read_in_the_readers_language(network, case, login_as):
    """Written by a liaison working in English; read by a colleague whose browser asks for
    Chinese: the sentence and the field labels in it are Chinese."""
    with translation.override("en"):
        cases.case_update(
            case=case,
            changes={"counterpart_name": "深圳某电子公司", "route": "mediation"},
            acting_user=network.liaison_zgc,
        )
    [written] = case_events(case.request)
    assert written == "Case file updated: counterpart, recommended route."
    page = login_as(network.liaison_zgc).get(
        reverse("casework:request_detail", args=[case.request.pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    with translation.override("zh-hans"):
        chinese = case.request.events.get(kind="case").shown_body
    assert chinese != written and "调解" not in chinese  # labels, not values
    assert chinese in page.content.decode() and written not in page.content.decode()


def test_stability_needs_a_basis_and_defaults_assessor_and_date(network, case):
    with pytest.raises(ServiceError) as exc:
        cases.case_update(
            case=case, changes={"stability": "stable"}, acting_user=network.liaison_zgc
        )
    assert exc.value.field == "stability_basis"
    cases.case_update(
        case=case,
        changes={"stability": "doubtful", "stability_basis": "检索到相近的现有技术"},
        acting_user=network.liaison_zgc,
    )
    case.refresh_from_db()
    assert case.stability == "doubtful"
    assert case.stability_assessor == (network.liaison_zgc.full_name or "liaison-ws-110108-001")
    assert case.stability_assessed_on == timezone.localdate()


def test_bad_choice_and_unknown_field_are_refused(network, case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        cases.case_update(case=case, changes={"route": "duel"}, acting_user=network.liaison_zgc)
    with pytest.raises(ServiceError) as exc:
        cases.case_update(case=case, changes={"request": 1}, acting_user=network.liaison_zgc)
    assert exc.value.code == "unknown_field"


def test_rights_must_belong_to_the_enterprise(network, case):
    own = IPAssetFactory(enterprise=network.ent_zgc)
    foreign = IPAssetFactory(enterprise=network.ent_wangjing)
    with pytest.raises(ServiceError) as exc:
        cases.case_link_rights(case=case, assets=[own, foreign], acting_user=network.liaison_zgc)
    assert exc.value.code == "right_not_owned"
    assert case.rights.count() == 0
    cases.case_link_rights(case=case, assets=[own], acting_user=network.liaison_zgc)
    assert list(case.rights.all()) == [own]
    assert any(own.number in body for body in case_events(case.request))


def test_facts_are_dated_and_not_in_the_future(network, case):
    fact = cases.case_add_fact(
        case=case,
        date=dt.date(2026, 3, 1),
        description="公证购买涉嫌侵权产品",
        acting_user=network.liaison_zgc,
    )
    assert fact.created_by == network.liaison_zgc
    with pytest.raises(ServiceError) as exc:
        cases.case_add_fact(
            case=case,
            date=timezone.localdate() + dt.timedelta(days=2),
            description="未来",
            acting_user=network.liaison_zgc,
        )
    assert exc.value.code == "in_future"


def test_evidence_stores_the_file_and_its_sha256(network, case):
    item = cases.case_add_evidence(
        case=case,
        upload=SimpleUploadedFile("购买发票.pdf", PDF),
        description="公证购买发票",
        obtained_on=dt.date(2026, 3, 2),
        acting_user=network.liaison_zgc,
    )
    attachment = item.attachment
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    with attachment.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == attachment.sha256
    assert attachment.original_name == "购买发票.pdf"
    assert item.added_by == network.liaison_zgc and item.added_at is not None
    kinds = set(case.request.events.values_list("kind", flat=True))
    assert {"attachment", "case"} <= kinds
    assert AuditEvent.objects.filter(object_type="casework.evidence").count() == 1


def test_evidence_type_is_checked(network, case):
    with pytest.raises(ServiceError) as exc:
        cases.case_add_evidence(
            case=case,
            upload=SimpleUploadedFile("x.exe", b"MZ"),
            description="程序",
            acting_user=network.liaison_zgc,
        )
    assert exc.value.status == 415
    assert Evidence.objects.count() == 0 and Attachment.objects.count() == 0


def test_other_workstation_and_portal_user_may_not_edit(network, case):
    for user in (network.liaison_wangjing, network.portal_zgc):
        with pytest.raises(PermissionDeniedError):
            cases.case_update(case=case, changes={"counterpart_name": "x"}, acting_user=user)
    # Ancestors may act on an ordinary request…
    cases.case_update(
        case=case, changes={"counterpart_name": "y"}, acting_user=network.city_officer
    )


def test_ancestors_may_not_read_or_edit_a_confidential_case(network, make_request):
    request = make_request(
        subject="商业秘密泄露",
        description="前员工带走客户名单",
        ip_type="trade_secret",
        category="infringement",
    )
    assert request.confidential
    assert cases.can_read_case(network.liaison_zgc, request)
    assert not cases.can_read_case(network.haidian_officer, request)
    with pytest.raises(PermissionDeniedError):
        cases.case_update(
            case=request.case,
            changes={"counterpart_name": "x"},
            acting_user=network.haidian_officer,
        )


# API ------------------------------------------------------------------------------------------------


class TestCaseScope(ScopedResourceTests):
    list_url = "/api/v1/requests/0/case"  # there is no list: the scoped base's list tests skip

    def detail_url(self, obj):
        return f"/api/v1/requests/{obj.request_id}/case"

    def in_scope(self, network):
        from ipps.casework.services import request_create

        request = request_create(
            subject="仿冒",
            description="仿冒产品",
            channel="portal",
            ip_type="patent",
            chain_stage="protection",
            category="infringement",
            acting_user=network.portal_zgc,
        )
        return network.liaison_zgc, request.case

    def out_of_scope(self, network):
        _user, obj = self.in_scope(network)
        return network.liaison_wangjing, obj

    def test_list_requires_authentication(self, network, api_as):
        pytest.skip("case files have no list")

    def test_list_in_scope_excludes_out_of_scope(self, network, api_as):
        pytest.skip("case files have no list")


def test_api_get_patch_facts_rights_evidence(network, api_as, case):
    api = api_as(network.liaison_zgc)
    url = f"/api/v1/requests/{case.request_id}/case"
    body = api.get(url).json()
    assert body["reference"] == case.request.reference and body["facts"] == []

    response = api.patch(
        url,
        {"counterpart_name": "某店铺", "stability": "stable", "stability_basis": "经对比"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["stability"] == "stable"
    assert response.json()["stability_assessed_on"] == timezone.localdate().isoformat()

    response = api.patch(url, {"route": "duel"})
    assert response.status_code == 422 and response.json()["field"] == "route"

    response = api.post(f"{url}/facts", {"date": "2026-02-03", "description": "发现侵权"})
    assert response.status_code == 201 and response.json()["description"] == "发现侵权"

    own = IPAssetFactory(enterprise=network.ent_zgc)
    foreign = IPAssetFactory(enterprise=network.ent_wangjing)
    response = api.post(f"{url}/rights", {"asset_ids": [foreign.pk]})
    assert response.status_code == 400 and response.json()["code"] == "right_not_owned"
    response = api.post(f"{url}/rights", {"asset_ids": [own.pk]})
    assert response.status_code == 200 and [r["id"] for r in response.json()["rights"]] == [own.pk]

    response = api.post(
        f"{url}/evidence",
        {
            "file": SimpleUploadedFile("shot.png", b"\x89PNG fake"),
            "description": "网页截图",
            "obtained_on": "2026-02-04",
        },
        multipart=True,
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["sha256"] == hashlib.sha256(b"\x89PNG fake").hexdigest()
    assert item["file_name"] == "shot.png"
    download = api.client.get(item["download_url"])  # not logged in: a browser session is needed
    assert download.status_code == 302
    assert api.get(url).json()["evidence"][0]["id"] == item["id"]


def test_api_permissions(network, api_as, case, make_request):
    url = f"/api/v1/requests/{case.request_id}/case"
    assert api_as(network.liaison_wangjing).patch(url, {"route": "mediation"}).status_code == 404
    assert api_as(network.portal_zgc).patch(url, {"route": "mediation"}).status_code == 403
    assert api_as(network.auditor).get(url).status_code == 404
    ordinary = make_request()
    assert (
        api_as(network.liaison_zgc).get(f"/api/v1/requests/{ordinary.pk}/case").status_code == 404
    )
    secret = make_request(ip_type="trade_secret", category="infringement")
    response = api_as(network.haidian_officer).get(f"/api/v1/requests/{secret.pk}/case")
    assert response.status_code == 403 and response.json()["code"] == "confidential"


# Panel ----------------------------------------------------------------------------------------------


def test_panel_shows_the_case_with_forms_for_staff(network, login_as, case):
    cases.case_add_evidence(
        case=case,
        upload=SimpleUploadedFile("证据.txt", "截图说明".encode()),
        description="截图",
        acting_user=network.liaison_zgc,
    )
    client = login_as(network.liaison_zgc)
    response = client.get(reverse("casework:case_panel", args=[case.request_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="case-panel"' in html and "<html" not in html
    assert hashlib.sha256("截图说明".encode()).hexdigest() in html
    assert "证据.txt" in html
    assert reverse("casework:case_edit", args=[case.request_id]) in html
    download = client.get(
        reverse("casework:case_evidence_download", args=[case.request_id, case.evidence.get().pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == "截图说明".encode()


def test_panel_forms_save_and_show_errors(network, login_as, case):
    client = login_as(network.liaison_zgc)
    url = reverse("casework:case_fact_add", args=[case.request_id])
    response = client.post(url, {"date": "", "description": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'data-field="date"' in response.content.decode()
    response = client.post(
        url, {"date": "2026-01-05", "description": "工作站走访核实"}, headers={"HX-Request": "true"}
    )
    assert "工作站走访核实" in response.content.decode()
    response = client.post(
        reverse("casework:case_edit", args=[case.request_id]),
        {"stability": "unstable", "outcome": "pending"},
        headers={"HX-Request": "true"},
    )
    assert 'data-field="stability_basis"' in response.content.decode()
    own = IPAssetFactory(enterprise=network.ent_zgc, title="一种测试装置")
    response = client.post(
        reverse("casework:case_rights", args=[case.request_id]),
        {"rights": [own.pk]},
        headers={"HX-Request": "true"},
    )
    assert "一种测试装置" in response.content.decode()
    assert list(case.rights.all()) == [own]


def test_panel_scope_and_confidentiality(network, login_as, case, make_request):
    url = reverse("casework:case_panel", args=[case.request_id])
    assert login_as(network.liaison_wangjing).get(url).status_code == 404
    secret = make_request(ip_type="trade_secret", category="infringement")
    html = (
        login_as(network.haidian_officer)
        .get(reverse("casework:case_panel", args=[secret.pk]))
        .content.decode()
    )
    assert 'data-case="confidential"' in html and "case_edit" not in html
    response = login_as(network.haidian_officer).post(
        reverse("casework:case_fact_add", args=[secret.pk]),
        {"date": "2026-01-05", "description": "x"},
    )
    assert response.status_code == 200 and secret.case.facts.count() == 0


def test_panel_for_a_request_without_case(network, login_as, make_request):
    request = make_request()
    html = (
        login_as(network.liaison_zgc)
        .get(reverse("casework:case_panel", args=[request.pk]))
        .content.decode()
    )
    assert 'data-case="none"' in html
    reader = UserFactory(username="expert-reader")
    membership(reader, network.ws_zgc, "expert")
    html = login_as(reader).get(reverse("casework:case_panel", args=[request.pk])).content.decode()
    assert "case_open" not in html and "Open a case file" not in html
