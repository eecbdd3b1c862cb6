"""Reads of the assessment: evaluation lists, rankings and plans in the user's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from ipps.assessment.models import Evaluation
from ipps.network.scope import _subtree_ids


def evaluation_list(*, user, scheme: int | None = None, unit: int | None = None) -> QuerySet:
    qs = Evaluation.objects.visible_to(user).select_related("unit", "scheme")
    if scheme is not None:
        qs = qs.filter(scheme_id=scheme)
    if unit is not None:
        qs = qs.filter(unit_id__in=_subtree_ids([unit]))
    return qs.order_by("-scheme__year", "scheme_id", "rank", "unit__code")
