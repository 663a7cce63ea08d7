from __future__ import annotations

from corpus.cleaning import clean_text


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
