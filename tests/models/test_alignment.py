from __future__ import annotations

import math

import numpy as np
import pytest

from models.alignment import (
    Alignment,
    AlignmentResult,
    PassageGroup,
    accept_links,
    align_passages,
    count_words,
    fill_gaps,
    find_candidates,
    group_facts,
    is_translation,
    margin_scores,
    monotone_path,
    near_links,
    order_coverage,
    other_voices,
    path_links,
    score_candidates,
    transitive_support,
    voiced_actors,
)
from models.calibration import FEATURES, TRANSLATION_FEATURES, LinkCalibration


def margin_calibration(midpoint: float = 1.05, slope: float = 40.0) -> LinkCalibration:
    """Confidence 0.5 at `midpoint` margin, independent of similarity (for the fake encoder)."""
    return LinkCalibration.from_dict({
        "version": "test", "features": list(FEATURES),
        "C": 1.0, "mean": [0.0] * len(FEATURES), "scale": [1.0] * len(FEATURES),
        "coef": [slope * (name == "margin") for name in FEATURES], "intercept": -slope * midpoint,
    })  # fmt: skip


def group(encoder, article_id: str, texts: list[str]) -> PassageGroup:
    ids = [f"{article_id}:{i}" for i in range(len(texts))]
    return PassageGroup(article_id, ids, encoder.encode(texts), texts)


ARTICLE_A = [
    "The passenger airliner crashed near the city of Aktau on Wednesday morning.",
    "Investigators from three countries opened an inquiry into the cause of the crash.",
    "The airline suspended its flights to the Russian city of Grozny until further notice.",
]
ARTICLE_B = [
    "The airline suspended all its flights to the Russian city of Grozny for now.",
    "The passenger airliner crashed near Aktau city on a Wednesday morning.",
    "Investigators from three countries opened an inquiry into what caused the crash.",
]


def pairs(result) -> set[tuple[str, str]]:
    return {(al.a, al.b) for al in result.alignments}


def test_mutual_best_matches_link_each_fact_once(fake_encoder) -> None:
    result = align_passages(
        [group(fake_encoder, "a", ARTICLE_A), group(fake_encoder, "b", ARTICLE_B)],
        margin_calibration(),
    )
    assert pairs(result) == {("a:0", "b:1"), ("a:1", "b:2"), ("a:2", "b:0")}
    assert all(al.kind == "mutual" and 0.5 <= al.confidence <= 1 for al in result.alignments)
    assert all(al.margin > 1 and -1 <= al.similarity <= 1 for al in result.alignments)


def test_links_refused_for_confidence_are_kept_apart_from_a_floor() -> None:
    candidates = [(Alignment("a:0", "b:0", 0.9, 1.2), None),
                  (Alignment("a:1", "b:1", 0.8, 1.1), None),
                  (Alignment("a:2", "b:1", 0.8, 1.1, kind="span"), ("a:1", "b:1")),
                  (Alignment("a:3", "b:2", 0.7, 1.0), None),
                  (Alignment("a:4", "b:3", 0.7, 1.0), None)]  # fmt: skip
    confidences = np.array([0.9, 0.3, 0.7, 0.1, 0.01])
    accepted = accept_links(candidates, confidences, 0.5)
    near = near_links(candidates, confidences, accepted, floor=0.05)
    # the span passes the threshold but its anchor does not: it is near, not accepted
    assert [(al.a, al.b, al.confidence) for al in near] == [
        ("a:2", "b:1", 0.7),
        ("a:1", "b:1", 0.3),
        ("a:3", "b:2", 0.1),
    ]
    assert [(al.a, al.b) for al in accepted] == [("a:0", "b:0")]


def test_alignment_result_carries_the_near_links(fake_encoder) -> None:
    groups = [group(fake_encoder, "a", ARTICLE_A), group(fake_encoder, "b", ARTICLE_B)]
    strict = align_passages(groups, margin_calibration(), threshold=1.0)
    assert strict.alignments == []
    assert {(al.a, al.b) for al in strict.near} == {("a:0", "b:1"), ("a:1", "b:2"), ("a:2", "b:0")}
    assert all(0.05 <= al.confidence < 1.0 for al in strict.near)
    assert align_passages(groups, margin_calibration()).near == []


