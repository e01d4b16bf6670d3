"""The encoder: a pooler-less ``transformers`` BertModel holding a checkpoint's weights (positions from 0,
post-LayerNorm, exact GELU)."""

from __future__ import annotations

import torch
from transformers import BertConfig, BertModel
from transformers.initialization import no_init_weights

from ..errors import ModelLoadError
from .checkpoint import E5Checkpoint

# e5.c tensor name suffix -> BertLayer parameter name.
_LAYER_PARAMS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_PARAMS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def build_bert_model(ckpt: E5Checkpoint) -> BertModel:
    """Build a pooler-less ``BertModel`` and load every weight from ``ckpt`` (strictly)."""
    config = BertConfig(
        vocab_size=ckpt.vocab_size,
        hidden_size=ckpt.hidden_size,
        num_hidden_layers=ckpt.num_layers,
        num_attention_heads=ckpt.num_heads,
        intermediate_size=ckpt.intermediate_size,
        hidden_act="gelu",
        max_position_embeddings=ckpt.max_positions,
        type_vocab_size=ckpt.type_vocab_size,
        layer_norm_eps=ckpt.layer_norm_eps,
        pad_token_id=ckpt.pad_id,
        bos_token_id=ckpt.bos_id,
        eos_token_id=ckpt.eos_id,
    )
    names = dict(_EMBEDDING_PARAMS)
    for layer in range(ckpt.num_layers):
        for suffix, param in _LAYER_PARAMS.items():
            names[f"l{layer}.{suffix}"] = f"encoder.layer.{layer}.{param}"
    missing = sorted(set(names) - set(ckpt.tensors))
    if missing:
        raise ModelLoadError(f"checkpoint lacks tensors {missing[:5]}")
    state = {param: torch.from_numpy(ckpt.tensors[name]) for name, param in names.items()}
    with no_init_weights():  # every weight is overwritten below; skip ~1 s of random init
        model = BertModel(config, add_pooling_layer=False)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:  # missing / unexpected keys or shape mismatch
        raise ModelLoadError(f"checkpoint does not fit BertModel: {exc}") from exc
    return model.eval()
