"""Language identification for en/ru/uk/az that reports other languages instead of forcing them.

Lingua decides among the four supported languages plus a set of neighbours that articles in this
domain are often confused with (Belarusian, Bulgarian, Kazakh, Turkish, ...). A text whose best
language is a neighbour is reported with that code and `supported=False`, never relabelled as one
of the four.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from corpus.schema import LANGUAGES

SUPPORTED = {Language.ENGLISH, Language.RUSSIAN, Language.UKRAINIAN, Language.AZERBAIJANI}
NEIGHBOURS = {
    Language.BELARUSIAN, Language.BULGARIAN, Language.SERBIAN, Language.MACEDONIAN,
    Language.KAZAKH, Language.TURKISH, Language.GERMAN, Language.FRENCH, Language.SPANISH,
    Language.POLISH, Language.ARMENIAN, Language.GEORGIAN, Language.PERSIAN, Language.ARABIC,
    Language.ITALIAN, Language.DUTCH,
}  # fmt: skip


@dataclass(frozen=True)
class LanguageGuess:
    """`code` is ISO 639-1 ("und" when undetermined); `confidence` in [0, 1]."""

    code: str
    confidence: float
    supported: bool


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*SUPPORTED, *NEIGHBOURS).build()


def detect_language(text: str) -> LanguageGuess:
    """The language of `text`; only en/ru/uk/az are `supported`."""
    sample = text[:4000]
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value == 0.0:
        return LanguageGuess("und", 0.0, supported=False)
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    return LanguageGuess(code, float(best.value), supported=code in LANGUAGES)


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code, for messages ('uk' -> 'Ukrainian')."""
    try:
        language = Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except AttributeError:
        return code
    return language.name.title()
