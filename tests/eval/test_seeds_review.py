from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import seeds_review
from eval.seeds_review import (
    against_readings,
    fingerprint,
    format_review,
    judge,
    read_reading,
    read_readings,
    read_verdicts,
    record_review,
    run_review,
)

ROW = {
    "a": "x:1", "b": "y:2", "evidence": 0.5, "score": 0.6, "confidence": 0.7,
    "components": {"commitment": 1.0}, "commitment": {"a": "hedged", "b": "asserted"},
    "voice": {"a": "outlet", "b": "outlet"}, "concepts_only": {"a": ["shootdown"], "b": []},
    "outlets": {"a": "Outlet A", "b": "Outlet B"},
    "terms": {"a": ["shot down", "likely"], "b": []},
    "texts": {"a": "word " * 100, "b": "The plane  crashed."},
}  # fmt: skip
LINK = {"a": "x:1", "b": "y:2", "confidence": 0.9, "outlets": {"a": "Outlet A", "b": "Outlet B"},
        "texts": {"a": "The plane  crashed.", "b": "It came down."},
        "fingerprints": {"a": "f1", "b": "f2"}}  # fmt: skip
REVIEW = {"method": {"divergence": "divergence.v3"}, "stance": "none", "min_confidence": 0.2,
          "evidence_min": 0.2, "candidates": 3, "below_min": 2, "pairs": [ROW],
          "links": [LINK], "rejected": [{**LINK, "b": "y:3", "confidence": 0.3}]}  # fmt: skip


def test_format_review_lists_counts_figures_shortened_texts_and_terms() -> None:
    lines = format_review(REVIEW, width=40).splitlines()
    assert lines[0] == ("1 pairs with evidence >= 0.2, the first 1 listed (3 candidate pairs, "
                        "2 below the bar; divergence.v3, stance: none)")  # fmt: skip
    assert lines[1].startswith(" 1. x:1 | y:2  evidence 0.500  score 0.600  confidence 0.70")
    assert lines[3] == "    A [Outlet A] " + "word " * 6 + "word..."
    assert lines[4] == "      terms: shot down, likely"
    assert lines[5] == "    B [Outlet B] The plane crashed."
    assert lines[6] == "      terms: -"
    assert lines[7] == "1 links accepted (confidence >= 0.5), the most confident first:"
    assert lines[8] == " 1. x:1 | y:2  confidence 0.90"
    assert lines[9] == "    A [Outlet A] The plane crashed."


def test_record_keeps_verdicts_and_never_the_articles_text(tmp_path: Path, monkeypatch) -> None:
    verdicts = tmp_path / "verdicts.jsonl"
    verdicts.write_text(json.dumps({"a": "x:1", "b": "y:2", "verdict": "real",
                                    "reason": "one side names the cause"}) + "\n")  # fmt: skip
    written = {}

    def fake_write(name, title, command, data, figures, markdown):
        written.update(name=name, figures=figures, markdown=markdown)
        return tmp_path / f"{name}.json"

    monkeypatch.setattr(seeds_review, "write_record", fake_write)
    monkeypatch.setattr(seeds_review, "rewrite_results_md", lambda: tmp_path / "RESULTS.md")
    link_verdicts = tmp_path / "links.jsonl"
    rows = [
        {"a": "x:1", "b": "y:2", "verdict": "same fact", "reason": "both report the crash"},
        {"a": "x:1", "b": "y:3", "verdict": "same fact", "reason": "the crash once more"},
    ]
    link_verdicts.write_text("".join(json.dumps(row) + "\n" for row in rows))
    record_review(REVIEW, verdicts, link_verdicts, readings_folder=tmp_path)  # no readings
    assert written["name"] == "seeds_review"
    assert "texts" not in written["figures"]["pairs"][0]
    assert "word word" not in json.dumps(written) and "crashed" not in json.dumps(written)
    assert written["figures"]["pairs"][0]["verdict"] == "real"
    assert written["markdown"].startswith("1 pairs reach evidence 0.2 out of 3 candidate pairs")
    assert "1 of the 1 listed are judged a real framing difference" in written["markdown"]
    assert ("Links that compare accepts (confidence >= 0.5): 1; 1 of them judged by a reader to "
            "join two sentences that report the same fact") in written["markdown"]  # fmt: skip
    assert (
        "The verdicts cover 2 pairs, 2 of them one fact; 1 of those are accepted."
        in (written["markdown"])
    )
    assert ("Of the 1 judged candidates that it drops (confidence from 0.2 up to 0.5), 1 report "
            "the same fact.") in written["markdown"]  # fmt: skip
    assert "| x:1 / y:2 | 0.900 | same fact | both report the crash |" in written["markdown"]
    assert written["figures"]["links"][0] == {"a": "x:1", "b": "y:2", "confidence": 0.9,
                                              "fingerprints": {"a": "f1", "b": "f2"},
                                              "verdict": "same fact",
                                              "reason": "both report the crash"}  # fmt: skip
    # more pairs reach the bar than are listed: the text says so
    record_review({**REVIEW, "below_min": 0}, verdicts, link_verdicts)
    assert written["markdown"].startswith("3 pairs reach evidence 0.2 out of 3 candidate pairs "
                                          "(links of confidence >= 0.2); the 1 most evident are "
                                          "listed; 1 of the 1 listed")  # fmt: skip
    assert "| x:1 / y:2 | 0.500 | 0.600 | shot down, likely / - | real |" in written["markdown"]
    # judged pairs below the bar are counted, in words that fit the count
    below = [{"a": "x:1", "b": "y:2", "evidence": 0.1}]
    record_review({**REVIEW, "pairs": [], "below": below}, verdicts, link_verdicts)
    assert "Of the 1 judged candidates below the bar, 1 is a real framing" in written["markdown"]


