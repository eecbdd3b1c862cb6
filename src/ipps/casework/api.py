from ninja import Router

router = Router(tags=["requests"])

# --- knowledge-base slice (GET/POST /kb, GET /kb/suggest …) ---
from ipps.casework.kb_api import router as kb_router  # noqa: E402

router.add_router("", kb_router)

# --- end knowledge-base slice ---

# --- notifications slice (GET /notifications, POST /notifications/read) ---
from ipps.casework.notification_api import router as notification_router  # noqa: E402

router.add_router("", notification_router)

# --- end notifications slice ---

# --- case-file slice (GET/PATCH /requests/{id}/case, facts, evidence …) ---
from ipps.casework.case_api import router as case_router  # noqa: E402

router.add_router("", case_router)

# --- end case-file slice ---

# --- requests slice (GET/POST /requests, GET /requests/{id}, actions, events …) ---
# Imports of this section stay here so the slices can change independently.
import datetime as _dt  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.http import FileResponse  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from ninja import File, Form, Query, Status  # noqa: E402
from ninja.files import UploadedFile  # noqa: E402
from ninja.pagination import paginate  # noqa: E402

from ipps.casework import selectors, services  # noqa: E402
from ipps.casework.models import Article, Expert  # noqa: E402
from ipps.casework.schemas import (  # noqa: E402
    AssignIn,
    AttachmentOut,
    EscalateIn,
    MessageIn,
    RateIn,
    ReasonIn,
    ReferIn,
    RequestCommentIn,
    RequestEventOut,
    RequestIn,
    RequestOut,
    ResolveIn,
    WaitIn,
)
from ipps.core.api import Error, Pagination, respond  # noqa: E402
from ipps.core.errors import ServiceError  # noqa: E402
from ipps.core.prepared import Prepared  # noqa: E402
from ipps.enterprises.models import Enterprise  # noqa: E402
from ipps.network.choices import UnitKind  # noqa: E402
from ipps.network.models import ServiceUnit  # noqa: E402
from ipps.network.scope import unit_ids_for  # noqa: E402

READ_ERRORS = {401: Error, 404: Error, 422: Error}
ACTION_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _unknown(field: str, message: str) -> ServiceError:
    return ServiceError("unknown_" + field, message, field=field, status=422)


