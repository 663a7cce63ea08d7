from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from eval import alignment as ev
from models.alignment import Alignment, PassageGroup
from models.calibration import FEATURES, SHORT_FEATURES, LinkCalibration
from service.cli import DEMO_DIR

SENTENCES = [
    ("d1", "The central bank raised its key interest rate by half a point on Friday."),
    ("d1", "Analysts had expected a smaller increase after inflation slowed in spring."),
    ("d1", "The currency strengthened against the dollar within an hour of the news."),
    ("d2", "A new bridge across the river opened to traffic after four years of work."),
    ("d2", "The city council says the bridge will cut commuting times by a third."),
]


def margin_calibration() -> LinkCalibration:
    return LinkCalibration.from_dict(
        {
            "version": "test",
            "features": list(FEATURES),
            "C": 1.0,
            "mean": [0.0] * len(FEATURES),
            "scale": [1.0] * len(FEATURES),
            "coef": [40.0 * (name == "margin") for name in FEATURES],
            "intercept": -40.0 * 1.02,
        }
    )


@pytest.fixture
def tiny_ntrex(tmp_path: Path) -> Path:
    """Four 'languages' whose lines are the English line with a language tag appended."""
    (tmp_path / "document_ids.txt").write_text("\n".join(d for d, _ in SENTENCES) + "\n")
    for lang, name in ev.NTREX_FILES.items():
        lines = [f"{text} ({lang})" for _, text in SENTENCES]
        (tmp_path / name).write_text("\n".join(lines) + "\n")
    return tmp_path


def test_ntrex_evaluation_runs_the_product_on_document_pairs(tiny_ntrex, fake_encoder) -> None:
    report = ev.evaluate_ntrex(tiny_ntrex, fake_encoder, margin_calibration())
    assert report["documents"] == 2 and report["lines"] == 5
    assert len(report["directions"]) == 12 and len(report["pooled"]) == 12
    for row in [*report["directions"].values(), *report["pooled"].values()]:
        assert row["cosine"] == 1.0 and row["margin"] == 1.0 and row["product"] == 1.0
        assert row["link_precision"] == 1.0
    assert report["mean"]["product"] == 1.0


def test_ntrex_files_must_be_line_aligned(tiny_ntrex) -> None:
    (tiny_ntrex / "rus.txt").write_text("one line only\n")
    with pytest.raises(ValueError, match="not line-aligned"):
        ev.read_ntrex(tiny_ntrex)


def test_document_spans_cover_consecutive_runs() -> None:
    assert ev._document_spans(["a", "a", "b", "c", "c"]) == [(0, 2), (2, 3), (3, 5)]


def test_demo_gold_quotes_map_to_passages_and_links() -> None:
    demo = ev.read_demo(DEMO_DIR)
    assert len(demo.articles) == 20
    assert len(demo.gold_links) == 309
    assert all(a.split(":")[0] != b.split(":")[0] for a, b in map(sorted, demo.gold_links))
    # background mentions of another event's facts are linked too
    cross = [link for link in demo.gold_links
             if len({demo.events[p.split(":")[0]] for p in link}) > 1]  # fmt: skip
    assert 0 < len(cross) < len(demo.gold_links) / 4


@pytest.mark.parametrize("folder", [DEMO_DIR, ev.CALIBRATION_DIR], ids=["demo", "calibration"])
def test_gold_is_the_majority_of_its_three_annotations(folder: Path) -> None:
    rounds = ev.second_round_links(folder)
    assert list(rounds) == ["first", "annotator_a", "annotator_b"]
    votes: dict[frozenset[str], int] = {}
    for links in rounds.values():
        for link in links:
            votes[link] = votes.get(link, 0) + 1
    majority = {link for link, n in votes.items() if n >= 2}
    assert ev.read_demo(folder).gold_links == majority


def test_annotator_agreement_scores_every_pair_of_annotations() -> None:
    agreement = ev.annotator_agreement(DEMO_DIR)
    assert agreement is not None
    assert set(agreement["pairs"]) == {
        "annotator_a against first", "annotator_b against first", "annotator_b against annotator_a"
    }  # fmt: skip
    row = agreement["pairs"]["annotator_b against annotator_a"]
    assert row["right"] <= min(row["predicted"], row["gold"])
    assert row["f1"] == pytest.approx(
        2 * row["precision"] * row["recall"] / (row["precision"] + row["recall"])
    )
    lines = ev._agreement_markdown(agreement)
    assert any("second round, annotator B | second round, annotator A" in line for line in lines)


