"""The FastAPI app: `create_app(settings, engine=None, store=None)`.

Models load once in the lifespan (unless an `engine` is given, as tests do) and live on
`app.state`; routes receive them through `Depends`. Middleware order (outermost first): metrics,
body-size limit, routing.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.concurrency import run_in_threadpool

from service.api import errors
from service.api.deps import require_api_key
from service.api.engine import Engine, InferenceGate, load_engine
from service.api.limits import BodySizeLimit
from service.api.metrics import ApiMetrics, MetricsMiddleware
from service.api.routers import align, corpora, health, runs, stance
from service.persistence import Store
from service.settings import Settings

logger = logging.getLogger(__name__)

API_VERSION = "1.0.0"
DESCRIPTION = """
Parallax compares how media of different camps frame the same events.

* **/v1/stance**: one article -> passages with character offsets, language, stance per target.
* **/v1/align**: two or more articles -> aligned passage pairs and fact groups.
* **/v1/compare**: a set of articles -> the full comparison, stored as a run (**/v1/runs**).
* **/v1/corpora**: named collections of articles, compared in the background.

When the server has an API key, /v1 routes need `Authorization: Bearer <key>`;
/healthz, /readyz and /metrics stay open.
"""


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, store: Store | None = None
) -> FastAPI:
    """The Parallax API. `engine`/`store` default to those built from `settings` at startup."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owns_store = app.state.store is None
        if owns_store:
            app.state.store = await run_in_threadpool(Store, settings.database)
        failed = await run_in_threadpool(app.state.store.fail_interrupted_runs)
        if failed:
            logger.warning("marked %d interrupted runs as failed", failed)
        if app.state.engine is None:
            app.state.engine = await run_in_threadpool(
                load_engine, settings.encoder, settings.stance_model, settings.stance_dtype
            )
        app.state.metrics.model_load.set(app.state.engine.load_seconds)
        yield
        if owns_store:
            app.state.store.close()

    app = FastAPI(
        title="Parallax API", version=API_VERSION, description=DESCRIPTION, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.store = store
    app.state.gate = InferenceGate(settings.max_in_flight)
    app.state.metrics = ApiMetrics(lambda: app.state.gate.in_flight)

    app.include_router(health.router)
    for module in (stance, align, runs, corpora):  # each router carries its /v1 prefix
        app.include_router(
            module.router, dependencies=[Depends(require_api_key)], responses=errors.AUTH
        )
    errors.install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    return app
