"""The caller's notifications in the API: GET /notifications, POST /notifications/read.

Included by casework/api.py (its notifications section). The same notifications as the bell and
the /notifications/ page, each in the caller's language (`Notification.shown`).
"""

import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from ipps.casework import services
from ipps.core.api import Error, Id, Pagination
from ipps.core.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    text: str
    link: str
    read_at: dt.datetime | None

    @staticmethod
    def resolve_text(obj: Notification) -> str:
        return obj.shown


class MarkReadIn(Schema):
    ids: list[Id] | None = Field(
        None, max_length=1000, description="the notifications to mark; all unread ones if omitted"
    )


class MarkReadOut(Schema):
    marked: int
    unread: int


@router.get(
    "/notifications",
    response={200: list[NotificationOut], 401: Error, 422: Error},
    summary="Your notifications",
)
@paginate(Pagination)
def notifications_list(request, unread: bool = False):
    """Your notifications, newest first (`unread=true`: only those not yet read). `text` is in the
    language of the request (`Accept-Language`); `kind` is stable for programs: assigned,
    escalated, referred, enterprise_reply, reopened, resolved, due_soon, breach, report."""
    rows = Notification.objects.visible_to(request.auth).order_by("-at", "-id")
    return rows.unread() if unread else rows


@router.post(
    "/notifications/read",
    response={200: MarkReadOut, 401: Error, 403: Error, 422: Error},
    summary="Mark notifications as read",
)
def notifications_read(request, payload: MarkReadIn):
    """Marks your unread notifications in `ids` (others' and unknown ids are ignored), or all of
    them without `ids`; answers how many were marked and how many stay unread."""
    marked = services.notifications_mark_read(user=request.auth, ids=payload.ids)
    unread = Notification.objects.visible_to(request.auth).unread().count()
    return {"marked": marked, "unread": unread}
