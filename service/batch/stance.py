"""Stance scoring in a batch run: a small picklable spec that every engine builds it from.

The local engine's driver loads the stance model (`StanceSpec.load_for_driver`) and records its
identity; a Ray run's driver reads the identity from the artifact's files without loading it
(`StanceSpec.for_actors`). The spec holds only the model kind, the targets and that identity, so
it can be sent to Ray actors, which load their own copy (`StanceSpec.load`) and refuse to run
when it is not the same model (say the fine-tuned model in bf16 on the driver and in float32 on
a node without bf16). Both engines then run `stance_compare(model, spec.targets)` and key the
ledger with `spec.analysis`, so results and resume are the same whichever engine ran an event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.alignment import MIN_CONFIDENCE
from models.encoder import Encoder
from models.pipeline import compare
from models.stance import (
    DEFAULT_TARGETS,
    MODEL_KINDS,
    StanceModel,
    load_stance_model,
    stance_model_name,
)


class StanceMismatchError(RuntimeError):
    """A process loaded a different stance model from the one the driver ran with."""


@dataclass(frozen=True)
class StanceSpec:
    """What a process needs to rebuild the driver's stance scoring.

    `kind` is one of `models.stance.MODEL_KINDS` or the path of a stance artifact folder (which
    every node must see at that path), `targets` the actors scored toward, `name` the
    identity (`StanceModel.name`: weights, version, dtype) of the driver's model and `dtype` the
    precision asked for (`models.stance.STANCE_DTYPES`; the baseline ignores it).
    """

    kind: str
    targets: tuple[str, ...]
    name: str
    dtype: str = "auto"

    @classmethod
    def load_for_driver(
        cls,
        kind: str,
        targets: tuple[str, ...] = DEFAULT_TARGETS,
        dtype: str = "auto",
        encoder: Encoder | None = None,
    ) -> tuple[StanceSpec, StanceModel]:
        """(spec, the driver's model): loads `kind` once to record its identity. `encoder`, the
        run's, is shared with a baseline head fitted on its weights (`load_stance_model`).

        An unknown `kind` raises `ValueError` listing the valid ones. A folder is recorded as
        its absolute path, which actors in other working directories can load."""
        if kind not in MODEL_KINDS and Path(kind).is_dir():
            kind = str(Path(kind).resolve())
        model = load_stance_model(kind, dtype=dtype, encoder=encoder)
        return cls(kind, tuple(targets), model.name, dtype), model

    @classmethod
    def for_actors(
        cls,
        kind: str,
        targets: tuple[str, ...] = DEFAULT_TARGETS,
        dtype: str = "auto",
        encoder_name: str | None = None,
    ) -> StanceSpec:
        """The spec for processes that load the model themselves (Ray actors), each offering it
        an encoder named `encoder_name`: the identity is read from the artifact's files
        (`stance_model_name`), so this process never holds the weights. A folder of the user's is
        loaded once and dropped first, so that a broken artifact fails here, naming the folder,
        not in every actor."""
        if kind not in MODEL_KINDS and Path(kind).is_dir():
            kind = str(Path(kind).resolve())
            load_stance_model(kind, dtype=dtype)  # checked, then dropped
        return cls(kind, tuple(targets), stance_model_name(kind, dtype, encoder_name), dtype)

    @property
    def analysis(self) -> str:
        """The stance part of every event's ledger key (`run_batch(analysis=...)`)."""
        return f"|stance={self.name}|targets={','.join(self.targets)}"

    def load(self, encoder: Encoder | None = None) -> StanceModel:
        """Load this process's copy of the model (a baseline head on `encoder` when it has the
        head's weights); raise `StanceMismatchError` if it differs from the driver's."""
        model = load_stance_model(self.kind, dtype=self.dtype, encoder=encoder)
        if model.name != self.name:
            raise StanceMismatchError(
                f"this process's {self.kind} stance model is {model.name!r}, the driver's "
                f"{self.name!r}: every node must load the same model (check bf16 support, the "
                "shipped artifacts and the built e5 model)"
            )
        return model


def stance_compare(
    model: StanceModel, targets: tuple[str, ...], min_confidence: float = MIN_CONFIDENCE
) -> Callable[..., Any]:
    """`compare` with stance scoring toward `targets`, keeping the links of confidence
    `min_confidence` and up: the `compare_fn` of both engines."""
    return functools.partial(compare, stance_model=model, targets=targets,
                             threshold=min_confidence)  # fmt: skip