def test_never_links_passages_of_one_article(fake_encoder) -> None:
    twice = [*ARTICLE_A, ARTICLE_A[0]]  # the same sentence twice in one article
    result = align_passages(
        [group(fake_encoder, "a", twice), group(fake_encoder, "b", ARTICLE_B)],
        margin_calibration(),
    )
    assert all(al.a.split(":")[0] != al.b.split(":")[0] for al in result.alignments)


def test_fact_split_over_two_sentences_gets_a_one_to_many_link(fake_encoder) -> None:
    a = [
        "Of the 67 people on board the plane, 38 were killed and 29 survived the crash.",
        "The airline suspended its flights to the Russian city of Grozny until further notice.",
    ]
    b = ["The airline suspended its flights to Grozny in Russia until further notice.",
         "Of the 67 people on board the plane, 38 were killed.",
         "29 survived the crash."]  # fmt: skip
    result = align_passages(
        [group(fake_encoder, "a", a), group(fake_encoder, "b", b)], margin_calibration()
    )
    kinds = {(al.a, al.b): al.kind for al in result.alignments}
    assert kinds == {("a:0", "b:1"): "mutual", ("a:0", "b:2"): "span", ("a:1", "b:0"): "mutual"}
    assert [f.passages for f in result.facts] == [("a:0", "b:1", "b:2"), ("a:1", "b:0")]


@pytest.mark.parametrize(
    ("text", "language", "actors"),
    [
        ("Russian President Vladimir Putin said the incident took place in Russian airspace.",
         "en", {"Russia"}),
        ("Президент Азербайджана Ильхам Алиев заявил, что самолёт был поражён с земли.",
         "ru", {"Azerbaijan"}),
        ("«Удари завдаються по об'єктах енергетики», — заявив речник Кремля.", "uk", {"Russia"}),
        ("Bakıda fəaliyyət göstərən enerji eksperti bildirib ki, zərbələr regiona da təsir edir.",
         "az", {"Azerbaijan"}),
        ("Several aviation analysts said the damage pointed to a missile.", "en", set()),
        ("Several analysts said Russia would answer the closure in kind.", "en", set()),
        ("The plane was damaged by fire from the ground over Russia.", "en", set()),
    ],
)  # fmt: skip
def test_voiced_actors_are_the_states_of_the_speaker(text, language, actors) -> None:
    assert voiced_actors(text, language) == frozenset(actors)


def test_other_voices_needs_two_known_speakers_of_no_shared_state() -> None:
    russia, azerbaijan = frozenset({"Russia"}), frozenset({"Azerbaijan"})
    assert other_voices(russia, azerbaijan)
    assert not other_voices(russia, russia | azerbaijan)
    assert not other_voices(russia, frozenset()) and not other_voices(frozenset(), frozenset())


def test_statements_of_speakers_of_different_states_are_not_one_fact(fake_encoder) -> None:
    a = [
        *ARTICLE_A,
        "Putin said the tragic incident took place in Russian airspace and apologised.",
    ]
    b = [
        *ARTICLE_B,
        "Aliyev said the tragic incident took place in Russian airspace and wants an apology.",
    ]
    same = [
        *ARTICLE_B,
        "The Kremlin said the tragic incident took place in Russian airspace, and apologised.",
    ]
    groups = [group(fake_encoder, "a", a), group(fake_encoder, "b", b)]
    untexted = [PassageGroup(g.article_id, g.ids, g.embeddings) for g in groups]
    assert ("a:3", "b:3") in pairs(align_passages(untexted, margin_calibration()))

    assert pairs(align_passages(groups, margin_calibration())) == {
        ("a:0", "b:1"), ("a:1", "b:2"), ("a:2", "b:0")}  # fmt: skip
    one_state = [groups[0], group(fake_encoder, "b", same)]
    assert ("a:3", "b:3") in pairs(align_passages(one_state, margin_calibration()))


