"""Writes of the monthly-report cycle: open, edit, correct, submit, return, approve, accept, remind.

Figures are never typed: while a report is editable they are read live from the ledger
selectors (ipps.ledger.stats.own_figures); submission freezes them. People add narrative and
corrections (each an audited `ReportAdjustment` with a reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ipps.core.audit import audit_created, audit_record, diff, snapshot
from ipps.core.choices import AuditAction
from ipps.core.errors import ConflictError, PermissionDeniedError, ServiceError
from ipps.core.i18n import in_each_language
from ipps.core.models import Notification
from ipps.ledger.stats import OWN_FIGURES, Period
from ipps.network.choices import EDITOR_ROLES, Role, UnitKind, UnitStatus
from ipps.network.models import Membership, ServiceUnit
from ipps.network.scope import reaches_unit
from ipps.reporting import selectors
from ipps.reporting.choices import EDITABLE, TRANSITIONS, ReportAction, ReportStatus
from ipps.reporting.models import MonthlyReport, ReportAdjustment, ReportEvent, ReportingRule

REPORTING_KINDS = selectors.REPORTING_KINDS
NARRATIVE_FIELDS = ("work_done", "notable_cases", "problems", "next_plan")
APPROVER_ROLES = frozenset({Role.OFFICER, Role.ADMIN})
MAX_TEXT = 20_000


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def rules_by_kind() -> dict[str, ReportingRule]:
    rules = {r.unit_kind: r for r in ReportingRule.objects.all()}
    return {kind: rules.get(kind) or ReportingRule(unit_kind=kind) for kind in UnitKind.values}


def deadlines(rule: ReportingRule, month: dt.date) -> tuple[dt.date, dt.date]:
    """(due on, editable until) of a month's report under a rule."""
    period = Period.month(month.year, month.month)
    due_on = _next_month(month).replace(day=rule.due_day)
    return due_on, period.end + dt.timedelta(days=rule.expiry_days)


def _expected_units(month: dt.date) -> Iterable[ServiceUnit]:
    """Units that owe a report for the month: active reporting units open by its end."""
    end = Period.month(month.year, month.month).end
    return (
        ServiceUnit.objects.filter(kind__in=REPORTING_KINDS)
        .exclude(status=UnitStatus.CLOSED, closed_on__lt=month)
        .exclude(opened_on__gt=end)
        .order_by("code")
    )


@transaction.atomic
def reports_open(*, month: dt.date, units: Iterable[ServiceUnit] | None = None) -> int:
    """Open the month's report of every unit that owes one and has none yet; returns how many.
    Idempotent: the periodic task and `ipps reports open` may run it any number of times."""
    month = first_of_month(month)
    units = list(_expected_units(month) if units is None else units)
    have = set(
        MonthlyReport.objects.filter(month=month, unit__in=units).values_list("unit_id", flat=True)
    )
    rules = rules_by_kind()
    now = timezone.now()
    new = []
    for unit in units:
        if unit.pk in have:
            continue
        due_on, expires_on = deadlines(rules[unit.kind], month)
        new.append(MonthlyReport(unit=unit, month=month, due_on=due_on, expires_on=expires_on))
    if not new:
        return 0
    created = MonthlyReport.objects.bulk_create(new)
    if any(r.pk is None for r in created):  # backends that do not return ids
        created = list(MonthlyReport.objects.filter(month=month, unit__in=[r.unit for r in new]))
    ReportEvent.objects.bulk_create(
        ReportEvent(report=r, action=ReportAction.OPEN, to_status=r.status, at=now) for r in created
    )
    audit_record(
        action=AuditAction.CREATE,
        object_type="reporting.monthlyreport",
        object_id=f"{month:%Y-%m}",
        object_repr=_("%(count)d monthly reports opened for %(month)s")
        % {"count": len(created), "month": f"{month:%Y-%m}"},
        changes={"month": f"{month:%Y-%m}", "units": [r.unit_id for r in created]},
    )
    return len(created)


# Guards ---------------------------------------------------------------------------------------


def _lock(report: MonthlyReport) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("unit").get(pk=report.pk)


