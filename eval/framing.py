"""Framing evaluation: divergence AUC on the demo gold, voice and commitment P/R, event ARI.

    evaluate_framing(demo_dir, vc_gold, vc_hard, vc_dev, encoder_spec=DEFAULT_ENCODER, ...)

Divergence (demo gold, corpus/demo/gold.json): every fact annotated `framing: alike|different`
is a positive (different) or negative (alike) example. Its passages (the sentences holding the
gold quotes) form cross-article pairs; each pair is scored with `divergence.v7` (and, for the
before/after record, `divergence.v6` to `divergence.v1`; weights fixed a priori up to v6, fitted
on the development framing pairs for v7: `eval.divergence_weights`), the fact's
score is its most divergent pair, and ROC AUC separates different from alike. Each component's
own AUC is reported, and, as a check of the weights, the AUC of a logistic regression over the
components fit by leave-one-event-out cross-validation. From v3 on, the AUC of the pairs' evidence
(the ranking of `eval.seeds_review`) and how many facts reach `EVIDENCE_MIN` (and how many of
them are annotated different) are reported too. Pair
similarity is the encoder's cosine; the residual's reference distribution is the similarities of
the run's alignments. Stance comes from `stance` (passage id -> distributions) or, by default,
from the gold stance labels of the demo passages as one-hot distributions (an upper bound on what
a stance model gives: say so wherever the figure is quoted).

Voice and commitment: precision and recall per language on the team's gold
(eval/gold/voice_commitment_gold.jsonl), written apart from the cue lists and never used to
develop them; on the hard set (eval/gold/voice_commitment_hard.jsonl: long news sentences
written to trip rules, with speakers in appositions, joined clauses and inversions and nouns
spelled like speech verbs; written apart from the rules too, and kept out of their development);
and on the development set (eval/gold/voice_commitment_dev.jsonl: sentences of the same kind on
other topics, on which the rules for long sentences were developed, so its figures are
optimistic).
A speaker counts as found (`speaker_recall`) when the predicted and gold speaker spans share at
least half of the gold span's characters, and as matched (`speaker_match`) when they share at
least half of the longer span's, so that a speaker span swallowing half a clause does not count.
A gold span with an apposition set off by commas ('Maria Lopez, the bank's economist') may be
matched by its whole, by its part before the first comma or by its part after the last.

Coverage (`evaluate_coverage`, demo gold): every omission that compare's coverage lists for an
article (it has no accepted link to a fact group of its event that others report) is checked against
the gold same-fact links: the omission is wrong when one of the article's passages is gold-linked to
a passage of the group, i.e. the article does report the fact and alignment missed the link. An
omission of a group that no gold link touches (one made of wrong links) is counted apart; precision
is the share of omissions that are neither. Omissions with a `nearest` candidate (a link refused for
confidence) and without are counted apart, with how often that candidate is the article's gold
passage. Recall: of the gold omissions (an article of the event outside a gold fact group of two or
more articles, the groups being the connected components of the gold links within one event), the
share listed. The packaged confidence map was fitted with the demo among its sets, so these figures
are in-sample for alignment.

Framing pairs (eval/framing_pairs.py): the divergence on pairs of passages written by helpers
with no access to the repository, test and development sets, each pair labelled framed alike or
differently, scored with the current and three previous divergences; with a stance model, stance
toward the fixed targets and toward the states each pair names, else none (the pairs have no
gold stance).
"""

from __future__ import annotations

import functools
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score, precision_recall_fscore_support, roc_auc_score

