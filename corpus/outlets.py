"""Outlet registry: which media sphere (camp), country and ownership a known outlet belongs to.

The registry is a data file (`corpus/data/outlets.json`). Lookups match a normalised name, an
alias or a web domain. An outlet that is not in the registry gets camp `other`: Parallax never
guesses a camp.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlparse

from corpus.schema import CAMPS


@dataclass(frozen=True)
class OutletInfo:
    name: str
    camp: str
    country: str | None
    ownership: str | None


UNKNOWN = OutletInfo(name="unknown", camp="other", country=None, ownership=None)


def source_name(given: str | None, known: OutletInfo, article_id: str) -> str:
    """The name an article's source goes by: the outlet given, else the registry's (found by the
    article's URL), else the article's own id. Two articles whose outlets nobody named are two
    sources, not one outlet called "unknown" that the outlet matrices would pool."""
    if given:
        return given
    return known.name if known is not UNKNOWN else article_id


def _normalise(name: str) -> str:
    return re.sub(r"[\W_]+", " ", name.casefold()).strip()


class OutletRegistry:
    """Look up outlets by name, alias or domain."""

    def __init__(self, records: list[dict]) -> None:
        self._by_name: dict[str, OutletInfo] = {}
        self._by_domain: dict[str, OutletInfo] = {}
        for record in records:
            if record["camp"] not in CAMPS:
                raise ValueError(
                    f"outlet {record['name']!r}: camp {record['camp']!r} is not one of {CAMPS}"
                )
            info = OutletInfo(
                record["name"], record["camp"], record.get("country"), record.get("ownership")
            )
            for alias in [record["name"], *record.get("aliases", [])]:
                self._by_name[_normalise(alias)] = info
            for domain in record.get("domains", []):
                self._by_domain[domain.lower()] = info

    def __len__(self) -> int:
        return len({info.name for info in self._by_name.values()})

    def lookup(self, outlet: str | None = None, url: str | None = None) -> OutletInfo:
        """The registry entry for `outlet` (name or alias) or `url`'s domain, else `UNKNOWN`."""
        if outlet:
            info = self._by_name.get(_normalise(outlet))
            if info is not None:
                return info
        if url:
            host = (urlparse(url).hostname or "").lower()
            while host:
                if host in self._by_domain:
                    return self._by_domain[host]
                host = host.partition(".")[2]
        return UNKNOWN


@lru_cache(maxsize=1)
def default_registry() -> OutletRegistry:
    """The registry shipped with Parallax."""
    text = resources.files("corpus").joinpath("data/outlets.json").read_text(encoding="utf-8")
    return OutletRegistry(json.loads(text)["outlets"])
