"""Evaluate passage alignment (`parallax eval alignment`) and build its calibration.

Three measures, each run through the product's own code (`models.alignment`):

- NTREX (line-aligned news translations en/ru/uk/az): every document in one language and its
  translation are aligned as two articles; precision@1 per direction for plain cosine, TF-IDF
  character n-grams, the margin ranking, and the accepted links of `align_passages`. The pooled
  setting treats all 1,007 lines of a language as one article.
- Tatoeba (az/ru/uk <-> en, short everyday sentences): precision@1 of cosine, margin, TF-IDF.
- Demo gold (corpus/demo/gold.json): precision and recall of same-fact links over the whole demo
  corpus (20 articles, 5 events, every pair of articles), overall and per language pair, beside
  how far the gold's three independent annotations agree with each other (a careful reader's
  level; `annotator_agreement`).

Calibration: the confidence map (both stages: link features incl. number/name anchors, then
transitive support through a third article, see `models.alignment.score_candidates`) is fitted
on the candidate links of five team-written gold sets: the demo corpus, the calibration set
(`eval/gold/alignment_calibration`: same-language and two-source pairs, which the demo lacks),
the translation set (`eval/gold/alignment_translations`: articles republished in translation,
whole or in part, which comparable news lacks), the republication set
(`eval/gold/alignment_republications`: free translations and edited republications) and the
analysis set (`eval/gold/alignment_analysis`: English commentary on one crisis, where most
sentences are judgements and forecasts and the tempting near misses are written down). Figures
for each set are held out by event (leave-one-event-out: neither stage that scores an event's
links saw that event's labels; the other sets, separate data, are always in training), and the
reliability tables come from those held-out predictions; NTREX and Tatoeba are never
used for fitting (NTREX document pairs are two articles, so only the first stage applies).
The short map, for pairs with a short article, is fitted and measured the same way on every pair
of each set's articles with both, or one, cut to their first 1 to 4 passages (`short_links`).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations, permutations
from pathlib import Path
from typing import Any

import numpy as np

from corpus.loaders import load_articles
from corpus.schema import Article, Passage
from models import alignment
from models.alignment import Alignment, PassageGroup
from models.calibration import (
    FEATURES,
    SHORT_FEATURES,
    SUPPORT_FEATURES,
    TRANSLATION_FEATURES,
    LinkCalibration,
    calibration_path,
    reliability,
)
from models.encoder import Encoder
from models.pipeline import segment_articles

logger = logging.getLogger(__name__)

NTREX_FILES = {"en": "eng.txt", "ru": "rus.txt", "uk": "ukr.txt", "az": "aze.txt"}
TATOEBA_CODES = {"az": "aze", "ru": "rus", "uk": "ukr"}
CALIBRATE_COMMAND = "parallax eval alignment --calibrate"
CALIBRATION_VERSION = "demo+calibration+translation+republication+analysis-sets.v11"
REPO_DIR = Path(__file__).resolve().parents[1]
# Team-written same-language and two-source pairs (eval/gold/alignment_calibration/README.md).
CALIBRATION_DIR = REPO_DIR / "eval" / "gold" / "alignment_calibration"
# Team-written articles and their translations (eval/gold/alignment_translations/README.md).
TRANSLATION_DIR = REPO_DIR / "eval" / "gold" / "alignment_translations"
# Team-written free translations and edited republications
# (eval/gold/alignment_republications/README.md).
REPUBLICATION_DIR = REPO_DIR / "eval" / "gold" / "alignment_republications"
# Team-written English analysis pieces about one crisis each (eval/gold/alignment_analysis).
ANALYSIS_DIR = REPO_DIR / "eval" / "gold" / "alignment_analysis"
# The gold sets the confidence map is fitted on besides the demo, by report key, with titles.
# Team-written short news items in four languages, for evaluation only (its README.md).
SHORT_TEXTS_DIR = REPO_DIR / "eval" / "gold" / "alignment_short"
CALIBRATION_SETS = {
    "calibration_set": CALIBRATION_DIR,
    "translation_set": TRANSLATION_DIR,
    "republication_set": REPUBLICATION_DIR,
    "analysis_set": ANALYSIS_DIR,
}
SET_TITLES = {
    "demo": "Demo gold",
    "calibration_set": "Calibration set (eval/gold/alignment_calibration: same-language, "
    "two-source pairs)",
    "translation_set": "Translation set (eval/gold/alignment_translations: articles and their "
    "translations)",
    "republication_set": "Republication set (eval/gold/alignment_republications: free "
    "translations and edited republications)",
    "analysis_set": "Analysis set (eval/gold/alignment_analysis: English commentary on one "
    "crisis, with near misses)",
}
THRESHOLD = alignment.MIN_CONFIDENCE
# Short articles for the short map (`short_links`): every pair of a gold set's articles with both
# or one cut to its first n passages, for each n here (all below `alignment.SHORT_PASSAGES`).
SHORT_SIZES = (1, 2, 3, 4)
# The confidences at which held-out precision and recall are reported, for `--min-confidence`.
CONFIDENCE_STEPS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# A gold corpus folder's second annotation round (subfolder; see `second_round_links`).
SECOND_ROUND = "second_round"


# --------------------------------------------------------------------------- helpers


def tfidf_vectors(texts: Sequence[str]) -> Any:
    """L2-normalised TF-IDF of character 2-4-grams within word boundaries (sparse (n, V))."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    return vectorizer.fit_transform(texts)


def precision_at_1(predicted: np.ndarray, gold: np.ndarray) -> float:
    return float(np.mean(np.asarray(predicted) == np.asarray(gold))) if len(gold) else float("nan")


def _argmax_rows(similarities: Any) -> np.ndarray:
    dense = similarities.toarray() if hasattr(similarities, "toarray") else similarities
    return np.asarray(dense).argmax(axis=1)


def _top_links(alignments: Sequence[Alignment], ids_a: Sequence[str]) -> dict[str, str]:
    """For each passage of article A, its linked passage with the highest confidence."""
    wanted, best = set(ids_a), {}
    for link in sorted(alignments, key=lambda al: al.confidence):
        for mine, other in ((link.a, link.b), (link.b, link.a)):
            if mine in wanted:
                best[mine] = other
    return best


# --------------------------------------------------------------------------- NTREX


def read_ntrex(folder: Path) -> tuple[dict[str, list[str]], list[str]]:
    """NTREX lines per language (line-aligned) and the document id of each line."""
    lines = {
        lang: (folder / name).read_text(encoding="utf-8").splitlines()
        for lang, name in NTREX_FILES.items()
    }
    documents = (folder / "document_ids.txt").read_text(encoding="utf-8").splitlines()
    if {len(v) for v in lines.values()} != {len(documents)}:
        raise ValueError(f"{folder}: the NTREX files are not line-aligned")
    return lines, documents


def evaluate_ntrex(
    folder: Path, encoder: Encoder, calibration: LinkCalibration, threshold: float = THRESHOLD
) -> dict[str, Any]:
    """Precision@1 in all 12 directions, documents aligned as article pairs, and pooled."""
    lines, documents = read_ntrex(folder)
    embeddings = {lang: encoder.encode(texts, "passage") for lang, texts in lines.items()}
    spans = _document_spans(documents)
    directions: dict[str, dict[str, float]] = {}
    pooled: dict[str, dict[str, float]] = {}
    translated = 0  # document pairs aligned along their monotone path, over all directions
    for x, y in permutations(NTREX_FILES, 2):
        tfidf = tfidf_vectors(lines[x] + lines[y])
        tf_x, tf_y = tfidf[: len(lines[x])], tfidf[len(lines[x]) :]
        counts: dict[str, float] = defaultdict(float)
        for start, end in spans:
            gold = np.arange(end - start)
            ex, ey = embeddings[x][start:end], embeddings[y][start:end]
            counts["cosine"] += (_argmax_rows(ex @ ey.T) == gold).sum()
            counts["tfidf"] += (_argmax_rows(tf_x[start:end] @ tf_y[start:end].T) == gold).sum()
            counts["margin"] += (alignment.best_matches(ex, ey) == gold).sum()
            product = _product_p1(
                lines[x][start:end], ex, lines[y][start:end], ey, calibration, threshold, (x, y)
            )
            for key, value in product.items():
                counts[key] += value
            translated += product["translated"]
        total = len(documents)
        directions[f"{x}->{y}"] = {
            "cosine": counts["cosine"] / total,
            "tfidf": counts["tfidf"] / total,
            "margin": counts["margin"] / total,
            "product": counts["correct"] / total,
            "link_precision": counts["correct"] / max(counts["linked"], 1),
        }
        pooled[f"{x}->{y}"] = _pooled(
            lines[x],
            embeddings[x],
            lines[y],
            embeddings[y],
            tf_x,
            tf_y,
            calibration,
            threshold,
            (x, y),
        )
    return {
        "lines": len(documents),
        "documents": len(spans),
        "translated_pairs": translated,
        "pairs": len(spans) * len(directions),
        "directions": directions,
        "pooled": pooled,
        "mean": _means(directions),
        "pooled_mean": _means(pooled),
    }


