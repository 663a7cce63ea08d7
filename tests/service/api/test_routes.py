"""Every route with a valid request: status, shape and exact values from the fake models."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.api import create_app
from service.persistence import Store
from service.settings import Settings
from tests.service.api.conftest import ENGLISH, RUSSIAN

TWO_ARTICLES = {"articles": [
    {"id": "baku", "text": ENGLISH, "outlet": "Example Daily"},
    {"id": "moscow", "text": RUSSIAN, "language": "ru"},
]}  # fmt: skip


def test_health_ready_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["models"] == {"encoder": "fake-trigram-v1", "stance": None,
                                      "annotator": None}  # fmt: skip
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/v1/stance" in schema["paths"]
    assert schema["components"]["schemas"]["StanceRequest"]["examples"]


def test_stance_without_a_stance_model_omits_stance(client: TestClient) -> None:
    response = client.post("/v1/stance", json={"text": ENGLISH, "title": "Closure"})
    assert response.status_code == 200
    body = response.json()
    assert body["article"]["language"] == "en" and body["article"]["language_detected"] is True
    assert body["targets"] == ["Russia", "Azerbaijan"]
    assert body["unavailable"] == ["stance", "voice", "commitment"]
    assert body["aggregate"] == {"passages": 3}
    text = body["article"]["text"]
    assert [p["text"] for p in body["passages"]] == [text[p["start"] : p["end"]]
                                                      for p in body["passages"]]  # fmt: skip
    assert all("stance" not in p for p in body["passages"])


def test_stance_with_a_model_scores_every_target(stance_client: TestClient) -> None:
    response = stance_client.post(
        "/v1/stance", json={"text": ENGLISH, "language": "en", "targets": ["Moscow", "Moscow"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["targets"] == ["Moscow"]  # duplicates dropped
    assert body["article"]["language_detected"] is False
    assert [p["stance"]["Moscow"]["against"] for p in body["passages"]] == [0.0, 0.0, 0.8]
    assert body["aggregate"]["stance"]["Moscow"]["none"] == (1.0 + 1.0 + 0.1) / 3
    assert body["unavailable"] == ["voice", "commitment"]


def test_align_returns_pairs_and_fact_groups(client: TestClient) -> None:
    response = client.post("/v1/align", json=TWO_ARTICLES)
    assert response.status_code == 200
    body = response.json()
    assert [a["id"] for a in body["articles"]] == ["baku", "moscow"]
    assert [a["language"] for a in body["articles"]] == ["en", "ru"]
    assert [a["outlet"] for a in body["articles"]] == ["Example Daily", "moscow"]  # its id
    pairs = {(p["a"], p["b"]) for p in body["pairs"]}
    grouped = {(g["passages"][0], g["passages"][1]) for g in body["fact_groups"]}
    assert pairs == grouped  # with two articles every group is one pair
    assert all(g["articles"] == ["baku", "moscow"] for g in body["fact_groups"])
    assert body["method"]["encoder"] == "fake-trigram-v1"


def test_align_keeps_the_links_from_the_confidence_asked_for(client: TestClient) -> None:
    default = client.post("/v1/align", json=TWO_ARTICLES).json()
    everything = client.post("/v1/align", json={**TWO_ARTICLES, "min_confidence": 0.0}).json()
    assert default["method"]["alignment_threshold"] == 0.5
    assert everything["method"]["alignment_threshold"] == 0.0
    assert all(p["confidence"] >= 0.5 for p in default["pairs"])
    assert {p["kind"] for p in everything["pairs"]} <= {"mutual", "span", "translation"}
    kept = {(p["a"], p["b"]) for p in default["pairs"]}
    assert kept < {(p["a"], p["b"]) for p in everything["pairs"]}  # strictly more below 0.5
    surest = max(p["confidence"] for p in everything["pairs"])
    over = client.post("/v1/align", json={**TWO_ARTICLES, "min_confidence": surest + 1e-6})
    assert over.json()["pairs"] == [] and over.json()["fact_groups"] == []


def test_compare_stores_a_run_with_result_and_report(client: TestClient) -> None:
    created = client.post("/v1/compare", json=TWO_ARTICLES)
    assert created.status_code == 201
    run = created.json()
    assert run["status"] == "done" and run["error"] is None
    assert [a["id"] for a in run["result"]["articles"]] == ["baku", "moscow"]
    fetched = client.get(f"/v1/runs/{run['id']}")
    assert fetched.status_code == 200 and fetched.json() == run
    report = client.get(f"/v1/runs/{run['id']}/report")
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    assert "Example Daily" in report.text


def test_a_runs_pairs_csv_has_a_row_per_alignment(client: TestClient) -> None:
    retold = ENGLISH.replace("on Monday", "early on Monday")
    run = client.post("/v1/compare", json={"articles": [
        {"id": "baku", "text": ENGLISH, "outlet": "Example Daily"},
        {"id": "copy", "text": retold, "outlet": "=cmd|' /C calc'!A0"},
    ]}).json()  # fmt: skip
    pairs = client.get(f"/v1/runs/{run['id']}/pairs.csv")
    assert pairs.status_code == 200 and pairs.headers["content-type"].startswith("text/csv")
    assert f"parallax-{run['id']}-pairs.csv" in pairs.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(pairs.content.decode("utf-8-sig"))))
    alignments = run["result"]["alignments"]
    assert alignments and sorted((r["a"], r["b"]) for r in rows) == sorted(
        (a["a"], a["b"]) for a in alignments)  # fmt: skip
    outlets = {r["outlet_a"] for r in rows} | {r["outlet_b"] for r in rows}
    assert outlets == {"Example Daily", "'=cmd|' /C calc'!A0"}  # never a formula


def test_corpus_add_list_fetch_and_compare(client: TestClient) -> None:
    added = client.post("/v1/corpora/news/articles", json={"articles": [{"text": ENGLISH}]})
    assert added.status_code == 201
    assert added.json() == {"corpus": "news", "added": ["a1"], "articles": 1}
    again = client.post("/v1/corpora/news/articles", json={"articles": [{"text": RUSSIAN}]})
    assert again.json() == {"corpus": "news", "added": ["a2"], "articles": 2}
    listing = client.get("/v1/corpora").json()["corpora"]
    assert [(c["name"], c["articles"]) for c in listing] == [("news", 2)]
    corpus = client.get("/v1/corpora/news").json()
    assert [(a["id"], a["language"]) for a in corpus["articles"]] == [("a1", "en"), ("a2", "ru")]
    article = client.get("/v1/corpora/news/articles/a2").json()
    assert article["text"] == RUSSIAN and article["language"] == "ru"

    started = client.post("/v1/corpora/news/compare", json={"window": 1})
    assert started.status_code == 202 and started.json()["corpus"] == "news"
    run = client.get(started.json()["links"]["self"]).json()  # TestClient ran the task already
    assert run["status"] == "done"
    assert [a["id"] for a in run["result"]["articles"]] == ["a1", "a2"]
    assert client.get(started.json()["links"]["report"]).status_code == 200
    assert run["result"]["method"]["alignment_threshold"] == 0.5

    strict = client.post("/v1/corpora/news/compare", json={"min_confidence": 1.0}).json()
    result = client.get(strict["links"]["self"]).json()["result"]
    assert result["method"]["alignment_threshold"] == 1.0
    assert all(al["confidence"] >= 1.0 for al in result["alignments"])


def test_metrics_count_requests_by_route(client: TestClient) -> None:
    client.post("/v1/stance", json={"text": ENGLISH})
    client.get("/v1/runs/00000000-0000-0000-0000-000000000000")
    text = client.get("/metrics").text
    assert 'parallax_http_requests_total{method="POST",route="/v1/stance",status="200"} 1.0' in text
    assert (
        'parallax_http_requests_total{method="GET",route="/v1/runs/{run_id}",status="404"} 1.0'
        in text
    )
    assert "parallax_inference_in_flight 0.0" in text


def test_before_models_load_readyz_and_inference_answer_503(settings: Settings) -> None:
    store = Store(settings.database)
    app = create_app(settings, store=store)  # no engine, and the lifespan has not run
    client = TestClient(app)  # not entered: startup (model loading) never happens
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    refused = client.post("/v1/stance", json={"text": ENGLISH})
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    store.close()


def test_stance_toward_auto_scores_the_states_the_article_names(
    stance_client: TestClient,
) -> None:
    response = stance_client.post(
        "/v1/stance", json={"text": ENGLISH, "language": "en", "targets": ["auto", "Moscow"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["targets"] == ["Azerbaijan", "Russia", "Moscow"]
    assert set(body["passages"][0]["stance"]) == {"Azerbaijan", "Russia", "Moscow"}
    nothing = stance_client.post(
        "/v1/stance", json={"text": "The museum opened a new hall.", "targets": ["auto"]}
    )
    assert nothing.status_code == 200
    assert nothing.json()["targets"] == [] and "stance" not in nothing.json()["unavailable"]
    assert all("stance" not in p for p in nothing.json()["passages"])


def test_a_stance_model_that_cannot_load_is_refused_with_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A typo in PARALLAX_STANCE_MODEL fails when settings are read, not at the first request."""
    monkeypatch.setenv("PARALLAX_STANCE_MODEL", "finetunned")
    with pytest.raises(ValidationError, match="unknown stance model 'finetunned'"):
        Settings()
    monkeypatch.setenv("PARALLAX_STANCE_MODEL", str(tmp_path))
    with pytest.raises(ValidationError, match="not a stance artifact"):
        Settings()
    for ok in ("", "ensemble"):  # empty: no stance
        monkeypatch.setenv("PARALLAX_STANCE_MODEL", ok)
        assert Settings().stance_model == ok
    monkeypatch.delenv("PARALLAX_STANCE_MODEL")
    assert Settings().stance_model == "finetuned"  # unset: the API scores stance, as compare does
