"""Who may do what in the assessment: the city defines and publishes, parents review, units
assess themselves and appeal."""

from __future__ import annotations

from ipps.network.choices import EDITOR_ROLES, Role, UnitKind
from ipps.network.scope import _memberships, reaches_unit

OFFICER_ROLES = frozenset({Role.OFFICER, Role.ADMIN})


def is_city_officer(user) -> bool:
    """An officer or administrator of the municipal centre (or a superuser)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if "_ipps_city_officer" not in user.__dict__:
        from ipps.network.models import ServiceUnit

        units = {u for u, role in _memberships(user) if role in OFFICER_ROLES}
        user.__dict__["_ipps_city_officer"] = bool(
            units
            and ServiceUnit.objects.filter(
                id__in=units, kind=UnitKind.MUNICIPAL_CENTRE, parent__isnull=True
            ).exists()
        )
    return user.__dict__["_ipps_city_officer"]


def can_self_assess(user, unit) -> bool:
    """Only the unit's own staff assess it (its parent reviews it instead)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(u == unit.pk and role in EDITOR_ROLES for u, role in _memberships(user))


def can_review(user, unit) -> bool:
    """Officers of the unit's parent (or above, or the city) review its evaluation."""
    if is_city_officer(user):
        return True
    return unit.parent_id is not None and reaches_unit(user, unit.parent_id, OFFICER_ROLES)
