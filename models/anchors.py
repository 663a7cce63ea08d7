"""Language-independent anchors of a passage: numbers and proper names (alignment features).

Two reports of one fact in different languages often share what translation leaves alone:
numbers (38 of 67, 25 December 2024) and names (Aktau / Актау / Aktau, Grozny / Грозный /
Qroznı). `anchors(text)` returns both as comparable keys:

- numbers: every run of digits, leading zeros dropped ("38-i" -> "38", "2024" -> "2024");
  single digits are kept (counts such as "3 countries") but not parts of decimals split apart.
- names: capitalised words that are not the first word of the text, transliterated to Latin
  (Cyrillic: Russian/Ukrainian table; Azerbaijani Latin letters folded), reduced to a consonant
  skeleton (vowels dropped after the first letter, c/g/q/k/x/h -> k, ch/ts/z/dz/j -> z,
  doubled letters once) cut to 4 letters. Skeletons tolerate case endings and spelling:
  Grozny, Грозным and Qroznı all give "krzn".

`anchor_overlap` counts the keys two passages share (capped), `number_conflict` says whether
both give numbers and share none. They are calibration features: the logistic map learns how
much a shared anchor raises confidence, and a shared name alone never forces a link.
"""

from __future__ import annotations

import re
from functools import lru_cache

NUMBER = re.compile(r"\d+")
CAPITALISED = re.compile(r"(?<![\w])([A-ZА-ЯЁІЇЄҐƏÇĞİÖŞÜ][^\W\d_]{2,})")
FIRST_WORD = re.compile(r"^\W*[^\W\d_]+")

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "j", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "u",
    "я": "a",
}  # fmt: skip
_AZERBAIJANI = {"ə": "a", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ö": "o", "ü": "u", "i̇": "i"}
_SOUNDS = [("ch", "z"), ("sh", "s"), ("zh", "z"), ("ts", "z"), ("dz", "z"), ("kh", "k"),
           ("ph", "f"), ("th", "t"), ("w", "v"), ("y", "")]  # fmt: skip
_LETTER_CLASS = str.maketrans({"g": "k", "q": "k", "x": "k", "h": "k", "c": "k", "j": "z"})
VOWELS = set("aeiou")
SKELETON_LENGTH = 4
OVERLAP_CAP = 3


@lru_cache(maxsize=4096)
def latin_skeleton(word: str) -> str:
    """A name's consonant skeleton: 'Грозный' -> 'krzn', 'Qroznı' -> 'krzn', 'Aktau' -> 'akt'."""
    text = word.lower()
    text = "".join(_CYRILLIC.get(ch, _AZERBAIJANI.get(ch, ch)) for ch in text)
    for pattern, repl in _SOUNDS:
        text = text.replace(pattern, repl)
    text = text.translate(_LETTER_CLASS)
    text = "".join(ch for ch in text if "a" <= ch <= "z")
    if not text:
        return ""
    head, rest = text[0], [ch for ch in text[1:] if ch not in VOWELS]
    skeleton = head
    for ch in rest:
        if ch != skeleton[-1]:
            skeleton += ch
    return skeleton[:SKELETON_LENGTH]


def numbers(text: str) -> frozenset[str]:
    """Digit runs in `text`, leading zeros dropped: 'killing 38 of the 67' -> {'38', '67'}."""
    return frozenset(n.lstrip("0") or "0" for n in NUMBER.findall(text))


def names(text: str) -> frozenset[str]:
    """Skeletons (>= 2 letters) of the capitalised words of `text` other than its first word."""
    first = FIRST_WORD.match(text)
    start = first.end() if first else 0
    keys = {latin_skeleton(m.group(1)) for m in CAPITALISED.finditer(text, start)}
    return frozenset(k for k in keys if len(k) >= 2)


def anchors(text: str) -> frozenset[str]:
    """Numbers ('#38') and name skeletons ('@krzn') of a passage, as comparable keys."""
    return frozenset({f"#{n}" for n in numbers(text)} | {f"@{n}" for n in names(text)})


def anchor_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared anchors of two passages, capped at `OVERLAP_CAP`: equal numbers, and names whose
    skeletons agree up to the shorter one ('@bk' Baku and '@bkdn' Bakıdan: a case ending)."""
    common = a & b  # equal numbers, and names that agree exactly
    shared = len(common)
    rest = [x for x in a - common if x[0] == "@"] if shared < OVERLAP_CAP else []
    names_b = tuple(y for y in b if y[0] == "@") if rest else ()
    if names_b:  # a hot loop, so both tests run in C: x starts with some y, some y with x
        lines_b = "\n" + "\n".join(names_b)
        for x in rest:
            shared += x.startswith(names_b) or ("\n" + x) in lines_b
            if shared >= OVERLAP_CAP:
                break
    return float(min(shared, OVERLAP_CAP))


def number_agreement(a: frozenset[str], b: frozenset[str]) -> float:
    """0 when both passages give numbers and share none (they likely report different facts),
    else 1."""
    na, nb = {x for x in a if x[0] == "#"}, {x for x in b if x[0] == "#"}
    return 0.0 if na and nb and not (na & nb) else 1.0
