"""Request limits: body size (ASGI middleware, 413) and per-request article/text/target counts.

The body limit is enforced twice: from `Content-Length` before anything is read, and by counting
the bytes actually received, so a chunked upload or a lying header cannot exceed it either.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.articles import field_error
from service.api.schemas import ArticleIn
from service.settings import Settings


class BodySizeLimit:
    """Answer 413 to requests whose body exceeds `max_bytes`.

    The body is read here (at most `max_bytes` + one chunk) and replayed to the app, so the app
    never sees a body over the limit, whatever the headers claim.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send, declared.decode("latin-1"))
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._reject(send, f"more than {self.max_bytes}")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: wait for the disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _reject(self, send: Send, size: str) -> None:
        detail = (
            f"request body of {size} bytes exceeds the limit of {self.max_bytes} bytes "
            "(PARALLAX_MAX_BODY_BYTES)"
        )
        body = json.dumps({"detail": detail}).encode()
        await send({
            "type": "http.response.start", "status": 413,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body})


def check_articles(
    items: Sequence[ArticleIn], settings: Settings, loc: Sequence[str | int] = ("body", "articles")
) -> None:
    """422 naming the field when there are too many articles or a text is too long."""
    if len(items) > settings.max_articles:
        raise field_error(
            loc,
            f"too many articles: {len(items)}; the limit is {settings.max_articles} "
            "per request (PARALLAX_MAX_ARTICLES)",
        )
    for i, item in enumerate(items):
        check_text(item.text, settings, [*loc, i, "text"])


def check_text(text: str, settings: Settings, loc: Sequence[str | int]) -> None:
    if len(text) > settings.max_text_chars:
        raise field_error(
            loc,
            f"text of {len(text)} characters is over the limit of {settings.max_text_chars} "
            "characters (PARALLAX_MAX_TEXT_CHARS)",
        )


def check_targets(targets: Sequence[str], settings: Settings) -> None:
    if len(targets) > settings.max_targets:
        raise field_error(
            ("body", "targets"),
            f"too many targets: {len(targets)}; the limit is {settings.max_targets} "
            "(PARALLAX_MAX_TARGETS)",
        )