def test_annotator_agreement_needs_the_second_round(tmp_path) -> None:
    import shutil

    shutil.copytree(DEMO_DIR, tmp_path / "demo", ignore=shutil.ignore_patterns("second_round"))
    assert ev.annotator_agreement(tmp_path / "demo") is None


def test_precision_recall_counts() -> None:
    gold = {frozenset(("a:0", "b:0")), frozenset(("a:1", "b:1"))}
    predicted = {frozenset(("a:0", "b:0")), frozenset(("a:2", "b:2"))}
    assert ev._precision_recall(predicted, gold) == {
        "precision": 0.5,
        "recall": 0.5,
        "predicted": 2,
        "gold": 2,
        "right": 1,
    }


def test_markdown_lists_every_direction(tiny_ntrex, fake_encoder) -> None:
    report = {
        "method": "m",
        "calibration": "c",
        "encoder": "e",
        "threshold": 0.5,
        "skipped": ["Tatoeba: absent"],
        "ntrex": ev.evaluate_ntrex(tiny_ntrex, fake_encoder, margin_calibration()),
    }
    text = ev.to_markdown(report, "parallax eval alignment")
    assert all(f"| {d} |" in text for d in report["ntrex"]["directions"])
    assert "Skipped: Tatoeba: absent" in text and "`parallax eval alignment`" in text


def test_missing_data_is_reported_as_skipped(tmp_path, fake_encoder) -> None:
    report = ev.evaluate_alignment(
        tmp_path, tmp_path, fake_encoder, margin_calibration(),
        extra_sets={"calibration_set": tmp_path, "translation_set": tmp_path / "none"},
        short_texts=tmp_path / "none",
    )  # fmt: skip
    assert len(report["skipped"]) == 6 and "ntrex" not in report
    assert np.isnan(ev.precision_at_1(np.array([]), np.array([])))


def test_short_texts_are_aligned_in_pairs_and_all_at_once(fake_encoder) -> None:
    """With a short map that accepts every link of a short pair, the packaged map keeps every
    candidate; the whole-article part alone keeps only those its margin map accepts."""
    from models.calibration import SHORT_FEATURES

    calibration = margin_calibration()
    calibration.short_ = LinkCalibration.from_dict({
        "version": "t", "features": list(SHORT_FEATURES), "C": 1.0,
        "mean": [0.0] * len(SHORT_FEATURES), "scale": [1.0] * len(SHORT_FEATURES),
        "coef": [0.0] * len(SHORT_FEATURES), "intercept": 5.0,
    })  # fmt: skip
    report = ev.evaluate_short_texts(ev.SHORT_TEXTS_DIR, fake_encoder, calibration)
    assert (report["articles"], report["gold"]) == (12, 23)
    for setting in ("pairs", "all"):
        short, whole = report[setting]["short_map"], report[setting]["whole_article_map"]
        assert short["predicted"] > whole["predicted"] and short["right"] >= whole["right"]
    table = ev._short_texts_markdown(report, 0.5)
    assert sum(line.startswith("| every pair on its own |") for line in table) == 2


def test_short_text_gold_maps_to_passages_within_each_event() -> None:
    corpus = ev.read_demo(ev.SHORT_TEXTS_DIR)
    assert len(corpus.articles) == 12 and len(corpus.gold_links) == 23
    assert {a.language for a in corpus.articles} == {"en", "ru", "uk", "az"}
    assert all(len(corpus.passages[a.id]) <= 2 for a in corpus.articles)  # short: a short map's
    for pair in corpus.gold_links:
        assert len({corpus.events[p.split(":")[0]] for p in pair}) == 1


LONG = "a sentence with more than enough words in it"


def three_articles(last_x: str = LONG) -> tuple[list[PassageGroup], ev.DemoCorpus]:
    """x (3 passages) and y (2) tell event e1, z (1) event e2; x:1 is x:0's topic, a little
    closer to y:0 than to y:1; gold: x:0-y:0, x:1-y:0, x:2-y:1. `last_x`: the text of x:2."""
    e = np.eye(3, dtype=np.float32)
    x1 = (e[1] + 0.1 * e[0]) / np.linalg.norm(e[1] + 0.1 * e[0])
    groups = [
        PassageGroup("x", ["x:0", "x:1", "x:2"], np.stack([e[0], x1, e[2]]), [LONG, LONG, last_x]),
        PassageGroup("y", ["y:0", "y:1"], np.stack([e[0], e[2]]), [LONG, LONG]),
        PassageGroup("z", ["z:0"], e[:1], [LONG]),
    ]
    gold = {frozenset(p) for p in (("x:0", "y:0"), ("x:1", "y:0"), ("x:2", "y:1"))}
    demo = ev.DemoCorpus([], {}, {"x": "e1", "y": "e1", "z": "e2"}, gold,
                         {"x:0", "x:1", "x:2", "y:0", "y:1"})  # fmt: skip
    return groups, demo


