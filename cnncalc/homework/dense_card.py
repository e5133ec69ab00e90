"""`cnncalc dense IN --units N`: the answer card of one fully connected layer."""

from __future__ import annotations

from ..engine.layers import Dense
from ..engine.shapes import Shape, is_spatial, numel, shape_str
from .card import Card, Step


def dense_card(shape: Shape, units: int, bias: bool = True) -> Card:
    """Weights in·units, biases, params, neurons, connections units·(in + 1), MACs."""
    layer = Dense("dense", units=units, bias=bias)
    out = layer.output_shape(shape)
    counts = layer.counts(shape, out)
    inputs = numel(shape)
    steps = []
    if is_spatial(shape):
        steps.append(Step("inputs", "·".join(map(str, shape)), f"{inputs:,}",
                          f"flattens {shape_str(shape, times='×')} first"))
    plus = " + 1 bias" if bias else ""
    steps += [Step("output shape", "", str(units)),
              Step("neurons", "", f"{units:,}", "one per unit"),
              Step("weights per neuron", f"{inputs:,}{plus}", f"{inputs + bias:,}",
                   "every input" + (" and a bias" if bias else "")),
              Step("connections", f"{units:,} × {inputs + bias:,}", f"{counts.connections:,}"),
              Step("weights", f"{inputs:,} × {units:,}", f"{counts.weights:,}"),
              Step("biases", "", f"{counts.biases:,}", "one per unit" if bias else "no bias"),
              Step("params", f"({inputs:,} + 1) × {units:,}" if bias else
                   f"{inputs:,} × {units:,}", f"{counts.params:,}"),
              Step("MACs", f"{inputs:,} × {units:,}", f"{counts.macs:,}"),
              Step("FLOPs", f"2 × {counts.macs:,}", f"{2 * counts.macs:,}")]
    title = f"dense {units} unit{'s' if units != 1 else ''} on {shape_str(shape, times='×')}"
    return Card(title, shape, out, steps)
