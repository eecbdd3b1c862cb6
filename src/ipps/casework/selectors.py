"""Reads about service requests: scoped, filtered lists for queues and the API, one request, its
timeline and attachments, and what the viewer may see and do.

Every query starts from `ServiceRequest.objects.visible_to(user)`. Lists are annotated with what the
viewer may see (`viewer_content_visible`, `viewer_is_expert`) so that a page of rows costs the same
few queries however many rows it holds.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from ipps.casework import services
from ipps.casework.choices import Category, EventKind, Priority, RequestStatus, Visibility
from ipps.casework.models import Attachment, RequestEvent, ServiceRequest
from ipps.core.choices import Channel, IPType
from ipps.core.errors import ServiceError
from ipps.core.prepared import Prepared
from ipps.network.choices import CONTACT_ROLES, EDITOR_ROLES
from ipps.network.scope import (
    _memberships,
    _subtree_ids,
    is_staff_user,
    reaches_unit,
    unit_ids_for,
)

# Actions a client may take through the API (the services' internal "start" and "attach" are not
# actions of their own: a staff comment or assignment starts the work; uploads are always possible).
API_ACTIONS = (
    "acknowledge",
    "comment",
    "assign",
    "escalate",
    "refer",
    "wait",
    "resume",
    "resolve",
    "close",
    "reopen",
    "rate",
)
ORDERINGS = {
    "due": (
        F("resolution_due").asc(nulls_last=True),
        F("received_at").asc(),
        F("id").asc(),
    ),
    "received": (F("received_at").asc(), F("id").asc()),
    "-received": (F("received_at").desc(), F("id").desc()),
    "updated": (F("updated_at").asc(), F("id").asc()),
    "-updated": (F("updated_at").desc(), F("id").desc()),
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


# What the viewer may see ------------------------------------------------------------------------------


def direct_unit_ids(user, roles=EDITOR_ROLES) -> frozenset[int]:
    """Units the user holds one of `roles` on directly (not through an ancestor)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return frozenset(unit_id for unit_id, role in _memberships(user) if role in roles)


def _expert_exists(user):
    through = ServiceRequest.experts.through
    return Exists(through.objects.filter(servicerequest_id=OuterRef("pk"), expert__user=user))


def content_visible_q(user) -> Q | None:
    """The rows whose content `user` may read, as a filter; None means every row.

    Mirrors `services.can_see_content`: confidential requests show their content only to the
    handling unit's own staff, assigned experts and the enterprise that asked."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    query = Q(confidential=False) | Q(handling_unit_id__in=direct_unit_ids(user))
    query |= Q(_expert_exists(user))
    if getattr(user, "enterprise_id", None):
        query |= Q(enterprise_id=user.enterprise_id)
    return query


def annotate_viewer(qs: QuerySet, user) -> QuerySet:
    """Add `viewer_content_visible` and `viewer_is_expert` for `user`, in the same query."""
    if user is None or not user.is_authenticated:
        return qs.annotate(
            viewer_is_expert=Value(False, output_field=BooleanField()),
            viewer_content_visible=Value(False, output_field=BooleanField()),
        )
    visible = content_visible_q(user)
    return qs.annotate(
        viewer_is_expert=_expert_exists(user),
        viewer_content_visible=Value(True, output_field=BooleanField())
        if visible is None
        else ExpressionWrapper(visible, output_field=BooleanField()),
    )


def is_expert_on(user, request: ServiceRequest) -> bool:
    value = getattr(request, "viewer_is_expert", None)
    if value is None:
        value = services.is_assigned_expert(user, request)
    return bool(value)


def can_see_content(user, request: ServiceRequest) -> bool:
    """`services.can_see_content`, answered from the list's annotation when there is one."""
    value = getattr(request, "viewer_content_visible", None)
    if value is None:
        value = services.can_see_content(user, request)
    return bool(value)


def can_see_internal(user, request: ServiceRequest) -> bool:
    """Internal comments and files: network staff and assigned experts, never the enterprise."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if services.is_enterprise_user(user, request):
        return False
    return is_staff_user(user) or is_expert_on(user, request)


def can_see_contacts(user, request: ServiceRequest) -> bool:
    """Requester phone and email unmasked: contact roles reaching the handling unit, the
    enterprise itself, superusers."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or services.is_enterprise_user(user, request):
        return True
    return reaches_unit(user, request.handling_unit_id, CONTACT_ROLES)


