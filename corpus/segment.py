"""Sentence segmentation with character offsets, and passages cut from articles.

razdel segments Russian, Ukrainian and Azerbaijani, sentencex English. Both split too eagerly after
abbreviations, initials and abbreviated dates ("25 дек. 2024 г.", "İ. Əliyev", "Dec. 25"), so
`split_sentences` repairs their output: a boundary is removed when the left side ends with a known
abbreviation or a single-letter initial, or when the right side starts in lower case. Paragraphs
(blank-line separated) are never merged. Boundary accuracy per language is measured by
`eval/segmentation.py` on hand-segmented text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import razdel
import sentencex

from corpus.schema import Article, Passage

# Abbreviations after which a full stop does not end a sentence when more text follows. Lower-cased,
# without the final dot. Titles and month names are never sentence-final in news.
_ABBREVIATIONS = {
    "en": {
        "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "sen", "rep", "gov",
        "st", "no", "vs", "etc", "e.g", "i.e", "approx", "jan", "feb", "mar", "apr", "jun", "jul",
        "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "a.m", "p.m", "inc",
        "corp", "ltd", "jr", "sr", "fig", "vol", "art", "para",
    },
    "ru": {
        "г", "гг", "т.е", "т", "д", "т.д", "т.п", "т.к", "т.н", "др", "пр", "ул", "им", "напр",
        "см", "ср", "стр", "тыс", "млн", "млрд", "руб", "долл", "янв", "фев", "февр", "мар",
        "апр", "авг", "сент", "сен", "окт", "нояб", "ноя", "дек", "проф", "акад", "ген", "гос",
        "обл", "р", "с.-х", "ст", "чел", "в", "вв", "н.э",
    },
    "uk": {
        "р", "рр", "т", "д", "т.зв", "т.д", "т.п", "ім", "див", "напр", "вул", "обл", "тис",
        "млн", "млрд", "грн", "дол", "січ", "лют", "бер", "квіт", "трав", "черв", "лип", "серп",
        "вер", "жовт", "лист", "груд", "проф", "акад", "ген", "ст", "укр", "та ін", "ін", "пп",
    },
    "az": {
        "və s", "s", "b", "məs", "yan", "fev", "mar", "apr", "iyn", "iyl", "avq", "sent", "okt",
        "noy", "dek", "prof", "dos", "akad", "gen", "küç", "min", "mln", "mlrd", "man", "e.ə",
        "b.e", "ç", "səh", "i.e", "y",
    },
}  # fmt: skip
_WORD_BEFORE_DOT = re.compile(r"([\w.-]+(?: [\w]+)?)\.\s*$")
_INITIAL = re.compile(r"(?:^|[\s(«\"„])\w\.\s*$")
_PARAGRAPH = re.compile(r"[^\n]+")


def split_sentences(text: str, language: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of `text`, ordered; `text[start:end]` is stripped of spaces."""
    spans: list[tuple[int, int]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        raw = _raw_spans(paragraph.group(), language)
        merged = _merge_false_boundaries(paragraph.group(), raw, language)
        spans.extend((paragraph.start() + s, paragraph.start() + e) for s, e in merged)
    return spans


def _raw_spans(paragraph: str, language: str) -> list[tuple[int, int]]:
    if language == "en":
        return list(_locate(paragraph, sentencex.segment("en", paragraph)))
    return [(s.start, s.stop) for s in razdel.sentenize(paragraph)]


def _locate(text: str, pieces: Iterator[str] | list[str]) -> Iterator[tuple[int, int]]:
    """Offsets of consecutive `pieces` in `text` (segmenters that return strings only)."""
    cursor = 0
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        start = text.index(stripped, cursor)
        cursor = start + len(stripped)
        yield start, cursor


def _merge_false_boundaries(
    text: str, spans: list[tuple[int, int]], language: str
) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and _is_false_boundary(text[merged[-1][0] : merged[-1][1]], text[start:end],
                                         language):  # fmt: skip
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _is_false_boundary(left: str, right: str, language: str) -> bool:
    first = right.lstrip("«\"„“'(—–- ")[:1]
    if first.islower() or (first.isdigit() and _ends_with_abbreviation(left, language)):
        return True
    if _INITIAL.search(left) and first.isupper():
        return True
    return _ends_with_abbreviation(left, language) and not _sentence_final_abbreviation(left)


def _ends_with_abbreviation(left: str, language: str) -> bool:
    match = _WORD_BEFORE_DOT.search(left)
    if match is None:
        return False
    words = match.group(1).lower()
    candidates = {words, words.split(" ")[-1]}
    return bool(candidates & _ABBREVIATIONS.get(language, set()))


def _sentence_final_abbreviation(left: str) -> bool:
    """'etc.', 'и т. д.', 'və s.' often end sentences; the next capital then starts a new one."""
    return bool(re.search(r"(etc|т\.\s?д|т\.\s?п|та ін|və s|і т\.\s?д)\.\s*$", left, re.I))


def split_passages(article: Article, window: int = 1) -> list[Passage]:
    """Passages of `window` consecutive sentences (non-overlapping) within each paragraph.

    `article.language` must be set. Passages hold character offsets into `article.text`.
    """
    if window < 1:
        raise ValueError(f"window must be >= 1 sentence, got {window}")
    language = article.language or "en"
    spans = split_sentences(article.text, language)
    grouped = _group_by_paragraph(article.text, spans, window)
    return [
        Passage(id=f"{article.id}:{index}", article_id=article.id, index=index, start=start,
                end=end, text=article.text[start:end])
        for index, (start, end) in enumerate(grouped)
    ]  # fmt: skip


def _group_by_paragraph(
    text: str, spans: list[tuple[int, int]], window: int
) -> list[tuple[int, int]]:
    groups: list[tuple[int, int]] = []
    count = 0
    for start, end in spans:
        same_paragraph = bool(groups) and "\n" not in text[groups[-1][1] : start]
        if same_paragraph and count < window:
            groups[-1] = (groups[-1][0], end)
            count += 1
        else:
            groups.append((start, end))
            count = 1
    return groups
