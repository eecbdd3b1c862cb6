"""Who reaches what: the one place that turns a user's roles into the units they reach.

A role on a unit reaches that unit's whole subtree. Results are cached on the user object, which
lives for one request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ipps.core.prepared import Prepared
from ipps.network.choices import BUSINESS_ROLES, Role


def _tree():
    from ipps.network.models import ServiceUnit

    return ServiceUnit.objects.order_by().values_list("id", "parent_id")


def _user_memberships(user_id):
    from ipps.network.models import Membership

    return Membership.objects.filter(user_id=user_id).order_by().values_list("unit_id", "role")


# Read on every request of a staff user: compiled once per process.
_TREE = Prepared(_tree)
_MEMBERSHIPS = Prepared(_user_memberships)


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
    """(unit id, role) of every membership of the user, loaded once per request."""
    if "_ipps_memberships" not in user.__dict__:
        user.__dict__["_ipps_memberships"] = _MEMBERSHIPS.all(user_id=user.pk)
    return user.__dict__["_ipps_memberships"]


def unit_ids_for(user, roles: Iterable[str] = BUSINESS_ROLES) -> frozenset[int] | None:
    """Ids of the units `user` reaches through any of `roles`; None means every unit."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return None
    roles = frozenset(roles)
    cache = user.__dict__.setdefault("_ipps_scope", {})
    if roles not in cache:
        roots = [unit_id for unit_id, role in _memberships(user) if role in roles]
        if roots and "_ipps_tree" not in user.__dict__:
            user.__dict__["_ipps_tree"] = _children_map()
        cache[roles] = (
            _subtree_ids(roots, user.__dict__.get("_ipps_tree")) if roots else frozenset()
        )
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
    for key in ("_ipps_roles", "_ipps_memberships", "_ipps_tree"):
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
