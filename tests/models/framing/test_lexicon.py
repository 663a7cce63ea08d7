from __future__ import annotations

import pytest

from models.framing.lexicon import LEXICON_V3, concept_patterns, find_concepts


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


def test_unknown_lexicon_version_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"framing-lexicon\.v2, framing-lexicon\.v3"):
        concept_patterns("en", "framing-lexicon.v9")
