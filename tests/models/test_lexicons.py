"""`load_lexicons` compiles every lexicon compare reads, once per process."""

from __future__ import annotations

from models.framing.cues import SUPPORTED, load_cues
from models.lexicons import load_lexicons
from models.stance import actors


def test_load_lexicons_fills_every_cache_and_is_free_the_second_time() -> None:
    load_cues.cache_clear()
    actors._any_state.cache_clear()
    actors._tier_patterns.cache_clear()
    assert load_lexicons() >= 0.0
    assert load_cues.cache_info().currsize == len(SUPPORTED)
    assert actors._any_state.cache_info().currsize == 1
    assert actors._tier_patterns.cache_info().currsize == len(actors.known_actors())
    misses = load_cues.cache_info().misses
    load_lexicons()
    assert load_cues.cache_info().misses == misses  # nothing compiled again