from corpus.loaders import load_articles
from corpus.schema import Passage
from eval.framing_pairs import FP_DEV, FP_TEST, evaluate_framing_pairs_methods
from models.cache import CachedEncoder
from models.encoders import DEFAULT_ENCODER, Encoder, make_encoder
from models.framing import events as events_mod
from models.framing.commitment import COMMITMENTS, detect_commitment
from models.framing.divergence import (
    COMPONENTS,
    EVIDENCE_MIN,
    METHOD,
    METHOD_V1,
    METHOD_V2,
    METHOD_V3,
    METHOD_V4,
    METHOD_V5,
    METHOD_V6,
    WEIGHTS,
)
from models.framing.frame import divergence_of_pair, fit_background, frame_passages
from models.framing.voice import detect_voice
from models.pipeline import CompareResult, compare
from models.stance.actors import AUTO

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).resolve().parents[1] / "corpus" / "demo"
VC_GOLD = Path(__file__).resolve().parent / "gold" / "voice_commitment_gold.jsonl"
VC_HARD = Path(__file__).resolve().parent / "gold" / "voice_commitment_hard.jsonl"
VC_DEV = Path(__file__).resolve().parent / "gold" / "voice_commitment_dev.jsonl"
SECOND_ROUND = "second_round"  # the demo gold's second annotation round (corpus/demo/...)
TARGETS = ("Russia", "Azerbaijan")


def make_eval_encoder(encoder_spec: str, cache_dir: Path | None) -> Encoder:
    """The encoder `encoder_spec`, behind the embedding cache when `cache_dir` is given."""
    base = make_encoder(encoder_spec)
    return CachedEncoder(base, cache_dir) if cache_dir is not None else base


def run_compare(paths: list[Path], meta: Path | None, encoder_spec: str, cache_dir: Path | None,
                threshold: float = 0.5, encoder: Encoder | None = None,
                ) -> tuple[CompareResult, dict[str, np.ndarray]]:  # fmt: skip
    """Load and compare articles (links of confidence >= `threshold`); also return the passage
    embeddings per article (compare's own). `encoder`, when given, is used instead of building
    `encoder_spec` (behind the cache at `cache_dir`)."""
    loaded = load_articles(paths, sidecar=meta)
    if loaded.errors:
        logger.warning("skipped: %s", "; ".join(f"{e.path}: {e.message}" for e in loaded.errors))
    encoder = encoder or make_eval_encoder(encoder_spec, cache_dir)
    result = compare(loaded.articles, encoder, threshold=threshold)
    return result, dict(result.embeddings)


def locate(result: CompareResult, file: str, quote: str) -> Passage:
    """The passage of article `file` (its stem is the article id) that contains `quote`."""
    article_id = Path(file).stem
    article = next((a for a in result.articles if a.id == article_id), None)
    if article is None:
        raise KeyError(f"gold names {file}, which is not among the compared articles")
    position = article.text.find(quote)
    if position < 0:
        raise KeyError(f"gold quote not found in {file}: {quote[:60]!r}")
    for passage in result.passages[article_id]:
        if passage.start <= position < passage.end:
            return passage
    raise KeyError(f"gold quote in {file} lies outside every passage: {quote[:60]!r}")


def gold_stance(result: CompareResult, gold: dict) -> dict[str, dict[str, dict[str, float]]]:
    """passage id -> {target: one-hot {favor, against, none}} from the demo gold annotations."""
    stance: dict[str, dict[str, dict[str, float]]] = {}
    for row in gold["passages"]:
        passage = locate(result, row["file"], row["quote"])
        stance[passage.id] = {target: {label: float(label == value)
                                       for label in ("favor", "against", "none")}
                              for target, value in row["stance"].items()}  # fmt: skip
    return stance


