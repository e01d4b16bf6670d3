"""The settings panel: model, attention settings and colour controls, shared by the explorer's tabs.

The only code that knows the order of its controls: tabs pass ``panel.controls`` as inputs and
read the values back with ``panel.read``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import gradio as gr

from ..errors import USER_ERRORS, user_message
from ..explorer.plotting import COLOR_SCALES
from ..explorer.reduce import LAYER_AGGREGATORS, MEASURES, NORMALIZATIONS
from ..explorer.settings import GRANULARITIES, Settings
from ..limits import LIMITS, check_all
from ..models import LoadedModel
from ..morphology import ANALYSER_FACTORIES
from ..registry import choose
from .common import warning_html
from .state import AppState

LAYER_AGG_LABELS = {"last_k": "마지막 k개 층 평균 (last k)", "mean": "모든 층 평균 (mean)", "single": "한 층 (single)", "rollout": "롤아웃 (rollout)"}
GRANULARITY_LABELS = {"morpheme": "형태소 (morpheme)", "eojeol": "어절 (eojeol)", "subword": "서브워드 (sub-word)"}
SCALE_LABELS = {"linear": "선형 (linear)", "log": "로그 (log)", "percentile": "백분위 자르기 (1–99% clip)"}
HEAD_CHOICES = {"평균 (mean)": "mean", "최댓값 (max)": "max"}
COLOR_MAPS = ("viridis", "magma", "cividis", "YlOrRd", "Blues", "Greys")
DEFAULT_SCALE = "percentile"
DEFAULT_CMAP = "viridis"


def head_choices(num_heads: int) -> list[tuple[str, str]]:
    """Head control: the mean, the max, or one head by number."""
    return list(HEAD_CHOICES.items()) + [(f"head {h}", str(h)) for h in range(num_heads)]


def head_value(settings: Settings) -> str:
    """The head control's value for a setting (inverse of the mapping in ``settings_from_controls``)."""
    return settings.head_agg if settings.head_agg in HEAD_CHOICES.values() else str(settings.head)


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


def settings_from_controls(
    measure: str, layer_agg: str, layer: int, last_k: int, head: str, normalization: str,
    granularity: str, analyser: str, content_only: bool,
) -> Settings:
    """Settings from the control panel (``head`` is 'mean', 'max' or a head number)."""
    head_agg, head_index = (head, 0) if head in HEAD_CHOICES.values() else ("single", whole_number("head", head))
    return Settings(
        measure=measure, layer_agg=layer_agg, layer=whole_number("layer", layer), last_k=whole_number("last_k", last_k),
        head_agg=head_agg, head=head_index,
        normalization=normalization, granularity=granularity, analyser=analyser, content_only=bool(content_only),
    )


