"""What autograd keeps for backward, per layer type: one table keyed by canonical type name.

The rules are PyTorch's (CPU, training mode, torchvision's in-place activations), checked
against tests/golden/training.json for every built-in. A rule lists what one row keeps:

  INPUT / OUTPUT   the storage its input / output lives in (shared: counted once overall)
  INPUTS           the storages of every input (multiply)
  Floats(n)        n float elements of its own per sample (a mask, a copy)
  Int64(n)         n int64 elements per sample (max-pool indices)
  BatchFloats(n)   n float elements once per batch (batchnorm's saved mean and 1/std)

Types missing from the table keep their input (the common case, and never an undercount
of zero); `rule_for` says so through `known`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .analysis import Row
from .shapes import numel

INPUT = "input"
OUTPUT = "output"
INPUTS = "inputs"


@dataclass(frozen=True)
class Floats:
    per_sample: int


@dataclass(frozen=True)
class Int64:
    per_sample: int


@dataclass(frozen=True)
class BatchFloats:
    count: int


Kept = str | Floats | Int64 | BatchFloats
Rule = Callable[[Row], list[Kept]]

# Layers whose output is written over their input (torchvision builds them inplace=True)
# and layers whose output is a view of their input: no new storage.
IN_PLACE = frozenset({"relu", "leakyrelu", "elu", "relu6", "silu", "hardswish"})
VIEWS = frozenset({"flatten", "identity", "split", "slice"})
# The layers whose input autocast casts to 16 bits (amp), and whose MACs have a backward.
MATMUL_TYPES = frozenset({"conv", "convtranspose", "dense"})


def _channels(row: Row) -> int:
    return row.input[-1]


def _positions(row: Row) -> int:
    return numel(row.input) // row.input[-1]


def _lrn(row: Row) -> list[Kept]:
    padded = _positions(row) * (row.input[-1] + row.layer.size - 1)
    return [INPUT, Floats(padded + 2 * numel(row.input))]


def _nothing(row: Row) -> list[Kept]:
    return []


def _input(row: Row) -> list[Kept]:
    return [INPUT]


def _output(row: Row) -> list[Kept]:
    return [OUTPUT]


def _input_copy(row: Row) -> list[Kept]:
    """In place, but backward needs the input the layer overwrote: autograd keeps a copy of
    it and not the output (measured: MobileNet-v2's last ReLU6 keeps one 7×7×1280 tensor)."""
    return [Floats(numel(row.input))]


def _global_pool(row: Row) -> list[Kept]:
    """A pool to 1×1 is lowered to a mean (average: keeps nothing) or a max over the map."""
    if row.output[:-1] != (1,) * (len(row.output) - 1):
        return [INPUT]
    return [] if "avg" in row.type else [INPUT, Int64(numel(row.output))]


SAVED_RULES: dict[str, Rule] = {
    "conv": _input, "convtranspose": _input, "dense": _input, "layerscale": _input,
    "batchnorm": lambda row: [INPUT, BatchFloats(4 * _channels(row))],
    "instancenorm": lambda row: [INPUT, Floats(2 * _channels(row))],
    "groupnorm": lambda row: [INPUT, Floats(2 * row.layer.groups)],
    "layernorm": lambda row: [INPUT, Floats(2 * _positions(row))],
    "relu": _output, "leakyrelu": _output, "elu": _output,
    "relu6": _input_copy, "silu": _input_copy, "hardswish": _input_copy,
    "sigmoid": _output, "tanh": _output, "softmax": _output, "logsoftmax": _output,
    "gelu": _input, "prelu": _input, "selu": _input, "softplus": _input, "mish": _input,
    "hardsigmoid": _input,
    "maxpool": lambda row: [INPUT, Int64(numel(row.output))],
    "avgpool": _input,
    "adaptiveavgpool": _global_pool, "adaptivemaxpool": _global_pool,
    "globalavgpool": _nothing,
    "globalmaxpool": lambda row: [INPUT, Int64(numel(row.output))],
    "lppool": lambda row: [Floats(2 * numel(row.input) + 4 * numel(row.output))],
    "lrn": _lrn,
    "dropout": lambda row: [Floats(numel(row.input))],
    # one noise float per sample; at rate 0 StochasticDepth returns its input untouched
    # (ConvNeXt's first block: golden training.json is 4 B/sample lower with this)
    "droppath": lambda row: [Floats(1)] if row.layer.rate > 0 else [],
    "multiply": lambda row: [INPUTS],
    "add": _nothing, "concat": _nothing, "split": _nothing, "slice": _nothing,
    "flatten": _nothing, "zeropad": _nothing, "crop": _nothing, "upsample": _nothing,
    "channelshuffle": _nothing, "pixelshuffle": _nothing, "pixelunshuffle": _nothing,
    "identity": _nothing,
}


def rule_for(type_name: str) -> tuple[Rule, bool]:
    """The row type's rule and whether the table knows it (else: keeps its input)."""
    rule = SAVED_RULES.get(type_name)
    return (rule, True) if rule is not None else (_input, False)


def kept_text(row: Row) -> str:
    """What the row's rule keeps, in words: 'input + 256 stats floats'."""
    words = []
    for kept in rule_for(row.type)[0](row):
        if isinstance(kept, Floats):
            words.append(f"{kept.per_sample:,} floats")
        elif isinstance(kept, Int64):
            words.append("int64 indices")
        elif isinstance(kept, BatchFloats):
            words.append(f"{kept.count:,} stats")
        else:
            words.append(kept)
    return " + ".join(words) or "nothing"
