"""`parallax serve`: run the HTTP API with uvicorn (models load once at startup)."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind; 0.0.0.0 exposes the API.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes; each loads its own copy of the models.")
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the Parallax API (settings from PARALLAX_* variables; docs at /docs)."""
    import uvicorn

    uvicorn.run(
        "service.api.app:create_app", factory=True, host=host, port=port, workers=workers,
        log_level=log_level, timeout_graceful_shutdown=30,
    )  # fmt: skip
