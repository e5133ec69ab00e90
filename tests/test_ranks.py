"""Issue 12 / SPEC §8: the same layers on 1-D (L×C), 2-D (H×W×C) and 3-D (D×H×W×C) inputs.

Expected sizes come from the shape formulas of the PyTorch documentation (Conv1d/2d/3d,
ConvTranspose*, MaxPool*, AvgPool*, AdaptiveAvgPool*, Upsample), written out below per
axis; counts from the definitions of SPEC §3 with the kernel volume. Both referees must
agree with every row, and the 3-D convolutions of the referee must equal naive loops.
"""

from __future__ import annotations

from math import floor, prod

import numpy as np
import pytest

import cnncalc
from cnncalc.reference import ranks
from cnncalc.reference.verify import probe_analysis, verify_analysis

# One input per rank: sizes deliberately different per axis, so a swapped axis shows.
INPUTS = {1: (37,), 2: (23, 19), 3: (9, 23, 19)}
CHANNELS = 4


def conv_doc(size, kernel, stride, padding, dilation):
    """torch.nn.ConvNd: ⌊(L + 2P − D(K − 1) − 1)/S + 1⌋."""
    return floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1)


def transpose_doc(size, kernel, stride, padding, output_padding, dilation):
    """torch.nn.ConvTransposeNd: (L − 1)S − 2P + D(K − 1) + output_padding + 1."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def pool_doc(size, kernel, stride, padding, ceil_mode):
    """torch.nn.MaxPoolNd / AvgPoolNd: ⌊ or ⌈ (L + 2P − K)/S ⌉ + 1, and with ceil_mode the
    last window must start inside the input or its left padding (the doc's note)."""
    exact = (size + 2 * padding - kernel) / stride
    out = (-floor(-exact) if ceil_mode else floor(exact)) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def spec(rank, entry):
    sizes = "x".join(map(str, (*INPUTS[rank], CHANNELS)))
    return cnncalc.loads(f"input: {sizes}\nlayers:\n  - {entry}\n")


def per_axis(rank, values):
    """The first `rank` of a per-axis list, written as YAML."""
    return "[" + ", ".join(map(str, values[:rank])) + "]"


RANKS = (1, 2, 3)


def analysed(rank, entry):
    result = cnncalc.analyze(spec(rank, entry))
    for referee in (probe_analysis, verify_analysis):
        checked = referee(result)
        assert checked.ok and all(row.verified for row in checked.analysis.rows), referee
    return result.rows[0]


@pytest.mark.parametrize("rank", RANKS)
@pytest.mark.parametrize("kernel, stride, padding, dilation, groups", [
    ((3, 5, 2), (1, 2, 3), (0, 1, 2), (1, 1, 1), 1),
    ((2, 3, 3), (2, 1, 2), (1, 0, 1), (2, 3, 1), 2),
    ((1, 1, 1), (3, 3, 3), (0, 0, 0), (1, 1, 1), 4),
])
def test_conv(rank, kernel, stride, padding, dilation, groups):
    filters = 8
    row = analysed(rank, f"conv: {{filters: {filters}, kernel: {per_axis(rank, kernel)}, "
                         f"stride: {per_axis(rank, stride)}, padding: {per_axis(rank, padding)}, "
                         f"dilation: {per_axis(rank, dilation)}, groups: {groups}}}")
    sizes = tuple(conv_doc(INPUTS[rank][a], kernel[a], stride[a], padding[a], dilation[a])
                  for a in range(rank))
    assert row.output == (*sizes, filters)
    volume = prod(kernel[:rank])
    assert row.weights == filters * CHANNELS // groups * volume
    assert row.params == row.weights + filters
    assert row.macs == prod(sizes) * filters * CHANNELS // groups * volume


@pytest.mark.parametrize("rank", RANKS)
@pytest.mark.parametrize("kernel, stride, padding, output_padding", [
    ((3, 2, 4), (2, 3, 2), (1, 0, 1), (1, 2, 0)),
    ((2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0)),
])
def test_convtranspose(rank, kernel, stride, padding, output_padding):
    row = analysed(rank, f"convtranspose: {{filters: 6, kernel: {per_axis(rank, kernel)}, "
                         f"stride: {per_axis(rank, stride)}, padding: {per_axis(rank, padding)},"
                         f" output_padding: {per_axis(rank, output_padding)}}}")
    sizes = tuple(transpose_doc(INPUTS[rank][a], kernel[a], stride[a], padding[a],
                                output_padding[a], 1) for a in range(rank))
    assert row.output == (*sizes, 6)
    assert row.weights == CHANNELS * 6 * prod(kernel[:rank])
    assert row.macs == prod(INPUTS[rank]) * CHANNELS * 6 * prod(kernel[:rank])


@pytest.mark.parametrize("rank", RANKS)
@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pool(rank, kind, ceil_mode):
    kernel, stride, padding = (3, 2, 4), (2, 2, 3), (1, 0, 2)
    row = analysed(rank, f"{kind}: {{kernel: {per_axis(rank, kernel)}, "
                         f"stride: {per_axis(rank, stride)}, padding: {per_axis(rank, padding)}, "
                         f"ceil_mode: {str(ceil_mode).lower()}}}")
    sizes = tuple(pool_doc(INPUTS[rank][a], kernel[a], stride[a], padding[a], ceil_mode)
                  for a in range(rank))
    assert row.output == (*sizes, CHANNELS)
    assert row.connections == prod(sizes) * CHANNELS * prod(kernel[:rank])


@pytest.mark.parametrize("rank", RANKS)
@pytest.mark.parametrize("kind", ["adaptiveavgpool", "adaptivemaxpool"])
def test_adaptive_pool(rank, kind):
    output = (5, 7, 4)
    row = analysed(rank, f"{kind}: {{output: {per_axis(rank, output)}}}")
    assert row.output == (*output[:rank], CHANNELS)


@pytest.mark.parametrize("rank", RANKS)
def test_upsample(rank):
    scale = (2, 3, 1)
    row = analysed(rank, f"upsample: {{scale: {per_axis(rank, scale)}}}")
    # torch.nn.Upsample: ⌊L × scale_factor⌋ per axis.
    assert row.output == (*(floor(INPUTS[rank][a] * scale[a]) for a in range(rank)), CHANNELS)
    size = (40, 30, 11)
    row = analysed(rank, f"upsample: {{size: {per_axis(rank, size)}}}")
    assert row.output == (*size[:rank], CHANNELS)


@pytest.mark.parametrize("rank", RANKS)
def test_an_integer_repeats_on_every_axis(rank):
    row = analysed(rank, "conv: {filters: 2, kernel: 3, stride: 2, padding: 1}")
    assert row.output == (*(conv_doc(size, 3, 2, 1, 1) for size in INPUTS[rank]), 2)
    assert row.weights == 2 * CHANNELS * 3 ** rank


def test_causal_padding_keeps_the_length_and_pads_on_the_left():
    row = analysed(1, "conv: {filters: 2, kernel: 3, dilation: 4, padding: causal}")
    assert row.output == (37, 2)
    assert row.layer.padding == (4 * (3 - 1), 0)  # (F − 1)·D before, nothing after


def test_rank_checking_aliases():
    assert analysed(1, "conv1d: {filters: 2, kernel: 3}").output == (35, 2)
    assert analysed(3, "maxpool3d: {kernel: 2}").output == (4, 11, 9, CHANNELS)
    assert analysed(3, "batchnorm3d").params == 2 * CHANNELS
    with pytest.raises(cnncalc.ShapeError, match="maxpool1d needs a 1-D input"):
        cnncalc.analyze(spec(2, "maxpool1d: {kernel: 2}"))


def test_receptive_field_per_axis():
    result = cnncalc.analyze(spec(3, "conv: {filters: 2, kernel: [3, 7, 7], stride: [1, 2, 2]}"))
    row = result.rows[0]
    # Araujo et al.: rf = 1 + (F − 1), jump = S, start = (F − 1)/2 per axis.
    assert row.field.pixels == (3, 7, 7)
    assert tuple(row.field.jump) == (1, 2, 2)
    assert tuple(row.field.start) == (1, 3, 3)


def test_does_it_fit_names_the_axis():
    result = cnncalc.analyze(spec(1, "maxpool: {kernel: 4}"))  # 37 = 4·9 + 1
    assert result.rows[0].fits is False
    assert "input samples 36 never read" in result.rows[0].warnings[0]
    result = cnncalc.analyze(spec(3, "conv: {filters: 1, kernel: 1, stride: [2, 1, 1]}"))
    assert result.rows[0].fits is True  # 9 frames: 0, 2, 4, 6, 8
    result = cnncalc.analyze(spec(3, "conv: {filters: 1, kernel: 1, stride: [5, 1, 1]}"))
    # reads frames 0 and 5: windows that skip input, an ℹ note since SPEC §7
    assert result.rows[0].fits is True and result.rows[0].notes == [
        "stride 5 > kernel 1: frames 1–4, 6–8 never read (subsampling by design)"]


def test_shapes_print_in_both_orders():
    assert cnncalc.shape_str((16000, 1), times="×") == "16000×1"
    assert cnncalc.shape_str((16000, 1), chw=True, times="×") == "1×16000"
    assert cnncalc.shape_str((16, 112, 112, 3), chw=True) == "3x16x112x112"
    assert cnncalc.parse_shape({"depth": 16, "height": 112, "width": 112, "channels": 3}) == (
        16, 112, 112, 3)
    assert cnncalc.parse_shape({"length": 16000, "channels": 1}) == (16000, 1)


def _naive_conv3d(x, weight, bias, stride, padding, dilation, groups):
    """The definition of torch.nn.Conv3d, one output value at a time."""
    channels = x.shape[0]
    filters, per_group = weight.shape[:2]
    xp = np.pad(x, ((0, 0), *((p, p) for p in padding)))
    sizes = [(xp.shape[1 + a] - dilation[a] * (weight.shape[2 + a] - 1) - 1) // stride[a] + 1
             for a in range(3)]
    out = np.zeros((filters, *sizes))
    for k in range(filters):
        group = k // (filters // groups)
        for t, i, j in np.ndindex(*sizes):
            total = bias[k]
            for c in range(per_group):
                for a, b, e in np.ndindex(*weight.shape[2:]):
                    total += weight[k, c, a, b, e] * xp[
                        group * per_group + c, t * stride[0] + a * dilation[0],
                        i * stride[1] + b * dilation[1], j * stride[2] + e * dilation[2]]
            out[k, t, i, j] = total
    assert channels == per_group * groups
    return out


def test_reference_conv3d_is_the_definition():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 5, 6, 7))
    weight = rng.standard_normal((6, 2, 3, 2, 3))
    bias = rng.standard_normal(6)
    stride, dilation = (2, 1, 2), (2, 1, 1)
    got = ranks.conv3d_with(x, weight, bias, stride, (1, 1, 0, 0, 1, 1), dilation, groups=2)
    want = _naive_conv3d(x, weight, bias, stride, (1, 0, 1), dilation, 2)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_reference_conv_transpose3d_is_the_definition():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 3, 5))
    weight = rng.standard_normal((3, 2, 3, 2, 2))
    stride, padding, output_padding = (2, 1, 3), (1, 0, 1), (1, 0, 2)
    got = ranks.conv_transpose3d_with(x, weight, None, stride, padding, output_padding,
                                      (1, 1, 1))
    # torch.nn.ConvTranspose3d by definition: scatter x·w, add output_padding, crop P.
    full = [(x.shape[1 + a] - 1) * stride[a] + weight.shape[2 + a] + output_padding[a]
            for a in range(3)]
    canvas = np.zeros((2, *full))
    for c, t, i, j in np.ndindex(*x.shape):
        for a, b, e in np.ndindex(*weight.shape[2:]):
            canvas[:, t * stride[0] + a, i * stride[1] + b, j * stride[2] + e] += (
                x[c, t, i, j] * weight[c, :, a, b, e])
    want = canvas[:, padding[0]:full[0] - padding[0], padding[1]:full[1] - padding[1],
                  padding[2]:full[2] - padding[2]]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("marker", ["README-RANKS-1D", "README-RANKS-3D"])
