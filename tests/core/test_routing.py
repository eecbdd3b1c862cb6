"""The API's URLs resolve through ipps.core.routing.IndexedResolver exactly as through Django's."""

from __future__ import annotations

import re

import pytest
from django.urls import URLResolver, get_resolver, path, re_path
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from ipps.core.routing import IndexedResolver, indexed

SAMPLES = {
    "int": "7",
    "str": "abc",
    "slug": "a-b",
    "uuid": "12345678-1234-5678-1234-567812345678",
    "path": "a/b",
}


def sample_path(route: str) -> str:
    """A path the route matches: each converter replaced by a value of its kind."""
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


def plain(resolver: URLResolver) -> URLResolver:
    """The same patterns under Django's own resolver."""
    return URLResolver(
        resolver.pattern,
        list(resolver.url_patterns),
        resolver.default_kwargs,
        app_name=resolver.app_name,
        namespace=resolver.namespace,
    )


def same(a, b) -> None:
    assert (a.func, a.args, a.kwargs, a.url_name, a.route, a.namespaces, a.app_names) == (
        b.func,
        b.args,
        b.kwargs,
        b.url_name,
        b.route,
        b.namespaces,
        b.app_names,
    )


def resolves_alike(resolver, reference, probe: str) -> None:
    """`resolver` finds for `probe` what `reference` (Django's) finds, or, like it, nothing."""
    try:
        expected = reference.resolve(probe)
    except Resolver404:
        with pytest.raises(Resolver404):
            resolver.resolve(probe)
        return
    same(resolver.resolve(probe), expected)


def view_named(name):
    def view(request, **kwargs):
        return name

    view.__name__ = name
    return view


def test_the_api_is_served_by_the_indexed_resolver():
    api = get_resolver().url_patterns[0]
    assert isinstance(api, IndexedResolver)
    assert str(api.pattern) == "api/v1/"


def test_every_api_route_resolves_as_django_resolves_it():
    api = get_resolver().url_patterns[0]
    django_api = plain(api)
    routes = [p.pattern._route for p in api.url_patterns]
    assert len(routes) > 50
    for route in routes:
        for suffix in ("", "/", "/extra"):
            resolves_alike(api, django_api, "api/v1/" + sample_path(route) + suffix)


def test_request_actions_reach_their_own_view():
    match = get_resolver().resolve("/api/v1/requests/12/resolve")
    assert match.url_name and match.kwargs == {"request_id": 12}
    assert match.route == "api/v1/requests/<int:request_id>/resolve"
    assert get_resolver().resolve("/api/v1/requests").route == "api/v1/requests"


def test_the_first_pattern_that_matches_wins_as_in_django():
    first, by_name, new, edit, by_regex, anything = (
        view_named(n) for n in ("first", "by_name", "new", "edit", "by_regex", "anything")
    )
    patterns = [
        path("items/<int:pk>", first),
        path("items/<str:name>", by_name),  # matches "items/new" before the literal route
        path("items/new", new),
        re_path(r"^items/(?P<code>\d+)/edit$", by_regex),  # in every group, in its place
        path("items/<int:pk>/edit", edit),  # after the expression: never reached for numbers
        path("files/<path:rest>", anything),
    ]
    resolver = IndexedResolver(RoutePattern("", is_endpoint=False), patterns)
    reference = plain(resolver)
    for probe in (
        "items/5",
        "items/new",
        "items/abc",
        "items/5/edit",
        "items/x5/edit",
        "items/",
        "files/a/b/c",
        "files/a",
    ):
        resolves_alike(resolver, reference, probe)
    assert resolver.resolve("items/new").func is by_name
    assert resolver.resolve("items/5/edit").func is by_regex
    assert resolver.resolve("files/a/b/c").kwargs == {"rest": "a/b/c"}


def test_a_literal_last_segment_does_not_hide_routes_ending_in_a_converter():
    new, by_name = view_named("new"), view_named("by_name")
    resolver = IndexedResolver(
        RoutePattern("", is_endpoint=False),
        [path("things/new", new), path("things/<str:name>", by_name)],
    )
    assert resolver.resolve("things/new").func is new
    assert resolver.resolve("things/old").func is by_name
    assert resolver.resolve("things/new").func is new  # the groups are kept


def test_an_unknown_path_reports_every_pattern_tried():
    patterns = [path("a/<int:pk>", view_named("a")), path("b", view_named("b"))]
    resolver = IndexedResolver(RoutePattern("", is_endpoint=False), patterns)
    for probe in ("a/x", "c", "a/1/2", "b/"):
        with pytest.raises(Resolver404) as caught:
            resolver.resolve(probe)
        with pytest.raises(Resolver404) as expected:
            plain(resolver).resolve(probe)
        assert [str(t[-1].pattern) for t in caught.value.args[0]["tried"]] == [
            str(t[-1].pattern) for t in expected.value.args[0]["tried"]
        ]


def test_indexed_takes_an_include_triple():
    resolver = indexed("api/", ([path("ping", view_named("ping"), name="ping")], "app", "ns"))
    match = resolver.resolve("api/ping")
    assert (match.url_name, match.namespace, match.app_name) == ("ping", "ns", "app")


@pytest.mark.django_db
def test_an_api_call_is_answered_through_the_indexed_resolver(client):
    # No token: the route resolves and the API answers 401 in its own format, not a page's 404.
    answer = client.post("/api/v1/requests/12/resolve", {}, content_type="application/json")
    assert answer.status_code == 401
    assert client.get("/api/v1/no-such-thing").status_code == 404


class AnyText:
    """A project's own converter whose values may hold slashes."""

    regex = ".+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


def test_a_converter_that_may_match_slashes_is_tried_for_every_shape():
    from django.urls import register_converter
    from django.urls.converters import get_converters

    if "anytext" not in get_converters():
        register_converter(AnyText, "anytext")
    wiki, deep = view_named("wiki"), view_named("deep")
    patterns = [path("wiki/<anytext:title>", wiki), path("wiki/a/b", deep)]
    resolver = IndexedResolver(RoutePattern("", is_endpoint=False), patterns)
    assert resolver.resolve("wiki/a/b").func is wiki  # as Django: the first pattern matches
    same(resolver.resolve("wiki/a/b"), plain(resolver).resolve("wiki/a/b"))
