"""Knowledge-base services (audit, permissions, states), scope, and suggestions."""

import pytest
from django.urls import reverse

from ipps.casework import knowledge
from ipps.casework.models import Article
from ipps.casework.services import request_resolve
from ipps.core.errors import PermissionDeniedError, ServiceError
from ipps.core.models import AuditEvent


@pytest.fixture
def articles(network):
    def write(title_zh, body_zh, audience, publish):
        return knowledge.article_create(
            title_zh=title_zh,
            body_zh=body_zh,
            audience=audience,
            publish=publish,
            ip_type="patent",
            acting_user=network.liaison_zgc,
        )

    return {
        "public": write(
            "专利年费缴纳期限", "专利年费在申请日对应日前缴纳，滞纳期六个月。", "public", True
        ),
        "internal": write(
            "专利年费内部答复口径", "内部口径：专利年费滞纳金按月计算。", "internal", True
        ),
        "draft": write("专利年费减缴草稿", "专利年费减缴条件草稿。", "public", False),
    }


def test_create_writes_tokens_and_an_audit_row(network, articles):
    article = articles["public"]
    assert "专利" in article.search_tokens.split()
    assert article.status == "published" and article.published_at is not None
    row = AuditEvent.objects.filter(object_type="casework.article", object_id=str(article.pk)).get()
    assert row.action == "create" and row.actor == network.liaison_zgc
    assert row.changes["after"]["title_zh"] == "专利年费缴纳期限"
    assert "search_tokens" not in row.changes["after"]


def test_update_publish_archive_are_audited(network, articles):
    article = articles["draft"]
    knowledge.article_update(
        article=article, changes={"title_en": "Fee reduction"}, acting_user=network.city_officer
    )
    knowledge.article_publish(article=article, acting_user=network.city_officer)
    knowledge.article_unpublish(article=article, acting_user=network.city_officer)
    knowledge.article_archive(article=article, acting_user=network.city_officer)
    knowledge.article_restore(article=article, acting_user=network.city_officer)
    actions = list(
        AuditEvent.objects.filter(object_id=str(article.pk), object_type="casework.article")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update", "update", "archive", "restore"]
    article.refresh_from_db()
    assert article.title_en == "Fee reduction" and "fee" in article.search_tokens.split()


def test_only_editors_write(network, articles):
    for user in (network.auditor, network.portal_zgc):
        with pytest.raises(PermissionDeniedError):
            knowledge.article_create(title_zh="x", body_zh="y", acting_user=user)
        with pytest.raises(PermissionDeniedError):
            knowledge.article_publish(article=articles["draft"], acting_user=user)


def test_bad_input_is_refused_with_the_field(network):
    with pytest.raises(Exception) as error:
        knowledge.article_create(title_zh="", body_zh="内容", acting_user=network.city_officer)
    assert "title_zh" in error.value.message_dict
    with pytest.raises(ServiceError) as refused:
        knowledge.article_update(
            article=knowledge.article_create(title_zh="t", body_zh="b", acting_user=network.admin),
            changes={"status": "published"},
            acting_user=network.admin,
        )
    assert refused.value.field == "status"


def test_archived_article_cannot_be_published(network, articles):
    knowledge.article_archive(article=articles["draft"], acting_user=network.city_officer)
    with pytest.raises(ServiceError) as refused:
        knowledge.article_publish(article=articles["draft"], acting_user=network.city_officer)
    assert refused.value.status == 409


def test_scope_portal_users_see_public_published_only(network, articles):
    portal = set(knowledge.article_search(user=network.portal_zgc, q="专利年费"))
    assert portal == {articles["public"]}
    staff = set(knowledge.article_search(user=network.liaison_zgc, q="专利年费"))
    assert staff == set(articles.values())
    assert set(knowledge.article_search(user=network.auditor, q="年费")) == set(articles.values())


def test_suggested_articles_are_published_and_visible(network, articles):
    assert knowledge.similar_articles("专利年费什么时候交", network.portal_zgc) == [
        articles["public"]
    ]
    staff = knowledge.similar_articles("专利年费什么时候交", network.liaison_zgc)
    assert set(staff) == {articles["public"], articles["internal"]}
    assert knowledge.similar_articles("？？", network.liaison_zgc) == []


def _resolved(make_request, network, **kwargs):
    request = make_request(**kwargs)
    return request_resolve(request=request, acting_user=network.admin, answer="已答复")


def test_similar_requests_are_answered_ones_in_scope(network, make_request):
    answered = _resolved(make_request, network)
    make_request(
        subject="发明专利申请材料", description="还没有答复的专利问题"
    )  # open: not suggested
    other = _resolved(
        make_request,
        network,
        acting_user=network.liaison_wangjing,
        enterprise=network.ent_wangjing,
        channel="phone",
    )
    found = knowledge.similar_requests("发明专利申请要准备什么", network.liaison_zgc)
    assert found == [answered]
    assert other in knowledge.similar_requests("发明专利申请", network.city_officer)
    assert knowledge.similar_requests("发明专利", network.liaison_zgc, exclude=answered) == []


def test_similar_requests_hide_confidential_content_from_ancestors(network, make_request):
    secret = _resolved(
        make_request,
        network,
        subject="商业秘密保护措施",
        description="核心算法的商业秘密如何保护",
        ip_type="trade_secret",
    )
    assert secret.confidential
    assert knowledge.similar_requests("商业秘密", network.liaison_zgc) == [secret]
    assert knowledge.similar_requests("商业秘密", network.haidian_officer) == []
    assert knowledge.similar_requests("商业秘密", network.city_officer) == []


def test_answered_with_links_articles(network, articles, make_request):
    request = make_request()
    request_resolve(
        request=request,
        acting_user=network.liaison_zgc,
        answer="见知识库文章",
        articles=[articles["public"]],
    )
    assert list(Article.objects.get(pk=articles["public"].pk).requests.all()) == [request]


def test_answered_with_shows_the_title_in_the_readers_language(
    network, articles, make_request, login_as
):
    """The timeline's "answered with" entry names the article in the reader's language; an
    article without an English title is named by its Chinese one in English too."""
    knowledge.article_update(
        article=articles["public"],
        changes={"title_en": "Deadlines for patent annual fees"},
        acting_user=network.city_officer,
    )
    untitled = knowledge.article_create(
        title_zh="商标续展期限",
        body_zh="注册商标有效期满前十二个月内办理续展。",
        audience="public",
        publish=True,
        ip_type="trademark",
        acting_user=network.liaison_zgc,
    )
    request = make_request()
    request_resolve(
        request=request,
        acting_user=network.liaison_zgc,
        answer="见知识库文章",
        articles=[Article.objects.get(pk=articles["public"].pk), untitled],
    )

    def timeline(language):
        page = login_as(network.liaison_zgc).get(
            f"/requests/{request.pk}/", HTTP_ACCEPT_LANGUAGE=language
        )
        assert page.status_code == 200
        return page.content.decode()

    english, chinese = timeline("en"), timeline("zh-hans")
    assert "Deadlines for patent annual fees" in english and "专利年费缴纳期限" not in english
    assert "专利年费缴纳期限" in chinese and "Deadlines for patent annual fees" not in chinese
    assert "商标续展期限" in english and "商标续展期限" in chinese
    assert f'href="{reverse("casework:kb_detail", args=[untitled.pk])}"' in english
