"""Limits and bad input: each answers a 4xx naming the problem, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.api.engine import Engine
from service.settings import Settings
from tests.conftest import FakeEncoder
from tests.service.api.conftest import ENGLISH, RUSSIAN, make_client


@pytest.fixture
def small_client(settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"max_body_bytes": 2_000, "max_articles": 3,
                                          "max_text_chars": 500, "max_targets": 2})  # fmt: skip
    with make_client(limited, Engine(FakeEncoder())) as client:
        yield client


def _error_locs(response) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(e["loc"]) for e in response.json()["detail"]]


def test_body_over_the_limit_is_413(small_client: TestClient) -> None:
    response = small_client.post("/v1/stance", json={"text": "word " * 1000})
    assert response.status_code == 413
    assert "limit of 2000 bytes" in response.json()["detail"]


def test_body_over_the_limit_without_content_length_is_413(small_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"word " * 10
        yield b'"}'

    response = small_client.post("/v1/stance", content=chunks(),
                                 headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 413


def test_too_many_articles_is_422_with_the_limit(small_client: TestClient) -> None:
    articles = [{"text": f"Article number {i} about Baku."} for i in range(4)]
    response = small_client.post("/v1/align", json={"articles": articles})
    assert response.status_code == 422
    assert _error_locs(response) == [("body", "articles")]
    assert "the limit is 3" in response.json()["detail"][0]["msg"]


def test_text_over_the_length_limit_is_422_with_the_limit(small_client: TestClient) -> None:
    response = small_client.post("/v1/stance", json={"text": "a" * 501})
    assert response.status_code == 422
    assert _error_locs(response) == [("body", "text")]
    assert "limit of 500 characters" in response.json()["detail"][0]["msg"]
    long_second = {"articles": [{"text": "Baku."}, {"text": "b" * 600}]}
    response = small_client.post("/v1/compare", json=long_second)
    assert response.status_code == 422
    assert _error_locs(response) == [("body", "articles", 1, "text")]


def test_too_many_targets_is_422(small_client: TestClient) -> None:
    response = small_client.post("/v1/stance", json={"text": ENGLISH[:400],
                                                     "targets": ["A", "B", "C"]})  # fmt: skip
    assert response.status_code == 422 and _error_locs(response) == [("body", "targets")]


@pytest.mark.parametrize("text", ["", "   \n\t ", "... !!! ---"])
def test_empty_text_is_422_naming_text(client: TestClient, text: str) -> None:
    response = client.post("/v1/stance", json={"text": text})
    assert response.status_code == 422
    assert _error_locs(response) == [("body", "text")]


def test_unsupported_language_is_422_naming_the_field(client: TestClient) -> None:
    declared = client.post("/v1/stance", json={"text": ENGLISH, "language": "de"})
    assert declared.status_code == 422 and _error_locs(declared) == [("body", "language")]
    german = "Die Regierung in Berlin hat am Montag neue Gesetze beschlossen und veröffentlicht."
    detected = client.post("/v1/stance", json={"text": german})
    assert detected.status_code == 422 and _error_locs(detected) == [("body", "text")]
    assert "German (de) is not supported" in detected.json()["detail"][0]["msg"]
    in_list = client.post("/v1/align", json={"articles": [{"text": ENGLISH}, {"text": german}]})
    assert in_list.status_code == 422
    assert _error_locs(in_list) == [("body", "articles", 1, "text")]


@pytest.mark.parametrize("targets", [[""], [42], "Russia", [{"name": "Russia"}], ["<b>x</b>"],
                                     ["Russia\u0000"], []])  # fmt: skip
def test_unknown_target_format_is_422_naming_targets(client: TestClient, targets) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/stance", json={"text": ENGLISH, "targets": targets})
    assert response.status_code == 422
    assert all(loc[:2] == ("body", "targets") for loc in _error_locs(response))


@pytest.mark.parametrize("value", [-0.1, 1.5, "high", "0.5", True, None])
def test_min_confidence_outside_0_to_1_is_422_naming_it(client: TestClient, value) -> None:  # type: ignore[no-untyped-def]
    body = {"articles": [{"text": "Baku closed the centre."}, {"text": "Moscow regrets it."}],
            "min_confidence": value}  # fmt: skip
    for route in ("/v1/align", "/v1/compare"):
        response = client.post(route, json=body)
        assert response.status_code == 422
        assert _error_locs(response) == [("body", "min_confidence")]


def test_invalid_utf8_is_400(client: TestClient) -> None:
    body = b'{"text": "Baku \xff\xfe closed"}'
    response = client.post("/v1/stance", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post("/v1/stance", content=b'{"text": ',
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 422


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\u0000", "\\u0007"])
def test_lone_surrogates_and_control_characters_are_422(client: TestClient, escape: str) -> None:
    body = ('{"text": "Azerbaijan closed the house ' + escape + ' in Baku."}').encode()
    response = client.post("/v1/stance", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert _error_locs(response) == [("body", "text")]


def test_binary_body_is_4xx(client: TestClient) -> None:
    blob = bytes(range(256)) * 4
    for content_type in ("application/json", "application/octet-stream"):
        response = client.post("/v1/stance", content=blob, headers={"content-type": content_type})
        assert 400 <= response.status_code < 500


def test_html_and_script_are_treated_as_text_and_escaped_in_reports(client: TestClient) -> None:
    script = "<script>alert('x')</script> Azerbaijan closed the Russian House in Baku."
    stance = client.post("/v1/stance", json={"text": script, "language": "en"})
    assert stance.status_code == 200
    assert stance.json()["article"]["text"] == script  # returned as data, in JSON
    run = client.post("/v1/compare", json={"articles": [
        {"text": script, "language": "en", "outlet": "<img src=x onerror=alert(1)>"},
        {"text": RUSSIAN},
    ]}).json()  # fmt: skip
    report = client.get(f"/v1/runs/{run['id']}/report").text
    assert "<script>alert" not in report and "&lt;script&gt;" in report
    assert "<img src=x" not in report


def test_unknown_ids_are_404_and_malformed_ids_422(client: TestClient) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/v1/runs/{missing}").status_code == 404
    assert client.get(f"/v1/runs/{missing}/report").status_code == 404
    assert client.get(f"/v1/runs/{missing}/pairs.csv").status_code == 404
    assert client.get("/v1/runs/not-a-uuid").status_code == 422
    assert client.get("/v1/corpora/nope").status_code == 404
    assert client.get("/v1/corpora/nope/articles/a1").status_code == 404
    assert client.post("/v1/corpora/nope/compare").status_code == 404
    assert client.get("/v1/corpora/bad%20name").status_code == 422


def test_corpus_duplicates_are_409_and_small_corpora_not_compared(client: TestClient) -> None:
    first = {"articles": [{"id": "x", "text": ENGLISH}]}
    assert client.post("/v1/corpora/c/articles", json=first).status_code == 201
    duplicate = client.post("/v1/corpora/c/articles", json=first)
    assert duplicate.status_code == 409 and "'x'" in duplicate.json()["detail"]
    same_twice = {"articles": [{"id": "y", "text": ENGLISH}, {"id": "y", "text": RUSSIAN}]}
    response = client.post("/v1/corpora/c/articles", json=same_twice)
    assert response.status_code == 422
    assert _error_locs(response) == [("body", "articles", 1, "id")]
    one = client.post("/v1/corpora/c/compare")
    assert one.status_code == 422 and _error_locs(one) == [("path", "name")]
    assert "has 1 articles" in one.json()["detail"][0]["msg"]


def test_unknown_fields_are_422(client: TestClient) -> None:
    response = client.post("/v1/stance", json={"text": ENGLISH, "txet": "typo"})
    assert response.status_code == 422 and _error_locs(response) == [("body", "txet")]


@pytest.fixture
def keyed_client(settings: Settings) -> Iterator[TestClient]:
    keyed = settings.model_copy(update={"api_key": SecretStr("s3cret-key")})
    with make_client(keyed, Engine(FakeEncoder())) as client:
        yield client


def test_api_key_guards_v1_but_not_health_or_metrics(keyed_client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic czNjcmV0"}):
        response = keyed_client.post("/v1/stance", json={"text": ENGLISH}, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert keyed_client.get("/v1/corpora", headers=headers).status_code == 401
    good = {"Authorization": "Bearer s3cret-key"}
    assert keyed_client.post("/v1/stance", json={"text": ENGLISH}, headers=good).status_code == 200
    assert keyed_client.get("/v1/corpora", headers=good).status_code == 200
    for open_path in ("/healthz", "/readyz", "/metrics"):
        assert keyed_client.get(open_path).status_code == 200


def test_surrogate_in_a_field_name_is_422_not_500(client: TestClient) -> None:
    body = b'{"text": "Baku closed the house.", "\\ud800": 1}'
    response = client.post("/v1/stance", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
