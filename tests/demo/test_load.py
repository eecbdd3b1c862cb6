"""`ipps demo` on the test database, with a small number of enterprises."""

from __future__ import annotations

import collections
from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from ipps.accounts.models import User
from ipps.core.models import AuditEvent
from ipps.demo.load import DEMO_PASSWORD
from ipps.demo.plan import build_plan
from ipps.enterprises.models import Enterprise, IPAsset, PriorityListing
from ipps.network.models import Membership, ServiceUnit
from ipps.network.scope import unit_ids_for
from tests.demo.conftest import loaded_for_the_module

N = 200


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", "--enterprises", str(N), *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with loaded_for_the_module(django_db_blocker):
        yield run_demo()


@pytest.fixture
def demo(loaded, db):
    return loaded


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            ServiceUnit,
            Enterprise,
            IPAsset,
            PriorityListing,
            User,
            Membership,
            AuditEvent,
        )
    }


def test_units_are_exactly_the_beijing_network(demo):
    kinds = collections.Counter(ServiceUnit.objects.values_list("kind", flat=True))
    assert kinds["municipal_centre"] == 1
    assert kinds["district_centre"] == 17
    assert kinds["workstation"] == 87
    assert kinds["partner"] >= 3
    city = ServiceUnit.objects.get(code="BJ")
    assert city.name_zh == "北京市知识产权公共服务中心" and city.parent is None
    assert set(
        ServiceUnit.objects.filter(kind="district_centre").values_list("code", flat=True)
    ) == {
        "DC-110101",
        "DC-110102",
        "DC-110105",
        "DC-110106",
        "DC-110107",
        "DC-110108",
        "DC-110109",
        "DC-110111",
        "DC-110112",
        "DC-110113",
        "DC-110114",
        "DC-110115",
        "DC-110116",
        "DC-110117",
        "DC-110118",
        "DC-110119",
        "DC-BDA",
    }
    assert ServiceUnit.objects.get(code="DC-110108").name_en == "Haidian IP Public Service Centre"
    partners = ServiceUnit.objects.filter(kind="partner")
    assert set(partners.values_list("region", flat=True)) == {"tianjin", "hebei", "overseas"}
    assert all(p.parent_id == city.pk for p in partners)
    for ws in ServiceUnit.objects.filter(kind="workstation").select_related("parent"):
        assert ws.parent.kind == "district_centre" and ws.parent.district == ws.district
        ws.full_clean()
    assert (
        "Units: 111 in the plan (1 municipal centre, 17 district centres, 87 workstations" in demo
    )


def test_enterprises_are_valid_and_served_by_a_workstation_of_their_district(demo):
    enterprises = list(Enterprise.objects.select_related("workstation"))
    assert len(enterprises) == N
    for e in enterprises:
        assert stdnum_uscc.is_valid(e.uscc), e.uscc
        assert e.workstation.kind == "workstation" and e.workstation.district == e.district
    sample = enterprises[::20]
    for e in sample:
        e.full_clean()
    for asset in IPAsset.objects.all()[:300]:
        asset.full_clean()


def test_the_database_holds_what_the_plan_says(demo):
    plan = build_plan(enterprises=N, year=timezone.localdate().year)
    assert sorted(Enterprise.objects.values_list("uscc", "name")) == sorted(
        (e.uscc, e.name) for e in plan.enterprises
    )
    assert IPAsset.objects.count() == len(plan.assets)


def test_priority_lists_this_year_and_last(demo):
    year = timezone.localdate().year
    this_year = PriorityListing.objects.filter(year=year).count()
    assert this_year >= N / 2
    assert PriorityListing.objects.filter(year=year - 1).exists()


def test_users_and_their_roles(demo):
    def roles(username):
        return set(
            Membership.objects.filter(user__username=username).values_list("unit__code", "role")
        )

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert roles("city") == {("BJ", "officer")}
    assert roles("auditor") == {("BJ", "auditor")}
    assert roles("security") == {("BJ", "security_admin")}
    assert roles("district-110108") == {("DC-110108", "officer")}
    assert roles("district-bda") == {("DC-BDA", "officer")}
    assert roles("liaison-ws-110108-001") == {("WS-110108-001", "liaison")}
    assert User.objects.filter(username__startswith="district-").count() == 17
    assert User.objects.filter(username__startswith="liaison-").count() == 87
    portal = User.objects.filter(enterprise__isnull=False).select_related("enterprise")
    assert portal.count() == N // 10
    for user in portal:
        assert user.username == f"portal-{user.enterprise.uscc.lower()}"
        assert not user.memberships.exists()
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    assert check_password(DEMO_PASSWORD, hashes.pop())


def test_the_demo_logins_reach_what_their_roles_say(demo, client):
    district = User.objects.get(username="district-110108")
    haidian = set(ServiceUnit.objects.filter(district="110108").values_list("pk", flat=True))
    assert unit_ids_for(district) == haidian
    liaison = User.objects.get(username="liaison-ws-110108-001")
    assert unit_ids_for(liaison) == {ServiceUnit.objects.get(code="WS-110108-001").pk}
    assert client.login(username="liaison-ws-110108-001", password=DEMO_PASSWORD)
    assert client.get("/units/").status_code == 200


def test_one_audit_row_summarises_the_import(demo):
    rows = AuditEvent.objects.filter(action="import", object_repr="demo network")
    assert rows.count() == 1
    created = rows.get().changes["created"]
    assert created["units"] == 111 and created["enterprises"] == N
    assert created["users"] == User.objects.count()


def test_a_second_run_creates_nothing(demo):
    before = counts()
    output = run_demo()
    assert counts() == before
    assert "nothing new was created" in output


def test_if_empty_does_nothing_when_units_exist(demo):
    before = counts()
    output = run_demo("--if-empty")
    assert counts() == before
    assert "already holds service units" in output
