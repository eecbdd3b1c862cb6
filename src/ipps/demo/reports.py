"""This year's monthly reports for the demo network: most approved, some returned, late or missing.

Written in bulk (figures from the same ledger selector the services use), once: a database that
already holds a submitted report for this year gets nothing new.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from ipps.core.audit import audit_record
from ipps.core.choices import AuditAction
from ipps.ledger.stats import OWN_FIGURES, own_figures
from ipps.network.choices import EDITOR_ROLES, Role, UnitKind
from ipps.network.models import Membership, ServiceUnit
from ipps.reporting.choices import ReportAction, ReportStatus
from ipps.reporting.models import MonthlyReport, ReportEvent
from ipps.reporting.selectors import month_period
from ipps.reporting.services import reports_open

WORK_DONE = (
    "本月答复企业知识产权咨询，开展专利检索与申请指导，重点服务园区高新技术企业。",
    "走访园区重点企业，了解专利布局和商标注册需求，协助两家企业制定知识产权管理制度。",
    "组织知识产权政策宣讲，推送专利资助和质押融资政策，协助企业办理商标续展。",
)
NOTABLE = (
    "协助一家软件企业应对商标侵权投诉，完成证据固定并推荐行政调解途径。",
    "为一家生物医药企业提供专利稳定性初步分析，建议补充无效检索。",
    "",
)
PROBLEMS = ("部分企业对知识产权服务认知不足，需加强宣传。", "专业检索人员不足。", "")
PLAN = (
    "下月计划走访10家重点企业，举办1场专利申请实务培训。",
    "继续推进优先名单企业全覆盖服务，完善服务台账。",
)
RETURN_COMMENTS = ("请补充典型案例的处理结果。", "走访数量与台账不一致，请核对后重新提交。")


@dataclass
class ReportsResult:
    opened: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0  # returned at least once
    late: int = 0
    missing: int = 0
    seconds: float = 0.0


def _months(today: dt.date) -> list[dt.date]:
    return [dt.date(today.year, m, 1) for m in range(1, today.month + 1)]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=ZoneInfo("Asia/Shanghai"))


def _people() -> tuple[dict[int, int], dict[int, int]]:
    """(unit → a user who writes its reports, unit → an officer who reviews them)."""
    writers: dict[int, int] = {}
    officers: dict[int, int] = {}
    for unit_id, user_id, role in Membership.objects.order_by("id").values_list(
        "unit_id", "user_id", "role"
    ):
        if role in EDITOR_ROLES:
            writers.setdefault(unit_id, user_id)
        if role in (Role.OFFICER, Role.ADMIN):
            officers.setdefault(unit_id, user_id)
    return writers, officers


def load_reports(*, seed: int, today: dt.date | None = None) -> ReportsResult:
    started = time.monotonic()
    today = today or timezone.localdate()
    result = ReportsResult()
    if MonthlyReport.objects.filter(
        month__year=today.year, first_submitted_at__isnull=False
    ).exists():
        result.seconds = time.monotonic() - started
        return result
    rng = random.Random(f"{seed}-reports")  # noqa: S311 - demo data
    with transaction.atomic():
        for month in _months(today):
            result.opened += reports_open(month=month)
        units = {u.id: u for u in ServiceUnit.objects.filter(kind__in=[k.value for k in UnitKind])}
        writers, officers = _people()
        city = next(
            (u for u in units.values() if u.kind == UnitKind.MUNICIPAL_CENTRE and not u.parent_id),
            None,
        )
        events: list[ReportEvent] = []
        changed: list[MonthlyReport] = []
        depth_order = {UnitKind.WORKSTATION: 0, UnitKind.DISTRICT_CENTRE: 1}
        for month in _months(today)[:-1]:  # this month is still running: its reports are drafts
            period = month_period(month)
            reports = sorted(
                MonthlyReport.objects.filter(month=month).select_related("unit"),
                key=lambda r: (depth_order.get(r.unit.kind, 2), r.unit.code),
            )
            figures = own_figures(unit_ids=[r.unit_id for r in reports], period=period)
            consolidated: dict[int, dict[str, int]] = {}
            recent = (today.year, today.month) == (
                (period.end + dt.timedelta(days=1)).year,
                (period.end + dt.timedelta(days=1)).month,
            )
            for report in reports:
                roll = rng.random()
                if roll < (0.12 if recent else 0.03):
                    result.missing += 1
                    continue
                late = rng.random() < 0.12
                offset = rng.randint(1, 6) if late else -rng.randint(0, 4)
                submitted = _at(report.due_on + dt.timedelta(days=offset), rng.choice((10, 15)))
                if submitted.date() > today:
                    result.missing += 1
                    continue
                writer = writers.get(report.unit_id)
                parent = report.unit.parent_id
                own = figures[report.unit_id]
                report.figures = own
                report.frozen_at = report.first_submitted_at = report.submitted_at = submitted
                report.submitted_by_id = writer
                report.on_time = not late
                report.work_done = rng.choice(WORK_DONE)
                report.notable_cases = rng.choice(NOTABLE)
                report.problems = rng.choice(PROBLEMS)
                report.next_plan = rng.choice(PLAN)
                children = [c for c in consolidated if units[c].parent_id == report.unit_id]
                if children or report.unit.kind != UnitKind.WORKSTATION:
                    values = dict(own)
                    for child in children:
                        for key in OWN_FIGURES:
                            values[key] += consolidated[child].get(key, 0)
                    expected = [
                        u.id
                        for u in units.values()
                        if u.parent_id == report.unit_id and u.kind != UnitKind.PARTNER
                    ]
                    report.consolidated = {
                        "values": values,
                        "included": sorted(children),
                        "missing": sorted(set(expected) - set(children)),
                    }
                report.status = ReportStatus.SUBMITTED
                events.append(
                    ReportEvent(
                        report=report,
                        action=ReportAction.SUBMIT,
                        from_status=ReportStatus.DRAFT,
                        to_status=ReportStatus.SUBMITTED,
                        actor_id=writer,
                        at=submitted,
                    )
                )
                result.submitted += 1
                result.late += late
                fate = rng.random()
                reviewer = officers.get(parent) if parent else officers.get(report.unit_id)
                reviewed = submitted + dt.timedelta(days=rng.randint(1, 3))
                if reviewed.date() > today or (recent and fate < 0.15):
                    changed.append(report)
                    continue  # waiting for review
                if fate < 0.2:
                    comment = rng.choice(RETURN_COMMENTS)
                    events.append(
                        ReportEvent(
                            report=report,
                            action=ReportAction.RETURN,
                            from_status=ReportStatus.SUBMITTED,
                            to_status=ReportStatus.RETURNED,
                            actor_id=reviewer,
                            comment=comment,
                            at=reviewed,
                        )
                    )
                    result.returned += 1
                    resubmitted = reviewed + dt.timedelta(days=rng.randint(1, 4))
                    if recent or resubmitted.date() > today:
                        report.status = ReportStatus.RETURNED
                        report.frozen_at = None
                        report.figures, report.consolidated = {}, {}
                        changed.append(report)
                        continue  # still with the unit
                    events.append(
                        ReportEvent(
                            report=report,
                            action=ReportAction.SUBMIT,
                            from_status=ReportStatus.RETURNED,
                            to_status=ReportStatus.SUBMITTED,
                            actor_id=writer,
                            at=resubmitted,
                        )
                    )
                    report.submitted_at = report.frozen_at = resubmitted
                    reviewed = resubmitted + dt.timedelta(days=1)
                if parent:
                    report.status = ReportStatus.APPROVED
                    report.approved_at, report.approved_by_id = reviewed, reviewer
                    events.append(
                        ReportEvent(
                            report=report,
                            action=ReportAction.APPROVE,
                            from_status=ReportStatus.SUBMITTED,
                            to_status=ReportStatus.APPROVED,
                            actor_id=reviewer,
                            at=reviewed,
                        )
                    )
                    result.approved += 1
                    consolidated[report.unit_id] = (
                        report.consolidated["values"] if report.consolidated else own
                    )
                accept_at = reviewed + dt.timedelta(days=2)
                if city and (not parent or parent == city.id) and accept_at.date() <= today:
                    previous = report.status
                    report.status = ReportStatus.ACCEPTED
                    report.accepted_at = accept_at
                    events.append(
                        ReportEvent(
                            report=report,
                            action=ReportAction.ACCEPT,
                            from_status=previous,
                            to_status=ReportStatus.ACCEPTED,
                            actor_id=officers.get(city.id),
                            at=accept_at,
                        )
                    )
                changed.append(report)
        MonthlyReport.objects.bulk_update(
            changed,
            [
                "status", "figures", "consolidated", "frozen_at", "first_submitted_at",
                "submitted_at", "submitted_by", "on_time", "approved_at", "approved_by",
                "accepted_at", "work_done", "notable_cases", "problems", "next_plan",
            ],
            batch_size=500,
        )  # fmt: skip
        ReportEvent.objects.bulk_create(events, batch_size=1000)
        audit_record(
            action=AuditAction.IMPORT,
            actor_name="ipps demo",
            object_type="demo",
            object_id=f"reports:{seed}",
            object_repr="demo monthly reports",
            changes={"submitted": result.submitted, "returned": result.returned},
        )
    result.seconds = time.monotonic() - started
    return result