class SettingsPanel:
    """The accordion of controls and the model switch; ``read`` turns its values back into settings."""

    def __init__(self, state: AppState, model: LoadedModel, banner: gr.HTML):
        defaults = Settings()
        self.state = state
        self.model_state = gr.State(state.default_model)
        with gr.Accordion("설정 (settings) — 기본값으로 바로 볼 수 있습니다", open=False):
            with gr.Row():
                # the model that runs: the offline one's name where the default fell back to it
                model_box = gr.Textbox(value=model.name if model.notice else state.default_model, label=f"모델 (model: {', '.join(state.model_names())})", scale=3, max_length=LIMITS["model_name"].chars)
                model_button = gr.Button("모델 바꾸기 (load)", scale=1)
                self.model_box = model_box
            with gr.Row():
                measure = gr.Dropdown(
                    [(m.label, name) for name, m in MEASURES.items()], value=defaults.measure, label="측정 (measure)",
                    info="기울기 측정은 층·헤드 설정을 쓰지 않습니다 (gradient measures ignore layer and head)",
                )
                layer_agg = gr.Radio([(LAYER_AGG_LABELS[k], k) for k in LAYER_AGGREGATORS], value=defaults.layer_agg, label="층 합치기 (layer aggregation)")
                uses_layer, uses_last_k = sliders_in_use(defaults.layer_agg)
                layer = gr.Slider(-model.num_layers, model.num_layers - 1, value=defaults.layer, step=1, label="층 (layer; -1 = 마지막 last)", info="single / rollout", interactive=uses_layer)
                last_k = gr.Slider(1, model.num_layers, value=min(defaults.last_k, model.num_layers), step=1, label="마지막 k개 층 (last k)", info="last k", interactive=uses_last_k)
                head = gr.Dropdown(head_choices(model.num_heads), value=head_value(defaults), label="헤드 (head)")
            with gr.Row():
                normalization = gr.Radio(list(NORMALIZATIONS), value=defaults.normalization, label="정규화 (normalisation)", info="segment: 정보·줄거리 각각 행 합 1")
                granularity = gr.Radio([(GRANULARITY_LABELS[g], g) for g in GRANULARITIES], value=defaults.granularity, label="단위 (unit)")
                analyser = gr.Dropdown(list(ANALYSER_FACTORIES), value=defaults.analyser, label="형태소 분석기 (analyser)")
                content_only = gr.Checkbox(value=defaults.content_only, label="내용어만 (content words only)")
            with gr.Row():
                self.scale = gr.Radio([(SCALE_LABELS[s], s) for s in COLOR_SCALES], value=DEFAULT_SCALE, label="색 스케일 (colour scale)")
                self.cmap = gr.Dropdown(list(COLOR_MAPS), value=DEFAULT_CMAP, label="색상표 (colormap)")
        #: In the order of ``settings_from_controls``' parameters, then scale and colormap.
        self.controls = [measure, layer_agg, layer, last_k, head, normalization, granularity, analyser, content_only, self.scale, self.cmap]
        layer_agg.change(
            lambda agg: tuple(gr.update(interactive=used) for used in sliders_in_use(agg)), layer_agg, [layer, last_k],
            api_visibility="private", concurrency_limit=None,
        )
        model_button.click(
            self.switch_model, [model_box, self.model_state], [self.model_state, banner, layer, last_k, head],
            api_name="switch_model", concurrency_id="model", concurrency_limit=1,
        )

    @staticmethod
    def read(values: Sequence[Any]) -> tuple[Settings, str, str]:
        """Settings, colour scale and colormap from the values of ``controls``, in their order; each checked
        against its limit and its table first (an API caller can send anything)."""
        check_all("choice", list(values))
        *settings_values, scale, cmap = values
        return settings_from_controls(*settings_values), choose("colour scale", scale, COLOR_SCALES), choose("colormap", cmap, COLOR_MAPS)

    @staticmethod
    def colours(args: Sequence[Any]) -> tuple[str, str]:
        """Colour scale and colormap from a handler's arguments, which end with the values of ``controls``."""
        *_, scale, cmap = args
        return scale, cmap

    def switch_model(self, name: str, current: str) -> tuple:
        """Load another model; on failure keep the current one and say why."""
        try:
            model = self.state.model(name)
        except USER_ERRORS as exc:
            model = self.state.model(current)
            return current, self.state.banner(model) + warning_html(user_message(exc)), gr.update(), gr.update(), gr.update()
        return name.strip(), self.state.banner(model), *model_controls(model.num_layers, model.num_heads)


def sliders_in_use(layer_agg: str) -> tuple[bool, bool]:
    """Whether the layer slider and the last-k slider change anything under a layer aggregation."""
    return layer_agg in ("single", "rollout"), layer_agg == "last_k"


def model_controls(num_layers: int, num_heads: int) -> tuple:
    """Layer slider, last-k slider and head list sized for a model."""
    return (
        gr.update(minimum=-num_layers, maximum=num_layers - 1, value=Settings().layer),
        gr.update(minimum=1, maximum=num_layers, value=min(Settings().last_k, num_layers)),
        gr.update(choices=head_choices(num_heads), value=head_value(Settings())),
    )
