"""/assessment and /funding: schemes (YAML import/export), evaluations with self-assessment,
review, appeals and publication, and funding plans with simulation and publication."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from ipps.assessment import engine, exports, schemefile, selectors, services
from ipps.assessment.allocation import localized_row
from ipps.assessment.models import Appeal, Evaluation, FundingPlan, Scheme
from ipps.core.api import Error, Pagination
from ipps.core.errors import ServiceError

router = Router(tags=["assessment"])
funding_router = Router(tags=["funding"])
READ_ERRORS = {401: Error, 404: Error, 422: Error}
ACTION_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


# Schemas --------------------------------------------------------------------------------------


class SchemeOut(Schema):
    id: int
    year: int
    unit_kind: str
    version: int
    name: str
    description: str
    status: str
    max_points: str
    published_at: dt.datetime | None
    definition: dict[str, Any] = Field(description="The validated scheme (docs/assessment.md).")

    @staticmethod
    def resolve_max_points(obj) -> str:
        return schemefile.fmt(obj.max_points)


class SchemeSummaryOut(Schema):
    id: int
    year: int
    unit_kind: str
    version: int
    name: str
    status: str
    published_at: dt.datetime | None


class CellOut(Schema):
    code: str
    name: str
    area: str
    source: str
    value: Any
    target: str | None
    max_points: str
    computed: str = Field(description="Points the rule gives for the value.")
    points: str = Field(description="The reviewer's score when given, else `computed`.")
    explanation: str
    value_explanation: str
    steps: list[dict[str, Any]]
    self_score: str | None
    review_score: str | None
    review_comment: str
    evidence: str
    error: str


class AppealOut(Schema):
    id: int
    indicator: str
    reason: str
    status: str
    decision: str
    decided_at: dt.datetime | None
    total_before: str | None
    total_after: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_total_before(obj) -> str | None:
        return None if obj.total_before is None else str(obj.total_before)

    @staticmethod
    def resolve_total_after(obj) -> str | None:
        return None if obj.total_after is None else str(obj.total_after)


class EvaluationSummaryOut(Schema):
    id: int
    scheme_id: int
    unit_id: int
    unit_code: str
    unit_name: str
    status: str
    total: str | None
    self_total: str | None
    grade: str
    rank: int | None
    appeal_until: dt.date | None
    published_at: dt.datetime | None

    @staticmethod
    def resolve_unit_code(obj) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return str(obj.unit)

    @staticmethod
    def resolve_total(obj) -> str | None:
        return None if obj.total is None else str(obj.total)

    @staticmethod
    def resolve_self_total(obj) -> str | None:
        return None if obj.self_total is None else str(obj.self_total)


class EvaluationOut(EvaluationSummaryOut):
    cells: list[CellOut]
    appeals: list[AppealOut]

    @staticmethod
    def resolve_cells(obj) -> list[dict]:
        stored = (obj.computed or {}).get("cells", [])
        return engine.localized_cells(obj.scheme.definition, stored)

    @staticmethod
    def resolve_appeals(obj) -> list:
        return list(obj.appeals.order_by("created_at"))


class ScoreIn(Schema):
    indicator: str
    score: str | float | None = Field(None, description="Points, at most the indicator's.")
    value: str | float | None = Field(None, description="For indicators entered by hand.")
    evidence: str | None = None


class SelfScoreIn(Schema):
    scores: list[ScoreIn] = []
    submit: bool = Field(False, description="Send the self-assessment to review.")


class ReviewScoreIn(Schema):
    indicator: str
    score: str | float | None = None
    value: str | float | None = None
    judgement: bool | None = None
    comment: str | None = None


class ReviewIn(Schema):
    scores: list[ReviewScoreIn] = []
    finish: bool = Field(False, description="Finish the review and open the appeal window.")


class AppealIn(Schema):
    reason: str
    indicator: str = ""


class DecisionIn(Schema):
    upheld: bool
    decision: str
    score: str | float | None = Field(None, description="The indicator's new score if upheld.")


class PlanIn(Schema):
    scheme: int | None = None
    name: str | None = None
    budget: str | float | None = None
    base_by_kind: dict[str, str | float] | None = None
    method: str | None = Field(None, description="proportional or grade")
    grade_coefficients: dict[str, str | float] | None = None
    floor: str | float | None = None
    cap: str | float | None = None
    deductions: list[dict[str, Any]] | None = None


class PlanOut(Schema):
    id: int
    year: int
    name: str
    scheme_id: int
    budget: str
    base_by_kind: dict[str, str]
    method: str
    grade_coefficients: dict[str, str]
    floor: str | None
    cap: str | None
    deductions: list[dict[str, Any]]
    status: str
    simulated_at: dt.datetime | None
    published_at: dt.datetime | None
    simulation: dict[str, Any] = Field(
        description="The last simulation: per unit its score, grade, base, performance, "
        "deduction, total and the steps and deduction lines that explain them, in the "
        "request's language; totals add up to the budget."
    )

    @staticmethod
    def resolve_simulation(obj) -> dict[str, Any]:
        simulation = dict(obj.simulation or {})
        if "units" in simulation:
            simulation["units"] = [localized_row(row) for row in simulation["units"]]
        return simulation

    @staticmethod
    def resolve_budget(obj) -> str:
        return str(obj.budget)

    @staticmethod
    def resolve_floor(obj) -> str | None:
        return None if obj.floor is None else str(obj.floor)

    @staticmethod
    def resolve_cap(obj) -> str | None:
        return None if obj.cap is None else str(obj.cap)


# Schemes --------------------------------------------------------------------------------------


def _scheme(request, pk: int) -> Scheme:
    return get_object_or_404(Scheme.objects.visible_to(request.auth), pk=pk)


@router.get(
    "/assessment/schemes", response={200: list[SchemeSummaryOut], **READ_ERRORS}, summary="Schemes"
)
@paginate(Pagination)
def schemes_list(request, year: int | None = None, unit_kind: str | None = None):
    """Published schemes (and, for the municipal centre, drafts), newest first."""
    qs = Scheme.objects.visible_to(request.auth)
    if year:
        qs = qs.filter(year=year)
    if unit_kind:
        qs = qs.filter(unit_kind=unit_kind)
    return qs.order_by("-year", "unit_kind", "-version")


@router.post(
    "/assessment/schemes", response={201: SchemeOut, **ACTION_ERRORS}, summary="Create a scheme"
)
def schemes_create(request, payload: dict[str, Any]):
    """A new draft scheme from its definition as JSON (the same structure as the YAML file)."""
    return Status(
        201, services.scheme_import(source=payload, acting_user=request.auth, http=request)
    )


@router.post(
    "/assessment/schemes/import",
    response={201: SchemeOut, **ACTION_ERRORS},
    summary="Import a scheme from YAML",
)
def schemes_import(request, file: UploadedFile = File(None)):  # noqa: B008
    """Upload the YAML file as `file` (multipart), or send it as the request body with
    Content-Type application/yaml. The whole file is validated; nothing is saved on error."""
    content = _upload(request, file)
    scheme = services.scheme_import(source=content, acting_user=request.auth, http=request)
    return Status(201, scheme)


def _upload(request, file) -> bytes:
    if file is not None:
        if file.size and file.size > schemefile.MAX_BYTES:
            raise ServiceError(
                "file_too_large", _("The file is larger than 512 KB."), field="file", status=422
            )
        content = file.read()
    elif request.content_type.startswith("multipart/"):
        content = (
            b""  # a form without its `file` part (its stream is read: no body to fall back on)
        )
    else:
        content = request.body
    if not content:
        raise ServiceError("file_required", _("Send a YAML file."), field="file", status=422)
    return content


@router.post(
    "/assessment/schemes/{int:scheme_id}/replace",
    response={200: SchemeOut, **ACTION_ERRORS},
    summary="Replace a draft scheme's file",
)
def schemes_replace(request, scheme_id: int, file: UploadedFile = File(None)):  # noqa: B008
    """Replace a draft's definition with a new YAML file for the same year and unit kind
    (multipart `file` or the request body); published schemes are locked."""
    return services.scheme_update(
        scheme=_scheme(request, scheme_id),
        source=_upload(request, file),
        acting_user=request.auth,
        http=request,
    )


@router.get(
    "/assessment/schemes/{int:scheme_id}",
    response={200: SchemeOut, **READ_ERRORS},
    summary="A scheme",
)
def schemes_get(request, scheme_id: int):
    return _scheme(request, scheme_id)


@router.get(
    "/assessment/schemes/{int:scheme_id}/export",
    response={200: None, **READ_ERRORS},
    summary="A scheme as a YAML file",
)
def schemes_export(request, scheme_id: int):
    scheme = _scheme(request, scheme_id)
    response = HttpResponse(schemefile.dump(scheme.definition), content_type="application/yaml")
    response["Content-Disposition"] = (
        f'attachment; filename="scheme-{scheme.year}-{scheme.unit_kind}-v{scheme.version}.yaml"'
    )
    return response


@router.post(
    "/assessment/schemes/{int:scheme_id}/publish",
    response={200: SchemeOut, **ACTION_ERRORS},
    summary="Publish a scheme",
)
def schemes_publish(request, scheme_id: int):
    """Lock the scheme and open an evaluation for every unit of its kind."""
    return services.scheme_publish(
        scheme=_scheme(request, scheme_id), acting_user=request.auth, http=request
    )


# Evaluations ----------------------------------------------------------------------------------


def _evaluation(request, pk: int) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.visible_to(request.auth).select_related("unit", "scheme"), pk=pk
    )


@router.get(
    "/assessment/evaluations",
    response={200: list[EvaluationSummaryOut], **READ_ERRORS},
    summary="Evaluations",
)
@paginate(Pagination)
def evaluations_list(request, scheme: int | None = None, unit: int | None = None):
    """Evaluations of the units in your scope, by rank."""
    return selectors.evaluation_list(user=request.auth, scheme=scheme, unit=unit)


@router.get(
    "/assessment/evaluations/{int:evaluation_id}",
    response={200: EvaluationOut, **READ_ERRORS},
    summary="An evaluation, every cell explained",
)
def evaluations_get(request, evaluation_id: int):
    """Each indicator's value (and where it came from), target, points and the sentence that
    explains them; self-assessed and reviewer's scores; appeals."""
    return _evaluation(request, evaluation_id)


