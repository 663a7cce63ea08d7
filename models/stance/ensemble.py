"""Seed ensembles of fine-tuned stance models.

Two runs of one training recipe that differ only in the seed disagree on many borderline
passages: the v8 recipe at seeds 0 and 1 moved RuSentNE F1_PN, the demo's passage stance and the
framing AUC by 0.02-0.03 (models/stance/artifacts/e5-lora-v9/README.md). Averaging the runs'
probabilities removes part of that noise at the price of one forward pass per member.

`build_ensemble` copies the member artifacts into sub-folders of a new artifact and writes its
`stance_config.json` with `members`; `FineTunedStanceModel` loads it like any other artifact.
The members' own `none_bias` and temperature are not used: the ensemble's are chosen afterwards on
development data (`parallax models calibrate-stance`), like a single model's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from models.stance.finetuned import CONFIG_FILE, INPUT_KEYS, check_member, read_config
from models.stance.labels import LABELS


def build_ensemble(members: list[Path], out: Path, name: str) -> dict:
    """Write an ensemble artifact of `members` (single-model artifact folders) into `out`, which
    must not exist yet; returns its config. Members are stored under their config names."""
    if len(members) < 2:
        raise ValueError("an ensemble needs at least two members")
    configs = [read_config(Path(member)) for member in members]
    for member, config in zip(members, configs, strict=True):
        check_member(member, config, configs[0])  # the ensemble reads input as the first does
    names = [
        str(config.get("name", Path(member).name))
        for member, config in zip(members, configs, strict=True)
    ]
    if len(set(names)) != len(names):
        raise ValueError(f"members must have distinct names, got {names}")
    out = Path(out)
    if out.exists():
        raise FileExistsError(f"{out} exists; choose a new folder")
    out.mkdir(parents=True)
    for member, member_name in zip(members, names, strict=True):
        shutil.copytree(member, out / member_name, ignore=shutil.ignore_patterns("README.md"))
    config = {
        "name": name,
        "labels": list(LABELS),
        **{key: configs[0].get(key) for key in INPUT_KEYS},
        "members": names,
        "combination": "mean of the members' probabilities, then none_bias, then temperature",
        "seeds": [config.get("hyperparameters", {}).get("seed") for config in configs],
        "none_bias": 0.0,
        "none_bias_chosen_on": "not chosen yet (parallax models calibrate-stance)",
        "none_bias_dev_files": [],
        "calibration_temperature": 1.0,
    }
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=2), encoding="utf-8")
    return config
