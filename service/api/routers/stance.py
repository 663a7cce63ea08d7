"""POST /v1/stance: one article -> passages with offsets, stance per target, article aggregate.

Stance, voice and commitment come only from loaded models: a server without a stance model
answers with passages and language and lists "stance" under `unavailable` (never a made-up score).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from corpus.schema import Article, Passage
from corpus.segment import split_passages
from models.stance.actors import resolve_targets
from service.api import errors
from service.api.articles import article_out, to_article
from service.api.deps import EngineDep, SettingsDep, inference_slot
from service.api.engine import Engine
from service.api.limits import check_targets, check_text
from service.api.schemas import StanceRequest, StanceResponse

router = APIRouter(prefix="/v1", tags=["stance"])


@router.post(
    "/stance", response_model=StanceResponse, response_model_exclude_none=True,
    dependencies=[Depends(inference_slot)],
    responses={**errors.BODY, **errors.BUSY},
)  # fmt: skip
def stance(body: StanceRequest, engine: EngineDep, settings: SettingsDep) -> dict[str, Any]:
    """Split one article into passages and score the stance of each toward each target."""
    check_text(body.text, settings, ("body", "text"))
    targets = list(dict.fromkeys(body.targets or settings.default_targets))
    check_targets(targets, settings)
    article = to_article(body, "a1", ("body",))
    passages = split_passages(article, body.window)
    # 'auto': the states this article names; one mention is enough in a single article
    targets = list(resolve_targets(targets, [p.text for p in passages], min_mentions=1))
    check_targets(targets, settings)
    return analyse_article(article, targets, engine, body.window, passages)


def analyse_article(
    article: Article,
    targets: list[str],
    engine: Engine,
    window: int = 1,
    passages: list[Passage] | None = None,
) -> dict[str, Any]:
    """The `StanceResponse` body of `article` (`passages`: its passages, when already split).
    `targets` are resolved (no 'auto'); an empty list scores no stance."""
    passages = split_passages(article, window) if passages is None else passages
    texts = [p.text for p in passages]
    rows: list[dict[str, Any]] = [
        {"id": p.id, "index": p.index, "start": p.start, "end": p.end, "text": p.text}
        for p in passages
    ]
    aggregate: dict[str, Any] = {"passages": len(passages)}
    unavailable = []
    if engine.stance is None:
        unavailable.append("stance")
    elif targets:  # none when 'auto' found no state named: `targets` says so
        stances, aggregate["stance"] = engine.score_stance(texts, targets)
        for row, scores in zip(rows, stances, strict=True):
            row["stance"] = scores
    if engine.annotator is not None:
        for row, notes in zip(rows, engine.annotate(texts, article.language or "en"), strict=True):
            row.update({k: notes[k] for k in ("voice", "commitment") if notes.get(k)})
    else:
        unavailable += ["voice", "commitment"]
    return {
        "article": article_out(article), "passages": rows, "targets": targets,
        "aggregate": aggregate, "models": engine.describe(), "unavailable": unavailable,
    }  # fmt: skip
