from __future__ import annotations

import numpy as np

from models.framing.aggregate import ScoredPair, matrices
from models.framing.coverage import coverage, fact_groups
from models.framing.events import alignment_distances, cluster_articles, name_events

ARTICLE_OF = {f"{a}:{i}": a for a in ("ru", "az", "uk", "en", "x") for i in range(3)}
EVENT_OF = {"ru": "e1", "az": "e1", "uk": "e1", "en": "e1", "x": "e2"}
CAMP_OF = {"ru": "russian", "az": "azerbaijani", "uk": "ukrainian", "en": "western", "x": "other"}


def test_fact_groups_are_components_within_an_event() -> None:
    pairs = [("ru:0", "az:0"), ("az:0", "uk:0"), ("uk:0", "en:0"),  # fact reported by all four
             ("ru:1", "az:1"), ("az:1", "en:1"),                    # three sources
             ("uk:2", "en:2"),                                      # two sources
             ("ru:2", "x:0")]  # fmt: skip  # across events: ignored
    groups = fact_groups(pairs, ARTICLE_OF, EVENT_OF)
    assert [(g.id, g.articles) for g in groups] == [
        ("e1/fact-1", ("az", "en", "ru", "uk")),
        ("e1/fact-2", ("az", "en", "ru")),
        ("e1/fact-3", ("en", "uk")),
    ]
    assert groups[1].alignments == (3, 4)


def test_coverage_ranks_omissions_by_centrality() -> None:
    pairs = [("ru:0", "az:0"), ("az:0", "uk:0"), ("uk:0", "en:0"),
             ("ru:1", "az:1"), ("az:1", "en:1"), ("uk:2", "en:2")]  # fmt: skip
    report = coverage(fact_groups(pairs, ARTICLE_OF, EVENT_OF), EVENT_OF, CAMP_OF)
    omissions = report["e1"]["omissions"]
    assert omissions["by_article"]["uk"] == [{"fact": "e1/fact-2", "centrality": 3}]
    assert omissions["by_camp"]["russian"] == [{"fact": "e1/fact-3", "centrality": 2}]
    assert omissions["by_article"]["en"] == []
    assert [f["centrality"] for f in report["e1"]["facts"]] == [4, 3, 2]
    assert report["e2"]["facts"] == []


def test_an_omission_names_the_most_confident_refused_link_to_its_fact() -> None:
    pairs = [("ru:0", "az:0"), ("az:0", "en:0"), ("ru:1", "az:1")]
    groups = fact_groups(pairs, ARTICLE_OF, EVENT_OF)
    near = [("uk:1", "az:0", 0.2), ("en:0", "uk:2", 0.35),  # uk may tell fact-1, best: uk:2
            ("x:0", "ru:1", 0.4),  # another event's passage is no hint
            ("en:1", "uk:0", 0.3)]  # fmt: skip  # joins no passage of fact-2
    report = coverage(groups, EVENT_OF, CAMP_OF, near, ARTICLE_OF)
    by_article = report["e1"]["omissions"]["by_article"]
    assert by_article["uk"] == [
        {"fact": "e1/fact-1", "centrality": 3, "nearest": {"passage": "uk:2", "confidence": 0.35}},
        {"fact": "e1/fact-2", "centrality": 2},
    ]
    assert by_article["en"] == [{"fact": "e1/fact-2", "centrality": 2}]
    assert report["e1"]["omissions"]["by_camp"]["ukrainian"][0]["nearest"]["passage"] == "uk:2"


def test_at_equal_centrality_omissions_without_a_candidate_come_first() -> None:
    pairs = [("ru:0", "az:0"), ("ru:1", "en:1"), ("az:2", "en:2")]  # three facts of two sources
    groups = fact_groups(pairs, ARTICLE_OF, EVENT_OF)
    assert [g.passages for g in groups] == [("az:0", "ru:0"), ("az:2", "en:2"), ("en:1", "ru:1")]
    near = [("uk:0", "ru:0", 0.3), ("uk:1", "az:2", 0.1)]  # uk may tell fact-1 and fact-2
    report = coverage(groups, EVENT_OF, CAMP_OF, near, ARTICLE_OF)
    listed = report["e1"]["omissions"]["by_article"]["uk"]
    assert [(r["fact"], "nearest" in r) for r in listed] == [
        ("e1/fact-3", False), ("e1/fact-1", True), ("e1/fact-2", True)]  # fmt: skip


def test_coverage_needs_the_articles_of_near_links() -> None:
    import pytest

    groups = fact_groups([("ru:0", "az:0")], ARTICLE_OF, EVENT_OF)
    with pytest.raises(ValueError, match="article_of"):
        coverage(groups, EVENT_OF, CAMP_OF, [("uk:0", "az:0", 0.2)])


def test_matrices_link_cells_to_their_pairs() -> None:
    pairs = [ScoredPair(0, "ru", "az", 0.9), ScoredPair(1, "ru", "az", 0.5),
             ScoredPair(2, "uk", "en", 0.2), ScoredPair(3, "ru", "x", 0.99)]  # fmt: skip
    outlet_of = {a: f"outlet-{a}" for a in EVENT_OF}
    result = matrices(pairs, EVENT_OF, outlet_of, CAMP_OF)
    cells = {(c["a"], c["b"]): c for c in result["corpus"]["camp"]["cells"]}
    assert cells[("azerbaijani", "russian")] == {"a": "azerbaijani", "b": "russian", "mean": 0.7,
                                                 "max": 0.9, "n": 2, "pairs": [0, 1]}  # fmt: skip
    assert cells[("ukrainian", "western")]["pairs"] == [2]
    assert ("other", "russian") not in cells  # pair 3 crosses events
    assert list(result["events"]) == ["e1"]


def test_clustering_recovers_planted_groups_and_alignment_distances() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 16))
    vectors = np.concatenate([c + 0.05 * rng.normal(size=(4, 16)) for c in centres])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = cluster_articles(1.0 - vectors @ vectors.T)
    assert len(set(labels)) == 3
    assert all(len(set(labels[i * 4 : i * 4 + 4])) == 1 for i in range(3))
    assert name_events(["a", "b"], np.array([7, 3])) == {"a": "event-1", "b": "event-2"}
    assert list(cluster_articles(np.zeros((2, 2)))) == [0, 0]
    distances = alignment_distances(["a", "b", "c"], [("a", "b"), ("a", "b"), ("b", "c")],
                                    {"a": 4, "b": 2, "c": 4})  # fmt: skip
    np.testing.assert_allclose(distances, [[0, 0, 1], [0, 0, 0.5], [1, 0.5, 0]])
