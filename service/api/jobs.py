"""Comparisons stored as runs: `models.pipeline.compare` over articles, result into the store."""

from __future__ import annotations

import logging
from typing import Any

from corpus.schema import Article
from models.alignment import MIN_CONFIDENCE
from models.pipeline import result_to_dict
from models.stance import DEFAULT_TARGETS
from service.api.engine import Engine
from service.persistence import Run, Store

logger = logging.getLogger(__name__)


def compare_to_dict(
    articles: list[Article],
    engine: Engine,
    window: int,
    targets: tuple[str, ...] = DEFAULT_TARGETS,
    min_confidence: float = MIN_CONFIDENCE,
) -> dict[str, Any]:
    """The result.json document of `articles` (with stance when the engine has a model), with
    the links of confidence `min_confidence` and up."""
    return result_to_dict(engine.compare(articles, window, targets, min_confidence))


def run_comparison(
    store: Store,
    run_id: str,
    articles: list[Article],
    engine: Engine,
    window: int,
    min_confidence: float = MIN_CONFIDENCE,
) -> None:
    """Compare `articles` and store the result (or the error) under `run_id`."""
    try:
        result = compare_to_dict(articles, engine, window, min_confidence=min_confidence)
    except Exception as error:  # the run records the failure; the log keeps the traceback
        logger.exception("run %s failed", run_id)
        store.finish_run(run_id, error=f"{type(error).__name__}: {error}")
        return
    store.finish_run(run_id, result=result)


def run_out(run: Run, include_result: bool = True) -> dict[str, Any]:
    """The `RunOut` body of a stored run."""
    return {
        "id": run.id, "status": run.status, "created": run.created, "finished": run.finished,
        "corpus": run.corpus, "result": run.result if include_result else None,
        "error": run.error,
        "links": {"self": f"/v1/runs/{run.id}", "report": f"/v1/runs/{run.id}/report"},
    }  # fmt: skip
