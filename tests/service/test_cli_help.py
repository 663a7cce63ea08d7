"""Every command's --help shows each option's help text whole.

Typer renders help with rich markup, which silently drops unescaped square brackets such as
'[default: ...]'; this walks the whole command tree so a new option cannot lose its text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from service.cli import app


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(words, command) for every leaf command under `command`, e.g. (("eval", "stance"), ...)."""
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))
    if not hasattr(command, "commands"):
        yield path, command


COMMANDS = list(_commands(typer.main.get_command(app)))


def _flat(text: str) -> str:
    """`text` without white space and box borders, so that wrapping at any width compares equal."""
    return re.sub(r"[\s│]+", "", text)


def test_the_walk_finds_the_main_commands() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"compare", "batch", "demo", "eval stance", "eval framing"} <= names


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_shows_every_option_help_whole(path: tuple[str, ...], command: Any) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    for param in command.params:
        help_text = getattr(param, "help", None)
        if help_text:
            assert _flat(help_text.replace("\\[", "[")) in shown, param.name
