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

# Abbreviations (lower-cased, without the final dot) in two classes. NEVER_FINAL ones (titles,
# "approximately", "namely") are always followed by more of the sentence. MAY_END ones (units,
# currencies, months, "etc.") end a sentence when a capital follows, but not before a digit or a
# lower-case word ("25 дек. 2024 г. о ...").
_NEVER_FINAL = {
    "en": {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "sen",
        "rep",
        "gov",
        "st",
        "no",
        "vs",
        "e.g",
        "i.e",
        "approx",
        "fig",
        "vol",
        "art",
        "para",
        "jr",
        "sr",
    },
    "ru": {
        "т.е",
        "т.к",
        "т.н",
        "пр",
        "ул",
        "им",
        "напр",
        "см",
        "ср",
        "стр",
        "проф",
        "акад",
        "ген",
        "гос",
        "обл",
        "с.-х",
        "ст",
        "прибл",
        "ок",
        "г-н",
        "г-жа",
        "д-р",
        "зам",
    },
    "uk": {
        "т.зв",
        "ім",
        "див",
        "напр",
        "вул",
        "обл",
        "проф",
        "акад",
        "ген",
        "ст",
        "укр",
        "бл",
        "прибл",
        "пп",
        "д-р",
        "заст",
    },
    "az": {"məs", "prof", "dos", "akad", "gen", "küç", "təq", "b.e", "səh", "i.e", "c-b", "y"},
}
_MAY_END = {
    "en": {"etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
           "dec", "u.s", "u.k", "u.n", "a.m", "p.m", "inc", "corp", "ltd", "co"},
    "ru": {"г", "гг", "д", "т.д", "т.п", "др", "тыс", "млн", "млрд", "руб", "долл", "янв", "фев",
           "февр", "мар", "апр", "авг", "сент", "сен", "окт", "нояб", "ноя", "дек", "р", "чел",
           "в", "вв", "н.э", "км", "кв", "куб"},
    "uk": {"р", "рр", "т.д", "т.п", "ін", "тис", "млн", "млрд", "грн", "дол", "січ", "лют", "бер",
           "квіт", "трав", "черв", "лип", "серп", "вер", "жовт", "лист", "груд", "км", "куб"},
    "az": {"s", "yan", "fev", "mar", "apr", "iyn", "iyl", "avq", "sent", "okt", "noy", "dek",
           "min", "mln", "mlrd", "man", "e.ə", "ç", "km"},
}  # fmt: skip
_WORD_BEFORE_DOT = re.compile(r"([\w.-]+(?: [\w]+)?)\.\s*$")
_INITIAL = re.compile(r"(?:^|[\s(«\"„])([^\W\d_])\.\s*$")
_LIST_MARKER = re.compile(r"^\s*(\d{1,3}|[a-zа-яə])[.)]\s*$", re.IGNORECASE)
_QUOTE_PAIRS = (("«", "»"), ("„", "“"), ("“", "”"))
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
    if _inside_quotation(left) or first.islower() or _LIST_MARKER.match(left):
        return True
    initial = _INITIAL.search(left)
    if initial and initial.group(1).isupper() and first.isupper():
        return True
    abbreviation = _final_abbreviation(left)
    if abbreviation in _NEVER_FINAL.get(language, set()):
        return True
    return abbreviation in _MAY_END.get(language, set()) and first.isdigit()


def _inside_quotation(left: str) -> bool:
    """True when `left` opens a quotation it does not close (the quote runs on)."""
    if any(left.count(opening) > left.count(closing) for opening, closing in _QUOTE_PAIRS
           if opening != closing):  # fmt: skip
        return True
    return left.count('"') % 2 == 1


def _final_abbreviation(left: str) -> str | None:
    """The lower-cased word before `left`'s final dot ('т. д.' -> 'т.д'), if it ends so."""
    match = _WORD_BEFORE_DOT.search(left)
    if match is None:
        return None
    words = match.group(1).lower()
    squeezed = re.sub(r"\.\s+", ".", words)
    return squeezed if squeezed.count(".") and len(squeezed) <= 5 else words.split(" ")[-1]


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
