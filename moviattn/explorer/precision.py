"""Precision modes of the encoder's forward pass, selectable by name (``PRECISIONS``).

float32 (exact), bfloat16/float16 autocast, and int8 dynamic quantisation of the encoder's Linear
layers (CPU, VNNI). ``resolve_precision("auto", device)`` picks bfloat16 where the hardware runs it
natively. Attention probabilities are always taken in float32, whatever the mode (``attention``).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import warnings
import weakref
from collections.abc import Callable

import torch

from ..models import LoadedModel
from ..registry import choose

log = logging.getLogger(__name__)


def _autocast_to(dtype: torch.dtype) -> Callable[[LoadedModel], tuple[torch.nn.Module, contextlib.AbstractContextManager]]:
    def prepare(model: LoadedModel) -> tuple[torch.nn.Module, contextlib.AbstractContextManager]:
        if dtype == torch.float16 and model.device.type == "cpu":
            log.info("float16 on a CPU without AVX512-FP16 runs slower than float32; bfloat16 is the CPU choice")
        return model.model, torch.autocast(device_type=model.device.type, dtype=dtype)

    return prepare


def cpu_supports_bfloat16() -> bool:
    """Whether this CPU has native bfloat16 matmuls (AVX512-BF16 or AMX); without them bf16 is emulated."""
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


class _Bfloat16Linear(torch.nn.Module):
    """A Linear run in bfloat16 (weights stored in bf16), float32 in and out."""

    def __init__(self, linear: torch.nn.Linear):
        super().__init__()
        self.weight = torch.nn.Parameter(linear.weight.detach().to(torch.bfloat16), requires_grad=False)
        self.bias = None if linear.bias is None else torch.nn.Parameter(linear.bias.detach().to(torch.bfloat16), requires_grad=False)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(hidden.to(torch.bfloat16), self.weight, self.bias).float()


_quantized: weakref.WeakKeyDictionary[torch.nn.Module, torch.nn.Module] = weakref.WeakKeyDictionary()


def _int8_dynamic(model: LoadedModel) -> tuple[torch.nn.Module, contextlib.AbstractContextManager]:
    """The encoder's Linear layers with int8 weights and per-batch int8 activations (CPU, VNNI).

    The FFN's output projections (fed by the GELU, whose outliers a per-tensor int8 scale
    crushes) run in bfloat16 where the CPU has it, else float32: quantising them too dropped the
    movie aggregate's Spearman against float32 from 0.995 to 0.96. Built once per model; the
    embeddings (most of the parameters of a large-vocabulary model) are shared, not copied.
    """
    if model.device.type != "cpu":
        raise ValueError("precision 'int8' (dynamic quantisation) runs on CPU only; use bfloat16 or float16 on GPU")
    if model.model not in _quantized:
        from torch.ao.quantization import default_dynamic_qconfig, quantize_dynamic

        shared = {id(p): p for module in model.model.modules() if isinstance(module, torch.nn.Embedding) for p in module.parameters()}
        copy_of = copy.deepcopy(model.model, memo=shared)
        ffn_size = copy_of.config.intermediate_size
        linears = {name: m for name, m in copy_of.named_modules() if isinstance(m, torch.nn.Linear)}
        after_gelu = {name for name, m in linears.items() if m.in_features == ffn_size}
        if cpu_supports_bfloat16():
            for name in after_gelu:
                parent, _, attribute = name.rpartition(".")
                setattr(copy_of.get_submodule(parent), attribute, _Bfloat16Linear(linears[name]))
        with warnings.catch_warnings():  # torch.ao's eager quantisation warns that it is moving to torchao
            warnings.simplefilter("ignore")
            spec = {name: default_dynamic_qconfig for name in linears if name not in after_gelu}
            _quantized[model.model] = quantize_dynamic(copy_of, spec, dtype=torch.qint8, inplace=True)
    return _quantized[model.model], contextlib.nullcontext()


#: Precision modes by name: each gives the module to run and the context to run it in.
PRECISIONS: dict[str, Callable[[LoadedModel], tuple[torch.nn.Module, contextlib.AbstractContextManager]]] = {
    "float32": lambda model: (model.model, contextlib.nullcontext()),
    "bfloat16": _autocast_to(torch.bfloat16),
    "float16": _autocast_to(torch.float16),
    "int8": _int8_dynamic,
}


def resolve_precision(precision: str, device: torch.device | str) -> str:
    """``auto``: bfloat16 where the hardware runs it natively (a CUDA GPU with bf16, a CPU with
    AVX512-BF16/AMX), else float32. Other names are returned as they are."""
    if precision != "auto":
        return precision
    device = torch.device(device)
    if device.type == "cuda":
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "bfloat16" if device.type == "cpu" and cpu_supports_bfloat16() else "float32"


def prepare(model: LoadedModel, precision: str) -> tuple[torch.nn.Module, contextlib.AbstractContextManager]:
    """The module to run and the context to run it in for precision mode ``precision``."""
    return choose("precision", precision, PRECISIONS)(model)
