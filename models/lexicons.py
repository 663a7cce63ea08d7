"""Compile, at load time, the lexicons that `compare` reads.

Each lexicon is compiled on first use and kept for the process: the voice and commitment cues of
each language (`models.framing.cues`), the framing lexicon (`models.framing.lexicon`) and the
actor lexicon (`models.stance.actors`). Compiling them all takes about 0.1 s (0.09-0.14 s in
`eval.bench_alignment`), more than aligning 100 passages; without `load_lexicons` it falls on
the first `compare` of a process, inside alignment (the first step that reads speakers). A
server calls it at start-up beside loading the models, so its first request does not pay it;
the alignment benchmark calls it before its clock, as it loads the encoder.
"""

from __future__ import annotations

import time

from models.framing.cues import SUPPORTED, load_cues
from models.framing.divergence import METHOD
from models.framing.frame import LEXICON_OF
from models.framing.lexicon import find_concepts
from models.stance.actors import find_actor_mention, known_actors, names_a_state


def load_lexicons() -> float:
    """Compile every lexicon `compare` reads, in all supported languages; return the seconds it
    took (about 0 when they were compiled already)."""
    started = time.perf_counter()
    for language in SUPPORTED:
        load_cues(language)
        find_concepts("", language, LEXICON_OF[METHOD])
    for actor in known_actors():
        find_actor_mention("", actor)
    names_a_state("")
    return time.perf_counter() - started
