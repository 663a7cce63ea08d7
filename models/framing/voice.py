"""Whose voice a passage is: the outlet's own, or a source's it reports (quoted or paraphrased).

Rules over the cue lists in data/cues_<language>.json, applied in order:

1. Direct quotations of at least `MIN_QUOTE_WORDS` words between «», „“, “”, "" or ‘’ (shorter
   quoted spans are names or scare quotes: «Русский дом», "soft power"). A passage that opens a
   quotation without closing it, or closes one it did not open, is part of a longer quotation;
   an attribution set off by dashes inside one («..., — отметила X, — ...») is not part of it.
   Text inside quotations is masked before the next steps, so words in a quote are never cues.
2. Source markers that name the speaker: 'according to X', 'по словам X', 'за даними X',
   'X-in fikrincə', '– deyə X bildirib'.
3. Speech verbs (said, заявил, заявив, bildirib, hesab edirlər ...), less the uses that report
   nothing: a noun spelled like the verb ('Baku's demands', 'the United States'; such a form is a
   verb only with no determiner before it and a complement after it: 'Moscow demands that'), a
   capitalised form inside a sentence (a name or title), a form after an article ('the said
   agreement'), a passive form with neither an agent nor a clause ('no date has been announced'),
   a verb that reports only before a clause without one ('declared a state of emergency'), a
   negated one. The speaker is the clause's words before the verb ('Officials in Baku said'),
   or, when none precede it (after a quotation or in Russian/Ukrainian inversion: '— заявил
   источник в МИД', 'считают в Москве'), the words after it up to the clause end, cut after the
   name when circumstances follow ('— заявил глава профсоюза Иван Петров | на митинге'); a
   passive verb's speaker is its agent ('were told by X'). Where the language's cue file has the
   lists for it, the words before the verb are read more closely:
   - insertions between speaker and verb are stepped over ('Zakharova, in turn, accused'; 'X,
     who asked not to be named, said'), and so is an apposition ('Maria Lopez, the bank's
     economist, warned'; 'the mayor of Split, Ivo Maric, conceded': the name);
   - the speaker starts after the last subordinating conjunction ('... after he suggested') and,
     when the words before it hold a finite verb, after the last coordinator ('The airline
     suspended flights and officials claimed'); a verb joined to an earlier one takes its
     subject ('Moscow downplayed the move and suggested');
   - in ru and uk, a long subject that opens the clause ends at its first adverbial
     ('Генеральный директор компании Ericsson | в ходе конференции сообщил'); in az, where the
     verb comes last, the subject opens the clause and ends with its head noun after its
     genitives ('Prado muzeyinin bərpa şöbəsinin rəhbəri Luisa Montero'), or before 'isə'.
4. A direct quotation with no verb or marker is still reported speech: its speaker is the subject
   before a colon that introduces it ('X addressed the government in sharp words: «...»'), else
   unknown; in an article (`continue_quotations`), a passage that opens with such a quotation
   takes the speaker of the passage before it when that one quotes a named speaker too, as news
   paragraphs of one speaker's quotation follow each other.

Otherwise the passage is in the outlet's voice. Precision and recall per language are measured
by eval/framing.py on a gold set written separately from these lists, on a blind set of hard
sentences, and on the development set the long-sentence rules were developed on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from models.framing.cues import CueSet, load_cues

MIN_QUOTE_WORDS = 4
# passages whose voice is kept: compare asks for a passage's voice twice, in alignment (the
# speaker's state, for passages that name one) and in framing
VOICE_CACHE = 1 << 14
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
                spans += _interrupted(text, match.start(), match.end())
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


# '«Мы видим, — отметила министр, — и ...»': a quotation interrupted by its attribution
_INTERRUPTION = re.compile(r"[,.!?…]\s*[—–]\s+[^—–]{2,80}?,?\s+[—–]\s")


def _interrupted(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A quotation span, split in two around an attribution set off by dashes inside it."""
    match = _INTERRUPTION.search(text, start, end)
    if match is None:
        return [(start, end)]
    return [(start, match.start() + 1), (match.end() - 1, end)]


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def detect_voice(text: str, language: str | None) -> Voice:
    """The voice of passage `text` in `language` (en, ru, uk, az; others use English cues).
    Voices are immutable and the last `VOICE_CACHE` are kept."""
    return _detect_voice(text, load_cues(language or "en").language)


