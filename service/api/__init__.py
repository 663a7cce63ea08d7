"""The Parallax HTTP API (FastAPI): `create_app` builds it, `parallax serve` runs it."""

from __future__ import annotations

from service.api.app import create_app

__all__ = ["create_app"]