def _document_spans(documents: list[str]) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i in range(1, len(documents) + 1):
        if i == len(documents) or documents[i] != documents[start]:
            spans.append((start, i))
            start = i
    return spans


def _product_p1(
    texts_x: list[str],
    emb_x: np.ndarray,
    texts_y: list[str],
    emb_y: np.ndarray,
    calibration: LinkCalibration,
    threshold: float,
    languages: tuple[str, str],
) -> dict[str, int]:
    """Run `align_passages` on two articles; count X lines whose top link is their translation."""
    ids_x = [f"x:{i}" for i in range(len(texts_x))]
    ids_y = [f"y:{i}" for i in range(len(texts_y))]
    result = alignment.align_passages(
        [
            PassageGroup("x", ids_x, emb_x, texts_x, languages[0]),
            PassageGroup("y", ids_y, emb_y, texts_y, languages[1]),
        ],
        calibration,
        threshold,
    )
    top = _top_links(result.alignments, ids_x)
    correct = sum(1 for pid, other in top.items() if other == "y:" + pid[2:])
    translated = any(al.kind == "translation" for al in result.alignments)
    return {"correct": correct, "linked": len(top), "translated": int(translated)}


def _pooled(
    texts_x: list[str],
    emb_x: np.ndarray,
    texts_y: list[str],
    emb_y: np.ndarray,
    tf_x: Any,
    tf_y: Any,
    calibration: LinkCalibration,
    threshold: float,
    languages: tuple[str, str],
) -> dict[str, float]:
    gold = np.arange(len(texts_x))
    product = _product_p1(texts_x, emb_x, texts_y, emb_y, calibration, threshold, languages)
    return {
        "cosine": precision_at_1(_argmax_rows(emb_x @ emb_y.T), gold),
        "tfidf": precision_at_1(_argmax_rows(tf_x @ tf_y.T), gold),
        "margin": precision_at_1(alignment.best_matches(emb_x, emb_y), gold),
        "product": product["correct"] / len(gold),
        "link_precision": product["correct"] / max(product["linked"], 1),
    }


def _means(table: dict[str, dict[str, float]]) -> dict[str, float]:
    keys = next(iter(table.values())).keys()
    return {key: float(np.mean([row[key] for row in table.values()])) for key in keys}


# --------------------------------------------------------------------------- Tatoeba


def evaluate_tatoeba(folder: Path, encoder: Encoder) -> dict[str, dict[str, float]]:
    """Precision@1 xx->en and en->xx for cosine, margin and TF-IDF retrieval over 1,000 pairs."""
    rows: dict[str, dict[str, float]] = {}
    for lang, code in TATOEBA_CODES.items():
        base = f"tatoeba.{code}-eng"
        other = (folder / f"{base}.{code}").read_text(encoding="utf-8").splitlines()
        english = (folder / f"{base}.eng").read_text(encoding="utf-8").splitlines()
        emb_o, emb_e = encoder.encode(other, "passage"), encoder.encode(english, "passage")
        tfidf = tfidf_vectors(other + english)
        tf_o, tf_e = tfidf[: len(other)], tfidf[len(other) :]
        gold = np.arange(len(other))
        for name, (ea, eb, ta, tb) in {
            f"{lang}->en": (emb_o, emb_e, tf_o, tf_e),
            f"en->{lang}": (emb_e, emb_o, tf_e, tf_o),
        }.items():
            rows[name] = {
                "cosine": precision_at_1(_argmax_rows(ea @ eb.T), gold),
                "margin": precision_at_1(alignment.best_matches(ea, eb), gold),
                "tfidf": precision_at_1(_argmax_rows(ta @ tb.T), gold),
            }
    return rows


# --------------------------------------------------------------------------- demo gold


@dataclass
class DemoCorpus:
    articles: list[Article]
    passages: dict[str, list[Passage]]
    events: dict[str, str]  # article id -> event
    gold_links: set[frozenset[str]]  # unordered passage-id pairs from different articles
    gold_passages: set[str]
    # pairs written to look alike but report different details (gold.json `near_misses`)
    near_misses: set[frozenset[str]] = field(default_factory=set)


def read_demo(demo_dir: Path) -> DemoCorpus:
    """A gold corpus folder's articles segmented as `compare` does, and its gold same-fact links:
    every pair of passages (of different articles) within one of gold.json's `facts`, plus its
    `links` and less its `not_links` (pairs that a second annotation round added or took out,
    see `second_round_links`); and its `near_misses`, if any: pairs written to be tempting but
    wrong, which must not be gold links."""
    loaded = load_articles([demo_dir / "articles"], sidecar=demo_dir / "meta.json")
    if loaded.errors:
        raise ValueError(f"demo corpus unreadable: {loaded.errors[0]}")
    meta = json.loads((demo_dir / "meta.json").read_text(encoding="utf-8"))
    events = {Path(m["file"]).stem: m["event"] for m in meta["articles"]}
    passages = segment_articles(loaded.articles)
    gold = json.loads((demo_dir / "gold.json").read_text(encoding="utf-8"))

    def pairs(key: str) -> list[dict]:
        return [{"passages": [pair["a"], pair["b"]]} for pair in gold.get(key, [])]

    links = fact_links(passages, gold["facts"]) | fact_links(passages, pairs("links"))
    links -= fact_links(passages, pairs("not_links"))
    annotated = {pid for link in links for pid in link}
    near = fact_links(passages, pairs("near_misses"))
    if near & links:
        raise ValueError(f"{demo_dir / 'gold.json'}: a near miss is also a gold link")
    return DemoCorpus(loaded.articles, passages, events, links, annotated, near)


def fact_links(passages: dict[str, list[Passage]], facts: Sequence[dict]) -> set[frozenset[str]]:
    """Same-fact links of annotated facts (each with `passages`: file and quote): every pair of
    their passages from different articles, as unordered passage-id pairs."""
    links: set[frozenset[str]] = set()
    for fact in facts:
        ids = [_passage_of(passages, Path(p["file"]).stem, p["quote"]) for p in fact["passages"]]
        links.update(
            frozenset((x, y))
            for x, y in combinations(ids, 2)
            if x.split(":")[0] != y.split(":")[0] and x != y
        )
    return links


def _passage_of(passages: dict[str, list[Passage]], article_id: str, quote: str) -> str:
    found = [p.id for p in passages[article_id] if quote in p.text]
    if len(found) != 1:
        raise ValueError(f"gold quote {quote!r} is in {len(found)} passages of {article_id}")
    return found[0]


def second_round_links(demo_dir: Path) -> dict[str, set[frozenset[str]]]:
    """A gold corpus's same-fact links by annotation: "first" (gold.json's facts, the first
    round), and one entry per file of the second round (`second_round/annotator_*.json`: two
    annotators who worked apart from each other and from the first round, on
    `second_round/GUIDELINE.md`).

    gold.json's `links` are the links that both second-round annotators made and the first round
    lacks, its `not_links` the first round's links that neither made: the gold is the majority
    of the three annotations."""
    loaded = load_articles([demo_dir / "articles"], sidecar=demo_dir / "meta.json")
    passages = segment_articles(loaded.articles)
    gold = json.loads((demo_dir / "gold.json").read_text(encoding="utf-8"))
    rounds = {"first": fact_links(passages, gold["facts"])}
    for path in sorted((demo_dir / SECOND_ROUND).glob("annotator_*.json")):
        annotation = json.loads(path.read_text(encoding="utf-8"))
        rounds[path.stem] = fact_links(passages, annotation["facts"])
    return rounds


