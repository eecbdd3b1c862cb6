"""Who reaches what: the one place that turns a user's roles into the units they reach.

A role on a unit reaches that unit's whole subtree. Results are cached on the user object, which
lives for one request.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable

from ipps.core.prepared import Prepared, fetch_all
from ipps.network.choices import BUSINESS_ROLES, Role


def _tree():
    from ipps.network.models import ServiceUnit

    return ServiceUnit.objects.order_by().values_list("id", "parent_id")


_TREE = Prepared(_tree)
MAX_DEPTH = 16  # levels below a membership's unit that its role reaches, at most


@functools.cache
def _reach_sql() -> str:
    from ipps.network.models import Membership, ServiceUnit

    membership, unit = Membership._meta.db_table, ServiceUnit._meta.db_table
    # UNION ALL with a bound on the depth rather than UNION: no duplicate test for every row (the
    # tree is a few levels deep; the bound only ends a loop that a broken parent link would make).
    return (
        "WITH RECURSIVE reach(root_id, role, unit_id, depth) AS ("  # noqa: S608 - our own names
        f"SELECT unit_id, role, unit_id, 0 FROM {membership} WHERE user_id = %s "
        f"UNION ALL SELECT reach.root_id, reach.role, u.id, reach.depth + 1 FROM {unit} u "
        f"JOIN reach ON u.parent_id = reach.unit_id WHERE reach.depth < {MAX_DEPTH}) "
        "SELECT root_id, role, unit_id FROM reach"
    )


def _reach(user) -> list[tuple[int, str, int]]:
    """(unit of a membership, its role, a unit in that unit's subtree) for every membership of
    the user, read once per request in one statement: the memberships and the units they reach
    (a workstation's liaison reads one row, not the whole network's tree)."""
    if "_ipps_reach" not in user.__dict__:
        user.__dict__["_ipps_reach"] = fetch_all(_reach_sql(), [user.pk])
    return user.__dict__["_ipps_reach"]


def _children_map() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for unit_id, parent_id in _TREE.all():
        children[parent_id].append(unit_id)
    return children


def _subtree_ids(
    roots: Iterable[int], children: dict[int | None, list[int]] | None = None
) -> frozenset[int]:
    if children is None:
        children = _children_map()
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(children.get(node, ()))
    return frozenset(seen)


def _memberships(user) -> list[tuple[int, str]]:
    """(unit id, role) of every membership of the user."""
    return [(root, role) for root, role, unit_id in _reach(user) if unit_id == root]


def unit_ids_for(user, roles: Iterable[str] = BUSINESS_ROLES) -> frozenset[int] | None:
    """Ids of the units `user` reaches through any of `roles`; None means every unit."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return None
    roles = frozenset(roles)
    cache = user.__dict__.setdefault("_ipps_scope", {})
    if roles not in cache:
        cache[roles] = frozenset(unit_id for _root, role, unit_id in _reach(user) if role in roles)
    return cache[roles]


def roles_of(user) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    cache = user.__dict__.setdefault("_ipps_roles", None)
    if cache is None:
        cache = {role for _unit, role in _memberships(user)}
        user.__dict__["_ipps_roles"] = cache
    return cache


def has_role(user, *roles: str) -> bool:
    return bool(
        user is not None and (getattr(user, "is_superuser", False) or roles_of(user) & set(roles))
    )


def is_staff_user(user) -> bool:
    """Network staff (any role on any unit) as opposed to an enterprise's portal user."""
    return bool(getattr(user, "is_superuser", False) or roles_of(user))


def reaches_unit(user, unit_id: int | None, roles: Iterable[str] = BUSINESS_ROLES) -> bool:
    ids = unit_ids_for(user, roles)
    return ids is None or (unit_id is not None and unit_id in ids)


def clear_cache(user) -> None:
    user.__dict__.pop("_ipps_scope", None)
    for key in ("_ipps_roles", "_ipps_reach"):
        user.__dict__.pop(key, None)


__all__ = [
    "Role",
    "clear_cache",
    "has_role",
    "is_staff_user",
    "reaches_unit",
    "roles_of",
    "unit_ids_for",
]
