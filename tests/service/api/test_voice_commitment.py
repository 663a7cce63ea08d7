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
    assert [p["commitment"]["label"] for p in passages] == ["asserted", "attributed", "hedged"]
    assert "voice" not in body["unavailable"] and "stance" in body["unavailable"]
