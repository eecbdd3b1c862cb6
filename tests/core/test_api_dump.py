"""`ipps.core.api.dump`: a schema's answer built without pydantic equals pydantic's, and the check
that compares the two (on in the tests) catches a value pydantic would have changed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import RequestFactory, override_settings
from ninja import Field, Schema

from ipps.core.api import dump, respond


class Inner(Schema):
    id: int
    label: str


class Outer(Schema):
    id: int
    when: dt.datetime | None
    inner: Inner | None
    many: list[Inner]
    tags: list[str]
    missing_with_default: str = "fallback"
    shown: str | None
    doubled: int
    method_value: str

    @staticmethod
    def resolve_shown(obj, context) -> str | None:
        return obj.secret if context["request"].GET.get("show") else None

    @staticmethod
    def resolve_doubled(obj) -> int:
        return obj.id * 2


class Thing:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def method_value(self):
        return f"called {self.id}"


def _thing(**overrides):
    values = {
        "id": 7,
        "when": dt.datetime(2026, 10, 10, 9, 30, 0, 123456, tzinfo=dt.UTC),
        "inner": Thing(id=1, label="专利"),
        "many": [Thing(id=2, label="商标"), Thing(id=3, label="版权")],
        "tags": ["a", "b"],
        "secret": "机密",
    }
    values.update(overrides)
    return Thing(**values)


@pytest.mark.parametrize("show", ["", "1"])
@pytest.mark.parametrize("overrides", [{}, {"inner": None, "when": None}, {"many": [], "tags": []}])
def test_dump_equals_pydantic(show, overrides):
    request = RequestFactory().get("/", {"show": show} if show else {})
    context = {"request": request, "response_status": 200}
    obj = _thing(**overrides)
    expected = Outer.model_validate(obj, context=context).model_dump()
    assert dump(Outer, obj, context) == expected
    assert expected["missing_with_default"] == "fallback"
    assert expected["method_value"] == "called 7"
    assert (expected["shown"] == "机密") == bool(show)


def test_respond_renders_like_the_schema():
    request = RequestFactory().get("/")
    response = respond(request, Outer, _thing(), status=201)
    assert response.status_code == 201
    body = json.loads(response.content)
    assert body["when"] == "2026-10-10T09:30:00.123Z"
    assert body["inner"] == {"id": 1, "label": "专利"}
    assert body["doubled"] == 14


@override_settings(IPPS_API_VERIFY_DUMPS=True)
def test_the_check_catches_a_value_pydantic_would_convert():
    # pydantic turns the text "7" into the int 7; dump passes it on unchanged, so the answer
    # would differ from the documented schema: the check refuses it.
    request = RequestFactory().get("/")
    with pytest.raises(AssertionError, match="differs"):
        respond(request, Outer, _thing(id="7", inner=None, many=[]))


@override_settings(IPPS_API_VERIFY_DUMPS=False)
def test_without_the_check_the_value_goes_out_as_it_is():
    request = RequestFactory().get("/")
    response = respond(request, Inner, Thing(id="7", label="x"))
    assert json.loads(response.content) == {"id": "7", "label": "x"}


def test_a_missing_required_value_is_an_error():
    with pytest.raises(AttributeError):
        dump(Inner, Thing(id=1), {})


def test_aliases_are_refused():
    class Aliased(Schema):
        name: str = Field(alias="title")

    with pytest.raises(TypeError, match="aliases"):
        dump(Aliased, Thing(title="x"), {})
