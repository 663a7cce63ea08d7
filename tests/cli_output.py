"""Reading the CLI's error messages in tests."""

from __future__ import annotations


def unboxed(output: str) -> str:
    """The CLI's output with rich's box and the terminal's line wrapping removed."""
    return " ".join(output.replace("│", " ").split())
