"""The settings panel: model, attention settings and colour controls, shared by the explorer's tabs.

Every control is one entry of ``CONTROLS``, by name: the panel lays the table out, a tab wires
``panel.inputs`` and wraps its handler with ``panel.takes_controls``, and the handler reads the values,
by name, into a ``PanelChoice`` with ``read_choice``. Adding a control is one entry; no order is shared.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import gradio as gr

from ..defaults import DEFAULTS
from ..errors import USER_ERRORS, user_message
from ..explorer import COLOR_SCALES, Settings, pooled_heads, setting_choices
from ..limits import LIMITS, check_all
from ..models import LoadedModel
from ..registry import choose
from .common import warning_html
from .state import AppState

#: Korean labels of the registries' names; a name without one (a newly registered aggregator) shows as itself.
LAYER_AGG_LABELS = {"last_k": "마지막 k개 층 평균 (last k)", "mean": "모든 층 평균 (mean)", "single": "한 층 (single)", "rollout": "롤아웃 (rollout)"}
HEAD_AGG_LABELS = {"mean": "평균 (mean)", "max": "최댓값 (max)"}
GRANULARITY_LABELS = {"morpheme": "형태소 (morpheme)", "eojeol": "어절 (eojeol)", "subword": "서브워드 (sub-word)"}
SCALE_LABELS = {"linear": "선형 (linear)", "log": "로그 (log)", "percentile": "백분위 자르기 (1–99% clip)"}


def label(labels: Mapping[str, str], name: str) -> str:
    """A registry name's label, or the name itself where the table has none."""
    return labels.get(name, name)


def labelled(labels: Mapping[str, str], names: Any) -> list[tuple[str, str]]:
    """(label, name) choices for every name of a registry."""
    return [(label(labels, name), name) for name in names]


@dataclass(frozen=True)
class PanelChoice:
    """What the panel asks for: the attention settings, and the colours the heatmaps are drawn in."""

    settings: Settings = field(default_factory=Settings)
    scale: str = DEFAULTS.scale
    cmap: str = DEFAULTS.cmap


def head_choices(num_heads: int) -> list[tuple[str, str]]:
    """Head control: an aggregation over heads (mean, max, …) or one head by number."""
    return labelled(HEAD_AGG_LABELS, pooled_heads()) + [(f"head {h}", str(h)) for h in range(num_heads)]


def head_value(settings: Settings) -> str:
    """The head control's value for a setting (inverse of ``head_fields``)."""
    return settings.head_agg if settings.head_agg in pooled_heads() else str(settings.head)


def head_fields(value: Any) -> dict[str, Any]:
    """The settings the head control sets: an aggregation over heads, or ``single`` and the head's number."""
    return {"head_agg": value, "head": 0} if value in pooled_heads() else {"head_agg": "single", "head": whole_number("head", value)}


