"""Request and response bodies of the API (pydantic v2), with the examples shown in /docs.

Size limits that come from settings (articles per request, characters per text) are checked by
`service.api.limits` because they vary per deployment; the limits fixed here are structural.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from corpus.schema import CAMPS, LANGUAGES
from models.alignment import MIN_CONFIDENCE

Language = Literal["en", "ru", "uk", "az"]
Camp = Literal["russian", "azerbaijani", "ukrainian", "western", "other"]
assert set(Language.__args__) == set(LANGUAGES) and set(Camp.__args__) == set(CAMPS)  # type: ignore[attr-defined]

ArticleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
CorpusName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Target = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^\w[\w .,'’&()/-]*$"),
]
Window = Annotated[int, Field(ge=1, le=5, description="Sentences per passage.")]
MinConfidence = Annotated[
    float,
    Field(
        ge=0.0,
        le=1.0,
        strict=True,  # a number, not "0.5" or true
        description="Keep the aligned pairs whose calibrated confidence is at least this.",
    ),
]

# C0 controls other than tab, newline and carriage return, DEL, and UTF-16 surrogates (which
# JSON escapes such as "\ud800" can smuggle into a str but which no UTF-8 text can hold).
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

EXAMPLE_TEXT = (
    "Azerbaijan closed the Russian House in Baku on Monday. Officials in Baku said the centre "
    "had been used for intelligence operations.\n\nMoscow called the closure a misunderstanding "
    "and said it hoped for dialogue."
)


def check_plain_text(value: str) -> str:
    """Reject text that is blank or carries binary data (control characters, lone surrogates)."""
    bad = _NOT_TEXT.search(value)
    if bad:
        raise ValueError(
            f"contains the control or surrogate character U+{ord(bad.group()):04X} at position "
            f"{bad.start()}; send plain UTF-8 text, not binary data"
        )
    if not re.search(r"\w", value):
        raise ValueError("is empty: it holds no letters or digits")
    return value


class ArticleIn(BaseModel):
    """One article as sent by a client. `language` is detected when absent."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="Plain text of the article (HTML is not parsed).")
    id: ArticleId | None = Field(default=None, description="Defaults to a1, a2, ... by position.")
    outlet: str | None = Field(default=None, max_length=200)
    camp: Camp | None = Field(default=None, description="Defaults to the outlet registry's camp.")
    language: Language | None = Field(default=None, description="ISO 639-1; detected if absent.")
    title: str | None = Field(default=None, max_length=500)
    date: str | None = Field(default=None, max_length=40, description="ISO 8601 date.")

    _text_is_plain = field_validator("text")(check_plain_text)

    @field_validator("outlet", "title", "date")
    @classmethod
    def _metadata_is_plain(cls, value: str | None) -> str | None:
        if value is not None and _NOT_TEXT.search(value):
            raise ValueError("contains control or surrogate characters")
        return value


class StanceRequest(ArticleIn):
    targets: list[Target] | None = Field(
        default=None, min_length=1,
        description="Actors to score stance toward; default from settings (Russia, Azerbaijan). "
        "A known actor may be named in en/ru/uk/az ('Россия' scores as 'Russia'); results are "
        "keyed by the names given. "
        "'auto' stands for the states the article names (at most four, the most named first).",
    )  # fmt: skip
    window: Window = 1

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "text": EXAMPLE_TEXT, "outlet": "Example Daily", "language": "en",
            "title": "Russian House closed", "targets": ["Russia", "Azerbaijan"],
        }]},
    )  # fmt: skip


class ArticlesRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"articles": [
            {"id": "baku", "text": EXAMPLE_TEXT, "outlet": "Example Daily", "language": "en"},
            {"id": "moscow", "language": "ru", "outlet": "Пример",
             "text": "Москва назвала закрытие Русского дома в Баку недоразумением. "
                     "Власти Азербайджана закрыли центр в понедельник."},
        ]}]},
    )  # fmt: skip

    articles: list[ArticleIn] = Field(min_length=2, description="Two or more articles.")
    window: Window = 1
    min_confidence: MinConfidence = MIN_CONFIDENCE


class CorpusArticlesRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"articles": [
            {"id": "baku-1", "text": EXAMPLE_TEXT, "outlet": "Example Daily", "language": "en"},
        ]}]},
    )  # fmt: skip

    articles: list[ArticleIn] = Field(min_length=1)


class CorpusCompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window: Window = 1
    min_confidence: MinConfidence = MIN_CONFIDENCE


# ---------------------------------------------------------------- responses


class ArticleOut(BaseModel):
    """An article as Parallax read it: cleaned text, language given or detected."""

    id: str
    text: str
    outlet: str
    camp: str
    country: str | None = None
    language: str
    language_detected: bool = Field(description="True when the language was not given.")
    title: str | None = None
    date: str | None = None


class CueOut(BaseModel):
    kind: str
    text: str
    start: int
    end: int


class VoiceOut(BaseModel):
    """Whose words a passage carries: the outlet's own, or a quoted/reported source."""

    kind: str = Field(description="'outlet' or 'reported'.")
    label: str = Field(description="'outlet' or the speaker as named in the text.")
    speaker: str | None = None
    start: int | None = Field(
        default=None,
        description="Speaker span in the passage text; null when the passage continues a "
        "quotation whose speaker is named in the passage before it.",
    )
    end: int | None = None
    attributions: list[CueOut] = Field(
        default_factory=list,
        description="Every source marker and speech verb in the outlet's words, in order (the "
        "speaker above is the first's); divergence.v6 and later read two or more as a contested "
        "claim.",
    )


class CommitmentOut(BaseModel):
    """Whether the passage asserts its claim, attributes it to a source, or hedges it."""

    label: str = Field(description="'asserted', 'attributed' or 'hedged'.")
    cues: list[CueOut] = Field(default_factory=list, description="The words that decided it.")


class PassageOut(BaseModel):
    """A span of the article: `text == article.text[start:end]`."""

    id: str
    index: int
    start: int
    end: int
    text: str
    stance: dict[str, dict[str, float]] | None = Field(
        default=None,
        description="{target: {favor, against, none}}: probabilities that sum to 1 (the shipped "
        "fine-tuned models are temperature-calibrated on development articles); absent without "
        "a model.",
    )
    voice: VoiceOut | None = None
    commitment: CommitmentOut | None = None


class StanceResponse(BaseModel):
    article: ArticleOut
    passages: list[PassageOut]
    targets: list[str]
    aggregate: dict[str, Any] = Field(
        description="Article level: passage count and, with a stance model, "
        "stance per target {favor, against, none, mentions}."
    )
    models: dict[str, str | None]
    unavailable: list[str] = Field(
        description="Analyses this server cannot give (no model loaded): omitted from passages."
    )


class PairOut(BaseModel):
    """Two passages of different articles that report the same fact."""

    a: str
    b: str
    similarity: float
    margin: float
    confidence: float = Field(description="Calibrated probability that the link is right.")
    kind: Literal["mutual", "span", "translation"]


class FactGroupOut(BaseModel):
    """Passages linked by alignment (connected components): one fact across articles."""

    id: str
    passages: list[str]
    articles: list[str]


class SpanOut(BaseModel):
    """A passage of an aligned article: `text == article.text[start:end]`."""

    id: str
    start: int
    end: int
    text: str


class AlignArticleOut(BaseModel):
    id: str
    outlet: str
    language: str
    title: str | None = None
    passages: list[SpanOut]


class AlignResponse(BaseModel):
    articles: list[AlignArticleOut]
    pairs: list[PairOut]
    fact_groups: list[FactGroupOut]
    method: dict[str, Any]


class RunOut(BaseModel):
    id: str
    status: Literal["running", "done", "failed"]
    created: datetime
    finished: datetime | None = None
    corpus: str | None = None
    result: dict[str, Any] | None = Field(
        default=None, description="The compare result (result.json) once status is done."
    )
    error: str | None = None
    links: dict[str, str]


class CorpusSummary(BaseModel):
    name: str
    created: datetime
    articles: int


class CorporaOut(BaseModel):
    corpora: list[CorpusSummary]


class StoredArticleSummary(BaseModel):
    id: str
    outlet: str
    language: str
    title: str | None = None
    chars: int


class CorpusOut(BaseModel):
    name: str
    articles: list[StoredArticleSummary]


class CorpusAddOut(BaseModel):
    corpus: str
    added: list[str]
    articles: int = Field(description="Articles in the corpus after the addition.")


class ErrorOut(BaseModel):
    detail: str


class HealthOut(BaseModel):
    status: str
    models: dict[str, str | None] | None = None
