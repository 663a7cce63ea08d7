"""Fit the divergence weights on the development half of the framing pairs.

    python -m eval.divergence_weights            # prints the fit as JSON

`divergence.v7`'s weights (`models.framing.divergence.WEIGHTS_V7`) come from this command with
`--stance-artifact models/stance/artifacts/e5-lora-v10`, the shipped stance model when they were
fitted. It scores every pair of `eval/gold/framing_pairs/dev.jsonl` with the product's defaults
(the default encoder; stance from the fine-tuned model toward Russia and Azerbaijan: the
shipped one, unless `--stance-artifact` names another), fits
a logistic regression of the writers' label (framed differently or alike) on the stance,
commitment and contrast components, and scales its coefficients to weights that sum to
1 - `RESIDUAL_WEIGHT`. The residual cannot be fitted there: the set gives each pair as one fact,
so its residual is 0 for every pair; it keeps v2-v6's weight. Weights are rounded to two
decimals, as a weight is not known better than that from 160 pairs.

Only the development pairs are used. The test pairs, the demo gold and the seeds stay for
evaluation (`parallax eval framing`, `python -m eval.seeds_review`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from eval.framing_pairs import FP_DEV, read_framing_pairs, score_framing_pairs
from models.encoders import DEFAULT_ENCODER
from models.framing.divergence import METHOD_V6, WEIGHTS_V6, combine

FITTED = ("stance", "commitment", "contrast")
RESIDUAL_WEIGHT = WEIGHTS_V6["residual"]  # not fittable on these pairs: kept from v6
FIT_METHOD = METHOD_V6  # the components being weighted: v6's, which v7 keeps


def fit_weights(rows: list[dict[str, Any]], residual: float = RESIDUAL_WEIGHT) -> dict[str, Any]:
    """Weights from scored framing pairs (rows of `score_framing_pairs`, with stance)."""
    missing = [r["id"] for r in rows if any(c not in r["components"] for c in FITTED)]
    if missing:
        raise ValueError(f"pairs without every fitted component (stance given?): {missing[:5]}")
    features = np.array([[r["components"][c] for c in FITTED] for r in rows])
    labels = np.array([int(r["different"]) for r in rows])
    model = LogisticRegression(C=1.0).fit(features, labels)
    coefficients = np.clip(model.coef_[0], 0.0, None)  # a component never lowers the score
    if coefficients.sum() <= 0:
        raise ValueError(f"no component separates the pairs: coefficients {model.coef_[0]}")
    share = coefficients / coefficients.sum() * (1.0 - residual)
    weights = {c: round(float(w), 2) for c, w in zip(FITTED, share, strict=True)}
    weights["residual"] = round(1.0 - sum(weights.values()), 2)  # the rounding remainder
    scores = [combine({c: r["components"][c] for c in FITTED}, weights) for r in rows]
    return {
        "weights": weights,
        "coefficients": dict(zip(FITTED, np.round(model.coef_[0], 4).tolist(), strict=True)),
        "pairs": len(rows),
        "different": int(labels.sum()),
        "fit_auc": round(float(roc_auc_score(labels, scores)), 4),
    }


def fit_on_dev_pairs(
    path: Path = FP_DEV, encoder_spec: str = DEFAULT_ENCODER, stance_kind: str = "finetuned",
    cache_dir: Path | None = None, stance_artifact: Path | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Score the development pairs with the product's defaults (the stance model from
    `stance_artifact` when given) and fit the weights."""
    from eval.framing import TARGETS, make_eval_encoder, model_stance_provider

    encoder = make_eval_encoder(encoder_spec, cache_dir)
    stance = model_stance_provider(stance_kind, TARGETS, artifact_dir=stance_artifact)
    score_passages = stance.score_passages  # type: ignore[attr-defined]
    scored = score_framing_pairs(read_framing_pairs(path), encoder, score_passages, (FIT_METHOD,))
    fit = fit_weights(scored[FIT_METHOD])
    model = stance_kind if stance_artifact is None else f"{stance_kind} ({stance_artifact.name})"
    return {**fit, "data": str(path), "encoder": encoder_spec,
            "stance": f"{model} toward {', '.join(TARGETS)}"}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=FP_DEV, help="framing pair file to fit on")
    parser.add_argument(
        "--stance-artifact", type=Path, default=None,
        help="fine-tuned stance artifact folder (default: the shipped one)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.stance_artifact is not None and not args.stance_artifact.is_dir():
        parser.error(f"--stance-artifact: not a folder: {args.stance_artifact}")
    from service.settings import get_settings

    settings = get_settings()
    fit = fit_on_dev_pairs(args.pairs, settings.encoder, cache_dir=settings.embedding_cache_dir,
                           stance_artifact=args.stance_artifact)  # fmt: skip
    print(json.dumps(fit, indent=2))


if __name__ == "__main__":
    main()