def annotator_agreement(demo_dir: Path) -> dict[str, Any] | None:
    """How far careful readers agree on a gold corpus's same-fact links: precision, recall and
    F1 of each annotation against each other one (None when there is no second round)."""
    rounds = second_round_links(demo_dir)
    if len(rounds) < 3:
        return None
    pairs = {}
    for ref, hyp in combinations(rounds, 2):
        scores = _precision_recall(rounds[hyp], rounds[ref])
        p, r = scores["precision"], scores["recall"]
        pairs[f"{hyp} against {ref}"] = {**scores, "f1": 2 * p * r / (p + r) if p + r else 0.0}
    return {"links": {name: len(links) for name, links in rounds.items()}, "pairs": pairs}


def demo_groups(demo: DemoCorpus, encoder: Encoder) -> list[PassageGroup]:
    groups = []
    for article in demo.articles:
        passages = demo.passages[article.id]
        texts = [p.text for p in passages]
        groups.append(
            PassageGroup(
                article.id,
                [p.id for p in passages],
                encoder.encode(texts, "passage"),
                texts,
                article.language,
            )
        )
    return groups


def labelled_candidates(
    demo: DemoCorpus, groups: list[PassageGroup]
) -> tuple[list[tuple[Alignment, tuple[str, str] | None]], np.ndarray, np.ndarray]:
    """Candidate links over the whole demo corpus, their features (n, len(FEATURES)) and gold
    labels (n,)."""
    candidates = alignment.find_candidates(groups)
    features = np.array([c.features() for c, _ in candidates])
    labels = np.array([frozenset((c.a, c.b)) in demo.gold_links for c, _ in candidates], int)
    return candidates, features, labels


# How `short_links` cuts an article pair: both articles short, or one short beside the whole
# other (a lede, a statement or a wire item against a full story).
SHORT_CUTS = ("both", "one")


@dataclass
class ShortLinks:
    """Candidate links of every pair of a gold corpus's articles with one or both cut to its
    first n passages (n in `SHORT_SIZES`), each pair aligned on its own, as a user posting a
    short text would: what the short map (`models.calibration`) is fitted and measured on.

    Every (article pair, n, cut) is a case; `cases[i]` is the case of candidate i, `settings`
    the (n, cut) of each case and `gold` the gold links between its two (cut) articles."""

    candidates: list[tuple[Alignment, tuple[str, str] | None]]
    cases: np.ndarray  # (n,) int: the case of each candidate
    labels: np.ndarray  # (n,) int in {0, 1}
    events: list[tuple[str, str]]  # (event of a, event of b) for each candidate
    settings: list[tuple[int, str]]  # per case: (passages the short side was cut to, cut)
    gold: list[set[frozenset[str]]]  # per case

    @property
    def features(self) -> np.ndarray:
        """(n, len(SHORT_FEATURES)) float: the short map's features."""
        rows = [link.short_features() for link, _ in self.candidates]
        return np.array(rows, dtype=float).reshape(len(rows), len(SHORT_FEATURES))


def short_links(
    corpus: DemoCorpus, groups: Sequence[PassageGroup], sizes: Sequence[int] = SHORT_SIZES
) -> ShortLinks:
    """The `ShortLinks` of a gold corpus: for each size n, every pair of its articles with both
    cut to their first n passages, and with either one so cut beside the other whole, aligned by
    the product's candidate search; a link is right when the gold links its two passages."""
    candidates: list[tuple[Alignment, tuple[str, str] | None]] = []
    cases: list[int] = []
    settings: list[tuple[int, str]] = []
    gold: list[set[frozenset[str]]] = []
    for n in sizes:
        cut = [PassageGroup(g.article_id, g.ids[:n], g.embeddings[:n],
                            None if g.texts is None else g.texts[:n], g.language)
               for g in groups]  # fmt: skip
        for x, y in combinations(range(len(groups)), 2):
            pairs = ((cut[x], cut[y], "both"), (cut[x], groups[y], "one"),
                     (groups[x], cut[y], "one"))  # fmt: skip
            for a, b, how in pairs:
                kept = {*a.ids, *b.ids}
                found = alignment.find_candidates([a, b])
                candidates += found
                cases += [len(settings)] * len(found)
                settings.append((n, how))
                gold.append({link for link in corpus.gold_links if link <= kept})
    labels = np.array([frozenset((c.a, c.b)) in corpus.gold_links for c, _ in candidates], int)
    event = corpus.events
    events = [(event[c.a.split(":")[0]], event[c.b.split(":")[0]]) for c, _ in candidates]
    return ShortLinks(candidates, np.array(cases, int), labels, events, settings, gold)


@dataclass
class LabelledLinks:
    """One gold corpus (the demo, the calibration set) with its candidate links labelled."""

    corpus: DemoCorpus
    groups: list[PassageGroup]
    candidates: list[tuple[Alignment, tuple[str, str] | None]]
    features: np.ndarray  # (n, len(FEATURES)) float, `models.calibration.FEATURES` order
    labels: np.ndarray  # (n,) int in {0, 1}
    # the monotone-path links of every article pair (`alignment.path_links`), labelled (p,)
    paths: list[Alignment] = field(default_factory=list)
    path_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    # the candidate links of its articles cut short (`short_links`), for the short map
    short: ShortLinks | None = None

    @property
    def translated(self) -> np.ndarray:
        """(n,) bool: the candidate is a link of a translated article pair (kind 'translation')."""
        return np.array([c.kind == "translation" for c, _ in self.candidates], dtype=bool)

    @property
    def path_features(self) -> np.ndarray:
        """(p, len(TRANSLATION_FEATURES)) float: the path links' translation-map features."""
        rows = [link.translation_features() for link in self.paths]
        return np.array(rows, dtype=float).reshape(len(rows), len(TRANSLATION_FEATURES))

    @property
    def events(self) -> list[tuple[str, str]]:
        """(event of a, event of b) for each candidate link."""
        return self._events([c for c, _ in self.candidates])

    @property
    def path_events(self) -> list[tuple[str, str]]:
        """(event of a, event of b) for each path link."""
        return self._events(self.paths)

    def _events(self, links: Sequence[Alignment]) -> list[tuple[str, str]]:
        event = self.corpus.events
        return [(event[link.a.split(":")[0]], event[link.b.split(":")[0]]) for link in links]


def labelled_links(corpus_dir: Path, encoder: Encoder) -> LabelledLinks:
    """Read a gold corpus folder (articles/, meta.json, gold.json), embed it, label candidates."""
    corpus = read_demo(corpus_dir)
    groups = demo_groups(corpus, encoder)
    paths = alignment.path_links(groups)
    path_labels = np.array([frozenset((p.a, p.b)) in corpus.gold_links for p in paths], int)
    return LabelledLinks(corpus, groups, *labelled_candidates(corpus, groups), paths, path_labels,
                         short_links(corpus, groups))  # fmt: skip


