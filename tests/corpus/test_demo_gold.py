"""Consistency checks for the built-in demo corpus and its gold annotations.

These tests read `corpus/demo/` directly (meta.json, articles/*.txt, gold.json) and do not
depend on any loader code, so they guard the data itself: files present, lengths, one article per
camp and event, languages and scripts, and gold quotes that are exact, unique and sentence-bounded.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import razdel

DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo"
EVENTS = {"azal-crash", "russian-house", "sputnik", "yekaterinburg", "energy"}
CAMP_LANGUAGE = {"russian": "ru", "azerbaijani": "az", "ukrainian": "uk", "western": "en"}
STANCES = {"favor", "against", "none"}
COMMITMENTS = {"asserted", "attributed", "hedged"}
TARGETS = {"Russia", "Azerbaijan"}
FRAMINGS = {"alike", "different"}
WORD = re.compile(r"\w+(?:[-'’]\w+)*")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN = re.compile(r"[A-Za-z]")
UK_ONLY = set("іїєґІЇЄҐ")
RU_ONLY = set("ыэъёЫЭЪЁ")


@cache
def meta() -> dict:
    return json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))


@cache
def gold() -> dict:
    return json.loads((DEMO / "gold.json").read_text(encoding="utf-8"))


def articles_dir() -> Path:
    return DEMO / meta().get("articles_dir", "articles")


@cache
def body(file: str) -> str:
    """Article text after the title line and the blank line that follows it."""
    text = (articles_dir() / file).read_text(encoding="utf-8")
    title, sep, rest = text.partition("\n\n")
    assert sep and title.strip() and "\n" not in title.strip(), f"{file}: want 'title\\n\\nbody'"
    return rest


@cache
def sentences(file: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((s.start, s.stop, s.text) for s in razdel.sentenize(body(file)))


def camp_of() -> dict[str, str]:
    return {a["file"]: a["camp"] for a in meta()["articles"]}


def latin_text(text: str) -> str:
    """Drop Latin-script proper names common to all camps (Embraer, AZAL, SOCAR, Sputnik...)."""
    return re.sub(r"\b(Embraer|AZAL|SOCAR|Sputnik|Boeing|IT)\b", "", text)


def test_meta_marks_corpus_synthetic_and_files_exist():
    assert "synthetic" in meta()["about"].lower()
    assert len(meta()["articles"]) >= 16
    for a in meta()["articles"]:
        assert "(synthetic)" in a["outlet"], a["outlet"]
        assert (articles_dir() / a["file"]).is_file(), a["file"]
        first_line = (articles_dir() / a["file"]).read_text(encoding="utf-8").split("\n", 1)[0]
        assert a["title"] == first_line, a["file"]
        assert a["event"] in EVENTS, a["event"]
        assert a["file"] == f"{a['event']}_{a['camp']}.txt", a["file"]


def test_no_article_outside_meta():
    on_disk = {p.name for p in articles_dir().glob("*.txt")}
    assert on_disk == set(camp_of())


def test_one_article_per_camp_per_event():
    pairs = Counter((a["event"], a["camp"]) for a in meta()["articles"])
    assert set(pairs) == {(e, c) for e in EVENTS for c in CAMP_LANGUAGE}
    assert set(pairs.values()) == {1}


def article_ids() -> list[str]:
    return [a["file"] for a in meta()["articles"]]


def article(file: str) -> dict:
    return next(a for a in meta()["articles"] if a["file"] == file)


@pytest.mark.parametrize("file", article_ids())
def test_word_count_in_range(file):
    a = article(file)
    words = len(WORD.findall(body(a["file"])))
    assert 150 <= words <= 400, f"{a['file']}: {words} words"


@pytest.mark.parametrize("file", article_ids())
def test_language_and_script(file):
    a = article(file)
    text = body(a["file"]) + a["title"]
    lang = a["language"]
    assert lang == CAMP_LANGUAGE[a["camp"]], a["file"]
    letters = set(text)
    if lang in ("ru", "uk"):
        cyr = len(CYRILLIC.findall(text))
        lat = len(LATIN.findall(latin_text(text)))
        assert cyr > 20 * max(lat, 1), f"{a['file']}: {cyr} Cyrillic vs {lat} Latin letters"
        if lang == "uk":
            assert letters & UK_ONLY, f"{a['file']}: no і/ї/є/ґ"
            assert not letters & RU_ONLY, f"{a['file']}: Russian-only letters {letters & RU_ONLY}"
        else:
            assert not letters & UK_ONLY, f"{a['file']}: Ukrainian letters {letters & UK_ONLY}"
    else:
        assert len(CYRILLIC.findall(text)) == 0, f"{a['file']}: Cyrillic in {lang} text"
        if lang == "az":
            assert text.count("ə") >= 20, f"{a['file']}: too few ə for Azerbaijani"
        else:
            assert "ə" not in text, f"{a['file']}: ə in English text"


def all_quotes() -> list[tuple[str, str, str]]:
    """(where, file, quote) for every quote in gold.json."""
    out = [
        (f"fact {f['id']}", p["file"], p["quote"]) for f in gold()["facts"] for p in f["passages"]
    ]
    out += [("passage", p["file"], p["quote"]) for p in gold()["passages"]]
    out += [(f"link {n}", side["file"], side["quote"])
            for n, link in enumerate(gold()["links"])
            for side in (link["a"], link["b"])]  # fmt: skip
    for path in sorted((DEMO / "second_round").glob("annotator_*.json")):
        annotation = json.loads(path.read_text(encoding="utf-8"))
        out += [(f"{path.name} fact {f['id']}", p["file"], p["quote"])
                for f in annotation["facts"] for p in f["passages"]]  # fmt: skip
    return out


def test_gold_quotes_unique_and_within_one_sentence():
    files = camp_of()
    problems = []
    for where, file, quote in all_quotes():
        if file not in files:
            problems.append(f"{where}: unknown file {file}")
            continue
        text = body(file)
        n = text.count(quote)
        if not quote.strip() or n != 1:
            problems.append(f"{where}: {file}: quote found {n} times: {quote!r}")
            continue
        start = text.index(quote)
        end = start + len(quote)
        if not any(s <= start and end <= e for s, e, _ in sentences(file)):
            problems.append(f"{where}: {file}: quote crosses a sentence boundary: {quote!r}")
    assert not problems, "\n".join(problems)


def test_facts_link_different_camps_of_their_event():
    facts = gold()["facts"]
    files = camp_of()
    ids = [f["id"] for f in facts]
    assert len(ids) == len(set(ids)), "duplicate fact ids"
    assert len(facts) >= 25
    for f in facts:
        assert f["event"] in EVENTS and f["id"].startswith(f["event"] + "/"), f["id"]
        assert f["framing"] in FRAMINGS, f["id"]
        assert f["description"].strip(), f["id"]
        camps = {files[p["file"]] for p in f["passages"]}
        assert len(camps) >= 2, f"{f['id']}: links fewer than 2 camps"
        for p in f["passages"]:
            assert p["file"].startswith(f["event"] + "_"), f"{f['id']}: {p['file']}"


def test_second_round_links_join_different_articles():
    files = camp_of()
    for link in gold()["links"]:
        assert link["a"]["file"] in files and link["b"]["file"] in files, link
        assert link["a"]["file"] != link["b"]["file"], link
    for path in sorted((DEMO / "second_round").glob("annotator_*.json")):
        facts = json.loads(path.read_text(encoding="utf-8"))["facts"]
        assert len(facts) >= 25, path.name
        for f in facts:
            assert f["framing"] in FRAMINGS and f["description"].strip(), f"{path.name}: {f['id']}"
            assert len({p["file"] for p in f["passages"]}) >= 2, f"{path.name}: {f['id']}"


def test_framing_labels_roughly_balanced():
    counts = Counter(f["framing"] for f in gold()["facts"])
    assert min(counts["alike"], counts["different"]) >= 0.35 * sum(counts.values()), counts


def test_passage_labels_in_allowed_sets():
    for p in gold()["passages"]:
        assert set(p["stance"]) == TARGETS, p
        assert set(p["stance"].values()) <= STANCES, p
        assert p["commitment"] in COMMITMENTS, p
        assert isinstance(p["voice"], str) and p["voice"].strip(), p
        if p["voice"] == "outlet":
            assert p["commitment"] in {"asserted", "hedged"}, p
        else:
            assert p["commitment"] == "attributed", p


def test_every_sentence_annotated():
    covered: dict[str, list[tuple[int, int]]] = {}
    for p in gold()["passages"]:
        text = body(p["file"])
        start = text.index(p["quote"])
        covered.setdefault(p["file"], []).append((start, start + len(p["quote"])))
    missing = []
    for file in camp_of():
        spans = covered.get(file, [])
        for s, e, sent in sentences(file):
            if not any(a <= s and e <= b for a, b in spans):
                missing.append(f"{file}: {sent!r}")
    assert not missing, "unannotated sentences:\n" + "\n".join(missing)


def test_all_label_values_used():
    passages = gold()["passages"]
    assert {p["commitment"] for p in passages} == COMMITMENTS
    for target in TARGETS:
        assert {p["stance"][target] for p in passages} == STANCES, target