@lru_cache(maxsize=VOICE_CACHE)
def _detect_voice(text: str, language: str) -> Voice:
    cues = load_cues(language)
    found = find_quotes(text)
    quotes = [q for q in found if not _title(text, q[1], cues)]  # a title is masked, no quote
    quote_cues = tuple(Cue("quote", text[s:e], s, e) for s, e in quotes)
    masked = _mask(text, found)
    for pattern in cues.source_markers:
        match = pattern.search(masked)
        if match:
            span = _trim_speaker(masked, match.start("speaker"), match.end("speaker"), cues)
            cue = Cue("source", match.group(), match.start(), match.end())
            return _reported(text, span, (*quote_cues, cue))
    verb = next(
        (m for m in _speech_verbs(text, masked, cues) if not _negated(masked, m.start(), cues)),
        None,
    )
    if verb:
        cue = Cue("speech_verb", verb.group(), verb.start(), verb.end())
        span = _speaker_near_verb(masked, text, verb.start(), verb.end(), cues)
        return _reported(text, span, (*quote_cues, cue))
    if quotes:
        colon = masked[: quotes[0][0]].rstrip()
        if colon.endswith(":"):  # 'X addressed the government in sharp words: «...»'
            span = _subject_before(masked, len(colon) - 1, cues)
            if span is not None:
                span = _shorten(masked, span, cues)
                return Voice("reported", text[span[0] : span[1]], span[0], span[1], quote_cues)
        return Voice("reported", cues=quote_cues)
    return Voice("outlet")


def attributions(text: str, language: str | None) -> tuple[Cue, ...]:
    """Every attribution in the outlet's words of `text`, in order: the source markers and the
    speech verbs that report (steps 2 and 3, quotations masked, negated verbs left out), where
    `detect_voice` stops at the first. A passage with two usually gives two accounts ('Baku says
    the mine was Armenian; Yerevan denies it'), sometimes one speaker's two statements. Markers
    that overlap one found before them (two patterns reading one phrase) count once."""
    cues = load_cues(language or "en")
    masked = _mask(text, find_quotes(text))
    found: list[Cue] = []

    def free(start: int, end: int) -> bool:
        return all(end <= c.start or c.end <= start for c in found)

    for pattern in cues.source_markers:
        found += [Cue("source", m.group(), m.start(), m.end())
                  for m in pattern.finditer(masked) if free(m.start(), m.end())]  # fmt: skip
    for verb in _speech_verbs(text, masked, cues):
        if free(verb.start(), verb.end()) and not _negated(masked, verb.start(), cues):
            found.append(Cue("speech_verb", verb.group(), verb.start(), verb.end()))
    return tuple(sorted(found, key=lambda c: c.start))


def _title(text: str, end: int, cues: CueSet) -> bool:
    """Whether the quotation ending at `end` is a title ('«...» adlı film'), not a quotation."""
    following = _WORDS.match(text[end:].lstrip())
    return bool(following and following.group().lower() in cues.title_words)


def _negated(masked: str, verb_start: int, cues: CueSet) -> bool:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(masked, 0, verb_start)]
    left = max([*breaks, verb_start - 30, 0])
    previous = _WORDS.findall(masked[left:verb_start])[-2:]
    return any(word.lower() in cues.negations for word in previous)


def _speech_verbs(text: str, masked: str, cues: CueSet) -> list[re.Match[str]]:
    """Speech verbs of the masked passage in order: the plain ones, less nouns spelled like them,
    and the clausal ones that a clause or quotation follows."""
    if cues.not_reports is not None:  # 'All told, ...': a set phrase, no report
        masked = cues.not_reports.sub(lambda m: " " * len(m.group()), masked)
    found = [m for m in cues.speech_verbs.finditer(masked)
             if not _noun_reading(text, masked, m, cues)]  # fmt: skip
    if cues.clausal_verbs is not None:
        found += [m for m in cues.clausal_verbs.finditer(masked)
                  if _complement(text, m.end(), cues.clausal_complements, gap=True)
                  or _after_quotation(text, m.start())]  # fmt: skip
    return sorted((m for m in found if _reports(text, masked, m, cues)), key=lambda m: m.start())


