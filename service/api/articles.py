"""From request bodies to `corpus.schema.Article` records, and fact groups from alignments.

Errors name the offending field as FastAPI's own validation errors do (422, `loc` = path in the
body), so a client handles one error shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from fastapi.exceptions import RequestValidationError
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from corpus.cleaning import clean_text
from corpus.language import detect_language, language_name
from corpus.outlets import default_registry, source_name
from corpus.schema import LANGUAGES, Article
from service.api.schemas import ArticleIn


def field_error(loc: Sequence[str | int], message: str) -> RequestValidationError:
    """A 422 error for the body field at `loc` (e.g. ("body", "articles", 2, "text"))."""
    return RequestValidationError([{"loc": tuple(loc), "msg": message, "type": "value_error"}])


def to_article(item: ArticleIn, default_id: str, loc: Sequence[str | int]) -> Article:
    """Clean the text, fill camp/country from the outlet registry, detect the language."""
    text = clean_text(item.text)
    if not any(ch.isalnum() for ch in text):
        raise field_error([*loc, "text"], "is empty after cleaning: no letters or digits left")
    declared = item.language is not None
    language = item.language or _detected_language(text, [*loc, "text"])
    known = default_registry().lookup(item.outlet)
    article_id = item.id or default_id
    return Article(
        id=article_id, text=text, outlet=source_name(item.outlet, known, article_id),
        camp=item.camp or known.camp, country=known.country, language=language, date=item.date,
        title=item.title, source="api", ownership=known.ownership,
        extra={"language_detected": "false" if declared else "true"},
    )  # fmt: skip


def to_articles(items: list[ArticleIn], loc: Sequence[str | int]) -> list[Article]:
    """`to_article` for each item, ids defaulting to a1, a2, ...; ids must be unique."""
    articles = [to_article(item, f"a{i + 1}", [*loc, i]) for i, item in enumerate(items)]
    seen: set[str] = set()
    for i, article in enumerate(articles):
        if article.id in seen:
            raise field_error([*loc, i, "id"], f"article id {article.id!r} is used twice")
        seen.add(article.id)
    return articles


def _detected_language(text: str, loc: Sequence[str | int]) -> str:
    guess = detect_language(text)
    if not guess.supported:
        found = "undetermined" if guess.code == "und" else language_name(guess.code)
        raise field_error(
            loc,
            f"language {found} ({guess.code}) is not supported; Parallax reads "
            f"{', '.join(LANGUAGES)}. Set 'language' if detection is wrong.",
        )
    return guess.code


def article_out(article: Article) -> dict[str, Any]:
    """The `ArticleOut` fields of an article (also the stored form of corpus articles)."""
    return {
        "id": article.id, "text": article.text, "outlet": article.outlet, "camp": article.camp,
        "country": article.country, "language": article.language,
        "language_detected": article.extra.get("language_detected") == "true",
        "title": article.title, "date": article.date,
    }  # fmt: skip


def from_stored(record: dict[str, Any]) -> Article:
    """The `Article` of a stored corpus record (as written by `article_out`)."""
    return Article(
        id=record["id"], text=record["text"], outlet=record["outlet"], camp=record["camp"],
        country=record.get("country"), language=record["language"], date=record.get("date"),
        title=record.get("title"), source="corpus",
    )  # fmt: skip


def fact_groups(alignments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Connected components of the alignment graph: [{id, passages, articles}], largest first.

    Passage ids are "article_id:index" (see `corpus.segment.split_passages`).
    """
    ids = sorted({al[side] for al in alignments for side in ("a", "b")})
    if not ids:
        return []
    position = {pid: i for i, pid in enumerate(ids)}
    rows = [position[al["a"]] for al in alignments]
    cols = [position[al["b"]] for al in alignments]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
    _, labels = connected_components(graph, directed=False)
    members: dict[int, list[str]] = {}
    for pid, label in zip(ids, labels, strict=True):
        members.setdefault(int(label), []).append(pid)
    groups = sorted(members.values(), key=lambda ps: (-len(ps), ps[0]))
    return [
        {"id": f"fact-{n + 1}", "passages": passages,
         "articles": sorted({p.rsplit(":", 1)[0] for p in passages})}
        for n, passages in enumerate(groups)
    ]  # fmt: skip
