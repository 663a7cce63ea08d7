"""Where a passage names an actor, in any of en/ru/uk/az: the versioned actor lexicon.

A stance target is a canonical actor name ("Russia", "Aliyev"). Plain string search finds
"Russia" in English only: "России", "Росії", "Rusiyanın" and "the Kremlin" all name the same
actor, and a stance model trained on marked mentions (RuSentNE marks every entity) sees an
unmarked passage as out of distribution. The lexicon maps each actor to word patterns in three
tiers, tried in order, so the mention that gets marked is the most direct one in the passage:

1. the actor's own name and its adjective, in every inflection ("Russia", "Russian", "российских",
   "Rusiya"; for a person, the surname);
2. metonyms: the capital or seat of power standing for the state ("Moscow", "Кремль", "Bakı");
3. the people and bodies that act for it (head of state, foreign minister, spokespeople).

Patterns are stems matched at a word start, case-insensitively, with the rest of the word taken
as the inflection (`Росси` + `и`/`ей`/`йских`). Stems were chosen to be unambiguous across the four
languages: "Rus" alone would match English "rust", so Azerbaijani "Rus" must stand as a word.
The lexicon is this module's data and carries its version in `LEXICON_VERSION`; a target that is
not in it falls back to plain case-insensitive search. `actors-v2` adds five states of the region's
news (Georgia, Iran, Kazakhstan, the USA, China) to v1's, whose patterns it keeps. `actors-v3` keeps
v2's patterns and also reads the target itself in any of the four languages (`canonical_actor`):
"Россия" or "Russian Federation" as a target is Russia, where v2 searched for the text "Россия".

`involved_actors` picks the states and unions a set of passages is about (the most mentioned
ones), and `resolve_targets` puts them in place of the target `AUTO`: stance toward the actors
involved, whichever they are, rather than a fixed pair.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

LEXICON_VERSION = "actors-v3"
AUTO = "auto"  # the target that stands for the actors a text set is about
AUTO_LIMIT = 4  # at most this many actors replace AUTO

# actor -> tiers of regex stems (a stem ending in "\b" must end the word; others take a suffix).
_LEXICON: dict[str, tuple[tuple[str, ...], ...]] = {
    "Russia": (
        (r"Russia", r"Росси", r"РФ\b", r"Росі", r"Rusiya", r"Rus\b", r"Rusya"),
        (r"Moscow", r"Москв", r"Moskva", r"Kremlin", r"Кремл", r"Kreml"),
        (
            r"Putin",
            r"Путин",
            r"Путін",
            r"Peskov",
            r"Песков",
            r"Пєсков",
            r"Lavrov",
            r"Лавров",
            r"Zakharova",
            r"Захаров",
            r"Zaxarova",
            r"Rossotrudnichestvo",
            r"Россотрудничеств",
            r"Росспівробітництв",
        ),
    ),
    "Azerbaijan": (
        (r"Azerbaijan", r"Азербайджан", r"Azərbaycan", r"Azerbaycan", r"Azeri"),
        (r"Baku\b", r"Баку\b", r"Bakı", r"Бакин", r"Бакинськ"),
        (
            r"Aliyev",
            r"Алиев",
            r"Алієв",
            r"Əliyev",
            r"Bayramov",
            r"Байрамов",
            r"Hajizada",
            r"Гаджизаде",
            r"Hacızadə",
        ),
    ),
    "Ukraine": (
        (r"Ukrain", r"Украин", r"Україн", r"Ukrayna"),
        (r"Kyiv", r"Kiev", r"Киев", r"Київ", r"Kiyev"),
        (r"Zelensk", r"Зеленск", r"Зеленськ", r"Zelenski", r"Sybiha", r"Сибиг", r"Сибіг"),
    ),
    "Armenia": (
        (r"Armenia", r"Армени", r"Армян", r"Вірмен", r"Ermənistan", r"Erməni"),
        (r"Yerevan", r"Ереван", r"Єреван", r"İrəvan"),
        (r"Pashinyan", r"Пашинян", r"Paşinyan"),
    ),
    "Turkey": (
        (
            r"Turkey",
            r"Turkish",
            r"Türkiye",
            r"Турци",
            r"Турецк",
            r"Туреччин",
            r"Турецьк",
            r"Türkiyə",
            r"Türk\b",
        ),
        (r"Ankara", r"Анкар"),
        (r"Erdogan", r"Erdoğan", r"Эрдоган", r"Ердоган"),
    ),
    "EU": (
        (
            r"EU\b",
            r"European Union",
            r"Евросоюз",
            r"Євросоюз",
            r"ЕС\b",
            r"Європейськ\w* Союз",
            r"ЄС\b",
            r"Aİ\b",
            r"Avropa İttifaq",
        ),
        (r"Brussels", r"Брюссел", r"Brüssel"),
        (),
    ),
    "Georgia": (
        # in this region's news 'Georgia' is the country far more often than the US state
        (r"Georgia", r"Грузи", r"Грузії", r"Грузія", r"Gürcüstan", r"Gürcü"),
        (r"Tbilisi", r"Тбилис", r"Тбіліс", r"Tbilis"),
        (r"Kobakhidze", r"Кобахидзе", r"Кобахідзе", r"Kobaxidze"),
    ),
    "Iran": (
        (r"Iran", r"Иран", r"Іран", r"İran"),
        (r"Tehran", r"Тегеран", r"Tehran"),
        (r"Araghchi", r"Аракчи", r"Аракчі", r"Ərağçi", r"Pezeshkian", r"Пезешкиан", r"Пезешкіан"),
    ),
    "Kazakhstan": (
        # az 'Qazax' alone is also a district of Azerbaijan
        (r"Kazakh", r"Казах", r"Qazaxıstan"),
        (r"Astana", r"Астан"),
        (r"Tokayev", r"Токаев", r"Токаєв", r"Tokayev"),
    ),
    "USA": (
        (
            r"(?-i:U\.S\.)",
            r"(?-i:US\b)",
            r"(?-i:USA\b)",
            r"United States",
            r"American",
            r"США\b",
            r"Соединённ\w* Штат",
            r"Соединенн\w* Штат",
            r"Сполучен\w* Штат",
            r"Американ",
            r"ABŞ",
            r"Amerika",
        ),
        (
            r"Washington",
            r"Вашингтон",
            r"Vaşinqton",
            r"White House",
            r"Бел\w* дом",
            r"Біл\w* д[оі]м",
            r"Ağ Ev",
        ),
        (r"Trump", r"Трамп", r"Tramp", r"Rubio", r"Рубио", r"Рубіо"),
    ),
    "China": (
        # 'Кита' + ending, not 'кита' (the whale's genitive)
        (r"China", r"Chinese", r"Кита[йяюе]", r"Çin\b", r"Çinin", r"Çinə", r"Çində"),
        (r"Beijing", r"Пекин", r"Пекін", r"Pekin"),
        (r"Xi Jinping", r"Си Цзиньпин", r"Сі Цзіньпін", r"Si Cinpin"),
    ),
    "Kremlin": ((r"Kremlin", r"Кремл", r"Kreml"), (), (r"Peskov", r"Песков", r"Пєсков")),
    "Putin": ((r"Putin", r"Путин", r"Путін"),),
    "Aliyev": ((r"Aliyev", r"Алиев", r"Алієв", r"Əliyev"),),
    "Zelensky": ((r"Zelensk", r"Зеленск", r"Зеленськ", r"Zelenski"),),
    "Peskov": ((r"Peskov", r"Песков", r"Пєсков"),),
    "Lavrov": ((r"Lavrov", r"Лавров"),),
}

# The states and unions among the actors; each one's tiers cover its capital and its officials.
# COUNTRIES are those of actors-v1, which the stance model's training data draws absent targets
# from (models/stance/train.py); STATES adds actors-v2's.
COUNTRIES = ("Russia", "Azerbaijan", "Ukraine", "Armenia", "Turkey", "EU")
STATES = (*COUNTRIES, "Georgia", "Iran", "Kazakhstan", "USA", "China")

# Word characters include letters of all four alphabets (Python's \w is Unicode-aware).
_WORD_START = r"(?<!\w)"


@cache
def _tier_patterns(actor: str) -> tuple[re.Pattern[str], ...]:
    tiers = _LEXICON[actor]
    return tuple(
        re.compile(_WORD_START + "(?:" + "|".join(stems) + r")\w*", re.IGNORECASE)
        for stems in tiers
        if stems
    )


@cache
def _any_state() -> re.Pattern[str]:
    stems = [stem for state in STATES for tier in _LEXICON[state] for stem in tier]
    return re.compile(_WORD_START + "(?:" + "|".join(stems) + ")", re.IGNORECASE)


def names_a_state(text: str) -> bool:
    """Whether `text` names any of `STATES` by any tier: one search, where `involved_actors`
    tries every state's patterns to say which."""
    return _any_state().search(text) is not None


