"""apply --backward / --symbolic / --im2col against ECE228's handout and naive loops.

The handout's example: a 3×3 input X, a 2×2 filter F, stride 1, output Z 2×2. Its slides
write every ∂L/∂f_ij and ∂L/∂x_ij out; the expected lines below are the slides' lines with
their four mistakes corrected (each named where it is checked)."""

import itertools
import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnncalc.cli import cli
from cnncalc.homework.exercise import solve
from cnncalc.homework.matrix import MatrixError, parse_literal
from cnncalc.homework.symbolic import symbolic

HANDOUT_POOL = "[[1,3,2,4],[2,9,1,1],[1,3,2,3],[5,6,1,2]]"  # the pooling slides' 4×4 matrix

FORWARD = [
    "z11 = x11 · f11 + x12 · f12 + x21 · f21 + x22 · f22",
    "z12 = x12 · f11 + x13 · f12 + x22 · f21 + x23 · f22",
    "z21 = x21 · f11 + x22 · f12 + x31 · f21 + x32 · f22",
    "z22 = x22 · f11 + x23 · f12 + x32 · f21 + x33 · f22",
]
GRAD_FILTER = [
    "∂L/∂f11 = ∂L/∂z11 · x11 + ∂L/∂z12 · x12 + ∂L/∂z21 · x21 + ∂L/∂z22 · x22",
    "∂L/∂f12 = ∂L/∂z11 · x12 + ∂L/∂z12 · x13 + ∂L/∂z21 · x22 + ∂L/∂z22 · x23",
    "∂L/∂f21 = ∂L/∂z11 · x21 + ∂L/∂z12 · x22 + ∂L/∂z21 · x31 + ∂L/∂z22 · x32",
    "∂L/∂f22 = ∂L/∂z11 · x22 + ∂L/∂z12 · x23 + ∂L/∂z21 · x32 + ∂L/∂z22 · x33",
]
GRAD_INPUT = [
    "∂L/∂x11 = ∂L/∂z11 · f11",
    "∂L/∂x12 = ∂L/∂z11 · f12 + ∂L/∂z12 · f11",
    "∂L/∂x13 = ∂L/∂z12 · f12",
    "∂L/∂x21 = ∂L/∂z11 · f21 + ∂L/∂z21 · f11",
    "∂L/∂x22 = ∂L/∂z11 · f22 + ∂L/∂z12 · f21 + ∂L/∂z21 · f12 + ∂L/∂z22 · f11",
    "∂L/∂x23 = ∂L/∂z12 · f22 + ∂L/∂z22 · f12",
    "∂L/∂x31 = ∂L/∂z21 · f21",
    "∂L/∂x32 = ∂L/∂z21 · f22 + ∂L/∂z22 · f21",
    "∂L/∂x33 = ∂L/∂z22 · f22",
]
# The handout's four wrong lines, as its slides print them.
HANDOUT_MISTAKES = [
    # ∂L/∂X12 written with ∂L/∂Z21 where ∂L/∂Z12 belongs
    "∂L/∂x12 = ∂L/∂z11 · f12 + ∂L/∂z21 · f11",
    # ∂L/∂x23 with f11 where f12 belongs
    "∂L/∂x23 = ∂L/∂z12 · f22 + ∂L/∂z22 · f11",
    # the "full convolution" slide's ∂L/∂x22, pairing f21 and f12 the wrong way round
    "∂L/∂x22 = ∂L/∂z11 · f22 + ∂L/∂z12 · f12 + ∂L/∂z21 · f21 + ∂L/∂z22 · f11",
    # ∂L/∂x23's "f12 · f12"
    "∂L/∂x23 = ∂L/∂z12 · f22 + f12 · f12",
]


def test_handout_symbolic_lines():
    lines = symbolic((3, 3), (2, 2), (1, 1), 0)
    assert lines.forward == FORWARD
    assert lines.grad_filter == GRAD_FILTER
    assert lines.grad_input == GRAD_INPUT
    every = lines.forward + lines.grad_filter + lines.grad_input
    for wrong in HANDOUT_MISTAKES:
        assert wrong not in every


def test_symbolic_stride_two_reads_every_other_window_and_padding_drops_terms():
    # 4×4 input, 2×2 filter, stride 2: windows do not overlap, each x has one term
    lines = symbolic((4, 4), (2, 2), (2, 2), 0)
    assert lines.forward[1] == "z12 = x13 · f11 + x14 · f12 + x23 · f21 + x24 · f22"
    assert lines.grad_input[5] == "∂L/∂x22 = ∂L/∂z11 · f22"
    # padding 1 on 2×2 with a 2×2 filter: z11's window holds only x11, at f22
    padded = symbolic((2, 2), (2, 2), (1, 1), 1)
    assert padded.forward[0] == "z11 = x11 · f22"
    assert padded.grad_input[0] == ("∂L/∂x11 = ∂L/∂z11 · f22 + ∂L/∂z12 · f21 + "
                                    "∂L/∂z21 · f12 + ∂L/∂z22 · f11")