def _reports(text: str, masked: str, verb: re.Match[str], cues: CueSet) -> bool:
    """Whether a speech verb found in the text is used to report: not capitalised inside a
    sentence (a name or title: 'the Said Business School'), not after an article ('the said
    agreement'), not passive without an agent or a clause ('no date has been announced')."""
    before = masked[: verb.start()].rstrip()
    if verb.group()[:1].isupper() and before and before[-1] not in '.!?:;«"“„—–-(':
        return False
    previous = (_WORDS.findall(before[-40:]) or [""])[-1].lower()
    if _after_quotation(text, verb.start()):
        previous = ""  # the word before is the quotation's own ('“... this,” declared X')
    if previous in cues.articles:
        return False
    passive = previous in cues.passive_auxiliaries
    if passive and not _complement(text, verb.end(), cues.clausal_complements | {"by"}):
        return False
    return not _describes(masked, verb.start(), cues)


def _describes(masked: str, verb_start: int, cues: CueSet) -> bool:
    """Whether the verb is in a relative clause about a topic ('реформа, про яку X заявив ще
    навесні, ...'; 'выборы, о которых заявлял X, ...'): a description, not a report."""
    if cues.topic_relatives is None:
        return False
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(masked, 0, verb_start)]
    words = _WORDS.findall(masked[max([0, *breaks]) : verb_start])
    return (len(words) >= 2 and words[0].lower() in cues.topic_openers
            and cues.topic_relatives.fullmatch(words[1]) is not None)  # fmt: skip


# a short time or place phrase between a verb and its clause: 'hinted on Sunday that'
_GAP = re.compile(r"(?:on|in|at|during|last|this|earlier|later)\s+(?:the\s+|a\s+|an\s+)?[\w-]+\s+")


def _after_quotation(text: str, start: int) -> bool:
    """Whether a quotation ends right before position `start` ('“...,” declared X')."""
    return text[:start].rstrip().rstrip(",").endswith(("”", "»", '"', "“"))


def _complement(text: str, end: int, words: frozenset[str], gap: bool = False) -> bool:
    """Whether a quotation, a colon or one of `words` follows position `end` of `text`, after at
    most a comma ('нагадує, що') or, with `gap`, a short time or place phrase."""
    rest = text[end:].lstrip()
    if rest.startswith(","):
        rest = rest[1:].lstrip()
    if gap and (skipped := _GAP.match(rest)):
        following = _WORDS.match(rest[skipped.end() :])
        if following and following.group().lower() in words:
            return True
    if rest[:1] in (*_OPENERS, '"', ":"):
        return True
    following = _WORDS.match(rest)
    return bool(following and following.group().lower() in words)


def _noun_reading(text: str, masked: str, verb: re.Match[str], cues: CueSet) -> bool:
    """Whether a speech verb that is also a noun ('demands', 'states') is used as the noun."""
    if verb.group().lower() not in cues.noun_homographs:
        return False
    before = _WORDS.findall(masked[max(0, verb.start() - 40) : verb.start()])
    previous = before[-1].lower() if before else ""
    if previous in cues.determiners or previous.endswith(("'s", "’s")):
        return True
    return not _complement(text, verb.end(), cues.complements)


def _reported(text: str, span: tuple[int, int] | None, cues: tuple[Cue, ...]) -> Voice:
    if span is None:
        return Voice("reported", cues=cues)
    return Voice("reported", text[span[0] : span[1]], span[0], span[1], cues)


