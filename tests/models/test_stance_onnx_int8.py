"""The ONNX Runtime int8 stance network: graph plumbing on a tiny BERT, parity on the real one."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import torch

from models.stance import onnx_int8
from models.stance.finetuned import STANCE_DTYPES, _want_int8
from models.stance.network import EncodedBatch, StanceHead, StanceNetwork

SPECIAL_IDS = [0, 2]  # <s>, </s>; pad is 1


def test_unknown_dtype_lists_the_valid_ones():
    with pytest.raises(ValueError, match="int8"):
        _want_int8("int4", None)
    assert "int8" in STANCE_DTYPES


@pytest.mark.parametrize("dtype", ["int8", "int8-plain"])
def test_int8_is_cpu_only(dtype):
    with pytest.raises(ValueError, match="CPU only"):
        _want_int8(dtype, "cuda")


@pytest.mark.parametrize("dtype", ["int8", "int8-plain"])
def test_int8_falls_back_without_onnxruntime(monkeypatch, caplog, dtype):
    monkeypatch.setattr(onnx_int8, "onnxruntime_available", lambda: False)
    with caplog.at_level(logging.WARNING):
        assert _want_int8(dtype, None) is False
    assert "pip install" in caplog.text
    assert _want_int8("bfloat16", None) is False


needs_ort = pytest.mark.skipif(not onnx_int8.onnxruntime_available(), reason=onnx_int8.MISSING_ORT)


@pytest.fixture(scope="module")
def tiny_network() -> StanceNetwork:
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=40, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=32)  # fmt: skip
    encoder = BertModel(config, add_pooling_layer=False)
    with torch.no_grad():  # an outlier on the special tokens, as in e5
        encoder.embeddings.word_embeddings.weight[SPECIAL_IDS, :4] = 30.0
    return StanceNetwork(encoder, StanceHead(32)).eval()


@pytest.fixture(scope="module")
def batch() -> EncodedBatch:
    """3 pairs `<s> target </s></s> passage </s>`, the last two padded."""
    rows = [
        [0, 5, 6, 2, 2, 7, 8, 9, 10, 11, 12, 2],
        [0, 5, 2, 2, 13, 14, 15, 2],
        [0, 7, 2, 2, 16, 2],
    ]
    width = max(map(len, rows))
    ids = torch.tensor([row + [1] * (width - len(row)) for row in rows])
    mask = (ids != 1).long()
    mention = torch.zeros_like(ids)
    mention[:, 1] = 1
    return EncodedBatch(ids, mask, mention)


def _run(path: Path, batch: EncodedBatch) -> np.ndarray:
    return onnx_int8.OrtStanceNetwork(path, threads=1)(batch).numpy()


@needs_ort
def test_special_token_bypass_preserves_the_fp32_network(tmp_path, tiny_network, batch):
    import onnx

    exported = onnx_int8.export_network(tiny_network, batch, tmp_path / "fp32.onnx")
    counts = onnx_int8.fuse_bert(exported, tmp_path / "fused.onnx", 2, 32)
    assert counts["MultiHeadAttention"] == 2
    model = onnx.load(str(tmp_path / "fused.onnx"))
    fp32_matmuls = onnx_int8.add_special_token_bypass(model, SPECIAL_IDS)
    assert len(fp32_matmuls) == 2 * 5  # q, k, v, feed-forward in and out per layer
    onnx.save(model, str(tmp_path / "bypassed.onnx"))
    with torch.inference_mode():
        expected = tiny_network(batch).numpy()
    np.testing.assert_allclose(_run(tmp_path / "bypassed.onnx", batch), expected, atol=1e-4)
    # a batch of one without padding goes through the same graph
    single = EncodedBatch(batch.input_ids[:1], batch.attention_mask[:1], batch.mention_mask[:1])
    with torch.inference_mode():
        np.testing.assert_allclose(_run(tmp_path / "bypassed.onnx", single),
                                   tiny_network(single).numpy(), atol=1e-4)  # fmt: skip


@needs_ort
def test_int8_model_keeps_the_bypass_in_fp32(tmp_path, tiny_network, batch):
    import onnx

    onnx_int8.export_network(tiny_network, batch, tmp_path / "fp32.onnx")
    onnx_int8.fuse_bert(tmp_path / "fp32.onnx", tmp_path / "fused.onnx", 2, 32)
    model = onnx.load(str(tmp_path / "fused.onnx"))
    fp32_matmuls = onnx_int8.add_special_token_bypass(model, SPECIAL_IDS)
    onnx.save(model, str(tmp_path / "bypassed.onnx"))
    onnx_int8.quantize_int8(tmp_path / "bypassed.onnx", tmp_path / "int8.onnx", fp32_matmuls, False)
    nodes = {node.name: node.op_type for node in onnx.load(str(tmp_path / "int8.onnx")).graph.node}
    assert all(nodes[name] == "MatMul" for name in fp32_matmuls)
    assert "MatMulInteger" in nodes.values()
    with torch.inference_mode():
        expected = tiny_network(batch).numpy()
    logits = _run(tmp_path / "int8.onnx", batch)
    assert logits.shape == (3, 3) and logits.dtype == np.float32
    np.testing.assert_allclose(logits, expected, atol=0.05)


@needs_ort
def test_cache_key_follows_recipe_and_artifact(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "stance_config.json").write_text("{}", encoding="utf-8")
    keys = {onnx_int8.int8_cache_key(tmp_path / "a", tmp_path, recipe, False)
            for recipe in onnx_int8.INT8_RECIPES}  # fmt: skip
    assert len(keys) == len(onnx_int8.INT8_RECIPES)
    before = onnx_int8.int8_cache_key(tmp_path / "a", tmp_path, onnx_int8.INT8_RECIPE, False)
    (tmp_path / "a" / "stance_config.json").write_text('{"none_bias": 1}', encoding="utf-8")
    assert (
        onnx_int8.int8_cache_key(tmp_path / "a", tmp_path, onnx_int8.INT8_RECIPE, False) != before
    )


PASSAGES = [
    ("Путин заявил, что Россия готова к переговорам с Украиной.", "Россия"),
    ("Азербайджан обвинил Армению в нарушении перемирия.", "Армению"),
    ("Критики назвали решение правительства России катастрофическим.", "России"),
    ("The EU praised Azerbaijan for its role in the energy talks.", "Azerbaijan"),
    ("Moscow denied the accusations, calling them absurd.", "Moscow"),
    ("Україна отримала нову партію допомоги від союзників.", "Україна"),
    ("Эксперты сомневаются в эффективности санкций против Ирана.", "Ирана"),
    ("Baku and Yerevan signed a joint statement on Tuesday.", "Yerevan"),
]


@pytest.mark.slow
@needs_ort
def test_int8_probabilities_match_fp32_on_real_passages(tmp_path):
    from models.e5 import build_e5_directory, default_model_dir
    from models.stance import FINETUNED_ARTIFACT
    from models.stance.finetuned import FineTunedStanceModel

    e5_dir = build_e5_directory(default_model_dir())
    texts, targets = (list(column) for column in zip(*PASSAGES, strict=True))
    spans: list[tuple[int, int] | None] = [
        (text.index(target), text.index(target) + len(target)) for text, target in PASSAGES
    ]
    fp32 = FineTunedStanceModel(FINETUNED_ARTIFACT, e5_dir, device="cpu", dtype="float32")
    int8 = FineTunedStanceModel(FINETUNED_ARTIFACT, e5_dir, dtype="int8", onnx_cache_dir=tmp_path)
    assert int8.dtype == "int8" and int8.name.endswith("-int8")
    expected = fp32.predict_proba(texts, targets, spans)
    probabilities = int8.predict_proba(texts, targets, spans)
    assert probabilities.shape == (len(PASSAGES), 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    # a near tie can move by almost 0.08 (e5-lora-v5: "... санкций против Ирана", fp32 against
    # 0.43 / none 0.33, by 0.077); RESULTS, "Stance inference on CPU": the share of RuSentNE
    # labels that int8 leaves unchanged
    np.testing.assert_allclose(probabilities, expected, atol=0.08)
    assert (probabilities.argmax(axis=1) == expected.argmax(axis=1)).all()
    # the second load reuses the cached model
    built = sorted(tmp_path.rglob("model.onnx"))
    again = FineTunedStanceModel(FINETUNED_ARTIFACT, e5_dir, dtype="int8", onnx_cache_dir=tmp_path)
    assert sorted(tmp_path.rglob("model.onnx")) == built == sorted(n.path for n in again.networks)
    assert len(built) == len(again.networks)  # one int8 model per member of an ensemble
