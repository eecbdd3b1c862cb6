"""POST /api/v1/enterprises/import (multipart)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from ipps.enterprises.models import Enterprise
from tests.enterprises.import_files import EN_HEADER, csv_bytes, row, uscc, xlsx_bytes

pytestmark = pytest.mark.django_db
URL = "/api/v1/enterprises/import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "list.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def post(api, data: bytes, name: str = "list.xlsx", **fields):
    return api.post(URL, {"file": upload(data, name), **fields}, multipart=True)


def test_requires_authentication(network, api_as):
    response = post(api_as(), xlsx_bytes([row(1)]))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Enterprise.objects.filter(uscc=uscc(1)).exists()


def test_imports_and_reports(network, api_as):
    response = post(api_as(network.liaison_zgc), xlsx_bytes([row(1), row(2)], header=EN_HEADER))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "imported"
    assert (body["rows"], body["created"], body["updated"], body["skipped"]) == (2, 2, 0, 0)
    assert body["errors"] == []
    assert len(body["sha256"]) == 64
    assert Enterprise.objects.filter(uscc__in=[uscc(1), uscc(2)]).count() == 2


def test_refused_file_is_422_with_the_report(network, api_as):
    data = csv_bytes([row(1), row(2, founded_on="2015-02-30")])
    response = post(api_as(network.liaison_zgc), data, "list.csv")
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "refused"
    assert body["created"] == 0
    assert body["errors"] == [
        {
            "row": 3,
            "column": "成立日期",
            "value": "2015-02-30",
            "code": "invalid_date",
            "message": "There is no such date: 2015-02-30.",
        }
    ]
    assert not Enterprise.objects.filter(uscc=uscc(1)).exists()


def test_partial_form_field(network, api_as):
    data = csv_bytes([row(1), row(2, founded_on="2015-02-30")])
    response = post(api_as(network.liaison_zgc), data, "list.csv", partial="true")
    assert response.status_code == 200
    assert (response.json()["created"], response.json()["error_count"]) == (1, 1)


def test_out_of_scope_existing_enterprise(network, api_as):
    data = xlsx_bytes([row(1, uscc=network.ent_wangjing.uscc)])
    response = post(api_as(network.liaison_zgc), data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "exists_out_of_scope"


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"{}", "list.json", 415, "unsupported_type"),
        (b"", "list.csv", 400, "empty_file"),
        (b"not a zip", "list.xlsx", 400, "unreadable_file"),
    ],
)
def test_file_errors(network, api_as, data, name, status, code):
    response = post(api_as(network.liaison_zgc), data, name)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_wrong_headers_are_400_naming_the_columns(network, api_as):
    response = post(api_as(network.liaison_zgc), xlsx_bytes([["x", "y"]], header=["名称", "地址"]))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "missing_columns"
    assert "统一社会信用代码" in body["message"] and "名称、地址" in body["message"]


@override_settings(IPPS_IMPORT_MAX_BYTES=1000)
def test_too_large_is_413(network, api_as):
    response = post(api_as(network.liaison_zgc), xlsx_bytes([row(n) for n in range(30)]))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_missing_file_and_bad_flag_are_400(network, api_as):
    api = api_as(network.liaison_zgc)
    response = api.post(URL, {"partial": "true"}, multipart=True)
    assert (response.status_code, response.json()["code"]) == (400, "file_required")
    response = post(api, xlsx_bytes([row(1)]), partial="maybe")
    assert (response.status_code, response.json()["field"]) == (400, "partial")


def test_user_without_editing_role_is_403(network, api_as):
    response = post(api_as(network.auditor), xlsx_bytes([row(1)]))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_literal_path_wins_over_enterprise_id(network, api_as):
    response = api_as(network.liaison_zgc).get(URL)
    assert response.status_code == 405


def test_openapi_declares_the_responses(network, client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/enterprises/import"]["post"]
    assert {"200", "400", "401", "403", "413", "415", "422"} <= set(operation["responses"])
    assert "multipart/form-data" in operation["requestBody"]["content"]
