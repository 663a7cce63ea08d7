"""POST /v1/compare (a stored run), GET /v1/runs/{id} and its HTML report."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse

from service.api import errors
from service.api.articles import to_articles
from service.api.deps import EngineDep, SettingsDep, StoreDep, inference_slot
from service.api.jobs import run_comparison, run_out
from service.api.limits import check_articles
from service.api.schemas import ArticlesRequest, RunOut
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
    run_comparison(store, run_id, articles, engine, body.window)
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
    run = store.get_run(str(run_id))
    if run.status != "done" or run.result is None:
        raise HTTPException(409, f"run {run.id} is {run.status}; the report needs a finished run")
    return HTMLResponse(render_report(run.result))
