"""Layers that keep the shape: dropout, drop-path and the activations (SPEC §2, §7)."""

from __future__ import annotations

from ..options import Option
from ..shapes import Shape, channels, numel
from .base import Counts, Layer, register


@register
class Dropout(Layer):
    type = "dropout"
    OPTIONS = {"rate": Option("rate", 0.5)}

    def describe(self) -> str:
        return f"dropout {self.rate:g}"


@register
class DropPath(Layer):
    """Stochastic depth: drops a whole sample's residual branch in training, identity in
    inference; no parameters."""

    type = "droppath"
    aliases = ("stochasticdepth", "drop_path")
    OPTIONS = {"rate": Option("rate", 0.0)}

    def describe(self) -> str:
        return f"droppath {self.rate:g}"


class Activation(Layer):
    """An elementwise nonlinearity; also usable as another layer's `activation:`."""

    is_activation = True


def _activation(type_name: str, *aliases: str, in_place: bool = False,
                **options: Option) -> type[Activation]:
    return register(type(type_name.capitalize(), (Activation,),
                         {"type": type_name, "aliases": aliases, "OPTIONS": options,
                          "in_place": in_place}))


ACTIVATION_TYPES = [
    _activation("relu", in_place=True), _activation("relu6", in_place=True),
    _activation("leakyrelu", "leaky_relu", slope=Option("number", 0.01)),
    _activation("elu"), _activation("gelu"), _activation("tanh"), _activation("sigmoid"),
    _activation("softmax"), _activation("identity"),
    # SPEC §7. torchvision builds SiLU and Hardswish with inplace=True (EfficientNet,
    # MobileNet-v3); the others allocate.
    _activation("silu", "swish", in_place=True), _activation("hardswish", in_place=True),
    _activation("hardsigmoid"), _activation("mish"), _activation("selu"),
    _activation("softplus"), _activation("logsoftmax"),
]


@register
class PReLU(Activation):
    """Leaky ReLU with a learned slope: one for all channels (PyTorch's default) or one per
    channel; the slopes are parameters."""

    type = "prelu"
    takes_activation = True  # parametrised (SPEC §7), odd as it is to follow it with another
    OPTIONS = {"channels": Option("choice", "one", choices=("one", "all"))}

    def counts(self, shape: Shape, out: Shape) -> Counts:
        slopes = channels(shape) if self.channels == "all" else 1
        return Counts(extra_params=slopes, connections=numel(out))

    def describe(self) -> str:
        return "prelu" + (" per channel" if self.channels == "all" else "")
