"""Knowledge-base pages: list and htmx search, article page by language, editors' forms, suggest."""

from django.utils import translation

from ipps.casework import knowledge
from ipps.casework.models import Article
from ipps.casework.services import request_resolve


def _article(network, title, body, *, audience="public", publish=True, **kw):
    return knowledge.article_create(
        title_zh=title,
        body_zh=body,
        audience=audience,
        publish=publish,
        acting_user=network.city_officer,
        **kw,
    )


def test_list_search_and_htmx_fragment(network, client):
    patent = _article(network, "发明专利申请材料", "请求书、说明书", title_en="Patent filing")
    _article(network, "注册商标续展", "十年有效期")
    hidden = _article(network, "专利内部口径", "内部", audience="internal")
    page = client.get("/kb/", {"q": "专利"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/kb/{patent.pk}/" in html and f"/kb/{hidden.pk}/" not in html
    assert "注册商标续展" not in html
    fragment = client.get("/kb/", {"q": "商标"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and "注册商标续展" in fragment.content.decode()
    empty = client.get("/kb/", {"q": "量子"}).content.decode()
    assert 'id="empty-state"' in empty


def test_staff_see_drafts_and_filters(network, login_as):
    draft = _article(network, "专利草稿", "草稿", publish=False)
    client = login_as(network.liaison_zgc)
    html = client.get("/kb/", {"status": "draft"}).content.decode()
    assert f"/kb/{draft.pk}/" in html and 'id="new-article"' in html
    assert client.get(f"/kb/{draft.pk}/").status_code == 200
    portal = login_as(network.portal_zgc)
    assert portal.get(f"/kb/{draft.pk}/").status_code == 404


def test_article_page_follows_the_language(network, client):
    both = _article(
        network, "商标续展", "中文正文", title_en="Trademark renewal", body_en="English text"
    )
    only_zh = _article(network, "地理标志", "只有中文")
    with translation.override("en"):
        html = client.get(f"/kb/{both.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert "Trademark renewal" in html and "English text" in html
    html = client.get(f"/kb/{only_zh.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert "只有中文" in html and 'id="language-fallback"' in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get(f"/kb/{both.pk}/").content.decode()
    assert "中文正文" in html


def test_editor_creates_edits_publishes_archives(network, login_as):
    client = login_as(network.liaison_zgc)
    assert client.get("/kb/new/").status_code == 200
    response = client.post(
        "/kb/new/",
        {
            "title_zh": "软件著作权登记",
            "body_zh": "需要源程序",
            "audience": "public",
            "ip_type": "copyright",
            "chain_stage": "",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(title_zh="软件著作权登记")
    assert article.status == "draft"
    response = client.post(
        f"/kb/{article.pk}/edit/",
        {
            "title_zh": "软件著作权登记指南",
            "body_zh": "需要源程序和文档",
            "audience": "public",
            "ip_type": "copyright",
            "chain_stage": "creation",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title_zh == "软件著作权登记指南" and "文档" in article.search_tokens
    client.post(f"/kb/{article.pk}/do/publish/")
    article.refresh_from_db()
    assert article.status == "published"
    client.post(f"/kb/{article.pk}/do/archive/")
    article.refresh_from_db()
    assert article.archived_at is not None
    assert client.post(f"/kb/{article.pk}/do/explode/").status_code == 404


def test_form_errors_are_shown(network, login_as):
    client = login_as(network.city_officer)
    response = client.post("/kb/new/", {"title_zh": "", "body_zh": "", "audience": "public"})
    assert response.status_code == 200
    assert 'id="form-errors"' in response.content.decode()


def test_non_editors_cannot_write(network, login_as, client):
    article = _article(network, "商标", "商标")
    assert client.get("/kb/new/").status_code == 302  # to the login page
    for user in (network.portal_zgc, network.auditor):
        c = login_as(user)
        assert c.get("/kb/new/").status_code == 403
        assert c.post(f"/kb/{article.pk}/do/archive/").status_code in (403, 404)


def test_suggest_fragment(network, login_as, make_request):
    article = _article(network, "发明专利申请材料清单", "发明专利申请需要请求书")
    past = make_request(subject="发明专利申请", description="要准备什么材料")
    request_resolve(request=past, acting_user=network.admin, answer="见清单")
    current = make_request(subject="想申请发明专利", description="材料有哪些")
    client = login_as(network.liaison_zgc)
    html = client.get("/kb/suggest/", {"q": "发明专利申请"}).content.decode()
    assert f"/kb/{article.pk}/" in html and f"/requests/{past.pk}/" in html
    html = client.get("/kb/suggest/", {"request": current.pk}).content.decode()
    assert f"/requests/{past.pk}/" in html and f"/requests/{current.pk}/" not in html
    assert client.get("/kb/suggest/", {"q": "？？"}).content.decode().strip() == ""
    other = login_as(network.liaison_wangjing)
    assert other.get("/kb/suggest/", {"request": current.pk}).status_code == 404
    assert other.get("/kb/suggest/", {"request": "abc"}).status_code == 404
    portal = login_as(network.portal_zgc)
    html = portal.get(
        "/kb/suggest/", {"subject": "发明专利", "description": "申请"}
    ).content.decode()
    assert f"/portal/requests/{past.pk}/" in html
