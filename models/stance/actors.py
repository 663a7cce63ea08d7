"""Where a passage names an actor, in any of en/ru/uk/az: the actor lexicon ("actors-v1").

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
not in it falls back to plain case-insensitive search.
"""

from __future__ import annotations

import re
from functools import cache

LEXICON_VERSION = "actors-v1"

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
    "Kremlin": ((r"Kremlin", r"Кремл", r"Kreml"), (), (r"Peskov", r"Песков", r"Пєсков")),
    "Putin": ((r"Putin", r"Путин", r"Путін"),),
    "Aliyev": ((r"Aliyev", r"Алиев", r"Алієв", r"Əliyev"),),
    "Zelensky": ((r"Zelensk", r"Зеленск", r"Зеленськ", r"Zelenski"),),
    "Peskov": ((r"Peskov", r"Песков", r"Пєсков"),),
    "Lavrov": ((r"Lavrov", r"Лавров"),),
}

# The states and unions among the actors; each one's tiers cover its capital and its officials.
COUNTRIES = ("Russia", "Azerbaijan", "Ukraine", "Armenia", "Turkey", "EU")

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


def _canonical(target: str) -> str | None:
    key = target.strip().casefold()
    return next((actor for actor in _LEXICON if actor.casefold() == key), None)


def known_actors() -> tuple[str, ...]:
    """The targets the lexicon knows."""
    return tuple(_LEXICON)


def find_actor_mention(text: str, target: str) -> tuple[int, int] | None:
    """Span of the most direct mention of `target` in `text` (first match of the best tier).

    None when `target` is not in the lexicon or no tier matches.
    """
    actor = _canonical(target)
    if actor is None:
        return None
    for pattern in _tier_patterns(actor):
        match = pattern.search(text)
        if match:
            return match.span()
    return None
