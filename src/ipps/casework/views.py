"""Request pages: the staff queue, intake, the request page and its actions, the enterprise portal,
notifications. Views parse, call one service or selector, and render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipps.casework import forms as f
from ipps.casework import selectors, services
from ipps.casework.choices import OPEN_STATUSES, Category, RequestStatus
from ipps.casework.kb_views import localized
from ipps.casework.models import Article, ServiceRequest
from ipps.core.choices import Channel
from ipps.core.errors import ConflictError, ServiceError
from ipps.core.models import Notification
from ipps.enterprises import selectors as enterprise_selectors
from ipps.enterprises.models import Enterprise
from ipps.network.choices import EDITOR_ROLES, UnitKind
from ipps.network.scope import is_staff_user

PAGE_SIZE = 50
DUE_SOON = dt.timedelta(days=1)


def _is_portal_user(user) -> bool:
    return bool(getattr(user, "enterprise_id", None))


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return exc.message


def _error_status(exc: Exception) -> int:
    return getattr(exc, "status", 400) if isinstance(exc, ServiceError) else 400


def _flag_rows(rows, now) -> None:
    """Overdue (breached or past due) and due-within-a-day flags for the queue's colours."""
    for r in rows:
        open_ = r.status in OPEN_STATUSES
        r.is_overdue = open_ and (
            r.breached_resolution
            or (r.resolution_due is not None and r.paused_at is None and r.resolution_due < now)
        )
        r.is_due_soon = (
            open_
            and not r.is_overdue
            and r.paused_at is None
            and r.resolution_due is not None
            and r.resolution_due < now + DUE_SOON
        )


# Staff queue -----------------------------------------------------------------------------------------


def _tab_filter(tab: str, user) -> Q:
    open_ = Q(status__in=OPEN_STATUSES)
    if tab == "mine":
        return open_ & Q(assignee_id=user.pk)
    if tab == "unit":
        return open_
    if tab == "escalated":
        query = open_ & ~Q(handling_unit_id=F("originating_unit_id"))
        if not user.is_superuser:
            query &= Q(handling_unit_id__in=selectors.direct_unit_ids(user))
        return query
    return Q()


