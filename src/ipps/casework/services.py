"""Writes on service requests: intake, the state machine, escalation, service levels, the ledger.

Every function is one transaction, checks that the acting user may do it, appends to the request's
timeline, writes the audit row and, on resolution, the ledger row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ipps.casework import sla
from ipps.casework.choices import (
    OPEN_STATUSES,
    Category,
    EventKind,
    RequestStatus,
    Visibility,
)
from ipps.casework.models import (
    Article,
    Attachment,
    Expert,
    InfringementCase,
    ReferenceCounter,
    RequestEvent,
    ServiceRequest,
)
from ipps.core.audit import audit_created, audit_record, diff, snapshot
from ipps.core.calendar import CalendarDataMissing
from ipps.core.choices import AuditAction, IPType
from ipps.core.errors import ConflictError, PermissionDeniedError, ServiceError
from ipps.core.models import Notification
from ipps.core.prepared import Prepared, build, fetch_all, insert, update
from ipps.core.search import token_text
from ipps.ledger.choices import RecordKind
from ipps.ledger.services import ledger_record, ledger_reverse
from ipps.network.choices import EDITOR_ROLES, Role, UnitKind
from ipps.network.models import Membership, ServiceUnit
from ipps.network.scope import unit_ids_for

S = RequestStatus

# action -> statuses it may start from; the status it leads to (None: unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "acknowledge": (frozenset({S.NEW, S.ESCALATED, S.REOPENED}), S.ACKNOWLEDGED),
    "start": (frozenset({S.NEW, S.ACKNOWLEDGED, S.ESCALATED, S.REOPENED}), S.IN_PROGRESS),
    "wait": (
        frozenset({S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.ESCALATED, S.REOPENED}),
        S.WAITING_ON_ENTERPRISE,
    ),
    "resume": (frozenset({S.WAITING_ON_ENTERPRISE}), S.IN_PROGRESS),
    "escalate": (
        frozenset({S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.ESCALATED, S.REOPENED}),
        S.ESCALATED,
    ),
    "resolve": (
        frozenset(
            {S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_ON_ENTERPRISE, S.ESCALATED, S.REOPENED}
        ),
        S.RESOLVED,
    ),
    "close": (frozenset({S.RESOLVED}), S.CLOSED),
    "reopen": (frozenset({S.RESOLVED, S.CLOSED}), S.REOPENED),
    "assign": (frozenset(OPEN_STATUSES), None),
    "refer": (frozenset(OPEN_STATUSES - {S.WAITING_ON_ENTERPRISE}), None),
    "comment": (frozenset(S.values), None),
    "attach": (frozenset(S.values), None),
    "rate": (frozenset({S.RESOLVED, S.CLOSED}), None),
}

# Fields a service has just loaded or generated itself; re-validating them costs a query each.
# The database's foreign keys and constraints remain the backstop.
_NOT_REVALIDATED = [
    "experts",
    "answered_with",
    "enterprise",
    "handling_unit",
    "originating_unit",
    "assignee",
    "sla_policy",
    "created_by",
    "reference",
]

_FIELD_NAMES = frozenset(f.name for f in ServiceRequest._meta.concrete_fields)

# Days after resolution during which the enterprise may still reopen a request.
REOPEN_WINDOW_DAYS = 30


# Access --------------------------------------------------------------------------------------------


def is_enterprise_user(user, request: ServiceRequest) -> bool:
    return bool(
        request.enterprise_id and getattr(user, "enterprise_id", None) == request.enterprise_id
    )


def is_assigned_expert(user, request: ServiceRequest) -> bool:
    return request.experts.filter(user=user).exists() if user.is_authenticated else False


def can_work_on(user, request: ServiceRequest) -> bool:
    """Staff who may act on a request: editors reaching its handling unit (incl. ancestors)."""
    ids = unit_ids_for(user, EDITOR_ROLES)
    return ids is None or request.handling_unit_id in ids


def can_see_content(user, request: ServiceRequest) -> bool:
    """Confidential requests: full content only for the handling unit's own staff, assigned
    experts and the enterprise itself; ancestors see that they exist and their status."""
    if not request.confidential:
        return True
    if user.is_superuser or is_enterprise_user(user, request) or is_assigned_expert(user, request):
        return True
    return Membership.objects.filter(
        user=user, unit_id=request.handling_unit_id, role__in=EDITOR_ROLES
    ).exists()


def _require(action: str, request: ServiceRequest) -> None:
    allowed, _target = TRANSITIONS[action]
    if request.status not in allowed:
        raise ConflictError(
            "illegal_transition",
            _("A request that is “%(status)s” cannot be given the action “%(action)s”.")
            % {"status": request.get_status_display(), "action": action},
            field="status",
        )


def _require_staff(user, request: ServiceRequest) -> None:
    if not can_work_on(user, request):
        raise PermissionDeniedError(
            "not_allowed", _("Only staff of the handling unit or above may do this.")
        )


def _locked(pk):
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("enterprise", "handling_unit", "originating_unit", "assignee")
        .filter(pk=pk)
    )


_LOCKED = Prepared(_locked)  # every action reads the request through it


def _lock(request: ServiceRequest) -> ServiceRequest:
    """Re-read the request under a row lock, so concurrent actions apply one after another; with
    the units, enterprise and assignee that the actions and their answers use."""
    return _LOCKED.get(pk=request.pk)


# Events and notifications --------------------------------------------------------------------------


def _event(request: ServiceRequest, **fields) -> RequestEvent:
    """A timeline entry, written (the fields as `_new_event` takes them)."""
    event = _new_event(request, **fields)
    insert(event)
    return event


def _new_event(
    request: ServiceRequest,
    *,
    kind: str,
    actor=None,
    at: dt.datetime | None = None,
    visibility: str = Visibility.INTERNAL,
    from_status: str = "",
    to_status: str = "",
    from_unit=None,
    to_unit=None,
    body: str = "",
    data: dict | None = None,
) -> RequestEvent:
    """A timeline entry, not yet written, of a request that is. Related rows are given by id:
    Django's checks of each related object assigned cost more than the rest of the entry."""
    return build(
        RequestEvent,
        request_id=request.pk,
        at=at or timezone.now(),
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        kind=kind,
        visibility=visibility,
        from_status=from_status,
        to_status=to_status,
        from_unit_id=from_unit.pk if from_unit is not None else None,
        to_unit_id=to_unit.pk if to_unit is not None else None,
        body=body,
        data=data or {},
    )


