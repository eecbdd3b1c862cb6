"""Chinese full-text search over jieba tokens: the FTS5 index on SQLite, tsvector on PostgreSQL."""

import pytest
from django.db import connection

from ipps.casework import knowledge
from ipps.casework.models import Article
from ipps.core.search import fts5_query, query_terms, rank_ids, ranked


@pytest.fixture
def write(network):
    def _write(title_zh, body_zh, *, title_en="", body_en="", publish=True, **kw):
        return knowledge.article_create(
            title_zh=title_zh,
            body_zh=body_zh,
            title_en=title_en,
            body_en=body_en,
            audience=kw.pop("audience", "public"),
            publish=publish,
            acting_user=network.city_officer,
            **kw,
        )

    return _write


@pytest.fixture
def library(write):
    return {
        "invention": write(
            "发明专利申请需要哪些材料",
            "提交发明专利申请时，需要请求书、说明书、权利要求书、摘要及附图。",
            title_en="Materials for an invention patent application",
            body_en="An invention patent application needs a request, description, claims and abstract.",
            ip_type="patent",
        ),
        "renewal": write(
            "注册商标续展怎么办理",
            "注册商标有效期十年，期满前十二个月内可以申请续展，另有六个月宽展期。",
            title_en="Renewing a registered trademark",
            body_en="A registered trademark lasts ten years; renewal may be filed in the last twelve months.",
            ip_type="trademark",
        ),
        "software": write(
            "计算机软件著作权登记",
            "软件著作权登记需要提交源程序和文档的鉴别材料。",
            title_en="Registering software copyright",
            body_en="Software copyright registration needs identifying parts of the source code.",
            ip_type="copyright",
        ),
    }


def search(user, q, **filters):
    return list(knowledge.article_search(user=user, q=q, **filters))


def test_two_character_words_inside_longer_phrases(network, library):
    assert search(network.city_officer, "专利") == [library["invention"]]
    assert search(network.city_officer, "商标") == [library["renewal"]]
    assert search(network.city_officer, "续展") == [library["renewal"]]


def test_the_closer_match_ranks_first(network, library, write):
    loose = write("专利年费缴纳", "专利年费应在每年申请日前缴纳。", ip_type="patent")
    found = search(network.city_officer, "发明专利申请材料")
    assert found[0] == library["invention"]
    assert loose in found


def test_english_words_match_case_insensitively(network, library):
    assert search(network.city_officer, "Trademark RENEWAL") == [library["renewal"]]
    assert search(network.city_officer, "source code") == [library["software"]]


@pytest.mark.parametrize("q", ["", "   ", "！？。，", "?!", "量子纠缠", "zzzqqq"])
def test_unmatched_or_empty_queries_find_nothing(network, library, q):
    if q.strip():
        assert search(network.city_officer, q) == []
    else:  # no query: the whole list, newest first
        assert len(search(network.city_officer, q)) == 3


@pytest.mark.parametrize(
    "q",
    [
        '专利 OR "',
        'AND OR NOT "',
        "商标*",
        "NEAR(专利 商标)",
        "title_zh:专利",
        "^专利",
        "专利 -商标",
        "(((",
        "'; DROP TABLE casework_article; --",
        '"专利"',
        "专利\x00商标",
    ],
)
def test_query_syntax_characters_are_harmless(network, library, q):
    found = search(network.city_officer, q)
    assert all(isinstance(a, Article) for a in found)
    assert Article.objects.count() == 3


def test_fts5_query_quotes_every_term():
    assert fts5_query(['a"b', "专利"]) == '"a""b" OR "专利"'
    assert query_terms("专利 专利 商标") == ["专利", "商标"]


def test_update_is_found_by_its_new_words_only(network, library):
    article = library["software"]
    knowledge.article_update(
        article=article,
        changes={"title_zh": "集成电路布图设计登记", "body_zh": "布图设计专有权保护期十年。"},
        acting_user=network.city_officer,
    )
    assert search(network.city_officer, "布图") == [article]
    assert search(network.city_officer, "源程序") == []


def test_archived_articles_are_no_longer_found(network, library):
    knowledge.article_archive(article=library["renewal"], acting_user=network.city_officer)
    assert search(network.city_officer, "商标") == []
    assert search(network.city_officer, "商标", status="archived") == [library["renewal"]]


def test_bulk_writes_are_indexed_too(network):
    Article.objects.bulk_create(
        [
            Article(
                title_zh=f"地理标志产品{i}",
                body_zh="地理标志保护",
                status="published",
                audience="public",
                search_tokens="地理 标志 地理标志 保护",
            )
            for i in range(3)
        ]
    )
    assert len(search(network.city_officer, "地理标志")) == 3
    Article.objects.filter(title_zh="地理标志产品0").update(search_tokens="植物 新品种")
    assert len(search(network.city_officer, "地理标志")) == 2
    assert len(search(network.city_officer, "新品种")) == 1
    Article.objects.filter(title_zh="地理标志产品1").delete()
    assert len(search(network.city_officer, "地理标志")) == 1


def test_rank_ids_applies_the_candidate_set_before_the_limit(network, library, write):
    extra = [write(f"专利问题{i}", "专利", ip_type="patent") for i in range(5)]
    within = Article.objects.filter(pk=library["invention"].pk)
    assert rank_ids("casework_article", "专利", within=within, limit=1) == [library["invention"].pk]
    assert len(rank_ids("casework_article", "专利", limit=3)) == 3
    assert list(ranked(Article.objects.filter(pk=extra[0].pk), "专利")) == [extra[0]]


def test_the_index_exists_for_this_database(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE 'casework_%_fts%' ORDER BY name"
            )
            names = {row[0] for row in cursor.fetchall()}
            for table in ("casework_article", "casework_servicerequest"):
                assert {
                    f"{table}_fts",
                    f"{table}_fts_ai",
                    f"{table}_fts_ad",
                    f"{table}_fts_au",
                } <= names
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%tokens_gin'")
            assert {row[0] for row in cursor.fetchall()} >= {
                "casework_article_tokens_gin",
                "casework_servicerequest_tokens_gin",
            }


def test_requests_are_searchable(network, make_request):
    patent = make_request()
    trademark = make_request(
        subject="商标被抢注怎么办", description="我们的注册商标被他人抢注", ip_type="trademark"
    )
    from ipps.casework.models import ServiceRequest

    everyone = ServiceRequest.objects.all()
    assert list(ranked(everyone, "专利")) == [patent]
    assert list(ranked(everyone, "抢注")) == [trademark]
