"""Lexical contrast: the words that carry each side's framing of a shared fact.

Method: weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn,
2008, "Fightin' Words"). For a word w, counts y_i (the side) and y_j (its reference), totals n_i,
n_j, and prior counts a_w (a_0 = sum of a_w) taken from a background in the same language:

    delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w))
            - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
    z_w     = delta_w / sqrt(1 / (y_iw + a_w) + 1 / (y_jw + a_w))

The prior shrinks rare words towards the background rate, so frequent function words get z near 0
and a word scores high only if the side uses it more than the background leads one to expect.

Aligned passages are often in different languages, so words are never compared across languages:
- both sides in one language: side a is contrasted with side b directly (z > 0: a's terms,
  z < 0: b's terms), with the language background as prior; words the two passages share (the
  fact) are never terms. When the passages' articles are given, the counts are the articles'
  (source level, the setting Monroe et al. designed the method for: a word used repeatedly by
  one source and rarely by the other scores high), else the passages';
- different languages: each side is contrasted with the rest of its own language's background
  (the other passages in that language, typically the event's or the corpus's), so a side's terms
  are the words it uses that its language's coverage does not. When that rest is shorter than
  `MIN_REFERENCE_TOKENS` words (a comparison of two short texts, one per language), there is no
  usual to stand out from, and no word is a statistical term (lexicon concepts and cues still
  are, from v2 on). The demo's backgrounds hold about 1,000 words per language.

Each side's terms are its content tokens (3+ letters, no digits, not among the language
background's `FUNCTION_WORDS` most frequent words, at most 1 in 20 of its vocabulary) with z
above `min_z`, ranked by z, with character offsets for highlighting; adjacent terms merge into
phrases ("intelligence operations"). The pair's contrast value in [0, 1] is the mean over both
sides of the share of content tokens that are terms. That is `contrast.v1` (`contrast_pair`).

`contrast.v2` (`contrast_pair_v2`) keeps the log-odds statistics but ranks framing-bearing words
first and drops words that carry none:
- function words and generic discourse markers of a stoplist per language (lexicon.py) are never
  terms ("furthermore", "additionally", "such");
- framing-lexicon hits (lexicon.py: "shooting down", "misunderstanding", "intelligence
  operations", "провокация", "işğal") whose concept the other side does not also express, in any
  language, are terms with a prior boost `LEXICON_BOOST` added to their z; a concept on both
  sides is the shared fact, not a contrast;
- statistical terms are runs of at most `MAX_NGRAM` marked tokens;
- the value is `V2_SHARE_WEIGHT` times the v1 value (share of marked content tokens) plus the
  rest times min(1, concepts on one side only / `CONCEPT_SATURATION`). (A share recomputed with
  the stoplist separated the demo gold worse, AUC 0.55 against 0.73, so the value keeps v1's.)

`contrast.v3` (`contrast_pair_v3`) keeps v2's statistics and value formula, and shows the words
that carry the framing rather than the topic:
- the lexicon is `framing-lexicon.v3` (lexicon.py: neutral names of the event such as "crash"
  and words of another frame are no longer framing terms);
- the hedge cues that set a side's commitment apart from the other's ("likely", "seemed") are
  terms of that side (`cues_a` / `cues_b`, passed by the caller), ranked after lexicon terms;
- statistical terms never include names (a capitalised word that does not open a sentence) nor,
  in a same-language pair, words whose stem the other side also uses ("closure" / "close");
- `Contrast.only_a` / `only_b` list the lexicon concepts found on one side only, the lexical
  evidence that `divergence.v3` ranks pairs by.

`contrast.v4` is `contrast_pair_v3` with `lexicon=LEXICON_V4`, which adds general concepts of
political framing to v3's story-specific ones (lexicon.py); `contrast.v5` is the same with
`lexicon=LEXICON_V5`, which adds positive and negative appraisal to v4.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from models.framing.lexicon import (
    LEXICON_V2,
    LEXICON_V3,
    ConceptMatch,
    find_concepts,
    stopwords,
)
from models.framing.text import Token, is_content, tokenize

MIN_Z = 0.5
# A side contrasted with the rest of its language's background needs that rest to hold at least
# this many words (about five sentences): against less, every word it uses looks distinctive.
MIN_REFERENCE_TOKENS = 100
LEXICON_BOOST = 2.0
MAX_NGRAM = 3
V2_SHARE_WEIGHT = 0.5
CONCEPT_SATURATION = 2
FUNCTION_WORDS = 100  # the language's most frequent words (at most 1 in 20) are never terms


def log_odds_z(counts_i: np.ndarray, counts_j: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """z-scores (V,) float64 of the log-odds ratio of group i against group j.

    `counts_i`, `counts_j`: (V,) word counts; `prior`: (V,) Dirichlet prior counts, all > 0.
    """
    counts_i, counts_j, prior = (
        np.asarray(x, dtype=np.float64) for x in (counts_i, counts_j, prior)
    )
    if np.any(prior <= 0):
        raise ValueError("prior counts must be positive for every word in the vocabulary")
    n_i, n_j, a_0 = counts_i.sum(), counts_j.sum(), prior.sum()
    odds_i = (counts_i + prior) / (n_i + a_0 - counts_i - prior)
    odds_j = (counts_j + prior) / (n_j + a_0 - counts_j - prior)
    variance = 1.0 / (counts_i + prior) + 1.0 / (counts_j + prior)
    return (np.log(odds_i) - np.log(odds_j)) / np.sqrt(variance)


@dataclass(frozen=True)
class ContrastTerm:
    """A framing term of one side: `spans` are (start, end) offsets into that side's text."""

    term: str
    z: float
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Contrast:
    terms_a: tuple[ContrastTerm, ...]
    terms_b: tuple[ContrastTerm, ...]
    value: float  # in [0, 1]
    only_a: tuple[str, ...] = ()  # lexicon concepts on side a only (contrast.v3)
    only_b: tuple[str, ...] = ()