def notify(users, *, kind: str, message: str, params: dict, link: str = "", at=None) -> None:
    """Notify each user (None skipped) of `message` (marked with `gettext_noop`) with `params`:
    each reader sees it in their own language (`Notification.shown`). `at`: when it happened
    (default: now)."""
    fields = Notification.written(message, params)
    at = at or timezone.now()
    _write_notifications(
        [
            build(Notification, user=u, kind=kind, link=link, at=at, **fields)
            for u in users
            if u is not None
        ]
    )


def _write_notifications(rows: list[Notification]) -> None:
    if len(rows) == 1:
        insert(rows[0])  # the usual case: one statement, its SQL built once
    elif rows:
        Notification.objects.bulk_create(rows)


def request_link(request: ServiceRequest) -> str:
    return f"/requests/{request.pk}/"


def unit_officers(unit_id: int):
    from ipps.accounts.models import User

    return User.objects.filter(
        is_active=True,
        memberships__unit_id=unit_id,
        memberships__role__in=[Role.OFFICER, Role.ADMIN],
    ).distinct()


def _set_status(
    request: ServiceRequest,
    action: str,
    *,
    actor,
    now,
    body="",
    visibility=Visibility.ENTERPRISE,
    data=None,
):
    _allowed, target = TRANSITIONS[action]
    previous = request.status
    request.status = target
    _event(
        request,
        kind=EventKind.STATUS,
        actor=actor,
        at=now,
        visibility=visibility,
        from_status=previous,
        to_status=target,
        body=body,
        data={"action": action, **(data or {})},
    )
    return previous


def _first_response(request: ServiceRequest, now: dt.datetime) -> None:
    if request.first_responded_at is None:
        request.first_responded_at = now
        if request.first_response_due and now > request.first_response_due:
            request.breached_response = True


def _save(
    request: ServiceRequest, before: dict, *, actor, http=None, action=AuditAction.UPDATE
) -> None:
    """Validate and write the fields that changed (the row is locked: nothing else changed it)
    and audit the change. The others were valid when they were written."""
    _write_changes(
        request, _checked_changes(request, before), actor=actor, http=http, action=action
    )


def _checked_changes(request: ServiceRequest, before: dict) -> dict:
    """The fields that changed since `before`, validated (the others were valid when written)."""
    changes = diff(before, snapshot(request))
    unchanged = _FIELD_NAMES - changes["after"].keys()
    request.full_clean(
        exclude=[*_NOT_REVALIDATED, *unchanged], validate_unique=False, validate_constraints=False
    )
    return changes


def _write_changes(
    request: ServiceRequest, changes: dict, *, actor, http=None, action=AuditAction.UPDATE
) -> None:
    update(request, [*changes["after"], "updated_at"])
    audit_record(action=action, actor=actor, obj=request, changes=changes, request=http)


# Intake ---------------------------------------------------------------------------------------------


def next_reference(year: int) -> str:
    """The year's next number, in one statement that also locks the counter until commit."""
    table = ReferenceCounter._meta.db_table
    ((last,),) = fetch_all(
        f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 - our own name
        f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
        [year],
    )
    return f"SR-{year}-{last:06d}"


def route_unit(
    *, enterprise=None, unit: ServiceUnit | None = None, district: str = ""
) -> ServiceUnit:
    """A portal request goes to the enterprise's workstation; a public one to the chosen unit or the
    district's centre."""
    if enterprise is not None and unit is None:
        return enterprise.workstation
    if unit is not None:
        if unit.kind == UnitKind.PARTNER:
            raise ServiceError(
                "bad_unit",
                _("Requests are received by the network's own units, not by partners."),
                field="unit",
            )
        return unit
    if district:
        centre = ServiceUnit.objects.filter(
            kind=UnitKind.DISTRICT_CENTRE, district=district
        ).first()
        if centre is not None:
            return centre
    raise ServiceError(
        "unit_required", _("Choose the unit that should answer the request."), field="unit"
    )


