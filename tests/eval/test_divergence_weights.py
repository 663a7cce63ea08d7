"""divergence.v7's weights: fitted on the development framing pairs, reproducibly."""

from __future__ import annotations

import numpy as np
import pytest

from eval.divergence_weights import RESIDUAL_WEIGHT, fit_weights
from models.framing.divergence import METHOD, METHOD_V7, WEIGHTS, WEIGHTS_V7


def rows(seed: int = 0, n: int = 200) -> list[dict]:
    """Pairs whose label follows commitment strongly, contrast weakly, stance not at all."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        stance, commitment, contrast = rng.random(3)
        different = 3.0 * commitment + 1.0 * contrast + rng.normal(0, 0.4) > 2.0
        out.append({"id": f"p{i}", "different": bool(different),
                    "components": {"stance": stance, "commitment": commitment,
                                   "contrast": contrast, "residual": 0.0}})  # fmt: skip
    return out


def test_fitted_weights_follow_the_components_that_separate_the_labels() -> None:
    fit = fit_weights(rows())
    weights = fit["weights"]
    assert weights["commitment"] > weights["contrast"] > weights["stance"] >= 0.0
    assert weights["residual"] == pytest.approx(RESIDUAL_WEIGHT)
    assert sum(weights.values()) == pytest.approx(1.0)
    assert fit["pairs"] == 200 and 0.8 < fit["fit_auc"] <= 1.0


def test_pairs_without_stance_cannot_be_fitted() -> None:
    unscored = rows(n=10)
    del unscored[3]["components"]["stance"]
    with pytest.raises(ValueError, match="p3"):
        fit_weights(unscored)


def test_v7_is_the_default_with_weights_that_sum_to_one() -> None:
    assert METHOD == METHOD_V7 and WEIGHTS[METHOD] == WEIGHTS_V7
    assert sum(WEIGHTS_V7.values()) == pytest.approx(1.0)


@pytest.mark.slow
def test_the_shipped_weights_are_what_the_command_fits() -> None:
    """Reruns `python -m eval.divergence_weights --stance-artifact ...` with the stance model v7
    was fitted with (encoder, stance model, 160 pairs: ~40 s)."""
    from eval.divergence_weights import fit_on_dev_pairs
    from models.framing.divergence import V7_STANCE_ARTIFACT
    from models.stance import ARTIFACTS_DIR

    fit = fit_on_dev_pairs(stance_artifact=ARTIFACTS_DIR / V7_STANCE_ARTIFACT)
    assert fit["weights"] == WEIGHTS_V7, fit
    assert fit["stance"].startswith(f"finetuned ({V7_STANCE_ARTIFACT})")


def test_the_command_refuses_a_missing_stance_artifact(tmp_path, capsys) -> None:
    from eval.divergence_weights import main

    with pytest.raises(SystemExit):
        main(["--stance-artifact", str(tmp_path / "nowhere")])
    assert "not a folder" in capsys.readouterr().err