def test_boilerplate_passages_are_not_aligned(fake_encoder) -> None:
    a, b = ["By:", "27 July 2025", *ARTICLE_A], ["By:", "27 July 2025", *ARTICLE_B]
    result = align_passages(
        [group(fake_encoder, "a", a), group(fake_encoder, "b", b)], margin_calibration()
    )
    linked = {pid for al in result.alignments for pid in (al.a, al.b)}
    assert linked.isdisjoint({"a:0", "a:1", "b:0", "b:1"})
    assert len(result.alignments) == 3
    assert count_words("27 July 2025") == 1 and count_words("Twenty-nine people survived") == 3


def test_a_fact_reported_by_three_articles_is_one_group(fake_encoder) -> None:
    c = ["Investigators from three countries opened an inquiry into the crash cause.",
         "The airliner crashed near Aktau on Wednesday morning, the passengers said."]  # fmt: skip
    groups = [group(fake_encoder, n, t) for n, t in (("a", ARTICLE_A), ("b", ARTICLE_B), ("c", c))]
    result = align_passages(groups, margin_calibration())
    facts = {f.passages: f.articles for f in result.facts}
    assert facts[("a:0", "b:1", "c:1")] == ("a", "b", "c")
    assert facts[("a:1", "b:2", "c:0")] == ("a", "b", "c")
    assert facts[("a:2", "b:0")] == ("a", "b")


def test_group_facts_refuses_to_chain_two_facts_of_one_article() -> None:
    groups = [PassageGroup(n, [f"{n}:{i}" for i in range(3)], np.zeros((3, 2), np.float32))
              for n in ("a", "b")]  # fmt: skip
    links = [Alignment("a:0", "b:0", 0.9, 1.1, 0.9), Alignment("a:2", "b:0", 0.8, 1.05, 0.6),
             Alignment("a:1", "b:1", 0.9, 1.1, 0.8)]  # fmt: skip
    facts = group_facts(links, groups)
    assert [f.passages for f in facts] == [("a:0", "b:0"), ("a:1", "b:1")]
    assert facts[0].confidence == pytest.approx(0.9)


def test_unrelated_articles_get_no_confident_links(fake_encoder) -> None:
    other = ["Parliament approved the new budget after a long debate on Tuesday evening.",
             "Heavy snow closed mountain roads in the north of the country.",
             "The football club signed a young striker from a Brazilian team."]  # fmt: skip
    result = align_passages(
        [group(fake_encoder, "a", ARTICLE_A), group(fake_encoder, "x", other)],
        margin_calibration(midpoint=1.15),
    )
    assert result.alignments == [] and result.facts == [] and result.candidates > 0


def test_duplicate_article_ids_are_rejected(fake_encoder) -> None:
    with pytest.raises(ValueError, match="appears twice"):
        align_passages([group(fake_encoder, "a", ARTICLE_A)] * 2, margin_calibration())


def test_margin_scores_match_definition() -> None:
    sims = np.array([[0.9, 0.5], [0.4, 0.8]], dtype=np.float32)
    margins = margin_scores(sims, k=2)
    assert margins[0, 0] == pytest.approx(0.9 / ((0.7 + 0.65) / 2))
    assert not math.isnan(float(margins.sum()))


def test_links_carry_anchor_features_from_their_texts(fake_encoder) -> None:
    a = [
        "Of the 67 people on board the plane near Aktau, 38 were killed.",
        "The airline suspended its flights to the Russian city of Grozny until further notice.",
    ]
    b = ["The airline suspended all its flights to Grozny in Russia for now.",
         "Of the 67 people on board the plane near Aktau, 29 survived."]  # fmt: skip
    result = align_passages(
        [group(fake_encoder, "a", a), group(fake_encoder, "b", b)], margin_calibration()
    )
    links = {(al.a, al.b): al for al in result.alignments}
    # '#67' and '@akt' shared; 38 vs 29 differ but 67 agrees
    assert links[("a:0", "b:1")].anchor_overlap == 2.0
    assert links[("a:0", "b:1")].number_agreement == 1.0
    # Grozny and Russian/Russia ('@krzn', '@rs'): the first word never counts as a name
    assert links[("a:1", "b:0")].anchor_overlap == 2.0
    assert links[("a:1", "b:0")].features()[4:6] == [2.0, 1.0]


