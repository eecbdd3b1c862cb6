"""Writes of the assessment and funding cycle: schemes (import, publish), evaluations (compute,
self-assess, review, appeal, publish) and funding plans (edit, simulate, publish)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ipps.assessment import engine, schemefile
from ipps.assessment.allocation import FundingPlanSpec, FundingUnit, allocate
from ipps.assessment.choices import (
    AppealStatus,
    EvaluationStatus,
    FundingMethod,
    PlanStatus,
    SchemeStatus,
)
from ipps.assessment.models import (
    MONEY,
    Appeal,
    Evaluation,
    FundingAllocation,
    FundingPlan,
    IndicatorScore,
    Scheme,
)
from ipps.assessment.permissions import can_review, can_self_assess, is_city_officer
from ipps.core.audit import audit_created, audit_record, diff, snapshot
from ipps.core.bulk import paused_gc
from ipps.core.choices import AuditAction
from ipps.core.errors import ConflictError, PermissionDeniedError, ServiceError
from ipps.core.i18n import sentence
from ipps.network.choices import UnitKind, UnitStatus
from ipps.network.models import ServiceUnit
from ipps.reporting.choices import SUBMITTED_STATUSES
from ipps.reporting.models import MonthlyReport

MAX_SCORE_TEXT = 5000


def _require_city(user) -> None:
    if not is_city_officer(user):
        raise PermissionDeniedError(
            "not_allowed", _("Only officers of the municipal centre may do this.")
        )


def _audit_update(obj, before, *, actor, http=None) -> None:
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=obj,
        changes=diff(before, snapshot(obj)),
        request=http,
    )


# Schemes --------------------------------------------------------------------------------------


def _definition(data: Any) -> dict:
    if isinstance(data, str | bytes):
        return schemefile.parse(data)
    return schemefile.validate(data)


@transaction.atomic
def scheme_import(*, source: str | bytes | Mapping, acting_user, http=None) -> Scheme:
    """A new draft scheme from a YAML file (or its parsed mapping): the next version for its year
    and unit kind. Nothing is saved unless the whole file is valid."""
    _require_city(acting_user)
    definition = _definition(source)
    text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
    if not isinstance(text, str):
        text = schemefile.dump(definition)
    latest = (
        Scheme.objects.select_for_update()
        .filter(year=definition["year"], unit_kind=definition["unit_kind"])
        .aggregate(v=Max("version"))["v"]
    )
    scheme = Scheme(
        year=definition["year"],
        unit_kind=definition["unit_kind"],
        version=(latest or 0) + 1,
        name=definition["name"],
        description=definition.get("description", ""),
        definition=definition,
        source=text,
        created_by=acting_user,
    )
    scheme.full_clean()
    scheme.save()
    audit_created(scheme, actor=acting_user, request=http)
    return scheme


@transaction.atomic
def scheme_update(
    *, scheme: Scheme, source: str | bytes | Mapping, acting_user, http=None
) -> Scheme:
    """Replace a draft scheme's definition (same year and unit kind)."""
    _require_city(acting_user)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if not scheme.is_draft:
        raise ConflictError(
            "scheme_published", _("A published scheme is locked; import a new version instead.")
        )
    definition = _definition(source)
    if (definition["year"], definition["unit_kind"]) != (scheme.year, scheme.unit_kind):
        raise ServiceError(
            "scheme_mismatch",
            _("The file is for another year or unit kind; import it as a new scheme."),
            field="year",
            status=422,
        )
    before = snapshot(scheme)
    scheme.definition = definition
    scheme.name = definition["name"]
    scheme.description = definition.get("description", "")
    text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
    scheme.source = text if isinstance(text, str) else schemefile.dump(definition)
    scheme.save()
    _audit_update(scheme, before, actor=acting_user, http=http)
    return scheme