def passage_stance_agreement(result: CompareResult, gold: dict,
                             stance: Mapping[str, Any]) -> dict[str, Any]:  # fmt: skip
    """How a stance model's argmax labels agree with the demo's per-passage stance annotations.

    The divergence's stance component can only help as far as the model reads stance the way the
    annotators did, so this is reported beside every model-stance AUC (F1_PN, macro-F1, and the
    label counts of both, which show a model that calls too much `against`). `not_named` gives
    the same for the passage-target pairs where the passage does not name the target (actor
    lexicon, `models.stance.inputs.find_mention`): there a model that reads the passage's tone
    as stance toward any target it is given over-calls most. `ece` is the expected calibration
    error of the model's top probability against the annotations
    (`models.stance.metrics.probability_scores`; 0 for one-hot gold stance that agrees).
    """
    from models.stance.inputs import find_mention
    from models.stance.labels import LABELS
    from models.stance.metrics import probability_scores, stance_scores

    expected, predicted, named, rows = [], [], [], []
    for row in gold["passages"]:
        passage = locate(result, row["file"], row["quote"])
        for target, label in row["stance"].items():
            dist = stance.get(passage.id, {}).get(target)
            if dist is None:  # the provider did not score this target here
                continue
            expected.append(label)
            predicted.append(max(LABELS, key=lambda name: dist[name]))
            named.append(find_mention(passage.text, target) is not None)
            rows.append([dist[name] for name in LABELS])

    def agreement(keep: list[bool]) -> dict[str, Any]:
        gold_labels = [y for y, k in zip(expected, keep, strict=True) if k]
        labels = [y for y, k in zip(predicted, keep, strict=True) if k]
        kept = np.array([r for r, k in zip(rows, keep, strict=True) if k]).reshape(-1, len(LABELS))
        scores = stance_scores(gold_labels, labels)
        return {"pairs": len(gold_labels), "f1_pn": round(scores["f1_pn"], 4),
                "macro_f1": round(scores["macro_f1"], 4),
                "ece": round(probability_scores(gold_labels, kept)["ece"], 4),
                "gold_counts": {name: gold_labels.count(name) for name in LABELS},
                "predicted_counts": {name: labels.count(name) for name in LABELS}}  # fmt: skip

    report = agreement([True] * len(expected))
    report["not_named"] = agreement([not k for k in named]) if not all(named) else None
    return report


def stance_annotations(demo_dir: Path = DEMO_DIR) -> dict[str, list[str]]:
    """The demo's passage stance labels by annotation: "first" (the first round), then one entry
    per second-round annotator (`second_round/stance_annotator_*.json`), each a list of labels
    over (gold passage, target) in gold.json's order; {} when the second round is absent."""
    folder = demo_dir / SECOND_ROUND
    first = folder / "stance_first_round.json"
    if not first.is_file():
        return {}
    gold = json.loads((demo_dir / "gold.json").read_text(encoding="utf-8"))
    keys = [(row["file"], row["quote"], target) for row in gold["passages"] for target in TARGETS]
    files = {"first": first}
    for path in sorted(folder.glob("stance_annotator_*.json")):
        files[path.stem.removeprefix("stance_")] = path
    rounds = {}
    for name, path in files.items():
        rows = json.loads(path.read_text(encoding="utf-8"))["passages"]
        labels = {(r["file"], r["quote"], t): v for r in rows for t, v in r["stance"].items()}
        missing = [key for key in keys if key not in labels]
        if missing:
            raise ValueError(f"{path}: {len(missing)} gold passages lack a stance: {missing[0]}")
        rounds[name] = [labels[key] for key in keys]
    return rounds


def majority_stance(rounds: Mapping[str, list[str]]) -> list[str]:
    """Per (passage, target): the label that at least two annotations give, else the first
    round's."""
    out = []
    for labels in zip(*rounds.values(), strict=True):
        top, votes = Counter(labels).most_common(1)[0]
        out.append(top if votes >= 2 else labels[0])
    return out


def stance_agreement(demo_dir: Path = DEMO_DIR) -> dict[str, Any] | None:
    """How far the demo's stance annotations agree with each other (macro-F1 and F1_PN of one
    against another, Cohen's kappa); None without the second round. A model's agreement with
    the gold (`passage_stance_agreement`) reads against these."""
    from sklearn.metrics import cohen_kappa_score

    from models.stance.metrics import stance_scores

    rounds = stance_annotations(demo_dir)
    if len(rounds) < 3:
        return None
    pairs = {}
    for ref, hyp in combinations(rounds, 2):
        scores = stance_scores(rounds[ref], rounds[hyp])
        pairs[f"{hyp} against {ref}"] = {
            "pairs": len(rounds[ref]),
            "macro_f1": round(scores["macro_f1"], 4),
            "f1_pn": round(scores["f1_pn"], 4),
            "kappa": round(float(cohen_kappa_score(rounds[ref], rounds[hyp])), 4),
        }
    return {"annotations": list(rounds), "pairs": pairs}