def test_transitive_support_is_the_best_path_through_a_third_article() -> None:
    owner = {"a:0": "a", "b:0": "b", "c:0": "c", "c:1": "c", "a:1": "a"}
    links = [Alignment("a:0", "b:0", 0.9, 1.1), Alignment("a:0", "c:0", 0.9, 1.1),
             Alignment("b:0", "c:0", 0.9, 1.1), Alignment("a:0", "c:1", 0.9, 1.1),
             Alignment("b:0", "c:1", 0.9, 1.1), Alignment("a:1", "b:0", 0.9, 1.1)]  # fmt: skip
    confidences = np.array([0.2, 0.9, 0.6, 0.3, 0.95, 0.4])
    support = transitive_support(links, confidences, owner)
    # a:0-b:0 via c:0: min(0.9, 0.6) = 0.6; via c:1: min(0.3, 0.95) = 0.3 -> 0.6
    assert support[0] == pytest.approx(0.6)
    # a:0-c:0 via b:0: min(0.2, 0.6) = 0.2; a:1-b:0 has no path (a:1 has no other link)
    assert support[1] == pytest.approx(0.2) and support[5] == 0.0


def test_support_stage_applies_only_with_three_articles(fake_encoder) -> None:
    base = margin_calibration(midpoint=1.1)
    calibration = margin_calibration(midpoint=1.1)
    support = LinkCalibration.from_dict({
        "version": "test", "features": [*FEATURES, "support"], "C": 1.0,
        "mean": [0.0] * (len(FEATURES) + 1), "scale": [1.0] * (len(FEATURES) + 1),
        "coef": [0.0] * len(FEATURES) + [20.0], "intercept": -2.0,
    })  # fmt: skip
    calibration.support_ = support
    two = [group(fake_encoder, "a", ARTICLE_A), group(fake_encoder, "b", ARTICLE_B)]
    links = [c for c, _ in find_candidates(two)]
    assert np.allclose(
        score_candidates(links, calibration, two), score_candidates(links, base, two)
    )
    c = ["Investigators from three countries opened an inquiry into the crash cause."]
    three = [*two, group(fake_encoder, "c", c)]
    links = [c for c, _ in find_candidates(three)]
    scores = score_candidates(links, calibration, three)
    first = base.predict_proba(np.array([link.features() for link in links]))
    owner = {pid: g.article_id for g in three for pid in g.ids}
    second = 1 / (1 + np.exp(-(20 * transitive_support(links, first, owner) - 2)))
    assert np.allclose(scores, np.maximum(first, second))
    # the inquiry sentence is in all three articles: raised by support; the others keep theirs
    by_pair = dict(zip(((al.a, al.b) for al in links), scores - first, strict=True))
    assert by_pair[("a:1", "b:2")] > 0 and by_pair[("a:0", "b:1")] == 0


def test_links_in_the_same_order_on_both_sides_support_each_other(fake_encoder) -> None:
    """A translation runs in the source's order: every link has mutual neighbours on the diagonal
    and the article pair is parallel; shuffled facts give neither."""
    facts = [*ARTICLE_A, "Rescue teams pulled 29 survivors from the wreckage near the shore.",
             "The airport will reopen on Friday after engineers inspect the runway."]  # fmt: skip
    rewritten = [*ARTICLE_B[1:], ARTICLE_B[0],
                 "Rescuers pulled 29 survivors out of the wreckage by the shore.",
                 "The airport is to reopen on Friday once the runway is inspected."]  # fmt: skip
    in_order = [rewritten[0], rewritten[1], rewritten[2], rewritten[3], rewritten[4]]
    links = {(c.a, c.b): c for c, _ in find_candidates(
        [group(fake_encoder, "a", facts), group(fake_encoder, "b", in_order)])}  # fmt: skip
    assert {key: link.diagonal for key, link in links.items()} == {
        ("a:0", "b:0"): 1.0, ("a:1", "b:1"): 2.0, ("a:2", "b:2"): 2.0, ("a:3", "b:3"): 2.0,
        ("a:4", "b:4"): 1.0,
    }  # fmt: skip
    assert all(link.parallel == 1.0 for link in links.values())
    shuffled = [rewritten[2], rewritten[0], rewritten[3], rewritten[1], rewritten[4]]
    links = {(c.a, c.b): c for c, _ in find_candidates(
        [group(fake_encoder, "a", facts), group(fake_encoder, "b", shuffled)])}  # fmt: skip
    assert set(links) == {("a:0", "b:1"), ("a:1", "b:3"), ("a:2", "b:0"), ("a:3", "b:2"),
                          ("a:4", "b:4")}  # fmt: skip
    assert all(link.diagonal == 0.0 and link.parallel == 0.0 for link in links.values())