@login_required
def queue(request):
    user = request.user
    if _is_portal_user(user) and not is_staff_user(user):
        return redirect("casework:portal_list")
    tab = request.GET.get("tab") or "mine"
    if tab not in f.QUEUE_TABS:
        tab = "mine"
    form = f.QueueFilterForm(request.GET or None, user=user)
    filters = form.filters()
    status = filters.pop("status", None)
    try:
        base = selectors.request_list(user=user, **filters)
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        base = selectors.request_list(user=user)
    counts = ServiceRequest.objects.filter(pk__in=base.values("pk")).aggregate(
        **{name: Count("pk", filter=_tab_filter(name, user)) for name in f.QUEUE_TABS}
    )
    rows = base.filter(_tab_filter(tab, user))
    if tab == "all" and status:
        rows = rows.filter(status=status)
    rows = rows.order_by(*selectors.ORDERINGS["due"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _flag_rows(page.object_list, timezone.now())
    context = {
        "form": form,
        "page": page,
        "missing_years": sorted(
            {r.calendar_missing_year for r in page.object_list if r.calendar_missing}
        ),
        "tab": tab,
        "tabs": [
            ("mine", _("Mine"), counts["mine"]),
            ("unit", _("My unit"), counts["unit"]),
            ("escalated", _("Escalated to us"), counts["escalated"]),
            ("all", _("All"), counts["all"]),
        ],
        "filtered": bool(filters or status),
        "can_create": bool(f.editor_units(user).exists()) if is_staff_user(user) else False,
    }
    wants_partial = request.htmx and not request.htmx.history_restore_request
    template = "casework/_queue_results.html" if wants_partial else "casework/queue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Intake ----------------------------------------------------------------------------------------------


def _require_intake(user) -> None:
    if not is_staff_user(user) or not f.editor_units(user).exists():
        raise Http404


@login_required
def request_new(request):
    user = request.user
    _require_intake(user)
    form = f.IntakeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(
                **form.service_kwargs(), acting_user=user, http=request
            )
        except (ServiceError, ValidationError) as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Request %(ref)s recorded.") % {"ref": created.reference},
            )
            return redirect("casework:request_detail", pk=created.pk)
    return render(request, "casework/intake.html", {"form": form})


@login_required
def enterprise_options(request):
    """The intake form's enterprise choices, narrowed by what was typed (an htmx fragment)."""
    _require_intake(request.user)
    rows = f.enterprise_options(request.user, request.GET.get("enterprise_q", ""))
    return render(request, "casework/_enterprise_options.html", {"rows": rows})


# The request page ------------------------------------------------------------------------------------


def _staff_get(request, pk: int) -> ServiceRequest:
    return selectors.request_get(user=request.user, pk=pk)


def _ancestors(unit) -> list:
    """The units above `unit`, nearest first."""
    found, node = [], unit.parent
    while node is not None:
        found.append(node)
        node = node.parent
    return found


def _escalation_targets(req: ServiceRequest):
    if not hasattr(req, "_escalation_targets"):
        req._escalation_targets = [
            u for u in _ancestors(req.handling_unit) if u.kind != UnitKind.PARTNER
        ]
    return req._escalation_targets


def _assignable_staff(req: ServiceRequest):
    from ipps.accounts.models import User

    unit_ids = [req.handling_unit_id, *[u.pk for u in _ancestors(req.handling_unit)]]
    return list(
        User.objects.filter(
            is_active=True, memberships__unit_id__in=unit_ids, memberships__role__in=EDITOR_ROLES
        )
        .distinct()
        .order_by("username")
    )


def _staff_forms(req: ServiceRequest, user, actions: set[str], bound=None) -> dict:
    """One unbound form per allowed action; the posted one (if any) stays bound with its errors."""
    built = {}
    for name in actions:
        if name == "acknowledge":
            built[name] = f.MessageForm(prefix=name)
        elif name == "comment":
            built[name] = f.CommentForm(prefix=name)
        elif name == "assign":
            built[name] = f.AssignForm(prefix=name, staff=_assignable_staff(req))
        elif name == "escalate":
            built[name] = f.EscalateForm(prefix=name, targets=_escalation_targets(req))
        elif name == "refer":
            built[name] = f.ReferForm(prefix=name)
        elif name == "wait":
            built[name] = f.WaitForm(prefix=name)
        elif name == "resolve":
            built[name] = f.ResolveForm(prefix=name, user=user)
        elif name == "reopen":
            built[name] = f.ReasonForm(prefix=name)
        elif name == "attach":
            built[name] = f.AttachmentForm(prefix=name)
    if bound is not None:
        built.update(bound)
    return built


def _staff_actions(user, req: ServiceRequest) -> set[str]:
    if req.archived_at is not None or not selectors.can_see_content(user, req):
        return set()
    actions = set(selectors.allowed_actions(user, req))
    staff = services.can_work_on(user, req)
    if staff or selectors.is_expert_on(user, req):
        actions.add("attach")
    if staff:
        if req.status in services.TRANSITIONS["resume"][0]:
            actions.add("resume")
        actions.add("archive")
        if "escalate" in actions and not _escalation_targets(req):
            actions.discard("escalate")
    actions.discard("rate")
    return actions


def _enterprise_contacts(user, req: ServiceRequest) -> dict:
    ent = req.enterprise
    if ent is None:
        show = selectors.can_see_contacts(user, req)
        from ipps.core.ids import mask_phone

        return {
            "phone": req.requester_phone if show else mask_phone(req.requester_phone),
            "email": req.requester_email
            if show
            else enterprise_selectors.mask_email(req.requester_email),
            "masked": not show,
        }
    return {
        "name": ent.contact_name,
        "phone": enterprise_selectors.contact_phone_for(user, ent),
        "email": enterprise_selectors.contact_email_for(user, ent),
        "masked": not enterprise_selectors.can_see_contacts(user, ent),
    }


def _decorate(events, attachments) -> list:
    """Labels the timeline shows: status names, the channel, the file behind an attachment event."""
    files = {a.pk: a for a in attachments}
    for ev in events:
        ev.from_label = RequestStatus(ev.from_status).label if ev.from_status else ""
        ev.to_label = RequestStatus(ev.to_status).label if ev.to_status else ""
        channel = (ev.data or {}).get("channel")
        ev.channel_label = Channel(channel).label if channel in Channel.values else channel
        ev.attachment = files.get((ev.data or {}).get("attachment"))
        rating = (ev.data or {}).get("rating")
        ev.stars = "★" * int(rating) + "☆" * (5 - int(rating)) if rating else ""
    return events


def _render_detail(request, req: ServiceRequest, *, bound=None, error=None, status=200):
    user = request.user
    visible = selectors.can_see_content(user, req)
    actions = _staff_actions(user, req)
    now = timezone.now()
    _flag_rows([req], now)
    attachments = list(selectors.request_attachments(user=user, request=req))
    events = list(selectors.request_events(user=user, request=req)) if visible else []
    context = {
        "req": req,
        "content_visible": visible,
        "events": _decorate(events, attachments),
        "attachments": attachments,
        "actions": actions,
        "forms": _staff_forms(req, user, actions, bound),
        "contacts": _enterprise_contacts(user, req) if visible else {},
        "error": error,
        "is_infringement": req.category == Category.INFRINGEMENT,
        "articles": _answered_with(req, user) if visible else [],
        # An expert the request was referred to reads it, but not the enterprise's own page.
        "enterprise_linkable": req.enterprise_id is not None
        and Enterprise.objects.visible_to(user).filter(pk=req.enterprise_id).exists(),
    }
    return render(request, "casework/detail.html", context, status=status)


def _answered_with(req, user) -> list[dict]:
    """The articles a request was answered with, titled in the reader's language, linked where
    the reader may open them (not a draft or an internal article they cannot see)."""
    articles = list(req.answered_with.order_by("pk"))
    openable = set(
        Article.objects.visible_to(user)
        .filter(pk__in=[a.pk for a in articles])
        .values_list("pk", flat=True)
    )
    return [
        {"pk": a.pk, "title": localized(a)["title"], "openable": a.pk in openable} for a in articles
    ]


@login_required
def request_detail(request, pk: int):
    if _is_portal_user(request.user) and not is_staff_user(request.user):
        return redirect("casework:portal_detail", pk=pk)
    return _render_detail(request, _staff_get(request, pk))


STAFF_SUCCESS = {
    "acknowledge": _("The request is acknowledged."),
    "comment": _("Comment added."),
    "assign": _("The request is assigned."),
    "escalate": _("The request is escalated."),
    "refer": _("The request is referred."),
    "wait": _("The enterprise is asked; the clock is paused."),
    "resume": _("Work resumed; the clock runs again."),
    "resolve": _("The request is resolved."),
    "close": _("The request is closed."),
    "reopen": _("The request is reopened."),
    "archive": _("The request is archived."),
    "attach": _("File attached."),
}

ACTION_FORMS = {
    "acknowledge": f.MessageForm,
    "comment": f.CommentForm,
    "wait": f.WaitForm,
    "reopen": f.ReasonForm,
    "refer": f.ReferForm,
}


def _bind(name: str, request, req: ServiceRequest):
    data, files = request.POST, request.FILES
    if name == "assign":
        return f.AssignForm(data, prefix=name, staff=_assignable_staff(req))
    if name == "escalate":
        return f.EscalateForm(data, prefix=name, targets=_escalation_targets(req))
    if name == "resolve":
        return f.ResolveForm(data, prefix=name, user=request.user)
    if name == "attach":
        return f.AttachmentForm(data, files, prefix=name)
    if name in ACTION_FORMS:
        return ACTION_FORMS[name](data, prefix=name)
    return None


def _call_staff(name: str, req: ServiceRequest, form, request):
    user = request.user
    common = {"request": req, "acting_user": user, "http": request}
    data = form.cleaned_data if form is not None else {}
    if name == "acknowledge":
        return services.request_acknowledge(**common, message=data.get("message", ""))
    if name == "comment":
        return services.request_comment(**common, body=data["body"], internal=data["internal"])
    if name == "assign":
        assignee = form.assignee_user()
        return services.request_assign(**common, assignee=assignee, auto=assignee is None)
    if name == "escalate":
        return services.request_escalate(**common, to_unit=data["to_unit"], reason=data["reason"])
    if name == "refer":
        return services.request_refer(
            **common, expert=data.get("expert"), partner=data.get("partner"), reason=data["reason"]
        )
    if name == "wait":
        return services.request_wait(**common, message=data["message"])
    if name == "resume":
        return services.request_resume(**common)
    if name == "resolve":
        return services.request_resolve(
            **common, answer=data["answer"], articles=list(data.get("articles") or [])
        )
    if name == "close":
        return services.request_close(**common)
    if name == "reopen":
        return services.request_reopen(**common, reason=data["reason"])
    if name == "archive":
        return services.request_archive(**common)
    if name == "attach":
        return services.attachment_add(
            request=req,
            acting_user=user,
            upload=data["file"],
            internal=data.get("internal", False),
            http=request,
        )
    raise Http404


def _conflict_text(exc: Exception) -> str:
    if isinstance(exc, ConflictError):
        return _(
            "Someone changed this request meanwhile, or this is not possible in its current "
            "status: %(detail)s"
        ) % {"detail": exc.message}
    return _error_text(exc)


@login_required
@require_POST
def request_action(request, pk: int, action: str):
    if action not in STAFF_SUCCESS:
        raise Http404
    req = _staff_get(request, pk)
    if not selectors.can_see_content(request.user, req):
        raise Http404
    form = _bind(action, request, req)
    if form is not None and not form.is_valid():
        return _render_detail(request, req, bound={action: form}, status=400)
    try:
        _call_staff(action, req, form, request)
    except (ServiceError, ValidationError) as exc:
        if form is not None:
            f.add_service_errors(form, exc)
        req = _staff_get(request, pk)
        bound = {action: form} if form is not None else None
        return _render_detail(
            request, req, bound=bound, error=_conflict_text(exc), status=_error_status(exc)
        )
    messages.success(request, STAFF_SUCCESS[action])
    return redirect("casework:request_detail", pk=pk)


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    _req, attachment = selectors.attachment_get(user=request.user, request_pk=pk, pk=attachment_pk)
    if not attachment.file:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )


