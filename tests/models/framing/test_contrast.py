from __future__ import annotations

import numpy as np
import pytest

from models.framing.contrast import LanguageBackground, contrast_pair, log_odds_z

BACKGROUND_EN = [
    "The ministry said the centre was closed in February.",
    "The centre offered language courses and film screenings.",
    "Officials said the centre was closed because of its legal status.",
    "The decision came amid tensions between the two countries.",
    "The ministry regretted the decision and hoped ties would be preserved.",
]


def test_log_odds_z_is_antisymmetric_and_zero_for_equal_rates() -> None:
    prior = np.array([10.0, 10.0, 1.0])
    z = log_odds_z(np.array([5, 5, 3]), np.array([5, 5, 0]), prior)
    assert z[2] > 1.0 and abs(z[0]) < 0.5
    np.testing.assert_allclose(log_odds_z(np.array([5, 5, 0]), np.array([5, 5, 3]), prior), -z)
    with pytest.raises(ValueError, match="positive"):
        log_odds_z(np.array([1, 0]), np.array([0, 1]), np.array([1.0, 0.0]))


def test_same_language_contrast_picks_the_planted_words() -> None:
    a = "The ministry said the closure of the centre was a regrettable misunderstanding."
    b = "The ministry said the closure of the centre ended covert intelligence operations."
    background = LanguageBackground().fit({"en": [*BACKGROUND_EN, a, b]})
    contrast = contrast_pair(a, "en", b, "en", background)
    assert [t.term for t in contrast.terms_a] == ["regrettable misunderstanding"]
    assert [t.term for t in contrast.terms_b] == ["ended covert intelligence operations"]
    start, end = contrast.terms_b[0].spans[0]
    assert b[start:end] == "ended covert intelligence operations"
    assert 0.0 < contrast.value <= 1.0


# more of the same story, so that a side has at least MIN_REFERENCE_TOKENS words of its language
# around it when it is contrasted across languages
BACKGROUND_EN_LONG = [
    *BACKGROUND_EN,
    "Staff of the centre left the building on Tuesday morning under police watch.",
    "The embassy said it had not been told of the decision in advance.",
    "Language courses for children and adults were suspended until further notice.",
    "A spokesman for the ministry declined to comment on the next steps.",
    "Analysts expect both sides to return to the question in the coming weeks.",
]
BACKGROUND_RU = [
    "Центр закрыт из-за статуса, сообщили в министерстве в понедельник вечером.",
    "Центр закрыт властями после проверки документов и долгих переговоров сторон.",
    "В министерстве сказали, что центр работал без нужного разрешения несколько лет.",
    "Сотрудники центра покинули здание во вторник утром под наблюдением полиции.",
    "Посольство выразило сожаление и надежду на сохранение отношений между странами.",
    "Курсы языка и показы фильмов в центре прекращены до особого распоряжения.",
    "Решение о закрытии было принято на фоне напряжённости между двумя странами.",
    "Представитель министерства отказался комментировать дальнейшие шаги властей.",
    "В городе центр знали прежде всего по урокам языка для детей и взрослых.",
    "Аналитики ждут, что стороны вернутся к обсуждению вопроса в ближайшие недели.",
    "Переговоры о здании затянулись из-за разногласий о его статусе.",
]


def test_cross_language_sides_are_contrasted_within_their_own_language() -> None:
    a = "The ministry said the centre is a propaganda outpost."
    b = "Центр закрыт из-за недоразумения."
    background = LanguageBackground().fit({"en": [*BACKGROUND_EN_LONG, a],
                                           "ru": [*BACKGROUND_RU, b]})  # fmt: skip
    contrast = contrast_pair(a, "en", b, "ru", background)
    assert [t.term for t in contrast.terms_a] == ["propaganda outpost"]
    assert [t.term for t in contrast.terms_b] == ["из-за недоразумения"]  # v1 keeps prepositions


def test_a_side_with_too_little_of_its_language_around_it_has_no_statistical_terms() -> None:
    """Two short texts, one per language: every Russian word would stand out against the one
    other Russian sentence, so none does (the English side still has its background)."""
    from models.framing.contrast import MIN_REFERENCE_TOKENS, contrast_pair_v3

    a = "The ministry said the centre is a propaganda outpost."
    b = "Центр закрыт из-за недоразумения."
    small = ["Центр закрыт властями в понедельник.", b]
    background = LanguageBackground().fit({"en": [*BACKGROUND_EN_LONG, a], "ru": small})
    assert background.counts_["ru"].sum() < MIN_REFERENCE_TOKENS
    contrast = contrast_pair(a, "en", b, "ru", background)
    assert [t.term for t in contrast.terms_a] == ["propaganda outpost"] and not contrast.terms_b
    # the framing lexicon still speaks: "misunderstanding" is a concept of its own
    lexical = contrast_pair_v3(a, "en", b, "ru", background)
    assert [t.term for t in lexical.terms_b] == ["недоразумения"]


