from __future__ import annotations

import pytest

from models.anchors import anchor_overlap, anchors, latin_skeleton, names, number_agreement, numbers


@pytest.mark.parametrize(
    ("words", "skeleton"),
    [
        (["Grozny", "Грозный", "Грозним", "Qroznı"], "krzn"),  # en, ru, uk (case ending), az
        (["Aktau", "Актау"], "akt"),
        (["Kazakhstan", "Казахстан", "Казахстану", "Qazaxıstan"], "kzks"),
        (["Embraer", "Эмбраер"], "embr"),
        (["SOCAR", "СОКАР"], "skr"),
        (["Rosaviatsiya", "Росавиация"], "rsvz"),
        (["Baku", "Баку", "Bakı"], "bk"),
    ],
)
def test_names_in_four_languages_share_a_skeleton(words: list[str], skeleton: str) -> None:
    assert {latin_skeleton(w) for w in words} == {skeleton}


def test_numbers_are_digit_runs_without_leading_zeros() -> None:
    assert numbers("Из 67 человек, находившихся на борту, погибли 38") == {"67", "38"}
    assert numbers("göyərtəsində olan 67 nəfərdən 38-i həlak olub") == {"67", "38"}
    assert numbers("25 грудня 2024 року, рейс 0008") == {"25", "2024", "8"}
    assert numbers("no digits here") == frozenset()


def test_names_skip_the_first_word_and_lowercase_words() -> None:
    assert names("Самолет AZAL летел из Баку в Грозный") == {"azl", "bk", "krzn"}
    assert names("Літак розбився поблизу казахстанського міста Актау") == {"akt"}
    assert names("The plane crashed") == frozenset()


def test_overlap_counts_numbers_and_names_across_scripts() -> None:
    ru = anchors("Из 67 человек на борту самолета AZAL погибли 38, он летел в Грозный")
    az = anchors("AZAL təyyarəsinin göyərtəsində olan 67 nəfərdən 38-i həlak olub, Qroznıya")
    en = anchors("The Embraer crashed on 25 December 2024 near Aktau")
    assert anchor_overlap(ru, az) == 3.0  # '#67', '#38', then capped ('@azl', '@krzn')
    assert anchor_overlap(ru, en) == 0.0
    # a case ending: Bakı / Bakıdan share the skeleton up to the shorter one
    assert anchor_overlap(anchors("Reys Bakıdan uçub"), anchors("The flight left Baku")) == 1.0
    # a name shared exactly does not stop another name of the passage matching it by prefix
    assert anchor_overlap(frozenset({"@bk", "@bkdn"}), frozenset({"@bk"})) == 2.0


def test_overlap_matches_prefixes_both_ways_but_not_inner_parts() -> None:
    for a, b in (
        (frozenset({"@bk"}), frozenset({"@bkdn"})),
        (frozenset({"@bkdn"}), frozenset({"@bk"})),
    ):
        assert anchor_overlap(a, b) == anchor_overlap(b, a) == 1.0
    # 'kdn' sits inside 'bkdn' but does not begin it; one name of b may match several of a
    assert anchor_overlap(frozenset({"@kdn"}), frozenset({"@bkdn", "@mskv"})) == 0.0
    assert anchor_overlap(frozenset({"@ms", "@mskv", "@mskvd"}), frozenset({"@msk"})) == 3.0
    assert anchor_overlap(frozenset({"#5", "@bk"}), frozenset({"#50", "@bkdn"})) == 1.0


def test_number_agreement_flags_only_disjoint_numbers() -> None:
    a, b = anchors("38 people were killed"), anchors("The plane carried 67 people")
    assert number_agreement(a, b) == 0.0
    assert number_agreement(a, anchors("Thirty-eight died, 38 in all")) == 1.0
    assert number_agreement(a, anchors("Many were killed")) == 1.0