def request_create(
    *,
    subject: str,
    description: str,
    channel: str,
    ip_type: str,
    chain_stage: str,
    category: str,
    acting_user,
    enterprise=None,
    unit: ServiceUnit | None = None,
    district: str = "",
    requester_name: str = "",
    requester_phone: str = "",
    requester_email: str = "",
    requester_organisation: str = "",
    priority: str = "normal",
    confidential: bool = False,
    received_at: dt.datetime | None = None,
    auto_assign: bool = True,
    http=None,
) -> ServiceRequest:
    """Take in a request: route it, start its service-level clock, open its timeline.

    Checks, routing, search tokens, the automatic assignee and the due times come before the
    transaction (the due times are computed again in it if a policy or the calendar changed): on
    SQLite, writers queue for the database, and the queue moves as fast as each transaction ends.
    """
    is_portal = acting_user is not None and getattr(acting_user, "enterprise_id", None)
    if is_portal:
        enterprise = acting_user.enterprise
    if enterprise is None and not (requester_name or "").strip():
        raise ServiceError(
            "requester_required",
            _("Give the enterprise or the requester's name."),
            field="requester_name",
        )
    handling = route_unit(enterprise=enterprise, unit=unit, district=district)
    if acting_user is not None and acting_user.is_authenticated and not is_portal:
        ids = unit_ids_for(acting_user, EDITOR_ROLES)
        visible = unit_ids_for(acting_user)
        reaches_enterprise = (
            enterprise is None or visible is None or enterprise.workstation_id in visible
        )
        if ids is not None and handling.pk not in ids or not reaches_enterprise:
            raise PermissionDeniedError(
                "not_allowed", _("You may record requests only for units you work for.")
            )
    now = timezone.now()
    received = received_at or now
    if received > now + dt.timedelta(minutes=5):
        raise ServiceError(
            "in_future", _("The time received cannot be in the future."), field="received_at"
        )
    request = build(
        ServiceRequest,
        enterprise=enterprise,
        requester_name=requester_name.strip(),
        requester_phone=requester_phone.strip(),
        requester_email=requester_email.strip(),
        requester_organisation=requester_organisation.strip(),
        handling_unit=handling,
        originating_unit=handling,
        channel=channel,
        ip_type=ip_type,
        chain_stage=chain_stage,
        category=category,
        subject=(subject or "").strip(),
        description=(description or "").strip(),
        priority=priority,
        confidential=bool(confidential) or ip_type == IPType.TRADE_SECRET,
        received_at=received,
        created_by=acting_user
        if acting_user is not None and acting_user.is_authenticated
        else None,
    )
    request.search_tokens = token_text(request.subject, request.description)
    # The least-loaded liaison as of now: a heuristic, which a concurrent intake may share.
    assignee = least_loaded_liaison(handling) if auto_assign else None
    request.assignee = assignee
    request.full_clean(exclude=_NOT_REVALIDATED, validate_unique=False, validate_constraints=False)
    rules = sla.rules_version()
    policy = sla.policy_for(request, sla.active_policies(rules[0]))
    sla.compute_dues(request, policy, now, calendar_version=rules[1])
    with transaction.atomic():
        request.reference = next_reference(timezone.localtime(received).year)
        # Policies and the calendar as they are when the request is written (a change to them
        # recomputes the requests written before it): computed again if one changed meanwhile.
        if (changed := sla.rules_version()) != rules:
            policy = sla.policy_for(request, sla.active_policies(changed[0]))
            sla.compute_dues(request, policy, now, calendar_version=changed[1])
        insert(request)
        _event(
            request,
            kind=EventKind.CREATED,
            actor=acting_user,
            at=received,
            visibility=Visibility.ENTERPRISE,
            to_status=S.NEW,
            to_unit=handling,
            data={"channel": channel},
        )
        if category == Category.INFRINGEMENT:
            InfringementCase.objects.create(request=request, created_by=request.created_by)
        audit_created(request, actor=acting_user, request=http)
        if assignee is not None:
            # The liaison who has just written the request down is not told it is theirs.
            tell = assignee != acting_user
            _assignment_made(request, None, assignee, actor=None, now=now, auto=True, tell=tell)
    return request


# Assignment -----------------------------------------------------------------------------------------


