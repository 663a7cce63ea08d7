"""Group a corpus's articles into events, the unit that batch compares and resumes.

A grouper is any callable `(entries: list[Entry]) -> dict[str, list[Entry]]` mapping an event id
to its articles; batch takes one as a parameter, so an event clustering (dates and embeddings)
can replace the default without touching the runner.

The default, `group_by_event_or_folder` (method name `GROUPING_METHOD`): an article's metadata
field `event` (from the record or its sidecar `meta.json`) is its event; an article without one
belongs to the event named after its folder relative to the corpus root (for a JSONL record: its
file), so a corpus laid out one folder per event needs no metadata. Event ids are sorted, and
each event's articles keep corpus order, so the grouping is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from service.batch.scan import Entry

GROUPING_METHOD = "event-field-else-folder.v1"

Grouper = Callable[[list[Entry]], dict[str, list[Entry]]]


def group_by_event_or_folder(entries: list[Entry], root: Path) -> dict[str, list[Entry]]:
    """Event id -> entries, by the `event` field, else by folder (or JSONL file) under `root`."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(event_of(entry, root), []).append(entry)
    return {event: groups[event] for event in sorted(groups)}


def event_of(entry: Entry, root: Path) -> str:
    if entry.event:
        return entry.event
    path = Path(entry.path)
    where = path if entry.line is not None else path.parent
    try:
        relative = where.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path(where.name)
    name = relative.as_posix()
    if name in ("", "."):
        name = root.resolve().name or "corpus"
    return f"folder:{name}"
