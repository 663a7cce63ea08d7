"""Error responses: store errors -> 404/409, and the error statuses documented per route."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from service.api.schemas import ErrorOut
from service.persistence import Conflict, NotFound


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


Responses = dict[int | str, dict[str, Any]]

AUTH: Responses = {401: _error("Missing or wrong API key (only when the server has one).")}
BODY: Responses = {
    400: _error("The body is not valid JSON or not UTF-8."),
    413: _error("The body is over PARALLAX_MAX_BODY_BYTES."),
}
BUSY: Responses = {
    503: _error("Too many inference requests in flight, or models loading: see Retry-After.")
}
MISSING: Responses = {404: _error("No such run, corpus or article.")}
CONFLICT: Responses = {409: _error("An article id is already in the corpus.")}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        """422 with loc, msg and type of each error; the offending input is not echoed back
        (it may be large, binary or hold lone surrogates that JSON cannot carry)."""
        detail = [
            {
                "loc": [_printable(x) if isinstance(x, str) else x for x in e.get("loc", ())],
                "msg": _printable(str(e.get("msg", ""))),
                "type": str(e.get("type", "value_error")),
            }
            for e in error.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, error: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=404)

    @app.exception_handler(Conflict)
    async def conflict(_request: Request, error: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=409)


def _printable(message: str) -> str:
    return message.encode("utf-8", "backslashreplace").decode("utf-8")
