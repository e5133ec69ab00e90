"""`apply conv --symbolic`: the forward z_ij and the backward ∂L/∂f_ij, ∂L/∂x_ij written in
the handout's notation (ECE228: 1-based x_ij, f_ij, ∂L/∂z_ij), one line each.

Pure index arithmetic, no numbers: output (i, j) reads input (u, v) through filter entry
(a, b) when u = (i−1)·S + a − P and v = (j−1)·S + b − P (all 1-based). Terms on padding
(u or v outside 1…H) are zeros and left out. The same relation, read three ways, gives the
three families of lines; so a stride S > 1 (zeros inserted into ∂L/∂Z) and padding
(cropping ∂L/∂X) need no special case here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..limits import SYMBOLIC_SIZE
from .matrix import MatrixError


@dataclass
class Symbolic:
    """The three families of lines, in the handout's order."""

    forward: list[str]
    grad_filter: list[str]
    grad_input: list[str]


def _name(letter: str, row: int, col: int, wide: bool) -> str:
    return f"{letter}[{row},{col}]" if wide else f"{letter}{row}{col}"


def symbolic(matrix_size: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
             padding: int, bias: bool = False) -> Symbolic:
    """The handout's formulas for one channel and one filter on an H×W input."""
    height, width = matrix_size
    kh, kw = kernel
    sh, sw = stride
    if max(height, width) > SYMBOLIC_SIZE.value:
        raise SYMBOLIC_SIZE.error(f"{height}×{width}")
    out_h = (height + 2 * padding - kh) // sh + 1
    out_w = (width + 2 * padding - kw) // sw + 1
    if out_h < 1 or out_w < 1:
        raise MatrixError(f"the {kh}×{kw} filter is larger than the padded "
                          f"{height + 2 * padding}×{width + 2 * padding} input")
    wide = max(height, width, kh, kw, out_h, out_w) > 9
    forward: dict[tuple[int, int], list[str]] = {}
    by_filter: dict[tuple[int, int], list[str]] = {}
    by_input: dict[tuple[int, int], list[str]] = {}
    for i in range(1, out_h + 1):
        for j in range(1, out_w + 1):
            z = "∂L/∂" + _name("z", i, j, wide)
            for a in range(1, kh + 1):
                for b in range(1, kw + 1):
                    u, v = (i - 1) * sh + a - padding, (j - 1) * sw + b - padding
                    if not (1 <= u <= height and 1 <= v <= width):
                        continue  # a padding zero: the term vanishes
                    x, f = _name("x", u, v, wide), _name("f", a, b, wide)
                    forward.setdefault((i, j), []).append(f"{x} · {f}")
                    by_filter.setdefault((a, b), []).append(f"{z} · {x}")
                    by_input.setdefault((u, v), []).append(f"{z} · {f}")
    lines = Symbolic([], [], [])
    for i in range(1, out_h + 1):
        for j in range(1, out_w + 1):
            terms = forward.get((i, j), ["0"]) + (["b"] if bias else [])
            lines.forward.append(f"{_name('z', i, j, wide)} = {' + '.join(terms)}")
    for a in range(1, kh + 1):
        for b in range(1, kw + 1):
            terms = by_filter.get((a, b), ["0"])
            lines.grad_filter.append(f"∂L/∂{_name('f', a, b, wide)} = {' + '.join(terms)}")
    if bias:
        every = [f"∂L/∂{_name('z', i, j, wide)}" for i in range(1, out_h + 1)
                 for j in range(1, out_w + 1)]
        lines.grad_filter.append(f"∂L/∂b = {' + '.join(every)}")
    for u in range(1, height + 1):
        for v in range(1, width + 1):
            terms = by_input.get((u, v), ["0"])  # 0: a row or column no window reads
            lines.grad_input.append(f"∂L/∂{_name('x', u, v, wide)} = {' + '.join(terms)}")
    return lines