def _candidates(unit_id, role):
    from ipps.accounts.models import User

    # The open requests of each candidate, counted from the (assignee, status) index: a join
    # over all their requests would grow with every request they ever resolved.
    open_load = (
        ServiceRequest.objects.filter(assignee_id=models.OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .annotate(n=models.Func(models.F("pk"), function="COUNT"))
        .values("n")
    )
    return (
        User.objects.filter(is_active=True, memberships__unit_id=unit_id, memberships__role=role)
        .annotate(load=models.Subquery(open_load, output_field=models.IntegerField()))
        .order_by("load", "username")[:1]
    )


_CANDIDATES = Prepared(_candidates)  # every intake with automatic assignment reads it


def least_loaded_liaison(unit: ServiceUnit):
    """The unit's liaison (for a centre: officer) with the fewest open requests; ties by name."""
    role = Role.LIAISON if unit.kind == UnitKind.WORKSTATION else Role.OFFICER
    return _CANDIDATES.first(unit_id=unit.pk, role=str(role))


def _assign(request: ServiceRequest, assignee, *, actor, now, auto: bool = False) -> None:
    previous = request.assignee
    request.assignee = assignee
    _assignment_made(request, previous, assignee, actor=actor, now=now, auto=auto)


def _assignment_made(
    request: ServiceRequest, previous, assignee, *, actor, now, auto, tell: bool = True
) -> None:
    """The timeline entry of an assignment, and the note to the new assignee (unless they made
    it, or `tell` is false)."""
    _event(
        request,
        kind=EventKind.ASSIGNMENT,
        actor=actor,
        at=now,
        data={
            "from": previous.get_username() if previous else None,
            "to": assignee.get_username() if assignee else None,
            # The names people know each other by, for the timeline (user names are for programs).
            "from_name": str(previous) if previous else None,
            "to_name": str(assignee) if assignee else None,
            "auto": auto,
        },
    )
    if tell and assignee is not None and assignee != actor:
        notify(
            [assignee],
            kind="assigned",
            message=gettext_noop("Request %(ref)s was assigned to you: %(subject)s"),
            params={"ref": request.reference, "subject": request.subject},
            link=request_link(request),
            at=now,
        )


@transaction.atomic
def request_assign(
    *, request: ServiceRequest, acting_user, assignee=None, auto: bool = False, http=None
) -> ServiceRequest:
    request = _lock(request)
    _require_staff(acting_user, request)
    _require("assign", request)
    before = snapshot(request)
    now = timezone.now()
    if auto or assignee is None:
        assignee = least_loaded_liaison(request.handling_unit)
        if assignee is None:
            raise ServiceError(
                "no_assignee", _("This unit has nobody to assign the request to."), field="assignee"
            )
    elif not Membership.objects.filter(
        user=assignee, unit_id__in=_unit_and_ancestors(request.handling_unit), role__in=EDITOR_ROLES
    ).exists():
        raise ServiceError(
            "bad_assignee", _("The assignee must work for the handling unit."), field="assignee"
        )
    _assign(request, assignee, actor=acting_user, now=now, auto=auto)
    if (
        request.status in (S.NEW, S.ACKNOWLEDGED, S.ESCALATED, S.REOPENED)
        and assignee == acting_user
    ):
        _set_status(request, "start", actor=acting_user, now=now)
    _save(request, before, actor=acting_user, http=http)
    return request


def _unit_and_ancestors(unit: ServiceUnit) -> list[int]:
    ids = []
    node = unit
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


# Status actions -------------------------------------------------------------------------------------


@transaction.atomic
def request_acknowledge(
    *, request: ServiceRequest, acting_user, message: str = "", http=None
) -> ServiceRequest:
    request = _lock(request)
    _require_staff(acting_user, request)
    _require("acknowledge", request)
    before = snapshot(request)
    now = timezone.now()
    _set_status(request, "acknowledge", actor=acting_user, now=now, body=message)
    _first_response(request, now)
    if request.assignee is None:
        request.assignee = acting_user
    _save(request, before, actor=acting_user, http=http)
    return request


@transaction.atomic
def request_comment(
    *, request: ServiceRequest, acting_user, body: str, internal: bool = False, http=None
) -> RequestEvent:
    """A comment: staff's may be internal; the enterprise's are always visible and, while the
    request waits on the enterprise, its reply resumes the clock."""
    request = _lock(request)
    body = (body or "").strip()
    if not body:
        raise ServiceError("empty_comment", _("Write something to comment."), field="body")
    enterprise_side = is_enterprise_user(acting_user, request)
    if not enterprise_side and not is_assigned_expert(acting_user, request):
        _require_staff(acting_user, request)
    if enterprise_side and internal:
        raise ServiceError(
            "not_allowed", _("Enterprise comments are always visible."), field="internal"
        )
    now = timezone.now()
    event = _event(
        request,
        kind=EventKind.COMMENT,
        actor=acting_user,
        at=now,
        visibility=Visibility.INTERNAL if internal else Visibility.ENTERPRISE,
        body=body,
    )
    before = snapshot(request)
    if enterprise_side:
        if request.status == S.WAITING_ON_ENTERPRISE:
            _resume(request, acting_user, now)
        notify(
            [request.assignee],
            kind="enterprise_reply",
            message=gettext_noop("The enterprise replied on %(ref)s."),
            params={"ref": request.reference},
            link=request_link(request),
        )
    elif not internal:
        _first_response(request, now)
        if request.status in (S.NEW, S.ACKNOWLEDGED, S.ESCALATED, S.REOPENED):
            _set_status(request, "start", actor=acting_user, now=now)
    if snapshot(request) != before:
        request.save()
    return event


@transaction.atomic
def request_wait(
    *, request: ServiceRequest, acting_user, message: str, http=None
) -> ServiceRequest:
    """Ask the enterprise for something; the clock pauses until it answers or staff resume."""
    request = _lock(request)
    _require_staff(acting_user, request)
    _require("wait", request)
    if not (message or "").strip():
        raise ServiceError(
            "message_required", _("Say what the enterprise should provide."), field="message"
        )
    before = snapshot(request)
    now = timezone.now()
    _set_status(request, "wait", actor=acting_user, now=now, body=message.strip())
    _first_response(request, now)
    request.paused_at = now
    _save(request, before, actor=acting_user, http=http)
    return request


def _resume(request: ServiceRequest, actor, now: dt.datetime) -> None:
    sla.end_pause(request, now)
    _set_status(request, "resume", actor=actor, now=now)
    sla.compute_dues(request, request.sla_policy, now)


@transaction.atomic
def request_resume(*, request: ServiceRequest, acting_user, http=None) -> ServiceRequest:
    request = _lock(request)
    _require_staff(acting_user, request)
    _require("resume", request)
    before = snapshot(request)
    _resume(request, acting_user, timezone.now())
    _save(request, before, actor=acting_user, http=http)
    return request


@transaction.atomic
def request_escalate(
    *,
    request: ServiceRequest,
    acting_user,
    to_unit: ServiceUnit | None = None,
    reason: str,
    http=None,
) -> ServiceRequest:
    """Hand the request up the tree (workstation → district centre → municipal centre). The clock
    keeps running from intake."""
    request = _lock(request)
    _require_staff(acting_user, request)
    _require("escalate", request)
    if not (reason or "").strip():
        raise ServiceError("reason_required", _("Give the reason for escalating."), field="reason")
    current = request.handling_unit
    if to_unit is None:
        to_unit = current.parent
    if (
        to_unit is None
        or to_unit.pk not in _unit_and_ancestors(current)[1:]
        or to_unit.kind == UnitKind.PARTNER
    ):
        raise ServiceError(
            "escalation_not_upward",
            _("A request is escalated only upward, to a unit above %(unit)s.")
            % {"unit": current.code},
            field="to_unit",
        )
    before = snapshot(request)
    now = timezone.now()
    _first_response(request, now)
    _event(
        request,
        kind=EventKind.ESCALATION,
        actor=acting_user,
        at=now,
        visibility=Visibility.ENTERPRISE,
        from_unit=current,
        to_unit=to_unit,
        body=reason.strip(),
    )
    _set_status(request, "escalate", actor=acting_user, now=now)
    request.handling_unit = to_unit
    if request.calendar_missing:
        # Still no due time: the new handling unit may allow the weekends-only calendar.
        sla.compute_dues(request, request.sla_policy, now)
    request.assignee = None
    assignee = least_loaded_liaison(to_unit)
    if assignee is not None:
        _assign(request, assignee, actor=None, now=now, auto=True)
    notify(
        unit_officers(to_unit.pk),
        kind="escalated",
        message=gettext_noop("Request %(ref)s was escalated to your unit: %(subject)s"),
        params={"ref": request.reference, "subject": request.subject},
        link=request_link(request),
    )
    _save(request, before, actor=acting_user, http=http)
    return request


@transaction.atomic
def request_refer(
    *,
    request: ServiceRequest,
    acting_user,
    reason: str,
    expert: Expert | None = None,
    partner: ServiceUnit | None = None,
    http=None,
) -> ServiceRequest:
    """Refer to an expert (who then sees the request) or to a partner unit (recorded hop)."""
    request = _lock(request)
    _require_staff(acting_user, request)
    _require("refer", request)
    if (expert is None) == (partner is None):
        raise ServiceError(
            "refer_target", _("Refer to one expert or one partner unit."), field="expert"
        )
    if partner is not None and partner.kind != UnitKind.PARTNER:
        raise ServiceError("not_a_partner", _("Referrals go to partner units."), field="partner")
    if expert is not None and not expert.is_active:
        raise ServiceError("expert_inactive", _("This expert is not active."), field="expert")
    now = timezone.now()
    _first_response(request, now)
    if expert is not None:
        request.experts.add(expert)
        if expert.user_id:
            notify(
                [expert.user],
                kind="referred",
                message=gettext_noop("Request %(ref)s was referred to you."),
                params={"ref": request.reference},
                link=request_link(request),
            )
    _event(
        request,
        kind=EventKind.REFERRAL,
        actor=acting_user,
        at=now,
        to_unit=partner,
        body=(reason or "").strip(),
        data={
            "expert": expert.pk if expert else None,
            "expert_name": expert.name if expert else None,
        },
    )
    request.save(update_fields=["first_responded_at", "breached_response", "updated_at"])
    audit_record(
        action=AuditAction.UPDATE,
        actor=acting_user,
        obj=request,
        changes={"after": {"referred_to": expert.name if expert else partner.code}},
        request=http,
    )
    return request


def _reading(pk):
    return ServiceRequest.objects.select_related(
        "enterprise", "handling_unit", "originating_unit", "assignee"
    ).filter(pk=pk)


_READ = Prepared(_reading)  # as _LOCKED, outside a transaction


def _as_stored(pk):
    return ServiceRequest.objects.select_for_update().filter(pk=pk).values_list(*_ATTNAMES)


_ATTNAMES = tuple(f.attname for f in ServiceRequest._meta.concrete_fields)
_AS_STORED = Prepared(_as_stored)


def _stored_values(request: ServiceRequest) -> tuple:
    return tuple(getattr(request, name) for name in _ATTNAMES)


@dataclass
class _Resolution:
    """A resolution worked out from the request as read, ready to be written."""

    request: ServiceRequest
    as_read: tuple
    changes: dict
    events: list[RequestEvent]
    articles: list[Article]
    notifications: list[Notification]
    now: dt.datetime


def _resolution(
    request: ServiceRequest, acting_user, answer: str, articles: list[Article]
) -> _Resolution:
    """Check the resolution and work it out, writing nothing."""
    as_read = _stored_values(request)
    if not can_work_on(acting_user, request) and not is_assigned_expert(acting_user, request):
        _require_staff(acting_user, request)
    _require("resolve", request)
    if not (answer or "").strip():
        raise ServiceError(
            "answer_required", _("Write the answer given to the enterprise."), field="answer"
        )
    before = snapshot(request)
    now = timezone.now()
    if request.paused_at is not None:
        sla.end_pause(request, now)
        if request.uncounted_pauses:
            # The pause cannot be counted yet: no resolution due time to judge the answer by.
            sla.compute_dues(request, request.sla_policy, now)
    previous = request.status
    request.status = S.RESOLVED
    events = [
        _new_event(
            request,
            kind=EventKind.STATUS,
            actor=acting_user,
            at=now,
            visibility=Visibility.ENTERPRISE,
            from_status=previous,
            to_status=S.RESOLVED,
            body=answer.strip(),
            data={"action": "resolve"},
        )
    ]
    _first_response(request, now)
    request.resolved_at = now
    if request.resolution_due and now > request.resolution_due:
        request.breached_resolution = True
    events += [
        _new_event(
            request,
            kind=EventKind.ANSWER,
            actor=acting_user,
            at=now,
            visibility=Visibility.ENTERPRISE,
            body=article.title_zh,
            data={
                "article": article.pk,
                # Shown in the reader's language (an article may have no English title).
                "title": {"zh-hans": article.title_zh, "en": article.title_en or article.title_zh},
            },
        )
        for article in articles
    ]
    changes = _checked_changes(request, before)
    notifications = []
    if request.enterprise_id:
        fields = Notification.written(
            gettext_noop("Your request %(ref)s has been answered. Please rate the service."),
            {"ref": request.reference},
        )
        notifications = [
            build(
                Notification, user=u, kind="resolved", link=_portal_link(request), at=now, **fields
            )
            for u in _PORTAL_USERS.all(enterprise_id=request.enterprise_id)
        ]
    return _Resolution(request, as_read, changes, events, articles, notifications, now)


def request_resolve(
    *,
    request: ServiceRequest,
    acting_user,
    answer: str,
    articles: list[Article] | None = None,
    http=None,
) -> ServiceRequest:
    """Answer the request. The act of service enters the ledger once, whoever resolves and however
    often the request is reopened and resolved again.

    The request is read, checked and its resolution worked out before the transaction; in it, the
    resolution is written if the row is still as it was read, and worked out again from the row
    under its lock if not. On SQLite, writers queue for the database, and the queue moves as fast
    as each transaction ends.
    """
    articles = list(articles or [])
    plan = _resolution(_READ.get(pk=request.pk), acting_user, answer, articles)
    with transaction.atomic():
        if _AS_STORED.first(pk=request.pk) != plan.as_read:
            plan = _resolution(_lock(request), acting_user, answer, articles)
        request = plan.request
        for event in plan.events:
            insert(event)
        if plan.articles:
            request.answered_with.add(*plan.articles)
        _write_changes(request, plan.changes, actor=acting_user, http=http)
        record_kwargs = dict(
            unit=request.handling_unit,
            date=timezone.localtime(plan.now).date(),
            enterprise=request.enterprise,
            ip_type=request.ip_type,
            chain_stage=request.chain_stage,
            channel=request.channel,
        )
        ledger_record(source=request, kind=RecordKind.QUERY_ANSWERED, **record_kwargs)
        if request.category == Category.INFRINGEMENT:
            ledger_record(source=request, kind=RecordKind.CASE_ASSISTED, **record_kwargs)
        _write_notifications(plan.notifications)
    return request


def _portal_link(request: ServiceRequest) -> str:
    return f"/portal/requests/{request.pk}/"


def _portal_users(enterprise_id):
    from ipps.accounts.models import User

    return User.objects.filter(enterprise_id=enterprise_id, is_active=True).order_by()


_PORTAL_USERS = Prepared(_portal_users)


@transaction.atomic
def request_close(*, request: ServiceRequest, acting_user, http=None) -> ServiceRequest:
    request = _lock(request)
    if not is_enterprise_user(acting_user, request):
        _require_staff(acting_user, request)
    _require("close", request)
    before = snapshot(request)
    now = timezone.now()
    _set_status(request, "close", actor=acting_user, now=now)
    request.closed_at = now
    _save(request, before, actor=acting_user, http=http)
    return request


@transaction.atomic
def request_reopen(
    *, request: ServiceRequest, acting_user, reason: str, http=None
) -> ServiceRequest:
    request = _lock(request)
    enterprise_side = is_enterprise_user(acting_user, request)
    if not enterprise_side:
        _require_staff(acting_user, request)
    _require("reopen", request)
    if not (reason or "").strip():
        raise ServiceError("reason_required", _("Say why the request is reopened."), field="reason")
    now = timezone.now()
    if (
        enterprise_side
        and request.resolved_at
        and now - request.resolved_at > dt.timedelta(days=REOPEN_WINDOW_DAYS)
    ):
        raise ConflictError(
            "reopen_window_passed",
            _(
                "A request can be reopened within %(days)d days of its answer; please submit a new one."
            )
            % {"days": REOPEN_WINDOW_DAYS},
        )
    before = snapshot(request)
    _set_status(request, "reopen", actor=acting_user, now=now, body=reason.strip())
    request.resolved_at = None
    request.closed_at = None
    notify(
        [request.assignee],
        kind="reopened",
        message=gettext_noop("Request %(ref)s was reopened."),
        params={"ref": request.reference},
        link=request_link(request),
    )
    _save(request, before, actor=acting_user, http=http)
    return request


@transaction.atomic
def request_rate(
    *, request: ServiceRequest, acting_user, rating: int, comment: str = "", http=None
) -> ServiceRequest:
    """The enterprise's satisfaction (1–5) once its request is answered; it may change its mind."""
    request = _lock(request)
    if not is_enterprise_user(acting_user, request):
        raise PermissionDeniedError(
            "not_allowed", _("Only the enterprise that asked may rate the answer.")
        )
    _require("rate", request)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ServiceError(
            "bad_rating", _("A rating is a whole number from 1 to 5."), field="rating"
        )
    before = snapshot(request)
    now = timezone.now()
    request.rating = rating
    request.rating_comment = (comment or "").strip()
    request.rated_at = now
    _event(
        request,
        kind=EventKind.RATING,
        actor=acting_user,
        at=now,
        visibility=Visibility.ENTERPRISE,
        body=request.rating_comment,
        data={"rating": rating},
    )
    _save(request, before, actor=acting_user, http=http)
    return request


@transaction.atomic
def request_archive(*, request: ServiceRequest, acting_user, http=None) -> ServiceRequest:
    """Archive (never delete) a request; an answered one leaves the counts by a reversing row."""
    request = _lock(request)
    _require_staff(acting_user, request)
    if request.archived_at is not None:
        return request
    before = snapshot(request)
    request.archived_at = timezone.now()
    request.save(update_fields=["archived_at", "updated_at"])
    for kind in (RecordKind.QUERY_ANSWERED, RecordKind.CASE_ASSISTED):
        ledger_reverse(source=request, kind=kind)
    audit_record(
        action=AuditAction.ARCHIVE,
        actor=acting_user,
        obj=request,
        changes=diff(before, snapshot(request)),
        request=http,
    )
    return request


# Attachments ----------------------------------------------------------------------------------------


def _check_upload(upload) -> tuple[str, str]:
    name = Path(getattr(upload, "name", "") or "file").name
    extension = Path(name).suffix.lower()
    allowed = settings.IPPS_ATTACHMENT_TYPES
    if extension not in allowed:
        raise ServiceError(
            "file_type",
            _("Files of type %(ext)s are not accepted; use one of: %(types)s.")
            % {"ext": extension or "?", "types": ", ".join(sorted(allowed))},
            field="file",
            status=415,
        )
    if upload.size > settings.IPPS_ATTACHMENT_MAX_BYTES:
        raise ServiceError(
            "file_too_large",
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.IPPS_ATTACHMENT_MAX_BYTES // 1024 // 1024},
            field="file",
            status=413,
        )
    if upload.size == 0:
        raise ServiceError("file_empty", _("The file is empty."), field="file")
    return name, allowed.get(extension) or mimetypes.guess_type(name)[
        0
    ] or "application/octet-stream"


@transaction.atomic
def attachment_add(
    *, request: ServiceRequest, acting_user, upload, internal: bool = False, http=None
) -> Attachment:
    request = _lock(request)
    enterprise_side = is_enterprise_user(acting_user, request)
    if not enterprise_side and not is_assigned_expert(acting_user, request):
        _require_staff(acting_user, request)
    name, content_type = _check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        request=request,
        original_name=name[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        visibility=Visibility.INTERNAL
        if internal and not enterprise_side
        else Visibility.ENTERPRISE,
        uploaded_by=acting_user,
    )
    attachment.file.save(
        f"{digest.hexdigest()[:16]}{Path(name).suffix.lower()}", File(upload), save=False
    )
    attachment.save()
    _event(
        request,
        kind=EventKind.ATTACHMENT,
        actor=acting_user,
        visibility=attachment.visibility,
        body=name,
        data={"attachment": attachment.pk, "sha256": attachment.sha256, "size": attachment.size},
    )
    audit_created(attachment, actor=acting_user, request=http)
    return attachment


# Service levels ------------------------------------------------------------------------------------


# What a recomputation may change on a request.
_DUE_FIELDS = (
    "sla_policy_id",
    "first_response_due",
    "resolution_due",
    "calendar_fallback",
    "calendar_missing_year",
    "paused_seconds",
    "uncounted_pauses",
    "breached_response",
    "breached_resolution",
)


def sla_recompute(*, unit_ids: list[int] | None = None) -> int:
    """Recompute the due times of open requests (after a policy or the working calendar changed),
    and of answered requests that never got any; `unit_ids` limits it to requests those units
    handle. Returns how many changed."""
    from ipps.casework.models import SlaPolicy

    policies = list(SlaPolicy.objects.filter(is_active=True))
    now = timezone.now()
    changed = 0
    requests = ServiceRequest.objects.filter(
        models.Q(status__in=OPEN_STATUSES) | models.Q(calendar_missing_year__isnull=False)
    )
    if unit_ids is not None:
        requests = requests.filter(handling_unit_id__in=unit_ids)
    for request in requests.select_related("handling_unit", "originating_unit").iterator():
        with transaction.atomic():
            locked = _lock(request)
            before = {name: getattr(locked, name) for name in _DUE_FIELDS}
            sla.compute_dues(locked, sla.policy_for(locked, policies), now)
            if before["calendar_missing_year"] is not None:
                sla.judge_late_dues(locked)
            after = {name: getattr(locked, name) for name in _DUE_FIELDS}
            if after == before:
                continue
            locked.save(
                update_fields=[name.removesuffix("_id") for name in _DUE_FIELDS] + ["updated_at"]
            )
            for breach, field in (
                ("first_response", "breached_response"),
                ("resolution", "breached_resolution"),
            ):
                if after[field] and not before[field]:
                    _event(
                        locked, kind=EventKind.SLA, at=now, data={"breach": breach, "late": True}
                    )
            if (
                before["calendar_missing_year"] is not None
                and after["calendar_missing_year"] is None
            ):
                _event(
                    locked,
                    kind=EventKind.SLA,
                    at=now,
                    data={
                        "due_times_set": True,
                        "calendar_year": before["calendar_missing_year"],
                        "fallback": locked.calendar_fallback,
                    },
                )
            changed += 1
    return changed


def sla_scan(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Warn before due times and mark breaches (run every few minutes by huey)."""
    now = now or timezone.now()
    counts = {"warned": 0, "response_breached": 0, "resolution_breached": 0}
    open_requests = ServiceRequest.objects.open().filter(
        paused_at__isnull=True, archived_at__isnull=True
    )
    # Requests without due times (no calendar data) match none of the filters below.
    counts["no_due_time"] = open_requests.filter(calendar_missing_year__isnull=False).count()
    for request in open_requests.filter(
        first_responded_at__isnull=True, breached_response=False, first_response_due__lt=now
    ).iterator():
        with transaction.atomic():
            ServiceRequest.objects.filter(pk=request.pk).update(breached_response=True)
            _event(request, kind=EventKind.SLA, at=now, data={"breach": "first_response"})
            notify(
                [request.assignee, *unit_officers(request.handling_unit_id)],
                kind="breach",
                message=gettext_noop("Request %(ref)s missed its first-response time."),
                params={"ref": request.reference},
                link=request_link(request),
                at=now,
            )
            counts["response_breached"] += 1
    for request in open_requests.filter(
        breached_resolution=False, resolution_due__lt=now
    ).iterator():
        with transaction.atomic():
            ServiceRequest.objects.filter(pk=request.pk).update(breached_resolution=True)
            _event(request, kind=EventKind.SLA, at=now, data={"breach": "resolution"})
            notify(
                [request.assignee, *unit_officers(request.handling_unit_id)],
                kind="breach",
                message=gettext_noop("Request %(ref)s is overdue."),
                params={"ref": request.reference},
                link=request_link(request),
                at=now,
            )
            counts["resolution_breached"] += 1
    horizon = now + dt.timedelta(days=3)
    for request in (
        open_requests.filter(
            warned_at__isnull=True,
            breached_resolution=False,
            resolution_due__gte=now,
            resolution_due__lt=horizon,
        )
        .select_related("sla_policy", "handling_unit")
        .iterator()
    ):
        hours = float(request.sla_policy.warn_before_hours) if request.sla_policy else 2.0
        try:
            warn_from = sla.warning_calendar(request).add_working_hours(now, hours)
        except CalendarDataMissing:
            continue  # the unit refuses to guess working hours; the breach scan still applies
        if warn_from >= request.resolution_due:
            with transaction.atomic():
                ServiceRequest.objects.filter(pk=request.pk).update(warned_at=now)
                notify(
                    [request.assignee, *unit_officers(request.handling_unit_id)],
                    kind="due_soon",
                    message=gettext_noop("Request %(ref)s is due at %(due)s."),
                    params={
                        "ref": request.reference,
                        "due": timezone.localtime(request.resolution_due).strftime(
                            "%Y-%m-%d %H:%M"
                        ),
                    },
                    link=request_link(request),
                    at=now,
                )
                counts["warned"] += 1
    return counts


# Notifications -------------------------------------------------------------------------------------


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those in `ids`) as read; how many changed."""
    qs = Notification.objects.visible_to(user).unread()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
