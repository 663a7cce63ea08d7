"""The team-written alignment republication set: free translations and edited republications."""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations
from typing import Any

from eval import alignment as ev

REPUBLICATION_DIR = ev.REPUBLICATION_DIR
# (original, translation) article ids. All five translations are free (restructured, with merged
# and split sentences); the three in EDITED also drop and add sentences of their own.
PAIRS = {
    ("ferry-schedule_azerbaijani", "ferry-schedule_ukrainian"),
    ("grain-shipment_ukrainian", "grain-shipment_azerbaijani"),
    ("museum-exhibition_azerbaijani", "museum-exhibition_russian"),
    ("road-contract_russian", "road-contract_azerbaijani"),
    ("water-tariff_western", "water-tariff_azerbaijani"),
}
# translation id -> (original sentences dropped, sentences added)
EDITED = {
    "ferry-schedule_ukrainian": (2, 1),
    "road-contract_azerbaijani": (3, 2),
    "water-tariff_azerbaijani": (3, 2),
}
# The one pair of adjacent original sentences whose order the ferry-schedule republication swaps:
# (original index, translation index) of the two links.
SWAPPED = {"ferry-schedule_azerbaijani": {frozenset({(12, 11), (13, 10)})}}


def _article(passage_id: str) -> str:
    return passage_id.split(":")[0]


def _index(passage_id: str) -> int:
    return int(passage_id.split(":")[1])


def _read() -> tuple[ev.DemoCorpus, list[dict[str, Any]]]:
    corpus = ev.read_demo(REPUBLICATION_DIR)  # raises unless every quote is in one passage
    gold = json.loads((REPUBLICATION_DIR / "gold.json").read_text(encoding="utf-8"))
    return corpus, gold["facts"]


def _fact_passages(corpus: ev.DemoCorpus, fact: dict[str, Any]) -> list[str]:
    ids = []
    for passage in fact["passages"]:
        article = passage["file"].removesuffix(".txt")
        found = [p.id for p in corpus.passages[article] if passage["quote"] == p.text]
        assert len(found) == 1, passage["quote"]  # the quote is one whole sentence
        ids.append(found[0])
    return ids


def _pair_links(corpus: ev.DemoCorpus, original: str, translation: str) -> set[tuple[int, int]]:
    """(original index, translation index) of the gold links between the two articles."""
    links = set()
    for link in corpus.gold_links:
        ends = {_article(p): _index(p) for p in link}
        if set(ends) == {original, translation}:
            links.add((ends[original], ends[translation]))
    return links


def test_republication_set_counts_and_language_pairs() -> None:
    corpus, facts = _read()
    assert len(corpus.articles) == 10
    language = {a.id: a.language for a in corpus.articles}
    sentences = Counter(language[a] for a, passages in corpus.passages.items() for _ in passages)
    assert sentences == {"az": 71, "uk": 28, "ru": 29, "en": 15}
    assert len(facts) == 60 and len(corpus.gold_links) == 70
    pairs = Counter("-".join(sorted(language[_article(p)] for p in link))
                    for link in corpus.gold_links)  # fmt: skip
    assert pairs == {"az-uk": 29, "az-ru": 28, "az-en": 13}
    assert all(len({corpus.events[_article(p)] for p in link}) == 1 for link in corpus.gold_links)
    assert all(fact["framing"] == "alike" for fact in facts)
    meta = json.loads((REPUBLICATION_DIR / "meta.json").read_text(encoding="utf-8"))
    assert all("(synthetic)" in m["outlet"] for m in meta["articles"])
    camps = {m["file"].removesuffix(".txt"): m["camp"] for m in meta["articles"]}
    assert set(camps) == {a for pair in PAIRS for a in pair}
    assert all(camps[a] != camps[b] for a, b in PAIRS)
    assert all(corpus.events[a] == corpus.events[b] for a, b in PAIRS)


def test_every_fact_is_one_translated_unit_within_one_event() -> None:
    corpus, facts = _read()
    originals = {original for original, _ in PAIRS}
    shapes: dict[str, Counter[tuple[int, int]]] = {t: Counter() for _, t in PAIRS}
    for fact in facts:
        ids = _fact_passages(corpus, fact)
        articles = {_article(p) for p in ids}
        assert len(articles) == 2 and {corpus.events[a] for a in articles} == {fact["event"]}
        translation = next(a for a in articles if a not in originals)
        n_original = sum(_article(p) != translation for p in ids)
        shape = (n_original, len(ids) - n_original)
        assert shape in {(1, 1), (2, 1), (1, 2)}, fact["id"]
        shapes[translation][shape] += 1
        if shape != (1, 1):  # merged or split sentences are adjacent
            side = sorted(_index(p) for p in ids if (_article(p) == translation) == (shape[1] == 2))
            assert side[1] - side[0] == 1, fact["id"]
    # every translation merges two original sentences once and splits one into two at least once
    assert all(shape[(2, 1)] >= 1 and shape[(1, 2)] >= 1 for shape in shapes.values())


def test_each_passage_is_in_at_most_one_fact() -> None:
    corpus, facts = _read()
    uses = Counter(p for fact in facts for p in _fact_passages(corpus, fact))
    assert uses and max(uses.values()) == 1
    assert set(uses) == corpus.gold_passages


def test_free_translations_keep_everything_and_edited_ones_drop_and_add() -> None:
    corpus, _ = _read()
    for original, translation in PAIRS:
        links = _pair_links(corpus, original, translation)
        dropped = len(corpus.passages[original]) - len({i for i, _ in links})
        added = len(corpus.passages[translation]) - len({j for _, j in links})
        assert 13 <= len(corpus.passages[original]) <= 16
        assert (dropped, added) == EDITED.get(translation, (0, 0)), translation


def test_links_are_monotone_except_the_swapped_pair() -> None:
    corpus, _ = _read()
    for original, translation in PAIRS:
        links = _pair_links(corpus, original, translation)
        crossing = {
            frozenset({a, b})
            for a, b in combinations(sorted(links), 2)
            if (a[0] - b[0]) * (a[1] - b[1]) < 0
        }
        assert crossing == SWAPPED.get(original, set()), original