@router.post(
    "/assessment/evaluations/{int:evaluation_id}/self-score",
    response={200: EvaluationOut, **ACTION_ERRORS},
    summary="Self-assess",
)
def evaluations_self_score(request, evaluation_id: int, payload: SelfScoreIn):
    services.evaluation_self_score(
        evaluation=_evaluation(request, evaluation_id),
        scores=[s.dict(exclude_unset=True) for s in payload.scores],
        submit=payload.submit,
        acting_user=request.auth,
        http=request,
    )
    return _evaluation(request, evaluation_id)


@router.post(
    "/assessment/evaluations/{int:evaluation_id}/review",
    response={200: EvaluationOut, **ACTION_ERRORS},
    summary="Review",
)
def evaluations_review(request, evaluation_id: int, payload: ReviewIn):
    services.evaluation_review(
        evaluation=_evaluation(request, evaluation_id),
        scores=[s.dict(exclude_unset=True) for s in payload.scores],
        finish=payload.finish,
        acting_user=request.auth,
        http=request,
    )
    return _evaluation(request, evaluation_id)


@router.post(
    "/assessment/evaluations/{int:evaluation_id}/appeals",
    response={201: AppealOut, **ACTION_ERRORS},
    summary="Appeal",
)
def evaluations_appeal(request, evaluation_id: int, payload: AppealIn):
    appeal = services.appeal_file(
        evaluation=_evaluation(request, evaluation_id),
        reason=payload.reason,
        indicator=payload.indicator,
        acting_user=request.auth,
        http=request,
    )
    return Status(201, appeal)