def _speaker_near_verb(
    masked: str, text: str, verb_start: int, verb_end: int, cues: CueSet
) -> tuple[int, int] | None:
    previous = (_WORDS.findall(masked[max(0, verb_start - 40) : verb_start]) or [""])[-1]
    if previous.lower() in cues.passive_auxiliaries:  # 'were told by the association that'
        agent = re.match(r"\s+by\s+", masked[verb_end:])
        if agent is None:
            return None
        start = verb_end + agent.end()
        clause = "|".join(map(re.escape, sorted(cues.clausal_complements))) or "(?!)"
        stop = re.search(r"[,;:.()]|\s(?:" + clause + r")\b", masked[start:])
        return _trim_speaker(masked, start, start + stop.start() if stop else len(masked), cues)
    before = _subject_before(masked, verb_start, cues)
    if before is not None and not _opens_topic(masked, before, cues):
        return _shorten(masked, before, cues)
    after_end = _CLAUSE_BREAK.search(masked, verb_end)
    end = after_end.start() if after_end else len(masked)
    after = _trim_speaker(masked, verb_end, end, cues, addressees=True)
    if after is not None and cues.after_stops:
        # circumstances follow a speaker's name: '— заявил председатель профсоюза Иван Петров на
        # митинге', but 'источник в российских дипломатических кругах' is one noun phrase
        words = [m.group() for m in _WORDS.finditer(masked, after[0], after[1])]
        named = next((n for n, word in enumerate(words) if word[0].isupper()), None)
        if named is not None:
            after = _cut_at(masked, after, cues.after_stops, first=named + 1, names_go_on=True)
    if after is not None and len(_WORDS.findall(text[after[0] : after[1]])) <= MAX_SPEAKER_WORDS:
        return after
    return None


def _opens_topic(masked: str, span: tuple[int, int], cues: CueSet) -> bool:
    """Whether the words before a speech verb are its topic ('Об этом сообщил X', 'Про рекордну
    кількість туристів повідомило X'): the speaker then follows the verb."""
    first = _WORDS.match(masked, span[0])
    return bool(first and first.group().lower() in cues.topic_openers)


_AZ_GENITIVE = re.compile(r"[\w-]+(?:ın|in|un|ün)$")  # 'SOCAR-ın' too
# 'şimalındakı', 'Bakıdakı': where something is, an adjective, not a possessive head
_AZ_LOCATIVE_ADJECTIVE = re.compile(r"\w+(?:dakı|dəki|takı|təki)")
# a word in the locative or ablative case ('Saatlıda', 'Bakıdan'): a place, not part of a name
_AZ_PLACE = re.compile(r"\w+(?:da|də|ta|tə|dan|dən|tan|tən)")
# relative participles ('izləyən', 'olan', 'istəməyən'), less nouns that end alike
_AZ_PARTICIPLE = re.compile(r"\w{2,}(?:an|ən)")
_AZ_NOT_PARTICIPLES = frozenset((
    "zaman", "insan", "vətən", "meydan", "tərəfindən", "yenidən", "birdən", "hərdən", "sonradan",
    "əvvəldən", "ilən", "nadan", "divan", "liman", "ekran", "plan", "qadağan", "kapitan",
))  # fmt: skip


def _az_subject_start(tokens: list[str]) -> int:
    """Index where an Azerbaijani subject starts: after a leading adverbial closed by 'sonra' or
    'əvvəl' on an ablative ('yarmarkasından sonra', 'çıxış etdikdən sonra'), when words remain."""
    start = 0
    for n in range(1, len(tokens) - 1):
        closes = tokens[n].lower() in ("sonra", "əvvəl")
        if closes and tokens[n - 1].lower().endswith(("dan", "dən")):
            start = n + 1
    return start


def _az_participle(tokens: list[str], before: int) -> int | None:
    """Index of the last relative participle before index `before` (and the last word), or None."""
    found = None
    for n, token in enumerate(tokens[: min(before, len(tokens) - 1)]):
        word = token.lower()
        ablative = word.endswith(("dan", "dən")) and not word.endswith(("edən", "gedən"))
        if (token[0].islower() and _AZ_PARTICIPLE.fullmatch(word) and not ablative
                and word not in _AZ_NOT_PARTICIPLES):  # fmt: skip
            found = n
    return found


