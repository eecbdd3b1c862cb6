"""The knowledge base in the API: /kb (list, search, write, publish) and /kb/suggest.

Included by casework/api.py (its knowledge-base section).
"""

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from ipps.casework import knowledge
from ipps.casework.choices import Audience
from ipps.casework.services import can_see_content
from ipps.core.api import Error, Pagination
from ipps.core.choices import ChainStage, IPType

router = Router(tags=["knowledge base"])


class ArticleOut(Schema):
    id: int
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    ip_type: str
    chain_stage: str
    status: str
    audience: str
    published_at: dt.datetime | None
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ArticleIn(Schema):
    title_zh: str = Field(min_length=1, max_length=200)
    body_zh: str = Field(min_length=1)
    title_en: str = Field("", max_length=200)
    body_en: str = ""
    ip_type: IPType | None = None
    chain_stage: ChainStage | None = None
    audience: Audience = Audience.INTERNAL
    publish: bool = False


class ArticlePatch(Schema):
    title_zh: str | None = Field(None, min_length=1, max_length=200)
    body_zh: str | None = Field(None, min_length=1)
    title_en: str | None = Field(None, max_length=200)
    body_en: str | None = None
    ip_type: IPType | None = None
    chain_stage: ChainStage | None = None
    audience: Audience | None = None


class ArticleBrief(Schema):
    id: int
    title_zh: str
    title_en: str
    ip_type: str
    url: str


class RequestBrief(Schema):
    id: int
    reference: str
    subject: str
    status: str
    ip_type: str
    resolved_at: dt.datetime | None
    url: str


class SuggestionsOut(Schema):
    articles: list[ArticleBrief]
    requests: list[RequestBrief]


def _article(request, article_id: int):
    return knowledge.article_get(user=request.auth, pk=article_id)


@router.get(
    "/kb",
    response={200: list[ArticleOut], 401: Error, 422: Error},
    summary="List or search knowledge-base articles",
)
@paginate(Pagination)
def kb_list(
    request,
    q: str = "",
    ip_type: IPType | None = None,
    chain_stage: ChainStage | None = None,
    status: Literal["draft", "published", "archived"] | None = None,
    audience: Audience | None = None,
):
    """Articles you may read (staff: all; enterprises: published public ones). With `q` (Chinese or
    English words), those that match, best match first (at most 500); without it, newest first.
    `status` is draft, published or archived (archived ones appear only when asked for)."""
    return knowledge.article_search(
        user=request.auth,
        q=q,
        ip_type=ip_type or "",
        chain_stage=chain_stage or "",
        status=status or "",
        audience=audience or "",
    )


@router.post(
    "/kb",
    response={201: ArticleOut, 401: Error, 403: Error, 422: Error},
    summary="Write an article",
)
def kb_create(request, payload: ArticleIn):
    """Officers, liaisons and administrators write articles; a draft unless `publish` is true."""
    data = payload.model_dump()
    data["ip_type"] = data["ip_type"] or ""
    data["chain_stage"] = data["chain_stage"] or ""
    article = knowledge.article_create(**data, acting_user=request.auth, http=request)
    return Status(201, article)


@router.get(
    "/kb/suggest",
    response={200: SuggestionsOut, 401: Error, 404: Error, 422: Error},
    summary="Articles and past requests like a text or a request",
)
def kb_suggest(
    request, q: str = "", request_id: int | None = None, limit: int = Query(5, ge=1, le=20)
):
    """Published articles and answered past requests you may see that resemble `q`, or (with
    `request_id`) a request's subject and description. Confidential requests you may not read in
    full are never suggested."""
    user = request.auth
    exclude = None
    text = q
    if request_id is not None:
        from ipps.casework.models import ServiceRequest

        exclude = ServiceRequest.objects.visible_to(user).filter(pk=request_id).first()
        if exclude is None or not can_see_content(user, exclude):
            raise Http404
        text = knowledge.request_suggestion_text(exclude)
    articles = knowledge.similar_articles(text, user, limit=limit)
    requests = knowledge.similar_requests(text, user, exclude=exclude, limit=limit)
    return {
        "articles": [
            {
                "id": a.pk,
                "title_zh": a.title_zh,
                "title_en": a.title_en,
                "ip_type": a.ip_type,
                "url": f"/kb/{a.pk}/",
            }
            for a in articles
        ],
        "requests": [
            {
                "id": r.pk,
                "reference": r.reference,
                "subject": r.subject,
                "status": r.status,
                "ip_type": r.ip_type,
                "resolved_at": r.resolved_at,
                "url": f"/requests/{r.pk}/",
            }
            for r in requests
        ],
    }


@router.get(
    "/kb/{int:article_id}",
    response={200: ArticleOut, 401: Error, 404: Error},
    summary="One article",
)
def kb_detail(request, article_id: int):
    return _article(request, article_id)


@router.patch(
    "/kb/{int:article_id}",
    response={200: ArticleOut, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="Change an article",
)
def kb_update(request, article_id: int, payload: ArticlePatch):
    changes = payload.model_dump(exclude_unset=True)
    for name in ("ip_type", "chain_stage"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    return knowledge.article_update(
        article=_article(request, article_id),
        changes=changes,
        acting_user=request.auth,
        http=request,
    )


ACTION_RESPONSES = {200: ArticleOut, 401: Error, 403: Error, 404: Error, 409: Error}


@router.post(
    "/kb/{int:article_id}/publish", response=ACTION_RESPONSES, summary="Publish an article"
)
def kb_publish(request, article_id: int):
    """Published public articles are read by enterprises and the public too."""
    article = _article(request, article_id)
    return knowledge.article_publish(article=article, acting_user=request.auth, http=request)


@router.post("/kb/{int:article_id}/unpublish", response=ACTION_RESPONSES, summary="Back to draft")
def kb_unpublish(request, article_id: int):
    article = _article(request, article_id)
    return knowledge.article_unpublish(article=article, acting_user=request.auth, http=request)


@router.post(
    "/kb/{int:article_id}/archive", response=ACTION_RESPONSES, summary="Archive an article"
)
def kb_archive(request, article_id: int):
    """Archived articles leave search and suggestions; requests answered with them keep the link."""
    article = _article(request, article_id)
    return knowledge.article_archive(article=article, acting_user=request.auth, http=request)


@router.post(
    "/kb/{int:article_id}/restore", response=ACTION_RESPONSES, summary="Restore an article"
)
def kb_restore(request, article_id: int):
    article = _article(request, article_id)
    return knowledge.article_restore(article=article, acting_user=request.auth, http=request)
