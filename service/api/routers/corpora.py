"""Named corpora: add articles, list and fetch them, start a comparison over a corpus."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Body, Path, Request

from corpus.schema import Article
from service.api import errors
from service.api.articles import article_out, field_error, from_stored, to_articles
from service.api.deps import EngineDep, SettingsDep, StoreDep, admit
from service.api.engine import Engine, InferenceGate
from service.api.jobs import run_comparison, run_out
from service.api.limits import check_articles
from service.api.schemas import (
    ArticleOut,
    CorporaOut,
    CorpusAddOut,
    CorpusArticlesRequest,
    CorpusCompareRequest,
    CorpusOut,
    RunOut,
)
from service.persistence import NotFound, Store

router = APIRouter(prefix="/v1/corpora", tags=["corpora"])

Name = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
                           description="Corpus name: letters, digits, '_', '.', '-'.")]  # fmt: skip
ArticleIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]


@router.post(
    "/{name}/articles", response_model=CorpusAddOut, status_code=201,
    responses={**errors.BODY, **errors.CONFLICT},
)  # fmt: skip
def add_articles(
    name: Name, body: CorpusArticlesRequest, store: StoreDep, settings: SettingsDep
) -> dict[str, Any]:
    """Add articles to a corpus (created on first use). Ids default to the corpus position."""
    check_articles(body.articles, settings)
    offset = len(_articles_or_empty(store, name))
    items = [
        item if item.id else item.model_copy(update={"id": f"a{offset + i + 1}"})
        for i, item in enumerate(body.articles)
    ]
    articles = [article_out(a) for a in to_articles(items, ("body", "articles"))]
    store.add_articles(name, articles)
    total = len(store.corpus_articles(name))
    return {"corpus": name, "added": [a["id"] for a in articles], "articles": total}


@router.get("", response_model=CorporaOut)
def list_corpora(store: StoreDep) -> dict[str, Any]:
    """All corpora with their article counts."""
    return {"corpora": store.list_corpora()}


@router.get("/{name}", response_model=CorpusOut, responses=errors.MISSING)
def get_corpus(name: Name, store: StoreDep) -> dict[str, Any]:
    """The articles of a corpus (without their text)."""
    articles = [
        {"id": a["id"], "outlet": a["outlet"], "language": a["language"], "title": a["title"],
         "chars": len(a["text"])}
        for a in store.corpus_articles(name)
    ]  # fmt: skip
    return {"name": name, "articles": articles}


@router.get("/{name}/articles/{article_id}", response_model=ArticleOut, responses=errors.MISSING)
def get_article(name: Name, article_id: ArticleIdPath, store: StoreDep) -> dict[str, Any]:
    """One stored article with its cleaned text."""
    return store.get_article(name, article_id)


@router.post(
    "/{name}/compare", response_model=RunOut, status_code=202,
    responses={**errors.BODY, **errors.MISSING, **errors.BUSY},
)  # fmt: skip
def compare_corpus(
    request: Request,
    name: Name,
    store: StoreDep,
    engine: EngineDep,
    settings: SettingsDep,
    tasks: BackgroundTasks,
    body: Annotated[CorpusCompareRequest | None, Body()] = None,
) -> dict[str, Any]:
    """Start comparing every article of a corpus; poll GET /v1/runs/{id} for the result."""
    stored = store.corpus_articles(name)
    if not 2 <= len(stored) <= settings.max_corpus_articles:
        raise field_error(
            ("path", "name"), f"corpus {name!r} has {len(stored)} articles; a comparison needs "
            f"2 to {settings.max_corpus_articles} (PARALLAX_MAX_CORPUS_ARTICLES)",
        )  # fmt: skip
    options = body or CorpusCompareRequest()
    gate = admit(request)  # held until the background comparison ends
    try:
        run_id = store.create_run({"corpus": name, **options.model_dump(mode="json")},
                                  corpus=name)  # fmt: skip
    except BaseException:
        gate.leave()
        raise
    articles = [from_stored(a) for a in stored]
    tasks.add_task(_compare_in_background, gate, store, run_id, articles, engine, options)
    return run_out(store.get_run(run_id))


def _compare_in_background(
    gate: InferenceGate, store: Store, run_id: str, articles: list[Article], engine: Engine,
    options: CorpusCompareRequest,
) -> None:  # fmt: skip
    try:
        run_comparison(store, run_id, articles, engine, options.window, options.min_confidence)
    finally:
        gate.leave()


def _articles_or_empty(store: StoreDep, name: str) -> list[dict[str, Any]]:
    try:
        return store.corpus_articles(name)
    except NotFound:
        return []
