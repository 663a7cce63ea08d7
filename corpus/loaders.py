"""Read articles from files and folders into `Article` records.

Formats: `.txt` and `.md` (plain text; the first line is the title when it stands alone),
`.html`/`.htm` (main text, title and date extracted with trafilatura) and `.jsonl` (one article
per line with at least a `text` field). Metadata (outlet, camp, country, language, date, title)
comes from per-record fields or from a sidecar `meta.json` (schema of `../shared/seeds/meta.json`)
in the file's folder or the folder above it. Camp, country and ownership of known outlets come
from the outlet registry; unknown outlets get camp `other`.

Problems with one input never stop the others: `load_articles` returns the articles it could read
and a `LoadError` (path, line, message) for each one it could not.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corpus.cleaning import clean_text
from corpus.language import detect_language, language_name
from corpus.outlets import OutletRegistry, default_registry, source_name
from corpus.schema import CAMPS, LANGUAGES, Article

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES
SIDECAR = "meta.json"
_SKIPPED_NAMES = {SIDECAR, "gold.json"}
# Files that mark a folder as a run's output (`is_output_folder`).
OUTPUT_MARKERS = ("result.json", "ledger.jsonl")
_METADATA_FIELDS = ("outlet", "camp", "country", "language", "date", "title", "ownership")


@dataclass(frozen=True)
class LoadError:
    """Why one input could not be read. `line` is 1-based (JSONL records), else None."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)


class ArticleError(ValueError):
    """An input that cannot become an article; the message says why and what to do."""


def load_articles(
    paths: Iterable[str | Path],
    registry: OutletRegistry | None = None,
    sidecar: str | Path | None = None,
) -> LoadResult:
    """Load every article under `paths` (files or folders, searched recursively; the output
    folders of earlier runs inside them are left out, see `is_output_folder`).

    `sidecar` names a metadata file to use instead of the `meta.json` found beside the inputs.
    """
    registry = registry or default_registry()
    explicit_meta = read_sidecar(Path(sidecar)) if sidecar else None
    result = LoadResult()
    seen_ids: set[str] = set()
    for path in _expand(paths, result.errors):
        meta = explicit_meta if explicit_meta is not None else _sidecar_for(path, result.errors)
        try:
            for line, record in read_records(path, meta.get(path.name, {})):
                try:
                    article = build_article(record, path, registry)
                except ArticleError as error:
                    result.errors.append(LoadError(str(path), str(error), line))
                    continue
                article = replace(article, id=unique_id(article.id, seen_ids))
                result.articles.append(article)
        except ArticleError as error:
            result.errors.append(LoadError(str(path), str(error)))
    for problem in result.errors:
        logger.info("skipped %s", problem)
    return result


def _expand(paths: Iterable[str | Path], errors: list[LoadError]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from folder_files(path)
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                yield path
            else:
                errors.append(LoadError(str(path), _unsupported(path)))
        else:
            errors.append(LoadError(str(path), "no such file or folder"))


def folder_files(root: Path) -> Iterator[Path]:
    """Article files under the folder `root`, sorted by path; files in the output folders of
    earlier runs below `root` are left out."""
    output: dict[Path, bool] = {}  # folder -> is_output_folder, each folder checked once

    def in_output(path: Path) -> bool:
        for folder in path.relative_to(root).parents[:-1]:  # the folders below root, not root
            if folder not in output:
                output[folder] = is_output_folder(root / folder)
            if output[folder]:
                return True
        return False

    for child in sorted(root.rglob("*")):
        if child.is_file() and is_article_file(child) and not in_output(child):
            yield child


def is_output_folder(folder: Path) -> bool:
    """Whether `folder` holds the output of a Parallax run (`compare`'s result.json, `batch`'s
    ledger): its report.html and event pages are no articles, however often the run is redone
    into a folder that lies among the articles."""
    return any((folder / name).is_file() for name in OUTPUT_MARKERS)


def is_article_file(path: Path) -> bool:
    hidden = any(part.startswith(".") for part in path.parts[-2:])
    readme = path.stem.lower() == "readme"
    return (path.suffix.lower() in SUPPORTED_SUFFIXES and path.name not in _SKIPPED_NAMES
            and not hidden and not readme)  # fmt: skip


def _unsupported(path: Path) -> str:
    allowed = ", ".join(SUPPORTED_SUFFIXES)
    return f"unsupported format {path.suffix or '(no extension)'!r}; supported: {allowed}"


def _sidecar_for(path: Path, errors: list[LoadError]) -> dict[str, dict[str, Any]]:
    for folder in (path.parent, path.parent.parent):
        candidate = folder / SIDECAR
        if candidate.is_file():
            try:
                return read_sidecar(candidate)
            except ArticleError as error:
                errors.append(LoadError(str(candidate), str(error)))
                return {}
    return {}


def read_sidecar(path: Path) -> dict[str, dict[str, Any]]:
    """Metadata per file name from a sidecar `{"articles": [{"file": ..., ...}]}`."""
    try:
        data = json.loads(_read_text(path))
        return {entry["file"]: entry for entry in data["articles"]}
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ArticleError(
            f"metadata file is not of the form {{'articles': [{{'file': ...}}]}}: {error}"
        ) from error


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ArticleError(f"cannot read file: {error.strerror}") from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ArticleError(
                f"starts with a UTF-16 byte-order mark but is not valid UTF-16 ({error.reason}); "
                "save the file as UTF-8"
            ) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save the file as UTF-8"
        ) from error


