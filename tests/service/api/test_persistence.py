"""The store: runs and corpora survive a restart; SQLite by default, PostgreSQL when given."""

from __future__ import annotations

import os

import pytest

from service.api.engine import Engine
from service.persistence import Conflict, NotFound, Store
from service.settings import Settings
from tests.conftest import FakeEncoder
from tests.service.api.conftest import ENGLISH, RUSSIAN, make_client

POSTGRES_URL = os.environ.get("PARALLAX_TEST_POSTGRES_URL")


def test_runs_and_corpora_survive_a_restart(settings: Settings) -> None:
    articles = {"articles": [{"id": "e", "text": ENGLISH}, {"id": "r", "text": RUSSIAN}]}
    with make_client(settings, Engine(FakeEncoder())) as client:
        run = client.post("/v1/compare", json=articles).json()
        client.post("/v1/corpora/kept/articles", json=articles)
        report = client.get(f"/v1/runs/{run['id']}/report").text
    assert (settings.data_dir / "parallax.db").is_file()

    with make_client(settings, Engine(FakeEncoder())) as restarted:
        assert restarted.get(f"/v1/runs/{run['id']}").json() == run
        assert restarted.get(f"/v1/runs/{run['id']}/report").text == report
        assert [a["id"] for a in restarted.get("/v1/corpora/kept").json()["articles"]] == ["e", "r"]
        assert restarted.get("/v1/corpora/kept/articles/r").json()["text"] == RUSSIAN


def test_a_run_interrupted_by_a_crash_is_marked_failed_at_startup(settings: Settings) -> None:
    store = Store(settings.database)
    run_id = store.create_run({"articles": []})
    store.close()  # the process "dies" with the run still running
    with make_client(settings, Engine(FakeEncoder())) as client:
        run = client.get(f"/v1/runs/{run_id}").json()
        report = client.get(f"/v1/runs/{run_id}/report")
        pairs = client.get(f"/v1/runs/{run_id}/pairs.csv")
    assert run["status"] == "failed" and "interrupted" in run["error"]
    assert report.status_code == 409 and pairs.status_code == 409
    assert "needs a finished run" in pairs.json()["detail"]


def _exercise_store(store: Store) -> None:
    run_id = store.create_run({"window": 1})
    assert store.get_run(run_id).status == "running"
    store.finish_run(run_id, result={"articles": [], "text": "ünïcödé ру"})
    run = store.get_run(run_id)
    assert run.status == "done" and run.result == {"articles": [], "text": "ünïcödé ру"}
    assert run.created.tzinfo is not None and run.finished is not None
    failed = store.create_run({"window": 2}, corpus=None)
    store.finish_run(failed, error="ValueError: boom")
    assert store.get_run(failed).status == "failed"
    with pytest.raises(NotFound):
        store.get_run("00000000-0000-0000-0000-000000000000")

    store.add_articles("c1", [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}])
    with pytest.raises(Conflict, match=r"\['a'\]"):
        store.add_articles("c1", [{"id": "a", "text": "again"}, {"id": "c", "text": "z"}])
    assert [a["id"] for a in store.corpus_articles("c1")] == ["a", "b"]  # nothing half-written
    store.add_articles("c0", [{"id": "only", "text": "w"}])
    assert [(c["name"], c["articles"]) for c in store.list_corpora()] == [("c0", 1), ("c1", 2)]
    assert store.get_article("c1", "b") == {"id": "b", "text": "y"}
    with pytest.raises(NotFound):
        store.corpus_articles("missing")
    with pytest.raises(NotFound):
        store.get_article("c1", "zz")


def test_sqlite_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'sub' / 'p.db'}")
    assert store.dialect == "sqlite"
    _exercise_store(store)
    store.close()


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="set PARALLAX_TEST_POSTGRES_URL to a scratch database")
def test_postgres_store() -> None:
    import sqlalchemy as sa

    from service.persistence import metadata

    store = Store(POSTGRES_URL)  # type: ignore[arg-type]
    try:
        assert store.dialect == "postgresql"
        with store._engine.begin() as connection:  # a clean slate in the scratch database
            for table in reversed(metadata.sorted_tables):
                connection.execute(sa.delete(table))
        _exercise_store(store)
    finally:
        store.close()