def whole_number(name: str, value: Any) -> int:
    """A control's value as an int; a fraction (layer 2.5), a non-number or a missing value is refused with a
    message naming the control, never rounded: a slider's step is the browser's rule, not an API caller's."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not number.is_integer():
        raise ValueError(f"{name}: 정수가 아닙니다 (not a whole number: {value!r})")
    return int(number)


def sliders_in_use(layer_agg: str) -> tuple[bool, bool]:
    """Whether the layer slider and the last-k slider change anything under a layer aggregation."""
    return layer_agg in ("single", "rollout"), layer_agg == "last_k"


@dataclass(frozen=True)
class Control:
    """One control of the panel: the row it sits in, how it is made for a model, and which fields of ``PanelChoice``
    or ``Settings`` its value sets (by default the field of its own name)."""

    row: str
    make: Callable[[LoadedModel], Any]
    read: Callable[[Any], dict[str, Any]] | None = None


_SETTINGS = Settings()
_USES_LAYER, _USES_LAST_K = sliders_in_use(_SETTINGS.layer_agg)

#: Every control of the panel by name; a row shows its controls in this order.
CONTROLS: dict[str, Control] = {
    "measure": Control("attention", lambda model: gr.Dropdown(
        [(m.label, name) for name, m in setting_choices()["measure"].items()], value=_SETTINGS.measure, label="측정 (measure)",
        info="기울기 측정은 층·헤드 설정을 쓰지 않습니다 (gradient measures ignore layer and head)",
    )),
    "layer_agg": Control("attention", lambda model: gr.Radio(
        labelled(LAYER_AGG_LABELS, setting_choices()["layer_agg"]), value=_SETTINGS.layer_agg, label="층 합치기 (layer aggregation)",
    )),
    "layer": Control("attention", lambda model: gr.Slider(
        -model.num_layers, model.num_layers - 1, value=_SETTINGS.layer, step=1, label="층 (layer; -1 = 마지막 last)",
        info="single / rollout", interactive=_USES_LAYER,
    )),
    "last_k": Control("attention", lambda model: gr.Slider(
        1, model.num_layers, value=min(_SETTINGS.last_k, model.num_layers), step=1, label="마지막 k개 층 (last k)",
        info="last k", interactive=_USES_LAST_K,
    )),
    "head": Control("attention", lambda model: gr.Dropdown(
        head_choices(model.num_heads), value=head_value(_SETTINGS), label="헤드 (head)",
    ), read=head_fields),
    "normalization": Control("units", lambda model: gr.Radio(
        list(setting_choices()["normalization"]), value=_SETTINGS.normalization, label="정규화 (normalisation)", info="segment: 정보·줄거리 각각 행 합 1",
    )),
    "granularity": Control("units", lambda model: gr.Radio(
        labelled(GRANULARITY_LABELS, setting_choices()["granularity"]), value=_SETTINGS.granularity, label="단위 (unit)",
    )),
    "analyser": Control("units", lambda model: gr.Dropdown(
        list(setting_choices()["analyser"]), value=_SETTINGS.analyser, label="형태소 분석기 (analyser)",
    )),
    "content_only": Control("units", lambda model: gr.Checkbox(value=_SETTINGS.content_only, label="내용어만 (content words only)")),
    "scale": Control("colours", lambda model: gr.Radio(
        labelled(SCALE_LABELS, COLOR_SCALES), value=DEFAULTS.scale, label="색 스케일 (colour scale)",
    ), read=lambda value: {"scale": choose("colour scale", value, COLOR_SCALES)}),
    "cmap": Control("colours", lambda model: gr.Dropdown(
        list(DEFAULTS.colormaps), value=DEFAULTS.cmap, label="색상표 (colormap)",
    ), read=lambda value: {"cmap": choose("colormap", value, DEFAULTS.colormaps)}),
}

def control_order() -> list[str]:
    """The controls' names in the order the panel shows them, row by row (the API takes their values so)."""
    rows: dict[str, list[str]] = {}
    for name, control in CONTROLS.items():
        rows.setdefault(control.row, []).append(name)
    return [name for names in rows.values() for name in names]


def api_values(**chosen: Any) -> tuple:
    """The panel's control values as an API caller sends them (positional, in ``control_order``): the defaults
    (``Settings()`` and the colours of ``moviattn.defaults``) but where ``chosen`` names a control."""
    settings = Settings()
    values = {name: getattr(settings, name) for name in CONTROLS if hasattr(settings, name)}
    values.update({"head": head_value(settings), "scale": DEFAULTS.scale, "cmap": DEFAULTS.cmap, **chosen})
    return tuple(values[name] for name in control_order())


_CHOICE_FIELDS = {f.name for f in fields(PanelChoice)} - {"settings"}
_SETTINGS_FIELDS = {f.name for f in fields(Settings)}


