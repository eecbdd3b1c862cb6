"""Reads about accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from ipps.accounts.models import ApiToken
from ipps.network.models import Membership


def user_memberships(*, user) -> QuerySet[Membership]:
    """The person's own roles, with their units."""
    return (
        Membership.objects.filter(user=user).select_related("unit").order_by("unit__code", "role")
    )


def token_list(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.visible_to(user).order_by("-created_at", "-id")
