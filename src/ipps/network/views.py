"""Pages of the network: the unit directory, a unit's page and its edit form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from ipps.core.errors import ServiceError
from ipps.network import selectors
from ipps.network.forms import UnitEditForm, UnitFilterForm
from ipps.network.models import ServiceUnit
from ipps.network.services import unit_update


@login_required
@vary_on_headers("HX-Request")
def unit_list(request):
    form = UnitFilterForm(request.GET or None)
    directory = selectors.unit_directory(user=request.user, **form.filters())
    context = {"form": form, "directory": directory}
    # htmx asks for the directory only; a history restore or a boosted link needs the whole page.
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return render(request, "network/_directory.html", context)
    return render(request, "network/unit_list.html", context)


@login_required
def unit_detail(request, pk: int):
    unit = selectors.unit_detail(user=request.user, pk=pk)
    context = {
        "unit": unit,
        "children": selectors.unit_children(user=request.user, unit=unit),
        "staff": selectors.unit_staff(user=request.user, unit=unit),
        "enterprises": selectors.unit_enterprises(user=request.user, unit=unit),
        "can_change": selectors.unit_can_change(user=request.user, unit=unit),
    }
    return render(request, "network/unit_detail.html", context)


@login_required
def unit_edit(request, pk: int):
    unit = get_object_or_404(ServiceUnit.objects.restrict(request.user, "change"), pk=pk)
    form = UnitEditForm(
        request.POST or None,
        unit=unit,
        parent_choices=selectors.unit_parent_choices(user=request.user, unit=unit),
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit_update(
                unit=unit, changes=form.changes(), acting_user=request.user, request=request
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("The unit “%(name)s” has been saved.") % {"name": unit.name}
            )
            return redirect("network:unit_detail", pk=unit.pk)
    return render(request, "network/unit_edit.html", {"unit": unit, "form": form})
