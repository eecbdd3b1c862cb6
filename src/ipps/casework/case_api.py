"""GET/PATCH /requests/{id}/case and its facts, evidence and rights: the infringement case file."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ipps.casework import cases
from ipps.casework.case_selectors import case_evidence, case_for
from ipps.casework.choices import CaseOutcome, CaseRoute, Stability
from ipps.casework.models import CaseFact, Evidence, InfringementCase
from ipps.core.api import Error
from ipps.core.errors import ServiceError
from ipps.enterprises.models import IPAsset

router = Router(tags=["cases"])


class RightOut(Schema):
    id: int
    kind: str
    number: str
    title: str


class FactOut(Schema):
    id: int
    date: dt.date
    description: str
    added_by: str | None
    added_at: dt.datetime


class EvidenceOut(Schema):
    id: int
    description: str
    obtained_on: dt.date | None
    file_name: str
    content_type: str
    size: int
    sha256: str
    added_by: str | None
    added_at: dt.datetime
    download_url: str


class CaseOut(Schema):
    id: int
    request_id: int
    reference: str
    rights: list[RightOut]
    counterpart_name: str
    counterpart_details: str
    stability: str = Field(description="stable, doubtful, unstable or empty (not assessed)")
    stability_basis: str
    stability_assessor: str
    stability_assessed_on: dt.date | None
    route: str = Field(
        description="negotiation, mediation, administrative_complaint, litigation, "
        "overseas_action or empty"
    )
    outcome: str
    outcome_notes: str
    facts: list[FactOut]
    evidence: list[EvidenceOut]
    updated_at: dt.datetime


class CasePatch(Schema):
    counterpart_name: str | None = Field(None, max_length=200)
    counterpart_details: str | None = None
    stability: Stability | None = None
    stability_basis: str | None = None
    stability_assessor: str | None = Field(None, max_length=100)
    stability_assessed_on: dt.date | None = None
    route: CaseRoute | None = None
    outcome: CaseOutcome | None = None
    outcome_notes: str | None = None


class FactIn(Schema):
    date: dt.date
    description: str = Field(min_length=1)


class RightsIn(Schema):
    asset_ids: list[int] = Field(description="The complete list of IP assets the case is about")


def _name(user) -> str | None:
    return (getattr(user, "full_name", "") or user.get_username()) if user else None


def fact_out(fact: CaseFact) -> dict:
    return {
        "id": fact.pk,
        "date": fact.date,
        "description": fact.description,
        "added_by": _name(fact.created_by),
        "added_at": fact.created_at,
    }


def evidence_out(item: Evidence) -> dict:
    a = item.attachment
    return {
        "id": item.pk,
        "description": item.description,
        "obtained_on": item.obtained_on,
        "file_name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "added_by": _name(item.added_by),
        "added_at": item.added_at,
        "download_url": reverse(
            "casework:case_evidence_download", args=[item.case.request_id, item.pk]
        ),
    }


def case_out(case: InfringementCase, user) -> dict:
    return {
        "id": case.pk,
        "request_id": case.request_id,
        "reference": case.request.reference,
        "rights": [
            {"id": a.pk, "kind": a.kind, "number": a.number, "title": a.title}
            for a in case.rights.all()
        ],
        "counterpart_name": case.counterpart_name,
        "counterpart_details": case.counterpart_details,
        "stability": case.stability,
        "stability_basis": case.stability_basis,
        "stability_assessor": case.stability_assessor,
        "stability_assessed_on": case.stability_assessed_on,
        "route": case.route,
        "outcome": case.outcome,
        "outcome_notes": case.outcome_notes,
        "facts": [fact_out(f) for f in case.facts.all()],
        "evidence": [evidence_out(e) for e in case_evidence(case, user)],
        "updated_at": case.updated_at,
    }


def _reload(case: InfringementCase, user) -> dict:
    return case_out(case_for(user=user, pk=case.request_id), user)


@router.get(
    "/requests/{int:request_id}/case",
    response={200: CaseOut, 401: Error, 403: Error, 404: Error},
)
def case_get(request, request_id: int):
    """The case file of an infringement request."""
    return case_out(case_for(user=request.user, pk=request_id), request.user)


@router.patch(
    "/requests/{int:request_id}/case",
    response={200: CaseOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
def case_patch(request, request_id: int, payload: CasePatch):
    """Change the counterpart, stability assessment, recommended route or outcome."""
    case = case_for(user=request.user, pk=request_id)
    changes = {
        k: (v.value if hasattr(v, "value") else v)
        for k, v in payload.dict(exclude_unset=True).items()
    }
    changes = {
        k: ("" if v is None and k != "stability_assessed_on" else v) for k, v in changes.items()
    }
    cases.case_update(case=case, changes=changes, acting_user=request.user, http=request)
    return _reload(case, request.user)


@router.post(
    "/requests/{int:request_id}/case/facts",
    response={201: FactOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
)
def case_fact_create(request, request_id: int, payload: FactIn):
    """Add a dated fact to the case's timeline."""
    case = case_for(user=request.user, pk=request_id)
    fact = cases.case_add_fact(
        case=case,
        date=payload.date,
        description=payload.description,
        acting_user=request.user,
        http=request,
    )
    return Status(201, fact_out(fact))


@router.post(
    "/requests/{int:request_id}/case/evidence",
    response={
        201: EvidenceOut,
        400: Error,
        401: Error,
        403: Error,
        404: Error,
        413: Error,
        415: Error,
        422: Error,
    },
)
def case_evidence_create(
    request,
    request_id: int,
    file: File[UploadedFile],
    description: Form[str],
    obtained_on: Form[dt.date | None] = None,
    internal: Form[bool] = False,
):
    """Register a piece of evidence (multipart: `file`, `description`, `obtained_on`, `internal`).
    The file's SHA-256 is recorded."""
    case = case_for(user=request.user, pk=request_id)
    item = cases.case_add_evidence(
        case=case,
        upload=file,
        description=description,
        obtained_on=obtained_on,
        internal=internal,
        acting_user=request.user,
        http=request,
    )
    return Status(201, evidence_out(item))


@router.post(
    "/requests/{int:request_id}/case/rights",
    response={200: CaseOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
)
def case_rights_set(request, request_id: int, payload: RightsIn):
    """Set the IP rights the case is about; they must belong to the request's enterprise."""
    case = case_for(user=request.user, pk=request_id)
    ids = set(payload.asset_ids)
    # Assets are looked up unscoped so that another enterprise's asset gets a clear refusal.
    assets = list(IPAsset.objects.filter(pk__in=ids))
    if len(assets) != len(ids):
        missing = sorted(ids - {a.pk for a in assets})[0]
        raise ServiceError(
            "unknown_asset",
            _("There is no IP asset with id %(id)d.") % {"id": missing},
            field="asset_ids",
            status=422,
        )
    cases.case_link_rights(case=case, assets=assets, acting_user=request.user, http=request)
    return _reload(case, request.user)
