from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import models.stance
from service.commands import models as models_commands
from service.commands.eval_stance import stance_command
from tests.cli_output import unboxed
from tests.stance_fakes import KeywordStanceModel

HEADER = "sentence\tentity\tentity_tag\tentity_pos_start_rel\tentity_pos_end_rel\tlabel\n"


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setattr(
        models.stance, "load_stance_model", lambda kind, artifact_dir=None: KeywordStanceModel()
    )
    app = typer.Typer()
    app.command("stance")(stance_command)
    app.command("noop")(lambda: None)
    return app


def test_eval_stance_prints_metrics_and_writes_predictions(
    app: typer.Typer, tmp_path: Path
) -> None:
    data = tmp_path / "dev.tsv"
    data.write_text(HEADER + "Russia is good\tRussia\tC\t0\t6\t1\n", encoding="utf-8")
    pred = tmp_path / "pred.tsv"
    result = CliRunner().invoke(app, ["stance", "--data", str(data), "--predictions", str(pred)])
    assert result.exit_code == 0, result.output
    assert "F1_PN" in result.output and "favor" in result.output
    assert pred.read_text("utf-8").splitlines()[1].endswith("\t1")


def test_eval_stance_rejects_unknown_model_and_missing_file(
    app: typer.Typer, tmp_path: Path
) -> None:
    result = CliRunner().invoke(app, ["stance", "--data", str(tmp_path / "x.tsv")])
    assert result.exit_code != 0 and "file not found" in result.output
    data = tmp_path / "d.tsv"
    data.write_text(HEADER, encoding="utf-8")
    result = CliRunner().invoke(app, ["stance", "--data", str(data), "--model", "bert"])
    assert result.exit_code != 0 and "finetuned" in result.output


def artifact(folder: Path, config: str) -> Path:
    folder.mkdir()
    (folder / config).write_text("{}", encoding="utf-8")
    return folder


def test_eval_stance_takes_an_artifact_folder_as_model_or_artifact(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = []

    def load(kind: str, artifact_dir: Path | None = None) -> KeywordStanceModel:
        calls.append((kind, artifact_dir))
        return KeywordStanceModel()

    monkeypatch.setattr(models.stance, "load_stance_model", load)
    app = typer.Typer()
    app.command("stance")(stance_command)
    app.command("noop")(lambda: None)
    data = tmp_path / "dev.tsv"
    data.write_text(HEADER + "Russia is good\tRussia\tC\t0\t6\t1\n", encoding="utf-8")
    tuned = artifact(tmp_path / "tuned", "stance_config.json")
    head = artifact(tmp_path / "head", "baseline_config.json")

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["stance", "--data", str(data), *args])
        return result.exit_code, unboxed(result.output)

    assert run("--model", str(tuned))[0] == 0
    assert run("--model", "ensemble", "--artifact", str(tuned))[0] == 0
    assert run("--model", "baseline", "--artifact", str(head))[0] == 0
    assert calls == [("finetuned", tuned), ("ensemble", tuned), ("baseline", head)]
    code, output = run("--model", "finetuned", "--artifact", str(head))
    assert code == 2 and "holds a baseline model, not a finetuned one" in output
    code, output = run("--model", str(tuned), "--artifact", str(tuned))
    assert code == 2 and "give the artifact once" in output
    code, output = run("--artifact", str(tmp_path))
    assert code == 2 and f"{tmp_path} is not a stance artifact" in output

    def broken(kind: str, artifact_dir: Path | None = None) -> KeywordStanceModel:
        raise models.stance.StanceArtifactError(f"{artifact_dir}: cannot load the stance model")

    monkeypatch.setattr(models.stance, "load_stance_model", broken)
    code, output = run("--model", str(tuned))
    assert code == 2 and f"{tuned}: cannot load the stance model" in output
    assert "Traceback" not in output


def test_models_build_calls_converter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import models.e5

    calls = []
    monkeypatch.setattr(
        models.e5,
        "build_e5_directory",
        lambda out, dtype, force: calls.append((out, dtype, force)) or out,
    )
    result = CliRunner().invoke(models_commands.app, ["build", "--out", str(tmp_path), "--force"])
    assert result.exit_code == 0, result.output
    assert calls == [(tmp_path, "float32", True)]
    assert str(tmp_path) in result.output


def test_train_stance_validates_inputs(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        models_commands.app,
        ["train-stance", "--train", str(tmp_path / "none.tsv"), "--out", str(tmp_path / "o")],
    )
    assert result.exit_code != 0 and "training file not found" in result.output
    train = tmp_path / "train.tsv"
    train.write_text("sentence\tentity\tlabel\n", encoding="utf-8")
    from models.stance import FINETUNED_ARTIFACT

    for extra, message in ((["--init", str(tmp_path)], "not a fine-tuned stance artifact"),
                           (["--model", "baseline", "--init", str(FINETUNED_ARTIFACT)],
                            "only the finetuned model")):  # fmt: skip
        result = CliRunner().invoke(
            models_commands.app,
            ["train-stance", "--train", str(train), "--out", str(tmp_path / "o"), *extra],
        )
        assert result.exit_code == 2 and message in result.output, result.output
        assert "--init" in result.output


def test_eval_framing_checks_the_stance_artifact_option(tmp_path: Path) -> None:
    from service.commands.eval_framing import framing_command

    app = typer.Typer()
    app.command("framing")(framing_command)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(app, ["framing", "--stance-artifact", str(tmp_path)])
    assert result.exit_code != 0 and "needs --stance-model" in result.output
    missing = tmp_path / "nowhere"
    args = ["framing", "--stance-model", "finetuned", "--stance-artifact", str(missing)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and f"{missing!s}" in unboxed(result.output)
    assert "--stance-artifact" in unboxed(result.output)
    result = CliRunner().invoke(app, ["framing", "--stance-model", str(tmp_path)])
    assert result.exit_code == 2 and "is not a stance artifact" in unboxed(result.output)


def test_calibrate_stance_validates_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> str:
        result = CliRunner().invoke(models_commands.app, ["calibrate-stance", *args])
        assert result.exit_code == 2, result.output
        return unboxed(result.output)

    args = ("--artifact", ".", "--dev", "dev.jsonl")
    assert "not a fine-tuned stance artifact" in run(*args)
    Path("stance_config.json").write_text("{}", encoding="utf-8")
    assert "file not found: dev.jsonl" in run(*args)
    row = '{"id": "d-1", "text": "Baku protested.", "target": "Russia", "label": "maybe"}\n'
    Path("dev.jsonl").write_text(row, encoding="utf-8")
    # a malformed row is refused by file and line before any model is loaded
    assert "dev.jsonl:1: label 'maybe'" in run(*args)