def fit_calibration(
    sets: Sequence[LabelledLinks],
    trains: Sequence[np.ndarray | None] | None = None,
    version: str = "unfitted",
    path_trains: Sequence[np.ndarray | None] | None = None,
) -> LinkCalibration:
    """All four maps fitted on the links of `sets` selected by `trains` (one boolean mask (n,)
    per set; None: all its links): the two stages on the candidate links of matched article
    pairs, the translation map on the path links of every article pair selected by `path_trains`
    (masks (p,) likewise; left out, with a warning, when they are all right or all wrong), and
    the short map on the short links of every set that has them (`fit_short_map`).

    The support of every candidate is computed within its own corpus from first-stage
    confidences of all its candidates (no labels), as the product does; only the fit uses
    labels, and only those selected.
    """
    chosen = [
        np.ones(len(s.labels), bool) if m is None else m
        for s, m in zip(sets, trains or [None] * len(sets), strict=True)
    ]
    masks = [m & ~s.translated for s, m in zip(sets, chosen, strict=True)]
    features = np.concatenate([s.features[m] for s, m in zip(sets, masks, strict=True)])
    labels = np.concatenate([s.labels[m] for s, m in zip(sets, masks, strict=True)])
    calibration = LinkCalibration(version=version).fit(features, labels)
    with_support = []
    for s, m in zip(sets, masks, strict=True):
        owner = {pid: g.article_id for g in s.groups for pid in g.ids}
        links = [c for c, _ in s.candidates]
        support = alignment.transitive_support(links, calibration.predict_proba(s.features), owner)
        with_support.append(np.column_stack([s.features, support])[m])
    stage2 = LinkCalibration(version=version, features=SUPPORT_FEATURES)
    calibration.support_ = stage2.fit(np.concatenate(with_support), labels)
    paths = [
        np.ones(len(s.paths), bool) if m is None else m
        for s, m in zip(sets, path_trains or [None] * len(sets), strict=True)
    ]
    path_labels = np.concatenate([s.path_labels[m] for s, m in zip(sets, paths, strict=True)])
    if len(set(path_labels.tolist())) == 2:
        path_features = np.concatenate(
            [s.path_features[m] for s, m in zip(sets, paths, strict=True)]
        )
        translation = LinkCalibration(version=version, features=TRANSLATION_FEATURES)
        calibration.translation_ = translation.fit(path_features, path_labels)
    else:
        logger.warning(
            "no translation map: its %d path links need right and wrong ones; links of "
            "translated pairs are scored by the first stage",
            len(path_labels),
        )
    calibration.short_ = fit_short_map(sets, version=version)
    return calibration


def fit_short_map(
    sets: Sequence[LabelledLinks],
    trains: Sequence[np.ndarray | None] | None = None,
    version: str = "unfitted",
) -> LinkCalibration | None:
    """The short map, fitted on the short links (`ShortLinks`) of `sets` selected by `trains`
    (one boolean mask per set, None: all); None when no set has short links of both kinds."""
    chosen = [(s.short, m) for s, m in zip(sets, trains or [None] * len(sets), strict=True)
              if s.short is not None]  # fmt: skip
    if not chosen:
        return None
    masks = [np.ones(len(short.labels), bool) if m is None else m for short, m in chosen]
    labels = np.concatenate([short.labels[m] for (short, _), m in zip(chosen, masks, strict=True)])
    if len(set(labels.tolist())) != 2:
        return None
    features = np.concatenate(
        [short.features[m] for (short, _), m in zip(chosen, masks, strict=True)]
    )
    return LinkCalibration(version=version, features=SHORT_FEATURES).fit(features, labels)


def held_out_short(sets: Sequence[LabelledLinks], target: int = 0) -> np.ndarray:
    """Leave-one-event-out confidences (n,) of `sets[target]`'s short links under the short map:
    each scored by a map fitted without any short link that touches its first article's event
    (the other sets' short links always in training)."""
    held = sets[target].short
    if held is None:
        raise ValueError("this gold set has no short links")
    confidences = np.zeros(len(held.labels))
    features = held.features
    for event in sorted({pair[0] for pair in held.events}):
        train = np.array([event not in pair for pair in held.events], bool)
        test = np.array([pair[0] == event for pair in held.events], bool)
        fold = fit_short_map(sets, [train if n == target else None for n in range(len(sets))])
        if fold is not None:
            confidences[test] = fold.predict_proba(features[test])
    return confidences


def short_report(
    held: LabelledLinks, confidences: np.ndarray, calibration: LinkCalibration,
    threshold: float = THRESHOLD,
) -> list[dict[str, Any]]:  # fmt: skip
    """Per (n, cut) of `held.short` (`SHORT_CUTS`): the gold links, and precision/recall of the
    links kept from `threshold` by the short map (`confidences`, held out) and by the
    whole-article map alone (`calibration` without its short map, as before there was one),
    summed over the cases (article pairs) so cut."""
    short = held.short
    if short is None:
        raise ValueError("this gold set has no short links")
    whole = calibration.without_short_map()
    before = alignment.score_candidates([c for c, _ in short.candidates], whole, [])
    members: dict[int, list[int]] = {}
    for i, case in enumerate(short.cases.tolist()):
        members.setdefault(case, []).append(i)
    rows = []
    for setting in sorted(set(short.settings), key=lambda s: (SHORT_CUTS.index(s[1]), s[0])):
        cases = [k for k, other in enumerate(short.settings) if other == setting]
        row: dict[str, Any] = {"passages": setting[0], "cut": setting[1],
                               "gold": sum(len(short.gold[k]) for k in cases)}  # fmt: skip
        for name, scores in (("whole_article_map", before), ("short_map", confidences)):
            predicted = right = 0
            for k in cases:
                chosen = members.get(k, [])
                kept = alignment.accept_links([short.candidates[i] for i in chosen],
                                              scores[chosen], threshold)  # fmt: skip
                links = {frozenset((link.a, link.b)) for link in kept}
                predicted, right = predicted + len(links), right + len(links & short.gold[k])
            gold = row["gold"]
            row[name] = {"precision": right / max(predicted, 1), "recall": right / max(gold, 1),
                         "predicted": predicted, "gold": gold, "right": right}  # fmt: skip
        rows.append(row)
    return rows


def held_out_confidences(sets: Sequence[LabelledLinks], target: int = 0) -> np.ndarray:
    """Leave-one-event-out for `sets[target]`: each of its links is scored by a map (all its
    parts) fitted without its first article's event (and without any candidate or path link
    touching that event); the other sets, separate data, are always in the training folds.
    (n,) float64."""
    held = sets[target]
    events = held.events
    links = [c for c, _ in held.candidates]
    confidences = np.zeros(len(held.candidates))
    path_events = held.path_events
    for event in sorted(set(held.corpus.events.values())):
        train = np.array([event not in pair for pair in events])
        test = np.array([pair[0] == event for pair in events])
        trains = [train if n == target else None for n in range(len(sets))]
        path_train = np.array([event not in pair for pair in path_events], bool)
        path_trains = [path_train if n == target else None for n in range(len(sets))]
        fold = fit_calibration(sets, trains, path_trains=path_trains)
        confidences[test] = alignment.score_candidates(links, fold, held.groups)[test]
    return confidences


def score_links(
    demo: DemoCorpus,
    candidates: Sequence[tuple[Alignment, tuple[str, str] | None]],
    confidences: np.ndarray,
    groups: list[PassageGroup],
    threshold: float = THRESHOLD,
) -> dict[str, Any]:
    """Precision and recall of accepted links (and of pairs inside predicted facts) vs gold."""
    links = alignment.accept_links(candidates, confidences, threshold)
    facts = alignment.group_facts(links, groups)
    predicted = {frozenset((al.a, al.b)) for al in links}
    in_facts = {
        frozenset((x, y))
        for f in facts
        for x, y in combinations(f.passages, 2)
        if x.split(":")[0] != y.split(":")[0]
    }
    language = {a.id: a.language or "?" for a in demo.articles}

    def across(pair: frozenset[str]) -> bool:
        return len({demo.events[p.split(":")[0]] for p in pair}) > 1

    near = {"near_misses": len(demo.near_misses), "linked": len(predicted & demo.near_misses)}
    return {
        "links": _precision_recall(predicted, demo.gold_links),
        "fact_pairs": _precision_recall(in_facts, demo.gold_links),
        **({"near_misses": near} if demo.near_misses else {}),
        # links between articles of one event, and background mentions across events
        "by_event": {
            name: _precision_recall(
                {x for x in predicted if across(x) == cross},
                {x for x in demo.gold_links if across(x) == cross},
            )
            for name, cross in (("same event", False), ("different events", True))
        },
        "by_language_pair": _by_language_pair(predicted, demo.gold_links, language),
        "facts": len(facts),
    }


def _precision_recall(
    predicted: set[frozenset[str]], gold: set[frozenset[str]]
) -> dict[str, float]:
    right = len(predicted & gold)
    return {
        "precision": right / max(len(predicted), 1),
        "recall": right / max(len(gold), 1),
        "predicted": len(predicted),
        "gold": len(gold),
        "right": right,
    }


