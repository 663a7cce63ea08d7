from __future__ import annotations

import pytest

from corpus.language import detect_language

SAMPLES = [
    ("The investigation into the crash of the Azerbaijani airliner continues.", "en"),
    ("Расследование крушения азербайджанского самолёта продолжается.", "ru"),
    ("Розслідування катастрофи азербайджанського літака триває.", "uk"),
    ("Azərbaycan təyyarəsinin qəzası ilə bağlı araşdırma davam edir.", "az"),
]


@pytest.mark.parametrize(("text", "code"), SAMPLES)
def test_the_four_languages_are_recognised(text: str, code: str) -> None:
    guess = detect_language(text)
    assert (guess.code, guess.supported) == (code, True)


@pytest.mark.parametrize(
    ("text", "code"),
    [("Die Untersuchung des Absturzes des Flugzeugs dauert an.", "de"),
     ("Azerbaycan uçağının düşmesiyle ilgili soruşturma sürüyor.", "tr")],
)  # fmt: skip
def test_other_languages_are_reported_not_forced(text: str, code: str) -> None:
    guess = detect_language(text)
    assert (guess.code, guess.supported) == (code, False)


def test_text_without_letters_is_undetermined() -> None:
    assert detect_language("12345 !!!").code == "und"
