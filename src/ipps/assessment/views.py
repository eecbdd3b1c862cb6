"""Pages of the assessment and funding cycle: schemes (import, read, publish), evaluations
(every cell explained; self-assessment, review, appeals, publication) and funding plans
(create, edit, simulate, publish, export). Every write goes through ipps.assessment.services;
a service's refusal is shown on the page with its HTTP status, keeping what was typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipps.assessment import engine, exports, schemefile, selectors, services
from ipps.assessment.allocation import localized_row
from ipps.assessment.choices import EvaluationStatus, PlanStatus, SchemeStatus, ValueSource
from ipps.assessment.forms import (
    FUNDED_KINDS,
    MEASURE_LABELS,
    AppealForm,
    DecisionForm,
    PlanForm,
    ReviewForm,
    SchemeUploadForm,
    SelfAssessmentForm,
    scores_by_indicator,
)
from ipps.assessment.models import Appeal, Evaluation, FundingPlan, Scheme
from ipps.assessment.permissions import can_review, can_self_assess, is_city_officer
from ipps.assessment.rules import fmt, fmt_percent
from ipps.core.errors import ServiceError
from ipps.enterprises.forms import _style, add_service_errors
from ipps.network.choices import UnitKind
from ipps.network.models import ServiceUnit
from ipps.network.scope import is_staff_user
from ipps.reporting.selectors import DERIVED, FIGURE_LABELS

PAGE_SIZE = 50
RANKING_PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff(request) -> None:
    if not is_staff_user(request.user) or getattr(request.user, "enterprise_id", None):
        raise Http404


def _error_status(exc: Exception) -> int:
    return getattr(exc, "status", 400) if isinstance(exc, ServiceError) else 400


# Display --------------------------------------------------------------------------------------


def money(value: Any) -> str:
    """Yuan with 2 decimals and thousands separators, the same in every language."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.2f}"


