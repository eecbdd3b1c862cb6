"""The case-file panel of an infringement request (an htmx fragment of the request page) and the
forms that change it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from ipps.casework import cases
from ipps.casework.case_forms import CaseForm, EvidenceForm, FactForm, RightsForm
from ipps.casework.case_selectors import case_evidence, case_of, case_request
from ipps.casework.models import Evidence
from ipps.core.errors import ServiceError
from ipps.enterprises.forms import add_service_errors

PANEL = "casework/_case_panel.html"


def _case_form(case) -> CaseForm:
    return CaseForm(initial={name: getattr(case, name) for name in cases.CASE_FIELDS})


def _render(http, request, *, forms=None, status=200, saved=""):
    """The panel for `request`: content, or a notice when it is confidential or has no case."""
    user = http.user
    context = {"req": request, "saved": saved}
    if not cases.can_read_case(user, request):
        context["confidential"] = True
        return render(http, PANEL, context, status=status)
    case = case_of(request)
    context["case"] = case
    context["can_open"] = case is None and cases.can_edit_case(user, request)
    if case is not None:
        can_edit = cases.can_edit_case(user, request)
        can_add = cases.can_add_to_case(user, request)
        forms = forms or {}
        context.update(
            can_edit=can_edit,
            can_add=can_add,
            facts=list(case.facts.all()),
            evidence=case_evidence(case, user),
            rights=list(case.rights.all()),
        )
        if can_edit:
            context["case_form"] = forms.get("case") or _case_form(case)
            context["rights_form"] = forms.get("rights") or RightsForm(
                enterprise=request.enterprise,
                initial={"rights": [a.pk for a in context["rights"]]},
            )
        if can_add:
            context["fact_form"] = forms.get("fact") or FactForm()
            context["evidence_form"] = forms.get("evidence") or EvidenceForm()
        context["open_form"] = next(iter(forms), "")
    return render(http, PANEL, context, status=status)


def _after_post(http, request, **kwargs):
    if http.htmx:
        return _render(http, request, **kwargs)
    if kwargs.get("forms"):
        return _render(http, request, **kwargs)
    return redirect("casework:request_detail", pk=request.pk)


@login_required
@require_GET
def case_panel(http, pk: int):
    return _render(http, case_request(user=http.user, pk=pk))


def _case_or_404(request):
    case = case_of(request)
    if case is None:
        raise Http404
    return case


@login_required
@require_POST
def case_open(http, pk: int):
    request = case_request(user=http.user, pk=pk)
    try:
        cases.case_open(request=request, acting_user=http.user, http=http)
    except ServiceError:
        raise Http404 from None
    return _after_post(http, request)


@login_required
@require_POST
def case_edit(http, pk: int):
    request = case_request(user=http.user, pk=pk)
    case = _case_or_404(request)
    form = CaseForm(http.POST)
    if form.is_valid():
        try:
            cases.case_update(
                case=case, changes=form.changes(case), acting_user=http.user, http=http
            )
        except (ServiceError, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            return _after_post(http, request, saved="case")
    return _after_post(http, request, forms={"case": form})


@login_required
@require_POST
def case_rights(http, pk: int):
    request = case_request(user=http.user, pk=pk)
    case = _case_or_404(request)
    form = RightsForm(http.POST, enterprise=request.enterprise)
    if form.is_valid():
        try:
            cases.case_link_rights(
                case=case, assets=form.cleaned_data["rights"], acting_user=http.user, http=http
            )
        except (ServiceError, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            return _after_post(http, request, saved="rights")
    return _after_post(http, request, forms={"rights": form})


@login_required
@require_POST
def case_fact_add(http, pk: int):
    request = case_request(user=http.user, pk=pk)
    case = _case_or_404(request)
    form = FactForm(http.POST)
    if form.is_valid():
        try:
            cases.case_add_fact(
                case=case,
                date=form.cleaned_data["date"],
                description=form.cleaned_data["description"],
                acting_user=http.user,
                http=http,
            )
        except (ServiceError, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            return _after_post(http, request, saved="fact")
    return _after_post(http, request, forms={"fact": form})


@login_required
@require_POST
def case_evidence_add(http, pk: int):
    request = case_request(user=http.user, pk=pk)
    case = _case_or_404(request)
    form = EvidenceForm(http.POST, http.FILES)
    if form.is_valid():
        try:
            cases.case_add_evidence(
                case=case,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                obtained_on=form.cleaned_data["obtained_on"],
                internal=form.cleaned_data["internal"],
                acting_user=http.user,
                http=http,
            )
        except (ServiceError, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            return _after_post(http, request, saved="evidence")
    return _after_post(http, request, forms={"evidence": form})


@login_required
@require_GET
def case_evidence_download(http, pk: int, evidence_pk: int):
    """The evidence file as stored, for whoever may read the case file (404 otherwise)."""
    request = case_request(user=http.user, pk=pk)
    if not cases.can_read_case(http.user, request):
        raise Http404
    case = _case_or_404(request)
    item = get_object_or_404(
        Evidence.objects.select_related("attachment"), pk=evidence_pk, case=case
    )
    if item not in case_evidence(case, http.user):
        raise Http404
    attachment = item.attachment
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
