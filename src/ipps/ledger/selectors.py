"""Reads of the ledger: scoped, filtered rows and their total."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from ipps.core.errors import ServiceError
from ipps.ledger.choices import RecordKind
from ipps.ledger.models import ServiceRecord
from ipps.network.scope import _subtree_ids


def record_list(
    *,
    user,
    unit: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kind: str | None = None,
    enterprise: Any = None,
    ip_type: str | None = None,
    chain_stage: str | None = None,
    channel: str | None = None,
) -> QuerySet[ServiceRecord]:
    """The ledger rows `user` may see, newest first. `unit` takes the unit's whole subtree;
    `kind` is a kind or a comma-separated list; dates are inclusive. Reversing rows are included
    (with a negative quantity), so that sums are the net counts."""
    qs = ServiceRecord.objects.visible_to(user).select_related("unit", "enterprise")
    if unit not in (None, ""):
        qs = qs.filter(unit_id__in=_subtree_ids([int(getattr(unit, "pk", unit))]))
    if date_from and date_to and date_from > date_to:
        raise ServiceError(
            "bad_period", _("The start date is after the end date."), field="from", status=422
        )
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if kind:
        kinds = [k.strip() for k in kind.split(",") if k.strip()]
        unknown = [k for k in kinds if k not in RecordKind.values]
        if unknown:
            raise ServiceError(
                "bad_filter",
                _("Unknown kind “%(value)s”; use one of: %(choices)s.")
                % {"value": unknown[0], "choices": ", ".join(RecordKind.values)},
                field="kind",
                status=422,
            )
        qs = qs.filter(kind__in=kinds)
    if enterprise not in (None, ""):
        qs = qs.filter(enterprise_id=int(getattr(enterprise, "pk", enterprise)))
    for field, value in (("ip_type", ip_type), ("chain_stage", chain_stage), ("channel", channel)):
        if value:
            qs = qs.filter(**{field: value})
    return qs


def record_total(qs: QuerySet[ServiceRecord]) -> int:
    """Sum of the quantities (net of reversals) of the rows in `qs`."""
    return qs.order_by().aggregate(total=Sum("quantity"))["total"] or 0
