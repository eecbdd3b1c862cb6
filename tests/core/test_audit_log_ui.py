"""The audit log pages: only auditors see them; filters, paging, details, CSV export, chain check."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.utils import timezone

from ipps.core.audit import audit_record
from ipps.core.models import AuditEvent
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db

URL = "/audit/"


@pytest.fixture
def events(network):
    made = [
        audit_record(action="update", actor=network.city_officer, obj=network.ent_zgc,
                     changes={"before": {"name": "旧名称"}, "after": {"name": "北京中关村数智科技有限公司"}}),
        audit_record(action="archive", actor=network.haidian_officer, obj=network.ent_shangdi,
                     changes={"before": {"archived_at": None}, "after": {"archived_at": "2026-03-01"}}),
        audit_record(action="login_failed", actor_name="mallory", changes={"reason": "unknown_user"}),
    ]  # fmt: skip
    return made


@pytest.fixture
def security_admin(network):
    user = UserFactory(username="security")
    membership(user, network.city, "security_admin")
    return user


def rows(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("who", ["liaison_zgc", "city_officer", "haidian_officer", "portal_zgc"])
def test_people_without_an_audit_role_get_404(network, login_as, who):
    client = login_as(getattr(network, who))
    for url in (URL, "/audit/export.csv", "/audit/chain/"):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["auditor", "admin", "security_admin"])
def test_auditors_security_admins_and_superusers_read_the_log(
    network, login_as, events, who, request
):
    user = (
        request.getfixturevalue("security_admin")
        if who == "security_admin"
        else getattr(network, who)
    )
    response = login_as(user).get(URL)
    assert response.status_code == 200
    assert "mallory" in rows(response)


def test_log_is_newest_first_with_before_and_after(network, login_as, events):
    page = rows(login_as(network.auditor).get(URL))
    assert (
        page.index("mallory")
        < page.index("district-110108")
        < page.index(network.city_officer.username)
    )
    assert "<details>" in page
    assert "旧名称" in page and "2026-03-01" in page and "unknown_user" in page


def test_filters(network, login_as, events):
    client = login_as(network.auditor)

    def shown(**params):
        page = rows(client.get(URL, params))
        return {
            name
            for name in ("mallory", "district-110108", network.city_officer.username)
            if name in page
        }

    assert shown(actor="mallory") == {"mallory"}
    assert shown(actor="DISTRICT") == {"district-110108"}
    assert shown(action="archive") == {"district-110108"}
    assert shown(object_type="enterprises.enterprise") == {
        "district-110108",
        network.city_officer.username,
    }
    assert shown(object_id=str(network.ent_zgc.pk), object_type="enterprises.enterprise") == {
        network.city_officer.username
    }
    assert shown(q="上地") == {"district-110108"}
    today = timezone.localdate()
    assert len(shown(date_from=today.isoformat(), date_to=today.isoformat())) == 3
    assert shown(date_from=(today + datetime.timedelta(days=1)).isoformat()) == set()
    assert shown(date_to=(today - datetime.timedelta(days=1)).isoformat()) == set()
    assert "No audit events match these filters." in rows(client.get(URL, {"actor": "nobody"}))
    assert '<option value="enterprises.enterprise">' in rows(client.get(URL))  # suggested types


def test_bad_filter_input_gets_a_clear_error_not_a_500(network, login_as, events):
    client = login_as(network.auditor)
    response = client.get(URL, {"date_from": "2026-13-45"})
    assert response.status_code == 200
    assert "Enter a valid date." in rows(response)
    response = client.get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "The end date is before the start date." in rows(response)
    assert client.get(URL, {"page": "zzz"}).status_code == 200


def test_pages_of_fifty(network, login_as, django_assert_max_num_queries):
    for i in range(60):
        audit_record(action="update", actor_name="bulk", object_repr=f"item-{i:03d}")
    client = login_as(network.auditor)
    with django_assert_max_num_queries(12):
        first = rows(client.get(URL, {"actor": "bulk"}))
    assert "item-059" in first and "item-010" in first and "item-009" not in first
    assert "Page 1 of 2" in first
    second = rows(client.get(URL, {"actor": "bulk", "page": 2}))
    assert "item-009" in second and "item-000" in second and "item-010" not in second
    assert "actor=bulk" in first.split('rel="next"')[0].rsplit("href=", 1)[1]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_export_follows_the_filters_and_is_audited(network, login_as, events):
    client = login_as(network.auditor)
    response = client.get("/audit/export.csv", {"action": "archive"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = read_csv(response)
    assert table[0][:4] == ["Id", "Time", "Actor", "Action"]
    assert len(table) == 2 and table[1][2] == "district-110108" and table[1][3] == "Archived"
    assert "2026-03-01" in table[1][8]
    export = AuditEvent.objects.latest("id")
    assert export.action == "export" and export.actor_id == network.auditor.pk
    assert export.changes == {"filters": {"action": "archive"}}


def test_csv_export_defuses_formulas(network, login_as):
    audit_record(
        action="update", actor_name='=HYPERLINK("http://x")', object_repr="+cmd|' /C calc'!A0"
    )
    table = read_csv(login_as(network.auditor).get("/audit/export.csv"))
    row = next(r for r in table[1:] if "HYPERLINK" in r[2])
    assert row[2].startswith("'=") and row[6].startswith("'+")


def test_chain_status_on_request(network, login_as, events):
    client = login_as(network.auditor)
    page = rows(client.get(URL))
    assert 'hx-get="/audit/chain/"' in page and "Verified" not in page
    total = AuditEvent.objects.count()
    fragment = rows(client.get("/audit/chain/", headers={"HX-Request": "true"}))
    assert "<html" not in fragment
    assert f"Verified {total} rows: the chain is intact." in fragment
    full = rows(client.get("/audit/chain/"))
    assert "<html" in full and "the chain is intact" in full


def test_chain_status_names_the_broken_row(network, login_as, events):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
        cursor.execute(
            "UPDATE core_auditevent SET actor_name = 'someone else' WHERE id = %s", [events[1].pk]
        )
    fragment = rows(login_as(network.auditor).get("/audit/chain/", headers={"HX-Request": "true"}))
    assert f"The chain is broken at row {events[1].pk}" in fragment
    assert "the row was changed" in fragment