def naive_backward(x, w, grad, stride, padding):
    """∂L/∂F and ∂L/∂X by scattering every product of the forward sum (no convolution)."""
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    k_count, channels, fh, fw = w.shape
    grad_filter = np.zeros(w.shape)
    grad_xp = np.zeros(xp.shape)
    for k, i, j in itertools.product(*map(range, grad.shape)):
        for c, a, b in itertools.product(range(channels), range(fh), range(fw)):
            row, col = i * stride + a, j * stride + b
            grad_filter[k, c, a, b] += grad[k, i, j] * xp[c, row, col]
            grad_xp[c, row, col] += grad[k, i, j] * w[k, c, a, b]
    height, width = x.shape[1:]
    return grad_filter, grad_xp[:, padding:padding + height, padding:padding + width]


@pytest.mark.parametrize("stride, padding, size", [(1, 0, 5), (2, 0, 5), (1, 1, 4), (2, 1, 6),
                                                   (2, 0, 6), (3, 1, 7)])
def test_numeric_backward_matches_a_naive_loop(stride, padding, size):
    rng = np.random.default_rng(stride * 10 + padding)
    x = rng.integers(-4, 5, (2, size, size)).astype(float)
    w = rng.integers(-3, 4, (3, 2, 3, 3)).astype(float)
    out = size + 2 * padding - 3
    grad = rng.integers(-2, 3, (3, out // stride + 1, out // stride + 1)).astype(float)
    result = solve("conv", parse_literal(json.dumps(x.tolist())),
                   parse_literal(json.dumps(w.tolist())), stride, padding, backward=True,
                   grad=parse_literal(json.dumps(grad.tolist())))
    grad_filter, grad_input = naive_backward(x, w, grad, stride, padding)
    assert np.array(result.backward.grad_filter).tolist() == grad_filter.tolist()
    assert np.array(result.backward.grad_input).tolist() == grad_input.tolist()


def test_stride_two_inserts_zeros_into_the_gradient():
    # 5×5 input of ones, 3×3 filter of ones, stride 2: ∂L/∂X counts the windows reading
    # each entry — 1 at the corners, 2 on the shared middle row/column, 4 at the centre.
    ones = "[" + ",".join(["[1,1,1,1,1]"] * 5) + "]"
    result = solve("conv", parse_literal(ones), parse_literal("[[1,1,1],[1,1,1],[1,1,1]]"),
                   stride=2, backward=True, steps=True)
    assert result.backward.grad_input[0][2] == [2, 2, 4, 2, 2]
    assert result.backward.grad_input[0][0] == [1, 1, 2, 1, 1]
    assert result.backward.grad_filter[0][0] == [[4, 4, 4]] * 3
    # --steps: the spread ∂L/∂Z (zeros between its entries) times the input
    assert result.backward.steps[0] == ("∂L/∂f11 = 1·1 + 0·1 + 1·1 + 0·1 + 0·1 + 0·1 + 1·1 "
                                        "+ 0·1 + 1·1 = 4")


def test_handout_pooling_backward():
    maximum = solve("maxpool", parse_literal(HANDOUT_POOL), 2, backward=True)
    assert maximum.backward.grad_input == [[[0, 0, 0, 1], [0, 1, 0, 0],
                                            [0, 0, 0, 1], [0, 1, 0, 0]]]
    average = solve("avgpool", parse_literal(HANDOUT_POOL), 2, backward=True,
                    grad=parse_literal("[[1,2],[3,4]]"))
    # (1+3+2+9)/4, (2+4+1+1)/4, (1+3+5+6)/4, (2+3+1+2)/4; the handout printed
    # [[3.75, 1.25], [4, 2]]
    assert average.applied.output == [[[3.75, 2], [3.75, 2]]]
    assert average.applied.output != [[[3.75, 1.25], [4, 2]]]
    assert average.backward.grad_input == [[[0.25, 0.25, 0.5, 0.5], [0.25, 0.25, 0.5, 0.5],
                                            [0.75, 0.75, 1, 1], [0.75, 0.75, 1, 1]]]


def test_pooling_steps_say_where_each_gradient_goes():
    maximum = solve("maxpool", parse_literal(HANDOUT_POOL), 2, backward=True, steps=True)
    assert maximum.backward.steps[0] == "∂L/∂z11 = 1: max 9 at x22 gets 1"
    assert maximum.backward.grad_bias is None
    average = solve("avgpool", parse_literal(HANDOUT_POOL), 2, backward=True, steps=True,
                    grad=parse_literal("[[1,2],[3,4]]"))
    assert average.backward.steps[1] == "∂L/∂z12 = 2: each of its 4 inputs gets 2/4 = 0.5"


def test_maxpool_ties_go_to_the_first_maximum_and_overlaps_add():
    tied = solve("maxpool", parse_literal("[[5,5],[5,5]]"), 2, backward=True)
    assert tied.backward.grad_input == [[[1, 0], [0, 0]]]  # PyTorch: first in row order
    # 3×3 windows, stride 1, on 4×4: the 9 at the centre wins all four windows
    overlap = solve("maxpool", parse_literal("[[0,0,0,0],[0,9,0,0],[0,0,0,0],[0,0,0,0]]"), 3,
                    stride=1, backward=True)
    assert overlap.backward.grad_input[0][1] == [0, 4, 0, 0]


def test_avgpool_divisor_counts_padding_as_pytorch():
    # 2×2 of ones, window 2, stride 2, padding 1: each window holds 1 real entry of 4
    result = solve("avgpool", parse_literal("[[1,1],[1,1]]"), 2, padding=1, backward=True)
    assert result.applied.output == [[[0.25, 0.25], [0.25, 0.25]]]
    assert result.backward.grad_input == [[[0.25, 0.25], [0.25, 0.25]]]


def test_im2col_on_the_slide_example():
    # ECE228's im2col slide: a 4×4×3 input, two 2×2×3 filters, stride 2
    x = np.arange(48, dtype=float).reshape(3, 4, 4)
    w = np.arange(24, dtype=float).reshape(2, 3, 2, 2) - 12
    result = solve("conv", parse_literal(json.dumps(x.tolist())),
                   parse_literal(json.dumps(w.tolist())), stride=2, patches=True)
    matrices = result.im2col
    assert np.array(matrices.patches).shape == (12, 4)
    assert np.array(matrices.filters).shape == (2, 12)  # the slide says 7 × 12
    assert np.array(matrices.product).shape == (2, 4)
    assert matrices.output_dims == (2, 2, 2)
    naive = [[[sum(x[c, 2 * i + a, 2 * j + b] * w[k, c, a, b]
                   for c in range(3) for a in range(2) for b in range(2))
               for j in range(2)] for i in range(2)] for k in range(2)]
    assert np.array(matrices.product).reshape(2, 2, 2).tolist() == naive
    assert result.applied.output == naive
    # the first patch column is the top-left window, channel by channel, row by row
    assert [row[0] for row in matrices.patches] == [0, 1, 4, 5, 16, 17, 20, 21, 32, 33, 36, 37]


def test_flip_computes_true_convolution():
    # true convolution of [[1,2],[3,4]] with [[1,0],[0,0]] turned 180° picks x22
    correlated = solve("conv", parse_literal("[[1,2],[3,4]]"), parse_literal("[[1,0],[0,0]]"))
    flipped = solve("conv", parse_literal("[[1,2],[3,4]]"), parse_literal("[[1,0],[0,0]]"),
                    flip=True)
    assert correlated.applied.output == [[[1]]]
    assert flipped.applied.output == [[[4]]]
    assert "cross-correlation" in correlated.computes
    # ∂L/∂F of the filter as written: L = Σ Z = x22·f11 here, so ∂L/∂f11 = x22 = 4
    both = solve("conv", parse_literal("[[1,2],[3,4]]"), parse_literal("[[1,0],[0,0]]"),
                 flip=True, backward=True)
    assert both.backward.grad_filter == [[[[4, 3], [2, 1]]]]


def test_bias_gradient_sums_each_filters_grad():
    result = solve("conv", parse_literal("[[1,2,3],[4,5,6],[7,8,9]]"),
                   parse_literal("[[1,2],[3,4]]"), bias=0.5, backward=True,
                   grad=parse_literal("[[1,-2],[3,4]]"))
    assert result.backward.grad_bias == [6]  # 1 − 2 + 3 + 4


def test_grad_of_the_wrong_shape_is_an_error():
    with pytest.raises(MatrixError, match="must have the output's shape, 2×2"):
        solve("conv", parse_literal("[[1,2,3],[4,5,6],[7,8,9]]"), parse_literal("[[1,2],[3,4]]"),
              backward=True, grad=parse_literal("[[1,2,3]]"))


def run(*args, code=0):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_cli_backward_json_and_misuse():
    data = json.loads(run("apply", "conv", "--input", "[[1,2,3],[4,5,6],[7,8,9]]", "--filter",
                          "[[1,2],[3,4]]", "--backward", "--format", "json"))
    # ∂L/∂F with ∂L/∂Z all ones: the sum of each 2×2 window of X
    assert data["grad_filter"] == [[[[12, 16], [24, 28]]]]
    # ∂L/∂X: each x times the filter entries whose windows read it (1+2+3+4 at the centre)
    assert data["grad_input"] == [[[1, 3, 2], [4, 10, 6], [3, 7, 4]]]
    patches = json.loads(run("apply", "conv", "--input", "[[1,2],[3,4]]", "--filter", "[[1]]",
                             "--im2col", "--format", "json"))
    assert patches["patches"] == [[1, 2, 3, 4]] and patches["product"] == [[1, 2, 3, 4]]
    text = run("apply", "conv", "--input", "[[1,2,3],[4,5,6],[7,8,9]]", "--filter",
               "[[1,2],[3,4]]", "--symbolic")
    assert all(line in text for line in FORWARD + GRAD_FILTER + GRAD_INPUT)
    assert "cross-correlation" in text
    assert "--symbolic applies to conv only" in run("apply", "maxpool", "--input", HANDOUT_POOL,
                                                    "--filter", "2", "--symbolic", code=2)
    assert "add --backward" in run("apply", "conv", "--input", "[[1]]", "--filter", "[[1]]",
                                   "--grad", "[[1]]", code=2)


def _evaluate(line: str, x, f, grad) -> tuple[str, float]:
    """'∂L/∂x12 = ∂L/∂z11 · f12 + …' with numbers put in: (left-hand name, value)."""
    import re

    name, _, right = line.partition(" = ")
    values = {"x": x, "f": f, "z": grad}

    def entry(match):
        table = values[match.group(1)]
        row, col = (match.group(2), match.group(3)) if match.group(2) else (
            match.group(4), match.group(5))
        return f"({table[int(row) - 1][int(col) - 1]!r})"

    expression = re.sub(r"(?:∂L/∂)?([xfz])(?:\[(\d+),(\d+)\]|(\d)(\d))", entry, right)
    total = 0
    for term in expression.split(" + "):  # a sum of products of numbers, nothing else
        product = 1
        for factor in term.split(" · "):
            product *= int(factor.strip("()"))
        total += product
    return name, total


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 11), st.integers(1, 11), st.integers(1, 4), st.integers(1, 3),
       st.integers(0, 2), st.integers(0, 10**6))
