"""The shipped stance artifacts load and give sensible probabilities (slow: real models)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

AGAINST = "Baku furiously condemned Russia for shooting down the airliner and lying about it."
FAVOR = (
    "Kyiv warmly thanked Azerbaijan for its generous humanitarian aid and called it a true friend."
)


@pytest.fixture(scope="session")
def e5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from models.e5 import build_e5_directory

    cache = os.environ.get("PARALLAX_TEST_E5_DIR")
    return build_e5_directory(Path(cache) if cache else tmp_path_factory.mktemp("e5") / "e5-small")


@pytest.mark.slow
def test_shipped_adapter_is_small_and_predicts_obvious_stance(e5_dir: Path) -> None:
    from models.stance import FINETUNED_ARTIFACT, load_stance_model, score_stance

    size = sum(p.stat().st_size for p in FINETUNED_ARTIFACT.iterdir())
    assert size < 5_000_000
    model = load_stance_model("finetuned", e5_dir=e5_dir, device="cpu")
    spans = [(AGAINST.index("Russia"), AGAINST.index("Russia") + 6)]
    spans.append((FAVOR.index("Azerbaijan"), FAVOR.index("Azerbaijan") + 10))
    proba = model.predict_proba([AGAINST, FAVOR], ["Russia", "Azerbaijan"], spans)
    assert proba.shape == (2, 3) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert proba[0].argmax() == 1  # against
    assert proba[1].argmax() == 0  # favor
    scores = score_stance([AGAINST], ["Russia"], model)
    assert scores[0]["Russia"]["against"] == pytest.approx(float(proba[0, 1]), abs=0.02)


@pytest.mark.slow
def test_shipped_baseline_loads_and_predicts_distributions() -> None:
    from models.stance import load_stance_model

    model = load_stance_model("baseline")
    proba = model.predict_proba([AGAINST, FAVOR], ["Russia", "Azerbaijan"])
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
