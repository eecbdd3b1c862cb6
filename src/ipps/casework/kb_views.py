"""Knowledge-base pages: list and search, an article, the editor's forms, suggestions.

Reading is open to everyone for published public articles (staff read all); writing is for
editors. /kb/suggest/ answers an HTML fragment that the request page and the intake forms load.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ipps.casework import knowledge
from ipps.casework.choices import ArticleStatus, Audience
from ipps.casework.models import Article, ServiceRequest
from ipps.casework.services import can_see_content
from ipps.core.choices import IPType
from ipps.core.errors import ServiceError
from ipps.network.scope import is_staff_user

PAGE_SIZE = 20


# Forms ---------------------------------------------------------------------------------------------


def _style(form: forms.Form) -> None:
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = css


class ArticleFilterForm(forms.Form):
    q = forms.CharField(
        label=_lazy("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _lazy("e.g. 专利 年费, trademark renewal")}
        ),
    )
    ip_type = forms.ChoiceField(label=_lazy("IP type"), required=False)
    status = forms.ChoiceField(label=_lazy("Status"), required=False)
    audience = forms.ChoiceField(label=_lazy("Audience"), required=False)

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ip_type"].choices = [("", _("All IP types")), *IPType.choices]
        if staff:
            self.fields["status"].choices = [
                ("", _("Drafts and published")),
                *ArticleStatus.choices,
                ("archived", _("Archived")),
            ]
            self.fields["audience"].choices = [("", _("All audiences")), *Audience.choices]
        else:
            del self.fields["status"]
            del self.fields["audience"]
        _style(self)

    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = list(knowledge.EDITABLE_FIELDS)
        widgets = {
            "body_zh": forms.Textarea(attrs={"rows": 12}),
            "body_en": forms.Textarea(attrs={"rows": 12}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def changes(self, article: Article) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in knowledge.EDITABLE_FIELDS
            if self.cleaned_data[name] != getattr(article, name)
        }


def _service_errors(form: forms.Form, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    elif isinstance(exc, ServiceError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        for message in getattr(exc, "messages", [str(exc)]):
            form.add_error(None, message)
    _style(form)


# Pages ---------------------------------------------------------------------------------------------


def localized(article: Article) -> dict[str, str]:
    """Title and text in the reader's language, falling back to Chinese."""
    english = (get_language() or "").startswith("en")
    title = article.title_en if english and article.title_en else article.title_zh
    body = article.body_en if english and article.body_en else article.body_zh
    return {
        "title": title,
        "body": body,
        "fallback": english and not (article.title_en and article.body_en),
    }


def kb_list(request):
    staff = is_staff_user(request.user)
    form = ArticleFilterForm(request.GET or None, staff=staff)
    filters = form.filters()
    queryset = knowledge.article_search(user=request.user, **filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(article, localized(article)) for article in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "searching": bool(filters.get("q")),
        "filtered": bool(filters),
        "can_edit": knowledge.can_edit_articles(request.user),
        "staff": staff,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request, "casework/_kb_results.html" if partial else "casework/kb_list.html", context
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def kb_detail(request, pk: int):
    article = knowledge.article_get(user=request.user, pk=pk)
    staff = is_staff_user(request.user)
    context = {
        "article": article,
        "text": localized(article),
        "can_edit": knowledge.can_edit_articles(request.user),
        "staff": staff,
        "answered_count": article.requests.count() if staff else None,
        "similar": [
            (other, localized(other))
            for other in knowledge.similar_articles(
                f"{article.title_zh} {article.title_en}", request.user, limit=6
            )
            if other.pk != article.pk
        ][:5],
    }
    return render(request, "casework/kb_detail.html", context)


def _editable(request, pk: int | None = None) -> Article | None:
    if not knowledge.can_edit_articles(request.user):
        raise PermissionDenied
    return None if pk is None else knowledge.article_get(user=request.user, pk=pk)


@login_required
def kb_new(request):
    _editable(request)
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = knowledge.article_create(
                **form.cleaned_data,
                publish="publish" in request.POST,
                acting_user=request.user,
                http=request,
            )
        except (ValidationError, ServiceError) as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Article saved."))
            return redirect("casework:kb_detail", pk=article.pk)
    return render(request, "casework/kb_form.html", {"form": form, "article": None})


@login_required
def kb_edit(request, pk: int):
    article = _editable(request, pk)
    # The form works on its own copy, so that its changes can be told from the stored article.
    copy = knowledge.article_get(user=request.user, pk=pk)
    form = ArticleForm(request.POST or None, instance=copy)
    if request.method == "POST" and form.is_valid():
        try:
            knowledge.article_update(
                article=article,
                changes=form.changes(article),
                acting_user=request.user,
                http=request,
            )
        except (ValidationError, ServiceError) as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("casework:kb_detail", pk=article.pk)
    return render(request, "casework/kb_form.html", {"form": form, "article": article})


ACTIONS = {
    "publish": (knowledge.article_publish, _lazy("Article published.")),
    "unpublish": (knowledge.article_unpublish, _lazy("Article taken back to draft.")),
    "archive": (knowledge.article_archive, _lazy("Article archived.")),
    "restore": (knowledge.article_restore, _lazy("Article restored.")),
}


@login_required
@require_POST
def kb_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    article = _editable(request, pk)
    service, done = ACTIONS[action]
    try:
        service(article=article, acting_user=request.user, http=request)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("casework:kb_detail", pk=article.pk)


def kb_suggest(request):
    """Similar articles and answered past requests, as a fragment (empty when nothing matches).

    Text from `q`, or from `subject` and `description` (the intake forms' fields), or from the
    request `request` (its subject and description; 404 when not visible)."""
    user = request.user
    exclude = None
    if request.GET.get("request"):
        try:
            pk = int(request.GET["request"])
        except ValueError as exc:
            raise Http404 from exc
        exclude = ServiceRequest.objects.visible_to(user).filter(pk=pk).first()
        if exclude is None or not can_see_content(user, exclude):
            raise Http404
        text = knowledge.request_suggestion_text(exclude)
    else:
        parts = [request.GET.get(name, "") for name in ("q", "subject", "description")]
        text = "\n".join(p for p in parts if p)[:2000]
    articles = knowledge.similar_articles(text, user) if text.strip() else []
    requests = knowledge.similar_requests(text, user, exclude=exclude) if text.strip() else []
    context = {
        "articles": [(a, localized(a)) for a in articles],
        "requests": requests,
        "portal": bool(getattr(user, "enterprise_id", None)),
    }
    return render(request, "casework/_kb_suggestions.html", context)