def test_readme_rank_examples_are_real_output(marker):
    import re
    from pathlib import Path

    from click.testing import CliRunner

    from cnncalc.cli import cli

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- {marker} -->\n```\n\$ (.*?)\n(.*?)```", text, re.S)
    assert block, f"README lost its {marker} example"
    result = CliRunner().invoke(cli, block.group(1).split()[1:], env={"COLUMNS": "100"})
    assert result.exit_code == 0

    def lines(output):
        return [line.rstrip() for line in output.strip("\n").splitlines()]

    assert lines(result.output) == lines(block.group(2))


def test_card_in_three_dimensions():
    from click.testing import CliRunner

    from cnncalc.cli import cli

    result = CliRunner().invoke(cli, ["conv", "16x112x112x3", "--filters", "64", "--kernel",
                                      "3x7x7", "--stride", "1x2x2", "--padding", "1x3x3"])
    assert result.exit_code == 0, result.output
    # torch.nn.Conv3d per axis: (16 + 2 − 3)/1 + 1 = 16, ⌊(112 + 6 − 7)/2⌋ + 1 = 56;
    # MACs = 16·56·56·64 outputs × 3·7·7·3 (golden r3d-18 stem.0: 1,416,167,424).
    assert "output depth" in result.output and "= 16" in result.output
    assert "16×56×56×64" in result.output
    assert "1,416,167,424" in result.output
    assert "receptive field     3×7×7" in result.output