def _az_named_head(tokens: list[str], start: int, cues: CueSet) -> int | None:
    """The head of the noun phrase that a participle describes, from `start`: a genitive head
    ('Konqresin baş katibi'), else the word before the first capitalised word (whose run the
    caller adds), else the first word."""
    rest = tokens[start:]
    if not rest:
        return None
    head = _az_head(["", *rest], cues.speaker_heads, cues.not_heads)
    if head is not None:
        return start + head - 1
    capital = next((n for n, token in enumerate(rest) if token[0].isupper()), None)
    if capital is not None and capital <= 4:
        return start + capital - 1 if capital > 0 else start
    return start


_AZ_POSSESSIVE = re.compile(r"[\w-]+[^n\W][ıiuü]$")  # 'vitse-prezidenti' too


def _az_head(tokens: list[str], heads: frozenset[str], not_heads: frozenset[str]) -> int | None:
    """Index of the head noun that closes an Azerbaijani subject: the first lowercase word with
    the possessive ending after a genitive at most four words before it ('Prado muzeyinin bərpa
    şöbəsinin rəhbəri'), or a listed head ('Rusiya tərəfi'), never one of `not_heads` (numerals
    and quantifiers); None when there is none."""
    for n, token in enumerate(tokens[1:], 1):
        if not token[0].islower() or token.lower() in not_heads:
            continue
        if token.lower() in heads:
            return n
        if (
            _AZ_POSSESSIVE.fullmatch(token)
            and not _AZ_LOCATIVE_ADJECTIVE.fullmatch(token)
            and any(_AZ_GENITIVE.fullmatch(t) for t in tokens[max(0, n - 4) : n])
        ):
            return n
    return None


def _cut_at(
    masked: str,
    span: tuple[int, int],
    stops: frozenset[str],
    first: int,
    names_go_on: bool = False,
    verbs: re.Pattern[str] | None = None,
) -> tuple[int, int]:
    """`span` up to its first word (from word `first` on) in `stops` or, given `verbs`, that is
    a lowercase finite verb; with `names_go_on`, a stop followed by a capitalised word is part of
    the name ('Эрмитажа в Санкт-Петербурге')."""
    words = list(_WORDS.finditer(masked, span[0], span[1]))
    for n in range(first, len(words)):
        word = words[n].group()
        if verbs is not None and word[0].islower() and verbs.fullmatch(word):
            return span[0], words[n - 1].end()
        two = " ".join(w.group().lower() for w in words[n : n + 2])
        if word.lower() in stops or two in stops:
            following = words[n + 1].group() if n + 1 < len(words) else ""
            if names_go_on and following[:1].isupper():
                continue
            return span[0], words[n - 1].end()
    return span


