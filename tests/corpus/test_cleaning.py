from __future__ import annotations

import pytest

from corpus.cleaning import clean_text, is_caption


def test_inline_images_are_removed_and_their_lines_disappear() -> None:
    uri = "data:image/png;base64," + "iVBORw0KGgo" * 3
    raw = (
        f'<image>{uri} alt="A"</image>\n'
        "Title of the piece\n"
        f'<x:image>{uri} alt=""</x:image>\n'
        f"Body sentence one. ![chart]({uri})"
    )
    assert clean_text(raw) == "Title of the piece\n\nBody sentence one."


def test_related_article_teaser_is_dropped_with_its_wrapped_continuation() -> None:
    raw = (
        "First paragraph ends here.\n\n"
        "Related article: Ferry Inquiry Points To 'Faulty Valve'\nIn Caspian Fire — Report\n\n"
        "Second paragraph."
    )
    assert clean_text(raw) == "First paragraph ends here.\n\nSecond paragraph."


def test_see_also_link_list_and_comment_counters_are_dropped() -> None:
    raw = (
        "The last real sentence.\n"
        "See Also\n"
        "Grain Routes After the Canal Closure\n"
        "Why Rail Tariffs Matter in the Caucasus\n\n"
        "No comments:\n\n"
        "12 comments\n"
        "Комментарии (3)\n"
    )
    assert clean_text(raw) == "The last real sentence."


def test_hard_wrapped_lines_are_joined_but_headings_and_bullets_kept() -> None:
    raw = (
        "Ties between Moscow and Baku, once praised by both capitals as a model\n"
        "partnership, have been cooling for a year.\n"
        "What happened?\n\n"
        "“Transit matters for regional cooperation and Moscow's broader economic goals,”\n"
        "said Mammadov.\n"
        "Executive Summary:\n"
        "- First point.\n"
        "- Second point."
    )
    assert clean_text(raw).split("\n\n") == [
        "Ties between Moscow and Baku, once praised by both capitals as a model "
        "partnership, have been cooling for a year.",
        "What happened?",
        "“Transit matters for regional cooperation and Moscow's broader economic goals,” "
        "said Mammadov.",
        "Executive Summary:",
        "- First point.",
        "- Second point.",
    ]


def test_crlf_nbsp_and_bom_are_normalised() -> None:
    assert clean_text("\ufeffOne\u00a0two.\r\n\r\nThree.") == "One two.\n\nThree."


def test_a_wire_caption_at_the_top_is_dropped_and_the_story_kept() -> None:
    raw = (
        "Rescuers search the debris of the cargo ferry near Turkmenbashi, Turkmenistan, "
        "Oct. 3, 2025.\n"
        "The ferry sank on Friday, Oct. 3, 2025.\n\n"
        "Officials said the cause was unknown."
    )
    assert (
        clean_text(raw)
        == "The ferry sank on Friday, Oct. 3, 2025.\n\nOfficials said the cause was unknown."
    )


@pytest.mark.parametrize(
    "paragraph",
    [
        "Photo: Reuters",
        "Фото: пресс-служба правительства",
        "Şəkil: APA",
        "Світлина: Укрінформ",
        "The new terminal of the port of Alat (Photo: press service of the port).",
        "Volunteers unload grain at the border crossing / AFP",
        "Обломки грузового парома у берега, 3 октября 2025 года.",
        "Уламки порома біля берега, 3 жовтня 2025 р.",
        "Bərəsinin qalıqları sahil yaxınlığında, 3 oktyabr 2025.",
        "Workers at the refinery gate, 03.10.2025",
    ],
)
def test_captions_and_photo_credits_in_four_languages(paragraph: str) -> None:
    assert is_caption(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        "The talks were held in Baku on Oct. 3, 2025.",
        "He said the repairs would end by Friday, Oct. 3, 2025.",
        "The ferry sank. The talks resumed in Baku, Oct. 3, 2025.",
        "The photographer said the image was staged.",
        "Picture this: a pipeline with no buyers.",
        "Переговоры прошли в Баку 3 октября 2025 года.",
        "Ministers met again in Baku, Oct. 3, 2025. " + "They agreed on nothing new. " * 8,
    ],
)
def test_body_sentences_with_dates_or_photo_words_are_not_captions(paragraph: str) -> None:
    assert not is_caption(paragraph)