def _units_of(scheme: Scheme) -> list[ServiceUnit]:
    return list(
        ServiceUnit.objects.filter(kind=scheme.unit_kind)
        .exclude(status=UnitStatus.CLOSED, closed_on__lt=dt.date(scheme.year, 1, 1))
        .exclude(opened_on__gt=dt.date(scheme.year, 12, 31))
        .order_by("code")
    )


@transaction.atomic
def scheme_publish(*, scheme: Scheme, acting_user, http=None) -> Scheme:
    """Publish a draft scheme: it is locked, and every unit of its kind gets an evaluation."""
    _require_city(acting_user)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if not scheme.is_draft:
        raise ConflictError("scheme_published", _("This scheme is already published."))
    other = Scheme.objects.filter(
        year=scheme.year, unit_kind=scheme.unit_kind, status=SchemeStatus.PUBLISHED
    ).first()
    if other is not None:
        raise ConflictError(
            "scheme_exists",
            _("Version %(version)d of this year's scheme is already published.")
            % {"version": other.version},
        )
    before = snapshot(scheme)
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at, scheme.published_by = timezone.now(), acting_user
    scheme.save()
    _audit_update(scheme, before, actor=acting_user, http=http)
    Evaluation.objects.bulk_create(
        [Evaluation(scheme=scheme, unit=unit, created_by=acting_user) for unit in _units_of(scheme)]
    )
    evaluations_compute(scheme=scheme)
    return scheme


# Evaluations ----------------------------------------------------------------------------------


def _scores(evaluations: Iterable[Evaluation]) -> dict[int, dict[str, IndicatorScore]]:
    by_id = {e.pk: e.unit_id for e in evaluations}
    result: dict[int, dict[str, IndicatorScore]] = {}
    for score in IndicatorScore.objects.filter(evaluation_id__in=list(by_id)):
        result.setdefault(by_id[score.evaluation_id], {})[score.indicator] = score
    return result


def evaluations_compute(*, scheme: Scheme, now: dt.datetime | None = None) -> int:
    """Recompute every evaluation of the scheme that is not published; returns how many.
    Ranks are over all of the scheme's evaluations."""
    # Overwritten: not worth reading.
    evaluations = list(scheme.evaluations.defer("computed", "cell_points"))
    if not evaluations:
        return 0
    unit_ids = [e.unit_id for e in evaluations]
    inputs = engine.gather(scheme.definition, unit_ids, _scores(evaluations))
    now = now or timezone.now()
    changed = []
    with paused_gc():
        results = engine.compute(scheme.definition, unit_ids, inputs=inputs)
        for evaluation in evaluations:
            if evaluation.is_locked:
                continue
            result = results[evaluation.unit_id]
            evaluation.computed = result.as_json()
            evaluation.cell_points = result.points_map()
            evaluation.total = result.total
            evaluation.self_total = result.self_total
            evaluation.grade = result.grade
            evaluation.rank = result.rank
            evaluation.computed_at = now
            changed.append(evaluation)
        _update_many(
            changed,
            ["computed", "cell_points", "total", "self_total", "grade", "rank", "computed_at"],
        )
    return len(changed)