def test_a_verdict_on_passages_that_changed_is_stale_not_applied(tmp_path: Path) -> None:
    path = tmp_path / "verdicts.jsonl"
    prints = {"a": fingerprint("The plane crashed."), "b": fingerprint("It was shot down.")}
    path.write_text(json.dumps({"a": "x:1", "b": "y:2", "verdict": "real", "reason": "r",
                                "fingerprint": prints}) + "\n")  # fmt: skip
    verdicts = read_verdicts(path)
    assert judge(verdicts, {"a": "x:1", "b": "y:2", "fingerprints": prints})["verdict"] == "real"
    moved = {**prints, "a": fingerprint("A photo caption.")}
    assert judge(verdicts, {"a": "x:1", "b": "y:2", "fingerprints": moved})["verdict"] == "stale"
    assert (
        judge(verdicts, {"a": "x:1", "b": "y:3", "fingerprints": prints})["verdict"] == "unjudged"
    )
    assert fingerprint("The plane crashed.") != fingerprint("The plane crashed!")
    assert len(fingerprint("x")) == 12


def test_read_verdicts_rejects_an_unknown_verdict(tmp_path: Path) -> None:
    path = tmp_path / "verdicts.jsonl"
    path.write_text(json.dumps({"a": "x", "b": "y", "verdict": "maybe", "reason": ""}) + "\n")
    with pytest.raises(ValueError, match=r"verdicts\.jsonl:1: verdict must be"):
        read_verdicts(path)
    assert read_verdicts(tmp_path / "absent.jsonl") == {}
    path.write_text(json.dumps({"a": "x", "b": "y", "verdict": "real", "reason": ""}) + "\n")
    with pytest.raises(ValueError, match="verdict must be 'same fact' or 'not same fact'"):
        read_verdicts(path, seeds_review.LINK_VERDICT_WORDS)


def test_review_is_skipped_with_a_message_without_the_seeds(tmp_path: Path) -> None:
    message = run_review(tmp_path / "seeds", None, 10, "none", record=False)
    assert message.startswith("seeds review skipped: no folder")
    with pytest.raises(ValueError, match="none, finetuned, ensemble, baseline"):
        seeds_review.review_pairs([tmp_path], stance="gold")


def test_the_team_verdicts_file_is_valid_and_names_passages() -> None:
    verdicts = read_verdicts()
    assert len(verdicts) >= 10
    for (a, b), judged in verdicts.items():
        assert a.split(":")[0] != b.split(":")[0] and a.count(":") == b.count(":") == 1
        assert 20 <= len(judged["reason"]) <= 160  # one line, in our own words
        # ids move when segmentation changes: every verdict keeps what it judged
        assert set(judged["fingerprint"]) == {"a", "b"}


