"""Stream a corpus into small index entries, and read an entry's article back when needed.

A corpus is a folder tree of article files (`.txt`, `.md`, `.html`, `.jsonl`; see
`corpus.loaders`). `scan_corpus` walks it lazily in sorted order and yields one `Entry` per
article: where it lives (path, and line and byte offset for JSONL records), its event and date
metadata, and a hash of its content. No article text is kept, so memory grows with the number of
articles, not their size. `read_article(entry)` loads the article again when its event is run.

JSONL files are read line by line (never whole). Metadata comes from the records themselves, from
a sidecar `meta.json` beside the files (or one folder up), or from an explicit sidecar; sidecars
are parsed once per run, not once per file. An input that cannot become an article is reported
as a `LoadError` with its path (and line) and skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus import loaders
from corpus.loaders import LoadError
from corpus.outlets import OutletRegistry, default_registry
from corpus.schema import Article

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One article of the corpus, without its text.

    `line` (1-based) and `offset` (bytes) locate a JSONL record; both are None for other files.
    `digest` is a SHA-256 of the article's text and metadata: it changes when either changes.
    """

    id: str
    path: str
    line: int | None
    offset: int | None
    event: str | None
    date: str | None
    camp: str
    outlet: str
    language: str | None
    digest: str


@dataclass
class ScanReport:
    """Counts and problems of one scan, filled in while `scan_corpus` is consumed."""

    files: int = 0
    articles: int = 0
    errors: list[LoadError] = field(default_factory=list)


class CorpusReader:
    """Reads articles of one corpus; holds the registry and parsed sidecars for the run."""

    def __init__(self, sidecar: Path | None = None, registry: OutletRegistry | None = None):
        self.registry = registry or default_registry()
        self.sidecar = sidecar
        self._sidecars = lru_cache(maxsize=64)(self._parse_sidecar)

    def scan(self, root: Path, report: ScanReport) -> Iterator[Entry]:
        """Yield an `Entry` per readable article under `root` (a folder or a file)."""
        seen: set[str] = set()
        for path in _article_files(root, report.errors):
            report.files += 1
            for line, offset, record in self._file_records(path, report.errors):
                try:
                    article = self._build(record, path)
                except loaders.ArticleError as error:
                    report.errors.append(LoadError(str(path), str(error), line))
                    continue
                article = replace(article, id=loaders.unique_id(article.id, seen))
                report.articles += 1
                yield _entry(article, path, line, offset)

    def read_article(self, entry: Entry) -> Article:
        """The article behind `entry`, with the id it got during the scan."""
        path = Path(entry.path)
        if entry.offset is not None:
            with open(path, "rb") as handle:
                handle.seek(entry.offset)
                record = _jsonl_record(handle.readline(), path, entry.line or 0)
        else:
            problems: list[LoadError] = []
            records = list(self._file_records(path, problems))
            if not records:
                raise loaders.ArticleError(problems[0].message if problems else "no article")
            record = records[0][2]
        article = self._build(record, path)
        return replace(article, id=entry.id)

    def _build(self, record: dict[str, Any], path: Path) -> Article:
        return loaders.build_article(record, path, self.registry)

    def _file_records(
        self, path: Path, errors: list[LoadError]
    ) -> Iterator[tuple[int | None, int | None, dict[str, Any]]]:
        """(line, byte offset, record) for each record of `path`; JSONL is streamed."""
        if path.suffix.lower() in loaders.JSONL_SUFFIXES:
            yield from _jsonl_records(path, errors)
            return
        try:
            meta = self._meta_for(path).get(path.name, {})
            ((_, record),) = list(loaders.read_records(path, meta))
        except loaders.ArticleError as error:
            errors.append(LoadError(str(path), str(error)))
            return
        yield None, None, record

    def _meta_for(self, path: Path) -> dict[str, dict[str, Any]]:
        if self.sidecar is not None:
            return self._sidecars(self.sidecar)
        for folder in (path.parent, path.parent.parent):
            candidate = folder / loaders.SIDECAR
            if candidate.is_file():
                return self._sidecars(candidate)
        return {}

    @staticmethod
    def _parse_sidecar(path: Path) -> dict[str, dict[str, Any]]:
        return loaders.read_sidecar(path)


def _article_files(root: Path, errors: list[LoadError]) -> Iterator[Path]:
    """Article files under `root` in sorted order, found lazily folder by folder; the output
    folders of earlier runs are left out (`corpus.loaders.is_output_folder`)."""
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        errors.append(LoadError(str(root), "no such file or folder"))
        return
    children = sorted(root.iterdir(), key=lambda p: p.name)
    for child in children:
        if child.is_file() and loaders.is_article_file(child):
            yield child
    for child in children:
        if (
            child.is_dir()
            and not child.name.startswith(".")
            and not loaders.is_output_folder(child)
        ):
            yield from _article_files(child, errors)


def _jsonl_records(
    path: Path, errors: list[LoadError]
) -> Iterator[tuple[int | None, int | None, dict[str, Any]]]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed by the `with` below)
    except OSError as error:
        errors.append(LoadError(str(path), f"cannot read file: {error.strerror}"))
        return
    with handle:
        offset, number = 0, 0
        for raw in handle:
            number += 1
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                yield number, start, _jsonl_record(raw, path, number)
            except loaders.ArticleError as error:
                errors.append(LoadError(str(path), str(error), number))


def _jsonl_record(raw: bytes, path: Path, number: int) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as error:
        raise loaders.ArticleError(f"not valid UTF-8 at byte {error.start} of the line") from None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise loaders.ArticleError(f"invalid JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(record, dict):
        raise loaders.ArticleError("each line must be a JSON object with a 'text' field")
    record.setdefault("id", f"{path.stem}-{number}")
    return record


def _entry(article: Article, path: Path, line: int | None, offset: int | None) -> Entry:
    fields = [
        article.text, article.outlet, article.camp, article.country, article.language,
        article.date, article.title, article.ownership, sorted(article.extra.items()),
    ]  # fmt: skip
    digest = hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()
    return Entry(
        id=article.id, path=str(path), line=line, offset=offset,
        event=article.extra.get("event"), date=article.date, camp=article.camp,
        outlet=article.outlet, language=article.language, digest=digest,
    )  # fmt: skip