def _number(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def rule_summary(rule: Mapping, points: Any) -> str:
    """A scoring rule in one line, e.g. "tiered: ≥100% → 100%, ≥90% → 60%"."""
    kind = rule["type"]
    cap = fmt(_number(rule.get("cap", points)))
    if kind in ("tiered", "bands"):
        steps = ", ".join(
            f"≥{fmt_percent(_number(s['at_least']))} → {fmt_percent(_number(s['share']))}"
            for s in rule["tiers" if kind == "tiered" else "bands"]
        )
        if kind == "tiered":
            text = _("tiered (share of the target reached → share of the points): %(steps)s") % {
                "steps": steps
            }
        else:
            text = _("bands (value → share of the points): %(steps)s") % {"steps": steps}
    elif kind == "linear":
        text = _("linear: points × value ÷ target, at most %(cap)s points") % {"cap": cap}
    elif kind == "bonus":
        text = _("bonus: %(per_unit)s points per unit above the target, at most %(cap)s") % {
            "per_unit": fmt(_number(rule["per_unit"])),
            "cap": cap,
        }
    elif kind == "per_event":
        text = _("%(per_event)s points per event, at most %(cap)s") % {
            "per_event": fmt(_number(rule["per_event"])),
            "cap": cap,
        }
    elif kind == "judgement":
        text = (
            _("yes/no judgement by the reviewer; a yes needs evidence")
            if rule.get("requires_evidence")
            else _("yes/no judgement by the reviewer")
        )
    elif kind == "deduction":
        text = _("deduction: −%(per_event)s points per event, at most −%(cap)s") % {
            "per_event": fmt(_number(rule["per_event"])),
            "cap": cap,
        }
    else:  # pragma: no cover - schemes are validated on import
        text = kind
    if rule.get("description"):
        text = f"{text} ({rule['description']})"
    return text


def source_summary(spec: Mapping) -> tuple[str, str]:
    """(where the value comes from, which figure) of an indicator's value specification."""
    source = spec["source"]
    label = str(ValueSource(source).label)
    if source == "ledger":
        detail = str(FIGURE_LABELS.get(spec["kind"], spec["kind"]))
        filters = [f"{k}={spec[k]}" for k in schemefile.LEDGER_FILTERS if spec.get(k)]
        return label, f"{detail} ({', '.join(filters)})" if filters else detail
    if source == "figure":
        return label, str(FIGURE_LABELS.get(spec["figure"], spec["figure"]))
    if source == "share":
        labels = {key: str(text) for key, _n, _d, text in DERIVED}
        return label, labels.get(spec["share"], spec["share"])
    if source == "reports":
        return label, spec["measure"]
    if source == "formula":
        return label, spec["formula"]
    return label, ""


@dataclass
class IndicatorView:
    code: str
    name: str
    description: str
    points: str
    source: str
    source_detail: str
    is_formula: bool
    target: str
    target_units: list[tuple[str, str]]
    rule: str
    is_deduction: bool


@dataclass
class AreaView:
    code: str
    name: str
    points: str
    indicators: list[IndicatorView] = field(default_factory=list)


def scheme_tree(definition: Mapping) -> list[AreaView]:
    areas = []
    for area in definition["areas"]:
        view = AreaView(area["code"], area["name"], "0")
        total = Decimal(0)
        for indicator in area["indicators"]:
            rule = indicator["rule"]
            target = indicator.get("target") or {}
            default = target.get("default") or rule.get("target")
            source, detail = source_summary(indicator["value"])
            if rule["type"] != "deduction":
                total += Decimal(indicator["points"])
            view.indicators.append(
                IndicatorView(
                    code=indicator["code"],
                    name=indicator["name"],
                    description=indicator.get("description", ""),
                    points=fmt(Decimal(indicator["points"])),
                    source=source,
                    source_detail=detail,
                    is_formula=indicator["value"]["source"] == "formula",
                    target=fmt(_number(default)) if default is not None else "",
                    target_units=sorted(target.get("units", {}).items()),
                    rule=rule_summary(rule, indicator["points"]),
                    is_deduction=rule["type"] == "deduction",
                )
            )
        view.points = fmt(total)
        areas.append(view)
    return areas


def grade_labels(definition: Mapping) -> dict[str, str]:
    return {g["grade"]: g.get("label") or g["grade"] for g in definition.get("grades", [])}


def _with_grade_labels(evaluations) -> list[Evaluation]:
    rows = list(evaluations)
    for evaluation in rows:
        evaluation.grade_label = grade_labels(evaluation.scheme.definition).get(
            evaluation.grade, evaluation.grade
        )
    return rows


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


# Schemes --------------------------------------------------------------------------------------


def _scheme(request, pk: int) -> Scheme:
    return get_object_or_404(Scheme.objects.visible_to(request.user), pk=pk)


def _render_index(request, *, upload=None, error_path=None, status=200):
    city = is_city_officer(request.user)
    schemes = Scheme.objects.visible_to(request.user).order_by("-year", "unit_kind", "-version")
    page = Paginator(selectors.evaluation_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = _with_grade_labels(page.object_list)
    context = {
        "schemes": list(schemes),
        "page": page,
        "is_city": city,
        "upload": upload or (SchemeUploadForm() if city else None),
        "error_path": error_path,
    }
    return render(request, "assessment/index.html", context, status=status)


@login_required
def index(request):
    _staff(request)
    return _render_index(request)


def _uploaded(form: SchemeUploadForm) -> bytes | None:
    """The uploaded file's bytes, or None with an error on the form."""
    upload = form.cleaned_data["file"]
    if upload.size and upload.size > schemefile.MAX_BYTES:
        form.add_error("file", _("The file is larger than 512 KB."))
        return None
    return upload.read()


def _scheme_error(form: SchemeUploadForm, exc: Exception) -> str | None:
    """Put a service's refusal on the upload form; returns the path in the file it names."""
    if isinstance(exc, ServiceError):
        form.add_error("file", exc.message)
        _style(form)
        return exc.field
    add_service_errors(form, exc)
    return None


@login_required
@require_POST
def scheme_import(request):
    _staff(request)
    form = SchemeUploadForm(request.POST, request.FILES)
    content = _uploaded(form) if form.is_valid() else None
    if content is None:
        return _render_index(request, upload=form, status=400)
    try:
        scheme = services.scheme_import(source=content, acting_user=request.user, http=request)
    except (ServiceError, ValidationError) as exc:
        path = _scheme_error(form, exc)
        return _render_index(request, upload=form, error_path=path, status=_error_status(exc))
    messages.success(
        request,
        _("The scheme is imported as draft version %(version)d.") % {"version": scheme.version},
    )
    return redirect("assessment:scheme", pk=scheme.pk)


def _render_scheme(request, scheme, *, upload=None, error=None, error_path=None, status=200):
    city = is_city_officer(request.user)
    ranking = Paginator(
        selectors.evaluation_list(user=request.user, scheme=scheme.pk), RANKING_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    ranking.object_list = _with_grade_labels(ranking.object_list)
    can_manage = city and scheme.is_draft
    context = {
        "scheme": scheme,
        "areas": scheme_tree(scheme.definition),
        "grades": scheme.definition.get("grades", []),
        "max_points": fmt(scheme.max_points),
        "unit_kind": UnitKind(scheme.unit_kind).label,
        "can_manage": can_manage,
        "upload": upload or (SchemeUploadForm() if can_manage else None),
        "page": ranking,
        "error": error,
        "error_path": error_path,
    }
    return render(request, "assessment/scheme.html", context, status=status)


@login_required
def scheme_detail(request, pk: int):
    _staff(request)
    return _render_scheme(request, _scheme(request, pk))


@login_required
def scheme_yaml(request, pk: int):
    _staff(request)
    scheme = _scheme(request, pk)
    response = HttpResponse(
        schemefile.dump(scheme.definition), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="scheme-{scheme.year}-{scheme.unit_kind}-v{scheme.version}.yaml"'
    )
    return response


@login_required
@require_POST
def scheme_publish(request, pk: int):
    _staff(request)
    scheme = _scheme(request, pk)
    try:
        scheme = services.scheme_publish(scheme=scheme, acting_user=request.user, http=request)
    except ServiceError as exc:
        return _render_scheme(request, scheme, error=exc.message, status=_error_status(exc))
    count = scheme.evaluations.count()
    messages.success(
        request,
        _("The scheme is published and locked; %(count)d evaluations are open.") % {"count": count},
    )
    return redirect("assessment:scheme", pk=pk)


@login_required
@require_POST
def scheme_replace(request, pk: int):
    _staff(request)
    scheme = _scheme(request, pk)
    form = SchemeUploadForm(request.POST, request.FILES)
    content = _uploaded(form) if form.is_valid() else None
    if content is None:
        return _render_scheme(request, scheme, upload=form, status=400)
    try:
        services.scheme_update(
            scheme=scheme, source=content, acting_user=request.user, http=request
        )
    except (ServiceError, ValidationError) as exc:
        path = _scheme_error(form, exc)
        return _render_scheme(
            request, _scheme(request, pk), upload=form, error_path=path, status=_error_status(exc)
        )
    messages.success(request, _("The draft scheme is replaced by the new file."))
    return redirect("assessment:scheme", pk=pk)


# Evaluations ----------------------------------------------------------------------------------


def _evaluation(request, pk: int) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.visible_to(request.user).select_related(
            "unit", "unit__parent", "scheme"
        ),
        pk=pk,
    )


def _cells(evaluation: Evaluation) -> list[dict]:
    areas = {a["code"]: a["name"] for a in evaluation.scheme.definition.get("areas", [])}
    cells = []
    stored = (evaluation.computed or {}).get("cells", [])
    for cell in engine.localized_cells(evaluation.scheme.definition, stored):
        cells.append(
            {
                **cell,
                "area_name": areas.get(cell["area"], cell["area"]),
                "value_text": _value_text(cell["value"]),
                "is_negative": cell["points"].startswith("-"),
            }
        )
    return cells


def _form_rows(form, cells: list[dict]) -> list[dict]:
    """One row per indicator of a per-indicator form, with its computed cell beside it."""
    if form is None:
        return []
    by_code = {c["code"]: c for c in cells}
    return [
        {
            "code": indicator["code"],
            "name": indicator["name"],
            "cell": by_code.get(indicator["code"], {}),
            "fields": fields,
        }
        for indicator, fields in form.rows()
    ]


def _render_evaluation(request, evaluation, *, bound=None, error=None, status=200):
    bound = bound or {}
    user, unit = request.user, evaluation.unit
    today = timezone.localdate()
    status_now = evaluation.status
    indicators = evaluation.scheme.indicators()
    scores = scores_by_indicator(evaluation)
    city = is_city_officer(user)
    staff_of_unit = can_self_assess(user, unit)
    can_self = status_now == EvaluationStatus.SELF_ASSESSMENT and staff_of_unit
    can_review_now = status_now in (
        EvaluationStatus.SELF_ASSESSMENT,
        EvaluationStatus.UNDER_REVIEW,
    ) and can_review(user, unit)
    appeal_open = (
        status_now == EvaluationStatus.REVIEWED
        and evaluation.appeal_until is not None
        and today <= evaluation.appeal_until
    )
    appeals = list(evaluation.appeals.select_related("decided_by").order_by("created_at"))
    decide_bound = bound.get("decide")
    for appeal in appeals:
        appeal.decide_form = None
        if city and appeal.status == "open" and not evaluation.is_locked:
            if decide_bound and decide_bound[0] == appeal.pk:
                appeal.decide_form = decide_bound[1]
            else:
                appeal.decide_form = DecisionForm(
                    prefix=f"appeal-{appeal.pk}", with_score=bool(appeal.indicator)
                )
    names = {i["code"]: i["name"] for i in indicators}
    for appeal in appeals:
        appeal.indicator_name = names.get(appeal.indicator, "")
    self_form = bound.get("self") or (
        SelfAssessmentForm(indicators=indicators, initial=SelfAssessmentForm.initial_from(scores))
        if can_self
        else None
    )
    review_form = bound.get("review") or (
        ReviewForm(indicators=indicators, initial=ReviewForm.initial_from(scores))
        if can_review_now
        else None
    )
    cells = _cells(evaluation)
    context = {
        "evaluation": evaluation,
        "scheme": evaluation.scheme,
        "cells": cells,
        "grade_label": grade_labels(evaluation.scheme.definition).get(
            evaluation.grade, evaluation.grade
        ),
        "ranked": evaluation.scheme.evaluations.count(),
        "appeal_open": appeal_open,
        "self_form": self_form,
        "self_rows": _form_rows(self_form, cells),
        "review_form": review_form,
        "review_rows": _form_rows(review_form, cells),
        "appeal_form": bound.get("appeal")
        or (AppealForm(indicators=indicators) if appeal_open and staff_of_unit else None),
        "appeals": appeals,
        "can_publish": city and status_now == EvaluationStatus.REVIEWED,
        "error": error,
    }
    return render(request, "assessment/evaluation.html", context, status=status)


@login_required
def evaluation_detail(request, pk: int):
    _staff(request)
    return _render_evaluation(request, _evaluation(request, pk))


def _score_post(request, pk: int, *, form_class, key: str, call, flag: str, done, saved):
    """Self-assessment and review: the same form handling around two services."""
    evaluation = _evaluation(request, pk)
    form = form_class(
        request.POST,
        indicators=evaluation.scheme.indicators(),
        initial=form_class.initial_from(scores_by_indicator(evaluation)),
    )
    if not form.is_valid():
        return _render_evaluation(request, evaluation, bound={key: form}, status=400)
    scores, codes = form.scores(request.POST)
    finish = flag in request.POST
    try:
        call(
            evaluation=evaluation,
            scores=scores,
            acting_user=request.user,
            http=request,
            **{flag: finish},
        )
    except ServiceError as exc:
        placed = form.add_score_error(exc.field, codes, exc.message)
        return _render_evaluation(
            request,
            _evaluation(request, pk),
            bound={key: form},
            error=None if placed else exc.message,
            status=_error_status(exc),
        )
    messages.success(request, done if finish else saved)
    return redirect("assessment:evaluation", pk=pk)


@login_required
@require_POST
def evaluation_self_score(request, pk: int):
    _staff(request)
    return _score_post(
        request,
        pk,
        form_class=SelfAssessmentForm,
        key="self",
        call=services.evaluation_self_score,
        flag="submit",
        done=_("The self-assessment is submitted for review."),
        saved=_("The self-assessment is saved."),
    )


@login_required
@require_POST
def evaluation_review(request, pk: int):
    _staff(request)
    return _score_post(
        request,
        pk,
        form_class=ReviewForm,
        key="review",
        call=services.evaluation_review,
        flag="finish",
        done=_("The review is finished; the unit may now appeal."),
        saved=_("The review is saved."),
    )


@login_required
@require_POST
def appeal_file(request, pk: int):
    _staff(request)
    evaluation = _evaluation(request, pk)
    form = AppealForm(request.POST, indicators=evaluation.scheme.indicators())
    if not form.is_valid():
        return _render_evaluation(request, evaluation, bound={"appeal": form}, status=400)
    try:
        services.appeal_file(
            evaluation=evaluation,
            reason=form.cleaned_data["reason"],
            indicator=form.cleaned_data["indicator"],
            acting_user=request.user,
            http=request,
        )
    except ServiceError as exc:
        placed = exc.field in form.fields
        if placed:
            add_service_errors(form, exc)
        return _render_evaluation(
            request,
            _evaluation(request, pk),
            bound={"appeal": form},
            error=None if placed else exc.message,
            status=_error_status(exc),
        )
    messages.success(request, _("The appeal is filed; the municipal centre will decide it."))
    return redirect("assessment:evaluation", pk=pk)


@login_required
@require_POST
def appeal_decide(request, pk: int):
    _staff(request)
    appeal = get_object_or_404(
        Appeal.objects.filter(evaluation__in=Evaluation.objects.visible_to(request.user)), pk=pk
    )
    form = DecisionForm(request.POST, prefix=f"appeal-{pk}", with_score=bool(appeal.indicator))
    evaluation_pk = appeal.evaluation_id
    if not form.is_valid():
        return _render_evaluation(
            request, _evaluation(request, evaluation_pk), bound={"decide": (pk, form)}, status=400
        )
    try:
        services.appeal_decide(
            appeal=appeal,
            upheld=form.cleaned_data["upheld"],
            decision=form.cleaned_data["decision"],
            score=form.cleaned_data.get("score") or None,
            acting_user=request.user,
            http=request,
        )
    except ServiceError as exc:
        placed = exc.field in form.fields
        if placed:
            add_service_errors(form, exc)
        return _render_evaluation(
            request,
            _evaluation(request, evaluation_pk),
            bound={"decide": (pk, form)},
            error=None if placed else exc.message,
            status=_error_status(exc),
        )
    messages.success(request, _("The appeal is decided."))
    return redirect("assessment:evaluation", pk=evaluation_pk)


@login_required
@require_POST
def evaluation_publish(request, pk: int):
    _staff(request)
    evaluation = _evaluation(request, pk)
    try:
        services.evaluation_publish(evaluation=evaluation, acting_user=request.user, http=request)
    except ServiceError as exc:
        return _render_evaluation(
            request, _evaluation(request, pk), error=exc.message, status=_error_status(exc)
        )
    messages.success(request, _("The evaluation is published and locked."))
    return redirect("assessment:evaluation", pk=pk)


# Funding --------------------------------------------------------------------------------------


def _plan(request, pk: int) -> FundingPlan:
    return get_object_or_404(
        FundingPlan.objects.visible_to(request.user).select_related("scheme"), pk=pk
    )


def _plan_schemes(request):
    return Scheme.objects.visible_to(request.user).order_by("-year", "unit_kind", "-version")


def _render_plans(request, *, form=None, status=200):
    city = is_city_officer(request.user)
    plans = FundingPlan.objects.visible_to(request.user).select_related("scheme")
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    for plan in page.object_list:
        plan.budget_text = money(plan.budget)
    schemes = list(_plan_schemes(request)) if city else []
    context = {
        "page": page,
        "is_city": city,
        "form": form or (PlanForm(schemes=_plan_schemes(request)) if city else None),
        "scheme_grades": [
            (s, ", ".join(g["grade"] for g in s.definition.get("grades", []))) for s in schemes
        ],
    }
    return render(request, "assessment/plans.html", context, status=status)


@login_required
def plan_list(request):
    _staff(request)
    return _render_plans(request)


@login_required
@require_POST
def plan_create(request):
    _staff(request)
    form = PlanForm(request.POST, schemes=_plan_schemes(request))
    if not form.is_valid():
        return _render_plans(request, form=form, status=400)
    try:
        plan = services.plan_create(
            data=form.service_data(), acting_user=request.user, http=request
        )
    except ServiceError as exc:
        form.add_plan_error(exc.field, exc.message)
        return _render_plans(request, form=form, status=_error_status(exc))
    messages.success(request, _("The funding plan is created; simulate it to see the allocation."))
    return redirect("assessment:plan", pk=plan.pk)


@dataclass
class AllocationRow:
    """One unit's line of a simulation or of a published plan, formatted for the page."""

    unit_code: str
    unit_name: str
    score: str
    grade: str
    base: str
    performance: str
    deduction: str
    total: str
    steps: list[str]
    deduction_lines: list[str]


@dataclass
class AllocationTable:
    rows: list[AllocationRow]
    base: str
    performance: str
    deduction: str
    total: str
    adds_up: bool


def allocation_table(rows: list[Mapping], *, budget: Decimal, labels: Mapping) -> AllocationTable:
    sums = dict.fromkeys(("base", "performance", "deduction", "total"), Decimal(0))
    # Names in the reader's language (a simulation stores them in its author's).
    names = {u.pk: str(u) for u in ServiceUnit.objects.filter(pk__in=[r["unit_id"] for r in rows])}
    out = []
    for row in rows:
        for key in sums:
            sums[key] += Decimal(row[key])
        localized = localized_row(row)
        out.append(
            AllocationRow(
                unit_code=row["unit_code"],
                unit_name=names.get(row["unit_id"], row["unit_name"]),
                score=row["score"],
                grade=labels.get(row["grade"], row["grade"]) or "—",
                base=money(row["base"]),
                performance=money(row["performance"]),
                deduction=money(row["deduction"]),
                total=money(row["total"]),
                steps=localized["steps"],
                deduction_lines=localized["deduction_lines"],
            )
        )
    return AllocationTable(
        rows=out,
        base=money(sums["base"]),
        performance=money(sums["performance"]),
        deduction=money(sums["deduction"]),
        total=money(sums["total"]),
        adds_up=sums["total"] == budget,
    )


def _render_plan(request, plan, *, form=None, error=None, status=200):
    city = is_city_officer(request.user)
    draft = plan.status == PlanStatus.DRAFT
    labels = grade_labels(plan.scheme.definition)
    if draft:
        rows = (plan.simulation or {}).get("units", [])
    else:
        rows = [a.detail for a in plan.allocations.order_by("-total", "unit__code")]
    table = allocation_table(rows, budget=plan.budget, labels=labels) if rows else None
    context = {
        "plan": plan,
        "is_city": city,
        "can_edit": city and draft,
        "form": form or (PlanForm(plan=plan) if city and draft else None),
        "table": table,
        "simulation": plan.simulation if draft and plan.simulation else None,
        "budget": money(plan.budget),
        "pool": money(plan.simulation.get("pool")) if plan.simulation else None,
        "deducted": money(plan.simulation.get("deducted")) if plan.simulation else None,
        "floor": money(plan.floor) if plan.floor is not None else None,
        "cap": money(plan.cap) if plan.cap is not None else None,
        "bases": [
            (UnitKind(kind).label, money(amount)) for kind, amount in plan.base_by_kind.items()
        ],
        "coefficients": [
            (labels.get(grade, grade), value) for grade, value in plan.grade_coefficients.items()
        ],
        "deductions": [
            {
                **item,
                "measure_label": MEASURE_LABELS.get(item["measure"], item["measure"]),
                "amount_text": money(item["amount"]),
                "cap_text": money(item["cap"]) if item.get("cap") is not None else None,
            }
            for item in plan.deductions
        ],
        "scheme_visible": city or plan.scheme.status == SchemeStatus.PUBLISHED,
        "funded_kinds": FUNDED_KINDS,
        "error": error,
    }
    return render(request, "assessment/plan.html", context, status=status)


@login_required
def plan_detail(request, pk: int):
    _staff(request)
    return _render_plan(request, _plan(request, pk))


@login_required
@require_POST
def plan_edit(request, pk: int):
    _staff(request)
    plan = _plan(request, pk)
    form = PlanForm(request.POST, plan=plan)
    if not form.is_valid():
        return _render_plan(request, plan, form=form, status=400)
    try:
        services.plan_update(
            plan=plan, data=form.service_data(), acting_user=request.user, http=request
        )
    except ServiceError as exc:
        form.add_plan_error(exc.field, exc.message)
        return _render_plan(request, _plan(request, pk), form=form, status=_error_status(exc))
    messages.success(request, _("The plan is saved; simulate it again to see the allocation."))
    return redirect("assessment:plan", pk=pk)


@login_required
@require_POST
def plan_simulate(request, pk: int):
    _staff(request)
    plan = _plan(request, pk)
    try:
        services.plan_simulate(plan=plan, acting_user=request.user, http=request)
    except ServiceError as exc:
        return _render_plan(request, plan, error=exc.message, status=_error_status(exc))
    messages.success(request, _("The plan is simulated; check the allocation below."))
    return redirect("assessment:plan", pk=pk)


@login_required
@require_POST
def plan_publish(request, pk: int):
    _staff(request)
    plan = _plan(request, pk)
    try:
        services.plan_publish(plan=plan, acting_user=request.user, http=request)
    except ServiceError as exc:
        return _render_plan(request, plan, error=exc.message, status=_error_status(exc))
    messages.success(request, _("The funding plan is published; the allocations are final."))
    return redirect("assessment:plan", pk=pk)


@login_required
def plan_xlsx(request, pk: int):
    _staff(request)
    plan = _plan(request, pk)
    response = HttpResponse(exports.plan_xlsx(plan), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="funding-{plan.year}-{plan.pk}.xlsx"'
    return response
