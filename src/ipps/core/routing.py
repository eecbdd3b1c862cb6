"""URL resolution for a long flat list of routes: the API's.

Django tries a resolver's patterns in order, one regular expression each, until one matches: for
`POST /api/v1/requests/12/resolve` that was 38 of the API's 93 patterns. `IndexedResolver`
resolves as Django's `URLResolver` does, over only the patterns that could match: routes are
grouped by their first segment, their number of segments (Django's int, str, slug and uuid
converters never match a `/`) and their last segment (or "any", when a converter is in it), and
a path is resolved by Django's own code against its group, in the patterns' order. Patterns
whose shape cannot be read from their route (a regular expression, a converter in the first
segment, a converter that may match a `/` — `path` or a project's own —, a nested include) are in
every group, in their place. A path that no pattern of its group matches goes through Django's
resolution of the whole list, so a 404 reports every pattern tried, as before.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, converters
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern


def route_key(route: str) -> tuple[str, int, str] | None:
    """(first segment, number of segments, last segment or "*" if a converter is in it) of a
    route, or None if a path of another shape could match it."""
    segments = route.split("/")
    if "<" in segments[0] or "<path:" in route:
        return None
    last = segments[-1]
    return segments[0], len(segments), "*" if "<" in last else last


# Django's converters that never match a "/"; any other (`path`, one of a project's own) may.
_WITHIN_A_SEGMENT = (
    converters.IntConverter,
    converters.StringConverter,
    converters.SlugConverter,
    converters.UUIDConverter,
)


def _pattern_key(pattern) -> tuple[str, int, str] | None:
    if not isinstance(pattern, URLPattern) or type(pattern.pattern) is not RoutePattern:
        return None
    if any(type(c) not in _WITHIN_A_SEGMENT for c in pattern.pattern.converters.values()):
        return None
    return route_key(pattern.pattern._route)


class IndexedResolver(URLResolver):
    """A `URLResolver` that tries only the patterns a path's shape allows (see the module)."""

    def resolve(self, path):
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = self._build_index()
        groups, last_segments = index
        match = self.pattern.match(str(path))
        if match:
            segments = match[0].split("/")
            first, count, last = segments[0], len(segments), segments[-1]
            if last not in last_segments.get((first, count), ()):
                last = "*"  # an id, say: only routes ending in a converter can match it
            group = groups.get((first, count, last))
            if group is not None:
                try:
                    return group.resolve(path)
                except Resolver404:
                    pass  # Django's resolution of the whole list says what was tried
        return super().resolve(path)

    def _build_index(self):
        """The group of patterns for each shape of path, and the literal last segments of the
        routes by (first segment, number of segments)."""
        patterns = list(self.url_patterns)
        keys = [_pattern_key(p) for p in patterns]
        last_segments: dict[tuple[str, int], set[str]] = {}
        for key in keys:
            if key is not None:
                shape = last_segments.setdefault(key[:2], set())
                if key[2] != "*":
                    shape.add(key[2])
        groups = {}
        for (first, count), lasts in last_segments.items():
            for last in (*lasts, "*"):
                members = [
                    p
                    for p, k in zip(patterns, keys, strict=True)
                    if k is None or (k[:2] == (first, count) and k[2] in (last, "*"))
                ]
                groups[first, count, last] = URLResolver(
                    self.pattern,
                    members,
                    self.default_kwargs,
                    app_name=self.app_name,
                    namespace=self.namespace,
                )
        return groups, last_segments


def indexed(route: str, included) -> IndexedResolver:
    """`path(route, include(...))` resolved by groups: `included` as `path` takes it, a
    `(patterns, app_name, namespace)` triple such as ninja's `api.urls`."""
    patterns, app_name, namespace = included
    return IndexedResolver(
        RoutePattern(route, is_endpoint=False), patterns, app_name=app_name, namespace=namespace
    )
