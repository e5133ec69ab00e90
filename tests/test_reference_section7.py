"""The reference kernels of SPEC §7's types against naive loops written from the PyTorch
documentation, and the referees catching a wrong formula for them."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cnncalc
from cnncalc.engine.layers import PixelShuffle, Slice
from cnncalc.reference import ops
from cnncalc.reference.verify import probe_analysis, verify_analysis

RNG = np.random.default_rng(7)


def naive(function, x: np.ndarray) -> np.ndarray:
    return np.vectorize(function, otypes=[np.float64])(x.astype(np.float64))


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # torch.nn.SELU docs


@pytest.mark.parametrize("kernel, scalar", [
    (ops.silu, lambda v: v / (1 + math.exp(-v))),
    (ops.hardsigmoid, lambda v: 0.0 if v <= -3 else 1.0 if v >= 3 else v / 6 + 0.5),
    (ops.hardswish, lambda v: 0.0 if v <= -3 else v if v >= 3 else v * (v + 3) / 6),
    (ops.softplus, lambda v: math.log1p(math.exp(v))),
    (ops.mish, lambda v: v * math.tanh(math.log1p(math.exp(v)))),
    (ops.selu, lambda v: SELU_SCALE * (v if v > 0 else SELU_ALPHA * (math.exp(v) - 1))),
])
def test_activations_against_their_formulas(kernel, scalar):
    x = RNG.uniform(-6, 6, size=(3, 4, 5))
    assert np.allclose(kernel(x), naive(scalar, x), atol=1e-12)


def test_log_softmax_over_channels():
    x = RNG.standard_normal((5, 3, 2))
    expected = np.empty_like(x)
    for h in range(3):
        for w in range(2):
            column = x[:, h, w]
            total = sum(math.exp(v) for v in column)
            expected[:, h, w] = [v - math.log(total) for v in column]
    assert np.allclose(ops.log_softmax(x), expected)


def test_prelu_one_slope_and_per_channel():
    x = RNG.standard_normal((3, 4, 4))
    slopes = np.array([0.1, 0.2, 0.3])
    expected = x.copy()
    for c in range(3):
        expected[c][x[c] < 0] *= slopes[c]
    assert np.allclose(ops.prelu(x, slopes), expected)
    assert np.allclose(ops.prelu(x, np.array([0.25])), np.where(x < 0, 0.25 * x, x))
    with pytest.raises(ValueError):
        ops.prelu(x, np.ones(2))


def _normalised(values: list[float], eps: float) -> list[float]:
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)  # biased, as PyTorch
    return [(v - mean) / math.sqrt(var + eps) for v in values]


def test_layer_norm_over_channels_at_each_position():
    x = RNG.standard_normal((6, 3, 4))
    expected = np.empty_like(x)
    for h in range(3):
        for w in range(4):
            expected[:, h, w] = _normalised(list(x[:, h, w]), 1e-6)
    assert np.allclose(ops.layer_norm_channels(x), expected)


def test_group_norm_over_groups_of_channels_and_positions():
    x = RNG.standard_normal((6, 3, 4))
    expected = np.empty_like(x)
    for g in range(3):  # 3 groups of 2 channels
        values = list(x[2 * g:2 * g + 2].ravel())
        expected[2 * g:2 * g + 2] = np.array(_normalised(values, 1e-5)).reshape(2, 3, 4)
    assert np.allclose(ops.group_norm(x, 3), expected)
    with pytest.raises(ValueError, match="do not divide"):
        ops.group_norm(x, 4)


def test_instance_norm_per_channel():
    x = RNG.standard_normal((3, 5, 2))
    expected = np.stack([np.array(_normalised(list(x[c].ravel()), 1e-5)).reshape(5, 2)
                         for c in range(3)])
    assert np.allclose(ops.instance_norm(x), expected)


def test_layer_scale_per_channel():
    x = RNG.standard_normal((3, 2, 2))
    scale = np.array([1.0, 2.0, -1.0], dtype=np.float32)
    assert np.allclose(ops.layer_scale(x, scale), x * scale[:, None, None])


def test_channel_shuffle_as_pytorch_defines_it():
    """view(G, C/G) → transpose → flatten: output j = a·G + b reads input b·(C/G) + a."""
    channels, groups = 6, 2
    x = np.arange(channels, dtype=np.float64).reshape(channels, 1, 1) * np.ones((1, 2, 2))
    out = ops.channel_shuffle(x, groups)
    per_group = channels // groups
    for a in range(per_group):
        for b in range(groups):
            assert np.array_equal(out[a * groups + b], x[b * per_group + a])
    assert out[:, 0, 0].tolist() == [0, 3, 1, 4, 2, 5]
    with pytest.raises(ValueError):
        ops.channel_shuffle(x, 4)


def test_slice_channels_refuses_out_of_range():
    x = RNG.standard_normal((5, 2, 2))
    assert np.array_equal(ops.slice_channels(x, 1, 4), x[1:4])
    with pytest.raises(ValueError):
        ops.slice_channels(x, 3, 6)


def test_pixel_shuffle_and_unshuffle_index_maps():
    """PixelShuffle docs: out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w]."""
    r, c, h, w = 2, 3, 2, 3
    x = RNG.standard_normal((c * r * r, h, w))
    out = ops.pixel_shuffle(x, r)
    assert out.shape == (c, h * r, w * r)
    for ch in range(c):
        for hh in range(h):
            for ww in range(w):
                for i in range(r):
                    for j in range(r):
                        assert out[ch, hh * r + i, ww * r + j] == x[ch * r * r + i * r + j, hh, ww]
    assert np.array_equal(ops.pixel_unshuffle(out, r), x)
    with pytest.raises(ValueError):
        ops.pixel_shuffle(x[:5], r)
    with pytest.raises(ValueError):
        ops.pixel_unshuffle(out[:, :3], r)


def test_lp_pool_is_the_p_norm_of_each_window():
    x = RNG.uniform(0.1, 2, size=(2, 6, 6))
    p = 3.0
    out = ops.lp_pool2d(x, p, (2, 3), (2, 3))
    assert out.shape == (2, 3, 2)
    for c in range(2):
        for i in range(3):
            for j in range(2):
                window = x[c, 2 * i:2 * i + 2, 3 * j:3 * j + 3]
                assert math.isclose(out[c, i, j], float((window ** p).sum()) ** (1 / p),
                                    rel_tol=1e-9)


def test_dilated_max_pool_against_a_loop():
    x = RNG.standard_normal((1, 9, 8))
    out = ops.max_pool2d(x, (3, 2), (2, 1), (1, 1, 0, 0), False, (2, 3))
    padded = np.pad(x, ((0, 0), (1, 1), (0, 0)), constant_values=-np.inf)
    rows = (9 + 2 - 2 * 2 - 1) // 2 + 1
    cols = (8 - 3 * 1 - 1) // 1 + 1
    expected = np.array([[max(padded[0, 2 * i + 2 * a, j + 3 * b]
                              for a in range(3) for b in range(2))
                          for j in range(cols)] for i in range(rows)])
    assert out.shape == (1, rows, cols) and np.allclose(out[0], expected)


def test_ceil_mode_overhang_as_pytorch():
    """MaxPool2d(3, 2, ceil_mode=True) on 2×2 → 1×1 holding the max of all four; the
    average divides by the window clipped to the input (2×2 = 4), as PyTorch does."""
    x = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    assert ops.max_pool2d(x, (3, 3), (2, 2), (0, 0, 0, 0), True).tolist() == [[[4.0]]]
    assert ops.avg_pool2d(x, (3, 3), (2, 2), (0, 0, 0, 0), True).tolist() == [[[2.5]]]


@pytest.mark.parametrize("referee, message", [
    (verify_analysis, "reference array is 8x8x2"), (probe_analysis, "spatial probe gives 8x8"),
])
def test_a_wrong_pixelshuffle_formula_is_caught(monkeypatch, referee, message):
    monkeypatch.setattr(PixelShuffle, "output_shape", lambda self, shape: (9, 8, 2))
    text = "input: 4x4x8\nlayers:\n  - pixelshuffle: {factor: 2}\n"
    verification = referee(cnncalc.analyze(cnncalc.loads(text)))
    (row,) = verification.mismatches
    assert message in row.verify_note


def test_a_wrong_slice_formula_is_caught_by_the_channel_probe(monkeypatch):
    monkeypatch.setattr(Slice, "output_shape", lambda self, shape: (*shape[:-1], 4))
    text = "input: 4x4x8\nlayers:\n  - slice: {channels: [1, 4]}\n"
    (row,) = probe_analysis(cnncalc.analyze(cnncalc.loads(text))).mismatches
    assert row.verify_note == "channel probe gives 3, the formulas say 4"