# Enterprise portal -----------------------------------------------------------------------------------


def _require_portal(user) -> None:
    if not _is_portal_user(user):
        raise Http404


def _portal_get(request, pk: int) -> ServiceRequest:
    _require_portal(request.user)
    return get_object_or_404(
        selectors.request_list(user=request.user).filter(enterprise_id=request.user.enterprise_id),
        pk=pk,
    )


@login_required
def portal_list(request):
    _require_portal(request.user)
    rows = selectors.request_list(user=request.user, ordering="-received").filter(
        enterprise_id=request.user.enterprise_id
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casework/portal_list.html", {"page": page})


@login_required
def portal_new(request):
    _require_portal(request.user)
    form = f.PortalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(
                **form.cleaned_data, channel="portal", acting_user=request.user, http=request
            )
        except (ServiceError, ValidationError) as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request %(ref)s has been sent to your workstation.")
                % {"ref": created.reference},
            )
            return redirect("casework:portal_detail", pk=created.pk)
    return render(request, "casework/portal_new.html", {"form": form})


PORTAL_SUCCESS = {
    "reply": _("Your reply has been sent."),
    "attach": _("File attached."),
    "reopen": _("The request is reopened."),
    "rate": _("Thank you for your rating."),
    "close": _("The request is closed."),
}