def allowed_actions(user, request: ServiceRequest) -> list[str]:
    """The API actions `user` may take on `request` now (state machine and role)."""
    if user is None or not user.is_authenticated:
        return []
    staff = services.can_work_on(user, request)
    enterprise_side = services.is_enterprise_user(user, request)
    expert = not staff and not enterprise_side and is_expert_on(user, request)
    if staff:
        permitted = set(API_ACTIONS) - {"rate"}
        if request.handling_unit.parent_id is None:
            permitted.discard("escalate")
    elif enterprise_side:
        permitted = {"comment", "close", "rate"}
        resolved_at = request.resolved_at
        if resolved_at is None or timezone.now() - resolved_at <= dt.timedelta(
            days=services.REOPEN_WINDOW_DAYS
        ):
            permitted.add("reopen")
    elif expert:
        permitted = {"comment", "resolve"}
    else:
        return []
    return [
        action
        for action in API_ACTIONS
        if action in permitted and request.status in services.TRANSITIONS[action][0]
    ]


# Lists -----------------------------------------------------------------------------------------------


def _flag(value: Any, field: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ServiceError(
        "bad_filter", _("Use true or false for this filter."), field=field, status=422
    )


def _choice(value: str | None, choices, field: str) -> list[str]:
    if not value:
        return []
    values = [v.strip() for v in str(value).split(",") if v.strip()]
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        raise ServiceError(
            "bad_filter",
            _("Unknown value “%(value)s”; use one of: %(choices)s.")
            % {"value": unknown[0], "choices": ", ".join(choices.values)},
            field=field,
            status=422,
        )
    return values


def _int(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        raise ServiceError(
            "bad_filter", _("Give a number (an id)."), field=field, status=422
        ) from None


def request_list(
    *,
    user,
    status: str | None = None,
    unit: Any = None,
    assignee: Any = None,
    enterprise: Any = None,
    category: str | None = None,
    ip_type: str | None = None,
    channel: str | None = None,
    priority: str | None = None,
    overdue: Any = None,
    breached: Any = None,
    escalated_in: Any = None,
    confidential: Any = None,
    q: str | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    include_archived: bool = False,
    ordering: str | None = None,
) -> QuerySet[ServiceRequest]:
    """The requests `user` may see, filtered, with what a list row shows loaded in the same query.

    `status` is a status, a comma-separated list of them, or "open" (every open status). `unit`
    takes the handling unit's whole subtree. `assignee` is "me", "none" or a user id.
    `escalated_in` keeps requests now handled by one of the user's own units that came from another
    unit. `q` matches the reference, and — where the viewer may read the content — the subject,
    the requester's name and the enterprise's name. `ordering`: "due" (queues: soonest resolution
    due first), "received", "-received" (default), "updated", "-updated".
    """
    qs = annotate_viewer(
        ServiceRequest.objects.visible_to(user).select_related(
            "enterprise", "handling_unit", "originating_unit", "assignee"
        ),
        user,
    )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    if status:
        if str(status).strip() == "open":
            qs = qs.open()
        else:
            qs = qs.filter(status__in=_choice(status, RequestStatus, "status"))
    unit_id = _int(unit, "unit")
    if unit_id is not None:
        qs = qs.filter(handling_unit_id__in=_subtree_ids([unit_id]))
    if assignee not in (None, ""):
        if assignee == "me":
            qs = qs.filter(assignee_id=user.pk)
        elif assignee == "none":
            qs = qs.filter(assignee__isnull=True)
        else:
            qs = qs.filter(assignee_id=_int(assignee, "assignee"))
    enterprise_id = _int(enterprise, "enterprise")
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    for field, value, choices in (
        ("category", category, Category),
        ("ip_type", ip_type, IPType),
        ("channel", channel, Channel),
        ("priority", priority, Priority),
    ):
        if value:
            qs = qs.filter(**{f"{field}__in": _choice(value, choices, field)})
    if _flag(overdue, "overdue"):
        qs = qs.overdue()
    elif _flag(overdue, "overdue") is False:
        qs = qs.exclude(pk__in=ServiceRequest.objects.overdue().values("pk"))
    flag = _flag(breached, "breached")
    if flag is not None:
        breach = Q(breached_response=True) | Q(breached_resolution=True)
        qs = qs.filter(breach) if flag else qs.exclude(breach)
    if _flag(escalated_in, "escalated_in"):
        qs = qs.exclude(handling_unit_id=F("originating_unit_id"))
        if not user.is_superuser:
            qs = qs.filter(handling_unit_id__in=direct_unit_ids(user))
    flag = _flag(confidential, "confidential")
    if flag is not None:
        qs = qs.filter(confidential=flag)
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    text = unicodedata.normalize("NFKC", str(q or "")).strip()
    if text:
        content = (
            Q(subject__icontains=text)
            | Q(requester_name__icontains=text)
            | Q(enterprise__name__icontains=text)
        )
        visible = content_visible_q(user)
        if visible is not None:
            content &= visible
        qs = qs.filter(Q(reference__icontains=text) | content)
    if ordering:
        if ordering not in ORDERINGS:
            raise ServiceError(
                "bad_filter",
                _("Unknown ordering; use one of: %(choices)s.") % {"choices": ", ".join(ORDERINGS)},
                field="ordering",
                status=422,
            )
        qs = qs.order_by(*ORDERINGS[ordering])
    return qs


def request_get(*, user, pk: int) -> ServiceRequest:
    """One request `user` may see (archived ones included), or 404."""
    return get_object_or_404(request_list(user=user, include_archived=True), pk=pk)


def _to_act_on(pk, ids, user_id, enterprise_id):
    return (
        ServiceRequest.objects.in_scope(ids=ids, user_id=user_id, enterprise_id=enterprise_id)
        .filter(pk=pk)
        .only("pk")
    )


_TO_ACT_ON = Prepared(_to_act_on)  # every action on a request reads it: compiled once per shape


def request_to_act_on(*, user, pk: int) -> ServiceRequest:
    """The request an action names, if `user` may see it, else 404: only its id is read, for the
    action's service function re-reads it under a lock with what it needs."""
    if user is None or not user.is_authenticated:
        raise Http404
    ids = unit_ids_for(user)
    found = _TO_ACT_ON.first(
        pk=pk,
        ids=ids,
        user_id=None if ids is None else user.pk,
        enterprise_id=None if ids is None else getattr(user, "enterprise_id", None) or None,
    )
    if found is None:
        raise Http404
    return found


def as_written(request: ServiceRequest) -> ServiceRequest:
    """A request a service function has just written, ready to answer with as it is: times in
    UTC, as they read back from the database (the caller acted on it, so may see it; what the
    caller may see of it is decided when the answer is built, as for one read back)."""
    for field in request._meta.concrete_fields:
        if isinstance(field, DateTimeField):
            value = getattr(request, field.attname)
            if value is not None:
                setattr(request, field.attname, value.astimezone(dt.UTC))
    return request


def request_events(*, user, request: ServiceRequest) -> QuerySet[RequestEvent]:
    """The timeline as `user` may see it: the enterprise and others without access to internal
    items get only the entries visible to the enterprise."""
    qs = request.events.select_related("actor", "from_unit", "to_unit").order_by("at", "id")
    if not can_see_internal(user, request):
        qs = qs.filter(visibility=Visibility.ENTERPRISE)
    return qs


def request_attachments(*, user, request: ServiceRequest) -> QuerySet[Attachment]:
    qs = request.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")
    if not can_see_content(user, request):
        return qs.none()
    if not can_see_internal(user, request):
        qs = qs.filter(visibility=Visibility.ENTERPRISE)
    return qs


def attachment_get(*, user, request_pk: int, pk: int) -> tuple[ServiceRequest, Attachment]:
    """A file of a request `user` may see and whose content they may read, or 404."""
    request = request_get(user=user, pk=request_pk)
    return request, get_object_or_404(request_attachments(user=user, request=request), pk=pk)


def queue_counts(*, user) -> dict[str, int]:
    """Counts for a liaison's queue header: open, mine, overdue, escalated in."""
    base = request_list(user=user, status="open")
    return {
        "open": base.count(),
        "mine": base.filter(assignee_id=user.pk).count(),
        "overdue": base.overdue().count(),
        "escalated_in": request_list(user=user, status="open", escalated_in=True).count(),
    }


__all__ = [
    "API_ACTIONS",
    "EventKind",
    "allowed_actions",
    "annotate_viewer",
    "attachment_get",
    "can_see_contacts",
    "can_see_content",
    "can_see_internal",
    "content_visible_q",
    "queue_counts",
    "request_attachments",
    "request_events",
    "request_get",
    "request_list",
]