def score_gold_facts(
    result: CompareResult,
    embeddings: Mapping[str, np.ndarray],
    gold: dict,
    stance: Mapping[str, Any] | None,
    method: str = METHOD,
) -> list[dict[str, Any]]:
    """One row per gold fact: label, events, and its pairs with divergence and components."""
    passages = result.passage_index()
    language_of = {a.id: a.language for a in result.articles}
    framed = frame_passages(passages, language_of)
    background = fit_background(passages, language_of)
    vectors = {p.id: embeddings[p.article_id][p.index] for p in passages.values()}
    reference = np.array([al.similarity for al in result.alignments])
    aligned = {frozenset((al.a, al.b)): al for al in result.alignments}
    rows = []
    for fact in gold["facts"]:
        located = {locate(result, p["file"], p["quote"]).id for p in fact["passages"]}
        pairs = []
        for a, b in combinations(sorted(located), 2):
            pa, pb = passages[a], passages[b]
            if pa.article_id == pb.article_id:
                continue
            alignment = aligned.get(frozenset((a, b)))
            divergence, _ = divergence_of_pair(
                pa, pb, language_of=language_of, framed=framed, background=background,
                similarity=float(vectors[a] @ vectors[b]), reference_similarities=reference,
                confidence=getattr(alignment, "confidence", None), stance=stance, method=method,
            )  # fmt: skip
            pairs.append({"a": a, "b": b, "aligned": alignment is not None,
                          "score": divergence.score, "evidence": divergence.evidence,
                          "components": divergence.components})  # fmt: skip
        rows.append({"id": fact["id"], "event": fact["event"],
                     "different": fact["framing"] == "different", "pairs": pairs})  # fmt: skip
    return rows


def _fact_features(rows: list[dict], aligned_only: bool = False) -> tuple[np.ndarray, ...]:
    """(labels (n,), scores (n,), components (n, 4), events (n,)) over facts with pairs."""
    labels, scores, comps, events = [], [], [], []
    for row in rows:
        pairs = [p for p in row["pairs"] if p["aligned"] or not aligned_only]
        if not pairs:
            continue
        labels.append(int(row["different"]))
        scores.append(max(p["score"] for p in pairs))
        comps.append([max(p["components"].get(c, np.nan) for p in pairs) for c in COMPONENTS])
        events.append(row["event"])
    return np.array(labels), np.array(scores), np.array(comps), np.array(events)


