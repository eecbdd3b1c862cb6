"""The demo plan, computed without the database: the network's shape and valid identifiers."""

from __future__ import annotations

import collections
import os
import subprocess
import sys

import pytest
from stdnum.cn import uscc as stdnum_uscc

from ipps.core.ids import normalize_patent_number, normalize_software_copyright
from ipps.demo import plan as demo_plan
from ipps.enterprises.choices import PATENT_TYPE_DIGITS, IPKind
from ipps.enterprises.industry import DIVISIONS
from ipps.network.choices import District

YEAR = 2026


@pytest.fixture(scope="module")
def full():
    """The full-size plan (3,000 enterprises), as `ipps demo` loads it."""
    return demo_plan.build_plan(year=YEAR)


def test_the_network_is_1_plus_17_plus_87_plus_partners(full):
    kinds = collections.Counter(u.kind for u in full.units)
    assert kinds["municipal_centre"] == 1
    assert kinds["district_centre"] == 17
    assert kinds["workstation"] == 87
    assert kinds["partner"] >= 3
    assert {u.region for u in full.units if u.kind == "partner"} == {"tianjin", "hebei", "overseas"}
    assert sum(1 for u in full.units if u.region == "overseas") == 1
    assert all(u.parent_code == "BJ" for u in full.units if u.kind == "partner")
    city = full.units[0]
    assert (city.code, city.name_zh) == ("BJ", "北京市知识产权公共服务中心")


def test_district_centres_carry_the_gbt_2260_codes(full):
    centres = {u.code: u for u in full.units if u.kind == "district_centre"}
    assert set(centres) == {f"DC-{code}" for code in District.values}
    assert centres["DC-110108"].name_zh == "海淀区知识产权公共服务中心"
    assert centres["DC-BDA"].name_zh == "北京经济技术开发区知识产权公共服务中心"
    assert all(u.parent_code == "BJ" for u in centres.values())


def test_workstations_are_spread_with_more_in_the_big_districts(full):
    per_district = collections.Counter(u.district for u in full.units if u.kind == "workstation")
    assert set(per_district) == set(District.values)
    assert min(per_district.values()) >= 1
    big = ("110108", "110105", "BDA", "110114", "110113", "110115")
    small = [n for d, n in per_district.items() if d not in big]
    assert min(per_district[d] for d in big) > max(small)
    for unit in full.units:
        if unit.kind == "workstation":
            assert unit.code.startswith(f"WS-{unit.district}-")
            assert unit.parent_code == f"DC-{unit.district}"
            assert unit.host_park and unit.name_zh.startswith(unit.host_park)
            assert 39.4 < float(unit.latitude) < 40.7 and 115.7 < float(unit.longitude) < 117.5
    codes = [u.code for u in full.units]
    assert len(codes) == len(set(codes))
    assert "WS-110108-001" in codes and "WS-BDA-001" in codes


def test_enterprises_at_full_size(full):
    assert len(full.enterprises) == 3000
    units = {u.code: u for u in full.units}
    usccs = [e.uscc for e in full.enterprises]
    assert len(set(usccs)) == 3000
    assert len({e.name for e in full.enterprises}) == 3000
    for e in full.enterprises:
        assert stdnum_uscc.is_valid(e.uscc), e.uscc
        assert e.uscc[:2] == "91" and e.uscc[:8].isdigit()
        ws = units[e.workstation_code]
        assert ws.kind == "workstation" and ws.district == e.district
        assert e.park == ws.host_park
        assert DIVISIONS[e.industry_division][0] == e.industry_section
        assert e.name.startswith("北京") and e.name.endswith("有限公司")
        assert e.founded_on <= demo_plan.REFERENCE_DATE
    divisions = collections.Counter(e.industry_division for e in full.enterprises)
    assert [d for d, _n in divisions.most_common(4)] == ["65", "73", "27", "39"]


def test_ip_assets_have_valid_numbers_of_their_kind(full):
    kinds = collections.Counter(a.kind for a in full.assets)
    assert len(full.assets) > 2 * len(full.enterprises)
    for kind in (
        "invention_patent",
        "utility_model",
        "design",
        "trademark",
        "software_copyright",
        "geographical_indication",
        "trade_secret",
    ):
        assert kinds[kind] > 0, kind
    seen = set()
    for a in full.assets:
        if a.number:
            assert (a.kind, a.number) not in seen
            seen.add((a.kind, a.number))
        if a.kind in PATENT_TYPE_DIGITS:
            assert normalize_patent_number(a.number) == a.number
            assert a.number[6] in PATENT_TYPE_DIGITS[IPKind(a.kind)]
            assert a.number[2:6] == str(a.filing_date.year)
        elif a.kind == "software_copyright":
            assert normalize_software_copyright(a.number) == a.number
        if a.grant_date and a.filing_date:
            assert a.filing_date <= a.grant_date <= demo_plan.REFERENCE_DATE


def test_priority_lists(full):
    this_year = {li.uscc for li in full.listings if li.year == YEAR}
    last_year = {li.uscc for li in full.listings if li.year == YEAR - 1}
    assert len(this_year) >= 1500
    assert 0 < len(last_year) < len(full.enterprises)


def test_users_at_full_size(full):
    names = [u.username for u in full.users]
    assert len(names) == len(set(names))
    for fixed in (
        "admin",
        "city",
        "auditor",
        "security",
        "district-110108",
        "district-bda",
        "liaison-ws-110108-001",
        "liaison-ws-bda-001",
    ):
        assert fixed in names
    assert sum(1 for n in names if n.startswith("district-")) == 17
    assert sum(1 for n in names if n.startswith("liaison-")) == 87
    portal = [u for u in full.users if u.enterprise_uscc]
    assert len(portal) == 300
    assert all(u.username == f"portal-{u.enterprise_uscc.lower()}" for u in portal)


def test_the_plan_is_deterministic_and_a_smaller_plan_is_a_prefix(full):
    again = demo_plan.build_plan(year=YEAR)
    assert again.digest() == full.digest()
    small = demo_plan.build_plan(enterprises=200, year=YEAR)
    assert small.enterprises == full.enterprises[:200]
    other_seed = demo_plan.build_plan(seed=7, enterprises=200, year=YEAR)
    assert other_seed.enterprises[0].uscc != small.enterprises[0].uscc


def test_the_plan_does_not_depend_on_hash_randomisation(tmp_path):
    code = (
        "import django; django.setup();"
        "from ipps.demo.plan import build_plan;"
        "print(build_plan(enterprises=200, year=2026).digest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": hash_seed,
            "IPPS_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "ipps.settings",
        }
        env.pop("DATABASE_URL", None)
        result = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        digests.add(result.stdout.strip())
    assert digests == {demo_plan.build_plan(enterprises=200, year=2026).digest()}
