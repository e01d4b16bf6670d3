"""Precision modes of the encoder's forward pass, selectable by name (``PRECISIONS``).

float32 (exact), and bfloat16/float16 autocast. ``resolve_precision("auto", device)`` picks bfloat16 where
the hardware runs it natively. Attention probabilities are always taken in float32, whatever the mode
(``attention``).

**int8 was dropped**. It ran the encoder's Linear layers through ``torch.ao``'s eager dynamic
quantisation, which is deprecated (it "will be removed"; its successor is torchao's ``quantize_``). The
successor does not keep int8's speed on a CPU. Measured on the encoder alone (the windows of 24 / 16 reviews
of 터미네이터 2, default settings; best of 3 interleaved rounds, 2 torch threads on a 2-core Xeon with AMX,
shared with other jobs), offline model / KLUE-base shape, speed against float32 and Spearman of the
review × key matrices against float32:

| mode | offline | KLUE-base shape |
|---|---|---|
| int8, torch.ao ``quantize_dynamic`` (what was shipped) | 1.21×, 0.98527 | 1.64×, 0.99914 |
| int8, torchao ``quantize_`` (int8 dynamic activation, int8 weight), eager | 0.63×, 0.99948 | 0.52×, 0.99982 |
| the same with each Linear compiled (``torch.compile``, 35-50 s at start) | 0.75×, 0.99948 | 1.18×, 0.99982 |
| bfloat16 autocast | 0.80×, 0.99998 | 2.02×, 0.99998 |

torchao's int8 is the more accurate (per-token activation scales), but slower than float32 unless compiled,
and still slower than the int8 it would replace; one FFN-sized Linear ran at 36-65 GFLOP/s in torchao int8
(dynamic activations; 52-108 weight-only) against 91-102 in float32 and 351-1,121 in bfloat16 on this CPU's
AMX. So int8 no longer earns its place: the fast modes are bfloat16 (``auto``) and the approximate cached
context (``attention``). On the earlier machine without AMX (``docs/performance.md``), the deprecated int8 had
been 1.09-1.49× bfloat16's speed; that gain went with the API.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

import torch

from ...models import LoadedModel
from ...registry import choose

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


#: Precision modes by name: each gives the module to run and the context to run it in.
PRECISIONS: dict[str, Callable[[LoadedModel], tuple[torch.nn.Module, contextlib.AbstractContextManager]]] = {
    "float32": lambda model: (model.model, contextlib.nullcontext()),
    "bfloat16": _autocast_to(torch.bfloat16),
    "float16": _autocast_to(torch.float16),
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
