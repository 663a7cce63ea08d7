"""The actor lexicon finds an actor's most direct mention in all four languages."""

import pytest

from models.stance.actors import (
    STATES,
    canonical_actor,
    find_actor_mention,
    involved_actors,
    known_actors,
    names_a_state,
)
from models.stance.inputs import find_mention


def _mention(text: str, target: str) -> str | None:
    span = find_mention(text, target)
    return None if span is None else text[span[0] : span[1]]


@pytest.mark.parametrize(
    ("text", "target", "mention"),
    [
        ("Officials said Russian air defences were active.", "Russia", "Russian"),
        ("Власти России отвергли обвинения.", "Russia", "России"),
        ("Позиція Росії не змінилася.", "Russia", "Росії"),
        ("Rusiyanın mövqeyi dəyişmədi.", "Russia", "Rusiyanın"),
        ("Rus sülhməramlıları bölgəni tərk etdi.", "Russia", "Rus"),
        ("Санкции против РФ продлены.", "Russia", "РФ"),
        ("Азербайджанские власти закрыли офис.", "Azerbaijan", "Азербайджанские"),
        ("Azərbaycanın XİN-i bəyanat yayıb.", "azerbaijan", "Azərbaycanın"),
        ("Президент Алієв заявив про це.", "Aliyev", "Алієв"),
        ("Євросоюз і ЄС", "EU", "Євросоюз"),
    ],
)
def test_names_in_every_language_and_inflection(text: str, target: str, mention: str) -> None:
    assert _mention(text, target) == mention


def test_direct_name_beats_metonym_and_officials() -> None:
    text = "Moscow and Putin stayed silent while Russia's envoy left."
    assert _mention(text, "Russia") == "Russia"
    assert _mention("Putin met the envoy in the Kremlin.", "Russia") == "Kremlin"
    assert _mention("Putin met the envoy.", "Russia") == "Putin"
    assert _mention("В Баку ответили Москве.", "Azerbaijan") == "Баку"


@pytest.mark.parametrize(
    ("target", "actor"),
    [
        ("Russia", "Russia"),
        ("russia", "Russia"),
        ("Россия", "Russia"),
        ("России", "Russia"),
        ("Росія", "Russia"),
        ("Rusiya", "Russia"),
        ("РФ", "Russia"),
        ("Russian Federation", "Russia"),
        ("Российская Федерация", "Russia"),
        ("Republic of Azerbaijan", "Azerbaijan"),
        ("Азербайджанская Республика", "Azerbaijan"),
        ("Azərbaycan Respublikası", "Azerbaijan"),
        ("Україна", "Ukraine"),
        ("Türkiyə", "Turkey"),
        ("Євросоюз", "EU"),
        ("США", "USA"),
        ("Кремль", "Kremlin"),
        ("Путін", "Putin"),
        ("Алиев", "Aliyev"),
    ],
)
def test_a_target_names_its_actor_in_any_language_and_formal_form(target: str, actor: str) -> None:
    assert canonical_actor(target) == actor


@pytest.mark.parametrize("target", ["Moscow", "Gazprom", "Federation", "of", "Russia Today", ""])
def test_metonyms_other_names_and_bare_state_words_name_no_actor(target: str) -> None:
    assert canonical_actor(target) is None


def test_a_target_in_another_language_finds_the_same_mention() -> None:
    text = "В Кремле заявили, что Россия не примет ультиматум."
    assert find_actor_mention(text, "Россия") == find_actor_mention(text, "Russia")
    assert _mention("Рішення Баку стало несподіванкою.", "Азербайджан") == "Баку"


def test_stems_match_only_at_word_start_and_avoid_false_friends() -> None:
    assert find_actor_mention("The rust on the hull of the prussian ship.", "Russia") is None
    assert find_actor_mention("A rush of bakugan fans.", "Azerbaijan") is None
    assert find_actor_mention("Members of the EUropean team", "EU") is None


def test_unknown_targets_fall_back_to_plain_search() -> None:
    assert "Gazprom" not in known_actors()
    assert find_actor_mention("Gazprom cut supplies.", "Gazprom") is None
    assert _mention("Supplies from GAZPROM fell.", "Gazprom") == "GAZPROM"
    assert _mention("Nothing about it here.", "Russia") is None


def test_countries_are_actors_of_the_lexicon() -> None:
    from models.stance.actors import COUNTRIES, known_actors

    assert set(COUNTRIES) <= set(known_actors())


@pytest.mark.parametrize(
    ("text", "target", "mention"),
    [
        ("The U.S. and China traded accusations.", "USA", "U.S."),
        ("США ввели санкции.", "USA", "США"),
        ("Білий дім відповів.", "USA", "Білий дім"),
        ("ABŞ sanksiya tətbiq edib.", "USA", "ABŞ"),
        ("Грузинские власти задержали журналиста.", "Georgia", "Грузинские"),
        ("Gürcüstanın baş naziri çıxış edib.", "Georgia", "Gürcüstanın"),
        ("Tehran rejected the claim.", "Iran", "Tehran"),
        ("Уряд Казахстану заперечив.", "Kazakhstan", "Казахстану"),
        ("Çinin mövqeyi dəyişmədi.", "China", "Çinin"),
    ],
)
def test_actors_v2_adds_states_of_the_regions_news(text: str, target: str, mention: str) -> None:
    assert _mention(text, target) == mention


def test_actors_v2_avoids_pronouns_whales_and_districts() -> None:
    assert find_actor_mention("Let us meet in Baku.", "USA") is None  # 'us' is no state
    assert find_actor_mention("Рыбаки видели кита у берега.", "China") is None  # the whale
    assert find_actor_mention("Qazax rayonunda yağış yağıb.", "Kazakhstan") is None  # district


def test_involved_actors_are_the_most_named_states() -> None:
    from models.stance.actors import involved_actors

    texts = ["Iran and Russia signed a deal.", "Tehran praised it.", "Moscow said little.",
             "Georgia watched.", "The Kremlin and Iran's envoy met."]  # fmt: skip
    assert involved_actors(texts) == ("Iran", "Russia")  # Georgia is named once
    assert involved_actors(texts, min_mentions=1) == ("Iran", "Russia", "Georgia")
    assert involved_actors(texts, limit=1) == ("Iran",)
    assert involved_actors(["Nothing about states."]) == ()


@pytest.mark.parametrize(
    "text",
    [
        "The Kremlin said it would answer.",
        "Минобороны России заявило об ударе.",
        "Речник Кремля відповів.",
        "Bakıda fəaliyyət göstərən ekspert bildirib.",
        "Rusty nails and a whale were found on the beach.",
        "The minister said nothing new.",
        "Beijing and Tehran kept silent.",
    ],
)  # fmt: skip
def test_names_a_state_agrees_with_the_states_involved(text: str) -> None:
    assert names_a_state(text) == bool(involved_actors([text], limit=len(STATES), min_mentions=1))


def test_auto_target_resolves_to_the_involved_actors_in_place() -> None:
    from models.stance.actors import resolve_targets

    texts = ["Iran and Russia signed a deal.", "Tehran praised it.", "Moscow said little."]
    assert resolve_targets(["Azerbaijan", "AUTO"], texts) == ("Azerbaijan", "Iran", "Russia")
    assert resolve_targets(["Russia", "auto"], texts) == ("Russia", "Iran")  # no duplicates
    assert resolve_targets(["Russia", "Azerbaijan"], texts) == ("Russia", "Azerbaijan")
    assert resolve_targets(["auto"], ["No states here."]) == ()
