"""Fast contract tests of the conversion pieces on tiny synthetic inputs (no model build)."""

from __future__ import annotations

import struct

import numpy as np

from models.e5.tokenizer import build_fast_tokenizer, compile_charsmap, normalisation_rule_tsv
from models.e5.weights import E5Vocab, dequantize_q4_0

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁ab", "▁a", "b", "c", "▁c", "▁abc", "<mask>"]
SCORES = [0, 0, 0, 0, -2.0, -1.0, -3.0, -3.0, -3.0, -2.5, -5.0, 0]
# fullwidth A -> a, soft hyphen deleted, tab -> space
NORMALISATION = {0xFF41: (0x61,), 0xAD: (), 0x09: (0x20,)}


def tiny_vocab() -> E5Vocab:
    return E5Vocab(PIECES, np.asarray(SCORES, np.float32), 0, 2, 1, 3, NORMALISATION)


def test_rule_tsv_lists_every_codepoint_in_hex() -> None:
    assert normalisation_rule_tsv(NORMALISATION) == "9\t20\nAD\t\nFF41\t61\n"


def test_tokenizer_normalises_collapses_spaces_and_segments_by_score() -> None:
    tokenizer = build_fast_tokenizer(tiny_vocab(), compile_charsmap(NORMALISATION))
    encoding = tokenizer.encode("\uff41b\u00ad   \tc")
    assert encoding.tokens == ["<s>", "▁ab", "▁c", "</s>"]
    assert encoding.ids == [0, 5, 9, 2]
    # "▁abc" scores -5 < "▁ab" + "c" (-4): Viterbi keeps the better split
    assert tokenizer.encode("abc").tokens == ["<s>", "▁ab", "c", "</s>"]
    assert 3 in tokenizer.encode("xa").ids  # unknown character -> <unk>


def test_dequantize_q4_0_block_layout() -> None:
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    values = dequantize_q4_0(scale + nibbles, 32, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert values.shape == (1, 32)
    np.testing.assert_array_equal(values[0], np.asarray(expected, np.float32))
    assert struct.calcsize("<e") == 2
