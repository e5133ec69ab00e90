"""`cnncalc quiz`: generated exercises in the course's wording, each with its answer and the
worked arithmetic (SPEC §12). A sheet is a function of its seed, so a class gets the same one.

Every answer is computed by the engine (layers, card, receptive field) and checked by the
reference kernels before it is returned (quiz_check.py); a disagreement is a cnncalc bug
and raises instead of printing a wrong key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..engine.fit import AxisFit
from ..engine.receptive import Field
from ..engine.shapes import numel, shape_str
from ..engine.text import format_number
from ..limits import QUIZ_COUNT
from .card import conv_layer, pool_layer
from .quiz_check import check

TOPICS = ("conv", "pool", "params", "connections", "rf", "fit", "backward")
COURSE_INPUTS = [(32, 32, 3), (32, 32, 1), (28, 28, 1), (227, 227, 3), (224, 224, 3),
                 (64, 64, 3), (96, 96, 3), (128, 128, 3), (55, 55, 96), (27, 27, 256),
                 (13, 13, 384), (14, 14, 512), (56, 56, 64), (16, 16, 8)]
FILTER_COUNTS = (4, 6, 8, 10, 16, 32, 64, 96, 128, 256)


@dataclass
class Question:
    """One exercise: what is asked, the numbers it is about, the answer and how it arises."""

    topic: str
    question: str
    given: dict
    answer: object  # an int, a 'HxWxC' string, a bool or a matrix (nested lists)
    working: list[str] = field(default_factory=list)

    @property
    def answer_text(self) -> str:
        value = self.answer
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, list):
            return "[" + ", ".join("[" + ", ".join(format_number(v) for v in row) + "]"
                                   for row in value) + "]"
        return str(value).replace("x", "×")


@dataclass
class Sheet:
    seed: int
    topic: str
    questions: list[Question]


def _shape(shape) -> str:
    return shape_str(shape, times="×")


def _conv_setting(rng: random.Random, fitting: bool = True):
    """An input and a conv layer in the course's range; `fitting`: the division is exact."""
    while True:
        shape = rng.choice(COURSE_INPUTS)
        kernel = rng.choice((1, 3, 3, 5, 5, 7, 11))
        stride = rng.choice((1, 1, 1, 2, 2, 4))
        padding = rng.choice((0, 0, kernel // 2, min(1, kernel // 2), min(2, kernel // 2)))
        room = shape[0] + 2 * padding - kernel
        # a stride above the kernel skips rows between windows: not an exercise to set
        if room >= 0 and stride <= kernel and (not fitting or room % stride == 0):
            return shape, kernel, stride, padding, rng.choice(FILTER_COUNTS)


def _size_line(axis: AxisFit) -> str:
    return f"{axis.formula()} = {format_number(axis.quotient)}"


def conv_question(rng: random.Random) -> Question:
    shape, kernel, stride, padding, filters = _conv_setting(rng)
    layer = conv_layer(filters, kernel, stride, padding)
    out = layer.output_shape(shape)
    return Question(
        "conv", f"An input volume of {_shape(shape)} is fed to a conv layer with {filters} "
        f"filters of size {kernel}×{kernel}, stride {stride} and zero padding {padding}. "
        "What is the size of the output volume?",
        dict(input=list(shape), filters=filters, kernel=kernel, stride=stride,
             padding=padding), shape_str(out),
        [f"output size: {_size_line(layer.axis_fits(shape)[0])}",
         f"depth: one feature map per filter = {filters}", f"output: {_shape(out)}"])


def pool_question(rng: random.Random) -> Question:
    while True:
        shape = rng.choice(COURSE_INPUTS)
        kernel, stride = rng.choice(((2, 2), (2, 2), (3, 2), (3, 3), (3, 1), (4, 4)))
        if (shape[0] - kernel) % stride == 0:
            break
    mode = rng.choice(("max", "avg"))
    layer = pool_layer(kernel, stride, 0, mode)
    out = layer.output_shape(shape)
    kind = "An average" if mode == "avg" else "A max"
    return Question(
        "pool", f"{kind} pooling layer with a {kernel}×{kernel} window and stride {stride} is "
        f"applied to a {_shape(shape)} volume. What is the output volume size?",
        dict(input=list(shape), kernel=kernel, stride=stride, mode=mode), shape_str(out),
        [f"output size: {_size_line(layer.axis_fits(shape)[0])}",
         f"pooling keeps the depth: {shape[2]}", f"output: {_shape(out)}"])


def params_question(rng: random.Random) -> Question:
    shape, kernel, stride, padding, filters = _conv_setting(rng)
    layer = conv_layer(filters, kernel, stride, padding)
    counts = layer.counts(shape, layer.output_shape(shape))
    per = kernel * kernel * shape[2]
    return Question(
        "params", f"A conv layer takes a {_shape(shape)} input and has {filters} filters of "
        f"size {kernel}×{kernel} (stride {stride}, padding {padding}), each with a bias. How "
        "many parameters does it have?",
        dict(input=list(shape), filters=filters, kernel=kernel, stride=stride,
             padding=padding), counts.params,
        [f"weights per filter: {kernel}·{kernel}·{shape[2]} = {per:,}",
         f"params: ({per:,} + 1 bias) × {filters} = {counts.params:,}"])


def connections_question(rng: random.Random) -> Question:
    shape, kernel, stride, padding, filters = _conv_setting(rng)
    layer = conv_layer(filters, kernel, stride, padding)
    out = layer.output_shape(shape)
    counts = layer.counts(shape, out)
    per = kernel * kernel * shape[2]
    ask = rng.choice(("neurons", "connections"))
    working = [f"output: {_size_line(layer.axis_fits(shape)[0])} → {_shape(out)}",
               f"neurons: {'·'.join(map(str, out))} = {numel(out):,}"]
    if ask == "connections":
        working.append(f"connections: {numel(out):,} × ({kernel}·{kernel}·{shape[2]} + 1) = "
                       f"{numel(out):,} × {per + 1:,} = {counts.connections:,}")
    wording = ("how many neurons does this layer have" if ask == "neurons" else
               "how many connections does it have (each neuron connects to its inputs and a "
               "bias)")
    return Question(
        "connections", f"A {_shape(shape)} input goes through {filters} filters of size "
        f"{kernel}×{kernel} with stride {stride} and padding {padding}: {wording}?",
        dict(input=list(shape), filters=filters, kernel=kernel, stride=stride,
             padding=padding, ask=ask),
        numel(out) if ask == "neurons" else counts.connections, working)


def rf_question(rng: random.Random) -> Question:
    stack = [(rng.choice((3, 3, 5, 2, 7)), rng.choice((1, 1, 2))) for _ in range(rng.randint(2, 4))]
    words = ", then ".join(f"{k}×{k} stride {s}" for k, s in stack)
    result = Field()
    working = []
    for kernel, stride in stack:
        before = result
        result = result.after([((kernel, stride, 0), (kernel, stride, 0))])
        working.append(f"rf = {format_number(before.rf[0])} + ({kernel} − 1)·"
                       f"{format_number(before.jump[0])} = {format_number(result.rf[0])}, "
                       f"jump {format_number(before.jump[0])}·{stride} = "
                       f"{format_number(result.jump[0])}")
    rf = int(result.rf[0])
    return Question(
        "rf", f"Layers applied in order: {words} (no padding, no dilation). What is the "
        "receptive field of one output neuron, in input pixels per side?",
        dict(layers=[list(pair) for pair in stack]), rf, working)


def fit_question(rng: random.Random) -> Question:
    shape, kernel, stride, padding, filters = _conv_setting(rng, fitting=False)
    layer = conv_layer(filters, kernel, stride, padding)
    axis = layer.axis_fits(shape)[0]
    working = [_size_line(axis),
               "exact: it fits" if axis.exact else
               "only padding is left after the last window: it still fits" if axis.fits
               else f"{axis.remainder} row(s) left after the last window, real input "
               "never read: it does not fit"]
    return Question(
        "fit", f"Do {filters} filters of {kernel}×{kernel} with stride {stride} and padding "
        f"{padding} fit a {_shape(shape)} input (every input row read, the division exact or "
        "only padding left over)?",
        dict(input=list(shape), kernel=kernel, stride=stride, padding=padding), axis.fits,
        working)


def backward_question(rng: random.Random) -> Question:
    import numpy as np

    from .backward import conv_backward

    x = [[rng.randint(-3, 5) for _ in range(3)] for _ in range(3)]
    w = [[rng.randint(-2, 3) for _ in range(2)] for _ in range(2)]
    grad = [[rng.randint(-2, 2) for _ in range(2)] for _ in range(2)]
    ask = rng.choice(("grad_filter", "grad_input"))
    result = conv_backward(np.array([x], float), np.array([[w]], float), (1, 1), 0,
                           np.array([grad], float), steps=True)
    values = result.grad_filter[0][0] if ask == "grad_filter" else result.grad_input[0]
    answer = [[int(v) for v in row] for row in values]
    what = "∂L/∂F" if ask == "grad_filter" else "∂L/∂X"
    how = ("∂L/∂F = X correlated with ∂L/∂Z: ∂L/∂f_ab = Σ ∂L/∂z_ij · x_(i+a−1)(j+b−1)"
           if ask == "grad_filter" else
           "∂L/∂X = full convolution of ∂L/∂Z with F: pad ∂L/∂Z by 1, correlate with F "
           "turned 180°")
    return Question(
        "backward", f"A 3×3 input X = {x} is convolved (cross-correlation, stride 1, no "
        f"padding) with the 2×2 filter F = {w}. Given ∂L/∂Z = {grad}, compute {what}.",
        dict(input=x, filter=w, grad=grad, ask=ask), answer,
        [how, *[line for line in result.steps if line.startswith(f"∂L/∂{what[-1].lower()}")],
         "…", f"{what} = {answer}"])


MAKERS = {"conv": conv_question, "pool": pool_question, "params": params_question,
          "connections": connections_question, "rf": rf_question, "fit": fit_question,
          "backward": backward_question}


def quiz(topic: str = "mixed", count: int = 10, seed: int | None = None) -> Sheet:
    """`count` questions on `topic`, reproducible from `seed` (drawn when None)."""
    if count > QUIZ_COUNT.value:
        raise QUIZ_COUNT.error(count)
    if seed is None:
        seed = random.SystemRandom().randrange(10**6)
    rng = random.Random(seed)
    questions = []
    for _ in range(count):
        chosen = rng.choice(TOPICS) if topic == "mixed" else topic
        question = MAKERS[chosen](rng)
        check(question)
        questions.append(question)
    return Sheet(seed, topic, questions)
