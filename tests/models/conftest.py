"""Fixtures shared by the model tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def e5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The converted e5 folder: `$PARALLAX_TEST_E5_DIR` if set, else built once per session."""
    from models.e5 import build_e5_directory

    cache = os.environ.get("PARALLAX_TEST_E5_DIR")
    return build_e5_directory(Path(cache) if cache else tmp_path_factory.mktemp("e5") / "e5-small")
