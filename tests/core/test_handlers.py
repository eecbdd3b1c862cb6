"""The server's WSGI application: token calls take a short middleware chain and answer as the whole
chain would; everything else takes the whole chain."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from ipps.accounts.services import token_create
from ipps.core.handlers import is_token_call
from ipps.wsgi import application

pytestmark = pytest.mark.django_db


def call(app, method, path, *, token=None, cookie=None, body=None, language=None):
    """One request through a WSGI application, as a web server would make it. The test's database
    connection stays open (Django closes connections at the end of a served request)."""
    raw = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(raw)),
    }
    if body is not None:
        environ["CONTENT_TYPE"] = "application/json"
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    if language:
        environ["HTTP_ACCEPT_LANGUAGE"] = language
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = {k.lower(): v for k, v in headers}

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


@pytest.fixture
def whole_chain():
    """Django's own handler: every call through settings.MIDDLEWARE."""
    return WSGIHandler()


SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "referrer-policy")


def test_a_token_call_answers_as_the_whole_chain_does(network, whole_chain):
    _token, raw = token_create(user=network.liaison_zgc, name="t")
    body = {
        "subject": "商标续展的期限",
        "description": "注册商标到期前多久可以申请续展？",
        "ip_type": "trademark",
        "chain_stage": "management",
        "category": "consultation",
        "channel": "api",
        "enterprise": network.ent_zgc.pk,
    }
    status, headers, content = call(application, "POST", "/api/v1/requests", token=raw, body=body)
    assert status == 201, content
    created = json.loads(content)
    assert created["subject"] == "商标续展的期限"
    assert created["handling_unit"]["id"] == network.ws_zgc.pk
    path = f"/api/v1/requests/{created['id']}"
    short = call(application, "GET", path, token=raw)
    whole = call(whole_chain, "GET", path, token=raw)
    assert short[0] == whole[0] == 200
    assert json.loads(short[2]) == json.loads(whole[2]) == created
    for name in SECURITY_HEADERS:
        assert short[1][name] == whole[1][name], name
    assert short[1]["x-frame-options"] == "DENY"
    assert short[1]["x-content-type-options"] == "nosniff"


def test_a_token_call_speaks_the_callers_language(network):
    status, _headers, content = call(
        application, "GET", "/api/v1/me", token="not-a-token", language="zh-hans"
    )
    assert status == 401
    answer = json.loads(content)
    assert answer["code"] == "not_authenticated"
    assert answer["message"].startswith("需要身份验证")
    status, _headers, content = call(application, "GET", "/api/v1/me", token="not-a-token")
    assert json.loads(content)["message"].startswith("Authentication required")


def test_a_token_call_does_not_start_a_session(network):
    _token, raw = token_create(user=network.liaison_zgc, name="t")
    status, headers, content = call(application, "GET", "/api/v1/me", token=raw)
    assert status == 200
    assert json.loads(content)["username"] == network.liaison_zgc.username
    assert "set-cookie" not in headers


def test_the_browser_session_still_reaches_the_api(network, client):
    client.force_login(network.liaison_zgc)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    status, _headers, content = call(application, "GET", "/api/v1/me", cookie=cookie)
    assert status == 200
    assert json.loads(content)["username"] == network.liaison_zgc.username
    # A token sent alongside a session cookie: the whole chain, and the token decides.
    _token, raw = token_create(user=network.liaison_wangjing, name="t")
    status, _headers, content = call(application, "GET", "/api/v1/me", token=raw, cookie=cookie)
    assert status == 200
    assert json.loads(content)["username"] == network.liaison_wangjing.username


def test_pages_take_the_whole_chain(network, client):
    client.force_login(network.liaison_zgc)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    status, _headers, content = call(application, "GET", "/requests/", cookie=cookie)
    assert status == 200  # signed in: the session and authentication middleware ran
    assert network.liaison_zgc.username.encode() in content


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"PATH_INFO": "/api/v1/me", "HTTP_AUTHORIZATION": "Bearer abc"}, True),
        ({"PATH_INFO": "/api/v1/me", "HTTP_AUTHORIZATION": "bearer abc"}, True),
        ({"PATH_INFO": "/api/v1/me", "HTTP_AUTHORIZATION": "Basic abc"}, False),
        ({"PATH_INFO": "/api/v1/me"}, False),
        ({"PATH_INFO": "/requests/", "HTTP_AUTHORIZATION": "Bearer abc"}, False),
        (
            {"PATH_INFO": "/api/v1/me", "HTTP_AUTHORIZATION": "Bearer abc", "HTTP_COOKIE": "a=b"},
            False,
        ),
    ],
)
def test_which_calls_are_token_calls(environ, expected):
    assert is_token_call(environ) is expected


@pytest.mark.parametrize("language", [None, "zh-hans", "zh-CN,zh;q=0.9", "en-GB", "fr", "*"])
def test_a_token_call_states_its_language_as_the_whole_chain_does(network, whole_chain, language):
    _token, raw = token_create(user=network.liaison_zgc, name="t")
    for path in ("/api/v1/me", "/api/v1/requests/999999"):
        short = call(application, "GET", path, token=raw, language=language)
        whole = call(whole_chain, "GET", path, token=raw, language=language)
        assert short[0] == whole[0]
        assert short[1]["content-language"] == whole[1]["content-language"]
        assert short[1]["vary"] == whole[1]["vary"]
        assert json.loads(short[2]) == json.loads(whole[2])
    expected = {None: "en", "zh-hans": "zh-hans", "zh-CN,zh;q=0.9": "zh-hans", "en-GB": "en"}
    if language in expected:
        assert short[1]["content-language"] == expected[language]


def test_token_calls_decide_the_language_without_reading_the_path(network, monkeypatch):
    # Django's locale middleware looks for a language prefix in the path twice a call; no URL of
    # ours has one. The whole chain (a page) still does.
    from django.utils import translation

    reads = []
    original = translation.get_language_from_path

    def counted(path, *args, **kwargs):
        reads.append(path)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(translation, "get_language_from_path", counted)
    _token, raw = token_create(user=network.liaison_zgc, name="t")
    assert call(application, "GET", "/api/v1/me", token=raw, language="zh-hans")[0] == 200
    assert reads == []
    call(application, "GET", "/api/v1/me", token=raw, cookie="x=1")
    assert reads  # a call with a cookie takes the whole chain, Django's middleware included


def test_the_short_locale_middleware_refuses_language_prefixed_urls(settings):
    from django.core.exceptions import ImproperlyConfigured

    from ipps.core.handlers import TokenCallLocaleMiddleware

    settings.ROOT_URLCONF = "tests.core.i18n_urls"
    with pytest.raises(ImproperlyConfigured):
        TokenCallLocaleMiddleware(lambda request: None)
