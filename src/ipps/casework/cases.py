"""Writes on infringement case files: counterpart, stability, route and outcome, the rights
involved, the facts timeline and the evidence register.

Each function is one transaction: it checks that the acting user may work on the request and see
its content, writes the audit row and appends an event of kind "case" to the request's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ipps.casework import services
from ipps.casework.choices import EventKind, Visibility
from ipps.casework.models import CaseFact, Evidence, InfringementCase, ServiceRequest
from ipps.core.audit import audit_created, audit_record, diff, snapshot
from ipps.core.choices import AuditAction
from ipps.core.errors import PermissionDeniedError, ServiceError
from ipps.core.i18n import in_each_language, say, sentence

# Fields of the case file that `case_update` may change.
CASE_FIELDS = (
    "counterpart_name",
    "counterpart_details",
    "stability",
    "stability_basis",
    "stability_assessor",
    "stability_assessed_on",
    "route",
    "outcome",
    "outcome_notes",
)


# Access ---------------------------------------------------------------------------------------------


def can_read_case(user, request: ServiceRequest) -> bool:
    """Whoever sees the request's content sees its case file (the caller checked scope)."""
    return services.can_see_content(user, request)


def can_edit_case(user, request: ServiceRequest) -> bool:
    """Staff who may act on the request and see its content; ancestors of a confidential request's
    unit may not change what they may not read."""
    return services.can_work_on(user, request) and services.can_see_content(user, request)


def can_add_to_case(user, request: ServiceRequest) -> bool:
    """Facts and evidence may also come from the experts the request was referred to."""
    return can_edit_case(user, request) or services.is_assigned_expert(user, request)


def _require_edit(user, request: ServiceRequest, *, expert_ok: bool = False) -> None:
    allowed = can_add_to_case(user, request) if expert_ok else can_edit_case(user, request)
    if not allowed:
        raise PermissionDeniedError(
            "not_allowed", _("Only staff of the handling unit or above may change the case file.")
        )


def case_event(
    case: InfringementCase, *, actor, message: str, args: dict | None = None, data: dict, at=None
) -> None:
    """Append an internal "case" event to the request's timeline. `message` (marked with
    `gettext_noop`) and `args` are kept in the event's data as a sentence, so that each reader
    sees it in their own language (`RequestEvent.shown_body`); `body` is it as written."""
    said = sentence(message, **(args or {}))
    services._event(
        case.request,
        kind=EventKind.CASE,
        actor=actor,
        at=at,
        visibility=Visibility.INTERNAL,
        body=say(said),
        data={**data, "sentence": said},
    )


def _locked_case(case: InfringementCase) -> InfringementCase:
    return InfringementCase.objects.select_for_update().select_related("request").get(pk=case.pk)


# Case file ------------------------------------------------------------------------------------------


@transaction.atomic
def case_open(*, request: ServiceRequest, acting_user, http=None) -> InfringementCase:
    """The request's case file, opened now if it has none (a request recategorised later)."""
    existing = InfringementCase.objects.filter(request=request).first()
    if existing is not None:
        return existing
    _require_edit(acting_user, request)
    case = InfringementCase(request=request, created_by=acting_user)
    case.full_clean()
    case.save()
    case_event(
        case, actor=acting_user, message=gettext_noop("Case file opened."), data={"action": "open"}
    )
    audit_created(case, actor=acting_user, request=http)
    return case


@transaction.atomic
def case_update(
    *, case: InfringementCase, changes: dict[str, Any], acting_user, http=None
) -> InfringementCase:
    """Change the counterpart, the stability assessment, the recommended route or the outcome.

    A stability assessment needs its basis; the assessor defaults to the acting user and the date
    to today.
    """
    case = _locked_case(case)
    _require_edit(acting_user, case.request)
    unknown = sorted(set(changes) - set(CASE_FIELDS))
    if unknown:
        raise ServiceError(
            "unknown_field",
            _("The case file has no field “%(field)s”.") % {"field": unknown[0]},
            field=unknown[0],
        )
    before = snapshot(case)
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "stability_assessed_on" and value == "":
            value = None
        setattr(case, name, value)
    if "stability" in changes and case.stability:
        if not case.stability_basis:
            raise ServiceError(
                "basis_required",
                _("Give the basis of the stability assessment."),
                field="stability_basis",
            )
        if before["stability"] != case.stability or "stability_assessor" in changes:
            if not case.stability_assessor:
                case.stability_assessor = (
                    getattr(acting_user, "full_name", "") or acting_user.get_username()
                )
            if not changes.get("stability_assessed_on"):
                case.stability_assessed_on = timezone.localdate()
    case.full_clean(exclude=["request", "rights"])
    if case.stability_assessed_on is not None and case.stability_assessed_on > timezone.localdate():
        raise ServiceError(
            "in_future",
            _("The assessment date cannot be in the future."),
            field="stability_assessed_on",
        )
    changed = diff(before, snapshot(case))
    if not changed["after"]:
        return case
    case.save()
    case_event(
        case,
        actor=acting_user,
        message=gettext_noop("Case file updated: %(fields)s."),
        args={
            "fields": in_each_language(
                lambda: ", ".join(
                    str(case._meta.get_field(f).verbose_name) for f in changed["after"]
                )
            )
        },
        data={"action": "update", "changes": changed["after"]},
    )
    audit_record(
        action=AuditAction.UPDATE, actor=acting_user, obj=case, changes=changed, request=http
    )
    return case


