"""Typed records that flow through Parallax: articles and the passages cut from them."""

from __future__ import annotations

from dataclasses import dataclass, field

CAMPS = ("russian", "azerbaijani", "ukrainian", "western", "other")
LANGUAGES = ("en", "ru", "uk", "az")


@dataclass(frozen=True)
class Article:
    """One article as loaded from a file or a request.

    `language` is an ISO 639-1 code (detected when not given), `country` ISO 3166 alpha-2,
    `camp` one of `CAMPS`. `source` is the path or URL the article was read from.
    """

    id: str
    text: str
    outlet: str = "unknown"
    camp: str = "other"
    country: str | None = None
    language: str | None = None
    date: str | None = None
    title: str | None = None
    source: str | None = None
    ownership: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Passage:
    """A contiguous span of an article: `text == article.text[start:end]`.

    `index` is the passage's position in its article (0-based).
    """

    id: str
    article_id: str
    index: int
    start: int
    end: int
    text: str
