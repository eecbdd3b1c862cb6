"""Chinese-aware search tokens: jieba words stored beside the text, matched by the database.

SQLite's and PostgreSQL's own tokenizers do not split Chinese into words (and trigram search misses
two-character words such as 专利 or 商标), so the text is segmented here once, on write, and the
query is segmented the same way.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"\w", re.UNICODE)
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 有 我 我们 公司 请问 怎么 如何 什么 吗 呢 一个 the a an of and or to in for is are how what".split()
)


@lru_cache(maxsize=1)
def _ready() -> bool:
    jieba.initialize()
    return True


def tokens(text: str) -> list[str]:
    """Words of a text: jieba's search-engine cut (long words and their parts), lower case."""
    _ready()
    folded = unicodedata.normalize("NFKC", text or "").lower()
    words = []
    for word in jieba.cut_for_search(folded):
        word = word.strip()
        if word and _WORD.search(word) and word not in STOPWORDS:
            words.append(word)
    return words


def token_text(*parts: str) -> str:
    """The stored form: unique tokens separated by spaces."""
    seen: dict[str, None] = {}
    for part in parts:
        for word in tokens(part):
            seen.setdefault(word, None)
    return " ".join(seen)