def _by_language_pair(
    predicted: set[frozenset[str]], gold: set[frozenset[str]], language: dict[str, str]
) -> dict[str, dict[str, float]]:
    def key(pair: frozenset[str]) -> str:
        return "-".join(sorted(language[p.split(":")[0]] for p in pair))

    return {
        name: _precision_recall(
            {p for p in predicted if key(p) == name}, {g for g in gold if key(g) == name}
        )
        for name in sorted({key(g) for g in gold})
    }


def diagnose_links(
    demo: DemoCorpus,
    candidates: Sequence[tuple[Alignment, tuple[str, str] | None]],
    confidences: np.ndarray,
    groups: Sequence[PassageGroup],
    threshold: float = THRESHOLD,
    min_words: int = 3,
) -> dict[str, dict[str, int]]:
    """Why gold links are missed and what the wrong accepted links are (counts).

    Missed: a passage under `min_words`; not a candidate, by the margin ranks of the pair
    (each passage's rank among the other's candidates, 0 = best: 'ranks 0/1' means one side's
    best, the other's second); a candidate below `threshold`, by kind. Wrong: links between
    events, and within an event by whether the gold annotates both, one or neither passage.
    """
    accepted = alignment.accept_links(candidates, confidences, threshold)
    predicted = {frozenset((al.a, al.b)) for al in accepted}
    proposed = {frozenset((c.a, c.b)): c.kind for c, _ in candidates}
    where = {pid: (g, pos) for g in groups for pos, pid in enumerate(g.ids)}
    missed: dict[str, int] = defaultdict(int)
    for link in demo.gold_links - predicted:
        x, y = sorted(link)
        (ga, pa), (gb, pb) = where[x], where[y]
        if link in proposed:
            missed[f"candidate below threshold ({proposed[link]})"] += 1
        elif (
            min(alignment.count_words((g.texts or [""])[p]) for g, p in ((ga, pa), (gb, pb)))
            < min_words
        ):
            missed["passage under min_words"] += 1
        else:
            label = _rank_label(*_margin_ranks(ga, pa, gb, pb, min_words))
            missed[f"not a candidate, margin ranks {label}"] += 1
    wrong: dict[str, int] = defaultdict(int)
    for link in predicted - demo.gold_links:
        x, y = sorted(link)
        if demo.events[x.split(":")[0]] != demo.events[y.split(":")[0]]:
            wrong["between events"] += 1
        else:
            annotated = (x in demo.gold_passages) + (y in demo.gold_passages)
            kind = ("neither passage", "one passage", "both passages")[annotated]
            wrong[f"same event, {kind} in gold"] += 1
    return {"missed": dict(sorted(missed.items())), "wrong": dict(sorted(wrong.items()))}


def _margin_ranks(
    a: PassageGroup, pos_a: int, b: PassageGroup, pos_b: int, min_words: int
) -> tuple[int, int]:
    """Rank (0 = best) of b's passage among a's passage's candidates by margin, and back."""
    keep_a, keep_b = (alignment.content_mask(g, min_words) for g in (a, b))
    rank_ab, rank_ba = _rank_matrices(a.embeddings[keep_a], b.embeddings[keep_b])
    i, j = int(np.flatnonzero(keep_a == pos_a)[0]), int(np.flatnonzero(keep_b == pos_b)[0])
    return int(rank_ab[i, j]), int(rank_ba[i, j])


