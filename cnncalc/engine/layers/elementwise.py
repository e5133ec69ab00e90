"""Layers that keep the shape: dropout and the activations (SPEC §2)."""

from __future__ import annotations

from ..options import Option
from .base import Layer, register


@register
class Dropout(Layer):
    type = "dropout"
    OPTIONS = {"rate": Option("rate", 0.5)}

    def describe(self) -> str:
        return f"dropout {self.rate:g}"


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
]