def _require_editor(user, report: MonthlyReport) -> None:
    if not reaches_unit(user, report.unit_id, EDITOR_ROLES):
        raise PermissionDeniedError(
            "not_allowed", _("Only staff of the unit or above may change its report.")
        )


def _require_editable(report: MonthlyReport, today: dt.date) -> None:
    if report.status not in EDITABLE:
        raise ConflictError(
            "report_not_editable",
            _("A report that is “%(status)s” cannot be changed.")
            % {"status": report.get_status_display()},
            field="status",
        )
    if today > report.expires_on:
        raise ConflictError(
            "report_expired",
            _("This report could be changed until %(date)s; it has expired.")
            % {"date": report.expires_on.isoformat()},
            field="expires_on",
        )


def _require_transition(report: MonthlyReport, action: str) -> None:
    allowed, _target = TRANSITIONS[action]
    if report.status not in allowed:
        raise ConflictError(
            "illegal_transition",
            _("A report that is “%(status)s” cannot be given the action “%(action)s”.")
            % {"status": report.get_status_display(), "action": ReportAction(action).label},
            field="status",
        )


def _require_version(report: MonthlyReport, version: int | None) -> None:
    if version is not None and version != report.version:
        raise ConflictError(
            "stale_version",
            _(
                "Someone else changed this report since you opened it. "
                "Reload it; your text is still in the form."
            ),
            field="version",
        )


def can_approve(user, report: MonthlyReport) -> bool:
    """Officers of the parent unit (or above) approve and return a unit's report."""
    return report.unit.parent_id is not None and reaches_unit(
        user, report.unit.parent_id, APPROVER_ROLES
    )


def can_accept(user, report: MonthlyReport) -> bool:
    """Officers of the municipal centre accept reports (and return accepted-pending ones)."""
    if getattr(user, "is_superuser", False):
        return True
    municipal = ServiceUnit.objects.filter(
        kind=UnitKind.MUNICIPAL_CENTRE, parent__isnull=True
    ).values_list("id", flat=True)
    return any(reaches_unit(user, m, APPROVER_ROLES) for m in municipal)


def _event(report, action, *, actor, at, comment="", from_status="") -> None:
    ReportEvent.objects.create(
        report=report,
        action=action,
        from_status=from_status,
        to_status=report.status,
        comment=comment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
    )


def _save(report, before, *, actor, http=None) -> None:
    report.version += 1
    report.full_clean(validate_unique=False, validate_constraints=False)
    report.save()
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=report,
        changes=diff(before, snapshot(report)),
        request=http,
    )


def _notify(users, *, message: str, params: dict, report: MonthlyReport) -> None:
    """Notify the users of `message` (marked with `gettext_noop`) with `params`, each to be read
    in the reader's language (`Notification.shown`)."""
    fields = Notification.written(message, params)
    rows = [
        Notification(user=u, kind="report", link=f"/reports/{report.pk}/", **fields) for u in users
    ]
    if rows:
        Notification.objects.bulk_create(rows)


def _unit_people(unit_id: int | None, roles) -> list:
    if unit_id is None:
        return []
    from ipps.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True, memberships__unit_id=unit_id, memberships__role__in=list(roles)
        ).distinct()
    )


# Editing --------------------------------------------------------------------------------------


