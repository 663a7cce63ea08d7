"""Framing pairs: does the divergence separate two tellings framed differently from two framed
alike, on passages that nothing in the repository was developed on?

The demo gold measures the divergence on the corpus its components were developed on. The
framing pair sets (`eval/gold/framing_pairs/`, written by four helpers, one per language, with no
access to the repository; see the README there) give pairs of passages that report one fact,
each labelled `different` or `alike` by its writer, with the words that carry a difference:

- `test.jsonl`: evaluation only; its errors are not read to change the rules;
- `dev.jsonl`: the same kind of pairs about other events, for developing the components.

Every pair is scored with the product's `divergence_of_pair`, the set's passages as the
lexical background. The set says that the two sides report one fact, so the pair's same-fact
probability (the alignment confidence in the product) is 1: the score and the evidence then
measure the framing alone, and the semantic residual is 0 for every pair. What the residual
would add is reported beside them as a diagnostic: the AUC of the cosine residual (1 - the rank
of the pair's cosine among the set's pairs, the product's fallback without a confidence).
Reported: the ROC AUC of the score, of the evidence and of each component, per writer's language
and for same- and cross-language pairs; and whether the top contrast terms of a side are the
words its writer marked (a term and a gold phrase match when they share a word, compared by
their first `STEM` letters so inflection does not matter).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from corpus.schema import Passage
from models.encoders import Encoder
from models.framing.contrast import LanguageBackground
from models.framing.divergence import COMPONENTS, METHOD, semantic_residual
from models.framing.frame import (
    PassageFraming,
    divergence_of_pair,
    fit_background,
    frame_passages,
)
from models.framing.text import tokenize

GOLD_DIR = Path(__file__).resolve().parent / "gold" / "framing_pairs"
FP_TEST = GOLD_DIR / "test.jsonl"
FP_DEV = GOLD_DIR / "dev.jsonl"
LANGUAGES = ("en", "ru", "uk", "az")
DIFFERENCES = ("wording", "certainty", "source", "evaluation")
KEYS = {"id", "language_a", "language_b", "a", "b", "framing", "difference", "terms_a", "terms_b"}
TOP_TERMS = 3
STEM = 5


@dataclass(frozen=True)
class FramingPair:
    id: str
    language_a: str
    language_b: str
    a: str
    b: str
    different: bool
    difference: str | None  # one of DIFFERENCES when `different`
    terms_a: tuple[str, ...]
    terms_b: tuple[str, ...]


def read_framing_pairs(path: Path) -> list[FramingPair]:
    """The pairs of a framing pair file; ValueError naming file and line on a malformed row."""
    pairs, seen = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(row, dict) or set(row) != KEYS:
            raise ValueError(f"{where}: a pair has exactly the keys {', '.join(sorted(KEYS))}")
        if row["id"] in seen:
            raise ValueError(f"{where}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        if row["language_a"] not in LANGUAGES or row["language_b"] not in LANGUAGES:
            raise ValueError(f"{where}: languages must be among {', '.join(LANGUAGES)}")
        if row["framing"] not in ("different", "alike"):
            raise ValueError(f"{where}: framing must be 'different' or 'alike'")
        different = row["framing"] == "different"
        if different != (row["difference"] in DIFFERENCES) or (
            not different and row["difference"] is not None
        ):
            raise ValueError(f"{where}: difference is one of {', '.join(DIFFERENCES)} for a "
                             "'different' pair and null for an 'alike' one")  # fmt: skip
        for side in ("a", "b"):
            terms = row[f"terms_{side}"]
            if not isinstance(row[side], str) or not row[side].strip():
                raise ValueError(f"{where}: side {side} must be a non-empty text")
            if not isinstance(terms, list) or any(t not in row[side] for t in terms):
                raise ValueError(f"{where}: every term of side {side} must occur in its text")
            if terms and not different:
                raise ValueError(f"{where}: an 'alike' pair has no framing terms")
        pairs.append(FramingPair(
            row["id"], row["language_a"], row["language_b"], row["a"], row["b"], different,
            row["difference"], tuple(row["terms_a"]), tuple(row["terms_b"]),
        ))  # fmt: skip
    return pairs


def score_framing_pairs(
    pairs: list[FramingPair],
    encoder: Encoder,
    stance: Callable[[Mapping[str, Passage]], Mapping[str, Any]] | None = None,
    methods: tuple[str, ...] = (METHOD,),
) -> dict[str, list[dict[str, Any]]]:
    """Method -> one row per pair: label, score, evidence, components, top terms and their gold
    match. Voice, background, embeddings and stance are computed once for all `methods`.

    `stance(passages)`, when given, returns passage id -> stance distribution per target; it is
    called once per pair, with the pair's two passages, so that targets chosen from the passages
    ('auto') are the pair's own.
    """
    passages: dict[str, Passage] = {}
    language_of: dict[str, str] = {}
    for pair in pairs:
        for side, text, language in (("a", pair.a, pair.language_a),
                                     ("b", pair.b, pair.language_b)):  # fmt: skip
            pid = f"{pair.id}/{side}"
            passages[pid] = Passage(pid, pid, 0, 0, len(text), text)
            language_of[pid] = language
    framed = frame_passages(passages, language_of)
    background = fit_background(passages, language_of)
    vectors_a = encoder.encode([p.a for p in pairs], "passage")
    vectors_b = encoder.encode([p.b for p in pairs], "passage")
    cosines = np.einsum("ij,ij->i", vectors_a, vectors_b) / (
        np.linalg.norm(vectors_a, axis=1) * np.linalg.norm(vectors_b, axis=1))  # fmt: skip
    stances: dict[str, Any] | None = None
    if stance is not None:
        stances = {}
        for pair in pairs:
            ids = (f"{pair.id}/a", f"{pair.id}/b")
            stances.update(stance({pid: passages[pid] for pid in ids}))
    return {method: [_pair_row(pair, float(cosine), cosines, passages, language_of, framed,
                               background, stances, method)
                     for pair, cosine in zip(pairs, cosines, strict=True)]
            for method in methods}  # fmt: skip


def _pair_row(
    pair: FramingPair, cosine: float, cosines: np.ndarray, passages: Mapping[str, Passage],
    language_of: Mapping[str, str], framed: Mapping[str, PassageFraming],
    background: LanguageBackground,
    stances: Mapping[str, Any] | None, method: str,
) -> dict[str, Any]:  # fmt: skip
    """The row of one pair scored with `method` (`score_framing_pairs`)."""
    divergence, contrast = divergence_of_pair(
        passages[f"{pair.id}/a"], passages[f"{pair.id}/b"], language_of=language_of,
        framed=framed, background=background, similarity=cosine,
        reference_similarities=cosines, confidence=1.0, stance=stances, method=method,
    )  # fmt: skip
    top_a = [t.term for t in contrast.terms_a[:TOP_TERMS]]
    top_b = [t.term for t in contrast.terms_b[:TOP_TERMS]]
    return {
        "id": pair.id, "different": pair.different, "difference": pair.difference,
        "languages": f"{pair.language_a}-{pair.language_b}",
        "score": divergence.score, "evidence": divergence.evidence,
        "components": divergence.components,
        "cosine_residual": round(semantic_residual(cosine, cosines), 4),
        "terms": {"a": top_a, "b": top_b},
        "term_match": {"a": term_match(top_a, pair.terms_a, pair.language_a),
                       "b": term_match(top_b, pair.terms_b, pair.language_b)},
    }  # fmt: skip


def _stems(phrase: str, language: str) -> set[str]:
    return {token.norm[:STEM] for token in tokenize(phrase, language) if len(token.norm) >= 3}


def term_match(found: list[str], gold: tuple[str, ...], language: str) -> dict[str, int] | None:
    """How many of the `found` terms match a gold phrase, and how many gold phrases are matched
    (a shared word stem); None when the side has no gold terms."""
    if not gold:
        return None
    gold_stems = [_stems(phrase, language) for phrase in gold]
    found_stems = [_stems(term, language) for term in found]
    return {
        "found": len(found),
        "found_right": sum(any(f & g for g in gold_stems) for f in found_stems),
        "gold": len(gold),
        "gold_found": sum(any(g & f for f in found_stems) for g in gold_stems),
    }


def _auc(labels: list[int], values: list[float | None]) -> float | None:
    if len(set(labels)) < 2 or any(v is None for v in values):
        return None
    return round(float(roc_auc_score(labels, values)), 4)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """AUCs (score, evidence, components) overall and per subset; contrast-term agreement."""

    def aucs(subset: list[dict[str, Any]]) -> dict[str, Any]:
        labels = [int(r["different"]) for r in subset]
        report: dict[str, Any] = {
            "pairs": len(subset), "different": sum(labels),
            "score_auc": _auc(labels, [r["score"] for r in subset]),
            "evidence_auc": _auc(labels, [r["evidence"] for r in subset]),
            "cosine_residual_auc": _auc(labels, [r["cosine_residual"] for r in subset]),
        }  # fmt: skip
        for component in COMPONENTS:
            values = [r["components"].get(component) for r in subset]
            report[f"{component}_auc"] = _auc(labels, values)
        return report

    subsets: dict[str, list[dict[str, Any]]] = {"all": rows}
    for language in LANGUAGES:
        subsets[f"written in {language}"] = [r for r in rows if r["languages"][:2] == language]
    subsets["same language"] = [r for r in rows if r["languages"][:2] == r["languages"][3:]]
    subsets["cross-language"] = [r for r in rows if r["languages"][:2] != r["languages"][3:]]
    report = {name: aucs(subset) for name, subset in subsets.items() if subset}
    alike = [r for r in rows if not r["different"]]
    for difference in DIFFERENCES:
        subset = [r for r in rows if r["difference"] == difference] + alike
        if len(subset) > len(alike):
            report[f"{difference} against alike"] = aucs(subset)
    matches = [m for r in rows for m in r["term_match"].values() if m is not None]
    found = sum(m["found"] for m in matches)
    gold = sum(m["gold"] for m in matches)
    return {
        "auc": report,
        "terms": {
            "sides": len(matches),
            "top_precision": round(sum(m["found_right"] for m in matches) / found, 4)
            if found else None,
            "gold_recall": round(sum(m["gold_found"] for m in matches) / gold, 4) if gold else None,
            "sides_hit": round(sum(m["found_right"] > 0 for m in matches) / len(matches), 4)
            if matches else None,
        },
    }  # fmt: skip


def evaluate_framing_pairs(
    path: Path,
    encoder: Encoder,
    stance: Callable[[Mapping[str, Passage]], Mapping[str, Any]] | None = None,
    method: str = METHOD,
) -> dict[str, Any]:
    """Read, score and summarise one framing pair file with one divergence method."""
    return evaluate_framing_pairs_methods(path, encoder, stance, (method,))[0]


def evaluate_framing_pairs_methods(
    path: Path,
    encoder: Encoder,
    stance: Callable[[Mapping[str, Passage]], Mapping[str, Any]] | None = None,
    methods: tuple[str, ...] = (METHOD,),
) -> list[dict[str, Any]]:
    """Read one framing pair file and score it once; one summary (with its rows) per method."""
    scored = score_framing_pairs(read_framing_pairs(path), encoder, stance, methods)
    return [{"data": str(path), "method": method, **summarise(rows), "rows": rows}
            for method, rows in scored.items()]  # fmt: skip