def _subject_before(masked: str, verb_start: int, cues: CueSet) -> tuple[int, int] | None:
    """The speaker span in the words before a speech verb (module docstring, rule 3)."""
    # a parenthesis is an insertion, never a clause: 'the Directorate (HUR) declared'
    masked = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group()), masked[:verb_start])
    bounds = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(masked)]
    ends = [b - 1 for b in bounds[1:]] + [verb_start]  # segment n is masked[bounds[n]:ends[n]]
    commas = {m.end() for m in re.finditer(",", masked)}

    def text_of(n: int) -> str:
        return masked[bounds[n] : ends[n]].strip()

    def insertion(n: int) -> bool:  # 'in turn', 'who asked not to be named', 'выступая ...'
        return any(p is not None and p.fullmatch(text_of(n))
                   for p in (cues.parentheticals, cues.insertions))  # fmt: skip

    def adverbial(n: int) -> bool:  # ', в среду предупредила', ', решительно отрицает'
        first = _WORDS.match(text_of(n))
        return not text_of(n) or bool(first and first.group().lower() in cues.subject_stops)

    segment = len(bounds) - 1
    if segment > 0 and bounds[segment] in commas and text_of(segment).lower() in cues.coordinators:
        # ', and demanded' / ', и выразил': the verb shares the subject of the clause's first verb
        while segment > 0 and bounds[segment] in commas:
            segment -= 1
        start, end = _own_clause(masked, bounds[segment], verb_start, cues)
        return _trim_speaker(masked, start, end, cues)
    if segment > 0 and bounds[segment] in commas and adverbial(segment):
        # the verb follows a comma: 'X, in turn, said', 'X, the economist, said' and 'the mayor,
        # Ivo Maric, said' have the subject before it; otherwise it is an inversion ('The talks,
        # said X, ...')
        n = segment - 1
        while n > 0 and bounds[n] in commas and insertion(n):
            n -= 1
        if n < segment - 1:
            segment = n
        elif n > 0 and bounds[n] in commas:
            if _apposition(text_of(n), text_of(n - 1)):
                segment = n - 1
            elif _opens_with_name(text_of(n)):
                segment = n
    if cues.subject_first:
        topic = re.search(r"\s(?:isə)\s", masked[bounds[segment] : ends[segment]])
        if topic:  # '..., şura üzvü Patrisiya Qrin isə ... bildirib': the topic is the speaker
            return _trim_speaker(masked, bounds[segment], bounds[segment] + topic.start(), cues)
        # verb-final order: the speaker opens the clause, even when a comma follows it, unless
        # a subordinator opens a clause of its own ('..., çünki X bildirib')
        while (segment > 0 and bounds[segment] in commas and not _opens_with_name(text_of(segment))
               and not _opens_subordinate(text_of(segment), cues)):  # fmt: skip
            segment -= 1
        bare = len(_WORDS.findall(text_of(segment))) <= 2  # 'belə ki,' alone: the clause follows
        if _opens_subordinate(text_of(segment), cues) and bare and segment + 1 < len(bounds):
            segment += 1
    start, end = _own_clause(masked, bounds[segment], ends[segment], cues)
    return _trim_speaker(masked, start, end, cues)


def _opens_subordinate(segment: str, cues: CueSet) -> bool:
    words = [w.lower() for w in _WORDS.findall(segment)[:2]]
    return bool(words) and (words[0] in cues.subordinators
                            or " ".join(words) in cues.subordinators)  # fmt: skip


def _opens_with_name(segment: str) -> bool:
    first = _WORDS.match(segment)
    return bool(first and first.group()[0].isupper())


def _apposition(segment: str, previous: str) -> bool:
    """Whether `segment` describes the name that ends `previous` ('Lopez, the bank's economist':
    it opens with a lowercase word, an article or a number)."""
    words, before = _WORDS.findall(segment), _WORDS.findall(previous)
    if not words or not before:
        return False
    opens = words[0].lower() in ("the", "a", "an") or words[0][0].islower() or words[0].isdigit()
    return opens and before[-1][0].isupper()


def _own_clause(masked: str, start: int, end: int, cues: CueSet) -> tuple[int, int]:
    """The subject of the verb's own clause in masked[start:end]: after the last subordinating
    conjunction, or after the last coordinator when a finite verb precedes it; when the verb
    itself follows a coordinator ('Moscow downplayed it and suggested'), the subject of the
    first verb."""
    words = list(_WORDS.finditer(masked, start, end))

    def finite(n: int) -> bool:
        word = words[n].group()
        return bool(cues.finite_verbs and word[0].islower() and cues.finite_verbs.fullmatch(word))

    if words and words[-1].group().lower() in cues.coordinators:
        first = next((n for n in range(len(words) - 1) if finite(n)), None)
        if first:
            return _own_clause(masked, start, words[first].start(), cues)
    for n in range(len(words) - 2, 0, -1):  # the word right before the verb is never a cut
        word = words[n].group().lower()
        subordinator = any(
            " ".join(w.group().lower() for w in words[max(0, n - k) : n + 1]) in cues.subordinators
            for k in (0, 1, 2)
        )  # 'after', 'после того как'
        if subordinator or (word in cues.coordinators and any(finite(m) for m in range(n))):
            return words[n].end(), end
    return start, end