def bootstrap_auc_interval(
    labels: np.ndarray, scores: np.ndarray, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """95% percentile interval of the ROC AUC over facts resampled with replacement within each
    class (so every resample has both), with a fixed seed. With 49 facts it is wide: it says how
    much of a difference between two AUCs on the demo can be noise."""
    from scipy.stats import rankdata

    rng = np.random.default_rng(seed)
    positive, negative = scores[labels == 1], scores[labels == 0]
    n_pos, n_neg = len(positive), len(negative)
    drawn = np.concatenate([rng.choice(positive, (resamples, n_pos)),
                            rng.choice(negative, (resamples, n_neg))], axis=1)  # fmt: skip
    # Mann-Whitney: AUC from the positives' ranks (ties averaged), one resample per row
    ranks = rankdata(drawn, axis=1)[:, :n_pos].sum(axis=1)
    values = (ranks - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    low, high = np.percentile(values, [2.5, 97.5])
    return round(float(low), 4), round(float(high), 4)


def divergence_auc(rows: list[dict], method: str = METHOD) -> dict[str, Any]:
    """Fact-level AUC of the divergence (with a bootstrap 95% interval) and of each component;
    pair-level AUC; LOEO-CV AUC."""
    labels, scores, comps, events = _fact_features(rows)
    report: dict[str, Any] = {
        "facts": len(labels), "different": int(labels.sum()),
        "auc": round(float(roc_auc_score(labels, scores)), 4),
        "auc_ci95": bootstrap_auc_interval(labels, scores),
        "component_auc": {c: round(float(roc_auc_score(labels, comps[:, i])), 4)
                          if not np.isnan(comps[:, i]).any() else None
                          for i, c in enumerate(COMPONENTS)},
        "method": method, "weights": WEIGHTS[method],
    }  # fmt: skip
    pair_labels = [int(r["different"]) for r in rows for _ in r["pairs"]]
    pair_scores = [p["score"] for r in rows for p in r["pairs"]]
    report["pairs"] = len(pair_scores)
    report["pair_auc"] = round(float(roc_auc_score(pair_labels, pair_scores)), 4)
    comps = comps[:, ~np.isnan(comps).any(axis=0)]  # components present for every fact
    out_of_fold = np.zeros(len(labels))
    for event in sorted(set(events)):
        test = events == event
        model = LogisticRegression(C=1.0).fit(comps[~test], labels[~test])
        out_of_fold[test] = model.predict_proba(comps[test])[:, 1]
    report["loeo_cv_logistic_auc"] = round(float(roc_auc_score(labels, out_of_fold)), 4)
    if all(p.get("evidence") is not None for r in rows for p in r["pairs"]):
        report["evidence"] = evidence_summary(rows)
    aligned_labels, aligned_scores, _, _ = _fact_features(rows, aligned_only=True)
    report["aligned_only"] = {
        "facts": len(aligned_labels),
        "auc": round(float(roc_auc_score(aligned_labels, aligned_scores)), 4)
        if len(set(aligned_labels)) == 2 else None,
        "gold_pairs_aligned": f"{sum(p['aligned'] for r in rows for p in r['pairs'])}"
                              f"/{report['pairs']}",
    }  # fmt: skip
    return report


def evidence_summary(rows: list[dict], minimum: float = EVIDENCE_MIN) -> dict[str, Any]:
    """Fact-level AUC of the evidence (a fact's: its most evident pair) and the facts at or above
    `minimum`, with how many of them are annotated different (the bar's precision)."""
    with_pairs = [r for r in rows if r["pairs"]]
    labels = np.array([int(r["different"]) for r in with_pairs])
    evidence = np.array([max(p["evidence"] for p in r["pairs"]) for r in with_pairs])
    passing = evidence >= minimum
    return {"auc": round(float(roc_auc_score(labels, evidence)), 4), "min": minimum,
            "facts_at_min": int(passing.sum()),
            "different_at_min": int(labels[passing].sum())}  # fmt: skip


def evaluate_coverage(result: CompareResult, demo_dir: Path = DEMO_DIR) -> dict[str, Any]:
    """How often compare's omissions are right on the demo gold (module docstring)."""
    from eval.alignment import read_demo

    if result.framing is None:
        raise ValueError("coverage needs a framed result (compare with frame=True)")
    article_of = {pid: p.article_id for pid, p in result.passage_index().items()}
    return score_coverage(result.framing.coverage, result.framing.fact_groups,
                          result.framing.events, article_of,
                          read_demo(demo_dir).gold_links)  # fmt: skip


def score_coverage(
    coverage: Mapping[str, Any],
    fact_groups: Sequence[Any],
    event_of: Mapping[str, str],
    article_of: Mapping[str, str],
    gold_links: set[frozenset[str]],
) -> dict[str, Any]:
    """`evaluate_coverage` on its parts: `coverage` and `fact_groups` (with `id` and `passages`)
    as `models.framing.coverage` makes them, article id -> event, passage id -> article id, and
    the gold same-fact links (unordered passage pairs); gold links across events are left out."""
    from models.framing.coverage import fact_groups as fact_groups_of

    gold = {link for link in gold_links
            if len({event_of[article_of[pid]] for pid in link}) == 1}  # fmt: skip
    linked: dict[str, set[str]] = {}
    for a, b in (tuple(link) for link in gold):
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    groups = {g.id: g for g in fact_groups}
    omissions = [(article, row) for event in coverage.values()
                 for article, rows in event["omissions"]["by_article"].items()
                 for row in rows]  # fmt: skip
    claims = []
    for article, row in omissions:
        passages = groups[row["fact"]].passages
        # the article's passages gold-linked to the group: it does report the fact
        truth = {q for p in passages for q in linked.get(p, ()) if article_of[q] == article}
        nearest = row.get("nearest")
        claims.append({"wrong": bool(truth), "nearest": nearest is not None,
                       "no_gold_fact": not any(p in linked for p in passages),
                       "nearest_right": nearest is not None
                       and nearest["passage"] in truth})  # fmt: skip

    def tally(rows: list[dict]) -> dict[str, Any]:
        right = sum(not r["wrong"] and not r["no_gold_fact"] for r in rows)
        return {"omissions": len(rows), "right": right, "wrong": sum(r["wrong"] for r in rows),
                "not_a_gold_fact": sum(r["no_gold_fact"] for r in rows),
                "precision": round(right / len(rows), 4) if rows else None}  # fmt: skip

    with_nearest = [c for c in claims if c["nearest"]]
    report: dict[str, Any] = {
        "all": tally(claims),
        "with_nearest": {**tally(with_nearest),
                         "nearest_is_the_gold_passage": sum(c["nearest_right"]
                                                            for c in with_nearest)},
        "without_nearest": tally([c for c in claims if not c["nearest"]]),
    }  # fmt: skip
    # recall: the gold fact groups, grouped as coverage groups compare's links
    listed = {(article, row["fact"]) for article, row in omissions}
    expected = found = 0
    gold_pairs = [(a, b) for a, b in (sorted(link) for link in gold)]
    for gold_group in fact_groups_of(gold_pairs, article_of, event_of):
        members = set(gold_group.passages)
        touching = [g.id for g in groups.values() if set(g.passages) & members]
        outside = (a for a, e in event_of.items()
                   if e == gold_group.event and a not in gold_group.articles)  # fmt: skip
        for article in sorted(outside):
            expected += 1
            found += any((article, fact) in listed for fact in touching)
    report["gold_omissions"] = expected
    report["gold_omissions_listed"] = found
    report["recall"] = round(found / expected, 4) if expected else None
    return report


def event_ari(result: CompareResult, embeddings: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Adjusted Rand index of the clustered events against the articles' `event` metadata."""
    ids = [a.id for a in result.articles]
    gold = [a.extra.get("event", "") for a in result.articles]
    vectors = events_mod.article_vectors(ids, embeddings, {a.id: a.language
                                                           for a in result.articles})  # fmt: skip
    by_embedding = events_mod.cluster_articles(1.0 - vectors @ vectors.T)
    article_of = {pid: p.article_id for pid, p in result.passage_index().items()}
    pairs = [(article_of[al.a], article_of[al.b]) for al in result.alignments]
    sizes = {a: len(result.passages[a]) for a in ids}
    by_alignment = events_mod.cluster_articles(events_mod.alignment_distances(ids, pairs, sizes))
    return {
        "gold_events": len(set(gold)),
        "embeddings": {"events": len(set(by_embedding)),
                       "ari": round(float(adjusted_rand_score(gold, by_embedding)), 4)},
        "alignments": {"events": len(set(by_alignment)),
                       "ari": round(float(adjusted_rand_score(gold, by_alignment)), 4)},
    }  # fmt: skip


def read_vc_gold(path: Path) -> list[dict[str, Any]]:
    """Rows of the voice/commitment gold JSONL (id, language, text, commitment, voice, speaker,
    speaker_start, speaker_end)."""
    if not path.exists():
        raise FileNotFoundError(f"voice/commitment gold not found: {path}")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        if row.get("commitment") not in COMMITMENTS or row.get("voice") not in (
            "outlet",
            "reported",
        ):
            raise ValueError(f"{path}: row {row.get('id')} has invalid commitment or voice")
    return rows


def _speaker_found(
    row: dict[str, Any], start: int | None, end: int | None, strict: bool = False
) -> bool:
    """Whether the predicted span shares half of the gold span (`strict`: of the longer span)."""
    if row.get("speaker_start") is None or start is None or end is None:
        return False
    for gold_start, gold_end in _speaker_readings(row["text"], row["speaker_start"],
                                                  row["speaker_end"]):  # fmt: skip
        overlap = max(0, min(end, gold_end) - max(start, gold_start))
        longest = max(gold_end - gold_start, end - start) if strict else gold_end - gold_start
        if overlap >= 0.5 * max(longest, 1):
            return True
    return False


def _speaker_readings(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The gold speaker span, and when it holds an apposition set off by a comma ('Maria Lopez,
    the bank's economist'; 'the mayor of Split, Ivo Maric'), its part before the first comma
    and its part after the last: either names the speaker, and writers of gold spans differ on
    whether the apposition belongs to the span."""
    readings = [(start, end)]
    first, last = text.find(",", start, end), text.rfind(",", start, end)
    if first != -1:
        readings.append((start, first))
        after = last + 1 + (len(text[last + 1 : end]) - len(text[last + 1 : end].lstrip()))
        readings.append((after, end))
    return readings


def evaluate_voice_commitment(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per language: commitment P/R/F1 per class and macro, voice=reported P/R/F1, speakers."""
    report: dict[str, Any] = {}
    for language in sorted({r["language"] for r in rows}):
        subset = [r for r in rows if r["language"] == language]
        voices = [detect_voice(r["text"], language) for r in subset]
        commitments = [detect_commitment(r["text"], language, v).label
                       for r, v in zip(subset, voices, strict=True)]  # fmt: skip
        gold_c = [r["commitment"] for r in subset]
        p, r_, f, support = precision_recall_fscore_support(
            gold_c, commitments, labels=list(COMMITMENTS), zero_division=0
        )
        vp, vr, vf, _ = precision_recall_fscore_support(
            [r["voice"] == "reported" for r in subset], [v.kind == "reported" for v in voices],
            average="binary", zero_division=0,
        )  # fmt: skip
        with_speaker = [(r, v) for r, v in zip(subset, voices, strict=True)
                        if r["voice"] == "reported"
                        and r.get("speaker_start") is not None]  # fmt: skip
        found = sum(_speaker_found(r, v.speaker_start, v.speaker_end) for r, v in with_speaker)
        matched = sum(_speaker_found(r, v.speaker_start, v.speaker_end, strict=True)
                      for r, v in with_speaker)  # fmt: skip
        report[language] = {
            "n": len(subset),
            "commitment_accuracy": round(float(np.mean([a == b for a, b in zip(
                gold_c, commitments, strict=True)])), 4),
            "commitment": {c: {"precision": round(float(p[i]), 4), "recall": round(float(r_[i]), 4),
                               "f1": round(float(f[i]), 4), "support": int(support[i])}
                           for i, c in enumerate(COMMITMENTS)},
            "commitment_macro_f1": round(float(np.mean(f)), 4),
            "voice_reported": {"precision": round(float(vp), 4), "recall": round(float(vr), 4),
                               "f1": round(float(vf), 4)},
            "speaker_recall": round(found / len(with_speaker), 4) if with_speaker else None,
            "speaker_match": round(matched / len(with_speaker), 4) if with_speaker else None,
            "speakers_gold": len(with_speaker),
        }  # fmt: skip
    return report


def evaluate_framing(
    demo_dir: Path = DEMO_DIR,
    vc_gold: Path | None = VC_GOLD,
    vc_hard: Path | None = VC_HARD,
    vc_dev: Path | None = VC_DEV,
    encoder_spec: str = DEFAULT_ENCODER,
    cache_dir: Path | None = None,
    stance_provider: Callable[[CompareResult], Mapping[str, Any]] | None = None,
    pairs_test: Path | None = FP_TEST,
    pairs_dev: Path | None = FP_DEV,
) -> dict[str, Any]:
    """All framing figures; `stance_provider(result)` gives passage stance (default: gold)."""
    gold = json.loads((demo_dir / "gold.json").read_text(encoding="utf-8"))
    meta = json.loads((demo_dir / "meta.json").read_text(encoding="utf-8"))
    articles_dir = demo_dir / meta.get("articles_dir", "articles")
    encoder = make_eval_encoder(encoder_spec, cache_dir)
    result, embeddings = run_compare([articles_dir], demo_dir / "meta.json", encoder_spec,
                                     cache_dir, encoder=encoder)  # fmt: skip
    stance: Mapping[str, Any]
    if stance_provider is None:
        stance, stance_source = gold_stance(result, gold), "gold one-hot (demo annotations)"
    else:
        kind = getattr(stance_provider, "kind", "custom")
        stance, stance_source = stance_provider(result), f"model ({kind})"
    report: dict[str, Any] = {
        "data": str(demo_dir), "encoder": encoder_spec, "stance": stance_source,
        "alignment": result.method["alignment"],
    }  # fmt: skip
    if stance_provider is not None:
        report["passage_stance"] = passage_stance_agreement(result, gold, stance)
    report["stance_annotations"] = stance_agreement(demo_dir)
    for method, suffix in ((METHOD, ""), (METHOD_V6, "_v6"), (METHOD_V5, "_v5"),
                           (METHOD_V4, "_v4"), (METHOD_V3, "_v3"), (METHOD_V2, "_v2"),
                           (METHOD_V1, "_v1")):  # fmt: skip
        report["divergence" + suffix] = divergence_auc(
            score_gold_facts(result, embeddings, gold, stance, method), method
        )
        report["divergence_without_stance" + suffix] = divergence_auc(
            score_gold_facts(result, embeddings, gold, None, method), method
        )
    report["events"] = event_ari(result, embeddings)
    report["coverage"] = evaluate_coverage(result, demo_dir)
    for key, path in (("voice_commitment", vc_gold), ("voice_commitment_hard", vc_hard),
                      ("voice_commitment_dev", vc_dev)):  # fmt: skip
        if path is not None and Path(path).exists():
            report[key] = evaluate_voice_commitment(read_vc_gold(Path(path)))
            report[key + "_gold"] = str(path)
        elif path is not None:
            logger.warning("voice/commitment gold not found at %s: skipped", path)
    report.update(_framing_pairs(stance_provider, stance_source, pairs_test, pairs_dev,
                                 encoder))  # fmt: skip
    return report


def _framing_pairs(
    stance_provider: Any, stance_source: str, pairs_test: Path | None, pairs_dev: Path | None,
    encoder: Encoder,
) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """The framing pair sets scored with the current and the three previous divergences: without
    stance when `stance_provider` is None, else with the model's stance toward the fixed targets
    and toward the states each pair names (per pair, as compare's 'auto' does for an event)."""
    variants: list[tuple[str, Any]] = [("none", None)]
    score = getattr(stance_provider, "score_passages", None)
    if score is not None:
        variants = [(f"{stance_source} toward {', '.join(TARGETS)}", score),
                    (f"{stance_source} toward the states each pair names",
                     functools.partial(score, targets_now=(AUTO,)))]  # fmt: skip
    report: dict[str, list[dict[str, Any]]] = {}
    for key, path in (("framing_pairs_test", pairs_test), ("framing_pairs_dev", pairs_dev)):
        if path is None or not Path(path).exists():
            if path is not None:
                logger.warning("framing pairs not found at %s: skipped", path)
            continue
        report[key] = []
        methods = (METHOD, METHOD_V6, METHOD_V5, METHOD_V4)
        for stance_name, stance in variants:
            for scored in evaluate_framing_pairs_methods(Path(path), encoder, stance, methods):
                summary = {name: value for name, value in scored.items() if name != "rows"}
                report[key].append({**summary, "stance": stance_name})
    return report


def model_stance_provider(kind: str, targets: tuple[str, ...] = TARGETS,
                          artifact_dir: Path | None = None,
                          ) -> Callable[[CompareResult], Mapping[str, Any]]:  # fmt: skip
    """A `stance_provider` that scores every passage with the stance model `kind` ("finetuned"
    or "baseline", models/stance; the shipped artifact unless `artifact_dir`) toward `targets`.

    Its `score_passages(passages, targets_now=None)` scores a mapping of passages (toward
    `targets_now` when given; "auto" among the targets stands for the states the passages name,
    one mention being enough: `models.stance.actors.resolve_targets`). The model is loaded once.
    """

    @functools.cache
    def model() -> Any:
        from models.stance import load_stance_model

        return load_stance_model(kind, artifact_dir=artifact_dir)

    def score_passages(
        passages: Mapping[str, Passage], targets_now: tuple[str, ...] | None = None
    ) -> Mapping[str, Any]:
        from models.stance import score_stance
        from models.stance.actors import resolve_targets

        texts = [p.text for p in passages.values()]
        chosen = list(resolve_targets(targets_now or targets, texts, min_mentions=1))
        if not chosen:
            return {}
        return dict(zip(passages, score_stance(texts, chosen, model()), strict=True))

    def provide(result: CompareResult) -> Mapping[str, Any]:
        return score_passages(result.passage_index())

    provide.kind = kind  # type: ignore[attr-defined]
    provide.score_passages = score_passages  # type: ignore[attr-defined]
    return provide