def _update_many(rows: list, fields: list[str]) -> None:
    """UPDATE … WHERE id = … for every row in one executemany: bulk_update's CASE WHEN per
    field costs seconds for a thousand evaluations with large JSON cells."""
    if not rows:
        return
    model = type(rows[0])
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table),
        ", ".join(f"{quote(c.column)} = %s" for c in columns),
        quote(model._meta.pk.column),
    )
    params = [
        [c.get_db_prep_save(getattr(row, c.attname), connection) for c in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _indicator(evaluation: Evaluation, code: str) -> dict:
    for indicator in evaluation.scheme.indicators():
        if indicator["code"] == code:
            return indicator
    raise ServiceError(
        "unknown_indicator",
        _("The scheme has no indicator %(code)s.") % {"code": code},
        field="indicator",
        status=422,
    )


def _decimal(raw: Any, field: str, *, maximum: Decimal | None = None) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise ServiceError("bad_number", _("Enter a number of 0 or more."), field=field, status=422)
    if maximum is not None and value > maximum:
        raise ServiceError(
            "above_maximum",
            _("At most %(max)s.") % {"max": engine.fmt(maximum)},
            field=field,
            status=422,
        )
    return value.quantize(Decimal("0.01")) if field.endswith("score") else value


def _refuse_score_on_deduction(indicator: dict, item: Mapping[str, Any], i: int) -> None:
    if indicator["rule"]["type"] == "deduction" and item.get("score") not in (None, ""):
        raise ServiceError(
            "score_on_deduction",
            _("A deduction is scored from its number of events: enter the value, not a score."),
            field=f"scores[{i}].score",
            status=422,
        )


def _lock_evaluation(evaluation: Evaluation) -> Evaluation:
    return (
        Evaluation.objects.select_for_update()
        .select_related("scheme", "unit")
        .get(pk=evaluation.pk)
    )


def _require_open(evaluation: Evaluation) -> None:
    if evaluation.is_locked:
        raise ConflictError("evaluation_published", _("A published evaluation is locked."))


@transaction.atomic
def evaluation_self_score(
    *,
    evaluation: Evaluation,
    scores: list[Mapping[str, Any]],
    submit: bool = False,
    acting_user,
    http=None,
) -> Evaluation:
    """The unit's self-assessment: a score, a value (for indicators entered by hand) and
    evidence per indicator; `submit` sends it to review."""
    evaluation = _lock_evaluation(evaluation)
    if not can_self_assess(acting_user, evaluation.unit):
        raise PermissionDeniedError(
            "not_allowed", _("Only staff of the unit may fill in its self-assessment.")
        )
    _require_open(evaluation)
    if evaluation.status != EvaluationStatus.SELF_ASSESSMENT:
        raise ConflictError(
            "self_assessment_closed",
            _("The self-assessment was submitted; the review has started."),
        )
    for i, item in enumerate(scores):
        indicator = _indicator(evaluation, str(item.get("indicator", "")))
        points = Decimal(indicator["points"])
        _refuse_score_on_deduction(indicator, item, i)
        score, _created = IndicatorScore.objects.get_or_create(
            evaluation=evaluation, indicator=indicator["code"]
        )
        before = snapshot(score)
        if "score" in item:
            score.self_score = _decimal(item["score"], f"scores[{i}].score", maximum=points)
        if "value" in item:
            score.self_value = _decimal(item["value"], f"scores[{i}].value")
        if "evidence" in item:
            score.evidence = str(item["evidence"] or "").strip()[:MAX_SCORE_TEXT]
        score.save()
        _audit_update(score, before, actor=acting_user, http=http)
    if submit:
        before = snapshot(evaluation)
        evaluation.status = EvaluationStatus.UNDER_REVIEW
        evaluation.self_submitted_at = timezone.now()
        evaluation.save(update_fields=["status", "self_submitted_at", "updated_at"])
        _audit_update(evaluation, before, actor=acting_user, http=http)
    evaluations_compute(scheme=evaluation.scheme)
    return Evaluation.objects.get(pk=evaluation.pk)


@transaction.atomic
def evaluation_review(
    *,
    evaluation: Evaluation,
    scores: list[Mapping[str, Any]],
    finish: bool = False,
    acting_user,
    http=None,
) -> Evaluation:
    """The reviewer's score (or yes/no judgement, or value) per indicator, each with a comment;
    `finish` completes the review and opens the appeal window."""
    evaluation = _lock_evaluation(evaluation)
    if not can_review(acting_user, evaluation.unit):
        raise PermissionDeniedError(
            "not_allowed", _("Only officers of the parent unit or the municipal centre may review.")
        )
    _require_open(evaluation)
    if evaluation.status == EvaluationStatus.REVIEWED and scores:
        raise ConflictError(
            "review_finished",
            _("The review is finished; changes now go through an appeal."),
        )
    for i, item in enumerate(scores):
        indicator = _indicator(evaluation, str(item.get("indicator", "")))
        points = Decimal(indicator["points"])
        _refuse_score_on_deduction(indicator, item, i)
        score, _created = IndicatorScore.objects.get_or_create(
            evaluation=evaluation, indicator=indicator["code"]
        )
        before = snapshot(score)
        if "score" in item:
            score.review_score = _decimal(item["score"], f"scores[{i}].score", maximum=points)
        if "value" in item:
            score.review_value = _decimal(item["value"], f"scores[{i}].value")
        if "judgement" in item:
            judgement = item["judgement"]
            if judgement is not None and not isinstance(judgement, bool):
                raise ServiceError(
                    "bad_judgement",
                    _("Answer yes or no."),
                    field=f"scores[{i}].judgement",
                    status=422,
                )
            score.review_judgement = judgement
        if "comment" in item:
            score.review_comment = str(item["comment"] or "").strip()[:MAX_SCORE_TEXT]
        if score.review_score is not None and not score.review_comment:
            raise ServiceError(
                "comment_required",
                _("Say why you set this score: a reviewer's score needs a comment."),
                field=f"scores[{i}].comment",
                status=422,
            )
        score.reviewed_by = acting_user
        score.save()
        _audit_update(score, before, actor=acting_user, http=http)
    if finish:
        before = snapshot(evaluation)
        now = timezone.now()
        evaluation.status = EvaluationStatus.REVIEWED
        evaluation.reviewed_at, evaluation.reviewed_by = now, acting_user
        days = int(evaluation.scheme.definition.get("appeal_days", 10))
        evaluation.appeal_until = timezone.localtime(now).date() + dt.timedelta(days=days)
        evaluation.save()
        _audit_update(evaluation, before, actor=acting_user, http=http)
    evaluations_compute(scheme=evaluation.scheme)
    return Evaluation.objects.get(pk=evaluation.pk)


@transaction.atomic
def appeal_file(
    *, evaluation: Evaluation, reason: str, indicator: str = "", acting_user, http=None
) -> Appeal:
    evaluation = _lock_evaluation(evaluation)
    if not can_self_assess(acting_user, evaluation.unit):
        raise PermissionDeniedError("not_allowed", _("Only staff of the unit may appeal."))
    if evaluation.status != EvaluationStatus.REVIEWED:
        raise ConflictError(
            "appeal_not_open", _("An appeal can be made once the review is finished.")
        )
    if timezone.localdate() > evaluation.appeal_until:
        raise ConflictError(
            "appeal_window_closed",
            _("Appeals could be made until %(date)s.")
            % {"date": evaluation.appeal_until.isoformat()},
        )
    if indicator:
        _indicator(evaluation, indicator)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ServiceError(
            "reason_required",
            _("Say why you appeal (at least 5 characters)."),
            field="reason",
            status=422,
        )
    appeal = Appeal.objects.create(
        evaluation=evaluation,
        indicator=indicator,
        reason=reason[:MAX_SCORE_TEXT],
        total_before=evaluation.total,
        created_by=acting_user,
    )
    audit_created(appeal, actor=acting_user, request=http)
    return appeal


@transaction.atomic
def appeal_decide(
    *,
    appeal: Appeal,
    upheld: bool,
    decision: str,
    score: Any = None,
    acting_user,
    http=None,
) -> Appeal:
    """The municipal centre decides an appeal; an upheld appeal on an indicator may set its
    score, which recomputes the totals and ranks."""
    _require_city(acting_user)
    appeal = (
        Appeal.objects.select_for_update().select_related("evaluation__scheme").get(pk=appeal.pk)
    )
    if appeal.status != AppealStatus.OPEN:
        raise ConflictError("appeal_decided", _("This appeal is already decided."))
    decision = (decision or "").strip()
    if not decision:
        raise ServiceError(
            "decision_required",
            _("Write the decision and its reasons."),
            field="decision",
            status=422,
        )
    evaluation = appeal.evaluation
    if upheld and appeal.indicator and score is not None:
        indicator = _indicator(evaluation, appeal.indicator)
        value = _decimal(score, "score", maximum=Decimal(indicator["points"]))
        row, _created = IndicatorScore.objects.get_or_create(
            evaluation=evaluation, indicator=appeal.indicator
        )
        before = snapshot(row)
        row.review_score = value
        row.review_comment = _("Appeal upheld: %(decision)s") % {"decision": decision}
        row.reviewed_by = acting_user
        row.save()
        _audit_update(row, before, actor=acting_user, http=http)
    before = snapshot(appeal)
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decision = decision[:MAX_SCORE_TEXT]
    appeal.decided_by, appeal.decided_at = acting_user, timezone.now()
    evaluations_compute(scheme=evaluation.scheme)
    appeal.total_after = Evaluation.objects.get(pk=evaluation.pk).total
    appeal.save()
    _audit_update(appeal, before, actor=acting_user, http=http)
    return appeal


@transaction.atomic
def evaluation_publish(*, evaluation: Evaluation, acting_user, http=None) -> Evaluation:
    """Publish and lock a reviewed evaluation once its appeal window is over and its appeals
    are decided."""
    _require_city(acting_user)
    evaluation = _lock_evaluation(evaluation)
    _require_open(evaluation)
    if evaluation.status != EvaluationStatus.REVIEWED:
        raise ConflictError("not_reviewed", _("Only a reviewed evaluation can be published."))
    if evaluation.appeal_until and timezone.localdate() <= evaluation.appeal_until:
        raise ConflictError(
            "appeal_window_open",
            _("Appeals can be made until %(date)s; publish after that day.")
            % {"date": evaluation.appeal_until.isoformat()},
        )
    if evaluation.appeals.filter(status=AppealStatus.OPEN).exists():
        raise ConflictError("appeal_open", _("Decide the open appeals first."))
    evaluations_compute(scheme=evaluation.scheme)
    evaluation.refresh_from_db()
    before = snapshot(evaluation)
    evaluation.status = EvaluationStatus.PUBLISHED
    evaluation.published_at = timezone.now()
    evaluation.save()
    _audit_update(evaluation, before, actor=acting_user, http=http)
    return evaluation


# Funding --------------------------------------------------------------------------------------

PLAN_FIELDS = (
    "name", "budget", "base_by_kind", "method", "grade_coefficients", "floor", "cap", "deductions",
)  # fmt: skip
DEDUCTION_MEASURES = ("late_reports", "missing_reports", "indicator_shortfall")


# What a money column holds (16 digits, 2 of them decimals): larger amounts cannot be stored.
MAX_AMOUNT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])


