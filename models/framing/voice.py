"""Whose voice a passage is: the outlet's own, or a source's it reports (quoted or paraphrased).

Rules over the cue lists in data/cues_<language>.json, applied in order:

1. Direct quotations of at least `MIN_QUOTE_WORDS` words between «», „“, “”, "" or ‘’ (shorter
   quoted spans are names or scare quotes: «Русский дом», "soft power"). A passage that opens a
   quotation without closing it, or closes one it did not open, is part of a longer quotation.
   Text inside quotations is masked before the next steps, so words in a quote are never cues.
2. Source markers that name the speaker: 'according to X', 'по словам X', 'за даними X',
   'X-in fikrincə', '– deyə X bildirib'.
3. Speech verbs (said, заявил, заявив, bildirib, hesab edirlər ...): the speaker is the clause's
   words before the verb ('Officials in Baku said'), or, when none precede it (after a quotation
   or in Russian/Ukrainian inversion: '— заявил источник в МИД', 'считают в Москве'), the words
   after it up to the clause end.
4. A direct quotation with no verb or marker is still reported speech, speaker unknown.

Otherwise the passage is in the outlet's voice. Precision and recall per language are measured
by eval/framing.py on a gold set written separately from these lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from models.framing.cues import CueSet, load_cues

MIN_QUOTE_WORDS = 4
MAX_SPEAKER_WORDS = 10
_QUOTE_PAIRS = (("«", "»"), ("„", "“"), ("„", "”"), ("“", "”"), ('"', '"'), ("‘", "’"))
_OPENERS = "«„“"
_CLOSERS = "»“”"
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–]|\s-\s|[.!?](?=\s)")
_WORDS = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class Cue:
    """A cue found in a passage: `kind` is quote, source, speech_verb or hedge."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Voice:
    """`kind` is "outlet" or "reported"; the speaker span indexes the passage text."""

    kind: str
    speaker: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cues: tuple[Cue, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        """'outlet', the speaker as written, or 'unnamed source'."""
        if self.kind == "outlet":
            return "outlet"
        return self.speaker or "unnamed source"


def find_quotes(text: str, min_words: int = MIN_QUOTE_WORDS) -> list[tuple[int, int]]:
    """Spans (start, end) of direct quotations in `text`, quote marks included, in order."""
    spans: list[tuple[int, int]] = []
    for opener, closer in _QUOTE_PAIRS:
        pattern = re.escape(opener) + "[^" + re.escape(opener + closer) + "]*" + re.escape(closer)
        for match in re.finditer(pattern, text):
            inner = match.group()[1:-1]
            overlaps = any(s < match.end() and match.start() < e for s, e in spans)
            if not overlaps and len(_WORDS.findall(inner)) >= min_words:
                spans.append((match.start(), match.end()))
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    if stripped and stripped[0] in _OPENERS and not any(s == lead for s, _ in spans):
        closing = [i for i, ch in enumerate(text) if ch in _CLOSERS and i > lead]
        if not closing:  # the quotation continues in the next passage
            spans.append((lead, len(text)))
    first_open = min([i for i, ch in enumerate(text) if ch in _OPENERS] or [len(text)])
    for i, ch in enumerate(text):
        if ch in _CLOSERS and i < first_open and not any(s <= i < e for s, e in spans):
            if len(_WORDS.findall(text[:i])) >= min_words:  # it began in an earlier passage
                spans.append((0, i + 1))
            break
    return sorted(spans)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def detect_voice(text: str, language: str | None) -> Voice:
    """The voice of passage `text` in `language` (en, ru, uk, az; others use English cues)."""
    cues = load_cues(language or "en")
    quotes = find_quotes(text)
    quote_cues = tuple(Cue("quote", text[s:e], s, e) for s, e in quotes)
    masked = _mask(text, quotes)
    for pattern in cues.source_markers:
        match = pattern.search(masked)
        if match:
            span = _trim_speaker(masked, match.start("speaker"), match.end("speaker"), cues)
            cue = Cue("source", match.group(), match.start(), match.end())
            return _reported(text, span, (*quote_cues, cue))
    verb = next(
        (m for m in cues.speech_verbs.finditer(masked) if not _negated(masked, m.start(), cues)),
        None,
    )
    if verb:
        cue = Cue("speech_verb", verb.group(), verb.start(), verb.end())
        span = _speaker_near_verb(masked, text, verb.start(), verb.end(), cues)
        return _reported(text, span, (*quote_cues, cue))
    if quotes:
        return Voice("reported", cues=quote_cues)
    return Voice("outlet")


def _negated(masked: str, verb_start: int, cues: CueSet) -> bool:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(masked, 0, verb_start)]
    left = max([*breaks, verb_start - 30, 0])
    previous = _WORDS.findall(masked[left:verb_start])[-2:]
    return any(word.lower() in cues.negations for word in previous)


