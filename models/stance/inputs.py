"""How a (passage, target, mention span) triple becomes model input text.

Design: the target goes first as an e5 query, "query: {target}", and the passage second as an e5
passage, "passage: {text}", with the mention wrapped in double square brackets when its span is
known ("... said [[Russia]] had ..."). The pair is encoded as `<s> A </s></s> B </s>`. The e5
prefixes keep the input in the distribution the encoder was trained on; brackets are ordinary
vocabulary pieces, so no new (untrainable, since word embeddings stay frozen) tokens are needed.
When the span is unknown, `find_mention` looks for the target: through the multilingual actor
lexicon (`models.stance.actors`) when the target is a known actor, so "России" and "the Kremlin"
are found for "Russia", else as the first case-insensitive occurrence of the target text; when
there is none, the passage goes in unmarked and the model relies on the target text alone.
Long passages are cropped to a character window around the mention.
"""

from __future__ import annotations

from models.stance.actors import find_actor_mention

OPEN, CLOSE = "[[", "]]"
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "


def find_mention(text: str, target: str) -> tuple[int, int] | None:
    """Span of the target's mention in `text`, or None.

    A known actor is looked up in the actor lexicon (any language, inflected forms, metonyms);
    any other target is the first case-insensitive occurrence of its text.
    """
    if not target.strip():
        return None
    span = find_actor_mention(text, target)
    if span is not None:
        return span
    lowered, needle = text.lower(), target.lower()
    if len(lowered) != len(text) or len(needle) != len(target):  # lower() moved offsets
        lowered, needle = text, target
    start = lowered.find(needle)
    return None if start < 0 else (start, start + len(target))


def crop_around(
    text: str, span: tuple[int, int] | None, max_chars: int
) -> tuple[str, tuple[int, int] | None]:
    """Cut `text` to at most `max_chars` characters centred on `span`; span shifted to match."""
    if len(text) <= max_chars:
        return text, span
    if span is None:
        return text[:max_chars], None
    centre = (span[0] + span[1]) // 2
    begin = max(0, min(centre - max_chars // 2, len(text) - max_chars))
    begin = min(begin, span[0])
    end = max(begin + max_chars, span[1])
    return text[begin:end], (span[0] - begin, span[1] - begin)


def mark_mention(text: str, span: tuple[int, int] | None) -> str:
    """Wrap text[start:end] in the mention markers; unchanged when `span` is None."""
    if span is None:
        return text
    start, end = span
    return f"{text[:start]}{OPEN}{text[start:end]}{CLOSE}{text[end:]}"


def pair_texts(
    text: str, target: str, span: tuple[int, int] | None, max_chars: int = 600
) -> tuple[str, str]:
    """("query: target", "passage: text with the mention marked")."""
    text, span = crop_around(text, span, max_chars)
    return QUERY_PREFIX + target, PASSAGE_PREFIX + mark_mention(text, span)
