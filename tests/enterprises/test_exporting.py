"""Exports: exactly the filtered list, both formats, both languages, masked per rule, audited."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from ipps.core.models import AuditEvent
from ipps.enterprises import selectors
from tests.factories import EnterpriseFactory, PriorityListingFactory


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def xlsx_rows(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def csv_rows(response) -> list[list[str]]:
    raw = body(response)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def mixed(network):
    EnterpriseFactory.create_batch(4, workstation=network.ws_zgc, stage="startup")
    EnterpriseFactory.create_batch(3, workstation=network.ws_shangdi, stage="mature")
    return network


def expected_usccs(user, **filters) -> list[str]:
    return list(selectors.enterprise_list(user=user, **filters).values_list("uscc", flat=True))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_equals_filtered_list(mixed, login_as, fmt):
    network = mixed
    client = login_as(network.haidian_officer)
    response = client.get(
        f"/enterprises/export.{fmt}", {"stage": "startup", "unit": network.haidian.pk}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    header, data = rows[0], rows[1:]
    assert header[0] == "Unified Social Credit Code"
    assert header[1] == "Name"
    expected = expected_usccs(network.haidian_officer, stage="startup", unit=network.haidian.pk)
    assert len(expected) == 4
    assert [row[0] for row in data] == expected
    event = AuditEvent.objects.get(action="export")
    assert event.actor == network.haidian_officer
    assert event.changes["format"] == fmt
    assert event.changes["rows"] == 4
    assert event.changes["filters"]["stage"] == "startup"


def test_export_respects_scope(mixed, login_as):
    rows = csv_rows(login_as(mixed.liaison_zgc).get("/enterprises/export.csv"))
    assert {row[0] for row in rows[1:]} == set(expected_usccs(mixed.liaison_zgc))
    assert mixed.ent_shangdi.uscc not in {row[0] for row in rows[1:]}


def test_export_values(network, login_as):
    PriorityListingFactory(enterprise=network.ent_zgc, year=selectors.this_year())
    rows = xlsx_rows(login_as(network.liaison_zgc).get("/enterprises/export.xlsx"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Name"] == network.ent_zgc.name
    assert record["District"] == "Haidian"
    assert record["Unit code"] == "WS-110108-001"
    assert record["Industry division"] == "65"
    assert record["Contact phone"] == "13812345678"
    assert record["Priority this year"] == "yes"
    assert str(record["Founding date"]).startswith("2015-03-01")


def test_export_masks_contacts_for_expert(network, login_as, expert):
    rows = csv_rows(login_as(expert).get("/enterprises/export.csv"))
    phone = rows[0].index("Contact phone")
    assert {row[phone] for row in rows[1:]} == {"138****5678"}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_chinese_headers(network, client, fmt):
    client.force_login(network.liaison_zgc)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.get(f"/enterprises/export.{fmt}")
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert rows[0][:3] == ["统一社会信用代码", "企业名称", "英文名称"]
    assert rows[1][1] == network.ent_zgc.name
    assert rows[1][3] == "海淀区"


def test_formula_cells_are_neutralised(network, login_as):
    EnterpriseFactory(workstation=network.ws_zgc, name='=HYPERLINK("http://x")', contact_name="+1")
    rows = csv_rows(
        login_as(network.liaison_zgc).get("/enterprises/export.csv", {"q": "HYPERLINK"})
    )
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


def test_unknown_format_is_404(network, login_as):
    assert login_as(network.admin).get("/enterprises/export.pdf").status_code == 404


def test_export_requires_login(network, client):
    assert client.get("/enterprises/export.csv").status_code == 302


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_priority_export(network, login_as, fmt):
    PriorityListingFactory(enterprise=network.ent_zgc, year=2025, reason="高价值专利")
    PriorityListingFactory(enterprise=network.ent_wangjing, year=2025)
    PriorityListingFactory(enterprise=network.ent_shangdi, year=2024)
    response = login_as(network.haidian_officer).get(
        f"/enterprises/priority/export.{fmt}", {"year": 2025}
    )
    assert response.status_code == 200
    assert "priority-list-2025" in response["Content-Disposition"]
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert rows[0][:3] == ["Year", "Unified Social Credit Code", "Name"]
    assert [row[1] for row in rows[1:]] == [network.ent_zgc.uscc]
    assert rows[1][7] == "高价值专利"
    event = AuditEvent.objects.get(action="export")
    assert event.object_type == "enterprises.prioritylisting"
    assert event.changes["rows"] == 1


def test_large_export_query_count_is_flat(
    network, login_as, many_zgc, django_assert_max_num_queries
):
    client = login_as(network.liaison_zgc)
    client.get("/enterprises/export.xlsx")
    with django_assert_max_num_queries(18):
        response = client.get("/enterprises/export.xlsx")
    assert len(xlsx_rows(response)) == 32