def read_records(path: Path, meta: dict[str, Any]) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """(line, record) pairs: one per JSONL line, one for any other file."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _jsonl_records(path)
    elif suffix in HTML_SUFFIXES:
        yield None, {**_html_record(_read_text(path)), **_metadata(meta), "id": path.stem}
    else:
        record = {"text": _read_text(path), "id": path.stem, **_metadata(meta)}
        yield None, {**record, "_title_in_text": "markdown" if suffix == ".md" else "plain"}


def _metadata(meta: dict[str, Any]) -> dict[str, Any]:
    return {key: meta[key] for key in (*_METADATA_FIELDS, "event", "url") if meta.get(key)}


def _jsonl_records(path: Path) -> Iterator[tuple[int | None, dict[str, Any]]]:
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise_at = LoadError(str(path), f"invalid JSON: {error.msg} (column {error.colno})")
            yield number, {"_error": raise_at.message}
            continue
        if not isinstance(record, dict):
            yield number, {"_error": "each line must be a JSON object with a 'text' field"}
            continue
        record.setdefault("id", f"{path.stem}-{number}")
        yield number, record


def _html_record(html: str) -> dict[str, Any]:
    import trafilatura

    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if document is None:
        raise ArticleError("no article text found in the HTML page")
    fields = document if isinstance(document, dict) else document.as_dict()
    record = {"text": fields.get("text") or ""}
    for key in ("title", "date", "url"):
        if fields.get(key):
            record[key] = fields[key]
    if fields.get("sitename"):
        record["outlet"] = fields["sitename"]
    return record


def _split_title(text: str, title: str | None, markdown: bool) -> tuple[str, str | None]:
    """Take the title out of cleaned body text: `(body, title)`.

    A paragraph among the first three that repeats the known title is removed. Without a known
    title, a first paragraph that is one short line not ending in a full stop (or a Markdown
    heading) becomes the title.
    """
    paragraphs = text.split("\n\n")
    if title is not None:
        for index, paragraph in enumerate(paragraphs[:3]):
            if _same(paragraph.lstrip("# "), title):
                return "\n\n".join(paragraphs[:index] + paragraphs[index + 1 :]), title
        return text, title
    first = paragraphs[0]
    heading = first.lstrip("#").strip() if markdown and first.startswith("#") else first
    short_line = 0 < len(heading) <= 200 and not heading.endswith(".")
    if len(paragraphs) > 1 and short_line and (markdown or heading == first):
        return "\n\n".join(paragraphs[1:]), heading
    return text, None


def _same(a: str, b: str) -> bool:
    squash = lambda s: re.sub(r"\W+", "", s.casefold())  # noqa: E731
    return squash(a) == squash(b)


def build_article(record: dict[str, Any], path: Path, registry: OutletRegistry) -> Article:
    if "_error" in record:
        raise ArticleError(record["_error"])
    if not isinstance(record.get("text"), str):
        raise ArticleError("record has no 'text' string")
    text = clean_text(record["text"])
    title = _optional_str(record.get("title"))
    if "_title_in_text" in record:
        text, title = _split_title(text, title, markdown=record["_title_in_text"] == "markdown")
    if not re.search(r"\w", text):
        raise ArticleError("empty article: no text left after cleaning")
    language = _language(record.get("language"), text)
    known = registry.lookup(record.get("outlet"), record.get("url"))
    camp = record.get("camp") or known.camp
    if camp not in CAMPS:
        raise ArticleError(f"camp {camp!r} is not one of {', '.join(CAMPS)}")
    extra = {k: str(v) for k, v in record.items() if k in ("event", "url") and v}
    return Article(
        id=str(record["id"]), text=text,
        outlet=source_name(record.get("outlet"), known, str(record["id"])), camp=camp,
        country=record.get("country") or known.country, language=language,
        date=_optional_str(record.get("date")), title=title,
        source=str(path), ownership=record.get("ownership") or known.ownership, extra=extra,
    )  # fmt: skip


def _optional_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _language(declared: str | None, text: str) -> str:
    if declared:
        if declared not in LANGUAGES:
            raise ArticleError(f"language {declared!r} is not supported; use one of {LANGUAGES}")
        return declared
    guess = detect_language(text)
    if not guess.supported:
        raise ArticleError(
            f"text is in {language_name(guess.code)} ({guess.code}); Parallax reads "
            f"{', '.join(LANGUAGES)}. Set 'language' in the metadata if detection is wrong."
        )
    return guess.code


def unique_id(article_id: str, seen: set[str]) -> str:
    """`article_id`, or `article_id-2`, `-3`... if already in `seen` (which it is added to)."""
    candidate, n = article_id, 2
    while candidate in seen:
        candidate, n = f"{article_id}-{n}", n + 1
    seen.add(candidate)
    return candidate
