"""Shared models under concurrent requests, and bounded admission (503 + Retry-After)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from service.api.engine import Engine, InferenceGate, LockedEncoder
from service.settings import Settings
from tests.service.api.conftest import (
    ENGLISH,
    RUSSIAN,
    BlockingEncoder,
    FakeStance,
    ThreadUnsafeEncoder,
    make_client,
)

REQUESTS = [
    {"articles": [{"text": ENGLISH}, {"text": RUSSIAN}]},
    {"articles": [{"text": RUSSIAN}, {"text": ENGLISH[:120]}, {"text": ENGLISH[120:]}]},
    {"articles": [{"text": ENGLISH}, {"text": ENGLISH.replace("Monday", "Tuesday")}]},
]


def test_the_thread_unsafe_fake_does_detect_concurrent_use() -> None:
    """Control: without the lock, concurrent calls trip the detector (so the next test can fail)."""
    encoder = ThreadUnsafeEncoder(delay=0.02)
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: _try(encoder.encode, ["Baku"]), range(16)))
    assert any(isinstance(o, RuntimeError) for o in outcomes)


def test_concurrent_requests_equal_sequential_ones(settings: Settings) -> None:
    encoder = ThreadUnsafeEncoder(delay=0.002)
    engine = Engine(encoder, stance=FakeStance())
    with make_client(settings.model_copy(update={"max_in_flight": 64}), engine) as client:
        sequential = [client.post("/v1/align", json=r).json() for r in REQUESTS]
        stance_alone = client.post("/v1/stance", json={"text": ENGLISH}).json()
        jobs = [(i % len(REQUESTS)) for i in range(24)]
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(lambda i: client.post("/v1/align", json=REQUESTS[i]), jobs))
            stances = list(pool.map(
                lambda _: client.post("/v1/stance", json={"text": ENGLISH}), range(8)
            ))  # fmt: skip
    assert [r.status_code for r in responses + stances] == [200] * 32
    assert [r.json() for r in responses] == [sequential[i] for i in jobs]
    assert all(r.json() == stance_alone for r in stances)
    assert encoder.max_inside == 1  # the lock let one thread at a time into the model


def test_requests_beyond_the_in_flight_limit_get_503_with_retry_after(settings: Settings) -> None:
    encoder = BlockingEncoder()
    limited = settings.model_copy(update={"max_in_flight": 1, "retry_after_s": 7})
    with make_client(limited, Engine(encoder)) as client, ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, "/v1/align", json=REQUESTS[0])
        assert encoder.entered.wait(timeout=10)
        refused = client.post("/v1/align", json=REQUESTS[0])
        also_refused = client.post("/v1/stance", json={"text": ENGLISH})
        healthy = client.get("/healthz")
        encoder.release.set()
        assert first.result(timeout=10).status_code == 200
        after = client.post("/v1/align", json=REQUESTS[0])
        metrics = client.get("/metrics").text
    assert refused.status_code == 503 and refused.headers["retry-after"] == "7"
    assert "1 inference requests already in flight" in refused.json()["detail"]
    assert also_refused.status_code == 503
    assert healthy.status_code == 200
    assert after.status_code == 200
    assert "parallax_overload_rejections_total 2.0" in metrics


def test_gate_counts_and_refuses() -> None:
    gate = InferenceGate(2)
    assert gate.try_enter() and gate.try_enter() and not gate.try_enter()
    gate.leave()
    assert gate.in_flight == 1 and gate.try_enter()
    with pytest.raises(ValueError, match="limit must be >= 1"):
        InferenceGate(0)


def test_locked_encoder_serialises_threads() -> None:
    inner = ThreadUnsafeEncoder(delay=0.005)
    locked = LockedEncoder(inner)
    barrier = threading.Barrier(6)

    def call() -> None:
        barrier.wait()
        locked.encode(["Azerbaijan", "Russia"])

    threads = [threading.Thread(target=call) for _ in range(6)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert inner.max_inside == 1 and inner.calls == 12
    assert time.perf_counter() - started >= 6 * 0.005


def _try(function, *args):  # type: ignore[no-untyped-def]
    try:
        return function(*args)
    except RuntimeError as error:
        return error
