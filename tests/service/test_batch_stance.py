"""Stance in batch runs: the spec sent to Ray actors, their identity check, and the Ray actor's
chunk work against the local engine's (without Ray; the Ray run itself is in test_batch_engine)."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.stance import BASELINE_ARTIFACT, stance_model_name
from service.batch import stance as batch_stance
from service.batch.engine import EventTask, LocalEngine
from service.batch.ray_engine import ChunkWorker, EventOutput, task_to_json
from service.batch.scan import CorpusReader, Entry, ScanReport
from service.batch.stance import StanceMismatchError, StanceSpec, stance_compare
from service.cli import app
from tests.cli_output import unboxed
from tests.service.batch_corpus import write_corpus
from tests.stance_fakes import KeywordStanceModel

TARGETS = ("Russia", "Azerbaijan")


@pytest.fixture
def keyword_loader(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`load_stance_model` gives a `KeywordStanceModel`; returns the kinds (and any dtype other
    than auto, as "kind:dtype") asked for."""
    kinds: list[str] = []

    def load(kind: str, dtype: str = "auto", encoder=None) -> KeywordStanceModel:
        kinds.append(kind if dtype == "auto" else f"{kind}:{dtype}")
        if encoder is not None:
            kinds.append(f"shared encoder {encoder.name}")
        return KeywordStanceModel()

    monkeypatch.setattr(batch_stance, "load_stance_model", load)
    return kinds


def test_spec_records_the_driver_model_and_survives_pickling(keyword_loader) -> None:
    spec, model = StanceSpec.load_for_driver("baseline", TARGETS)
    assert spec == StanceSpec("baseline", TARGETS, "fake-keyword-stance")
    assert isinstance(model, KeywordStanceModel) and keyword_loader == ["baseline"]
    assert pickle.loads(pickle.dumps(spec)) == spec
    # the ledger key part written before the spec existed, so old ledgers resume
    assert spec.analysis == "|stance=fake-keyword-stance|targets=Russia,Azerbaijan"


def test_actors_load_the_precision_the_driver_asked_for(keyword_loader) -> None:
    spec, _ = StanceSpec.load_for_driver("finetuned", TARGETS, "int8")
    assert spec.dtype == "int8"
    pickle.loads(pickle.dumps(spec)).load()
    assert keyword_loader == ["finetuned:int8", "finetuned:int8"]


def test_load_refuses_a_model_other_than_the_driver_one(keyword_loader) -> None:
    assert isinstance(StanceSpec("finetuned", TARGETS, "fake-keyword-stance").load(),
                      KeywordStanceModel)  # fmt: skip
    spec = StanceSpec("finetuned", TARGETS, "stance-e5-lora-v1-bfloat16")
    with pytest.raises(StanceMismatchError, match="'fake-keyword-stance', the driver's "
                       "'stance-e5-lora-v1-bfloat16'"):  # fmt: skip
        spec.load()


