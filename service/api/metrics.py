"""Prometheus metrics of one app: requests by route and status, latency, inference in flight.

Each app gets its own `CollectorRegistry` (not the process-global one), so several apps in one
process (tests) never clash and /metrics shows only this app's series.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ApiMetrics:
    def __init__(self, in_flight: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "parallax_http_requests", "HTTP requests answered.",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "parallax_http_request_duration_seconds", "Time to answer a request.",
            ["method", "route"], registry=self.registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )  # fmt: skip
        self.rejected = Counter(
            "parallax_overload_rejections", "Inference requests refused with 503 (gate full).",
            registry=self.registry,
        )  # fmt: skip
        self.model_load = Gauge(
            "parallax_model_load_seconds", "Time taken to load the models at startup.",
            registry=self.registry,
        )  # fmt: skip
        gauge = Gauge(
            "parallax_inference_in_flight", "Inference requests running or waiting.",
            registry=self.registry,
        )  # fmt: skip
        gauge.set_function(lambda: float(in_flight()))


class MetricsMiddleware:
    """Count and time every HTTP request by its route template (not its raw path)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
