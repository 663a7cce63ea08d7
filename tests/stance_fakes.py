"""Deterministic fakes for stance logic tests (no model weights needed)."""

from __future__ import annotations

import hashlib

import numpy as np

from models.stance.labels import LABELS


class HashEncoder:
    """Bag of hashed words, L2-normalised: same words -> same vector; `calls` counts texts."""

    name = "fake-hash-words-v1"
    dim = 32

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in f"{kind} {text}".lower().split():
                digest = hashlib.blake2b(word.encode(), digest_size=2).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-9)
        return out


class KeywordStanceModel:
    """favor if 'good' is in the text, against if 'bad', else none; records the spans it got."""

    name = "fake-keyword-stance"

    def __init__(self) -> None:
        self.seen_spans: list = []
        self.seen_targets: list = []

    def predict_proba(self, texts, targets, spans=None):
        self.seen_spans.extend(spans if spans is not None else [None] * len(texts))
        self.seen_targets.extend(targets)
        out = np.full((len(texts), len(LABELS)), 0.1, dtype=np.float32)
        for row, text in enumerate(texts):
            column = 0 if "good" in text else 1 if "bad" in text else 2
            out[row, column] = 0.8
        return out
