"""Fixtures for API tests: an app on a temporary data dir with fake models (no real weights)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.api.engine import Engine
from service.settings import Settings
from tests.conftest import FakeEncoder

ENGLISH = (
    "Azerbaijan closed the Russian House in Baku on Monday. Officials in Baku said the centre "
    "had been used for intelligence operations.\n\nMoscow called the closure a misunderstanding "
    "and said it hoped for dialogue with Azerbaijan."
)
RUSSIAN = (
    "Власти Азербайджана закрыли Русский дом в Баку в понедельник. Москва назвала закрытие "
    "недоразумением и призвала к диалогу."
)


class FakeStance:
    """Deterministic stance for logic tests: 'against' a target the passage names, else 'none'."""

    name = "fake-stance-v1"

    def score(self, passages: list[str], targets: list[str]) -> list[dict[str, dict[str, float]]]:
        return [
            {t: ({"favor": 0.1, "against": 0.8, "none": 0.1} if t.lower() in p.lower()
                 else {"favor": 0.0, "against": 0.0, "none": 1.0}) for t in targets}
            for p in passages
        ]  # fmt: skip

    def aggregate(self, passages, stances, targets):  # type: ignore[no-untyped-def]
        return {
            t: {label: float(np.mean([s[t][label] for s in stances]))
                for label in ("favor", "against", "none")}
            for t in targets
        }  # fmt: skip


class ThreadUnsafeEncoder(FakeEncoder):
    """FakeEncoder that fails loudly when two threads are inside `encode` at once."""

    def __init__(self, delay: float = 0.005) -> None:
        super().__init__()
        self.delay = delay
        self._inside = 0
        self.max_inside = 0

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        self._inside += 1
        self.max_inside = max(self.max_inside, self._inside)
        try:
            if self._inside > 1:
                raise RuntimeError("encode entered by two threads at once")
            time.sleep(self.delay)
            return super().encode(texts, kind)
        finally:
            self._inside -= 1


class BlockingEncoder(FakeEncoder):
    """FakeEncoder whose `encode` waits until `release` is set (to hold requests in flight)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        self.entered.set()
        if not self.release.wait(timeout=10):
            raise TimeoutError("test never released the encoder")
        return super().encode(texts, kind)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=None,
                    api_key=None, stance_model=None)  # fmt: skip


def make_client(settings: Settings, engine: Engine) -> TestClient:
    return TestClient(create_app(settings, engine=engine))


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """App with the fake encoder and no stance model."""
    with make_client(settings, Engine(FakeEncoder())) as test_client:
        yield test_client


@pytest.fixture
def stance_client(settings: Settings) -> Iterator[TestClient]:
    """App with the fake encoder and the fake stance scorer."""
    with make_client(settings, Engine(FakeEncoder(), stance=FakeStance())) as test_client:
        yield test_client
