"""The knowledge base: writing articles (services) and finding them (selectors).

Articles are network-wide: any editor (administrator, officer or liaison of any unit) writes and
publishes them; staff read every article; enterprises and the public read published public ones.
Search runs over the jieba tokens of both titles and both texts (ipps.core.search).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from ipps.casework.choices import ArticleStatus, Audience, RequestStatus
from ipps.casework.models import Article, ServiceRequest
from ipps.core.audit import audit_record, diff, snapshot
from ipps.core.choices import AuditAction
from ipps.core.errors import PermissionDeniedError, ServiceError
from ipps.core.search import ranked, token_text
from ipps.network.choices import EDITOR_ROLES
from ipps.network.scope import has_role

# Fields an editor may set; the rest (status, dates, tokens) belong to the services.
EDITABLE_FIELDS = (
    "title_zh",
    "title_en",
    "body_zh",
    "body_en",
    "ip_type",
    "chain_stage",
    "audience",
)
# Most matches a search returns (a knowledge base is read, not exported).
SEARCH_LIMIT = 500
# Tokens are derived from the text; the audit log keeps the text itself.
_AUDITED = (*EDITABLE_FIELDS, "status", "published_at", "archived_at")
# The "status" filter also knows archived articles.
STATUS_FILTERS = ("draft", "published", "archived")


# Access --------------------------------------------------------------------------------------------


def can_edit_articles(user) -> bool:
    return bool(user is not None and user.is_authenticated and has_role(user, *EDITOR_ROLES))


def _require_editor(user) -> None:
    if not can_edit_articles(user):
        raise PermissionDeniedError(
            "not_allowed",
            _("Only officers, liaisons and administrators may edit the knowledge base."),
        )


# Services ------------------------------------------------------------------------------------------


def _tokens(article: Article) -> str:
    return token_text(article.title_zh, article.title_en, article.body_zh, article.body_en)


def _clean_text(value: Any) -> str:
    return ("" if value is None else str(value)).strip()


def _save(article: Article, *, fields: list[str] | None = None) -> None:
    article.search_tokens = _tokens(article)
    article.full_clean()
    if fields is None:
        article.save()
    else:
        article.save(update_fields=[*fields, "search_tokens", "updated_at"])


@transaction.atomic
def article_create(
    *,
    title_zh: str,
    body_zh: str,
    acting_user,
    title_en: str = "",
    body_en: str = "",
    ip_type: str = "",
    chain_stage: str = "",
    audience: str = Audience.INTERNAL,
    publish: bool = False,
    http=None,
) -> Article:
    """Write a new article (a draft unless `publish`)."""
    _require_editor(acting_user)
    article = Article(
        title_zh=_clean_text(title_zh),
        title_en=_clean_text(title_en),
        body_zh=_clean_text(body_zh),
        body_en=_clean_text(body_en),
        ip_type=ip_type or "",
        chain_stage=chain_stage or "",
        audience=audience or Audience.INTERNAL,
        created_by=acting_user,
    )
    if publish:
        article.status = ArticleStatus.PUBLISHED
        article.published_at = timezone.now()
    _save(article)
    audit_record(
        action=AuditAction.CREATE,
        actor=acting_user,
        obj=article,
        changes={"after": snapshot(article, _AUDITED)},
        request=http,
    )
    return article


def _audit(article: Article, before: dict, *, action: str, actor, http) -> None:
    audit_record(
        action=action,
        actor=actor,
        obj=article,
        changes=diff(before, snapshot(article, _AUDITED)),
        request=http,
    )


def _lock(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


@transaction.atomic
def article_update(*, article: Article, changes: dict[str, Any], acting_user, http=None) -> Article:
    """Change the text or classification of an article; search follows at once."""
    _require_editor(acting_user)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(
            "not_editable",
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    article = _lock(article)
    before = snapshot(article, _AUDITED)
    for name, value in changes.items():
        value = _clean_text(value)
        if name == "audience" and not value:
            value = Audience.INTERNAL
        setattr(article, name, value)
    _save(article, fields=list(changes))
    _audit(article, before, action=AuditAction.UPDATE, actor=acting_user, http=http)
    return article


def _set_state(article: Article, *, acting_user, http, action: str, **values) -> Article:
    _require_editor(acting_user)
    article = _lock(article)
    before = snapshot(article, _AUDITED)
    for name, value in values.items():
        setattr(article, name, value)
    if snapshot(article, _AUDITED) == before:
        return article
    article.full_clean()
    article.save(update_fields=[*values, "updated_at"])
    _audit(article, before, action=action, actor=acting_user, http=http)
    return article


@transaction.atomic
def article_publish(*, article: Article, acting_user, http=None) -> Article:
    """Make an article readable (to enterprises and the public too if its audience is public)."""
    _require_editor(acting_user)
    current = _lock(article)
    if current.archived_at is not None:
        raise ServiceError(
            "archived", _("An archived article cannot be published; restore it first."), status=409
        )
    return _set_state(
        current,
        acting_user=acting_user,
        http=http,
        action=AuditAction.UPDATE,
        status=ArticleStatus.PUBLISHED,
        published_at=current.published_at or timezone.now(),
    )


@transaction.atomic
def article_unpublish(*, article: Article, acting_user, http=None) -> Article:
    """Back to draft: only staff see it."""
    return _set_state(
        article,
        acting_user=acting_user,
        http=http,
        action=AuditAction.UPDATE,
        status=ArticleStatus.DRAFT,
    )


@transaction.atomic
def article_archive(*, article: Article, acting_user, http=None) -> Article:
    """Take an article out of use (never deleted; requests answered with it keep the link)."""
    _require_editor(acting_user)
    current = _lock(article)
    if current.archived_at is not None:
        return current
    return _set_state(
        current,
        acting_user=acting_user,
        http=http,
        action=AuditAction.ARCHIVE,
        archived_at=timezone.now(),
    )


@transaction.atomic
def article_restore(*, article: Article, acting_user, http=None) -> Article:
    return _set_state(
        article, acting_user=acting_user, http=http, action=AuditAction.RESTORE, archived_at=None
    )


# Selectors -----------------------------------------------------------------------------------------


def article_get(*, user, pk: int) -> Article:
    return get_object_or_404(Article.objects.visible_to(user), pk=pk)


def article_search(
    *,
    user,
    q: str = "",
    ip_type: str = "",
    chain_stage: str = "",
    status: str = "",
    audience: str = "",
    limit: int = SEARCH_LIMIT,
) -> QuerySet[Article]:
    """Articles the user may read; with `q`, those matching it, best match first.

    Archived articles appear only when asked for with status "archived".
    """
    queryset = Article.objects.visible_to(user)
    if status == "archived":
        queryset = queryset.filter(archived_at__isnull=False)
    else:
        queryset = queryset.filter(archived_at__isnull=True)
        if status:
            queryset = queryset.filter(status=status)
    if ip_type:
        queryset = queryset.filter(ip_type=ip_type)
    if chain_stage:
        queryset = queryset.filter(chain_stage=chain_stage)
    if audience:
        queryset = queryset.filter(audience=audience)
    if (q or "").strip():
        return ranked(queryset, q, limit=limit)
    return queryset


def similar_articles(text: str, user, *, limit: int = 5) -> list[Article]:
    """Published articles the user may read that answer something like `text`."""
    queryset = Article.objects.visible_to(user).published()
    return list(ranked(queryset, text or "", limit=limit))


def similar_requests(
    text: str, user, *, exclude: ServiceRequest | int | None = None, limit: int = 5
) -> list[ServiceRequest]:
    """Answered past requests the user may see in full that asked something like `text`."""
    from ipps.casework.services import can_see_content

    if user is None or not user.is_authenticated:
        return []
    queryset = ServiceRequest.objects.visible_to(user).filter(
        status__in=[RequestStatus.RESOLVED, RequestStatus.CLOSED], archived_at__isnull=True
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=getattr(exclude, "pk", exclude))
    # A few spare candidates: confidential ones the user may not read are dropped afterwards.
    candidates = ranked(queryset, text or "", limit=limit * 3).select_related("enterprise")
    found = []
    for request in candidates:
        if can_see_content(user, request):
            found.append(request)
            if len(found) == limit:
                break
    return found


def request_suggestion_text(request: ServiceRequest) -> str:
    return f"{request.subject}\n{request.description}"