# Words of a state's formal name that the lexicon's stems leave out: "Russian Federation",
# "Республика Армения", "Azərbaycan Respublikası".
_STATE_FORM = re.compile(
    r"(?<!\w)(?:Federation|Федераци\w*|Федераці\w*|Federasiya\w*|Republic|Республик\w*"
    r"|Республік\w*|Respublika\w*|of)(?!\w)",
    re.IGNORECASE,
)


def canonical_actor(target: str) -> str | None:
    """The lexicon actor that `target` names, or None.

    A user writes targets as they would write them in their own language: "Россия", "Росія",
    "Rusiya", "Russian Federation" and "Russia" are one actor, "Путин" and "Putin" another. The
    target is its canonical name (any case), or, once the words of a formal state name are
    dropped, a name in the first tier of one actor's patterns (its own name or adjective, any
    language, any inflection). Metonyms are not targets of their state: "Kremlin" is an actor of
    its own and "Moscow" is no actor.
    """
    key = target.strip().casefold()
    exact = next((actor for actor in _LEXICON if actor.casefold() == key), None)
    if exact is not None:
        return exact
    name = " ".join(_STATE_FORM.sub(" ", target).split())
    if not name:
        return None
    for actor in _LEXICON:
        patterns = _tier_patterns(actor)
        if patterns and _LEXICON[actor][0] and patterns[0].fullmatch(name):
            return actor
    return None