def _money(raw: Any, field: str, *, required: bool = False) -> Decimal | None:
    if raw is None or raw == "":
        if required:
            raise ServiceError("required", _("This field is required."), field=field, status=422)
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise ServiceError(
            "bad_amount", _("Enter an amount in yuan of 0 or more."), field=field, status=422
        )
    if value >= MAX_AMOUNT:
        raise ServiceError(
            "bad_amount",
            _("Enter an amount below %(limit)s yuan.") % {"limit": f"{MAX_AMOUNT:,.0f}"},
            field=field,
            status=422,
        )
    if value != value.quantize(Decimal("0.01")):
        raise ServiceError(
            "bad_amount", _("Amounts are in yuan with at most 2 decimals."), field=field, status=422
        )
    return value


def _clean_plan(data: Mapping[str, Any], scheme: Scheme) -> dict[str, Any]:
    unknown = set(data) - set(PLAN_FIELDS) - {"scheme", "year"}
    if unknown:
        field = sorted(unknown)[0]
        raise ServiceError("unknown_field", _("Unknown field."), field=field, status=422)
    clean: dict[str, Any] = {}
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not name:
            raise ServiceError("required", _("This field is required."), field="name", status=422)
        clean["name"] = name[:200]
    if "budget" in data:
        clean["budget"] = _money(data["budget"], "budget", required=True)
    if "base_by_kind" in data:
        bases = data["base_by_kind"] or {}
        if not isinstance(bases, Mapping):
            raise ServiceError(
                "bad_bases", _("Give an amount per unit kind."), field="base_by_kind", status=422
            )
        clean["base_by_kind"] = {}
        for kind, amount in bases.items():
            if kind not in UnitKind.values:
                raise ServiceError(
                    "unknown_kind",
                    _("Unknown unit kind."),
                    field=f"base_by_kind.{kind}",
                    status=422,
                )
            clean["base_by_kind"][kind] = str(_money(amount, f"base_by_kind.{kind}", required=True))
    if "method" in data:
        if data["method"] not in FundingMethod.values:
            raise ServiceError(
                "bad_method", _("Choose proportional or grade."), field="method", status=422
            )
        clean["method"] = data["method"]
    if "grade_coefficients" in data:
        coefficients = data["grade_coefficients"] or {}
        grades = {g["grade"] for g in scheme.definition["grades"]}
        clean["grade_coefficients"] = {}
        for grade, value in dict(coefficients).items():
            if grade not in grades:
                raise ServiceError(
                    "unknown_grade",
                    _("The scheme has no grade %(grade)s.") % {"grade": grade},
                    field=f"grade_coefficients.{grade}",
                    status=422,
                )
            clean["grade_coefficients"][grade] = str(_decimal(value, f"grade_coefficients.{grade}"))
    for key in ("floor", "cap"):
        if key in data:
            clean[key] = _money(data[key], key)
    if "deductions" in data:
        clean["deductions"] = _clean_deductions(data["deductions"] or [], scheme)
    return clean