def read_choice(controls: Mapping[str, Any]) -> PanelChoice:
    """The choice asked for by control values, by name: each checked against its limit and its table first (an
    API caller can send anything); a control left out keeps its default, an unknown name is refused."""
    check_all("choice", list(controls.values()))
    unknown = sorted(set(controls) - set(CONTROLS))
    if unknown:
        raise ValueError(f"unknown controls {', '.join(unknown)}; the panel's are {', '.join(CONTROLS)}")
    chosen: dict[str, Any] = {}
    for name, value in controls.items():
        read = CONTROLS[name].read
        chosen.update(read(value) if read is not None else {name: value})
    settings = {name: _typed(name, value) for name, value in chosen.items() if name in _SETTINGS_FIELDS}
    return PanelChoice(replace(_SETTINGS, **settings), **{name: value for name, value in chosen.items() if name in _CHOICE_FIELDS})


def _typed(name: str, value: Any) -> Any:
    """A setting's value in its default's type: whole numbers for indices, a bool for switches."""
    default = getattr(_SETTINGS, name)
    if isinstance(default, bool):
        return bool(value)
    return whole_number(name, value) if isinstance(default, int) else value


class SettingsPanel:
    """The accordion of controls (``controls``, by name) and the model switch."""

    def __init__(self, state: AppState, model: LoadedModel, banner: gr.HTML):
        self.state = state
        self.model_state = gr.State(state.default_model)
        #: The components of ``CONTROLS`` by name, in the order the panel shows them.
        self.controls: dict[str, Any] = {}
        order = control_order()
        with gr.Accordion("설정 (settings) — 기본값으로 바로 볼 수 있습니다", open=False):
            with gr.Row():
                # the model that runs: the offline one's name where the default fell back to it
                self.model_box = gr.Textbox(
                    value=model.name if model.notice else state.default_model, label=f"모델 (model: {', '.join(state.model_names())})",
                    scale=3, max_length=LIMITS["model_name"].chars,
                )
                model_button = gr.Button("모델 바꾸기 (load)", scale=1)
            for row in dict.fromkeys(CONTROLS[name].row for name in order):
                with gr.Row():
                    for name in (n for n in order if CONTROLS[n].row == row):
                        self.controls[name] = CONTROLS[name].make(model)
        layer_agg, layer, last_k, head = (self.controls[n] for n in ("layer_agg", "layer", "last_k", "head"))
        layer_agg.change(
            lambda agg: tuple(gr.update(interactive=used) for used in sliders_in_use(agg)), layer_agg, [layer, last_k],
            api_visibility="private", concurrency_limit=None,
        )
        model_button.click(
            self.switch_model, [self.model_box, self.model_state], [self.model_state, banner, layer, last_k, head],
            api_name="switch_model", concurrency_id="model", concurrency_limit=1,
        )

    @property
    def inputs(self) -> list[Any]:
        """The controls as a listener's trailing inputs, in the order the panel shows them (the API's order)."""
        return list(self.controls.values())

    def takes_controls(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """``handler`` as a listener of ``[*leading, *inputs]``: it is called with the leading values and then
        the controls' values as one mapping by name."""
        names = list(self.controls)

        def listener(*args: Any, **kwargs: Any) -> Any:  # not functools.wraps: Gradio reads a wrapped signature
            leading, values = args[: len(args) - len(names)], args[len(args) - len(names):]
            return handler(*leading, dict(zip(names, values, strict=True)), **kwargs)

        return listener

    def switch_model(self, name: str, current: str) -> tuple:
        """Load another model; on failure keep the current one and say why."""
        try:
            model = self.state.model(name)
        except USER_ERRORS as exc:
            model = self.state.model(current)
            return current, self.state.banner(model) + warning_html(user_message(exc)), gr.update(), gr.update(), gr.update()
        return name.strip(), self.state.banner(model), *model_controls(model.num_layers, model.num_heads)


def model_controls(num_layers: int, num_heads: int) -> tuple:
    """Layer slider, last-k slider and head list sized for a model."""
    return (
        gr.update(minimum=-num_layers, maximum=num_layers - 1, value=_SETTINGS.layer),
        gr.update(minimum=1, maximum=num_layers, value=min(_SETTINGS.last_k, num_layers)),
        gr.update(choices=head_choices(num_heads), value=head_value(_SETTINGS)),
    )
