from __future__ import annotations

import pytest

from models.framing.lexicon import (
    LEXICON_V3,
    LEXICON_V4,
    LEXICON_V5,
    concept_patterns,
    find_concepts,
)


def concepts(text: str, language: str, version: str = LEXICON_V3) -> list[tuple[str, str]]:
    return [(h.concept, h.text) for h in find_concepts(text, language, version)]


def test_v2_is_kept_and_v3_drops_the_neutral_name_of_the_event() -> None:
    text = "The plane crashed; Moscow called the tragedy a symbolic matter."
    assert concepts(text, "en", "framing-lexicon.v2") == [
        ("accident", "crashed"), ("accident", "tragedy"), ("stability", "symbolic")]  # fmt: skip
    assert concepts(text, "en") == [("accident", "tragedy")]
    assert concepts("Крушение самолёта, трагедия.", "ru") == [("accident", "трагедия")]


def test_v3_independent_is_sovereignty_unless_it_labels_an_analyst_or_outlet() -> None:
    assert concepts("An independent analyst spoke.", "en") == []
    assert concepts("Baku wants an independent foreign policy.", "en") == [
        ("sovereignty", "independent")]  # fmt: skip
    assert concepts("Независимый эксперт и независимость.", "ru") == [
        ("sovereignty", "независимость")]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "language", "concept"),
    [
        ("Police cracked down on the rally.", "en", "crackdown"),
        ("Оппозиция назвала голосование фарсом.", "ru", "sham"),
        ("Уряд запровадив цензуру в ефірі.", "uk", "censorship"),
        ("Müxalifət seçkini saxta seçki adlandırıb.", "az", "sham"),
    ],
)
def test_v4_adds_general_concepts_of_political_framing(text: str, language: str,
                                                      concept: str) -> None:  # fmt: skip
    assert concept in {c for c, _ in concepts(text, language, LEXICON_V4)}
    assert concept not in {c for c, _ in concepts(text, language, LEXICON_V3)}


def test_v4_keeps_v3s_concepts_and_changes() -> None:
    assert concepts("The plane crashed; it was a tragedy.", "en", LEXICON_V4) == [
        ("accident", "tragedy")]  # fmt: skip
    v3, v4 = concept_patterns("ru", LEXICON_V3), concept_patterns("ru", LEXICON_V4)
    assert all(v4[name] == patterns for name, patterns in v3.items())
    assert len(v4) > len(v3)


def test_neutral_news_sentences_carry_no_v4_concept() -> None:
    for text, language in [
        ("The parliament voted on the budget on Tuesday after a long debate.", "en"),
        ("Суд рассмотрит апелляцию в следующем месяце.", "ru"),
        ("Делегації провели переговори про торгівлю та транзит.", "uk"),
        ("Nazirlik yeni qaydaları gələn ay açıqlayacaq.", "az"),
    ]:
        assert concepts(text, language, LEXICON_V4) == []


def test_v5_adds_appraisal_in_both_directions() -> None:
    praise = "The reform is a long-overdue step."
    assert concepts(praise, "en", LEXICON_V5) == [("positive_appraisal", "long-overdue")]
    assert concepts(praise, "en", LEXICON_V4) == []
    assert concepts("The plan undermines trust.", "en", LEXICON_V5) == [
        ("negative_appraisal", "undermines")]  # fmt: skip
    assert concepts("Реформа стала своевременным решением.", "ru", LEXICON_V5) == [
        ("positive_appraisal", "своевременным")]  # fmt: skip
    v4, v5 = concept_patterns("uk", LEXICON_V4), concept_patterns("uk", LEXICON_V5)
    assert set(v5) - set(v4) == {"positive_appraisal", "negative_appraisal"}
    assert all(v5[name] == patterns for name, patterns in v4.items())
    assert concepts("Делегації провели переговори про торгівлю та транзит.", "uk", LEXICON_V5) == []


def test_unknown_lexicon_version_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"framing-lexicon\.v2, framing-lexicon\.v3"):
        concept_patterns("en", "framing-lexicon.v9")