@pytest.mark.parametrize("groups", [1, 3])
def test_reference_conv3d_blocks_give_the_same_values(groups):
    """The full pass draws a 3-D conv's weights a block at a time under a small memory
    budget: the result must not depend on the block size."""
    from types import SimpleNamespace

    from cnncalc.reference import weights

    layer = cnncalc.analyze(spec(3, "conv: {filters: 6, kernel: 3, padding: 1}")).rows[0].layer
    layer.groups = groups
    x = np.random.default_rng(3).standard_normal((6, 5, 7, 6)).astype(np.float32)
    outputs = []
    for chunk in (1, 1 << 30):  # one filter (one group) per block, then everything at once
        walk = SimpleNamespace(rng=weights.make_rng(0), chunk=chunk, workspace=1 << 20)
        outputs.append(ranks.conv3d(walk, layer, x))
    assert outputs[0].shape == (6, 5, 7, 6)
    # the same weights; float32 sums of different matrix sizes may round differently
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-6)


def test_expect_rf_in_every_rank():
    # rf of a single F-wide window is F on each axis (Araujo et al.)
    for text, ok in [("input: 30x2\nlayers:\n  - conv: {filters: 1, kernel: 5, expect: {rf: 5}}",
                      True),
                     ("input: 30x2\nlayers:\n  - conv: {filters: 1, kernel: 5, expect: {rf: [5]}}",
                      True),
                     ("input: 8x9x9x2\nlayers:\n  - conv: {filters: 1, kernel: [3, 5, 5], "
                      "expect: {rf: [3, 5, 5]}}", True),
                     ("input: 8x9x9x2\nlayers:\n  - conv: {filters: 1, kernel: [3, 5, 5], "
                      "expect: {rf: 5}}", False)]:
        result = cnncalc.analyze(cnncalc.loads(text))
        assert (not result.failed_checks) is ok, text
    with pytest.raises(cnncalc.SpecError, match=r"expect rf must be one size or \[length\]"):
        cnncalc.analyze(cnncalc.loads(
            "input: 30x2\nlayers:\n  - conv: {filters: 1, kernel: 5, expect: {rf: [5, 5]}}"))