def _trim_speaker(
    text: str, start: int, end: int, cues: CueSet, addressees: bool = False
) -> tuple[int, int] | None:
    """Drop leading conjunctions/relatives, addressees and trailing auxiliaries from a span.

    `text` is the masked passage (quotations blanked), so quoted words never become a speaker.
    """
    words = [(m.start() + start, m.end() + start) for m in _WORDS.finditer(text[start:end])]

    def edge(entries: frozenset[str], at_start: bool) -> int:
        """How many words at the span's start (or end) form an entry: 'has since', 'при этом'."""
        for n in (3, 2, 1):
            part = words[:n] if at_start else words[-n:]
            if n <= len(words) and " ".join(text[a:b].lower() for a, b in part) in entries:
                return n
        last = text[words[-1][0] : words[-1][1]] if words else ""
        return int(not at_start and cues.language == "en" and last.endswith("ly"))

    changed = True
    while words and changed:
        changed = False
        lead = edge(cues.relatives | cues.auxiliaries, at_start=True)
        if lead:
            del words[:lead]
            changed = True
        trail = edge(cues.auxiliaries, at_start=False) if words else 0
        if trail:
            del words[len(words) - trail :]
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


def _shorten(text: str, span: tuple[int, int], cues: CueSet) -> tuple[int, int]:
    """A long subject before a verb keeps its head: the capitalised run that opens it with the
    `speaker_heads` that follow the run (az); in ru and uk, a subject that opens the clause with
    a capital up to its first `subject_stops` word ('Генеральный директор компании Ericsson | в
    ходе конференции'), else its last words (the subject right before the verb in OVS order)."""
    words = [(m.start() + span[0], m.end() + span[0])
             for m in _WORDS.finditer(text[span[0] : span[1]])]  # fmt: skip
    language = cues.language
    if language == "az" and len(words) > 4:
        tokens = [text[a:b] for a, b in words]
        begin = _az_subject_start(tokens)
        tokens, words = tokens[begin:], words[begin:]
        head = _az_head(tokens, cues.speaker_heads, cues.not_heads)
        # a participle before the subject's name describes the head that follows it ('bazarı
        # izləyən ekspert Kamran Mirzəyev'); one after the name is in the reported clause
        name = next((n for n in range((head or 0) + 1, len(tokens)) if tokens[n][0].isupper()),
                    len(tokens))  # fmt: skip
        described = _az_participle(tokens, before=name)
        if described is not None:
            head = _az_named_head(tokens, described + 1, cues)
        run = head + 1 if head is not None else 1
        while (
            run < len(words) and tokens[run][0].isupper() and not _AZ_PLACE.fullmatch(tokens[run])
        ):
            run += 1  # the capitalised run: a name ('Nazirliyi', 'Elnur Həsənov'), not 'Saatlıda'
        while run < len(words) and tokens[run].lower() in cues.speaker_heads:
            run += 1  # 'Rusiya tərəfi', 'Milan prokurorluğu'
        return words[0][0], words[run - 1][1]
    if language in ("ru", "uk") and len(words) > 6:
        first = text[words[0][0] : words[0][1]]
        if first[0].isupper() and first.lower() not in cues.subject_stops:
            span = _cut_at(text, span, cues.subject_stops, first=1, names_go_on=True,
                           verbs=cues.finite_verbs)  # fmt: skip
            words = [w for w in words if w[1] <= span[1]][:MAX_SPEAKER_WORDS]
            return words[0][0], words[-1][1]
        return words[-2][0], words[-1][1]
    if len(words) > MAX_SPEAKER_WORDS:
        return words[0][0], words[MAX_SPEAKER_WORDS - 1][1]
    return span


def continue_quotations(texts: list[str], voices: list[Voice]) -> list[Voice]:
    """Voices of one article's passages in order, with continued quotations (rule 4) given the
    speaker of the quotation before them; that speaker is not in the passage, so its span is
    None."""
    out = list(voices)
    for n in range(1, len(out)):
        voice, previous = out[n], out[n - 1]
        opens_quote = texts[n].lstrip()[:1] in (*_OPENERS, '"')
        if (voice.kind == "reported" and voice.speaker is None and opens_quote
                and all(c.kind == "quote" for c in voice.cues)
                and previous.speaker is not None
                and any(c.kind == "quote" for c in previous.cues)):  # fmt: skip
            out[n] = Voice("reported", previous.speaker, None, None, voice.cues)
    return out
