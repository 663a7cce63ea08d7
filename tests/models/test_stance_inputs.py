from __future__ import annotations

from models.stance.inputs import crop_around, find_mention, mark_mention, pair_texts


def test_find_mention_is_case_insensitive_and_first() -> None:
    assert find_mention("The KREMLIN and the Kremlin", "kremlin") == (4, 11)
    assert find_mention("Nothing here", "Russia") is None
    assert find_mention("anything", "  ") is None


def test_mark_mention_wraps_span() -> None:
    assert mark_mention("Baku thanked Kyiv.", (13, 17)) == "Baku thanked [[Kyiv]]."
    assert mark_mention("Baku thanked Kyiv.", None) == "Baku thanked Kyiv."


def test_crop_keeps_the_mention_and_shifts_span() -> None:
    text = "a" * 500 + "Russia" + "b" * 500
    cropped, span = crop_around(text, (500, 506), 100)
    assert len(cropped) == 100
    assert cropped[span[0] : span[1]] == "Russia"
    assert crop_around("short", (0, 5), 100) == ("short", (0, 5))
    assert crop_around("x" * 300, None, 100) == ("x" * 100, None)


def test_pair_texts_uses_e5_prefixes() -> None:
    assert pair_texts("Baku thanked Kyiv.", "Kyiv", (13, 17)) == (
        "query: Kyiv",
        "passage: Baku thanked [[Kyiv]].",
    )