def test_short_links_cut_both_or_one_article_of_every_pair() -> None:
    groups, demo = three_articles()
    short = ev.short_links(demo, groups, sizes=(1, 2))
    # per size: x-y, x-z, y-z, each with both cut, x cut and y cut
    assert short.settings == [(n, cut) for n in (1, 2) for _ in range(3)
                              for cut in ("both", "one", "one")]  # fmt: skip
    x0y0, x1y0, x2y1 = (frozenset(p) for p in (("x:0", "y:0"), ("x:1", "y:0"), ("x:2", "y:1")))
    assert short.gold[:3] == [{x0y0}, {x0y0}, {x0y0, x1y0}]  # y keeps y:0 only unless whole
    assert short.gold[9:12] == [{x0y0, x1y0}, {x0y0, x1y0}, {x0y0, x1y0, x2y1}]
    links = {k: [(c.a, c.b, int(label)) for (c, _), label, case in
                 zip(short.candidates, short.labels, short.cases, strict=True) if case == k]
             for k in range(len(short.settings))}  # fmt: skip
    assert links[0] == [("x:0", "y:0", 1)] and links[3] == [("x:0", "z:0", 0)]
    # x:1-y:0 is gold but no candidate: y:0's best match is x:0
    assert links[11] == [("x:0", "y:0", 1), ("x:2", "y:1", 1)]
    assert all(c.short for c, _ in short.candidates)  # every pair has a short article
    assert short.features.shape == (len(short.candidates), len(SHORT_FEATURES))
    assert {e for (c, _), e in zip(short.candidates, short.events, strict=True)
            if c.a == "x:0" and c.b == "z:0"} == {("e1", "e2")}  # fmt: skip


def test_short_map_is_fitted_measured_and_reported_beside_the_whole_article_map() -> None:
    groups, demo = three_articles()
    held = ev.LabelledLinks(demo, groups, [], np.zeros((0, len(FEATURES))), np.zeros(0, int),
                            short=ev.short_links(demo, groups, sizes=(1, 2)))  # fmt: skip
    assert ev.fit_short_map([dataclasses.replace(held, short=None)]) is None
    one_kind = dataclasses.replace(held.short, labels=np.zeros_like(held.short.labels))
    assert ev.fit_short_map([dataclasses.replace(held, short=one_kind)]) is None
    short_map = ev.fit_short_map([held])
    assert short_map is not None and short_map.features == SHORT_FEATURES
    confidences = np.where(held.short.labels == 1, 0.9, 0.1)  # a perfect short map
    whole = LinkCalibration.from_dict({
        "version": "t", "features": list(FEATURES), "C": 1.0, "mean": [0.0] * len(FEATURES),
        "scale": [1.0] * len(FEATURES), "coef": [0.0] * len(FEATURES), "intercept": -5.0,
    })  # fmt: skip
    whole.short_ = short_map  # set aside: the whole-article column is scored without it
    rows = ev.short_report(held, confidences, whole)
    got = [(r["cut"], r["passages"], r["gold"], r["short_map"]["predicted"],
            r["short_map"]["right"]) for r in rows]  # fmt: skip
    assert got == [("both", 1, 1, 1, 1), ("both", 2, 2, 1, 1), ("one", 1, 3, 2, 2),
                   ("one", 2, 5, 3, 3)]  # fmt: skip
    assert all(r["whole_article_map"]["predicted"] == 0 for r in rows)
    assert rows[3]["short_map"]["recall"] == 0.6 and rows[3]["short_map"]["precision"] == 1.0
    table = ev._short_markdown(rows, {"ece": 0.0}, 0.5)
    assert table[-1] == ("| one, beside the other whole | 2 | 5 | 0.000 / 0.000 (0 links) | "
                         "1.000 / 0.600 (3 links) |")  # fmt: skip
    # held out by event: e2 has no gold and e1 all of it, so each fold still sees both kinds
    assert ev.held_out_short([held]).shape == held.short.labels.shape