def test_order_is_not_evidence_in_very_short_articles(fake_encoder) -> None:
    """Four passages in the same order on both sides: too few for order to mean anything."""
    facts = [*ARTICLE_A, "Rescue teams pulled 29 survivors from the wreckage near the shore."]
    in_order = [*ARTICLE_B[1:], ARTICLE_B[0],
                "Rescuers pulled 29 survivors out of the wreckage by the shore."]  # fmt: skip
    links = [c for c, _ in find_candidates(
        [group(fake_encoder, "a", facts), group(fake_encoder, "b", in_order)])]  # fmt: skip
    assert len(links) == 4
    assert all(link.diagonal == 0.0 and link.parallel == 0.0 for link in links)


ORIGINAL = [
    "The ferry from Baku to Aktau will sail twice a week from the first of March.",
    "The port authority said the new timetable follows a rise in freight traffic.",
    "Tickets for the crossing will cost about forty dollars for a passenger seat.",
    "Trucks will have to book their places on board at least three days ahead.",
    "The ferry company plans to add a third weekly sailing in the summer season.",
    "Passengers complained last year about long waits in the port of Alat.",
    "A new waiting hall for passengers is to open in Alat before the summer.",
    "The ministry of transport has not commented on the new timetable yet.",
]
TRANSLATION = [
    "From the first of March the ferry from Baku to Aktau will sail twice a week.",
    "The port authority said the new timetable follows the rise in freight traffic.",
    # ORIGINAL[2] is dropped; ORIGINAL[3] is split in two
    "Trucks will have to book their places on board.",
    "They must do so at least three days ahead.",
    "The ferry company plans to add a third weekly sailing in the summer season.",
    "Our correspondent in Tbilisi reports that the railway strike is over at last.",
    "Passengers complained last year about very long waits in the port of Alat.",
    "A new waiting hall for the passengers is to open in Alat before the summer.",
    "The ministry of transport has not yet commented on the new timetable.",
]


def path_calibration(midpoint: float = 1.05, slope: float = 40.0) -> LinkCalibration:
    """`margin_calibration` with a translation map of the same shape."""
    calibration = margin_calibration(midpoint, slope)
    calibration.translation_ = LinkCalibration.from_dict({
        "version": "test", "features": list(TRANSLATION_FEATURES), "C": 1.0,
        "mean": [0.0] * len(TRANSLATION_FEATURES), "scale": [1.0] * len(TRANSLATION_FEATURES),
        "coef": [slope * (name == "margin") for name in TRANSLATION_FEATURES],
        "intercept": -slope * midpoint,
    })  # fmt: skip
    return calibration


def test_monotone_path_keeps_order_skips_and_merges() -> None:
    one = np.full((4, 4), -0.5)
    one[0, 0] = one[2, 1] = one[3, 3] = one[1, 2] = 0.4
    # (1, 2) would cross (2, 1): the path keeps the order and takes the better of the two
    one[2, 1] = 0.6
    assert monotone_path(one) == [((0,), (0,)), ((2,), (1,)), ((3,), (3,))]
    assert monotone_path(np.full((3, 3), -0.1)) == []  # nothing stands out: all skipped
    merge_a = np.full((3, 4), -np.inf)
    merge_a[1, 1] = 1.5  # rows 1 and 2 together render column 1
    assert monotone_path(one, merge_a) == [((0,), (0,)), ((1, 2), (1,)), ((3,), (3,))]
    merge_b = np.full((4, 3), -np.inf)
    merge_b[3, 2] = 0.9  # row 3 is split over columns 2 and 3
    assert monotone_path(one, None, merge_b)[-1] == ((3,), (2, 3))