@router.post(
    "/assessment/appeals/{int:appeal_id}/decide",
    response={200: AppealOut, **ACTION_ERRORS},
    summary="Decide an appeal",
)
def appeals_decide(request, appeal_id: int, payload: DecisionIn):
    appeal = get_object_or_404(
        Appeal.objects.filter(evaluation__in=Evaluation.objects.visible_to(request.auth)),
        pk=appeal_id,
    )
    return services.appeal_decide(
        appeal=appeal,
        upheld=payload.upheld,
        decision=payload.decision,
        score=payload.score,
        acting_user=request.auth,
        http=request,
    )


@router.post(
    "/assessment/evaluations/{int:evaluation_id}/publish",
    response={200: EvaluationOut, **ACTION_ERRORS},
    summary="Publish an evaluation",
)
def evaluations_publish(request, evaluation_id: int):
    services.evaluation_publish(
        evaluation=_evaluation(request, evaluation_id), acting_user=request.auth, http=request
    )
    return _evaluation(request, evaluation_id)


# Funding --------------------------------------------------------------------------------------


def _plan(request, pk: int) -> FundingPlan:
    return get_object_or_404(
        FundingPlan.objects.visible_to(request.auth).select_related("scheme"), pk=pk
    )


@funding_router.get(
    "/funding/plans", response={200: list[PlanOut], **READ_ERRORS}, summary="Funding plans"
)
@paginate(Pagination)
def plans_list(request, year: int | None = None):
    qs = FundingPlan.objects.visible_to(request.auth)
    return qs.filter(year=year) if year else qs