def test_rank_classes_count_every_pair_and_the_gold_among_them() -> None:
    groups, demo = three_articles()
    held = ev.LabelledLinks(demo, groups, [], np.zeros((0, len(FEATURES))), np.zeros(0, int))
    classes = ev.rank_classes(held)
    assert list(classes) == list(ev.RANK_CLASSES)
    same = {name: (row["same_event"], row["same_event_gold"]) for name, row in classes.items()}
    # x:0-y:0 and x:2-y:1 mutual; x:1-y:0 is x:1's best but y:0's second; x:0-y:1 second both ways
    assert same == {"0/0": (2, 2), "0/1": (1, 1), "1/1": (1, 0), "0/2+": (0, 0), "1/2+": (2, 0),
                    "2+/2+": (0, 0)}  # fmt: skip
    other = {name: row["different_events"] for name, row in classes.items()}
    assert other == {"0/0": 2, "0/1": 2, "1/1": 0, "0/2+": 1, "1/2+": 0, "2+/2+": 0}
    assert sum(row["different_events_gold"] for row in classes.values()) == 0
    assert "| 0/1 | 1 | 1 | 1.000 | 2 | 0 |" in ev._rank_classes_markdown(classes)


def test_diagnose_links_names_the_cause_of_each_miss_and_error() -> None:
    """Three gold links, each missed for another reason; two wrong links accepted."""
    groups, demo = three_articles(last_x="By AP")
    candidates = [(Alignment(a, b, 0.9, 1.1), None) for a, b in
                  (("x:0", "y:0"), ("x:0", "z:0"), ("x:1", "y:1"))]  # fmt: skip
    errors = ev.diagnose_links(demo, candidates, np.array([0.3, 0.9, 0.8]), groups)
    assert errors == {
        "missed": {
            "candidate below threshold (mutual)": 1,
            "not a candidate, margin ranks 0/1": 1,
            "passage under min_words": 1,
        },
        "wrong": {"between events": 1, "same event, both passages in gold": 1},
    }


def test_score_links_splits_links_within_and_across_events() -> None:
    from types import SimpleNamespace

    articles = [SimpleNamespace(id=name, language="en") for name in ("x1", "x2", "y1")]
    events = {"x1": "x", "x2": "x", "y1": "y"}
    gold = {frozenset(("x1:0", "x2:0")), frozenset(("x1:1", "y1:0")), frozenset(("x2:1", "y1:1"))}
    demo = ev.DemoCorpus(articles, {}, events, gold, set())  # type: ignore[arg-type]
    groups = [PassageGroup(a, [f"{a}:0", f"{a}:1"], np.eye(2, 4, dtype=np.float32))
              for a in ("x1", "x2", "y1")]  # fmt: skip
    candidates = [(Alignment("x1:0", "x2:0", 0.9, 1.2), None),  # right, same event
                  (Alignment("x1:1", "x2:1", 0.9, 1.2), None),  # wrong, same event
                  (Alignment("x1:1", "y1:0", 0.9, 1.2), None),  # right, across events
                  (Alignment("x2:0", "y1:1", 0.9, 1.2), None)]  # below threshold  # fmt: skip
    report = ev.score_links(demo, candidates, np.array([0.9, 0.8, 0.7, 0.1]), groups)
    same, across = report["by_event"]["same event"], report["by_event"]["different events"]
    assert (same["predicted"], same["right"], same["gold"]) == (2, 1, 1)
    assert (across["predicted"], across["right"], across["gold"]) == (1, 1, 2)
    assert "near_misses" not in report
    # the wrong same-event link is a written near miss, the one below threshold too
    demo.near_misses = {frozenset(("x1:1", "x2:1")), frozenset(("x2:0", "y1:1"))}
    report = ev.score_links(demo, candidates, np.array([0.9, 0.8, 0.7, 0.1]), groups)
    assert report["near_misses"] == {"near_misses": 2, "linked": 1}


