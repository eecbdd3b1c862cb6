"""The demo's knowledge base: at least 30 bilingual articles, loaded once, searchable at once."""

from ipps.casework import knowledge
from ipps.casework.models import Article
from ipps.demo.knowledge import ARTICLES, load_articles


def test_articles_are_bilingual_and_many():
    published = [a for a in ARTICLES if a.status == "published"]
    assert len(published) >= 30
    for spec in ARTICLES:
        assert spec.title_zh and spec.title_en and spec.body_zh and spec.body_en, spec.title_zh
    assert len({a.title_zh for a in ARTICLES}) == len(ARTICLES)


def test_load_is_idempotent_and_searchable(network):
    assert load_articles() == len(ARTICLES)
    assert load_articles() == 0
    assert Article.objects.count() == len(ARTICLES)
    user = network.portal_zgc
    titles = [a.title_zh for a in knowledge.article_search(user=user, q="商标续展")]
    assert titles[0] == "注册商标到期如何续展？"
    titles = [a.title_zh for a in knowledge.article_search(user=user, q="外观设计保护期")]
    assert titles[0] == "外观设计专利保护多少年？"
    assert knowledge.article_search(user=user, q="annual fee grace period")[0].ip_type == "patent"
    internal = knowledge.article_search(user=user, q="答复口径")
    assert all(a.audience == "public" for a in internal)
