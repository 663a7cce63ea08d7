"""Stance labels: one fixed order for every probability array in Parallax."""

from __future__ import annotations

#: Column order of every (n, 3) stance probability array.
LABELS: tuple[str, str, str] = ("favor", "against", "none")
LABEL_INDEX: dict[str, int] = {label: i for i, label in enumerate(LABELS)}

#: RuSentNE sentiment toward the entity -> stance label.
RUSENTNE_TO_LABEL: dict[int, str] = {1: "favor", -1: "against", 0: "none"}
LABEL_TO_RUSENTNE: dict[str, int] = {v: k for k, v in RUSENTNE_TO_LABEL.items()}


def label_index(label: str) -> int:
    """Label name -> column index in `LABELS`; raises with the valid names."""
    try:
        return LABEL_INDEX[label]
    except KeyError:
        raise ValueError(f"unknown stance label {label!r}; valid labels: {list(LABELS)}") from None