@funding_router.post(
    "/funding/plans", response={201: PlanOut, **ACTION_ERRORS}, summary="Create a funding plan"
)
def plans_create(request, payload: PlanIn):
    plan = services.plan_create(
        data=payload.dict(exclude_unset=True), acting_user=request.auth, http=request
    )
    return Status(201, plan)


@funding_router.get(
    "/funding/plans/{int:plan_id}", response={200: PlanOut, **READ_ERRORS}, summary="A plan"
)
def plans_get(request, plan_id: int):
    return _plan(request, plan_id)


@funding_router.patch(
    "/funding/plans/{int:plan_id}", response={200: PlanOut, **ACTION_ERRORS}, summary="Edit a plan"
)
def plans_patch(request, plan_id: int, payload: PlanIn):
    data = payload.dict(exclude_unset=True)
    data.pop("scheme", None)
    return services.plan_update(
        plan=_plan(request, plan_id), data=data, acting_user=request.auth, http=request
    )


@funding_router.post(
    "/funding/plans/{int:plan_id}/simulate",
    response={200: PlanOut, **ACTION_ERRORS},
    summary="Simulate a plan",
)
def plans_simulate(request, plan_id: int):
    """Allocate the budget by the current scores and keep the result, explained per unit."""
    return services.plan_simulate(
        plan=_plan(request, plan_id), acting_user=request.auth, http=request
    )


@funding_router.post(
    "/funding/plans/{int:plan_id}/publish",
    response={200: PlanOut, **ACTION_ERRORS},
    summary="Publish a plan",
)
def plans_publish(request, plan_id: int):
    """Lock the plan and write each unit's amount; needs a current simulation and published
    evaluations."""
    return services.plan_publish(
        plan=_plan(request, plan_id), acting_user=request.auth, http=request
    )


@funding_router.get(
    "/funding/plans/{int:plan_id}/export",
    response={200: None, 400: Error, **READ_ERRORS},
    summary="A plan's allocation as .xlsx",
)
def plans_export(request, plan_id: int):
    plan = _plan(request, plan_id)
    content = exports.plan_xlsx(plan)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="funding-{plan.year}-{plan.pk}.xlsx"'
    return response