def test_order_coverage_is_the_longest_in_order_chain() -> None:
    assert order_coverage({0: 0, 1: 1, 2: 2, 3: 3}, 4, 5) == 1.0
    assert order_coverage({0: 2, 1: 0, 2: 1, 3: 3}, 4, 4) == 0.75  # 1-0, 2-1, 3-3; 0-2 crosses
    assert order_coverage({}, 4, 4) == 0.0
    assert is_translation(0.9, 6, 7) and not is_translation(0.8, 6, 7)
    assert not is_translation(1.0, 3, 3)  # too short to tell order from chance


def test_a_translation_is_aligned_along_its_monotone_path(fake_encoder) -> None:
    groups = [group(fake_encoder, "src", ORIGINAL), group(fake_encoder, "tr", TRANSLATION)]
    result = align_passages(groups, path_calibration())
    assert {al.kind for al in result.alignments} == {"translation"}
    assert pairs(result) == {("src:0", "tr:0"), ("src:1", "tr:1"), ("src:3", "tr:2"),
                             ("src:3", "tr:3"), ("src:4", "tr:4"), ("src:5", "tr:6"),
                             ("src:6", "tr:7"), ("src:7", "tr:8")}  # fmt: skip
    split = [al for al in result.alignments if al.a == "src:3"]
    assert split[0].margin == split[1].margin  # one unit: the two halves merged
    assert all(al.coverage >= 0.85 and al.mutual_best for al in result.alignments
               if al.a != "src:3")  # fmt: skip
    facts = [f.passages for f in result.facts]
    assert ("src:3", "tr:2", "tr:3") in facts and len(facts) == 7
    # what the republisher dropped and what it added
    [translated] = result.translations
    assert (translated.a, translated.b, translated.links) == ("src", "tr", 8)
    assert translated.only_a == ("src:2",) and translated.only_b == ("tr:5",)


def test_translation_links_use_the_translation_map(fake_encoder) -> None:
    groups = [group(fake_encoder, "src", ORIGINAL), group(fake_encoder, "tr", TRANSLATION)]
    links = [c for c, _ in find_candidates(groups)]
    strict = path_calibration()
    strict.translation_ = path_calibration(midpoint=5.0).translation_  # rejects everything
    assert (score_candidates(links, strict, groups) < 0.01).all()
    without = margin_calibration(midpoint=5.0)  # no translation map: the first stage decides
    assert np.allclose(
        score_candidates(links, without, groups),
        without.predict_proba(np.array([link.features() for link in links])),
    )


def test_path_links_give_every_pair_its_monotone_path(fake_encoder) -> None:
    """The translation map's training data: paths through pairs that are not translations too."""
    groups = [group(fake_encoder, "a", ARTICLE_A), group(fake_encoder, "b", ARTICLE_B)]
    links = path_links(groups)
    assert {(al.a, al.b) for al in links} == {("a:0", "b:1"), ("a:1", "b:2")}  # b:0 is out of order
    assert all(al.kind == "translation" and al.coverage == pytest.approx(2 / 3) for al in links)
    assert {al.kind for al, _ in find_candidates(groups)} == {"mutual"}  # too short to be a path


def test_result_json_lists_translations_with_what_only_one_side_has(fake_encoder) -> None:
    from corpus.schema import Article
    from models.pipeline import compare, result_to_dict

    articles = [Article(id=name, text="\n\n".join(texts), outlet=name)
                for name, texts in (("src", ORIGINAL), ("tr", TRANSLATION))]  # fmt: skip
    document = result_to_dict(compare(articles, fake_encoder, calibration=path_calibration()))
    assert document["translations"] == [
        {"a": "src", "b": "tr", "coverage": 0.875, "links": 8, "only_a": ["src:2"],
         "only_b": ["tr:5"]}
    ]  # fmt: skip
    assert {al["kind"] for al in document["alignments"]} == {"translation"}


def test_fill_gaps_links_a_single_sentence_skipped_on_both_sides() -> None:
    path = [((0,), (0,)), ((2,), (2,)), ((3, 4), (3,)), ((6,), (6,)), ((8,), (9,))]
    # one row and one column between (0, 0) and (2, 2); elsewhere the gaps are uneven
    assert fill_gaps(path) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3, 4), (3,)),
                               ((6,), (6,)), ((8,), (9,))]  # fmt: skip
    assert fill_gaps([]) == []


