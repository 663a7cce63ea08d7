"""A generated corpus for batch tests: events in folders (txt + meta.json) and in JSONL."""

from __future__ import annotations

import json
from pathlib import Path

PLACES = ["Baku", "Aktau", "Grozny", "Moscow", "Ganja", "Sumgait", "Shusha", "Lankaran",
          "Quba", "Sheki", "Kazan", "Samara", "Tula", "Omsk", "Perm"]  # fmt: skip


def sentences(place: str, n: int, voice: str) -> list[str]:
    return [
        f"Officials in {place} confirmed the closure of the cultural centre on day {n}.",
        f"The ministry in {place} said {voice} the inspection found {n + 2} violations.",
        f"Residents of {place} gathered near the building for {n + 3} hours.",
    ]


def write_corpus(root: Path, events: int = 15, bad: bool = True) -> Path:
    """`events` events of two articles each; half as txt folders, half as one JSONL file."""
    root.mkdir(parents=True, exist_ok=True)
    records = []
    for n in range(events):
        place = PLACES[n % len(PLACES)]
        event = f"event-{n:02d}"
        a = " ".join(sentences(place, n, "that"))
        b = " ".join(sentences(place, n, "officially that"))
        if n % 2 == 0:
            folder = root / f"folder-{n:02d}"
            folder.mkdir(exist_ok=True)
            (folder / "a.txt").write_text(a, encoding="utf-8")
            (folder / "b.txt").write_text(b, encoding="utf-8")
            meta = {"articles": [
                {"file": "a.txt", "outlet": f"Outlet A{n}", "camp": "russian", "language": "en",
                 "date": f"2025-01-{n + 1:02d}", "event": event},
                {"file": "b.txt", "outlet": f"Outlet B{n}", "camp": "western", "language": "en",
                 "date": f"2025-01-{n + 1:02d}", "event": event},
            ]}  # fmt: skip
            (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        else:
            for camp, text in (("azerbaijani", a), ("ukrainian", b)):
                records.append({"id": f"{event}-{camp}", "text": text, "outlet": f"{camp} {n}",
                                "camp": camp, "language": "en", "event": event})  # fmt: skip
    lines = [json.dumps(r) for r in records]
    if bad:
        lines.insert(1, "{not json")
    (root / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if bad:
        (root / "broken.txt").write_bytes(b"\xff\xfe\xfd not utf-8 \xff")
    return root
