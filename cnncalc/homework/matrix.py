"""`apply`: run one conv or pooling operation on a small numeric matrix, like a paper exercise.

Matrices come from a literal (`[[1,3],[2,9]]`, several channels `[[[..]],[[..]]]`) or a file
of whitespace-separated rows (a blank line starts the next channel). The literal is read by
a small tokenizer, never eval, with size limits. The numbers are computed by the NumPy
reference kernels (cnncalc/reference/ops.py); numpy is imported only when `apply` runs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.fit import AxisFit
from ..engine.layers import AvgPool, Conv, Layer, MaxPool
from ..engine.shapes import numel, with_spatial
from ..engine.text import format_number
from ..errors import CnnCalcError
from ..limits import APPLY_INPUT_BYTES, APPLY_INPUT_NUMBERS, APPLY_OUTPUT

STEP_COUNT = 3  # how many outputs --steps writes out term by term
TOKEN = re.compile(r"\s*(?:(\[)|(\])|(,)|([+\-−]?(?:\d+\.?\d*|\.\d+)(?:[eE][+\-]?\d+)?))")
OPERATIONS = ("conv", "maxpool", "avgpool")


class MatrixError(CnnCalcError):
    """A matrix literal or file that cannot be read, or that does not suit the operation."""


@dataclass
class Matrix:
    """Nested lists of floats with their dimensions, e.g. dims (C, H, W)."""

    values: list
    dims: tuple[int, ...]


def parse_literal(text: str, what: str = "matrix", max_depth: int = 4) -> Matrix:
    """'[[1, 2], [3, 4]]' → Matrix; commas may be left out between numbers."""
    if len(text.encode("utf-8", "surrogatepass")) > APPLY_INPUT_BYTES.value:
        raise APPLY_INPUT_BYTES.error(f"{what}: the literal")
    stack: list[list] = []
    result = None
    count, position, previous = 0, 0, ""
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            bad = text[position:].lstrip()[:12]
            raise MatrixError(f"{what}: cannot read {bad!r} at character {position + 1}; write "
                              "numbers inside brackets, e.g. [[1, 3], [2, 9]]")
        position = match.end()
        opening, closing, comma, number = match.groups()
        if result is not None:
            raise MatrixError(f"{what}: text after the closing bracket at character {position}")
        if opening:
            if len(stack) == max_depth:
                raise MatrixError(f"{what}: nested deeper than {max_depth} levels")
            stack.append([])
        elif closing:
            if not stack:
                raise MatrixError(f"{what}: ']' without '[' at character {position}")
            done = stack.pop()
            if stack:
                stack[-1].append(done)
            else:
                result = done
        elif comma:
            if previous not in ("number", "close"):
                raise MatrixError(f"{what}: misplaced comma at character {position}")
        else:
            if not stack:
                raise MatrixError(f"{what}: numbers must be inside brackets, e.g. [[{number}]]")
            count += 1
            if count > APPLY_INPUT_NUMBERS.value:
                raise APPLY_INPUT_NUMBERS.error(what)
            stack[-1].append(float(number.replace("−", "-")))
        previous = "open" if opening else "close" if closing else "comma" if comma else "number"
    if result is None:
        raise MatrixError(f"{what}: unbalanced brackets; write e.g. [[1, 3], [2, 9]]")
    return Matrix(result, _dims(result, what))


def _dims(values, what: str) -> tuple[int, ...]:
    """The dimensions of a rectangular nested list; ragged rows are an error."""
    dims = []
    level = values
    while isinstance(level, list):
        if not level:
            raise MatrixError(f"{what}: empty brackets")
        dims.append(len(level))
        level = level[0]
    frontier = [values]
    for depth, size in enumerate(dims):
        for item in frontier:
            if not isinstance(item, list) or len(item) != size:
                got = len(item) if isinstance(item, list) else "a number"
                raise MatrixError(f"{what}: rows must all have the same length: expected {size} "
                                  f"entries at level {depth + 1}, found {got}")
        frontier = [child for item in frontier for child in item]
    if any(isinstance(item, list) for item in frontier):
        raise MatrixError(f"{what}: mixes numbers and lists at the same level")
    return tuple(dims)


def parse_rows(text: str, what: str) -> Matrix:
    """Whitespace-separated rows; a blank line starts a new channel; '#' starts a comment."""
    channels: list[list[list[float]]] = [[]]
    count = 0
    for line in text.splitlines():
        line = line.split("#", 1)[0].replace(",", " ").strip()
        if not line:
            if channels[-1]:
                channels.append([])
            continue
        row = []
        for word in line.split():
            if not re.fullmatch(r"[+\-−]?(?:\d+\.?\d*|\.\d+)(?:[eE][+\-]?\d+)?", word):
                raise MatrixError(f"{what}: {word!r} is not a number")
            row.append(float(word.replace("−", "-")))
        count += len(row)
        if count > APPLY_INPUT_NUMBERS.value:
            raise APPLY_INPUT_NUMBERS.error(what)
        channels[-1].append(row)
    channels = [channel for channel in channels if channel]
    if not channels:
        raise MatrixError(f"{what}: the file holds no numbers")
    values = channels if len(channels) > 1 else channels[0]
    return Matrix(values, _dims(values, what))


def read_matrix(source: str, what: str) -> Matrix:
    """A literal when it starts with '[', else a file path."""
    if source.lstrip().startswith("["):
        return parse_literal(source, what)
    path = Path(source)
    if not path.is_file():
        raise MatrixError(f"{what}: {source!r} is neither a matrix literal like [[1, 3], [2, 9]] "
                          "nor a file")
    if path.stat().st_size > APPLY_INPUT_BYTES.value:
        raise APPLY_INPUT_BYTES.error(f"{what}: {source}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MatrixError(f"{what}: cannot read {source}: {error}") from None
    return parse_literal(text, what) if text.lstrip().startswith("[") else parse_rows(text, what)


@dataclass
class Applied:
    """The result of `apply`: the output channels and how the first entries arise."""

    operation: str
    input_dims: tuple[int, int, int]  # (C, H, W)
    window: str  # '3×3 filter' or '2×2 window'
    sizes: list[str]  # the output-size formula per axis
    output: list  # (K, Ho, Wo) nested lists of floats
    steps: list[str] = field(default_factory=list)


def _as_chw(matrix: Matrix, what: str) -> list:
    if len(matrix.dims) == 2:
        return [matrix.values]
    if len(matrix.dims) == 3:
        return matrix.values
    raise MatrixError(f"{what} must be a matrix [[..]] or a list of channels [[[..]], [[..]]], "
                      f"got {len(matrix.dims)} levels of brackets")


def _conv_weight(matrix: Matrix, channels: int) -> list:
    """A filter as (K, C, Fh, Fw): one matrix per input channel, or a list of such filters."""
    if len(matrix.dims) == 2:
        weight = [[matrix.values]]
    elif len(matrix.dims) == 3:
        weight = [matrix.values]
    else:
        weight = matrix.values
    if len(weight[0]) != channels:
        raise MatrixError(f"the filter has {len(weight[0])} channel(s) but the input has "
                          f"{channels}; give one Fh×Fw matrix per input channel, "
                          "[[[..]], [[..]]]")
    return weight


def _bounded(out_shape: tuple[int, ...], chw: tuple[int, ...], padding: int) -> None:
    """Refuse, before any array exists, an output or a padded input beyond APPLY_OUTPUT."""
    channels, height, width = chw
    padded = channels * (height + 2 * padding) * (width + 2 * padding)
    for count in (numel(out_shape), padded):
        if count > APPLY_OUTPUT.value:
            raise APPLY_OUTPUT.error(count)


def apply(operation: str, input: Matrix, filter: Matrix | int, stride: int | None = None,
          padding: int = 0, bias: float | None = None, steps: bool = False,
          ceil_mode: bool = False) -> Applied:
    """Apply conv (filter: a matrix) or a pool (filter: the window size) to `input`."""
    import numpy as np

    from ..reference import ops

    x = np.array(_as_chw(input, "the input"), dtype=np.float64)
    channels, height, width = x.shape
    pad4 = (padding,) * 4
    if operation == "conv":
        if isinstance(filter, int):
            raise MatrixError("conv needs --filter as a matrix, e.g. [[1, 0, -1], [1, 0, -1]]")
        weight = np.array(_conv_weight(filter, channels), dtype=np.float64)
        kernel = weight.shape[2:]
        stride = 1 if stride is None else stride
        layer: Layer = Conv("conv", filters=weight.shape[0], kernel=kernel,
                            stride=(stride, stride), padding=pad4, dilation=(1, 1), groups=1,
                            depthwise=False, bias=bias is not None)
        # the same errors as a spec would give, and no output too large to compute:
        _bounded(layer.output_shape(with_spatial((height, width), channels)), x.shape, padding)
        bias_array = None if bias is None else np.full(weight.shape[0], bias)
        out = ops.conv2d(x, weight, bias_array, stride=(stride, stride), padding=pad4)
        window = f"{kernel[0]}×{kernel[1]} filter" + (f" ×{weight.shape[0]}"
                                                      if weight.shape[0] > 1 else "")
    elif operation in ("maxpool", "avgpool"):
        if not isinstance(filter, int):
            raise MatrixError(f"{operation} needs --filter as the window size, e.g. 2")
        kernel = (filter, filter)
        stride = filter if stride is None else stride
        cls = MaxPool if operation == "maxpool" else AvgPool
        layer = cls(operation, kernel=kernel, stride=(stride, stride), padding=pad4,
                    ceil_mode=ceil_mode)
        _bounded(layer.output_shape(with_spatial((height, width), channels)), x.shape, padding)
        pool = ops.max_pool2d if operation == "maxpool" else ops.avg_pool2d
        out = pool(x, kernel, (stride, stride), pad4, ceil_mode)
        weight = None
        window = f"{filter}×{filter} window"
    else:
        raise MatrixError(f"unknown operation {operation!r}; choose {', '.join(OPERATIONS)}")
    axes = layer.axis_fits(with_spatial((height, width), channels))
    sizes = [f"{axis.formula()} = {_size(axis)}" for axis in axes]
    applied = Applied(operation, (channels, height, width), window, sizes, out.tolist())
    if steps:
        applied.steps = _steps(operation, x, weight, kernel, bias, (stride, stride), padding,
                               out)
    return applied


def _size(axis: AxisFit) -> str:
    text = format_number(axis.quotient)
    return text if axis.exact else f"{text}, floored to {math.floor(axis.quotient)}"


def number(value: float, minus: str = "−") -> str:
    """3.0 → '3', -1.0 → '−1', 0.3333333 → '0.333333'."""
    if math.isinf(value):
        return f"{minus}∞" if value < 0 else "∞"
    text = f"{value:.6g}"
    if text in ("-0", "0"):
        return "0"
    return text.replace("-", minus)


def _steps(operation: str, x, weight, kernel: tuple[int, int], bias: float | None,
           stride: tuple[int, int], padding: int, out) -> list[str]:
    """The first outputs of channel 1 written out term by term (z11 = 1·0 + 5·1 + …)."""
    import numpy as np

    # Max pooling pads with −∞ (PyTorch), everything else with zeros.
    fill = -np.inf if operation == "maxpool" else 0.0
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)), constant_values=fill)
    kh, kw = kernel
    wide = max(out.shape[1:]) > 9
    lines = []
    for index in range(min(STEP_COUNT, out.shape[1] * out.shape[2])):
        row, col = divmod(index, out.shape[2])
        name = f"z[{row + 1},{col + 1}]" if wide else f"z{row + 1}{col + 1}"
        top, left = row * stride[0], col * stride[1]
        value = number(out[0, row, col])
        if weight is not None:
            patch = xp[:, top:top + kh, left:left + kw]
            terms = [f"{_factor(a)}·{_factor(b)}"
                     for a, b in zip(patch.ravel(), weight[0].ravel(), strict=True)]
            if bias is not None:
                terms.append(f"{_factor(bias)} (bias)")
            lines.append(f"{name} = {' + '.join(terms)} = {value}")
            continue
        cells = [number(v) for v in xp[0, top:top + kh, left:left + kw].ravel()]
        if operation == "maxpool":
            lines.append(f"{name} = max({', '.join(cells)}) = {value}")
        else:
            lines.append(f"{name} = ({' + '.join(cells)})/{len(cells)} = {value}")
    return lines


def _factor(value: float) -> str:
    text = number(float(value))
    return f"({text})" if text.startswith("−") else text


def literal(values) -> str:
    """Nested lists of floats → '[[9, 4], [6, 3]]', ready to paste into the next --input."""
    if isinstance(values, list):
        return "[" + ", ".join(literal(item) for item in values) + "]"
    return number(values, minus="-")
