"""Storage of API runs and corpora: SQLAlchemy Core over SQLite (default) or PostgreSQL.

Tables: `runs` (one comparison: request, status, result JSON), `corpora` (named collections) and
`corpus_articles` (the articles of a corpus, in insertion order). Every write is its own
transaction, so a crash loses at most the request in progress; a run left `running` by a crash is
marked `failed` at the next start (`fail_interrupted_runs`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

RUN_STATUSES = ("running", "done", "failed")

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
metadata = sa.MetaData()

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished", sa.DateTime(timezone=True)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("corpus", sa.String(64)),
    sa.Column("request", _JSON, nullable=False),
    sa.Column("result", _JSON),
    sa.Column("error", sa.Text),
)  # fmt: skip
corpora = sa.Table(
    "corpora", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)  # fmt: skip
corpus_articles = sa.Table(
    "corpus_articles", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("corpus", sa.String(64), sa.ForeignKey("corpora.name", ondelete="CASCADE"),
              nullable=False),
    sa.Column("article_id", sa.String(128), nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("article", _JSON, nullable=False),
    sa.UniqueConstraint("corpus", "article_id", name="uq_corpus_article"),
)  # fmt: skip


class NotFound(LookupError):
    """The run, corpus or article asked for does not exist."""


class Conflict(ValueError):
    """A write would break a uniqueness rule (e.g. an article id already in the corpus)."""


@dataclass(frozen=True)
class Run:
    id: str
    created: datetime
    finished: datetime | None
    status: str
    corpus: str | None
    request: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every datetime we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class Store:
    """Runs and corpora in one database. Thread-safe: each call uses its own connection."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self._engine = sa.create_engine(url, connect_args={"check_same_thread": False})
            sa.event.listen(self._engine, "connect", _sqlite_pragmas)
        else:
            self._engine = sa.create_engine(url, pool_pre_ping=True)
        metadata.create_all(self._engine)

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def close(self) -> None:
        self._engine.dispose()

    def ping(self) -> None:
        with self._engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    # --- runs ---
    def create_run(self, request: dict[str, Any], corpus: str | None = None) -> str:
        run_id = str(uuid.uuid4())
        with self._engine.begin() as connection:
            connection.execute(runs.insert().values(
                id=run_id, created=_now(), status="running", corpus=corpus, request=request,
            ))  # fmt: skip
        return run_id

    def finish_run(
        self, run_id: str, result: dict[str, Any] | None = None, error: str | None = None
    ) -> None:
        """Store `result` (status done) or `error` (status failed)."""
        status = "failed" if error is not None else "done"
        with self._engine.begin() as connection:
            updated = connection.execute(
                runs.update().where(runs.c.id == run_id)
                .values(status=status, result=result, error=error, finished=_now())
            ).rowcount  # fmt: skip
        if not updated:
            raise NotFound(f"run {run_id} not found")

    def get_run(self, run_id: str) -> Run:
        with self._engine.connect() as connection:
            row = connection.execute(runs.select().where(runs.c.id == run_id)).mappings().first()
        if row is None:
            raise NotFound(f"run {run_id} not found")
        return Run(**{**row, "created": _utc(row["created"]), "finished": _utc(row["finished"])})

    def fail_interrupted_runs(self) -> int:
        """Mark runs still `running` (their process died) as failed; returns how many."""
        with self._engine.begin() as connection:
            return connection.execute(
                runs.update().where(runs.c.status == "running")
                .values(status="failed", error="interrupted: the server stopped during the run",
                        finished=_now())
            ).rowcount  # fmt: skip

    # --- corpora ---
    def add_articles(self, corpus: str, articles: list[dict[str, Any]]) -> None:
        """Append `articles` (each with an 'id') to `corpus`, creating it; all or nothing."""
        ids = [a["id"] for a in articles]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise Conflict(f"article ids repeated in the request: {duplicates}")
        with self._engine.begin() as connection:
            exists = connection.execute(
                sa.select(corpora.c.name).where(corpora.c.name == corpus)
            ).first()
            if exists is None:
                connection.execute(corpora.insert().values(name=corpus, created=_now()))
            taken = connection.execute(
                sa.select(corpus_articles.c.article_id).where(
                    corpus_articles.c.corpus == corpus, corpus_articles.c.article_id.in_(ids)
                )
            ).scalars().all()  # fmt: skip
            if taken:
                raise Conflict(f"corpus {corpus!r} already holds articles {sorted(taken)}")
            now = _now()
            connection.execute(corpus_articles.insert(), [
                {"corpus": corpus, "article_id": a["id"], "created": now, "article": a}
                for a in articles
            ])  # fmt: skip

    def list_corpora(self) -> list[dict[str, Any]]:
        """[{name, created, articles}] ordered by name."""
        count = sa.func.count(corpus_articles.c.seq)
        query = (
            sa.select(corpora.c.name, corpora.c.created, count.label("articles"))
            .select_from(corpora.outerjoin(corpus_articles))
            .group_by(corpora.c.name, corpora.c.created)
            .order_by(corpora.c.name)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [{**row, "created": _utc(row["created"])} for row in rows]

    def corpus_articles(self, corpus: str) -> list[dict[str, Any]]:
        """The articles of `corpus` in insertion order."""
        with self._engine.connect() as connection:
            if connection.execute(
                sa.select(corpora.c.name).where(corpora.c.name == corpus)
            ).first() is None:  # fmt: skip
                raise NotFound(f"corpus {corpus!r} not found")
            rows = connection.execute(
                sa.select(corpus_articles.c.article)
                .where(corpus_articles.c.corpus == corpus)
                .order_by(corpus_articles.c.seq)
            ).scalars().all()  # fmt: skip
        return list(rows)

    def get_article(self, corpus: str, article_id: str) -> dict[str, Any]:
        with self._engine.connect() as connection:
            article = connection.execute(
                sa.select(corpus_articles.c.article).where(
                    corpus_articles.c.corpus == corpus, corpus_articles.c.article_id == article_id
                )
            ).scalar()  # fmt: skip
        if article is None:
            raise NotFound(f"article {article_id!r} not found in corpus {corpus!r}")
        return dict(article)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
