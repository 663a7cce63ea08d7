"""The team-written alignment calibration set and the fit over several gold sets."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from eval import alignment as ev
from models.alignment import Alignment, PassageGroup, score_candidates
from models.calibration import (
    DEFAULT_PATH,
    FEATURES,
    SHORT_FEATURES,
    TRANSLATION_FEATURES,
    LinkCalibration,
)


def test_calibration_set_gold_maps_to_passages_with_same_language_links() -> None:
    corpus = ev.read_demo(ev.CALIBRATION_DIR)
    assert len(corpus.articles) == 13
    assert len(corpus.gold_links) == 140
    language = {a.id: a.language for a in corpus.articles}
    pairs = Counter(
        "-".join(sorted(language[p.split(":")[0]] for p in link)) for link in corpus.gold_links
    )
    assert pairs == {"en-en": 71, "en-ru": 31, "ru-ru": 24, "en-uk": 14}
    assert all(
        len({corpus.events[p.split(":")[0]] for p in link}) == 1 for link in corpus.gold_links
    )
    outlets = json.loads((ev.CALIBRATION_DIR / "meta.json").read_text(encoding="utf-8"))
    assert all("(synthetic)" in m["outlet"] for m in outlets["articles"])


def _links(n: int, article: str, event_of: dict[str, str]) -> ev.LabelledLinks:
    """n links between articles `article`-a and `article`-b; features separate the classes."""
    rng = np.random.default_rng(len(article))
    labels = np.arange(n) % 2
    values = rng.normal(scale=0.02, size=(n, 4)) + 0.02 * labels[:, None]
    ids_a = [f"{article}a:{i}" for i in range(n)]
    ids_b = [f"{article}b:{i}" for i in range(n)]
    groups = [
        PassageGroup(f"{article}a", ids_a, np.eye(n, dtype=np.float32)),
        PassageGroup(f"{article}b", ids_b, np.eye(n, dtype=np.float32)),
    ]
    candidates = [
        (
            Alignment(
                a,
                b,
                0.9 + v[0],
                1.04 + v[1],
                pair_margin=1.04 + v[2],
                anchor_overlap=v[3],
                article_similarity=0.9 + v[2],
            ),
            None,
        )
        for a, b, v in zip(ids_a, ids_b, values, strict=True)
    ]
    features = np.array([c.features() for c, _ in candidates])
    corpus = ev.DemoCorpus([], {}, event_of, set(), set())
    # path links: the right ones come from well-covered (translated) pairs
    paths = [
        Alignment(a, b, 0.9 + v[0], 1.04 + v[1], kind="translation", coverage=0.5 + 0.4 * y + v[2])
        for a, b, v, y in zip(ids_a, ids_b, values, labels, strict=True)
    ]
    return ev.LabelledLinks(corpus, groups, candidates, features, labels, paths, labels.copy())


def test_fit_pools_every_set_and_held_out_keeps_the_other_set_in_training() -> None:
    first = _links(40, "x", {"xa": "e1", "xb": "e1"})
    second = _links(30, "y", {"ya": "e2", "yb": "e2"})
    pooled = ev.fit_calibration([first, second])
    alone = LinkCalibration().fit(
        np.concatenate([first.features, second.features]),
        np.concatenate([first.labels, second.labels]),
    )
    np.testing.assert_allclose(pooled.coef_, alone.coef_)
    assert pooled.support_ is not None
    # the translation map is fitted on the path links of both sets, and only on them
    assert pooled.translation_ is not None
    assert pooled.translation_.features == TRANSLATION_FEATURES
    path_alone = LinkCalibration(features=TRANSLATION_FEATURES).fit(
        np.concatenate([first.path_features, second.path_features]),
        np.concatenate([first.path_labels, second.path_labels]),
    )
    np.testing.assert_allclose(pooled.translation_.coef_, path_alone.coef_)
    assert pooled.translation_.coef_[TRANSLATION_FEATURES.index("coverage")] > 0
    # first has a single event: its held-out fold (all three maps) is fitted on the second set
    # alone, for its matched and its translated candidates alike
    first.candidates[0] = (replace(first.candidates[0][0], kind="translation", coverage=0.9), None)
    held = ev.held_out_confidences([first, second], target=0)
    only_second = ev.fit_calibration([second])
    links = [c for c, _ in first.candidates]
    np.testing.assert_allclose(held, score_candidates(links, only_second, first.groups))
    assert (
        held[0]
        == only_second.translation_.predict_proba(np.array([links[0].translation_features()]))[0]
    )


def test_without_wrong_path_links_there_is_no_translation_map() -> None:
    first = _links(40, "x", {"xa": "e1", "xb": "e1"})
    first.path_labels[:] = 1
    assert ev.fit_calibration([first]).translation_ is None


def test_packaged_calibration_was_fitted_on_every_gold_set() -> None:
    document = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert document["version"] == ev.CALIBRATION_VERSION
    assert document["features"] == list(FEATURES)
    for folder in ev.CALIBRATION_SETS.values():
        assert f"{folder.relative_to(ev.REPO_DIR)}/gold.json" in document["data"]
    names = {"demo", *ev.CALIBRATION_SETS}
    assert set(document["held_out_reliability"]) == names | {f"{n}, short map" for n in names}
    assert document["translation"]["features"] == list(TRANSLATION_FEATURES)
    assert document["short"]["features"] == list(SHORT_FEATURES)
    assert LinkCalibration.load().translation_ is not None


def test_analysis_set_gold_maps_to_passages_and_keeps_near_misses_apart() -> None:
    corpus = ev.read_demo(ev.ANALYSIS_DIR)
    assert len(corpus.articles) == 12
    assert {a.language for a in corpus.articles} == {"en"}
    assert len(corpus.gold_links) == 120
    assert len(corpus.near_misses) == 116
    assert not corpus.near_misses & corpus.gold_links
    # every link and every near miss joins two articles of one crisis
    for pair in corpus.gold_links | corpus.near_misses:
        assert len({corpus.events[p.split(":")[0]] for p in pair}) == 1
    outlets = json.loads((ev.ANALYSIS_DIR / "meta.json").read_text(encoding="utf-8"))
    assert all("(synthetic)" in m["outlet"] for m in outlets["articles"])


def test_read_demo_refuses_a_near_miss_that_is_a_gold_link(tmp_path: Path) -> None:
    shutil.copytree(ev.ANALYSIS_DIR, tmp_path / "set")
    gold_path = tmp_path / "set" / "gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    first = gold["facts"][0]["passages"]
    gold["near_misses"].append({"a": first[0], "b": first[-1], "why": "test"})
    gold_path.write_text(json.dumps(gold), encoding="utf-8")
    with pytest.raises(ValueError, match="near miss is also a gold link"):
        ev.read_demo(tmp_path / "set")


def test_evaluate_gold_also_scores_a_set_with_a_map_fitted_on_the_other_sets_only() -> None:
    first = _links(40, "x", {"xa": "e1", "xb": "e1"})
    second = _links(30, "y", {"ya": "e2", "yb": "e2"})
    packaged = ev.fit_calibration([first, second])
    report = ev.evaluate_gold([first, second], 0, packaged, baselines=False)
    without = ev.fit_calibration([second])
    confidences = score_candidates([c for c, _ in first.candidates], without, first.groups)
    assert report["unseen"]["links"]["predicted"] == int((confidences >= ev.THRESHOLD).sum())
