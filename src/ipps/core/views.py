import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from ipps.core.audit import audit_record
from ipps.core.choices import AuditAction
from ipps.core.forms import AuditFilterForm
from ipps.core.selectors import (
    audit_can_view,
    audit_chain_status,
    audit_change_rows,
    audit_events,
    home_summary,
)

AUDIT_PAGE_SIZE = 50


@login_required
def home(request):
    return render(request, "core/home.html", {"summary": home_summary(user=request.user)})


def _auditor_only(request) -> None:
    # Not a 403: people without the role should not learn the page exists.
    if not audit_can_view(request.user):
        raise Http404


def _filter_form(request) -> AuditFilterForm:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form


@login_required
def audit_log(request):
    _auditor_only(request)
    form = _filter_form(request)
    page = Paginator(audit_events(filters=form.to_filter()), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for event in page.object_list:
        event.change_rows, event.change_extra = audit_change_rows(event.changes)
    return render(request, "core/audit_log.html", {"form": form, "page": page})


@login_required
def audit_chain(request):
    _auditor_only(request)
    template = "core/_audit_chain.html" if request.htmx else "core/audit_chain.html"
    return render(request, template, {"status": audit_chain_status()})


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula; a leading quote keeps them text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def audit_export(request):
    _auditor_only(request)
    form = _filter_form(request)
    filters = form.to_filter()
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        object_type="core.auditevent",
        object_repr=_("Audit log (CSV)"),
        changes={"filters": {k: v for k, v in vars(filters).items() if v}},
        request=request,
    )
    header = [
        _("Id"), _("Time"), _("Actor"), _("Action"), _("Object type"), _("Object id"),
        _("Object"), _("IP address"), _("Changes"), _("Previous hash"), _("Hash"),
    ]  # fmt: skip
    labels = {value: str(label) for value, label in AuditAction.choices}

    def rows():
        yield "\ufeff"  # a BOM, so that spreadsheet programs read the Chinese text as UTF-8
        writer = csv.writer(_Echo())
        yield writer.writerow(header)
        for e in audit_events(filters=filters).iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.pk,
                    timezone.localtime(e.at).isoformat(timespec="seconds"),
                    _cell(e.actor_name),
                    labels.get(e.action, e.action),
                    e.object_type,
                    _cell(e.object_id),
                    _cell(e.object_repr),
                    e.ip_address or "",
                    _cell(json.dumps(e.changes, ensure_ascii=False, sort_keys=True)),
                    e.prev_hash,
                    e.hash,
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ipps-audit-{stamp}.csv"'
    return response