def test_adjacency_of_kept_passages_skips_dropped_ones() -> None:
    from models.alignment import _follows, _next_to

    follows = _follows(np.array([0, 1, 3, 4]))  # passage 2 was too short to keep
    assert follows == [True, False, True, False]
    assert _next_to(1, 0, follows) and _next_to(0, 1, follows)
    assert not _next_to(2, 1, follows) and not _next_to(1, 2, follows)  # passages 1 and 3
    assert _next_to(3, 2, follows) and not _next_to(0, 2, follows)
    assert _follows(np.array([], dtype=int)) == [False]


def test_compare_tells_alignment_each_article_language(fake_encoder, monkeypatch) -> None:
    """The confidence map reads whether a pair crosses languages: compare must say so."""
    from corpus.schema import Article
    from models import pipeline

    seen = {}

    def align(groups, calibration, threshold):
        seen.update({g.article_id: g.language for g in groups})
        return AlignmentResult([], [], 0)

    monkeypatch.setattr(pipeline.alignment, "align_passages", align)
    articles = [Article(id="en1", text="\n\n".join(ARTICLE_A), language="en"),
                Article(id="ru1", text="\n\n".join(ARTICLE_B), language="ru")]  # fmt: skip
    pipeline.compare(articles, fake_encoder, frame=False)
    assert seen == {"en1": "en", "ru1": "ru"}


@pytest.mark.parametrize("threshold", [-0.01, 1.01, float("nan")])
def test_compare_refuses_a_confidence_threshold_outside_0_to_1(fake_encoder, threshold) -> None:
    from corpus.schema import Article
    from models import pipeline

    articles = [Article(id="en1", text="\n\n".join(ARTICLE_A), language="en"),
                Article(id="ru1", text="\n\n".join(ARTICLE_B), language="ru")]  # fmt: skip
    with pytest.raises(ValueError, match=r"confidence in \[0, 1\]"):
        pipeline.compare(articles, fake_encoder, frame=False, threshold=threshold)


def constant_calibration(intercept: float, features: tuple[str, ...] = FEATURES) -> LinkCalibration:
    """A map that gives every link the same confidence, sigmoid(`intercept`)."""
    return LinkCalibration.from_dict({
        "version": "test", "features": list(features), "C": 1.0,
        "mean": [0.0] * len(features), "scale": [1.0] * len(features),
        "coef": [0.0] * len(features), "intercept": intercept,
    })  # fmt: skip


def test_links_of_a_short_article_are_scored_by_the_short_map(fake_encoder) -> None:
    """A pair is short when its shorter article has fewer than SHORT_PASSAGES passages: its
    links take the short map's confidence, the others the first stage's."""
    from models.alignment import SHORT_PASSAGES
    from models.calibration import SHORT_FEATURES

    calibration = constant_calibration(-5.0)
    calibration.short_ = constant_calibration(5.0, SHORT_FEATURES)
    longer = ARTICLE_A + [f"Officials held their {n} briefing on the crash today." for n in
                          ("first", "second", "third")]  # fmt: skip
    assert len(ARTICLE_B) < SHORT_PASSAGES <= len(longer)
    for texts_a, texts_b, short in ((ARTICLE_A, ARTICLE_B, True), (longer, ARTICLE_B, True),
                                    (longer, longer[::-1], False)):  # fmt: skip
        groups = [group(fake_encoder, "a", texts_a), group(fake_encoder, "b", texts_b)]
        links = [link for link, _ in find_candidates(groups)]
        assert links and all(link.short is short for link in links)
        assert len(links[0].short_features()) == len(SHORT_FEATURES)
        expected = 1 / (1 + math.exp(-5.0 if short else 5.0))
        assert np.allclose(score_candidates(links, calibration, groups), expected)
    calibration.short_ = None  # a map without one scores short pairs with the first stage
    groups = [group(fake_encoder, "a", ARTICLE_A), group(fake_encoder, "b", ARTICLE_B)]
    links = [link for link, _ in find_candidates(groups)]
    assert np.allclose(score_candidates(links, calibration, groups), 1 / (1 + math.exp(5.0)))
