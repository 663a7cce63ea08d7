"""Append-only ledger of finished work items, safe against kills and crashes.

A ledger is a JSONL file: one JSON object per finished item, each with at least `item` (a stable
id, e.g. the event id) and `key` (a hash of the item's inputs and method). Every append is
flushed and fsynced before `record` returns, so an item is in the ledger only once its outputs
were written; an item missing from the ledger is redone, and its outputs (written atomically)
are replaced, never duplicated.

A process killed in the middle of an append leaves at most one incomplete last line. Opening the
ledger drops such a line (and nothing else), so the next append starts on a fresh line.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class LedgerError(RuntimeError):
    """The ledger file is damaged somewhere other than its last line."""


class Ledger:
    """Finished items, read from and appended to `path` (created on first `record`)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.entries: dict[tuple[str, str], dict[str, Any]] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.is_file():
            return
        data = self.path.read_bytes()
        good_end = 0
        lines = data.split(b"\n")
        for number, line in enumerate(lines, start=1):
            complete = number < len(lines)  # the part after the last "\n" is unterminated
            if not line.strip():
                good_end += len(line) + (1 if complete else 0)
                continue
            try:
                entry = json.loads(line)
                if not complete:
                    raise ValueError("unterminated line")
            except ValueError as error:
                if number >= len(lines) - 1:
                    logger.warning("dropping an incomplete last line of %s", self.path)
                    break
                raise LedgerError(f"{self.path}:{number}: not a ledger record ({error})") from None
            self.entries[(str(entry["item"]), str(entry["key"]))] = entry
            good_end += len(line) + 1
        if good_end < len(data):
            with open(self.path, "r+b") as handle:
                handle.truncate(good_end)
                handle.flush()
                os.fsync(handle.fileno())

    def __len__(self) -> int:
        return len(self.entries)

    def is_done(self, item: str, key: str) -> bool:
        return (item, key) in self.entries

    def record(self, item: str, key: str, **fields: Any) -> None:
        """Append one finished item and fsync it to disk before returning."""
        entry = {"item": item, "key": key, **fields}
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        self.entries[(item, key)] = entry