def test_the_team_link_verdicts_file_is_valid_and_names_passages() -> None:
    verdicts = read_verdicts(seeds_review.LINK_VERDICTS, seeds_review.LINK_VERDICT_WORDS)
    assert len(verdicts) >= 6
    assert {judged["verdict"] for judged in verdicts.values()} == {"same fact", "not same fact"}
    for (a, b), judged in verdicts.items():
        assert a.split(":")[0] != b.split(":")[0] and a.count(":") == b.count(":") == 1
        assert 20 <= len(judged["reason"]) <= 160
        assert set(judged["fingerprint"]) == {"a", "b"}


PRINTS = {"x:1": fingerprint("one"), "y:2": fingerprint("two"), "y:3": fingerprint("three"),
          "z:1": fingerprint("four")}  # fmt: skip


def _reading(path: Path, annotator: str, pairs: list[tuple[str, str, str]]) -> Path:
    """A reading file with one fact per pair (a, b, framing)."""
    facts = [{"id": f"f{n}", "description": "d", "passages": [a, b],
              "pairs": [{"a": a, "b": b, "framing": framing, "reason": "r"}]}
             for n, (a, b, framing) in enumerate(pairs)]  # fmt: skip
    path.write_text(json.dumps({"annotator": annotator, "fingerprints": PRINTS, "facts": facts}))
    return path


def test_links_are_measured_against_the_pairs_every_reading_lists(tmp_path: Path) -> None:
    _reading(
        tmp_path / "annotator_a.json",
        "A",
        [("x:1", "y:2", "different"), ("x:1", "y:3", "alike"), ("y:2", "z:1", "alike")],
    )
    _reading(tmp_path / "annotator_b.json", "B",
             [("x:1", "y:2", "different"), ("x:1", "y:3", "different")])  # fmt: skip
    review = {**REVIEW, "passages": PRINTS}  # links: x:1-y:2 (0.9); rejected: x:1-y:3 (0.3)
    figures = against_readings(review, read_readings(tmp_path))
    assert figures is not None
    assert (figures["gold"], figures["union"], figures["framing_agree"]) == (2, 3, 1)
    assert figures["different"] == 1 and figures["different_linked"] == 1
    assert figures["links"][0] == {"min_confidence": 0.5, "links": 1, "right": 1,
                                   "precision": 1.0, "recall": 0.5}  # fmt: skip
    assert figures["links"][1]["links"] == 2 and figures["links"][1]["recall"] == 1.0
    assert figures["listed"] == {"x:1 / y:2": "different"}
    assert [r["pairs"] for r in figures["readers"]] == [3, 2]
    # a passage whose text changed: the pairs naming it are stale, not applied
    moved = against_readings({**review, "passages": {**PRINTS, "y:2": fingerprint("new")}},
                             read_readings(tmp_path))  # fmt: skip
    assert moved is not None and moved["gold"] == 1 and moved["readers"][0]["stale"] == 2
    assert moved["listed"] == {"x:1 / y:2": "no one fact"}
    assert against_readings(review, []) is None


def test_a_bad_reading_is_named(tmp_path: Path) -> None:
    bad = {"same": ("x:1", "x:2", "alike"), "print": ("x:1", "q:9", "alike"),
           "word": ("x:1", "y:2", "framed")}  # fmt: skip
    messages = {"same": "both passages are of one article", "print": "without a fingerprint",
                "word": "framing must be one of"}  # fmt: skip
    for name, pair in bad.items():
        path = _reading(tmp_path / f"{name}.json", "A", [pair])
        with pytest.raises(ValueError, match=messages[name]):
            read_reading(path)


def test_the_shipped_readings_list_every_pair_of_each_fact() -> None:
    readings = read_readings()
    assert [r.annotator for r in readings] == ["A", "B"]
    for path in sorted(seeds_review.READINGS.glob("annotator_*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert all(len(p) == 12 for p in document["fingerprints"].values())
        for fact in document["facts"]:
            articles = {pid.split(":")[0] for pid in fact["passages"]}
            assert len(articles) >= 2, fact["id"]
            expected = {frozenset((a, b)) for a in fact["passages"] for b in fact["passages"]
                        if a.split(":")[0] != b.split(":")[0]}  # fmt: skip
            assert {frozenset((p["a"], p["b"])) for p in fact["pairs"]} == expected, fact["id"]
            for pair in fact["pairs"]:
                if pair["framing"] == "different":
                    assert 10 <= len(pair["reason"]) <= 300  # in the reader's own words
    assert all(len(r.pairs) >= 30 for r in readings)