class LanguageBackground:
    """Word counts per language over background passages: the informative prior.

    `fit(texts_by_language)` counts words with a scikit-learn CountVectorizer per language;
    `prior_scale` multiplies the background counts to give the Dirichlet prior.
    """

    def __init__(self, prior_scale: float = 1.0) -> None:
        self.prior_scale = prior_scale

    def fit(self, texts_by_language: Mapping[str, Iterable[str]]) -> LanguageBackground:
        self.vectorizers_: dict[str, CountVectorizer] = {}
        self.counts_: dict[str, np.ndarray] = {}
        for language, texts in texts_by_language.items():
            texts = list(texts)
            if not texts:
                continue
            vectorizer = CountVectorizer(analyzer=_analyzer(language))
            matrix = vectorizer.fit_transform(texts)
            self.vectorizers_[language] = vectorizer
            self.counts_[language] = np.asarray(matrix.sum(axis=0)).ravel().astype(np.float64)
        self.frequent_ = {
            language: {word for word, i in self.vectorizers_[language].vocabulary_.items()
                       if i in set(np.argsort(-counts)[:min(FUNCTION_WORDS,
                                                            len(counts) // 20)].tolist())}
            for language, counts in self.counts_.items()
        }  # fmt: skip
        return self

    def count(self, text: str, language: str) -> np.ndarray:
        """(V,) counts of `text` over the language's vocabulary (unseen words dropped)."""
        self._check(language)
        return np.asarray(self.vectorizers_[language].transform([text]).sum(axis=0)).ravel()

    def vocabulary(self, language: str) -> dict[str, int]:
        self._check(language)
        return self.vectorizers_[language].vocabulary_

    def _check(self, language: str) -> None:
        if not hasattr(self, "counts_"):
            raise RuntimeError("LanguageBackground is not fitted; call fit(texts_by_language)")
        if language not in self.counts_:
            known = ", ".join(sorted(self.counts_)) or "none"
            raise KeyError(f"no background for language {language!r} (fitted: {known})")


def _analyzer(language: str):
    def analyze(text: str) -> list[str]:
        return [token.norm for token in tokenize(text, language)]

    return analyze


def contrast_pair(
    text_a: str,
    language_a: str,
    text_b: str,
    language_b: str,
    background: LanguageBackground,
    top_k: int = 5,
    min_z: float = MIN_Z,
    source_a: str | None = None,
    source_b: str | None = None,
    exclude_a: Sequence[tuple[int, int]] = (),
    exclude_b: Sequence[tuple[int, int]] = (),
) -> Contrast:
    """Framing terms of each side and the pair's contrast value (see the module docstring).

    With `source_a` and `source_b` (the two passages' whole articles) and one language, words are
    scored at the source level, article against article, and each passage's terms are its words
    (not shared with the other passage) that score high for its source. Tokens overlapping the
    `exclude_a` / `exclude_b` spans (attribution: speaker and speech-verb cues, which the
    commitment component already counts) are never terms.
    """
    prior_a = background.prior_scale * background.counts_[language_a]
    if source_a is not None and source_b is not None and language_a == language_b:
        counts_a, counts_b = background.count(source_a, language_a), background.count(
            source_b, language_b)  # fmt: skip
    else:
        counts_a, counts_b = background.count(text_a, language_a), background.count(
            text_b, language_b)  # fmt: skip
    shared_a: set[str] = set()
    shared_b: set[str] = set()
    if language_a == language_b:
        z = log_odds_z(counts_a, counts_b, prior_a)
        z_a, z_b = z, -z
        words_a = {t.norm for t in tokenize(text_a, language_a)}
        words_b = {t.norm for t in tokenize(text_b, language_b)}
        shared_a = shared_b = words_a & words_b  # the shared fact's words
    else:
        z_a = _against_language(counts_a, language_a, background)
        z_b = _against_language(counts_b, language_b, background)
    terms_a, share_a = _terms(text_a, language_a, z_a, background, top_k, min_z, shared_a,
                              exclude_a)  # fmt: skip
    terms_b, share_b = _terms(text_b, language_b, z_b, background, top_k, min_z, shared_b,
                              exclude_b)  # fmt: skip
    return Contrast(terms_a, terms_b, (share_a + share_b) / 2)


def _against_language(counts: np.ndarray, language: str, background: LanguageBackground):
    rest = np.clip(background.counts_[language] - counts, 0, None)
    if rest.sum() < MIN_REFERENCE_TOKENS:  # too little of the language to say what is usual
        return np.zeros_like(rest)
    return log_odds_z(counts, rest, background.prior_scale * background.counts_[language])


def _terms(
    text: str,
    language: str,
    z: np.ndarray,
    background: LanguageBackground,
    top_k: int,
    min_z: float,
    shared: set[str],
    exclude: Sequence[tuple[int, int]] = (),
) -> tuple[tuple[ContrastTerm, ...], float]:
    vocabulary = background.vocabulary(language)
    tokens = [t for t in tokenize(text, language)
              if is_content(t.norm) and t.norm in vocabulary
              and not any(s < t.end and t.start < e for s, e in exclude)]  # fmt: skip
    if not tokens:
        return (), 0.0
    scores = [float(z[vocabulary[t.norm]]) for t in tokens]
    frequent = background.frequent_[language]
    marked = [(t, s) for t, s in zip(tokens, scores, strict=True)
              if s > min_z and t.norm not in shared and t.norm not in frequent]  # fmt: skip
    share = len(marked) / len(tokens)
    phrases = _merge_adjacent(text, marked)
    phrases.sort(key=lambda p: -p.z)
    return tuple(phrases[:top_k]), share


def _merge_adjacent(
    text: str, marked: list[tuple[Token, float]], max_tokens: int | None = None
) -> list[ContrastTerm]:
    """Runs of marked tokens separated only by spaces become one phrase (z: their mean), of at
    most `max_tokens` tokens when given."""
    runs: list[list[tuple[Token, float]]] = []
    for token, score in marked:
        joinable = runs and text[runs[-1][-1][0].end : token.start].strip() == ""
        if joinable and (max_tokens is None or len(runs[-1]) < max_tokens):
            runs[-1].append((token, score))
        else:
            runs.append([(token, score)])
    merged: dict[str, ContrastTerm] = {}
    for run in runs:
        start, end = run[0][0].start, run[-1][0].end
        term = " ".join(t.norm for t, _ in run)
        z = float(np.mean([s for _, s in run]))
        if term in merged:
            old = merged[term]
            merged[term] = ContrastTerm(term, max(old.z, z), (*old.spans, (start, end)))
        else:
            merged[term] = ContrastTerm(term, round(z, 3), ((start, end),))
    return list(merged.values())


def contrast_pair_v2(
    text_a: str,
    language_a: str,
    text_b: str,
    language_b: str,
    background: LanguageBackground,
    top_k: int = 5,
    min_z: float = MIN_Z,
    source_a: str | None = None,
    source_b: str | None = None,
    exclude_a: Sequence[tuple[int, int]] = (),
    exclude_b: Sequence[tuple[int, int]] = (),
) -> Contrast:
    """`contrast.v2`: framing-lexicon terms first, stoplisted words never (module docstring).

    Same arguments as `contrast_pair`. `Contrast.concepts_a`/`concepts_b` are not kept: each
    lexicon term's `term` is its wording and its spans are offsets into its side's text.
    """
    z_a, z_b, shared = _z_scores(text_a, language_a, text_b, language_b, background, source_a,
                                 source_b)  # fmt: skip
    hits_a = _concepts(text_a, language_a, exclude_a)
    hits_b = _concepts(text_b, language_b, exclude_b)
    common = {h.concept for h in hits_a} & {h.concept for h in hits_b}
    only = {h.concept for h in hits_a} ^ {h.concept for h in hits_b}
    terms_a, _ = _terms_v2(text_a, language_a, z_a, background, top_k, min_z, shared,
                                 exclude_a, hits_a, common)  # fmt: skip
    terms_b, _ = _terms_v2(text_b, language_b, z_b, background, top_k, min_z, shared,
                                 exclude_b, hits_b, common)  # fmt: skip
    concept_part = min(1.0, len(only) / CONCEPT_SATURATION)
    share = contrast_pair(text_a, language_a, text_b, language_b, background, top_k, min_z,
                          source_a, source_b, exclude_a, exclude_b).value  # fmt: skip
    value = V2_SHARE_WEIGHT * share + (1 - V2_SHARE_WEIGHT) * concept_part
    return Contrast(terms_a, terms_b, float(value))


def _z_scores(
    text_a: str,
    language_a: str,
    text_b: str,
    language_b: str,
    background: LanguageBackground,
    source_a: str | None,
    source_b: str | None,
) -> tuple[np.ndarray, np.ndarray, set[str]]:
    """Log-odds z of each side's vocabulary (contrast.v2 and v3) and the words both share."""
    if source_a is not None and source_b is not None and language_a == language_b:
        counts_a, counts_b = background.count(source_a, language_a), background.count(
            source_b, language_b)  # fmt: skip
    else:
        counts_a, counts_b = background.count(text_a, language_a), background.count(
            text_b, language_b)  # fmt: skip
    if language_a != language_b:
        z_a = _against_language(counts_a, language_a, background)
        return z_a, _against_language(counts_b, language_b, background), set()
    z_a = log_odds_z(counts_a, counts_b, background.prior_scale * background.counts_[language_a])
    shared = {t.norm for t in tokenize(text_a, language_a)} & {
        t.norm for t in tokenize(text_b, language_b)}  # fmt: skip
    return z_a, -z_a, shared


def _concepts(
    text: str, language: str, exclude: Sequence[tuple[int, int]], version: str = LEXICON_V2
) -> list[ConceptMatch]:
    return [h for h in find_concepts(text, language, version)
            if not any(s < h.end and h.start < e for s, e in exclude)]  # fmt: skip


def _terms_v2(
    text: str,
    language: str,
    z: np.ndarray,
    background: LanguageBackground,
    top_k: int,
    min_z: float,
    shared: set[str],
    exclude: Sequence[tuple[int, int]],
    hits: list[ConceptMatch],
    common: set[str],
    cues: Sequence[tuple[int, int]] = (),
    topical: Callable[[Token], bool] | None = None,
) -> tuple[tuple[ContrastTerm, ...], float]:
    """Terms of one side: lexicon hits, then `cues` spans, then statistical terms (tokens for
    which `topical` is true are never statistical terms); and the share of marked tokens."""
    vocabulary = background.vocabulary(language)
    stop = stopwords(language) | background.frequent_[language]
    tokens = [t for t in tokenize(text, language)
              if is_content(t.norm) and t.norm in vocabulary and t.norm not in stop
              and not any(s < t.end and t.start < e for s, e in exclude)]  # fmt: skip
    if not tokens:
        return (), 0.0

    def score(token: Token) -> float:
        return float(z[vocabulary[token.norm]])

    lexical: dict[str, ContrastTerm] = {}
    for hit in hits:
        if hit.concept in common:
            continue
        inside = [score(t) for t in tokens if hit.start <= t.start and t.end <= hit.end]
        z_hit = LEXICON_BOOST + max(0.0, float(np.mean(inside)) if inside else 0.0)
        term = " ".join(t.norm for t in tokenize(hit.text, language))
        old = lexical.get(term)
        spans = (*(old.spans if old else ()), (hit.start, hit.end))
        lexical[term] = ContrastTerm(term, round(max(z_hit, old.z if old else 0.0), 3), spans)
    in_hit = [any(h.start <= t.start and t.end <= h.end for h in hits) for t in tokens]
    marked = [(t, score(t)) for t, inside in zip(tokens, in_hit, strict=True)
              if not inside and score(t) > min_z and t.norm not in shared]  # fmt: skip
    cue_terms = _cue_terms(text, language, cues, lexical)
    in_cue = [t for t, _ in marked if any(s <= t.start and t.end <= e for s, e in cues)]
    lexicon_tokens = sum(
        1 for t, inside in zip(tokens, in_hit, strict=True)
        if inside and t.norm not in shared
        and any(h.concept not in common and h.start <= t.start and t.end <= h.end for h in hits)
    )  # fmt: skip
    share = (len(marked) + lexicon_tokens) / len(tokens)
    candidates = [(t, z) for t, z in marked
                  if t not in in_cue and (topical is None or not topical(t))]  # fmt: skip
    statistical = [p for p in _merge_adjacent(text, candidates, max_tokens=MAX_NGRAM)
                   if p.term not in lexical and p.term not in cue_terms]  # fmt: skip
    ranked = (sorted(lexical.values(), key=lambda p: -p.z) + list(cue_terms.values())
              + sorted(statistical, key=lambda p: -p.z))  # fmt: skip
    return tuple(ranked[:top_k]), min(share, 1.0)


def _cue_terms(text: str, language: str, cues: Sequence[tuple[int, int]],
               lexical: Mapping[str, ContrastTerm]) -> dict[str, ContrastTerm]:  # fmt: skip
    """Cue spans as terms (z `LEXICON_BOOST`), in text order, unless a lexicon term already."""
    terms: dict[str, ContrastTerm] = {}
    for start, end in sorted(cues):
        term = " ".join(t.norm for t in tokenize(text[start:end], language))
        if not term or term in lexical:
            continue
        old = terms.get(term)
        terms[term] = ContrastTerm(term, LEXICON_BOOST, (*(old.spans if old else ()), (start, end)))
    return terms


def contrast_pair_v3(
    text_a: str,
    language_a: str,
    text_b: str,
    language_b: str,
    background: LanguageBackground,
    top_k: int = 5,
    min_z: float = MIN_Z,
    source_a: str | None = None,
    source_b: str | None = None,
    exclude_a: Sequence[tuple[int, int]] = (),
    exclude_b: Sequence[tuple[int, int]] = (),
    cues_a: Sequence[tuple[int, int]] = (),
    cues_b: Sequence[tuple[int, int]] = (),
    lexicon: str = LEXICON_V3,
) -> Contrast:
    """`contrast.v3` (module docstring): arguments of `contrast_pair`, plus `cues_a` / `cues_b`,
    the spans of each side's framing cues (hedges that set its commitment apart), shown as terms.
    `lexicon=LEXICON_V4` (`LEXICON_V5`) makes it `contrast.v4` (`contrast.v5`).
    """
    z_a, z_b, shared = _z_scores(text_a, language_a, text_b, language_b, background, source_a,
                                 source_b)  # fmt: skip
    hits_a = _concepts(text_a, language_a, exclude_a, lexicon)
    hits_b = _concepts(text_b, language_b, exclude_b, lexicon)
    concepts_a, concepts_b = {h.concept for h in hits_a}, {h.concept for h in hits_b}
    common = concepts_a & concepts_b
    same = language_a == language_b  # stems are compared within one language only
    words_a = {t.norm for t in tokenize(text_a, language_a)} if same else set()
    words_b = {t.norm for t in tokenize(text_b, language_b)} if same else set()
    terms_a, _ = _terms_v2(text_a, language_a, z_a, background, top_k, min_z, shared, exclude_a,
                           hits_a, common, cues_a, _topical(text_a, words_b))  # fmt: skip
    terms_b, _ = _terms_v2(text_b, language_b, z_b, background, top_k, min_z, shared, exclude_b,
                           hits_b, common, cues_b, _topical(text_b, words_a))  # fmt: skip
    only = concepts_a ^ concepts_b
    share = contrast_pair(text_a, language_a, text_b, language_b, background, top_k, min_z,
                          source_a, source_b, exclude_a, exclude_b).value  # fmt: skip
    concept_part = min(1.0, len(only) / CONCEPT_SATURATION)
    value = V2_SHARE_WEIGHT * share + (1 - V2_SHARE_WEIGHT) * concept_part
    return Contrast(terms_a, terms_b, float(value), tuple(sorted(concepts_a - common)),
                    tuple(sorted(concepts_b - common)))  # fmt: skip


_SENTENCE_END = re.compile(r"[.!?:;\n\"“”«»]\s*$")


def _topical(text: str, other_words: set[str]) -> Callable[[Token], bool]:
    """True for a name (a capitalised word that does not open a sentence) or a word whose stem
    a word of `other_words` shares (common prefix of at least 4 letters and of all but the last
    two letters of the shorter word)."""

    def shares_stem(word: str) -> bool:
        for other in other_words:
            shorter = min(len(word), len(other))
            pairs = zip(word, other, strict=False)
            prefix = next((i for i, (x, y) in enumerate(pairs) if x != y), shorter)
            if prefix >= max(4, shorter - 2):
                return True
        return False

    def topical(token: Token) -> bool:
        opens = not text[: token.start].strip() or bool(_SENTENCE_END.search(text[: token.start]))
        return (text[token.start].isupper() and not opens) or shares_stem(token.norm)

    return topical
