"""The team-written alignment translation set: articles and their translations."""

from __future__ import annotations

import json
from collections import Counter

from eval import alignment as ev

# (original, translation) article ids; the fourth pair, bank-licence ru->az, is partial.
FAITHFUL = {
    ("port-strike_western", "port-strike_russian"),
    ("border-queue_ukrainian", "border-queue_western"),
    ("student-exchange_azerbaijani", "student-exchange_ukrainian"),
}
PARTIAL = ("bank-licence_russian", "bank-licence_azerbaijani")


def _article(passage_id: str) -> str:
    return passage_id.split(":")[0]


def test_translation_set_gold_maps_to_passages_in_four_language_pairs() -> None:
    corpus = ev.read_demo(ev.TRANSLATION_DIR)  # raises unless every quote is in one passage
    assert len(corpus.articles) == 8
    gold = json.loads((ev.TRANSLATION_DIR / "gold.json").read_text(encoding="utf-8"))
    assert all(len(fact["passages"]) == 2 for fact in gold["facts"])
    assert len(corpus.gold_links) == len(gold["facts"]) == 54
    language = {a.id: a.language for a in corpus.articles}
    pairs = Counter("-".join(sorted(language[_article(p)] for p in link))
                    for link in corpus.gold_links)  # fmt: skip
    assert pairs == {"en-ru": 14, "az-ru": 12, "en-uk": 14, "az-uk": 14}
    assert all(len({corpus.events[_article(p)] for p in link}) == 1 for link in corpus.gold_links)
    meta = json.loads((ev.TRANSLATION_DIR / "meta.json").read_text(encoding="utf-8"))
    assert all("(synthetic)" in m["outlet"] for m in meta["articles"])
    camps = {m["file"].removesuffix(".txt"): m["camp"] for m in meta["articles"]}
    assert all(camps[a] != camps[b] for a, b in FAITHFUL | {PARTIAL})


def test_faithful_translations_link_every_sentence_one_to_one_in_order() -> None:
    corpus = ev.read_demo(ev.TRANSLATION_DIR)
    for original, translation in FAITHFUL:
        n = len(corpus.passages[original])
        assert len(corpus.passages[translation]) == n and 12 <= n <= 16
        expected = {frozenset((f"{original}:{i}", f"{translation}:{i}")) for i in range(n)}
        linked = {link for link in corpus.gold_links if _article(next(iter(link))) in
                  (original, translation)}  # fmt: skip
        assert linked == expected


def test_partial_republication_links_each_kept_sentence_once() -> None:
    corpus = ev.read_demo(ev.TRANSLATION_DIR)
    original, translation = PARTIAL
    linked = [link for link in corpus.gold_links if _article(next(iter(link))) in PARTIAL]
    ends = Counter(p for link in linked for p in link)
    assert all(count == 1 for count in ends.values())
    index = {p: int(p.split(":")[1]) for p in ends}
    kept = sorted(
        (index[a], index[b])
        for a, b in (sorted(link, key=lambda p: _article(p) != original) for link in linked)
    )
    assert [b for _, b in kept] == sorted(b for _, b in kept)  # kept in the same order
    dropped = len(corpus.passages[original]) - len(kept)
    added = len(corpus.passages[translation]) - len(kept)
    assert 2 <= dropped <= 3 and 1 <= added <= 2