@transaction.atomic
def case_link_rights(
    *, case: InfringementCase, assets: Iterable, acting_user, http=None
) -> InfringementCase:
    """Set the IP rights the case is about; each must belong to the request's enterprise."""
    case = _locked_case(case)
    request = case.request
    _require_edit(acting_user, request)
    assets = list(assets)
    if assets and not request.enterprise_id:
        raise ServiceError(
            "no_enterprise",
            _("This request has no enterprise, so no IP rights can be linked to it."),
            field="rights",
        )
    foreign = [a for a in assets if a.enterprise_id != request.enterprise_id]
    if foreign:
        raise ServiceError(
            "right_not_owned",
            _("“%(asset)s” does not belong to the enterprise that made the request.")
            % {"asset": foreign[0]},
            field="rights",
        )
    archived = [a for a in assets if a.archived_at is not None]
    if archived:
        raise ServiceError(
            "right_archived",
            _("“%(asset)s” is archived.") % {"asset": archived[0]},
            field="rights",
        )
    before = sorted(case.rights.values_list("pk", flat=True))
    after = sorted({a.pk for a in assets})
    if before == after:
        return case
    case.rights.set(after)
    case.save(update_fields=["updated_at"])
    ordered = sorted(assets, key=lambda a: a.pk)
    case_event(
        case,
        actor=acting_user,
        message=gettext_noop("Rights involved: %(rights)s."),
        args={"rights": in_each_language(lambda: "; ".join(str(a) for a in ordered) or "—")},
        data={"action": "rights", "rights": after},
    )
    audit_record(
        action=AuditAction.UPDATE,
        actor=acting_user,
        obj=case,
        changes={"before": {"rights": before}, "after": {"rights": after}},
        request=http,
    )
    return case


@transaction.atomic
def case_add_fact(
    *, case: InfringementCase, date: dt.date, description: str, acting_user, http=None
) -> CaseFact:
    """Add one dated fact to the case's timeline."""
    case = _locked_case(case)
    _require_edit(acting_user, case.request, expert_ok=True)
    description = (description or "").strip()
    if not description:
        raise ServiceError("description_required", _("Describe the fact."), field="description")
    if date is None:
        raise ServiceError("date_required", _("Give the date of the fact."), field="date")
    if date > timezone.localdate():
        raise ServiceError("in_future", _("A fact cannot be dated in the future."), field="date")
    fact = CaseFact(case=case, date=date, description=description, created_by=acting_user)
    fact.full_clean()
    fact.save()
    case_event(
        case,
        actor=acting_user,
        message=gettext_noop("Fact of %(date)s: %(text)s"),
        args={"date": date.isoformat(), "text": description},
        data={"action": "fact", "fact": fact.pk},
    )
    audit_created(fact, actor=acting_user, request=http)
    return fact


@transaction.atomic
def case_add_evidence(
    *,
    case: InfringementCase,
    upload,
    description: str,
    acting_user,
    obtained_on: dt.date | None = None,
    internal: bool = False,
    http=None,
) -> Evidence:
    """Register a piece of evidence: the file is stored as an attachment of the request with its
    SHA-256, and the register records who added it and when."""
    case = _locked_case(case)
    _require_edit(acting_user, case.request, expert_ok=True)
    description = (description or "").strip()
    if not description:
        raise ServiceError(
            "description_required", _("Say what the evidence shows."), field="description"
        )
    if obtained_on is not None and obtained_on > timezone.localdate():
        raise ServiceError(
            "in_future", _("Evidence cannot be obtained in the future."), field="obtained_on"
        )
    attachment = services.attachment_add(
        request=case.request, acting_user=acting_user, upload=upload, internal=internal, http=http
    )
    evidence = Evidence(
        case=case,
        attachment=attachment,
        description=description[:300],
        obtained_on=obtained_on,
        added_by=acting_user,
    )
    evidence.full_clean()
    evidence.save()
    case_event(
        case,
        actor=acting_user,
        message=gettext_noop("Evidence added: %(text)s (%(file)s)"),
        args={"text": evidence.description, "file": attachment.original_name},
        data={"action": "evidence", "evidence": evidence.pk, "sha256": attachment.sha256},
    )
    audit_created(evidence, actor=acting_user, request=http)
    return evidence
