from __future__ import annotations

import pytest

from corpus.schema import Article
from corpus.segment import split_passages, split_sentences

CASES = {
    "en": (
        "Mr. Smith flew to the U.S. on Dec. 25, 2024. He said “no.” Prices rose 2.5 percent.",
        ["Mr. Smith flew to the U.S. on Dec. 25, 2024.", "He said “no.”",
         "Prices rose 2.5 percent."],
    ),
    "ru": (
        "В. В. Путин заявил 25 дек. 2024 г. о трагедии. Т.е. всё ясно! Кремль и т. д. молчит.",
        ["В. В. Путин заявил 25 дек. 2024 г. о трагедии.", "Т.е. всё ясно!",
         "Кремль и т. д. молчит."],
    ),
    "uk": (
        "І. Алієв заявив, що т.зв. операція триває. 25 груд. 2024 р. літак впав. Вул. Шевченка.",
        ["І. Алієв заявив, що т.зв. операція триває.", "25 груд. 2024 р. літак впав.",
         "Вул. Шевченка."],
    ),
    "az": (
        "İ. Əliyev bildirib ki, ABŞ və s. ölkələr narahatdır. Sonra getdi. Bu, 25 dek. baş verib.",
        ["İ. Əliyev bildirib ki, ABŞ və s. ölkələr narahatdır.", "Sonra getdi.",
         "Bu, 25 dek. baş verib."],
    ),
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(CASES))
def test_sentences_survive_abbreviations_initials_and_dates(language: str) -> None:
    text, expected = CASES[language]
    assert [text[s:e] for s, e in split_sentences(text, language)] == expected


def test_sentences_never_cross_paragraphs() -> None:
    text = "A heading without a stop\n\nthe next paragraph starts lower case."
    assert [text[s:e] for s, e in split_sentences(text, "en")] == [
        "A heading without a stop", "the next paragraph starts lower case."]  # fmt: skip


def test_passages_carry_exact_offsets_and_windows_stay_in_paragraphs() -> None:
    text = "One. Two. Three.\n\nFour. Five."
    article = Article(id="a", text=text, language="en")
    singles = split_passages(article)
    assert [p.text for p in singles] == ["One.", "Two.", "Three.", "Four.", "Five."]
    assert all(text[p.start : p.end] == p.text for p in singles)
    assert [p.id for p in singles][:2] == ["a:0", "a:1"]
    pairs = split_passages(article, window=2)
    assert [p.text for p in pairs] == ["One. Two.", "Three.", "Four. Five."]
    with pytest.raises(ValueError, match="window"):
        split_passages(article, window=0)