def known_actors() -> tuple[str, ...]:
    """The targets the lexicon knows."""
    return tuple(_LEXICON)


def find_actor_mention(text: str, target: str) -> tuple[int, int] | None:
    """Span of the most direct mention of `target` in `text` (first match of the best tier).

    `target` may name the actor in any language (`canonical_actor`). None when it names no
    actor of the lexicon or no tier matches.
    """
    actor = canonical_actor(target)
    if actor is None:
        return None
    for pattern in _tier_patterns(actor):
        match = pattern.search(text)
        if match:
            return match.span()
    return None


def involved_actors(
    texts: Sequence[str], limit: int = AUTO_LIMIT, min_mentions: int = 2
) -> tuple[str, ...]:
    """The states and unions `texts` are about: those named (by any tier) in at least
    `min_mentions` of the texts, the most often named first (ties by name), at most `limit`."""
    counts = {state: sum(find_actor_mention(text, state) is not None for text in texts)
              for state in STATES}  # fmt: skip
    ranked = sorted((state for state, n in counts.items() if n >= max(min_mentions, 1)),
                    key=lambda state: (-counts[state], state))  # fmt: skip
    return tuple(ranked[:limit])


def resolve_targets(
    targets: Sequence[str], texts: Sequence[str], min_mentions: int = 2
) -> tuple[str, ...]:
    """`targets` with `AUTO` (any case) replaced by the actors `texts` are about
    (`involved_actors`), duplicates dropped, order kept. Without AUTO, `targets` unchanged."""
    if not any(target.strip().casefold() == AUTO for target in targets):
        return tuple(targets)
    resolved: list[str] = []
    for target in targets:
        if target.strip().casefold() == AUTO:
            resolved += involved_actors(texts, min_mentions=min_mentions)
        else:
            resolved.append(target)
    return tuple(dict.fromkeys(resolved))
