"""Flatten and dense (fully connected) layers (SPEC §2)."""

from __future__ import annotations

from ..options import Option
from ..shapes import Shape, is_spatial, numel, shape_str
from .base import Counts, Layer, Step, register, whole_map


@register
class Flatten(Layer):
    type = "flatten"

    def output_shape(self, shape: Shape) -> Shape:
        return (numel(shape),)

    def rf_steps(self, shape: Shape) -> list[Step]:
        return whole_map(shape)


@register
class Dense(Layer):
    type = "dense"
    aliases = ("fc", "linear")
    takes_activation = True
    OPTIONS = {"units": Option("int1", required=True), "bias": Option("bool", True)}

    def output_shape(self, shape: Shape) -> Shape:
        return (self.units,)

    def counts(self, shape: Shape, out: Shape) -> Counts:
        inputs = numel(shape)
        return Counts(weights=inputs * self.units, biases=self.units if self.bias else 0,
                      connections=self.units * (inputs + (1 if self.bias else 0)),
                      macs=inputs * self.units)

    def rf_steps(self, shape: Shape) -> list[Step]:
        return whole_map(shape)

    def notes(self, shape: Shape) -> list[str]:
        if is_spatial(shape):
            return [f"flattens {shape_str(shape, times='×')} → {numel(shape)}"]
        return []

    def describe(self) -> str:
        return f"dense {self.units}"