def _portal_actions(user, req: ServiceRequest) -> set[str]:
    allowed = set(selectors.allowed_actions(user, req))
    actions = {"attach"}
    if "comment" in allowed:
        actions.add("reply")
    return actions | (allowed & {"reopen", "rate", "close"})


def _render_portal_detail(request, req, *, bound=None, error=None, status=200):
    user = request.user
    actions = _portal_actions(user, req)
    built = {
        "reply": f.ReplyForm(prefix="reply"),
        "attach": f.PortalAttachmentForm(prefix="attach"),
        "reopen": f.ReasonForm(prefix="reopen"),
        "rate": f.RatingForm(
            prefix="rate",
            initial={"rating": req.rating, "comment": req.rating_comment} if req.rating else None,
        ),
    }
    built.update(bound or {})
    attachments = list(selectors.request_attachments(user=user, request=req))
    _flag_rows([req], timezone.now())
    context = {
        "req": req,
        "events": _decorate(list(selectors.request_events(user=user, request=req)), attachments),
        "attachments": attachments,
        "actions": actions,
        "forms": built,
        "error": error,
        "reopen_days": services.REOPEN_WINDOW_DAYS,
        "portal": True,
    }
    return render(request, "casework/portal_detail.html", context, status=status)


@login_required
def portal_detail(request, pk: int):
    return _render_portal_detail(request, _portal_get(request, pk))