def _reported(text: str, span: tuple[int, int] | None, cues: tuple[Cue, ...]) -> Voice:
    if span is None:
        return Voice("reported", cues=cues)
    return Voice("reported", text[span[0] : span[1]], span[0], span[1], cues)


def _speaker_near_verb(
    masked: str, text: str, verb_start: int, verb_end: int, cues: CueSet
) -> tuple[int, int] | None:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(masked, 0, verb_start)]
    left = max(breaks, default=0)
    before = _trim_speaker(masked, left, verb_start, cues)
    if before is not None:
        return _shorten(masked, before, cues.language)
    after_end = _CLAUSE_BREAK.search(masked, verb_end)
    end = after_end.start() if after_end else len(masked)
    after = _trim_speaker(masked, verb_end, end, cues, addressees=True)
    if after is not None and len(_WORDS.findall(text[after[0] : after[1]])) <= MAX_SPEAKER_WORDS:
        return after
    return None


def _trim_speaker(
    text: str, start: int, end: int, cues: CueSet, addressees: bool = False
) -> tuple[int, int] | None:
    """Drop leading conjunctions/relatives, addressees and trailing auxiliaries from a span.

    `text` is the masked passage (quotations blanked), so quoted words never become a speaker.
    """
    words = [(m.start() + start, m.end() + start) for m in _WORDS.finditer(text[start:end])]

    def norm(i: int) -> str:
        return text[words[i][0] : words[i][1]].lower()

    changed = True
    while words and changed:
        changed = False
        if words and norm(0) in cues.relatives | cues.auxiliaries:
            words.pop(0)
            changed = True
        last = norm(len(words) - 1) if words else ""
        if words and (last in cues.auxiliaries or (cues.language == "en" and last.endswith("ly"))):
            words.pop()
            changed = True
        if addressees and words:
            rest = text[words[0][0] : words[-1][1]]
            match = cues.addressees.match(rest)
            if match:
                cut = words[0][0] + match.end()
                words = [w for w in words if w[0] >= cut]
                changed = True
    if not words:
        return None
    return words[0][0], words[-1][1]


def _shorten(text: str, span: tuple[int, int], language: str) -> tuple[int, int]:
    """A long subject before a verb keeps its head: the capitalised run that opens it (az), or
    its last words (ru, uk: the subject usually stands right before the verb in OVS order)."""
    words = [(m.start() + span[0], m.end() + span[0])
             for m in _WORDS.finditer(text[span[0] : span[1]])]  # fmt: skip
    if language == "az" and len(words) > 4:
        run = 1
        while run < len(words) and text[words[run][0]].isupper():
            run += 1
        return words[0][0], words[run - 1][1]
    if language in ("ru", "uk") and len(words) > 6:
        return words[-2][0], words[-1][1]
    if len(words) > MAX_SPEAKER_WORDS:
        return words[0][0], words[MAX_SPEAKER_WORDS - 1][1]
    return span
