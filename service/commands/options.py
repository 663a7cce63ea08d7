"""Command-line options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

from models.stance import STANCE_DTYPES

StanceDtypeOption = Annotated[
    str | None,
    typer.Option(
        help=f"Fine-tuned stance precision: {', '.join(STANCE_DTYPES)} "
        "[default: PARALLAX_STANCE_DTYPE or auto]."
    ),
]