GRAPH_3D = """
input: 9x17x15x3
layers:
  - conv: {name: stem, filters: 8, kernel: 3, padding: 1, activation: relu}
  - conv: {filters: 8, kernel: 3, padding: 1}
  - gate:
      body: [gap, {conv: {filters: 2, kernel: 1}}, relu, {conv: {filters: 8, kernel: 1}}, sigmoid]
  - add: {from: [previous, stem]}
  - conv: {name: c4, filters: 8, kernel: 3, stride: 2, padding: 1}
  - conv: {name: c5, filters: 8, kernel: 3, stride: 2, padding: 1}
  - upsample: {name: up5, to: c4}
  - zeropad: {from: c5, to: c4}
  - concat: {from: [previous, up5, c4]}
  - split: {branches: [[], [{conv: {filters: 12, kernel: 1}}]]}
  - globalavgpool
  - dense: {units: 4}
"""


def test_graph_entries_in_three_dimensions():
    """SPEC §7's graph entries on a clip: `to:` sizes every axis, merges broadcast."""
    result = cnncalc.analyze(cnncalc.loads(GRAPH_3D))
    rows = {row.path: row for row in result.rows}
    # ⌈9/2⌉ = 5, ⌈17/2⌉ = 9, ⌈15/2⌉ = 8 (3×3×3, stride 2, padding 1: ⌊(L + 2 − 3)/2⌋ + 1)
    assert rows["c4"].output == (5, 9, 8, 8)
    assert rows["up5"].output == (5, 9, 8, 8) and rows["zeropad1"].output == (5, 9, 8, 8)
    assert rows["concat1"].output == (5, 9, 8, 24)
    for referee in (probe_analysis, verify_analysis):
        checked = referee(result)
        assert checked.ok and all(row.verified for row in checked.analysis.rows)
