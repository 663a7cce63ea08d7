"""Framing: voice, commitment, lexical contrast and pair divergence (`divergence.v3`;
v1 and v2 kept), with coverage and outlet/camp matrices.

Entry points: `frame_result(compare_result, stance)` and `apply_framing(result_dict, framing)`.
"""

from models.framing.divergence import METHOD, WEIGHTS_V1, WEIGHTS_V2, WEIGHTS_V3
from models.framing.frame import Framing, annotate_passages, frame_result
from models.framing.serialize import apply_framing, framing_to_dict, passage_to_dict

__all__ = [
    "METHOD", "WEIGHTS_V1", "WEIGHTS_V2", "WEIGHTS_V3", "Framing", "annotate_passages",
    "apply_framing", "frame_result", "framing_to_dict", "passage_to_dict",
]  # fmt: skip
