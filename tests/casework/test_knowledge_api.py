"""/api/v1/kb: scoped reads, editors' writes, ranked search, suggestions."""

import pytest

from ipps.casework import knowledge
from ipps.casework.services import request_resolve
from tests.scoped_api import ScopedResourceTests


def _article(network, title, body, *, audience="public", publish=True, **kw):
    return knowledge.article_create(
        title_zh=title,
        body_zh=body,
        audience=audience,
        publish=publish,
        acting_user=network.city_officer,
        **kw,
    )


class TestArticleScope(ScopedResourceTests):
    list_url = "/api/v1/kb"
    extra_out_of_scope = ("draft_for_portal",)

    def detail_url(self, obj):
        return f"/api/v1/kb/{obj.pk}"

    def in_scope(self, network):
        return network.portal_zgc, _article(network, "商标注册流程", "注册商标申请流程")

    def out_of_scope(self, network):
        return network.portal_zgc, _article(network, "内部口径", "内部答复", audience="internal")

    def draft_for_portal(self, network):
        return network.portal_zgc, _article(network, "草稿", "草稿内容", publish=False)


def test_search_ranks_and_filters(network, api_as):
    close = _article(
        network, "发明专利申请材料", "发明专利申请需要请求书和说明书", ip_type="patent"
    )
    loose = _article(network, "专利年费", "年费按年缴纳", ip_type="patent")
    _article(network, "注册商标续展", "续展期限", ip_type="trademark")
    client = api_as(network.portal_zgc)
    body = client.get("/api/v1/kb", {"q": "发明专利申请"}).json()
    assert [item["id"] for item in body["items"]] == [close.pk, loose.pk]
    assert body["count"] == 2
    body = client.get("/api/v1/kb", {"ip_type": "trademark"}).json()
    assert body["count"] == 1 and body["items"][0]["title_zh"] == "注册商标续展"
    assert client.get("/api/v1/kb", {"q": '专利 OR "'}).status_code == 200
    assert client.get("/api/v1/kb", {"q": "。。。"}).json() == {"items": [], "count": 0}
    assert client.get("/api/v1/kb", {"ip_type": "nonsense"}).status_code == 422


def test_editors_create_update_publish(network, api_as):
    client = api_as(network.liaison_zgc)
    response = client.post(
        "/api/v1/kb",
        {"title_zh": "软件著作权登记", "body_zh": "登记需要源程序鉴别材料", "ip_type": "copyright"},
    )
    assert response.status_code == 201, response.content
    article = response.json()
    assert article["status"] == "draft" and article["audience"] == "internal"
    assert api_as(network.portal_zgc).get(f"/api/v1/kb/{article['id']}").status_code == 404
    response = client.patch(
        f"/api/v1/kb/{article['id']}", {"audience": "public", "title_en": "Software"}
    )
    assert response.status_code == 200 and response.json()["title_en"] == "Software"
    response = client.post(f"/api/v1/kb/{article['id']}/publish")
    assert response.status_code == 200 and response.json()["status"] == "published"
    portal = api_as(network.portal_zgc)
    assert portal.get(f"/api/v1/kb/{article['id']}").status_code == 200
    assert portal.get("/api/v1/kb", {"q": "著作权"}).json()["count"] == 1
    client.post(f"/api/v1/kb/{article['id']}/archive")
    assert portal.get(f"/api/v1/kb/{article['id']}").status_code == 404
    assert client.post(f"/api/v1/kb/{article['id']}/publish").status_code == 409


def test_writes_are_refused_with_the_error_shape(network, api_as):
    response = api_as(network.portal_zgc).post("/api/v1/kb", {"title_zh": "x", "body_zh": "y"})
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    response = api_as(network.auditor).post("/api/v1/kb", {"title_zh": "x", "body_zh": "y"})
    assert response.status_code == 403
    response = api_as(network.city_officer).post("/api/v1/kb", {"title_zh": "", "body_zh": "y"})
    assert response.status_code == 422 and response.json()["field"] == "title_zh"
    article = _article(network, "商标", "商标")
    response = api_as(network.city_officer).patch(f"/api/v1/kb/{article.pk}", {"audience": "world"})
    assert response.status_code == 422 and response.json()["field"] == "audience"


def test_suggest(network, api_as, make_request):
    article = _article(network, "发明专利申请材料清单", "发明专利申请需要请求书、说明书")
    past = make_request(subject="发明专利申请", description="申请发明专利要准备什么")
    request_resolve(request=past, acting_user=network.admin, answer="见清单", articles=[article])
    body = api_as(network.liaison_zgc).get("/api/v1/kb/suggest", {"q": "发明专利申请材料"}).json()
    assert [a["id"] for a in body["articles"]] == [article.pk]
    assert [r["id"] for r in body["requests"]] == [past.pk]
    assert body["requests"][0]["url"] == f"/requests/{past.pk}/"
    # From a request: the request itself is not suggested to itself.
    new = make_request()
    body = api_as(network.liaison_zgc).get("/api/v1/kb/suggest", {"request_id": new.pk}).json()
    assert [r["id"] for r in body["requests"]] == [past.pk]
    # Out of scope: 404.
    response = api_as(network.liaison_wangjing).get("/api/v1/kb/suggest", {"request_id": new.pk})
    assert response.status_code == 404
    # Other workstations' requests are not suggested; public articles are.
    body = api_as(network.liaison_wangjing).get("/api/v1/kb/suggest", {"q": "发明专利"}).json()
    assert body["requests"] == [] and len(body["articles"]) == 1
    body = api_as(network.liaison_zgc).get("/api/v1/kb/suggest", {"q": "！"}).json()
    assert body == {"articles": [], "requests": []}


@pytest.mark.parametrize("path", ["/api/v1/kb/suggest?q=专利", "/api/v1/kb/1"])
def test_anonymous_is_401(network, api_as, path):
    assert api_as().get(path).status_code == 401