def _lookup(qs, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise _unknown(field, message) from None


def _enterprise_in_scope(pk, ids, own):
    return (
        Enterprise.objects.in_scope(ids=ids, enterprise_id=own)
        .select_related("workstation")
        .filter(pk=pk)
    )


_ENTERPRISE_IN_SCOPE = Prepared(_enterprise_in_scope)  # every request filed by staff reads it


def _fresh(request, pk: int):
    """The request as the caller sees it now (after an action), annotated for the response."""
    return selectors.request_get(user=request.auth, pk=pk)


@router.get(
    "/requests",
    response={200: list[RequestOut], **READ_ERRORS},
    summary="List service requests",
)
@paginate(Pagination)
def requests_list(
    request,
    status: str | None = None,
    unit: int | None = None,
    assignee: str | None = None,
    enterprise: int | None = None,
    category: str | None = None,
    ip_type: str | None = None,
    channel: str | None = None,
    priority: str | None = None,
    overdue: bool | None = None,
    breached: bool | None = None,
    escalated_in: bool | None = None,
    confidential: bool | None = None,
    q: str | None = None,
    received_from: _dt.date | None = Query(None, alias="from"),  # noqa: B008
    received_to: _dt.date | None = Query(None, alias="to"),  # noqa: B008
    include_archived: bool = False,
    ordering: str | None = None,
):
    """Requests you may see. `status`: a status, a comma-separated list, or `open`. `unit`: the
    handling unit's whole subtree. `assignee`: `me`, `none` or a user id. `escalated_in=true`:
    requests now handled by your own unit that came from another unit. `q`: reference, subject,
    requester or enterprise name. `ordering`: `due` (queues), `received`, `-received` (default),
    `updated`, `-updated`."""
    return selectors.request_list(
        user=request.auth,
        status=status,
        unit=unit,
        assignee=assignee,
        enterprise=enterprise,
        category=category,
        ip_type=ip_type,
        channel=channel,
        priority=priority,
        overdue=overdue,
        breached=breached,
        escalated_in=escalated_in,
        confidential=confidential,
        q=q,
        received_from=received_from,
        received_to=received_to,
        include_archived=include_archived,
        ordering=ordering,
    )


@router.post(
    "/requests",
    response={201: RequestOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="File a service request",
)
def requests_create(request, payload: RequestIn):
    """Portal users file for their own enterprise; it goes to the enterprise's workstation. Staff
    give `enterprise` (id) or the requester's name and contact details, and `unit` (id) or
    `district` for the unit that should answer (default: the enterprise's workstation)."""
    user = request.auth
    data = payload.model_dump()
    portal = bool(getattr(user, "enterprise_id", None))
    enterprise = unit = None
    if not portal:
        if data["enterprise"] is not None:
            ids = unit_ids_for(user)
            enterprise = _ENTERPRISE_IN_SCOPE.first(
                pk=data["enterprise"],
                ids=ids,
                own=None if ids is None else getattr(user, "enterprise_id", None) or None,
            )
            if enterprise is None:
                raise _unknown("enterprise", _("No enterprise with this id is in your scope."))
        if data["unit"] is not None:
            unit = _lookup(
                ServiceUnit.objects.exclude(kind=UnitKind.PARTNER),
                data["unit"],
                "unit",
                _("No network unit has this id."),
            )
    created = services.request_create(
        subject=data["subject"],
        description=data["description"],
        channel=data["channel"],
        ip_type=data["ip_type"],
        chain_stage=data["chain_stage"],
        category=data["category"],
        priority=data["priority"],
        confidential=data["confidential"],
        enterprise=enterprise,
        unit=unit,
        district="" if portal else data["district"],
        requester_name=data["requester_name"],
        requester_phone=data["requester_phone"],
        requester_email=data["requester_email"],
        requester_organisation=data["requester_organisation"],
        received_at=data["received_at"],
        auto_assign=data["auto_assign"],
        acting_user=user,
        http=request,
    )
    return respond(request, RequestOut, selectors.as_written(created), status=201)


@router.get(
    "/requests/{int:request_id}",
    response={200: RequestOut, 401: Error, 404: Error},
    summary="One service request",
)
def requests_detail(request, request_id: int):
    return respond(request, RequestOut, selectors.request_get(user=request.auth, pk=request_id))


@router.get(
    "/requests/{int:request_id}/events",
    response={200: list[RequestEventOut], 401: Error, 404: Error},
    summary="The timeline of a request",
)
@paginate(Pagination)
def requests_events(request, request_id: int):
    """Oldest first. Enterprise users (and anyone else without access to internal items) get only
    the entries visible to the enterprise; when the content is hidden, texts are empty."""
    found = selectors.request_get(user=request.auth, pk=request_id)
    return selectors.request_events(user=request.auth, request=found)


@router.post(
    "/requests/{int:request_id}/acknowledge",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Acknowledge a request (first response)",
)
def requests_acknowledge(request, request_id: int, payload: MessageIn | None = None):
    found = selectors.request_get(user=request.auth, pk=request_id)
    services.request_acknowledge(
        request=found,
        acting_user=request.auth,
        message=(payload.message if payload else "").strip(),
        http=request,
    )
    return respond(request, RequestOut, _fresh(request, request_id))


@router.post(
    "/requests/{int:request_id}/comment",
    response={201: RequestEventOut, **ACTION_ERRORS},
    summary="Comment on a request",
)
def requests_comment(request, request_id: int, payload: RequestCommentIn):
    """Staff comments may be `internal` (hidden from the enterprise); a visible staff comment is a
    first response and starts the work. An enterprise's comment resumes a paused clock."""
    found = selectors.request_get(user=request.auth, pk=request_id)
    event = services.request_comment(
        request=found,
        acting_user=request.auth,
        body=payload.body,
        internal=payload.internal,
        http=request,
    )
    event.request = _fresh(request, request_id)
    return Status(201, event)


@router.post(
    "/requests/{int:request_id}/assign",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Assign a request",
)
def requests_assign(request, request_id: int, payload: AssignIn):
    """`assignee` (user id, staff of the handling unit or above) or `auto: true` (least-loaded
    liaison of the handling unit)."""
    found = selectors.request_get(user=request.auth, pk=request_id)
    if payload.assignee is None and not payload.auto:
        raise ServiceError(
            "assignee_required",
            _("Give the assignee, or ask for automatic assignment."),
            field="assignee",
            status=422,
        )
    assignee = None
    if not payload.auto:
        assignee = _lookup(
            get_user_model().objects.filter(is_active=True),
            payload.assignee,
            "assignee",
            _("No active user has this id."),
        )
    services.request_assign(
        request=found, acting_user=request.auth, assignee=assignee, auto=payload.auto, http=request
    )
    return respond(request, RequestOut, _fresh(request, request_id))


@router.post(
    "/requests/{int:request_id}/escalate",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Escalate a request upward",
)
def requests_escalate(request, request_id: int, payload: EscalateIn):
    """Only upward: workstation → its district centre → the municipal centre (`to_unit` defaults
    to the parent). The service-level clock keeps running from intake. The originating unit still
    sees the request but no longer acts on it."""
    found = selectors.request_get(user=request.auth, pk=request_id)
    to_unit = _lookup(
        ServiceUnit.objects.all(), payload.to_unit, "to_unit", _("No unit has this id.")
    )
    services.request_escalate(
        request=found,
        acting_user=request.auth,
        to_unit=to_unit,
        reason=payload.reason,
        http=request,
    )
    return respond(request, RequestOut, _fresh(request, request_id))


@router.post(
    "/requests/{int:request_id}/refer",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Refer a request to an expert or a partner unit",
)
def requests_refer(request, request_id: int, payload: ReferIn):
    """One of `expert` (id; the expert then sees the request and may answer it) or `partner`
    (id of a partner unit, e.g. in Tianjin, Hebei or overseas)."""
    found = selectors.request_get(user=request.auth, pk=request_id)
    expert = _lookup(Expert.objects.all(), payload.expert, "expert", _("No expert has this id."))
    partner = _lookup(
        ServiceUnit.objects.filter(kind=UnitKind.PARTNER),
        payload.partner,
        "partner",
        _("No partner unit has this id."),
    )
    services.request_refer(
        request=found,
        acting_user=request.auth,
        reason=payload.reason,
        expert=expert,
        partner=partner,
        http=request,
    )
    return respond(request, RequestOut, _fresh(request, request_id))


@router.post(
    "/requests/{int:request_id}/wait",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Ask the enterprise for something (pauses the clock)",
)
def requests_wait(request, request_id: int, payload: WaitIn):
    found = selectors.request_get(user=request.auth, pk=request_id)
    services.request_wait(
        request=found, acting_user=request.auth, message=payload.message, http=request
    )
    return respond(request, RequestOut, _fresh(request, request_id))


@router.post(
    "/requests/{int:request_id}/resume",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Resume work on a request waiting on the enterprise",
)
def requests_resume(request, request_id: int):
    found = selectors.request_get(user=request.auth, pk=request_id)
    services.request_resume(request=found, acting_user=request.auth, http=request)
    return respond(request, RequestOut, _fresh(request, request_id))


@router.post(
    "/requests/{int:request_id}/resolve",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Answer a request",
)
def requests_resolve(request, request_id: int, payload: ResolveIn):
    """`answer` (shown to the enterprise) and optionally `articles`: ids of knowledge-base
    articles the answer used. Writes the act of service into the ledger once."""
    found = selectors.request_to_act_on(user=request.auth, pk=request_id)
    ids = list(dict.fromkeys(payload.articles))
    articles = list(Article.objects.visible_to(request.auth).filter(pk__in=ids)) if ids else []
    if len(articles) != len(ids):
        raise _unknown("articles", _("An article id is unknown or not available to you."))
    resolved = services.request_resolve(
        request=found,
        acting_user=request.auth,
        answer=payload.answer,
        articles=articles,
        http=request,
    )
    return respond(request, RequestOut, selectors.as_written(resolved))


@router.post(
    "/requests/{int:request_id}/close",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Close an answered request",
)
def requests_close(request, request_id: int):
    found = selectors.request_get(user=request.auth, pk=request_id)
    services.request_close(request=found, acting_user=request.auth, http=request)
    return respond(request, RequestOut, _fresh(request, request_id))


@router.post(
    "/requests/{int:request_id}/reopen",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Reopen an answered or closed request",
)
def requests_reopen(request, request_id: int, payload: ReasonIn):
    """The enterprise may reopen within 30 days of the answer (later: 409
    `reopen_window_passed`); staff at any time. A request answered again is not counted twice."""
    found = selectors.request_get(user=request.auth, pk=request_id)
    services.request_reopen(
        request=found, acting_user=request.auth, reason=payload.reason, http=request
    )
    return respond(request, RequestOut, _fresh(request, request_id))


@router.post(
    "/requests/{int:request_id}/rate",
    response={200: RequestOut, **ACTION_ERRORS},
    summary="Rate the answer (the enterprise)",
)
def requests_rate(request, request_id: int, payload: RateIn):
    """`rating` 1–5 and an optional `comment`; only the enterprise that asked, once the request is
    answered. Rating again replaces the rating."""
    found = selectors.request_get(user=request.auth, pk=request_id)
    services.request_rate(
        request=found,
        acting_user=request.auth,
        rating=payload.rating,
        comment=payload.comment,
        http=request,
    )
    return respond(request, RequestOut, _fresh(request, request_id))


@router.get(
    "/requests/{int:request_id}/attachments",
    response={200: list[AttachmentOut], 401: Error, 404: Error},
    summary="Files attached to a request",
)
@paginate(Pagination)
def requests_attachments(request, request_id: int):
    found = selectors.request_get(user=request.auth, pk=request_id)
    return selectors.request_attachments(user=request.auth, request=found)


@router.post(
    "/requests/{int:request_id}/attachments",
    response={201: AttachmentOut, **ACTION_ERRORS, 413: Error, 415: Error},
    summary="Attach a file to a request",
)
def requests_attach(
    request,
    request_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008
    internal: bool = Form(False),  # noqa: B008
):
    """Multipart: `file` and optionally `internal=true` (staff only: hidden from the enterprise).
    Limits: size (413 `file_too_large`) and type by extension (415 `file_type`); the answer
    carries the file's SHA-256."""
    found = selectors.request_get(user=request.auth, pk=request_id)
    if file is None:
        raise ServiceError(
            "file_required",
            _("Send the file as the multipart field “file”."),
            field="file",
            status=422,
        )
    if not selectors.can_see_content(request.auth, found):
        raise ServiceError(
            "not_allowed", _("You may not add files to this confidential request."), status=403
        )
    attachment = services.attachment_add(
        request=found, acting_user=request.auth, upload=file, internal=internal, http=request
    )
    return Status(201, attachment)


@router.get(
    "/requests/{int:request_id}/attachments/{int:attachment_id}",
    response={401: Error, 404: Error},
    summary="Download a file of a request",
    openapi_extra={
        "responses": {
            200: {
                "description": (
                    "The file, with the content type of its kind (application/pdf, image/png, "
                    "…: one of the accepted attachment types) and its SHA-256 in "
                    "X-Content-SHA256."
                ),
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                "headers": {
                    "X-Content-SHA256": {
                        "description": "the SHA-256 of the file, as recorded when it was added",
                        "schema": {"type": "string"},
                    }
                },
            }
        }
    },
)
def requests_attachment_download(request, request_id: int, attachment_id: int):
    """Streams the file. Internal files only for staff; none when the content is hidden."""
    _found, attachment = selectors.attachment_get(
        user=request.auth, request_pk=request_id, pk=attachment_id
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-SHA256"] = attachment.sha256
    return response


# --- end requests slice ---