def test_links_by_confidence_trade_recall_for_precision() -> None:
    from types import SimpleNamespace

    articles = [SimpleNamespace(id=name, language="en") for name in ("x1", "x2")]
    gold = {frozenset(("x1:0", "x2:0")), frozenset(("x1:1", "x2:1"))}
    demo = ev.DemoCorpus(articles, {}, {"x1": "x", "x2": "x"}, gold, set())  # type: ignore[arg-type]
    groups = [PassageGroup(a, [f"{a}:0", f"{a}:1", f"{a}:2"], np.eye(3, 4, dtype=np.float32))
              for a in ("x1", "x2")]  # fmt: skip
    candidates = [(Alignment("x1:0", "x2:0", 0.9, 1.2), None),  # right
                  (Alignment("x1:2", "x2:2", 0.9, 1.2), None),  # wrong
                  (Alignment("x1:1", "x2:1", 0.9, 1.2), None)]  # right  # fmt: skip
    rows = ev.links_by_confidence(demo, candidates, np.array([0.95, 0.6, 0.3]), groups,
                                  thresholds=(0.2, 0.5, 0.9))  # fmt: skip
    got = [(r["min_confidence"], r["predicted"], r["right"], r["recall"]) for r in rows]
    assert got == [(0.2, 3, 2, 1.0), (0.5, 2, 1, 0.5), (0.9, 1, 1, 0.5)]
    table = ev._by_confidence_markdown(rows)
    assert table[2] == "| min confidence | 0.2 | 0.5 | 0.9 |"
    assert table[4] == "| precision | 0.667 | 0.500 | 1.000 |"


def test_near_miss_separation_ranks_gold_links_above_near_misses() -> None:
    from types import SimpleNamespace

    vectors = np.array([[1, 0], [1, 0.1], [0.6, 0.8], [0.8, 0.6]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    groups = [PassageGroup("x", ["x:0", "x:1"], vectors[:2]),
              PassageGroup("y", ["y:0", "y:1"], vectors[2:])]  # fmt: skip
    gold = {frozenset(("x:0", "x:1"))}  # cosine 0.995
    near = {frozenset(("x:0", "y:0")), frozenset(("x:1", "y:1"))}  # 0.6 and about 0.85
    corpus = ev.DemoCorpus([], {}, {}, gold, set(), near)
    held = SimpleNamespace(corpus=corpus, groups=groups)
    separation = ev.near_miss_separation(held)  # type: ignore[arg-type]
    assert separation["auc"] == 1.0
    assert (separation["gold_links"], separation["near_misses"]) == (1, 2)
    assert separation["median_gold"] > 0.99 > separation["median_near_miss"] > 0.7
    # a near miss closer than the gold link halves the AUC
    corpus.near_misses = {frozenset(("x:0", "y:0")), frozenset(("x:0", "x:1"))}
    corpus.gold_links = {frozenset(("x:1", "y:1"))}
    assert ev.near_miss_separation(held)["auc"] == 0.5  # type: ignore[arg-type]


def test_encoder_comparison_rows_equal_the_evaluation(tmp_path, fake_encoder) -> None:
    """`compare_encoders` (another encoder) and `held_out_links` (the evaluated one) give the
    same figures for the same encoder, so the comparison table mixes like with like."""
    report = ev.evaluate_alignment(tmp_path, DEMO_DIR, fake_encoder, extra_sets={})
    row = ev.held_out_links(report)
    assert set(row) == {"encoder", "calibration", "demo"}
    assert ev.compare_encoders(DEMO_DIR, {"fake": fake_encoder}, extra_sets={}) == {"fake": row}
    assert "| fake (`" in ev.to_markdown({**report, "encoders": {"fake": row}}, "cmd")


def test_article_separation_ranks_article_pairs_of_one_event_above_the_others() -> None:
    from types import SimpleNamespace

    from models.alignment import article_cosine

    def article(name: str, direction: list[float]) -> PassageGroup:
        base = np.array(direction, dtype=np.float32)
        rows = np.stack([base + 0.1 * np.eye(4, dtype=np.float32)[i] for i in range(2)])
        return PassageGroup(name, [f"{name}:0", f"{name}:1"], rows)

    groups = [article("x1", [1, 0, 0, 0]), article("x2", [1, 0.2, 0, 0]),
              article("y1", [0, 0, 1, 0]), article("y2", [0, 0, 1, 0.3])]  # fmt: skip
    events = {"x1": "x", "x2": "x", "y1": "y", "y2": "y"}
    held = SimpleNamespace(groups=groups, corpus=SimpleNamespace(events=events))
    report = ev.article_separation(held)  # type: ignore[arg-type]
    assert report is not None
    assert (report["pairs"], report["same_event_pairs"], report["auc"]) == (6, 2, 1.0)
    assert report["mean_same_event"] > report["mean_different_events"]
    one_event = SimpleNamespace(
        groups=groups, corpus=SimpleNamespace(events=dict.fromkeys(events, "x"))
    )
    assert ev.article_separation(one_event) is None  # type: ignore[arg-type]
    assert article_cosine(groups[0].embeddings, groups[0].embeddings) == pytest.approx(1.0)
    assert article_cosine(np.zeros((2, 4)), groups[0].embeddings) == 0.0
