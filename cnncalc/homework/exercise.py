"""`apply` with everything the handout asks of one layer: the forward result (matrix.py),
and on request the true (flipped) convolution, the backward pass, the symbolic formulas
and the im2col product.
"""

from __future__ import annotations

from dataclasses import dataclass

from .backward import Backward, conv_backward, gradient, pool_backward
from .im2col import Im2col, im2col
from .matrix import Applied, Matrix, MatrixError, _as_chw, _conv_weight, apply
from .symbolic import Symbolic, symbolic

CORRELATION = "cross-correlation, as every framework's conv (--flip: true convolution)"
TRUE_CONVOLUTION = "true convolution: the filter turned 180° (--flip), then slid"


@dataclass
class Exercise:
    """One `apply` run: the forward result and whatever else was asked for."""

    applied: Applied
    computes: str  # what 'conv' means here, stated for the student
    backward: Backward | None = None
    symbolic: Symbolic | None = None
    im2col: Im2col | None = None


def flipped(filter: Matrix) -> Matrix:
    """The filter turned 180° in its last two dimensions (rows and columns reversed)."""
    def turn(values, depth: int):
        if depth == 2:
            return [row[::-1] for row in values[::-1]]
        return [turn(item, depth - 1) for item in values]

    return Matrix(turn(filter.values, len(filter.dims)), filter.dims)


def solve(operation: str, input: Matrix, filter: Matrix | int, stride: int | None = None,
          padding: int = 0, bias: float | None = None, steps: bool = False,
          backward: bool = False, grad: Matrix | None = None, symbolic_lines: bool = False,
          patches: bool = False, flip: bool = False, ceil_mode: bool = False) -> Exercise:
    """Apply the operation, then compute what the options ask for."""
    import numpy as np

    conv = operation == "conv"
    if not conv and (symbolic_lines or patches or flip):
        asked = "--symbolic" if symbolic_lines else "--im2col" if patches else "--flip"
        raise MatrixError(f"{asked} applies to conv only")
    if ceil_mode and conv:
        raise MatrixError("--ceil-mode applies to pools only")
    if flip and symbolic_lines:
        raise MatrixError("--symbolic writes the handout's cross-correlation; drop --flip")
    if grad is not None and not backward:
        raise MatrixError("--grad gives ∂L/∂Z for --backward; add --backward")
    if conv and flip and isinstance(filter, Matrix):
        filter = flipped(filter)
    applied = apply(operation, input, filter, stride, padding, bias, steps, ceil_mode)
    result = Exercise(applied, (TRUE_CONVOLUTION if flip else CORRELATION) if conv else "")
    x = np.array(_as_chw(input, "the input"), dtype=np.float64)
    out = np.array(applied.output)
    step = stride if stride is not None else (1 if conv else filter)
    if conv:
        weight = np.array(_conv_weight(filter, x.shape[0]), dtype=np.float64)
        if backward:
            result.backward = conv_backward(x, weight, (step, step), padding,
                                            gradient(grad, out.shape), steps)
            if bias is not None:
                result.backward.grad_bias = [float(sum(map(sum, rows)))
                                             for rows in result.backward.grad_output]
            if flip:  # the gradient of the filter as the user wrote it, not as turned
                result.backward.grad_filter = np.array(
                    result.backward.grad_filter)[..., ::-1, ::-1].tolist()
        if symbolic_lines:
            if weight.shape[:2] != (1, 1):
                raise MatrixError("--symbolic writes the handout's one-channel, one-filter "
                                  f"formulas; this filter is {weight.shape[0]}×"
                                  f"{weight.shape[1]}×{weight.shape[2]}×{weight.shape[3]}")
            result.symbolic = symbolic(x.shape[1:], weight.shape[2:], (step, step), padding,
                                       bias is not None)
        if patches:
            result.im2col = im2col(x, weight, (step, step), padding)
    elif backward:
        result.backward = pool_backward(operation, x, (filter, filter), (step, step), padding,
                                        gradient(grad, out.shape), steps)
    return result
