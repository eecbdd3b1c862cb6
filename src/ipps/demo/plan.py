"""The demo network as plain data, computed without touching the database.

Everything comes from the seed: item i of a list is drawn from its own random stream
(`Random(f"{seed}:{what}:{i}")`, which Python seeds through SHA-512, so neither the process nor
hash randomisation changes it). The first N enterprises of a larger plan are therefore the same as
the N of a smaller one. Dates are drawn up to a fixed day, not today, so the plan does not drift;
only the priority lists follow the current year.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
from dataclasses import asdict, dataclass, field

from stdnum.cn import uscc as stdnum_uscc

from ipps.core.ids import patent_check_char
from ipps.demo import data
from ipps.enterprises.industry import DIVISIONS

DEFAULT_SEED = 2026
DEFAULT_ENTERPRISES = 3000
# Generated dates never pass this day, so that the plan is the same whenever it runs.
REFERENCE_DATE = datetime.date(2026, 6, 30)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PORTAL_EVERY = 10  # every 10th enterprise gets a portal user


@dataclass(frozen=True)
class UnitSpec:
    code: str
    kind: str
    parent_code: str | None
    name_zh: str
    name_en: str
    host_park: str = ""
    district: str = ""
    region: str = ""
    address: str = ""
    latitude: str | None = None
    longitude: str | None = None
    phone: str = ""
    email: str = ""
    opening_hours: str = ""
    offers_offline: bool = True
    offers_online: bool = True
    online_url: str = ""
    status: str = "active"
    opened_on: datetime.date | None = None
    status_changed_on: datetime.date | None = None


@dataclass(frozen=True)
class EnterpriseSpec:
    uscc: str
    name: str
    district: str
    park: str
    workstation_code: str
    industry_section: str
    industry_division: str
    stage: str
    size: str
    designations: tuple[str, ...]
    founded_on: datetime.date
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    brand: str  # the distinctive part of the name, for trademarks and product names


@dataclass(frozen=True)
class AssetSpec:
    uscc: str
    kind: str
    number: str
    title: str
    filing_date: datetime.date | None
    grant_date: datetime.date | None
    legal_status: str


@dataclass(frozen=True)
class ListingSpec:
    uscc: str
    year: int
    reason: str
    source: str


@dataclass(frozen=True)
class UserSpec:
    username: str
    full_name: str
    is_superuser: bool = False
    enterprise_uscc: str = ""
    roles: tuple[tuple[str, str], ...] = ()  # (unit code, role)


@dataclass
class Plan:
    units: list[UnitSpec] = field(default_factory=list)
    enterprises: list[EnterpriseSpec] = field(default_factory=list)
    assets: list[AssetSpec] = field(default_factory=list)
    listings: list[ListingSpec] = field(default_factory=list)
    users: list[UserSpec] = field(default_factory=list)

    def digest(self) -> str:
        """SHA-256 of the whole plan: equal digests, equal demo data."""
        body = {
            name: [asdict(x) for x in getattr(self, name)]
            for name in ("units", "enterprises", "assets", "listings", "users")
        }
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _rng(seed: int, what: str, index: int | str = 0) -> random.Random:
    return random.Random(f"ipps-demo:{seed}:{what}:{index}")


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _coord(value: float) -> str:
    return f"{value:.6f}"


def district_centre_code(district: str) -> str:
    return f"DC-{district}"


def workstation_code(district: str, n: int) -> str:
    return f"WS-{district}-{n:03d}"


def plan_units(seed: int = DEFAULT_SEED) -> list[UnitSpec]:
    """1 municipal centre, 17 district centres, 87 workstations and the partners, parents first."""
    m = data.MUNICIPAL
    units = [
        UnitSpec(
            code=m["code"],
            kind="municipal_centre",
            parent_code=None,
            name_zh=m["name_zh"],
            name_en=m["name_en"],
            address=m["address"],
            latitude=_coord(m["lat"]),
            longitude=_coord(m["lon"]),
            phone=m["phone"],
            email=m["email"],
            opening_hours=data.OPENING_HOURS[0],
            online_url=m["online_url"],
            opened_on=datetime.date(2015, 6, 1),
        )
    ]
    for i, d in enumerate(data.DISTRICTS):
        rng = _rng(seed, "district", d.code)
        short_en = d.name_en.replace(" District", "")
        units.append(
            UnitSpec(
                code=district_centre_code(d.code),
                kind="district_centre",
                parent_code="BJ",
                name_zh=f"{d.name_zh}知识产权公共服务中心",
                name_en=f"{short_en} IP Public Service Centre"
                if d.code != "BDA"
                else "BDA IP Public Service Centre",
                district=d.code,
                address=d.address,
                latitude=_coord(d.lat),
                longitude=_coord(d.lon),
                phone=f"010-{55510000 + i * 100 + rng.randrange(1, 99)}",
                email=f"dc-{d.code.lower()}@ipps-demo.example.com",
                opening_hours=data.OPENING_HOURS[rng.randrange(3)],
                online_url=f"{m['online_url']}units/{district_centre_code(d.code).lower()}/",
                opened_on=_date_between(
                    rng, datetime.date(2016, 1, 1), datetime.date(2018, 12, 31)
                ),
            )
        )
    for d in data.DISTRICTS:
        for n, park in enumerate(d.parks, start=1):
            code = workstation_code(d.code, n)
            rng = _rng(seed, "workstation", code)
            units.append(
                UnitSpec(
                    code=code,
                    kind="workstation",
                    parent_code=district_centre_code(d.code),
                    name_zh=f"{park.name_zh}知识产权工作站",
                    name_en=f"{park.name_en} IP Workstation",
                    host_park=park.name_zh,
                    district=d.code,
                    address=park.address,
                    latitude=_coord(park.lat + rng.uniform(-0.002, 0.002)),
                    longitude=_coord(park.lon + rng.uniform(-0.002, 0.002)),
                    phone=f"010-{rng.randrange(56000000, 56999999)}",
                    email=f"{code.lower()}@ipps-demo.example.com",
                    opening_hours=data.OPENING_HOURS[rng.randrange(len(data.OPENING_HOURS))],
                    offers_online=(online := rng.random() < 0.85),
                    online_url=f"{m['online_url']}units/{code.lower()}/" if online else "",
                    opened_on=_date_between(
                        rng, datetime.date(2018, 3, 1), datetime.date(2024, 12, 31)
                    ),
                )
            )
    for p in data.PARTNERS:
        rng = _rng(seed, "partner", p.code)
        units.append(
            UnitSpec(
                code=p.code,
                kind="partner",
                parent_code="BJ",
                name_zh=p.name_zh,
                name_en=p.name_en,
                host_park=p.host_park,
                region=p.region,
                address=p.address,
                latitude=_coord(p.lat),
                longitude=_coord(p.lon),
                phone=p.phone,
                email=f"{p.code.lower()}@ipps-demo.example.com",
                opening_hours=data.OPENING_HOURS[0]
                if p.region != "overseas"
                else "Mon–Fri 9:00–17:00 CET",
                offers_offline=p.region != "overseas",
                opened_on=_date_between(rng, datetime.date(2019, 1, 1), datetime.date(2024, 6, 30)),
            )
        )
    return units


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _person(rng: random.Random) -> str:
    given = rng.choice(data.GIVEN) + (rng.choice(data.GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(data.SURNAMES) + given


def _uscc(rng: random.Random, region: str) -> str:
    body = "91" + region + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def _designations(rng: random.Random, stage: str, size: str, district: str) -> tuple[str, ...]:
    chosen = []
    if rng.random() < {"startup": 0.2, "growth": 0.55, "mature": 0.7}[stage]:
        chosen.append("high_tech")
    if size != "large" and rng.random() < 0.4:
        chosen.append("tech_sme")
    if stage != "startup" and rng.random() < 0.18:
        chosen.append("specialised_sme")
        if rng.random() < 0.25:
            chosen.append("little_giant")
    zgc = 0.35 if district in ("110108", "110114", "BDA") else 0.12
    if rng.random() < zgc:
        chosen.append("zgc_high_tech")
    if stage != "startup" and rng.random() < 0.06:
        chosen.append("ip_advantage")
    if stage == "mature" and rng.random() < 0.05:
        chosen.append("ip_demonstration")
    if size == "large" and rng.random() < 0.3 or size == "medium" and rng.random() < 0.03:
        chosen.append("listed")
    return tuple(chosen)


def plan_enterprises(
    seed: int = DEFAULT_SEED, count: int = DEFAULT_ENTERPRISES
) -> list[EnterpriseSpec]:
    """`count` enterprises, each served by a workstation of its own district."""
    districts = {d.code: d for d in data.DISTRICTS}
    district_weights = {d.code: len(d.parks) * d.enterprise_weight for d in data.DISTRICTS}
    base = {division: weight for division, (weight, _words) in data.INDUSTRIES.items()}
    result: list[EnterpriseSpec] = []
    usccs: set[str] = set()
    names: set[str] = set()
    for i in range(count):
        rng = _rng(seed, "enterprise", i)
        code = _weighted(rng, district_weights)
        d = districts[code]
        n = rng.randrange(len(d.parks)) + 1
        park = d.parks[n - 1]
        bias = data.INDUSTRY_BIAS.get(code, {})
        division = _weighted(rng, {k: w * bias.get(k, 1.0) for k, w in base.items()})
        section = DIVISIONS[division][0]
        age = min(int(rng.expovariate(1 / 7)), 30)
        founded = _date_between(
            rng,
            datetime.date(REFERENCE_DATE.year - age - 1, 1, 1),
            datetime.date(REFERENCE_DATE.year - age, 12, 31),
        )
        founded = min(founded, REFERENCE_DATE)
        years = (REFERENCE_DATE - founded).days / 365.25
        stage = "startup" if years < 4 else "growth" if years < 12 else "mature"
        if rng.random() < 0.1:
            stage = rng.choice(["startup", "growth", "mature"])
        size = _weighted(
            rng,
            {
                "startup": {"micro": 6, "small": 4, "medium": 0.5},
                "growth": {"micro": 2, "small": 6, "medium": 3, "large": 0.3},
                "mature": {"small": 3, "medium": 5, "large": 2},
            }[stage],
        )
        designations = _designations(rng, stage, size, code)
        uscc = _uscc(rng, d.uscc_region)
        while uscc in usccs:
            uscc = _uscc(rng, d.uscc_region)
        usccs.add(uscc)
        words = data.INDUSTRIES[division][1]
        suffix = "股份有限公司" if "listed" in designations else "有限公司"
        while True:
            brand = rng.choice(data.BRAND_FIRST) + rng.choice(data.BRAND_SECOND)
            if brand[0] == brand[1]:
                continue
            prefix = "北京" if rng.random() < 0.85 else f"北京{d.short_zh}"
            name = f"{prefix}{brand}{rng.choice(words)}{suffix}"
            if name not in names:
                names.add(name)
                break
        building = rng.randrange(1, 25)
        floor = rng.randrange(1, 16)
        if park.address.endswith(("院", "号")):
            address = f"{park.address}{building}号楼{floor}层"
        else:
            address = f"{park.address}{rng.randrange(1, 200)}号{building}号楼{floor}层"
        mobile = f"1{rng.choice('35789')}{rng.randrange(0, 10**9):09d}"
        result.append(
            EnterpriseSpec(
                uscc=uscc,
                name=name,
                district=code,
                park=park.name_zh,
                workstation_code=workstation_code(code, n),
                industry_section=section,
                industry_division=division,
                stage=stage,
                size=size,
                designations=designations,
                founded_on=founded,
                address=address,
                contact_name=_person(rng),
                contact_phone=mobile,
                contact_email=f"ip{i + 1:05d}@example.com",
                brand=brand,
            )
        )
    return result


def patent_number(year: int, type_digit: str, serial: int) -> str:
    digits = f"{year:04d}{type_digit}{serial:07d}"
    return f"CN{digits}.{patent_check_char(digits)}"


ASSET_MIX = {
    "I": {
        "software_copyright": 40,
        "trademark": 25,
        "invention_patent": 25,
        "utility_model": 5,
        "design": 5,
    },
    "C": {
        "invention_patent": 35,
        "utility_model": 30,
        "design": 10,
        "trademark": 20,
        "software_copyright": 5,
    },
    "M": {
        "invention_patent": 45,
        "utility_model": 15,
        "trademark": 15,
        "software_copyright": 20,
        "design": 5,
    },
    "R": {"trademark": 40, "work_copyright": 30, "software_copyright": 15, "design": 15},
    "A": {"trademark": 45, "utility_model": 20, "invention_patent": 15, "plant_variety": 20},
}
DEFAULT_MIX = {
    "trademark": 45,
    "software_copyright": 20,
    "invention_patent": 20,
    "utility_model": 15,
}
PATENT_TERM_YEARS = {"invention_patent": 20, "utility_model": 10, "design": 15}


PATENT_KINDS_SET = frozenset({"invention_patent", "utility_model", "design"})
# Roughly where trademark registration numbers stood in a year.
TRADEMARK_NUMBERS = (
    (2005, 4_000_000),
    (2010, 8_000_000),
    (2015, 15_000_000),
    (2018, 30_000_000),
    (2020, 45_000_000),
    (2022, 62_000_000),
    (2024, 75_000_000),
    (2027, 85_000_000),
)


def _trademark_range(year: int) -> tuple[int, int]:
    for (y0, n0), (y1, n1) in zip(TRADEMARK_NUMBERS, TRADEMARK_NUMBERS[1:], strict=False):
        if y0 <= year < y1:
            low = n0 + (n1 - n0) * (year - y0) // (y1 - y0)
            return low, low + (n1 - n0) // (y1 - y0)
    return TRADEMARK_NUMBERS[0][1] // 2, TRADEMARK_NUMBERS[0][1]


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _asset(rng, seed_kind, e: EnterpriseSpec, taken: set[tuple[str, str]]) -> AssetSpec:
    kind = seed_kind
    start = max(e.founded_on, datetime.date(2005, 1, 1))
    filed = _date_between(rng, start, REFERENCE_DATE)
    brand = e.brand
    age_days = (REFERENCE_DATE - filed).days
    status, granted = "pending", None
    while True:
        if kind in PATENT_KINDS_SET:
            digit = {"invention_patent": "18", "utility_model": "29", "design": "3"}[kind]
            type_digit = digit[0] if len(digit) == 1 or rng.random() < 0.9 else digit[1]
            number = patent_number(filed.year, type_digit, rng.randrange(1, 2_000_000))
            if kind == "design":
                title = rng.choice(data.DESIGN_OBJECTS)
            elif kind == "utility_model":
                title = rng.choice(data.UTILITY_TITLES)
            else:
                titles = data.INVENTION_TITLES.get(e.industry_section, data.INVENTION_TITLES["C"])
                title = rng.choice(titles)
        elif kind == "trademark":
            number = f"{rng.randrange(*_trademark_range(filed.year))}"
            title = f"{brand} 第{rng.choice([9, 35, 42, 5, 10, 41, 29, 31])}类"
        elif kind == "software_copyright":
            top = max(60_000, min(2_500_000, (filed.year - 2008) * 180_000))
            number = f"{filed.year}SR{rng.randrange(1, top):07d}"
            title = f"{brand}{rng.choice(data.SOFTWARE_SYSTEMS)}V{rng.randrange(1, 6)}.0"
        elif kind == "work_copyright":
            number = f"国作登字-{filed.year}-F-{rng.randrange(1, 99_999_999):08d}"
            title = f"{brand}品牌形象设计"
        elif kind == "plant_variety":
            number = f"CNA{filed.year}{rng.randrange(1, 99999):05d}"
            title = f"京{rng.choice('农科品')}{rng.randrange(1, 99)}号"
        else:
            number, title = "", kind
        if not number or (kind, number) not in taken:
            break
    if number:
        taken.add((kind, number))
    if kind in PATENT_KINDS_SET:
        exam_days = {
            "invention_patent": (540, 1100),
            "utility_model": (150, 360),
            "design": (120, 270),
        }[kind]
        wait = rng.randrange(*exam_days)
        if age_days > wait:
            roll = rng.random()
            if kind == "invention_patent" and roll < 0.12:
                status = "withdrawn"
            else:
                granted = filed + datetime.timedelta(days=wait)
                status = "granted"
                if _add_years(filed, PATENT_TERM_YEARS[kind]) < REFERENCE_DATE:
                    status = "expired"
                elif roll > 0.9:
                    status = "lapsed"
                elif roll > 0.87:
                    status = "transferred"
    elif kind == "trademark":
        wait = rng.randrange(240, 420)
        if age_days > wait:
            granted = filed + datetime.timedelta(days=wait)
            status = (
                "expired"
                if _add_years(granted, 10) < REFERENCE_DATE and rng.random() < 0.5
                else "granted"
            )
    elif kind in ("software_copyright", "work_copyright", "plant_variety"):
        granted = min(filed + datetime.timedelta(days=rng.randrange(20, 90)), REFERENCE_DATE)
        status = "granted"
    return AssetSpec(e.uscc, kind, number, title, filed, granted, status)


def plan_assets(seed: int, enterprises: list[EnterpriseSpec]) -> list[AssetSpec]:
    """A few IP assets per enterprise: what its industry files, plus a few GIs and trade secrets."""
    taken: set[tuple[str, str]] = set()
    result: list[AssetSpec] = []
    for i, e in enumerate(enterprises):
        rng = _rng(seed, "assets", i)
        mean = {"startup": 1.5, "growth": 3.0, "mature": 5.0}[e.stage]
        count = min(int(rng.expovariate(1 / mean) + 0.5), 12)
        if e.industry_section == "C" and e.industry_division == "14":
            mix = ASSET_MIX["A"]
        else:
            mix = ASSET_MIX.get(e.industry_section, DEFAULT_MIX)
        for _ in range(count):
            result.append(_asset(rng, _weighted(rng, mix), e, taken))
        if e.industry_division == "39" and rng.random() < 0.08:
            yy = rng.randrange(10, REFERENCE_DATE.year % 100)
            number = f"BS.{yy:02d}5{rng.randrange(1, 999_999):06d}"
            if ("ic_layout", number) not in taken:
                taken.add(("ic_layout", number))
                day = _date_between(
                    rng, datetime.date(2000 + yy, 1, 1), datetime.date(2000 + yy, 12, 31)
                )
                result.append(
                    AssetSpec(e.uscc, "ic_layout", number, "集成电路布图设计", day, day, "granted")
                )
        gis = data.GIS.get(e.district)
        if gis and e.industry_division in ("01", "14") and rng.random() < 0.6:
            product = rng.choice(gis)
            result.append(
                AssetSpec(
                    e.uscc,
                    "geographical_indication",
                    "",
                    f"{product}（地理标志产品专用标志使用）",
                    None,
                    None,
                    "granted",
                )
            )
        if rng.random() < 0.03:
            secret = rng.choice(data.TRADE_SECRETS)
            result.append(AssetSpec(e.uscc, "trade_secret", "", secret, None, None, "granted"))
    return result


def plan_listings(seed: int, enterprises: list[EnterpriseSpec], year: int) -> list[ListingSpec]:
    """Over half of the enterprises on this year's priority list, about 40% on last year's."""
    result = []
    for i, e in enumerate(enterprises):
        rng = _rng(seed, "priority", i)
        source = _weighted(rng, {"municipal": 7, "district": 2, "workstation": 1})
        if (i * 7) % 20 < 11:
            result.append(ListingSpec(e.uscc, year, rng.choice(data.PRIORITY_REASONS), source))
        if (i * 3) % 5 < 2:
            result.append(ListingSpec(e.uscc, year - 1, rng.choice(data.PRIORITY_REASONS), source))
    return result


def plan_users(
    seed: int, units: list[UnitSpec], enterprises: list[EnterpriseSpec]
) -> list[UserSpec]:
    """The demo's logins: admin, city, auditor, security, one officer per district, one liaison
    per workstation and a portal user for every 10th enterprise."""
    rng = _rng(seed, "users")
    users = [
        UserSpec("admin", "系统管理员", is_superuser=True),
        UserSpec("city", _person(rng), roles=(("BJ", "officer"),)),
        UserSpec("auditor", _person(rng), roles=(("BJ", "auditor"),)),
        UserSpec("security", _person(rng), roles=(("BJ", "security_admin"),)),
    ]
    for unit in units:
        if unit.kind == "district_centre":
            users.append(
                UserSpec(
                    f"district-{unit.district.lower()}",
                    _person(rng),
                    roles=((unit.code, "officer"),),
                )
            )
    for unit in units:
        if unit.kind == "workstation":
            users.append(
                UserSpec(
                    f"liaison-{unit.code.lower()}", _person(rng), roles=((unit.code, "liaison"),)
                )
            )
    for i, e in enumerate(enterprises):
        if i % PORTAL_EVERY == 0:
            users.append(
                UserSpec(f"portal-{e.uscc.lower()}", e.contact_name, enterprise_uscc=e.uscc)
            )
    return users


def build_plan(
    *, seed: int = DEFAULT_SEED, enterprises: int = DEFAULT_ENTERPRISES, year: int
) -> Plan:
    units = plan_units(seed)
    ents = plan_enterprises(seed, enterprises)
    return Plan(
        units=units,
        enterprises=ents,
        assets=plan_assets(seed, ents),
        listings=plan_listings(seed, ents, year),
        users=plan_users(seed, units, ents),
    )