@transaction.atomic
def report_update(
    *, report: MonthlyReport, acting_user, data: dict, version: int | None = None, http=None
) -> MonthlyReport:
    """Change the narrative (work done, notable cases, problems met, next month's plan)."""
    report = _lock(report)
    _require_editor(acting_user, report)
    _require_version(report, version)
    _require_editable(report, timezone.localdate())
    before = snapshot(report)
    unknown = set(data) - set(NARRATIVE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise ServiceError("unknown_field", _("This field cannot be changed here."), field=field)
    for field, value in data.items():
        value = (value or "").strip()
        if len(value) > MAX_TEXT:
            raise ServiceError(
                "too_long",
                _("At most %(max)d characters.") % {"max": MAX_TEXT},
                field=field,
                status=422,
            )
        setattr(report, field, value)
    if not diff(before, snapshot(report)):
        return report
    _event(report, ReportAction.EDIT, actor=acting_user, at=timezone.now())
    _save(report, before, actor=acting_user, http=http)
    return report


@transaction.atomic
def report_adjust(
    *, report: MonthlyReport, figure: str, amount: int, reason: str, acting_user, http=None
) -> ReportAdjustment:
    """Add a correction to one figure. It never overwrites the ledger figure and cannot be
    deleted; a wrong correction is undone by another one."""
    report = _lock(report)
    _require_editor(acting_user, report)
    _require_editable(report, timezone.localdate())
    if figure not in OWN_FIGURES:
        raise ServiceError(
            "unknown_figure", _("There is no such figure in the report."), field="figure"
        )
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ServiceError(
            "bad_amount", _("Enter a whole number other than 0."), field="amount", status=422
        )
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ServiceError(
            "reason_required",
            _("Say why the figure is corrected (at least 5 characters)."),
            field="reason",
            status=422,
        )
    view = selectors.report_view(report)
    row = view.row(figure)
    if row.reported + amount < 0:
        raise ServiceError(
            "negative_figure",
            _("The corrected figure would be %(value)d; a figure cannot be negative.")
            % {"value": row.reported + amount},
            field="amount",
            status=422,
        )
    adjustment = ReportAdjustment(
        report=report, figure=figure, amount=amount, reason=reason, created_by=acting_user
    )
    adjustment.save()
    audit_created(adjustment, actor=acting_user, request=http)
    _event(
        report,
        ReportAction.ADJUST,
        actor=acting_user,
        at=timezone.now(),
        comment=f"{figure} {amount:+d}: {reason}",
    )
    return adjustment


# Workflow -------------------------------------------------------------------------------------


@transaction.atomic
def report_submit(
    *, report: MonthlyReport, acting_user, now: dt.datetime | None = None, http=None
) -> MonthlyReport:
    """Freeze the figures (and the consolidation of the children's approved reports) and send
    the report to the parent unit. Timeliness is decided by the first submission."""
    report = _lock(report)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    _require_editor(acting_user, report)
    _require_transition(report, ReportAction.SUBMIT)
    _require_editable(report, today)
    period = Period.month(report.month.year, report.month.month)
    if today <= period.end:
        raise ConflictError(
            "period_not_over",
            _("A month's report can be submitted from the first day of the next month."),
            field="month",
        )
    before = snapshot(report)
    previous = report.status
    report.figures = selectors.live_figures(report, now=now)
    report.frozen_at = now
    consolidation = selectors.consolidation_of(report, own=selectors.reported_values(report))
    has_children = consolidation.included or consolidation.missing
    report.consolidated = consolidation.as_json() if has_children else {}
    report.status = ReportStatus.SUBMITTED
    report.submitted_at, report.submitted_by = now, acting_user
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.on_time = today <= report.due_on
    _event(report, ReportAction.SUBMIT, actor=acting_user, at=now, from_status=previous)
    _save(report, before, actor=acting_user, http=http)
    _notify(
        _unit_people(report.unit.parent_id, APPROVER_ROLES),
        message=gettext_noop("%(unit)s submitted its report for %(month)s."),
        params={
            "unit": in_each_language(lambda: report.unit.name),
            "month": f"{report.month:%Y-%m}",
        },
        report=report,
    )
    return report


@transaction.atomic
def report_return(*, report: MonthlyReport, acting_user, comment: str, http=None) -> MonthlyReport:
    """Send a submitted (or approved) report back to its unit with a comment; it becomes
    editable again and its figures are read live until it is submitted again."""
    report = _lock(report)
    if not (can_approve(acting_user, report) or can_accept(acting_user, report)):
        raise PermissionDeniedError(
            "not_allowed", _("Only officers of the parent unit may return this report.")
        )
    _require_transition(report, ReportAction.RETURN)
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError(
            "comment_required",
            _("Say what must be changed: a returned report needs a comment."),
            field="comment",
            status=422,
        )
    now = timezone.now()
    before = snapshot(report)
    previous = report.status
    report.status = ReportStatus.RETURNED
    report.frozen_at = None
    report.figures, report.consolidated = {}, {}
    report.approved_at = report.approved_by = None
    _event(
        report,
        ReportAction.RETURN,
        actor=acting_user,
        at=now,
        comment=comment,
        from_status=previous,
    )
    _save(report, before, actor=acting_user, http=http)
    _notify(
        _unit_people(report.unit_id, EDITOR_ROLES),
        message=gettext_noop("Your report for %(month)s was returned: %(comment)s"),
        params={"month": f"{report.month:%Y-%m}", "comment": comment},
        report=report,
    )
    return report


@transaction.atomic
def report_approve(
    *, report: MonthlyReport, acting_user, comment: str = "", http=None
) -> MonthlyReport:
    report = _lock(report)
    if report.unit.parent_id is None:
        raise ConflictError(
            "no_parent",
            _("The municipal centre's own report has no parent to approve it; accept it instead."),
            field="status",
        )
    if not can_approve(acting_user, report):
        raise PermissionDeniedError(
            "not_allowed", _("Only officers of the parent unit may approve this report.")
        )
    _require_transition(report, ReportAction.APPROVE)
    now = timezone.now()
    before = snapshot(report)
    report.status = ReportStatus.APPROVED
    report.approved_at, report.approved_by = now, acting_user
    _event(
        report,
        ReportAction.APPROVE,
        actor=acting_user,
        at=now,
        comment=(comment or "").strip(),
        from_status=ReportStatus.SUBMITTED,
    )
    _save(report, before, actor=acting_user, http=http)
    return report


@transaction.atomic
def report_accept(
    *, report: MonthlyReport, acting_user, comment: str = "", http=None
) -> MonthlyReport:
    """The municipal centre's final acceptance of an approved report (or of its own report)."""
    report = _lock(report)
    if not can_accept(acting_user, report):
        raise PermissionDeniedError(
            "not_allowed", _("Only officers of the municipal centre may accept reports.")
        )
    _require_transition(report, ReportAction.ACCEPT)
    if report.status == ReportStatus.SUBMITTED and report.unit.parent_id is not None:
        raise ConflictError(
            "not_approved",
            _("The parent unit must approve this report before it can be accepted."),
            field="status",
        )
    now = timezone.now()
    before = snapshot(report)
    previous = report.status
    report.status = ReportStatus.ACCEPTED
    report.accepted_at = now
    _event(
        report,
        ReportAction.ACCEPT,
        actor=acting_user,
        at=now,
        comment=(comment or "").strip(),
        from_status=previous,
    )
    _save(report, before, actor=acting_user, http=http)
    return report


# Reminders ------------------------------------------------------------------------------------


@transaction.atomic
def reports_remind(*, today: dt.date | None = None) -> int:
    """Remind the staff of every unit whose report is still editable and due within its rule's
    reminder window (once a day); returns the number of reports reminded."""
    today = today or timezone.localdate()
    rules = rules_by_kind()
    due = (
        MonthlyReport.objects.editable()
        .filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=28))
        .exclude(reminded_on=today)
        .select_related("unit")
    )
    reminded = []
    for report in due:
        window = rules[report.unit.kind].reminder_days
        if (report.due_on - today).days > window:
            continue
        reminded.append(report)
    if not reminded:
        return 0
    people: dict[int, list] = {}
    for membership in Membership.objects.filter(
        unit_id__in={r.unit_id for r in reminded}, role__in=list(EDITOR_ROLES), user__is_active=True
    ).select_related("user"):
        people.setdefault(membership.unit_id, []).append(membership.user)
    now = timezone.now()
    for report in reminded:
        _notify(
            {u.pk: u for u in people.get(report.unit_id, [])}.values(),
            message=gettext_noop("Your monthly report for %(month)s is due on %(date)s."),
            params={"month": f"{report.month:%Y-%m}", "date": report.due_on.isoformat()},
            report=report,
        )
        ReportEvent.objects.create(report=report, action=ReportAction.REMIND, at=now)
    MonthlyReport.objects.filter(pk__in=[r.pk for r in reminded]).update(reminded_on=today)
    return len(reminded)
