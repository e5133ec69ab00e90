"""The reference pass over a quiz question: its answer recomputed on real arrays by the
reference kernels (reference/ops), never by the engine's formulas that produced it.

- output sizes: the shape a conv or pool kernel returns on a zero array;
- params: the size of the weight array (K, C, F, F) plus one bias per filter;
- neurons, connections: elements of that output, times the inputs each one reads + bias;
- fit: whether the last input row and column are read (the support of ∂L/∂X with ones);
- receptive field: the support in the input of one output neuron, through every layer;
- backward: ∂L/∂X and ∂L/∂F by perturbing each entry (L = Σ ∂L/∂Z · Z is linear, so a
  unit step gives the derivative exactly).
"""

from __future__ import annotations

import math

from ..errors import CnnCalcError


class QuizMismatch(CnnCalcError):
    """The engine's answer and the reference pass disagree: a cnncalc bug, never printed."""

    exit_code = 3


def _conv_out(size: tuple[int, int], kernel: int, stride: int, padding: int):
    import numpy as np

    from ..reference import ops

    return ops.conv2d(np.zeros((1, *size)), np.ones((1, 1, kernel, kernel)),
                      stride=(stride, stride), padding=(padding,) * 4)


def _reference(question) -> object:
    import numpy as np

    from ..reference import ops
    from .backward import conv_backward

    given = question.given
    if question.topic == "pool":
        height, width, channels = given["input"]
        pool = ops.max_pool2d if given["mode"] == "max" else ops.avg_pool2d
        out = pool(np.zeros((1, height, width)), (given["kernel"],) * 2,
                   (given["stride"],) * 2)
        return f"{out.shape[1]}x{out.shape[2]}x{channels}"
    if question.topic == "rf":
        return _receptive_field(given["layers"])
    if question.topic == "backward":
        return _perturbed(given)
    height, width, channels = given["input"]
    kernel, stride, padding = given["kernel"], given["stride"], given["padding"]
    if question.topic == "fit":
        x = np.zeros((1, height, width))
        read = conv_backward(x, np.ones((1, 1, kernel, kernel)), (stride, stride), padding,
                             np.ones(_conv_out((height, width), kernel, stride,
                                               padding).shape)).grad_input
        # §2: it fits when the last input row and column are read (strides ≤ F here)
        read = np.array(read)[0]
        return bool(read[-1, :].any() and read[:, -1].any())
    out = _conv_out((height, width), kernel, stride, padding)
    filters = given["filters"]
    shape = (out.shape[1], out.shape[2], filters)
    weight_size = math.prod((filters, channels, kernel, kernel))  # the (K, C, F, F) array
    if question.topic == "conv":
        return "x".join(map(str, shape))
    if question.topic == "params":
        return int(weight_size + filters)
    neurons = out.shape[1] * out.shape[2] * filters
    if given["ask"] == "neurons":
        return int(neurons)
    return int(neurons * (weight_size // filters + 1))


def _receptive_field(layers: list[list[int]]) -> int:
    """Forward a large enough zero map through the stack, then route a one-hot gradient at
    output (1, 1) back with all-ones filters: the touched input columns are the field."""
    import numpy as np

    from .backward import conv_backward

    size = 1
    for kernel, stride in reversed(layers):
        size = (size - 1) * stride + kernel
    sizes = [size + 8]
    for kernel, stride in layers:
        sizes.append(_conv_out((kernel, sizes[-1]), kernel, stride, 0).shape[2])
    grad = np.zeros((1, 1, sizes[-1]))
    grad[0, 0, 0] = 1.0
    for (kernel, stride), before in zip(reversed(layers), reversed(sizes[:-1]), strict=True):
        grad = np.array(conv_backward(np.zeros((1, kernel, before)),
                                      np.ones((1, 1, kernel, kernel)), (stride, stride), 0,
                                      grad).grad_input)[:, :1, :]
    return int(np.count_nonzero(grad[0, 0]))


def _perturbed(given: dict) -> list:
    import numpy as np

    from ..reference import ops

    x = np.array([given["input"]], dtype=float)
    w = np.array([[given["filter"]]], dtype=float)
    grad = np.array([given["grad"]], dtype=float)

    def loss(x_, w_) -> float:
        return float(np.sum(grad * ops.conv2d(x_, w_)))

    base = loss(x, w)
    target = w if given["ask"] == "grad_filter" else x
    result = np.zeros(target.shape)
    for index in np.ndindex(target.shape):
        moved = target.copy()
        moved[index] += 1.0
        result[index] = (loss(x, moved) if target is w else loss(moved, w)) - base
    values = result[0, 0] if target is w else result[0]
    return [[int(round(v)) for v in row] for row in values]


def check(question) -> None:
    """Raise QuizMismatch unless the reference pass gives the question's answer."""
    expected = _reference(question)
    if expected != question.answer:
        raise QuizMismatch(f"quiz {question.topic}: the engine answers {question.answer!r} "
                           f"but the reference pass {expected!r} for {question.given}; this is "
                           "a cnncalc bug, please report it")
