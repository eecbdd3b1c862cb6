"""Enterprise pages: list and search, detail, create and edit, IP assets, priority list, exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipps.core.errors import ServiceError
from ipps.enterprises import exporting, selectors, services
from ipps.enterprises.forms import (
    ArchiveForm,
    EnterpriseFilterForm,
    EnterpriseForm,
    IPAssetForm,
    PriorityAddForm,
    PriorityFilterForm,
    add_service_errors,
)
from ipps.enterprises.models import PriorityListing

PAGE_SIZE = 50


def _render_list(request, full: str, partial: str, context: dict):
    """The full page, or only the results block when htmx asks for it (search-as-you-type)."""
    wants_partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, partial if wants_partial else full, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def enterprise_list(request):
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    try:
        queryset = selectors.enterprise_list(user=request.user, **filters)
    except ServiceError as exc:
        form.add_error(exc.field, exc.message)
        queryset = selectors.enterprise_list(user=request.user)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(
            {k for k in filters if k != "include_archived"} or filters.get("include_archived")
        ),
        "can_create": selectors.can_create(request.user),
        "this_year": selectors.this_year(),
    }
    return _render_list(request, "enterprises/list.html", "enterprises/_results.html", context)


def _export(
    request, *, fmt: str, what: str, stem: str, sheet_title: str, columns, queryset, filters
):
    if fmt not in exporting.FORMATS:
        raise Http404
    filename = exporting.export_filename(stem, fmt)
    clean_filters = {k: v for k, v in filters.items() if v not in (None, "", False)}
    if fmt == "csv":
        count = queryset.count()
        response = exporting.csv_response(
            filename=filename, columns=columns, queryset=queryset, user=request.user
        )
    else:
        response, count = exporting.xlsx_response(
            filename=filename,
            sheet_title=sheet_title,
            columns=columns,
            queryset=queryset,
            user=request.user,
        )
    services.export_record(
        acting_user=request.user,
        what=what,
        fmt=fmt,
        filters=clean_filters,
        rows=count,
        request=request,
    )
    return response


@login_required
def enterprise_export(request, fmt: str):
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    try:
        queryset = selectors.enterprise_list(user=request.user, **filters)
    except ServiceError as exc:
        raise Http404 from exc
    return _export(
        request,
        fmt=fmt,
        what="enterprises.enterprise",
        stem="enterprises",
        sheet_title="企业名录" if exporting.is_zh() else "Enterprises",
        columns=exporting.ENTERPRISE_COLUMNS,
        queryset=queryset,
        filters=filters,
    )


def _detail_context(request, enterprise, **forms):
    user = request.user
    can_edit = selectors.can_change(user, enterprise)
    year = selectors.this_year()
    listings = list(selectors.enterprise_listings(enterprise=enterprise))
    assets = list(selectors.ip_asset_list(user=user, enterprise=enterprise))
    can_see_secret = selectors.can_see_confidential(user, enterprise)
    return {
        "enterprise": enterprise,
        "can_edit": can_edit,
        "contact_phone": selectors.contact_phone_for(user, enterprise),
        "contact_email": selectors.contact_email_for(user, enterprise),
        "contacts_masked": not selectors.can_see_contacts(user, enterprise),
        "listings": listings,
        "this_year": year,
        "this_year_listing": next((lst for lst in listings if lst.year == year), None),
        "assets": assets,
        "can_see_secret": can_see_secret,
        "asset_form": forms.get("asset_form") or (IPAssetForm() if can_edit else None),
        "priority_form": forms.get("priority_form")
        or (PriorityAddForm(user=user) if can_edit else None),
        "archive_form": ArchiveForm() if can_edit else None,
        "history": selectors.enterprise_history(enterprise=enterprise) if can_edit else [],
    }


@login_required
def enterprise_detail(request, pk: int):
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    return render(request, "enterprises/detail.html", _detail_context(request, enterprise))


@login_required
def enterprise_create(request):
    if not selectors.can_create(request.user):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(
                **form.cleaned_data, acting_user=request.user, request=request
            )
        except (ValidationError, ServiceError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Enterprise “%(name)s” registered.") % {"name": enterprise.name}
            )
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form, "enterprise": None})


def _editable(request, pk: int):
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    if not selectors.can_change(request.user, enterprise):
        raise PermissionDenied
    return enterprise


@login_required
def enterprise_edit(request, pk: int):
    enterprise = _editable(request, pk)
    form = EnterpriseForm(request.POST or None, user=request.user, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_update(
                enterprise=enterprise,
                changes=form.changes(enterprise),
                acting_user=request.user,
                request=request,
            )
        except (ValidationError, ServiceError) as exc:
            add_service_errors(form, exc)
            enterprise.refresh_from_db()
        else:
            messages.success(request, _("Changes saved."))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form, "enterprise": enterprise})


@login_required
@require_POST
def enterprise_archive(request, pk: int):
    enterprise = _editable(request, pk)
    form = ArchiveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.enterprise_archive(
        enterprise=enterprise, acting_user=request.user, reason=reason, request=request
    )
    messages.success(request, _("Enterprise archived. It no longer appears in lists and exports."))
    return redirect("enterprises:detail", pk=enterprise.pk)


@login_required
@require_POST
def enterprise_restore(request, pk: int):
    enterprise = _editable(request, pk)
    services.enterprise_restore(enterprise=enterprise, acting_user=request.user, request=request)
    messages.success(request, _("Enterprise restored."))
    return redirect("enterprises:detail", pk=enterprise.pk)


@login_required
@require_POST
def ip_asset_create(request, pk: int):
    enterprise = _editable(request, pk)
    form = IPAssetForm(request.POST)
    if form.is_valid():
        try:
            asset = services.ip_asset_create(
                enterprise=enterprise,
                **form.cleaned_data,
                acting_user=request.user,
                request=request,
            )
        except (ValidationError, ServiceError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("IP asset “%(asset)s” recorded.") % {"asset": asset})
            return redirect(reverse("enterprises:detail", args=[enterprise.pk]) + "#ip-assets")
    context = _detail_context(request, enterprise, asset_form=form)
    context["asset_form_open"] = True
    return render(request, "enterprises/detail.html", context, status=422)


@login_required
@require_POST
def ip_asset_archive(request, pk: int, asset_pk: int):
    enterprise = _editable(request, pk)
    asset = get_object_or_404(
        selectors.ip_asset_list(user=request.user, enterprise=enterprise), pk=asset_pk
    )
    services.ip_asset_archive(asset=asset, acting_user=request.user, request=request)
    messages.success(request, _("IP asset archived."))
    return redirect(reverse("enterprises:detail", args=[enterprise.pk]) + "#ip-assets")


@login_required
@require_POST
def priority_add(request, pk: int):
    enterprise = _editable(request, pk)
    form = PriorityAddForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            listing = services.priority_listing_add(
                enterprise=enterprise,
                **form.cleaned_data,
                acting_user=request.user,
                request=request,
            )
        except (ValidationError, ServiceError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Added to the %(year)s priority list.") % {"year": listing.year},
            )
            return redirect("enterprises:detail", pk=enterprise.pk)
    context = _detail_context(request, enterprise, priority_form=form)
    context["priority_form_open"] = True
    return render(request, "enterprises/detail.html", context, status=422)


@login_required
@require_POST
def priority_remove(request, pk: int, listing_pk: int):
    enterprise = _editable(request, pk)
    listing = get_object_or_404(
        PriorityListing.objects.visible_to(request.user), pk=listing_pk, enterprise=enterprise
    )
    year = listing.year
    services.priority_listing_remove(listing=listing, acting_user=request.user, request=request)
    messages.success(request, _("Removed from the %(year)s priority list.") % {"year": year})
    return redirect("enterprises:detail", pk=enterprise.pk)


@login_required
def priority_list(request):
    form = PriorityFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    queryset = selectors.priority_list(user=request.user, **filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "year": filters["year"],
        "filtered": bool(filters.get("q") or filters.get("unit")),
    }
    return _render_list(
        request, "enterprises/priority_list.html", "enterprises/_priority_results.html", context
    )


@login_required
def priority_export(request, fmt: str):
    form = PriorityFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    queryset = selectors.priority_list(user=request.user, **filters)
    title = (
        f"{filters['year']}年重点企业" if exporting.is_zh() else f"Priority list {filters['year']}"
    )
    return _export(
        request,
        fmt=fmt,
        what="enterprises.prioritylisting",
        stem=f"priority-list-{filters['year']}",
        sheet_title=title,
        columns=exporting.PRIORITY_COLUMNS,
        queryset=queryset,
        filters=filters,
    )
