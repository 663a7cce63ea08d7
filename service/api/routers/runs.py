"""POST /v1/compare (a stored run), GET /v1/runs/{id}, its HTML report and its pairs.csv."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, Response

from service.api import errors
from service.api.articles import to_articles
from service.api.deps import EngineDep, SettingsDep, StoreDep, inference_slot
from service.api.jobs import run_comparison, run_out
from service.api.limits import check_articles
from service.api.schemas import ArticlesRequest, RunOut
from service.export import pair_rows, pairs_csv
from service.report import render_report

router = APIRouter(prefix="/v1", tags=["runs"])


@router.post(
    "/compare", response_model=RunOut, status_code=201,
    dependencies=[Depends(inference_slot)],
    responses={**errors.BODY, **errors.BUSY},
)  # fmt: skip
def compare_articles(
    body: ArticlesRequest, engine: EngineDep, store: StoreDep, settings: SettingsDep
) -> dict[str, Any]:
    """Compare a set of articles; the full result is stored as a run and returned."""
    check_articles(body.articles, settings)
    articles = to_articles(body.articles, ("body", "articles"))
    run_id = store.create_run(body.model_dump(mode="json"))
    run_comparison(store, run_id, articles, engine, body.window, body.min_confidence)
    return run_out(store.get_run(run_id))


@router.get("/runs/{run_id}", response_model=RunOut, responses=errors.MISSING)
def get_run(run_id: uuid.UUID, store: StoreDep) -> dict[str, Any]:
    """A stored run: status, and its result once done."""
    return run_out(store.get_run(str(run_id)))


@router.get(
    "/runs/{run_id}/report",
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}},
              "description": "The report, a standalone HTML page."},
        **errors.MISSING,
        409: {"model": errors.ErrorOut, "description": "The run is not done."},
    },
)  # fmt: skip
def get_report(run_id: uuid.UUID, store: StoreDep) -> HTMLResponse:
    """The HTML report of a finished run: aligned passages side by side."""
    return HTMLResponse(render_report(_finished_result(store, run_id, "the report")))


@router.get(
    "/runs/{run_id}/pairs.csv",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}},
              "description": "Every aligned pair as a CSV row (columns: service.export)."},
        **errors.MISSING,
        409: {"model": errors.ErrorOut, "description": "The run is not done."},
    },
)  # fmt: skip
def get_pairs_csv(run_id: uuid.UUID, store: StoreDep) -> Response:
    """The aligned pairs of a finished run, one CSV row each, most evidence first."""
    result = _finished_result(store, run_id, "pairs.csv")
    return Response(
        pairs_csv(pair_rows(result)), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="parallax-{run_id}-pairs.csv"'},
    )  # fmt: skip


def _finished_result(store: StoreDep, run_id: uuid.UUID, what: str) -> dict[str, Any]:
    run = store.get_run(str(run_id))
    if run.status != "done" or run.result is None:
        raise HTTPException(409, f"run {run.id} is {run.status}; {what} needs a finished run")
    return run.result
