"""Dependencies handed to routes: settings, models, store, API key check, inference admission."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.engine import Engine, InferenceGate
from service.persistence import Store
from service.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="Needed when the server has an API key.")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_engine(request: Request) -> Engine:
    engine = request.app.state.engine
    if engine is None:
        raise HTTPException(503, "models are still loading", headers={"Retry-After": "5"})
    return engine


def require_api_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """401 unless the server has no key or the request carries `Authorization: Bearer <key>`."""
    expected = request.app.state.settings.api_key
    if expected is None:
        return
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        raise HTTPException(
            401, "missing or wrong API key: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )  # fmt: skip


def admit(request: Request) -> InferenceGate:
    """Enter the inference gate or raise 503 with Retry-After; the caller must `leave()` it."""
    gate: InferenceGate = request.app.state.gate
    if not gate.try_enter():
        request.app.state.metrics.rejected.inc()
        retry = str(request.app.state.settings.retry_after_s)
        raise HTTPException(
            503, f"server busy: {gate.limit} inference requests already in flight; retry later",
            headers={"Retry-After": retry},
        )  # fmt: skip
    return gate


async def inference_slot(request: Request) -> AsyncIterator[None]:
    """Hold an inference slot for the request (503 when none is free).

    Async so that admission happens on the event loop, before the request takes a worker thread.
    """
    gate = admit(request)
    try:
        yield
    finally:
        gate.leave()


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
EngineDep = Annotated[Engine, Depends(get_engine)]
