"""POST /v1/align: two or more articles -> aligned passage pairs and fact groups (not stored)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from service.api import errors
from service.api.articles import fact_groups, to_articles
from service.api.deps import EngineDep, SettingsDep, inference_slot
from service.api.jobs import compare_to_dict
from service.api.limits import check_articles
from service.api.schemas import AlignResponse, ArticlesRequest

router = APIRouter(prefix="/v1", tags=["align"])


@router.post(
    "/align", response_model=AlignResponse, response_model_exclude_none=True,
    dependencies=[Depends(inference_slot)],
    responses={**errors.BODY, **errors.BUSY},
)  # fmt: skip
def align(body: ArticlesRequest, engine: EngineDep, settings: SettingsDep) -> dict[str, Any]:
    """Passages of different articles that report the same fact, and groups of such passages."""
    check_articles(body.articles, settings)
    articles = to_articles(body.articles, ("body", "articles"))
    result = compare_to_dict(articles, engine, body.window, min_confidence=body.min_confidence)
    return {
        "articles": [
            {key: a[key] for key in ("id", "outlet", "language", "title", "passages")}
            for a in result["articles"]
        ],
        "pairs": result["alignments"],
        "fact_groups": fact_groups(result["alignments"]),
        "method": result["method"],
    }
