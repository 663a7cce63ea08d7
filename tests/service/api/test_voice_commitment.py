"""/v1/stance carries voice and commitment from the framing cue lists."""

from __future__ import annotations

from service.api.engine import Engine, FramingAnnotator
from service.settings import Settings
from tests.conftest import FakeEncoder
from tests.service.api.conftest import make_client


def test_stance_route_marks_reported_speech_and_hedges(settings: Settings) -> None:
    text = (
        "Azerbaijan closed the Russian House in Baku. "
        "“This is a misunderstanding,” a Russian diplomat said. "
        "The centre was reportedly used for intelligence work."
    )
    engine = Engine(FakeEncoder(), annotator=FramingAnnotator())
    with make_client(settings, engine) as client:
        response = client.post("/v1/stance", json={"text": text, "language": "en"})
    assert response.status_code == 200, response.text
    body = response.json()
    passages = body["passages"]
    assert [p["voice"]["kind"] for p in passages] == ["outlet", "reported", "outlet"]
    assert passages[1]["voice"]["speaker"] == "a Russian diplomat"
    said = passages[1]["voice"]["attributions"]
    assert [(c["kind"], c["text"]) for c in said] == [("speech_verb", "said")]
    assert passages[1]["text"][said[0]["start"] : said[0]["end"]] == "said"
    assert passages[0]["voice"]["attributions"] == []
    assert [p["commitment"]["label"] for p in passages] == ["asserted", "attributed", "hedged"]
    assert "voice" not in body["unavailable"] and "stance" in body["unavailable"]


class KeywordStance:
    """A StanceModel for logic tests: 'against' when the passage names the target."""

    name = "keyword-stance-v1"

    def predict_proba(self, texts, targets, spans=None):  # type: ignore[no-untyped-def]
        import numpy as np

        rows = [[0.1, 0.8, 0.1] if t.lower() in x.lower() else [0.0, 0.0, 1.0]
                for x, t in zip(texts, targets, strict=True)]  # fmt: skip
        return np.asarray(rows, dtype=np.float32)


def test_compare_route_carries_stance_when_a_model_is_loaded(settings: Settings) -> None:
    from service.api.engine import ModelStanceScorer

    engine = Engine(FakeEncoder(), stance=ModelStanceScorer(KeywordStance()))
    articles = [
        {"id": "a", "language": "en", "text": "Russia denied any role. The plane crashed."},
        {"id": "b", "language": "en", "text": "Baku blamed Russia for the crash. Talks stalled."},
    ]
    with make_client(settings, engine) as client:
        response = client.post("/v1/compare", json={"articles": articles})
    assert response.status_code == 201, response.text
    result = response.json()["result"]
    assert result["method"]["stance"] == "keyword-stance-v1"
    first = result["articles"][0]["passages"][0]
    assert first["stance"]["Russia"] == {"favor": 0.1, "against": 0.8, "none": 0.1}
    assert first["stance"]["Azerbaijan"]["none"] == 1.0
