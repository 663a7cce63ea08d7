"""Liveness, readiness and metrics: open even when the server has an API key."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut, response_model_exclude_none=True)
async def healthz() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "ok"}


@router.get(
    "/readyz", response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "Models or database not ready."}},
)  # fmt: skip
def readyz(request: Request) -> JSONResponse:
    """Models loaded and the database reachable."""
    engine = request.app.state.engine
    if engine is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    try:
        request.app.state.store.ping()
    except Exception as error:
        return JSONResponse({"status": f"database unreachable: {error}"}, status_code=503)
    return JSONResponse({"status": "ready", "models": engine.describe()})


@router.get(
    "/metrics", response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text."}},
)  # fmt: skip
def metrics(request: Request) -> Response:
    """Prometheus metrics of this server."""
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
