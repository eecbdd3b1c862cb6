"""Reads of infringement case files, scoped like their requests."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ipps.casework.cases import can_read_case
from ipps.casework.choices import Visibility
from ipps.casework.models import CaseFact, Evidence, InfringementCase, ServiceRequest
from ipps.casework.services import is_enterprise_user
from ipps.core.errors import PermissionDeniedError


def case_request(*, user, pk: int) -> ServiceRequest:
    """The request, if the user may see it (404 otherwise)."""
    return get_object_or_404(
        ServiceRequest.objects.visible_to(user).select_related("enterprise", "handling_unit"),
        pk=pk,
    )


def case_of(request: ServiceRequest) -> InfringementCase | None:
    return (
        InfringementCase.objects.filter(request=request)
        .select_related("request")
        .prefetch_related(
            "rights",
            Prefetch("facts", CaseFact.objects.select_related("created_by")),
            Prefetch("evidence", Evidence.objects.select_related("attachment", "added_by")),
        )
        .first()
    )


def case_for(*, user, pk: int) -> InfringementCase:
    """The case file of request `pk`: 404 when the request is out of scope or has no case file,
    403 `confidential` when the user sees only that a confidential request exists."""
    request = case_request(user=user, pk=pk)
    if not can_read_case(user, request):
        raise PermissionDeniedError(
            "confidential",
            _("This request is confidential; only its handling unit sees the case file."),
        )
    case = case_of(request)
    if case is None:
        raise Http404
    return case


def case_evidence(case: InfringementCase, user) -> list[Evidence]:
    """The evidence register; the enterprise sees only files shared with it."""
    items = list(case.evidence.all())
    if is_enterprise_user(user, case.request):
        items = [e for e in items if e.attachment.visibility == Visibility.ENTERPRISE]
    return items