def test_symbolic_lines_evaluate_to_the_numeric_backward(height, width, kernel, stride,
                                                         padding, seed):
    """Every symbolic line, with random numbers put in, equals the numeric result."""
    assume(kernel <= min(height, width) + 2 * padding)
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, (height, width)).tolist()
    f = rng.integers(-3, 4, (kernel, kernel)).tolist()
    out_h = (height + 2 * padding - kernel) // stride + 1
    out_w = (width + 2 * padding - kernel) // stride + 1
    grad = rng.integers(-3, 4, (out_h, out_w)).tolist()
    numeric = solve("conv", parse_literal(json.dumps(x)), parse_literal(json.dumps(f)), stride,
                    padding, backward=True, grad=parse_literal(json.dumps(grad)))
    lines = symbolic((height, width), (kernel, kernel), (stride, stride), padding)
    wide = max(height, width, kernel, out_h, out_w) > 9

    def cell(i, j):
        return f"[{i},{j}]" if wide else f"{i}{j}"

    for index, line in enumerate(lines.forward):
        name, value = _evaluate(line, x, f, grad)
        i, j = divmod(index, out_w)
        assert name == f"z{cell(i + 1, j + 1)}"
        assert value == numeric.applied.output[0][i][j]
    for index, line in enumerate(lines.grad_filter):
        name, value = _evaluate(line, x, f, grad)
        a, b = divmod(index, kernel)
        assert value == numeric.backward.grad_filter[0][0][a][b], name
    for index, line in enumerate(lines.grad_input):
        name, value = _evaluate(line, x, f, grad)
        u, v = divmod(index, width)
        assert value == numeric.backward.grad_input[0][u][v], name


def test_ceil_mode_windows_are_clipped_and_divide_by_what_they_hold():
    # PyTorch's avg_pool2d (count_include_pad): a window's divisor is its size clipped to the
    # padded input, so the ceil-mode windows on the right and bottom of 3×3 hold 2 and 1
    x = parse_literal("[[1,2,3],[4,5,6],[7,8,9]]")
    average = solve("avgpool", x, 2, backward=True, ceil_mode=True)
    assert average.applied.output == [[[3, 4.5], [7.5, 9]]]  # (3+6)/2, (7+8)/2, 9/1
    assert average.backward.grad_input == [[[0.25, 0.25, 0.5], [0.25, 0.25, 0.5],
                                            [0.5, 0.5, 1]]]
    maximum = solve("maxpool", x, 2, backward=True, ceil_mode=True)
    assert maximum.applied.output == [[[5, 6], [8, 9]]]
    assert maximum.backward.grad_input == [[[0, 0, 0], [0, 1, 1], [0, 1, 1]]]
    with pytest.raises(MatrixError, match="pools only"):
        solve("conv", x, parse_literal("[[1]]"), ceil_mode=True)