def _clean_deductions(items: Any, scheme: Scheme) -> list[dict]:
    if not isinstance(items, list):
        raise ServiceError(
            "bad_deductions", _("Give a list of deductions."), field="deductions", status=422
        )
    codes = {i["code"] for i in scheme.indicators()}
    out = []
    for i, item in enumerate(items):
        path = f"deductions[{i}]"
        if not isinstance(item, Mapping):
            raise ServiceError(
                "bad_deductions", _("Each deduction is a mapping."), field=path, status=422
            )
        measure = item.get("measure")
        if measure not in DEDUCTION_MEASURES:
            raise ServiceError(
                "bad_measure",
                _("measure must be one of: %(allowed)s.")
                % {"allowed": ", ".join(DEDUCTION_MEASURES)},
                field=f"{path}.measure",
                status=422,
            )
        clean = {
            "name": str(item.get("name") or measure)[:200],
            "measure": measure,
            "amount": str(_money(item.get("amount"), f"{path}.amount", required=True)),
        }
        if item.get("cap") not in (None, ""):
            clean["cap"] = str(_money(item.get("cap"), f"{path}.cap"))
        if measure == "indicator_shortfall":
            if item.get("indicator") not in codes:
                raise ServiceError(
                    "unknown_indicator",
                    _("The scheme has no indicator %(code)s.") % {"code": item.get("indicator")},
                    field=f"{path}.indicator",
                    status=422,
                )
            clean["indicator"] = item["indicator"]
        out.append(clean)
    return out