@login_required
@require_POST
def portal_action(request, pk: int, action: str):
    if action not in PORTAL_SUCCESS:
        raise Http404
    req = _portal_get(request, pk)
    user = request.user
    forms_by_action = {
        "reply": lambda: f.ReplyForm(request.POST, prefix="reply"),
        "attach": lambda: f.PortalAttachmentForm(request.POST, request.FILES, prefix="attach"),
        "reopen": lambda: f.ReasonForm(request.POST, prefix="reopen"),
        "rate": lambda: f.RatingForm(request.POST, prefix="rate"),
        "close": lambda: None,
    }
    form = forms_by_action[action]()
    if form is not None and not form.is_valid():
        return _render_portal_detail(request, req, bound={action: form}, status=400)
    data = form.cleaned_data if form is not None else {}
    common = {"request": req, "acting_user": user, "http": request}
    try:
        if action == "reply":
            services.request_comment(**common, body=data["body"])
        elif action == "attach":
            services.attachment_add(**common, upload=data["file"])
        elif action == "reopen":
            services.request_reopen(**common, reason=data["reason"])
        elif action == "rate":
            services.request_rate(**common, rating=data["rating"], comment=data["comment"])
        elif action == "close":
            services.request_close(**common)
    except (ServiceError, ValidationError) as exc:
        if form is not None:
            f.add_service_errors(form, exc)
        req = _portal_get(request, pk)
        return _render_portal_detail(
            request,
            req,
            bound={action: form} if form is not None else None,
            error=_conflict_text(exc),
            status=_error_status(exc),
        )
    messages.success(request, PORTAL_SUCCESS[action])
    return redirect("casework:portal_detail", pk=pk)


# Notifications ---------------------------------------------------------------------------------------


@login_required
def notifications(request):
    rows = Notification.objects.visible_to(request.user).order_by("-at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casework/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("casework:notifications")


@login_required
def notification_open(request, pk: int):
    """Mark one notification read and follow its link (only links within this site)."""
    note = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[note.pk])
    link = note.link
    if _is_portal_user(request.user) and link.startswith("/requests/"):
        link = "/portal" + link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect(reverse("casework:notifications"))