def _rank_matrices(emb_a: np.ndarray, emb_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two (m, n) int matrices for articles of m and n passages: [i, j] is the rank (0 = best) of
    b's passage j among a's passage i's candidates by margin, and of i among j's; a pair that is
    not a candidate ranks after every candidate (`alignment.match_pair`)."""
    matches = alignment.match_pair(emb_a, emb_b)

    def ranks(idx: np.ndarray, margins: np.ndarray, n: int) -> np.ndarray:
        order = np.take_along_axis(idx, np.argsort(-margins, axis=1, kind="stable"), axis=1)
        out = np.full((len(idx), n), idx.shape[1])
        out[np.arange(len(idx))[:, None], order] = np.arange(idx.shape[1])[None, :]
        return out

    return (
        ranks(matches.idx_ab, matches.margins_ab, len(emb_b)),
        ranks(matches.idx_ba, matches.margins_ba, len(emb_a)).T,
    )


def _rank_label(rank_a: int, rank_b: int) -> str:
    """'0/1' for one side's best and the other's second, ranks from 2 on as '2+', lower first."""
    return "/".join(str(r) if r < 2 else "2+" for r in sorted((rank_a, rank_b)))


RANK_CLASSES = ("0/0", "0/1", "1/1", "0/2+", "1/2+", "2+/2+")


def rank_classes(held: LabelledLinks, min_words: int = 3) -> dict[str, dict[str, int]]:
    """Every pair of passages of two articles (of at least `min_words` words each) by its margin
    ranks (`_rank_label`), counted for articles of one event and of two, with how many are gold
    links: where the gold lies beyond the mutual best matches (0/0, the candidates with spans),
    and how many wrong pairs lie with it. {class: {same_event, same_event_gold,
    different_events, different_events_gold}}."""
    counts = {c: dict.fromkeys(("same_event", "same_event_gold", "different_events",
                                "different_events_gold"), 0) for c in RANK_CLASSES}  # fmt: skip
    events, gold = held.corpus.events, held.corpus.gold_links
    for a, b in combinations(held.groups, 2):
        keep_a, keep_b = (alignment.content_mask(g, min_words) for g in (a, b))
        if not len(keep_a) or not len(keep_b):
            continue
        rank_ab, rank_ba = _rank_matrices(a.embeddings[keep_a], b.embeddings[keep_b])
        where = "same_event" if events[a.article_id] == events[b.article_id] else "different_events"
        for i, pos_a in enumerate(keep_a):
            for j, pos_b in enumerate(keep_b):
                row = counts[_rank_label(int(rank_ab[i, j]), int(rank_ba[i, j]))]
                row[where] += 1
                row[f"{where}_gold"] += frozenset((a.ids[pos_a], b.ids[pos_b])) in gold
    return counts


def evaluate_gold(
    sets: Sequence[LabelledLinks],
    target: int,
    calibration: LinkCalibration,
    threshold: float = THRESHOLD,
    baselines: bool = True,
) -> dict[str, Any]:
    """One gold corpus, `sets[target]`: held-out (leave-one-event-out, the other sets always in
    training) and in-sample (packaged map) link quality; "unseen": scored by a map fitted on the
    other sets only (how the map does on a kind of text it never saw); the baselines (mutual best
    matches by plain cosine and by TF-IDF, no threshold), and reliability of the held-out
    confidences."""
    held = sets[target]
    demo, groups, candidates, labels = held.corpus, held.groups, held.candidates, held.labels
    held_out = held_out_confidences(sets, target)
    ece, table = reliability(held_out, labels)
    in_sample = alignment.score_candidates([c for c, _ in candidates], calibration, groups)
    report: dict[str, Any] = {
        "articles": len(groups),
        "candidates": len(candidates),
        "positives": int(labels.sum()),
        "held_out": score_links(demo, candidates, held_out, groups, threshold),
        "held_out_by_confidence": links_by_confidence(demo, candidates, held_out, groups),
        "errors": diagnose_links(demo, candidates, held_out, groups, threshold),
        "in_sample": score_links(demo, candidates, in_sample, groups, threshold),
        "reliability": {"ece": ece, "table": table},
    }
    others = [s for n, s in enumerate(sets) if n != target]
    if others:
        without = fit_calibration(others)
        unseen = alignment.score_candidates([c for c, _ in candidates], without, groups)
        report["unseen"] = score_links(demo, candidates, unseen, groups, threshold)
    report["rank_classes"] = rank_classes(held)
    if held.short is not None and calibration.short_ is not None:
        short = held_out_short(sets, target)
        report["short_articles"] = short_report(held, short, calibration, threshold)
        ece, table = reliability(short, held.short.labels)
        report["short_reliability"] = {"ece": ece, "table": table}
    separation = article_separation(held)
    if separation is not None:
        report["article_similarity"] = separation
    if demo.near_misses:
        report["near_miss_separation"] = near_miss_separation(held)
    if baselines:
        mutual = np.array([1.0 if anchor is None else 0.0 for _, anchor in candidates])
        report["baselines"] = {
            "margin_mutual_all": score_links(demo, candidates, mutual, groups, threshold),
            "cosine_mutual": _baseline_links(demo, groups, None),
            "tfidf_mutual": _baseline_links(demo, groups, tfidf_vectors),
        }
    return report


def links_by_confidence(
    demo: DemoCorpus,
    candidates: Sequence[tuple[Alignment, tuple[str, str] | None]],
    confidences: np.ndarray,
    groups: list[PassageGroup],
    thresholds: Sequence[float] = CONFIDENCE_STEPS,
) -> list[dict[str, float]]:
    """Precision and recall of the links kept from each confidence in `thresholds` (what
    `--min-confidence` trades), one row each: {"min_confidence", "precision", "recall",
    "predicted", "gold", "right"}."""
    rows = []
    for value in thresholds:
        links = score_links(demo, candidates, confidences, groups, value)["links"]
        rows.append({"min_confidence": value, **links})
    return rows


def article_separation(held: LabelledLinks, min_words: int = 3) -> dict[str, Any] | None:
    """How well the link feature `article_similarity` (`alignment.article_cosine`) tells the
    corpus's article pairs of one event from those of two: its ROC AUC and the mean of each kind
    (None when the corpus has only one kind)."""
    from sklearn.metrics import roc_auc_score

    groups, event = held.groups, held.corpus.events
    same, cosine = [], []
    for a, b in combinations(groups, 2):
        keep_a, keep_b = (alignment.content_mask(g, min_words) for g in (a, b))
        if len(keep_a) and len(keep_b):
            same.append(int(event[a.article_id] == event[b.article_id]))
            cosine.append(alignment.article_cosine(a.embeddings[keep_a], b.embeddings[keep_b]))
    if len(set(same)) < 2:
        return None
    labels, values = np.array(same), np.array(cosine)
    return {
        "pairs": len(same),
        "same_event_pairs": int(labels.sum()),
        "auc": round(float(roc_auc_score(labels, values)), 4),
        "mean_same_event": round(float(values[labels == 1].mean()), 4),
        "mean_different_events": round(float(values[labels == 0].mean()), 4),
    }


def near_miss_separation(held: LabelledLinks) -> dict[str, Any]:
    """How well the encoder's plain cosine tells the corpus's gold links from its near misses
    (pairs written to look alike): ROC AUC and the median cosine of each. A property of the
    embeddings alone, before margins, anchors or the confidence map."""
    from sklearn.metrics import roc_auc_score

    vectors = {pid: row for g in held.groups for pid, row in zip(g.ids, g.embeddings, strict=True)}

    def cosines(pairs: set[frozenset[str]]) -> list[float]:
        return [float(vectors[a] @ vectors[b]) for a, b in map(sorted, pairs)]

    gold, near = cosines(held.corpus.gold_links), cosines(held.corpus.near_misses)
    return {
        "gold_links": len(gold),
        "near_misses": len(near),
        "auc": round(float(roc_auc_score([1] * len(gold) + [0] * len(near), gold + near)), 4),
        "median_gold": round(float(np.median(gold)), 4),
        "median_near_miss": round(float(np.median(near)), 4),
    }


def _baseline_links(demo: DemoCorpus, groups: list[PassageGroup], vectorise: Any) -> dict:
    """Mutual best matches by plain similarity between every pair of articles, no threshold."""
    if vectorise is not None:
        matrix = vectorise([t for g in groups for t in g.texts or []]).toarray().astype(np.float32)
        bounds = np.cumsum([0] + [len(g.ids) for g in groups])
        groups = [
            PassageGroup(g.article_id, g.ids, matrix[bounds[n] : bounds[n + 1]], g.texts)
            for n, g in enumerate(groups)
        ]
    predicted: set[frozenset[str]] = set()
    for a, b in combinations(groups, 2):
        sims = a.embeddings @ b.embeddings.T
        best_b, best_a = sims.argmax(axis=1), sims.argmax(axis=0)
        predicted.update(
            frozenset((a.ids[i], b.ids[j])) for i, j in enumerate(best_b) if best_a[j] == i
        )
    return {"links": _precision_recall(predicted, demo.gold_links)}


# --------------------------------------------------------------------------- calibration


def gold_sets(gold_dirs: Sequence[Path], encoder: Encoder) -> list[LabelledLinks]:
    """The labelled candidate links of every gold corpus folder given."""
    return [labelled_links(folder, encoder) for folder in gold_dirs]


def build_calibration(
    demo_dir: Path,
    encoder: Encoder,
    out: Path | None = None,
    version: str = CALIBRATION_VERSION,
    extra_sets: dict[str, Path] = CALIBRATION_SETS,
    command: str = CALIBRATE_COMMAND,
) -> dict[str, Any]:
    """Fit the confidence map for `encoder` on all candidate links of the demo gold and the other
    gold sets (`CALIBRATION_SETS`); write it (default: the encoder's packaged map,
    `calibration_path`) with provenance (command, data, and the reliability of
    leave-one-event-out predictions on each)."""
    out = out or calibration_path(encoder.name)
    folders = {"demo": demo_dir, **extra_sets}
    sets = gold_sets(list(folders.values()), encoder)
    reliabilities = {}
    for n, name in enumerate(folders):
        ece, table = reliability(held_out_confidences(sets, n), sets[n].labels)
        reliabilities[name] = {
            "scheme": "leave-one-event-out (the other gold sets always in training)",
            "ece": round(ece, 4),
            "table": [{k: round(v, 4) for k, v in row.items()} for row in table],
        }
        short = sets[n].short
        if short is not None:
            ece, table = reliability(held_out_short(sets, n), short.labels)
            reliabilities[f"{name}, short map"] = {
                "scheme": f"leave-one-event-out, article pairs with both or one cut to its "
                f"first {min(SHORT_SIZES)} to {max(SHORT_SIZES)} passages",
                "ece": round(ece, 4),
                "table": [{k: round(v, 4) for k, v in row.items()} for row in table],
            }
    calibration = fit_calibration(sets, version=version)
    data = "; ".join(
        f"{_relative(folder)}/gold.json: {len(s.candidates)} candidate links over all pairs of "
        f"its {len(s.groups)} articles, {int(s.labels.sum())} right"
        for folder, s in zip(folders.values(), sets, strict=True)
    )
    provenance = {
        "command": command,
        "method": alignment.METHOD,
        "encoder": encoder.name,
        "data": data,
        "held_out_reliability": reliabilities,
        "threshold": THRESHOLD,
    }
    calibration.save(out, **provenance)
    logger.info("wrote %s (features %s, support stage %s)", out, FEATURES, SUPPORT_FEATURES)
    return {**calibration.to_dict(), **provenance}


def _relative(folder: Path) -> str:
    try:
        return str(folder.resolve().relative_to(REPO_DIR))
    except ValueError:
        return str(folder)


# --------------------------------------------------------------------------- entry point


def evaluate_alignment(
    shared_dir: Path,
    demo_dir: Path,
    encoder: Encoder,
    calibration: LinkCalibration | None = None,
    threshold: float = THRESHOLD,
    extra_sets: dict[str, Path] = CALIBRATION_SETS,
    short_texts: Path = SHORT_TEXTS_DIR,
) -> dict[str, Any]:
    """All alignment measures that the data present allow; absent data sets are reported skipped."""
    calibration = calibration or LinkCalibration.for_encoder(encoder.name)
    report: dict[str, Any] = {
        "method": alignment.METHOD,
        "calibration": calibration.version,
        "encoder": encoder.name,
        "threshold": threshold,
        "skipped": [],
    }
    ntrex, tatoeba = shared_dir / "data" / "ntrex-dev", shared_dir / "data" / "tatoeba"
    if (ntrex / "eng.txt").is_file():
        report["ntrex"] = evaluate_ntrex(ntrex, encoder, calibration, threshold)
    else:
        report["skipped"].append(f"NTREX: {ntrex} not found")
    if tatoeba.is_dir():
        report["tatoeba"] = evaluate_tatoeba(tatoeba, encoder)
    else:
        report["skipped"].append(f"Tatoeba: {tatoeba} not found")
    gold = {"demo": demo_dir, **extra_sets}
    present = {name: folder for name, folder in gold.items() if (folder / "gold.json").is_file()}
    for name, folder in gold.items():
        if name not in present:
            report["skipped"].append(f"{name} gold: {folder / 'gold.json'} not found")
    sets = gold_sets(list(present.values()), encoder)
    for n, name in enumerate(present):
        report[name] = evaluate_gold(sets, n, calibration, threshold, baselines=name == "demo")
    for name, folder in present.items():
        report[name]["agreement"] = annotator_agreement(folder)
    if (short_texts / "gold.json").is_file():
        report["short_texts"] = evaluate_short_texts(short_texts, encoder, calibration, threshold)
    else:
        report["skipped"].append(f"short texts: {short_texts / 'gold.json'} not found")
    return report


def evaluate_short_texts(
    folder: Path, encoder: Encoder, calibration: LinkCalibration, threshold: float = THRESHOLD
) -> dict[str, Any]:
    """Links between short texts that no map was fitted on (`SHORT_TEXTS_DIR`): precision and
    recall when every pair of texts is aligned on its own ("pairs", as a user posting two texts)
    and when all are aligned at once ("all", with support through third texts), by the packaged
    map and by its whole-article part alone (as before there was a short map)."""
    corpus = read_demo(folder)
    groups = demo_groups(corpus, encoder)
    whole = calibration.without_short_map()
    report: dict[str, Any] = {"articles": len(groups), "gold": len(corpus.gold_links)}
    runs = {"pairs": [[groups[x], groups[y]] for x, y in combinations(range(len(groups)), 2)],
            "all": [groups]}  # fmt: skip
    for setting, inputs in runs.items():
        report[setting] = {}
        for name, chosen in (("short_map", calibration), ("whole_article_map", whole)):
            predicted = {
                frozenset((link.a, link.b))
                for run in inputs
                for link in alignment.align_passages(run, chosen, threshold).alignments
            }
            report[setting][name] = _precision_recall(predicted, corpus.gold_links)  # fmt: skip
    return report


def held_out_links(report: dict[str, Any]) -> dict[str, Any]:
    """The row of `compare_encoders` for an `evaluate_alignment` report (no work redone)."""
    row = {"encoder": report["encoder"], "calibration": report["calibration"]}
    return row | {name: report[name]["held_out"]["links"] for name in SET_TITLES if name in report}


def compare_encoders(
    demo_dir: Path,
    encoders: dict[str, Encoder],
    threshold: float = THRESHOLD,
    extra_sets: dict[str, Path] = CALIBRATION_SETS,
) -> dict[str, dict[str, Any]]:
    """Held-out link precision/recall on every gold set, per encoder, each with its own packaged
    map (`LinkCalibration.for_encoder`); held-out confidences are refitted without the event.
    The same figures as `evaluate_alignment`'s held-out links (`held_out_links`)."""
    gold = {"demo": demo_dir, **extra_sets}
    present = {name: folder for name, folder in gold.items() if (folder / "gold.json").is_file()}
    table: dict[str, dict[str, Any]] = {}
    for label, encoder in encoders.items():
        sets = gold_sets(list(present.values()), encoder)
        calibration = LinkCalibration.for_encoder(encoder.name)
        table[label] = {"encoder": encoder.name, "calibration": calibration.version}
        for n, name in enumerate(present):
            held = sets[n]
            confidences = held_out_confidences(sets, n)
            scored = score_links(held.corpus, held.candidates, confidences, held.groups, threshold)
            table[label][name] = scored["links"]
    return table


# --------------------------------------------------------------------------- markdown


def to_markdown(report: dict[str, Any], command: str) -> str:
    """The alignment section of eval/RESULTS.md for a report of `evaluate_alignment`."""
    out = [
        f"### Alignment (`{report['method']}`, calibration `{report['calibration']}`, "
        f"encoder `{report['encoder']}`)",
        "",
        f"Command: `{command}`",
        "",
    ]
    if "ntrex" in report:
        out += _ntrex_markdown(report["ntrex"])
    if "tatoeba" in report:
        out += [
            "Tatoeba, precision@1 over 1,000 pairs (LaBSE, published: about 0.94):",
            "",
            "| direction | cosine | margin | TF-IDF char |",
            "| --- | --- | --- | --- |",
        ]
        out += [
            f"| {name} | {r['cosine']:.3f} | {r['margin']:.3f} | {r['tfidf']:.3f} |"
            for name, r in report["tatoeba"].items()
        ]
        out.append("")
    for name, title in SET_TITLES.items():
        if name in report:
            out += _gold_markdown(title, report[name], report["threshold"])
    if report.get("short_texts"):
        out += _short_texts_markdown(report["short_texts"], report["threshold"])
    if report.get("encoders"):
        out += _encoders_markdown(report["encoders"], report["threshold"])
    out += [f"Skipped: {item}" for item in report["skipped"]]
    return "\n".join(out) + "\n"


def _short_texts_markdown(report: dict[str, Any], threshold: float) -> list[str]:
    out = [
        f"Short texts (eval/gold/alignment_short: {report['articles']} items of one or two "
        f"sentences on three invented events in en/ru/uk/az, never fitted on; "
        f"{report['gold']} gold links; confidence >= {threshold}):",
        "",
        "| aligned | map | precision | recall | links | right |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    settings = {"pairs": "every pair on its own", "all": "all at once"}
    maps = {"short_map": "packaged (short map)", "whole_article_map": "whole-article map alone"}
    out += [f"| {settings[setting]} | {maps[name]} | {_pr(report[setting][name])} |"
            for setting in settings for name in maps]  # fmt: skip
    return [*out, ""]


def _encoders_markdown(encoders: dict[str, dict[str, Any]], threshold: float) -> list[str]:
    names = [name for name in SET_TITLES if all(name in row for row in encoders.values())]
    out = [
        f"Encoders compared (links held out by event, confidence >= {threshold}; each encoder "
        "with the confidence map fitted on its own similarities):",
        "",
        "| encoder | " + " | ".join(f"{name} P / R" for name in names) + " |",
        "| --- | " + " | ".join("---" for _ in names) + " |",
    ]
    for label, row in encoders.items():
        cells = [f"{row[name]['precision']:.3f} / {row[name]['recall']:.3f}" for name in names]
        out.append(f"| {label} (`{row['encoder']}`) | " + " | ".join(cells) + " |")
    return [*out, ""]


def _ntrex_markdown(ntrex: dict[str, Any]) -> list[str]:
    head = [
        "| direction | cosine | TF-IDF char | margin | product p@1 | product link precision |",
        "| --- | --- | --- | --- | --- | --- |",
    ]

    def rows(table: dict[str, dict[str, float]], mean: dict[str, float]) -> list[str]:
        lines = [
            f"| {name} | {r['cosine']:.3f} | {r['tfidf']:.3f} | {r['margin']:.3f} | "
            f"{r['product']:.3f} | {r['link_precision']:.3f} |"
            for name, r in table.items()
        ]
        lines.append(
            f"| **mean** | {mean['cosine']:.3f} | {mean['tfidf']:.3f} | "
            f"{mean['margin']:.3f} | {mean['product']:.3f} | "
            f"{mean['link_precision']:.3f} |"
        )
        return lines

    return [
        f"NTREX dev ({ntrex['lines']} lines, {ntrex['documents']} documents), each document "
        "and its translation aligned as two articles:",
        "",
        *(
            [
                f"{ntrex['translated_pairs']} of the {ntrex['pairs']} document pairs (all "
                "directions) were recognised as translations and aligned along their monotone "
                "path; the others by matching.",
                "",
            ]
            if "translated_pairs" in ntrex
            else []
        ),
        *head,
        *rows(ntrex["directions"], ntrex["mean"]),
        "",
        "NTREX pooled (all lines of a language as one article):",
        "",
        *head,
        *rows(ntrex["pooled"], ntrex["pooled_mean"]),
        "",
    ]


def _errors_markdown(errors: dict[str, dict[str, int]] | None) -> list[str]:
    if not errors:
        return []
    out = [
        "Error analysis (held out, `diagnose_links`):",
        "",
        "| gold link missed because | links |",
    ]
    out.append("| --- | --- |")
    out += [f"| {cause} | {count} |" for cause, count in errors["missed"].items()]
    out += ["", "| wrong accepted link | links |", "| --- | --- |"]
    out += [f"| {kind} | {count} |" for kind, count in errors["wrong"].items()]
    return [*out, ""]


def _rank_classes_markdown(classes: dict[str, dict[str, int]] | None) -> list[str]:
    if not classes:
        return []
    out = [
        "Where the gold links rank (`rank_classes`): every pair of passages of two articles by "
        "margin ranks, each passage's rank of the other among its candidates (0 = best, lower "
        "first). Candidates are the mutual best matches (0/0) and spans; the share of gold in "
        "each other class is the precision that reaching past them would start from.",
        "",
        "| margin ranks | pairs, one event | gold | share gold | pairs, two events | gold |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in classes.items():
        share = row["same_event_gold"] / max(row["same_event"], 1)
        out.append(
            f"| {name} | {row['same_event']} | {row['same_event_gold']} | {share:.3f} | "
            f"{row['different_events']} | {row['different_events_gold']} |"
        )
    return [*out, ""]


def _pr(row: dict[str, float]) -> str:
    return f"{row['precision']:.3f} | {row['recall']:.3f} | {row['predicted']} | {row['right']}"


# How reports name the annotations of a gold set with a second round (`second_round_links`).
ANNOTATION_NAMES = {
    "first": "first round",
    "annotator_a": "second round, annotator A",
    "annotator_b": "second round, annotator B",
}


def _agreement_markdown(agreement: dict[str, Any]) -> list[str]:
    names = ANNOTATION_NAMES
    out = [
        "How far careful readers agree (the gold is the majority of these three annotations; "
        "gold links per annotation: "
        + ", ".join(f"{names.get(k, k)} {v}" for k, v in agreement["links"].items())
        + "):",
        "",
        "| annotation | against | precision | recall | F1 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key, row in agreement["pairs"].items():
        hyp, ref = key.split(" against ")
        out.append(
            f"| {names.get(hyp, hyp)} | {names.get(ref, ref)} | {row['precision']:.3f} | "
            f"{row['recall']:.3f} | {row['f1']:.3f} |"
        )
    return out


def _by_confidence_markdown(rows: list[dict[str, float]]) -> list[str]:
    def line(name: str, cells: list[str]) -> str:
        return f"| {name} | {' | '.join(cells)} |"

    return [
        "Links held out by event, kept from each confidence (`--min-confidence`):",
        "",
        line("min confidence", [f"{r['min_confidence']:g}" for r in rows]),
        line("---", ["---"] * len(rows)),
        line("precision", [f"{r['precision']:.3f}" for r in rows]),
        line("recall", [f"{r['recall']:.3f}" for r in rows]),
        line("links", [str(r["predicted"]) for r in rows]),
    ]


def _short_markdown(
    rows: list[dict[str, Any]], reliability_: dict[str, Any], threshold: float
) -> list[str]:
    def pr(row: dict[str, float]) -> str:
        links = row["predicted"]
        return f"{row['precision']:.3f} / {row['recall']:.3f} ({links} link{'s' * (links != 1)})"

    cuts = {"both": "both", "one": "one, beside the other whole"}
    out = [
        "Short articles (every pair of articles with both, or one, cut to the first n passages, "
        f"each pair aligned on its own; links held out by event, confidence >= {threshold}; ECE "
        f"of the short map {reliability_['ece']:.3f}):",
        "",
        "| articles cut | first n passages | gold links | whole-article map P / R | "
        "short map P / R |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += [f"| {cuts[r['cut']]} | {r['passages']} | {r['gold']} | "
            f"{pr(r['whole_article_map'])} | {pr(r['short_map'])} |" for r in rows]  # fmt: skip
    return out


def _gold_markdown(title: str, demo: dict[str, Any], threshold: float) -> list[str]:
    pr = _pr
    held, sample = demo["held_out"], demo["in_sample"]
    out = [
        f"{title} ({demo['positives']} right of {demo['candidates']} candidate links over all "
        f"pairs of the {demo.get('articles', 20)} articles; gold same-fact links: "
        f"{held['links']['gold']}; confidence >= {threshold}):",
        "",
        "| setting | precision | recall | links | right |",
        "| --- | --- | --- | --- | --- |",
        f"| links, held out by event | {pr(held['links'])} |",
        f"| pairs within facts, held out by event | {pr(held['fact_pairs'])} |",
        f"| links, in-sample (packaged map) | {pr(sample['links'])} |",
        f"| pairs within facts, in-sample | {pr(sample['fact_pairs'])} |",
    ]
    if "unseen" in demo:
        out.append(f"| links, map fitted on the other sets only | {pr(demo['unseen']['links'])} |")
    if "baselines" in demo:
        base = demo["baselines"]
        out += [
            f"| baseline: all mutual matches, margin | {pr(base['margin_mutual_all']['links'])} |",
            f"| baseline: mutual best matches by cosine | {pr(base['cosine_mutual']['links'])} |",
            f"| baseline: mutual best matches by TF-IDF char | {pr(base['tfidf_mutual']['links'])} "
            "|",
        ]
    if demo.get("held_out_by_confidence"):
        out += ["", *_by_confidence_markdown(demo["held_out_by_confidence"])]
    if demo.get("short_articles"):
        out += ["", *_short_markdown(demo["short_articles"], demo["short_reliability"], threshold)]
    if demo.get("agreement"):
        out += ["", *_agreement_markdown(demo["agreement"])]
    out += [
        "",
        *_errors_markdown(demo.get("errors")),
        *_rank_classes_markdown(demo.get("rank_classes")),
        "Per language pair (links, held out):",
        "",
        "| pair | precision | recall | links | right |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += [f"| {name} | {pr(row)} |" for name, row in held["by_language_pair"].items()]
    if "near_misses" in held:
        near, sample_near = held["near_misses"], sample["near_misses"]
        unseen = (
            f", {demo['unseen']['near_misses']['linked']} by the map fitted on the other sets only"
            if "unseen" in demo
            else ""
        )
        out += ["", f"Near misses (pairs written to look alike but report different details) "
                f"linked: {near['linked']} of {near['near_misses']} held out by event, "
                f"{sample_near['linked']} in-sample{unseen}."]  # fmt: skip
    if demo.get("near_miss_separation"):
        sep = demo["near_miss_separation"]
        out += ["", f"Plain cosine of the encoder, gold links against near misses: ROC AUC "
                f"{sep['auc']:.3f}; median {sep['median_gold']:.3f} for the {sep['gold_links']} "
                f"gold links, {sep['median_near_miss']:.3f} for the {sep['near_misses']} near "
                f"misses."]  # fmt: skip
    if "by_event" in held:
        out += ["", "Within one event and across events (links, held out):", "",
                "| articles | precision | recall | links | right |",
                "| --- | --- | --- | --- | --- |"]  # fmt: skip
        out += [f"| {name} | {pr(row)} |" for name, row in held["by_event"].items()]
    if demo.get("article_similarity"):
        sep = demo["article_similarity"]
        out += ["", f"Article similarity (the cosine of two articles' mean passage embeddings, a "
                f"link feature) over the {sep['pairs']} article pairs: ROC AUC {sep['auc']:.3f} "
                f"for one event against two; mean {sep['mean_same_event']:.3f} for the "
                f"{sep['same_event_pairs']} pairs of one event, "
                f"{sep['mean_different_events']:.3f} for the others."]  # fmt: skip
    out += [
        "",
        f"Reliability of held-out confidences (ECE {demo['reliability']['ece']:.3f}):",
        "",
        "| confidence | links | mean confidence | right |",
        "| --- | --- | --- | --- |",
    ]
    out += [
        f"| {r['low']:.1f}-{r['high']:.1f} | {r['count']} | {r['mean_confidence']:.3f} | "
        f"{r['accuracy']:.3f} |"
        for r in demo["reliability"]["table"]
    ]
    return [*out, ""]