def test_the_spec_for_ray_actors_is_read_from_the_files(
    keyword_loader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ray run's driver never loads a shipped model; a folder of the user's it loads once, to
    fail early on a broken one, and records by its absolute path."""
    spec = StanceSpec.for_actors("finetuned", TARGETS, "float32")
    assert keyword_loader == []
    assert spec == StanceSpec("finetuned", TARGETS, stance_model_name("finetuned", "float32"),
                              "float32")  # fmt: skip
    assert spec.name.endswith("-float32")
    fitted_on = json.loads((BASELINE_ARTIFACT / "baseline_config.json").read_text())["encoder"]
    shared = StanceSpec.for_actors("baseline", TARGETS, encoder_name=fitted_on)
    assert shared.name == f"stance-baseline-lr-v1@{fitted_on}" and keyword_loader == []
    shutil.copytree(BASELINE_ARTIFACT, tmp_path / "mine")
    monkeypatch.chdir(tmp_path)
    mine = StanceSpec.for_actors("mine", TARGETS)
    assert mine.kind == str(tmp_path / "mine") and keyword_loader == [str(tmp_path / "mine")]


def test_unknown_kind_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="'bert': use one of finetuned, ensemble, baseline or"):
        StanceSpec.load_for_driver("bert")


def _tasks(corpus: Path, reader: CorpusReader) -> list[EventTask]:
    events: dict[str, list[Entry]] = {}
    for entry in reader.scan(corpus, ScanReport()):
        events.setdefault(str(entry.event), []).append(entry)
    return [EventTask(e, tuple(m), f"k-{e}") for e, m in sorted(events.items())]


def test_ray_actor_work_matches_the_local_engine(
    tmp_path: Path, fake_encoder, keyword_loader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ChunkWorker` called in this process (no Ray) gives the local engine's results."""
    from models import encoders

    monkeypatch.setattr(encoders, "make_encoder", lambda spec: fake_encoder)
    corpus = write_corpus(tmp_path / "corpus", events=3, bad=False)
    reader = CorpusReader()
    tasks = _tasks(corpus, reader)
    spec = StanceSpec("baseline", TARGETS, KeywordStanceModel.name)
    engine = LocalEngine(
        reader, fake_encoder, compare_fn=stance_compare(KeywordStanceModel(), TARGETS)
    )
    local = list(engine.run(tasks))
    worker = ChunkWorker("fake", fake_encoder.name, 1, None, 0, stance=spec)
    batch = worker({"chunk": [json.dumps([task_to_json(task) for task in tasks])]})
    rows = [dict(zip(batch, values, strict=True)) for values in zip(*batch.values(), strict=True)]
    actor = [EventOutput.from_row(row) for row in rows]
    assert [o.result for o in actor] == [o.result for o in local]
    assert actor[0].result["method"]["stance"] == "fake-keyword-stance"
    # the actor offers its encoder to the stance model, which a baseline head fitted on its
    # weights shares instead of loading a second copy
    assert keyword_loader == ["baseline", f"shared encoder {fake_encoder.name}"]
    # the alignment confidence asked for reaches the actors
    strict = ChunkWorker("fake", fake_encoder.name, 1, None, 0, stance=spec, min_confidence=1.0)
    rows = strict({"chunk": [json.dumps([task_to_json(task) for task in tasks])]})["result"]
    assert {json.loads(r)["method"]["alignment_threshold"] for r in rows} == {1.0}
    with pytest.raises(StanceMismatchError):
        ChunkWorker("fake", fake_encoder.name, 1, None, 0,
                    stance=StanceSpec("baseline", TARGETS, "another-model"))  # fmt: skip


def test_cli_resumes_a_local_stance_run_with_the_ray_engine(tmp_path: Path) -> None:
    """Same ledger keys on both engines: nothing is left for Ray to do (so Ray never starts)."""
    pytest.importorskip("ray")
    corpus = write_corpus(tmp_path / "corpus", events=2, bad=False)
    out = tmp_path / "out"
    first = CliRunner().invoke(app, ["batch", str(corpus), "--out", str(out)])
    assert first.exit_code == 0, first.output
    args = ["batch", str(corpus), "--out", str(out), "--resume", "--engine", "ray"]
    resumed = CliRunner().invoke(app, args)
    assert resumed.exit_code == 0, resumed.output
    assert "(0 run, 2 reused" in resumed.output


def test_batch_rejects_an_unknown_stance_precision(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = CliRunner().invoke(
        app, ["batch", str(corpus), "--out", str(tmp_path / "out"), "--stance-dtype", "int4"]
    )
    assert result.exit_code == 2
    assert "--stance-dtype must be one of" in result.output and "int8-plain" in result.output


def test_batch_rejects_a_folder_that_is_not_a_stance_artifact(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    args = ["batch", str(corpus), "--out", str(tmp_path / "out"), "--stance", str(corpus)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--stance:" in result.output and "not a stance artifact" in unboxed(result.output)
    (corpus / "baseline_config.json").write_text("{not json")  # an artifact that does not load
    broken = CliRunner().invoke(app, args)
    assert broken.exit_code == 2 and "Traceback" not in broken.output
    assert "cannot load the stance model there" in unboxed(broken.output)


def test_spec_records_an_artifact_folder_by_its_absolute_path(
    keyword_loader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ray actors run in other working directories: they get the folder's absolute path."""
    (tmp_path / "mine").mkdir()
    monkeypatch.chdir(tmp_path)
    spec, _ = StanceSpec.load_for_driver("mine", TARGETS)
    assert spec.kind == str(tmp_path / "mine") and keyword_loader == [str(tmp_path / "mine")]
    StanceSpec.load_for_driver("baseline", TARGETS)
    assert keyword_loader[-1] == "baseline"  # a kind stays a kind