def _require_draft(plan: FundingPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ConflictError("plan_published", _("A published funding plan is locked."))


@transaction.atomic
def plan_create(*, data: Mapping[str, Any], acting_user, http=None) -> FundingPlan:
    _require_city(acting_user)
    scheme = Scheme.objects.filter(pk=data.get("scheme")).first()
    if scheme is None:
        raise ServiceError(
            "unknown_scheme", _("Choose an assessment scheme."), field="scheme", status=422
        )
    clean = _clean_plan({k: v for k, v in data.items() if k not in ("scheme", "year")}, scheme)
    if "budget" not in clean:
        raise ServiceError("required", _("This field is required."), field="budget", status=422)
    plan = FundingPlan(
        year=scheme.year,
        scheme=scheme,
        name=clean.pop("name", "") or _("Funding %(year)d") % {"year": scheme.year},
        created_by=acting_user,
        **clean,
    )
    plan.save()
    audit_created(plan, actor=acting_user, request=http)
    return plan


@transaction.atomic
def plan_update(
    *, plan: FundingPlan, data: Mapping[str, Any], acting_user, http=None
) -> FundingPlan:
    _require_city(acting_user)
    plan = FundingPlan.objects.select_for_update().select_related("scheme").get(pk=plan.pk)
    _require_draft(plan)
    clean = _clean_plan(data, plan.scheme)
    before = snapshot(plan)
    for key, value in clean.items():
        setattr(plan, key, value)
    plan.simulation, plan.simulated_at = {}, None  # the old simulation no longer applies
    plan.save()
    _audit_update(plan, before, actor=acting_user, http=http)
    return plan


def _scores_for(plan: FundingPlan) -> tuple[dict[int, tuple[Decimal, str, dict]], bool]:
    """Unit → (score, grade, points per indicator) from the scheme's evaluations, or — while the scheme has
    none — provisional scores computed now. Second value: every evaluation is published."""
    evaluations = list(plan.scheme.evaluations.defer("computed"))  # large; points suffice
    if evaluations:
        return {
            e.unit_id: (e.total or Decimal(0), e.grade, e.cell_points) for e in evaluations
        }, all(e.is_locked for e in evaluations)
    units = [u.id for u in _units_of(plan.scheme)]
    results = engine.compute(plan.scheme.definition, units)
    return {u: (r.total, r.grade, r.points_map()) for u, r in results.items()}, False


def _deduction_counts(plan: FundingPlan, unit_ids: list[int]) -> dict[int, dict[str, int]]:
    today = timezone.localdate()
    counts = {u: {"late_reports": 0, "missing_reports": 0} for u in unit_ids}
    for unit_id, status, on_time, due_on in MonthlyReport.objects.filter(
        unit_id__in=unit_ids, month__year=plan.year
    ).values_list("unit_id", "status", "on_time", "due_on"):
        if on_time is False:
            counts[unit_id]["late_reports"] += 1
        if status not in SUBMITTED_STATUSES and on_time is None and due_on < today:
            counts[unit_id]["missing_reports"] += 1
    return counts


def _deduction(plan: FundingPlan, unit_id: int, counts, points) -> tuple[Decimal, list[dict]]:
    total, lines = Decimal(0), []
    by_code = points or {}
    for item in plan.deductions:
        amount = Decimal(item["amount"])
        if item["measure"] == "indicator_shortfall":
            cell = by_code.get(item["indicator"])
            quantity = Decimal(cell[1]) - Decimal(cell[0]) if cell else Decimal(0)
            quantity = max(quantity, Decimal(0))
        else:
            quantity = Decimal(counts[unit_id][item["measure"]])
        value = (quantity * amount).quantize(Decimal("0.01"))
        numbers = {
            "name": item["name"],
            "quantity": engine.fmt(quantity),
            "amount": engine.fmt(amount),
            "value": engine.fmt(value),
        }
        if item.get("cap") is not None and value > Decimal(item["cap"]):
            value = Decimal(item["cap"])
            line = sentence(
                gettext_noop(
                    "%(name)s: %(quantity)s × %(amount)s yuan = %(value)s yuan, capped at "
                    "%(cap)s yuan"
                ),
                **numbers,
                cap=engine.fmt(value),
            )
        else:
            line = sentence(
                gettext_noop("%(name)s: %(quantity)s × %(amount)s yuan = %(value)s yuan"),
                **numbers,
            )
        if value:
            total += value
            lines.append(line)
    return total, lines


def plan_compute(plan: FundingPlan) -> dict[str, Any]:
    """Allocate the plan (without saving): per unit its score, grade, deductions and amount."""
    scores, final = _scores_for(plan)
    units = {u.id: u for u in ServiceUnit.objects.filter(id__in=list(scores))}
    counts = _deduction_counts(plan, list(scores))
    funding_units, deduction_lines = [], {}
    for unit_id, (score, grade, points) in scores.items():
        deduction, lines = _deduction(plan, unit_id, counts, points)
        deduction_lines[unit_id] = lines
        funding_units.append(
            FundingUnit(
                unit_id=unit_id,
                kind=units[unit_id].kind,
                score=Decimal(score),
                grade=grade or None,
                deduction=deduction,
            )
        )
    spec = FundingPlanSpec(
        budget=plan.budget,
        base_by_kind={k: Decimal(v) for k, v in plan.base_by_kind.items()},
        method=plan.method,
        grade_coefficients={k: Decimal(v) for k, v in plan.grade_coefficients.items()},
        floor=plan.floor,
        cap=plan.cap,
    )
    result = allocate(spec, funding_units)
    rows = []
    for allocation in result.units:
        unit = units[allocation.unit_id]
        score, grade, _cells = scores[allocation.unit_id]
        rows.append(
            {
                **allocation.as_dict(),
                "unit_code": unit.code,
                "unit_name": str(unit),
                "score": engine.fmt(Decimal(score)),
                "grade": grade,
                "deduction_sentences": deduction_lines[allocation.unit_id],
            }
        )
    rows.sort(key=lambda r: (-Decimal(r["total"]), r["unit_code"]))
    return {
        "budget": str(result.budget),
        "pool": str(result.pool),
        "deducted": str(result.deducted),
        "method": result.method,
        "total": str(sum((Decimal(r["total"]) for r in rows), Decimal(0))),
        "final": final,
        "units": rows,
    }


@transaction.atomic
def plan_simulate(*, plan: FundingPlan, acting_user, http=None) -> FundingPlan:
    """Compute the allocation and keep it on the plan for everyone to inspect before publishing."""
    _require_city(acting_user)
    plan = FundingPlan.objects.select_for_update().select_related("scheme").get(pk=plan.pk)
    _require_draft(plan)
    plan.simulation = plan_compute(plan)
    plan.simulated_at = timezone.now()
    plan.save(update_fields=["simulation", "simulated_at", "updated_at"])
    return plan


@transaction.atomic
def plan_publish(*, plan: FundingPlan, acting_user, http=None) -> FundingPlan:
    """Publish and lock the plan: its allocation is computed once more from the published
    evaluations and written per unit."""
    _require_city(acting_user)
    plan = FundingPlan.objects.select_for_update().select_related("scheme").get(pk=plan.pk)
    _require_draft(plan)
    if plan.simulated_at is None:
        raise ConflictError("not_simulated", _("Simulate the plan before publishing it."))
    computed = plan_compute(plan)
    if not computed["final"]:
        raise ConflictError(
            "evaluations_not_published",
            _("Every evaluation of the scheme must be published before the funding is."),
        )
    if computed["units"] != plan.simulation.get("units"):
        raise ConflictError(
            "simulation_stale",
            _("The figures changed since the last simulation; simulate again and check them."),
        )
    FundingAllocation.objects.bulk_create(
        [
            FundingAllocation(
                plan=plan,
                unit_id=row["unit_id"],
                score=Decimal(row["score"]),
                grade=row["grade"],
                base=Decimal(row["base"]),
                performance=Decimal(row["performance"]),
                deduction=Decimal(row["deduction"]),
                total=Decimal(row["total"]),
                detail=row,
            )
            for row in computed["units"]
        ]
    )
    before = snapshot(plan)
    plan.status = PlanStatus.PUBLISHED
    plan.published_at, plan.published_by = timezone.now(), acting_user
    plan.save()
    _audit_update(plan, before, actor=acting_user, http=http)
    return plan