def test_unfitted_or_unknown_language_fails_clearly() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        LanguageBackground().count("text", "en")
    background = LanguageBackground().fit({"en": BACKGROUND_EN})
    with pytest.raises(KeyError, match="fitted: en"):
        background.count("текст", "ru")


def test_contrast_v2_ranks_framing_words_and_drops_discourse_markers() -> None:
    from models.framing.contrast import contrast_pair_v2

    a = "Furthermore, the airliner was shot down by air defences over the sea."
    b = "Additionally, the airliner crashed over the sea after a technical failure."
    background = LanguageBackground().fit({"en": [*BACKGROUND_EN, a, b]})
    contrast = contrast_pair_v2(a, "en", b, "en", background)
    terms_a = [t.term for t in contrast.terms_a]
    terms_b = [t.term for t in contrast.terms_b]
    assert terms_a[:2] == ["shot down", "air defences"]
    assert terms_b[:2] == ["crashed", "technical failure"]
    assert "furthermore" not in terms_a and "additionally" not in terms_b
    assert all(t not in terms_b for t in ("airliner", "sea"))  # shared words are the fact
    shot = contrast.terms_a[0]
    assert [a[s:e] for s, e in shot.spans] == ["shot down"]
    # two concepts on one side only (shootdown, accident): the concept part saturates
    v1 = contrast_pair(a, "en", b, "en", background).value
    assert contrast.value == pytest.approx(0.5 * v1 + 0.5)


def test_contrast_v2_concepts_are_shared_across_languages() -> None:
    from models.framing.contrast import contrast_pair_v2

    en = "The airliner was shot down near Aktau, officials said."
    ru = "Самолёт был сбит ПВО возле Актау."
    background = LanguageBackground().fit(
        {"en": [*BACKGROUND_EN, en], "ru": [ru, "Самолёт летел в Грозный."]}
    )
    shared = contrast_pair_v2(en, "en", ru, "ru", background)
    assert "shot down" not in [t.term for t in shared.terms_a]
    uk = "Літак розбився біля Актау через технічну несправність."
    background = LanguageBackground().fit(
        {"en": [*BACKGROUND_EN, en], "uk": [uk, "Літак летів до Грозного."]}
    )
    split = contrast_pair_v2(en, "en", uk, "uk", background)
    assert split.terms_a[0].term == "shot down"
    assert split.terms_b[0].term == "розбився"
    assert split.value > shared.value


def test_contrast_v3_shows_hedge_cues_and_never_names_or_shared_stems() -> None:
    from models.framing.contrast import contrast_pair_v3

    a = "The closure seemed like a retaliatory move against Moscow, officials in Baku noted."
    b = "Officials in Baku said they close the centre to curb foreign influence."
    background = LanguageBackground().fit({"en": [*BACKGROUND_EN, a, b]})
    seemed = a.index("seemed")
    contrast = contrast_pair_v3(a, "en", b, "en", background,
                                cues_a=[(seemed, seemed + len("seemed"))])  # fmt: skip
    terms_a = [t.term for t in contrast.terms_a]
    terms_b = [t.term for t in contrast.terms_b]
    assert terms_a[:2] == ["retaliatory", "seemed"]  # lexicon first, then the hedge cue
    assert "moscow" not in terms_a  # a name is topic, not framing
    assert "closure" not in terms_a and "close" not in terms_b  # one stem on both sides
    assert terms_b == ["curb foreign influence"]
    assert contrast.only_a == ("retaliation",) and contrast.only_b == ()


def test_contrast_v3_lexicon_drops_neutral_event_names() -> None:
    from models.framing.contrast import contrast_pair_v2, contrast_pair_v3

    a = "The airliner crashed near Aktau, an independent analyst said."
    b = "The airliner went down near Aktau."
    background = LanguageBackground().fit({"en": [*BACKGROUND_EN, a, b]})
    v2 = contrast_pair_v2(a, "en", b, "en", background)
    v3 = contrast_pair_v3(a, "en", b, "en", background)
    assert [t.term for t in v2.terms_a][:2] == ["crashed", "independent"]
    assert v3.only_a == () and v2.terms_a[0].z >= 2.0  # v2: a boosted lexicon term
    assert all(t.z < 2.0 for t in v3.terms_a)  # v3: at most a plain statistical term
    assert v3.value < v2.value
