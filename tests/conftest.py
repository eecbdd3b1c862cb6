"""Fixtures shared by every test: a miniature 1 + 2 + 3 network with its people and enterprises."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.test.client import ClientHandler
from django.utils import translation

from ipps.accounts.services import token_create
from ipps.core.handlers import TokenCallChain
from tests.factories import (
    PASSWORD,
    EnterpriseFactory,
    UnitFactory,
    UserFactory,
    membership,
)

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Chinese leaves its language active in the thread that served it (the test
    client's): start every test in the default language, whatever ran before."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@dataclass
class Network:
    city: object
    haidian: object
    chaoyang: object
    ws_zgc: object  # workstation in Haidian
    ws_shangdi: object  # second workstation in Haidian
    ws_wangjing: object  # workstation in Chaoyang
    ent_zgc: object
    ent_shangdi: object
    ent_wangjing: object
    admin: object
    city_officer: object
    haidian_officer: object
    liaison_zgc: object
    liaison_wangjing: object
    auditor: object
    portal_zgc: object


def _known_years() -> None:
    """Tests run at the real date: once it passes the `chinesecalendar` package's last year
    (2026 in version 1.11), this year and next are marked as entered by hand with no holidays,
    so due times stay weekday-only rather than missing. Tests of missing years use 2031."""
    import datetime as dt

    from ipps.core.calendar import CalendarDataMissing, WorkingCalendar
    from ipps.core.models import CalendarYear

    this_year = dt.datetime.now(tz=dt.UTC).year  # the real clock: some tests move timezone.now
    for year in (this_year, this_year + 1):
        try:
            WorkingCalendar.load(allow_fallback=False).day(dt.date(year, 6, 1))
        except CalendarDataMissing:
            CalendarYear.objects.get_or_create(year=year, defaults={"note": "tests"})


@pytest.fixture
def network(db) -> Network:
    _known_years()
    city = UnitFactory(
        kind="municipal_centre",
        code="BJ",
        name_zh="北京市知识产权公共服务中心",
        name_en="Beijing IP Public Service Centre",
        district="",
    )
    haidian = UnitFactory(
        kind="district_centre",
        code="DC-110108",
        parent=city,
        district="110108",
        name_zh="海淀区知识产权公共服务中心",
        name_en="Haidian IP Service Centre",
    )
    chaoyang = UnitFactory(
        kind="district_centre",
        code="DC-110105",
        parent=city,
        district="110105",
        name_zh="朝阳区知识产权公共服务中心",
        name_en="Chaoyang IP Service Centre",
    )
    ws_zgc = UnitFactory(
        kind="workstation",
        code="WS-110108-001",
        parent=haidian,
        district="110108",
        name_zh="中关村软件园工作站",
        name_en="Zhongguancun Software Park Workstation",
        host_park="中关村软件园",
    )
    ws_shangdi = UnitFactory(
        kind="workstation",
        code="WS-110108-002",
        parent=haidian,
        district="110108",
        name_zh="上地信息产业基地工作站",
    )
    ws_wangjing = UnitFactory(
        kind="workstation",
        code="WS-110105-001",
        parent=chaoyang,
        district="110105",
        name_zh="望京科技园工作站",
    )
    ent_zgc = EnterpriseFactory(workstation=ws_zgc, name="北京中关村数智科技有限公司")
    ent_shangdi = EnterpriseFactory(workstation=ws_shangdi, name="北京上地云图软件有限公司")
    ent_wangjing = EnterpriseFactory(
        workstation=ws_wangjing, district="110105", name="北京望京生物医药有限公司"
    )
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    city_officer = UserFactory(username="city")
    membership(city_officer, city, "officer")
    haidian_officer = UserFactory(username="district-110108")
    membership(haidian_officer, haidian, "officer")
    liaison_zgc = UserFactory(username="liaison-ws-110108-001")
    membership(liaison_zgc, ws_zgc, "liaison")
    liaison_wangjing = UserFactory(username="liaison-ws-110105-001")
    membership(liaison_wangjing, ws_wangjing, "liaison")
    auditor = UserFactory(username="auditor")
    membership(auditor, city, "auditor")
    portal_zgc = UserFactory(username=f"portal-{ent_zgc.uscc.lower()}", enterprise=ent_zgc)
    return Network(
        city,
        haidian,
        chaoyang,
        ws_zgc,
        ws_shangdi,
        ws_wangjing,
        ent_zgc,
        ent_shangdi,
        ent_wangjing,
        admin,
        city_officer,
        haidian_officer,
        liaison_zgc,
        liaison_wangjing,
        auditor,
        portal_zgc,
    )


class TokenClientHandler(TokenCallChain, ClientHandler):
    """Django's test handler choosing the middleware chain as the server's handler does, so that
    token calls in tests go through the short chain they take in production."""


class ApiClient:
    """The API over the real HTTP stack, authenticated with a real bearer token."""

    def __init__(self, user=None):
        self.client = Client()
        self.client.handler = TokenClientHandler(enforce_csrf_checks=False)
        self.headers = {}
        if user is not None:
            _token, raw = token_create(user=user, name="tests")
            self.headers["Authorization"] = f"Bearer {raw}"

    def _call(self, method, path, data=None, **kwargs):
        fn = getattr(self.client, method)
        if (
            method in ("post", "patch", "put")
            and "content_type" not in kwargs
            and not kwargs.get("multipart")
        ):
            kwargs["content_type"] = "application/json"
        kwargs.pop("multipart", None)
        return fn(path, data=data, headers=self.headers, **kwargs)

    def get(self, path, data=None, **kw):
        return self._call("get", path, data, **kw)

    def post(self, path, data=None, **kw):
        return self._call("post", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self._call("patch", path, data, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, None, **kw)


@pytest.fixture
def api_as():
    return ApiClient


@pytest.fixture
def login_as(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def make_request(network):
    """A service request taken in through the service (defaults: a patent question from the
    Zhongguancun enterprise's portal user); keyword arguments replace the defaults."""

    def _make(**kwargs):
        from ipps.casework.services import request_create

        defaults = dict(
            subject="专利申请咨询",
            description="我们公司想申请发明专利，请问需要准备哪些材料？",
            channel="portal",
            ip_type="patent",
            chain_stage="creation",
            category="consultation",
            acting_user=network.portal_zgc,
        )
        defaults.update(kwargs)
        return request_create(**defaults)

    return _make


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )
