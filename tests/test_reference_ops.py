"""Tests of the reference forward-pass kernels (cnncalc.reference.ops / .weights).

Expected numbers come from the course material, from PyTorch's documentation and source
rules, or from slow nested-loop implementations written here from the textbook
definitions -- never from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnncalc.reference import ops
from cnncalc.reference import weights as W

PROPERTY = settings(max_examples=60, deadline=None)


# ---------------------------------------------------------------------------------------
# textbook formulas and naive nested-loop references


def conv_out(n: int, pad_a: int, pad_b: int, f: int, s: int, d: int) -> int:
    """floor((H + Pt + Pb - D(F-1) - 1) / S) + 1."""
    return (n + pad_a + pad_b - d * (f - 1) - 1) // s + 1


def pool_out(n: int, pad_a: int, pad_b: int, k: int, s: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size (pooling_output_shape), with its ceil-mode rule."""
    span = n + pad_a + pad_b - k
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= n + pad_a:  # last window would start in the trailing padding
        out -= 1
    return out


def deconv_out(n: int, s: int, p: int, d: int, f: int, op: int) -> int:
    """(H - 1)S - 2P + D(F - 1) + output_padding + 1."""
    return (n - 1) * s - 2 * p + d * (f - 1) + op + 1


def naive_conv2d(x, w, b, stride, pad, dil, groups):
    c, h, wd = x.shape
    k, cg, fh, fw = w.shape
    t, bt, lf, rt = pad
    ho = conv_out(h, t, bt, fh, stride[0], dil[0])
    wo = conv_out(wd, lf, rt, fw, stride[1], dil[1])
    kg = k // groups
    out = np.zeros((k, ho, wo))
    for o in range(k):
        g = o // kg
        for r in range(ho):
            for q in range(wo):
                acc = 0.0
                for ci in range(cg):
                    for i in range(fh):
                        for j in range(fw):
                            y = r * stride[0] + i * dil[0] - t
                            z = q * stride[1] + j * dil[1] - lf
                            if 0 <= y < h and 0 <= z < wd:
                                acc += x[g * cg + ci, y, z] * w[o, ci, i, j]
                out[o, r, q] = acc + (b[o] if b is not None else 0.0)
    return out


def naive_conv_transpose2d(x, w, b, stride, pad, out_pad, dil, groups):
    """Gather form: output o receives x[h] * w[i] whenever o + P == h*S + i*D."""
    c, h, wd = x.shape
    _, kg, fh, fw = w.shape
    cg = c // groups
    ho = deconv_out(h, stride[0], pad[0], dil[0], fh, out_pad[0])
    wo = deconv_out(wd, stride[1], pad[1], dil[1], fw, out_pad[1])
    out = np.zeros((kg * groups, ho, wo))
    for o in range(kg * groups):
        g, ko = divmod(o, kg)
        for r in range(ho):
            for q in range(wo):
                acc = 0.0
                for i in range(fh):
                    yy = r + pad[0] - i * dil[0]
                    if yy % stride[0] or not 0 <= yy // stride[0] < h:
                        continue
                    for j in range(fw):
                        zz = q + pad[1] - j * dil[1]
                        if zz % stride[1] or not 0 <= zz // stride[1] < wd:
                            continue
                        for ci in range(g * cg, (g + 1) * cg):
                            acc += x[ci, yy // stride[0], zz // stride[1]] * w[ci, ko, i, j]
                out[o, r, q] = acc + (b[o] if b is not None else 0.0)
    return out


def naive_pool(x, kernel, stride, pad, ceil_mode, mode, count_include_pad=True):
    c, h, wd = x.shape
    t, bt, lf, rt = pad
    ho = pool_out(h, t, bt, kernel[0], stride[0], ceil_mode)
    wo = pool_out(wd, lf, rt, kernel[1], stride[1], ceil_mode)
    out = np.zeros((c, ho, wo))
    for ch in range(c):
        for r in range(ho):
            for q in range(wo):
                y0, z0 = r * stride[0] - t, q * stride[1] - lf
                y1, z1 = y0 + kernel[0], z0 + kernel[1]
                ys = range(max(y0, 0), min(y1, h))
                zs = range(max(z0, 0), min(z1, wd))
                vals = [x[ch, y, z] for y in ys for z in zs]
                if mode == "max":
                    # padding is -inf, so only real elements can win
                    out[ch, r, q] = max(vals) if vals else -np.inf
                else:
                    if count_include_pad:  # PyTorch: clip to the padded input only
                        div = (min(y1, h + bt) - y0) * (min(z1, wd + rt) - z0)
                    else:
                        div = len(ys) * len(zs)
                    out[ch, r, q] = sum(vals) / div
    return out


# ---------------------------------------------------------------------------------------
# course examples


def test_vertical_edge_detector():
    img = np.zeros((6, 6))
    img[:, :3] = 10
    f = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=float)
    out = ops.conv2d(img[None], f[None, None], None)
    assert out.shape == (1, 4, 4)
    np.testing.assert_array_equal(out[0], [[0, 30, 30, 0]] * 4)


def test_horizontal_edge_detector():
    img = np.zeros((6, 6))
    img[:3, :] = 10
    f = np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], dtype=float)
    out = ops.conv2d(img[None], f[None, None], None)
    np.testing.assert_array_equal(
        out[0], [[0, 0, 0, 0], [30, 30, 30, 30], [30, 30, 30, 30], [0, 0, 0, 0]]
    )


def test_strided_convolution_7x7():
    img = np.array(
        [[3, 0, 1, 2, 2, 7, 4],
         [1, 5, 8, 9, 9, 3, 1],
         [2, 7, 2, 5, 5, 1, 3],
         [0, 1, 3, 1, 1, 7, 8],
         [4, 2, 1, 6, 6, 2, 8],
         [2, 4, 5, 2, 2, 3, 9],
         [1, 3, 4, 5, 7, 8, 3]], dtype=float)
    f = np.array([[0, 0, 0], [1, 0, 2], [-1, 0, 1]], dtype=float)
    out = ops.conv2d(img[None], f[None, None], None, stride=(2, 2))[0]
    assert out.shape == (3, 3)  # (7 - 3)/2 + 1
    np.testing.assert_array_equal(out[0], [17, 29, 9])  # stated in the course
    # Rows 2 and 3 by hand (filter row 0 is zero, so only input rows 2r+1, 2r+2 count):
    #   (1,0): [0,1,3]·[1,0,2] + [4,2,1]·[-1,0,1] = 6 - 3 = 3
    #   (1,1): [3,1,1]·[1,0,2] + [1,6,6]·[-1,0,1] = 5 + 5 = 10
    #   (1,2): [1,7,8]·[1,0,2] + [6,2,8]·[-1,0,1] = 17 + 2 = 19
    #   (2,0): [2,4,5]·[1,0,2] + [1,3,4]·[-1,0,1] = 12 + 3 = 15
    #   (2,1): [5,2,2]·[1,0,2] + [4,5,7]·[-1,0,1] = 9 + 3 = 12
    #   (2,2): [2,3,9]·[1,0,2] + [7,8,3]·[-1,0,1] = 20 - 4 = 16
    np.testing.assert_array_equal(out[1:], [[3, 10, 19], [15, 12, 16]])


def test_max_pool_course_example():
    x = np.array([[1, 3, 2, 4], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)
    out = ops.max_pool2d(x[None], (2, 2), (2, 2))
    np.testing.assert_array_equal(out[0], [[9, 4], [6, 3]])


def test_avg_pool_hand_example():
    x = np.array([[1, 3, 2, 4], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)
    out = ops.avg_pool2d(x[None], (2, 2), (2, 2))
    np.testing.assert_array_equal(out[0], [[15 / 4, 8 / 4], [15 / 4, 8 / 4]])


def test_multichannel_conv_sums_over_channels_and_adds_bias():
    # 3 channels of ones, one 3x3 filter of ones on every channel: 27 per position + bias.
    x = np.ones((3, 5, 5), dtype=np.float32)
    out = ops.conv2d(x, np.ones((2, 3, 3, 3), np.float32), np.array([1, -1], np.float32),
                     padding=(1, 1, 1, 1))
    assert out.shape == (2, 5, 5) and out.dtype == np.float32
    assert out[0, 2, 2] == 28 and out[1, 2, 2] == 26
    assert out[0, 0, 0] == 4 * 3 + 1  # corner sees a 2x2 patch per channel


# ---------------------------------------------------------------------------------------
# PyTorch facts


@pytest.mark.parametrize(
    "n, k, s, p, ceil_mode, expected",
    [
        (112, 3, 2, 1, False, 56),  # ResNet stem max pool: 112 -> 56
        (112, 3, 2, 0, True, 56),  # GoogLeNet maxpool1 (ceil_mode=True)
        (56, 3, 2, 0, True, 28),  # GoogLeNet maxpool2
        (28, 3, 2, 0, True, 14),  # GoogLeNet maxpool3
        (14, 2, 2, 0, True, 7),  # GoogLeNet maxpool4
        (109, 3, 2, 0, True, 54),  # SqueezeNet 1.0: 109 -> 54 -> 27 -> 13
        (54, 3, 2, 0, True, 27),
        (27, 3, 2, 0, True, 13),
        (112, 3, 2, 1, True, 57),  # ceil((112+2-3)/2)+1 = 57; window 56 starts at 112 < 113
        (5, 2, 2, 1, True, 3),  # ceil(5/2)+1 = 4, but window 3 starts at 6 >= 5+1: dropped
        (5, 2, 2, 0, True, 3),  # partial last window kept
        (5, 2, 2, 0, False, 2),
    ],
)
def test_pool_output_sizes(n, k, s, p, ceil_mode, expected):
    x = np.zeros((1, n, n), dtype=np.float32)
    for fn in (ops.max_pool2d, ops.avg_pool2d):
        out = fn(x, (k, k), (s, s), (p, p, p, p), ceil_mode=ceil_mode)
        assert out.shape == (1, expected, expected)


def test_ceil_mode_partial_window_values():
    x = np.arange(1, 6, dtype=float).reshape(1, 1, 5)  # [1 2 3 4 5]
    mx = ops.max_pool2d(x, (1, 2), (1, 2), ceil_mode=True)
    np.testing.assert_array_equal(mx[0, 0], [2, 4, 5])
    # PyTorch divides the partial last window by its size inside the padded input (1).
    av = ops.avg_pool2d(x, (1, 2), (1, 2), ceil_mode=True)
    np.testing.assert_array_equal(av[0, 0], [1.5, 3.5, 5])


def test_avg_pool_count_include_pad():
    x = np.full((1, 2, 2), 4.0)
    inc = ops.avg_pool2d(x, (2, 2), (2, 2), (1, 1, 1, 1))
    exc = ops.avg_pool2d(x, (2, 2), (2, 2), (1, 1, 1, 1), count_include_pad=False)
    np.testing.assert_array_equal(inc[0], [[1, 1], [1, 1]])  # one real 4 over 4 slots
    np.testing.assert_array_equal(exc[0], [[4, 4], [4, 4]])


def test_max_pool_padding_is_minus_infinity():
    x = np.full((1, 2, 2), -5.0)
    out = ops.max_pool2d(x, (2, 2), (2, 2), (1, 1, 1, 1))
    np.testing.assert_array_equal(out[0], [[-5, -5], [-5, -5]])


def test_adaptive_avg_pool_overlapping_bins():
    # 7 -> 3 bins: [0:3], [2:5], [4:7]
    x = np.arange(7, dtype=float).reshape(1, 1, 7)
    out = ops.adaptive_avg_pool2d(x, (1, 3))
    np.testing.assert_allclose(out[0, 0], [1, 3, 5])
    col = np.arange(7, dtype=float).reshape(1, 7, 1)
    np.testing.assert_allclose(ops.adaptive_avg_pool2d(col, (3, 1))[0, :, 0], [1, 3, 5])


def test_adaptive_max_pool_bins():
    # 5 -> 3 bins: [0:2], [1:4], [3:5]
    x = np.array([5, 1, 0, 2, 9], dtype=float).reshape(1, 1, 5)
    np.testing.assert_array_equal(ops.adaptive_max_pool2d(x, (1, 3))[0, 0], [5, 2, 9])


def test_adaptive_pool_to_larger_size_repeats():
    x = np.array([[1.0, 2.0]])[None]  # 1x2 -> 1x4: bins [0:1],[0:1],[1:2],[1:2]
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d(x, (1, 4))[0, 0], [1, 1, 2, 2])


def test_global_pools():
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    g = ops.global_avg_pool(x)
    assert g.shape == (2, 1, 1)
    np.testing.assert_allclose(g[:, 0, 0], [5.5, 17.5])
    np.testing.assert_array_equal(ops.global_max_pool(x)[:, 0, 0], [11, 23])


def test_upsample_nearest_torch_doc_example():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])[None]
    out = ops.upsample(x, (4, 4), "nearest")
    np.testing.assert_array_equal(
        out[0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    )
    # size 3 from 2: src = floor(dst * 2/3) = 0, 0, 1
    np.testing.assert_array_equal(
        ops.upsample(x, (3, 3))[0], [[1, 1, 2], [1, 1, 2], [3, 3, 4]]
    )


def test_upsample_bilinear_torch_doc_example():
    # torch.nn.Upsample(scale_factor=2, mode='bilinear') documentation output
    x = np.array([[1.0, 2.0], [3.0, 4.0]])[None]
    out = ops.upsample_scale(x, (2, 2), "bilinear")
    np.testing.assert_allclose(
        out[0],
        [[1.00, 1.25, 1.75, 2.00],
         [1.50, 1.75, 2.25, 2.50],
         [2.50, 2.75, 3.25, 3.50],
         [3.00, 3.25, 3.75, 4.00]],
    )


def test_upsample_bad_mode():
    with pytest.raises(ValueError):
        ops.upsample(np.zeros((1, 2, 2)), (4, 4), "bicubic")


def test_conv_transpose_hand_examples():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])[None]
    w = np.ones((1, 1, 2, 2))
    # stride 2, 2x2 kernel of ones: every pixel becomes a 2x2 block
    np.testing.assert_array_equal(
        ops.conv_transpose2d(x, w, None, stride=(2, 2))[0],
        [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]],
    )
    # stride 1: overlapping blocks add up
    np.testing.assert_array_equal(
        ops.conv_transpose2d(x, w, None)[0], [[1, 3, 2], [4, 10, 6], [3, 7, 4]]
    )
    # padding 1 crops one pixel from each side
    np.testing.assert_array_equal(
        ops.conv_transpose2d(x, w, np.array([0.5]), padding=(1, 1))[0], [[10.5]]
    )


def test_conv_transpose_torch_doc_shapes():
    # torch docs: Conv2d(16,16,3,stride=2,padding=1) takes 12x12 to 6x6, and
    # ConvTranspose2d(16,16,3,stride=2,padding=1) with output_size 12x12 (output_padding 1)
    # brings it back.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 12, 12)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    h = ops.conv2d(x, w, None, stride=(2, 2), padding=(1, 1, 1, 1))
    assert h.shape == (16, 6, 6)
    up = ops.conv_transpose2d(h, w, None, stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
    assert up.shape == (16, 12, 12)
    # U-Net up-convolution: 2x2 stride 2 doubles the size
    assert ops.conv_transpose2d(x, w[:, :, :2, :2], None, stride=(2, 2)).shape == (16, 24, 24)


def test_conv_transpose_is_adjoint_of_conv():
    # <conv(y, W), x> == <y, conv_transpose(x, W)> for the same weight tensor
    rng = np.random.default_rng(3)
    y = rng.standard_normal((4, 10, 8))  # 10 rows -> 5: output_padding 1 restores 10
    wt = rng.standard_normal((6, 2, 3, 2))  # conv: K=6, C/G=2 (G=2); convT: C=6, K/G=2
    x = ops.conv2d(y, wt, None, stride=(2, 1), padding=(1, 1, 0, 0), dilation=(1, 2), groups=2)
    x2 = rng.standard_normal(x.shape)
    back = ops.conv_transpose2d(x2, wt, None, stride=(2, 1), padding=(1, 0), dilation=(1, 2),
                                groups=2, output_padding=(1, 0))
    assert back.shape == y.shape
    assert math.isclose(float(np.sum(x * x2)), float(np.sum(y * back)), rel_tol=1e-10)


# ---------------------------------------------------------------------------------------
# property tests against the naive loops


@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 4))
    cg = draw(st.integers(1, max(1, 4 // groups)))
    kg = draw(st.integers(1, 6))
    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    f = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pad = tuple(draw(st.integers(0, 3)) for _ in range(4))
    assume(conv_out(h, pad[0], pad[1], f[0], s[0], d[0]) >= 1)
    assume(conv_out(w, pad[2], pad[3], f[1], s[1], d[1]) >= 1)
    workspace = draw(st.sampled_from([1, 100, 2000, ops.DEFAULT_WORKSPACE]))
    seed = draw(st.integers(0, 2**32 - 1))
    bias = draw(st.booleans())
    return groups * cg, h, w, groups * kg, f, s, d, pad, groups, workspace, seed, bias


@PROPERTY
@given(conv_cases())
def test_conv2d_matches_naive(case):
    c, h, w, k, f, s, d, pad, groups, workspace, seed, has_bias = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((c, h, w))
    wt = rng.standard_normal((k, c // groups, *f))
    b = rng.standard_normal(k) if has_bias else None
    got = ops.conv2d(x, wt, b, s, pad, d, groups, workspace_bytes=workspace)
    expected_shape = (k, conv_out(h, pad[0], pad[1], f[0], s[0], d[0]),
                      conv_out(w, pad[2], pad[3], f[1], s[1], d[1]))
    assert got.shape == expected_shape
    np.testing.assert_allclose(got, naive_conv2d(x, wt, b, s, pad, d, groups),
                               rtol=1e-10, atol=1e-10)
    # float32 in, float32 out, same numbers to float32 precision
    got32 = ops.conv2d(x.astype(np.float32), wt.astype(np.float32),
                       None if b is None else b.astype(np.float32), s, pad, d, groups)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, got, rtol=1e-4, atol=1e-4)


@st.composite
def deconv_cases(draw):
    groups = draw(st.integers(1, 3))
    cg = draw(st.integers(1, 2))
    kg = draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    f = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    # PyTorch: output_padding must be smaller than stride or dilation
    op = (draw(st.integers(0, max(s[0], d[0]) - 1)), draw(st.integers(0, max(s[1], d[1]) - 1)))
    assume(deconv_out(h, s[0], p[0], d[0], f[0], op[0]) >= 1)
    assume(deconv_out(w, s[1], p[1], d[1], f[1], op[1]) >= 1)
    workspace = draw(st.sampled_from([1, 500, ops.DEFAULT_WORKSPACE]))
    seed = draw(st.integers(0, 999))
    return groups * cg, h, w, groups * kg, f, s, d, p, op, groups, workspace, seed


@PROPERTY
@given(deconv_cases())
def test_conv_transpose2d_matches_naive(case):
    c, h, w, k, f, s, d, p, op, groups, workspace, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((c, h, w))
    wt = rng.standard_normal((c, k // groups, *f))
    b = rng.standard_normal(k)
    got = ops.conv_transpose2d(x, wt, b, s, p, op, d, groups, workspace_bytes=workspace)
    assert got.shape == (k, deconv_out(h, s[0], p[0], d[0], f[0], op[0]),
                         deconv_out(w, s[1], p[1], d[1], f[1], op[1]))
    np.testing.assert_allclose(got, naive_conv_transpose2d(x, wt, b, s, p, op, d, groups),
                               rtol=1e-10, atol=1e-10)


@st.composite
def pool_cases(draw):
    c = draw(st.integers(1, 4))
    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    # PyTorch allows padding up to half the kernel
    pad = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[0] // 2)),
           draw(st.integers(0, k[1] // 2)), draw(st.integers(0, k[1] // 2)))
    ceil_mode = draw(st.booleans())
    assume(pool_out(h, pad[0], pad[1], k[0], s[0], ceil_mode) >= 1)
    assume(pool_out(w, pad[2], pad[3], k[1], s[1], ceil_mode) >= 1)
    return c, h, w, k, s, pad, ceil_mode, draw(st.booleans()), draw(st.integers(0, 999))


@PROPERTY
@given(pool_cases())
def test_pools_match_naive(case):
    c, h, w, k, s, pad, ceil_mode, include_pad, seed = case
    x = np.random.default_rng(seed).standard_normal((c, h, w))
    shape = (c, pool_out(h, pad[0], pad[1], k[0], s[0], ceil_mode),
             pool_out(w, pad[2], pad[3], k[1], s[1], ceil_mode))
    mx = ops.max_pool2d(x, k, s, pad, ceil_mode)
    assert mx.shape == shape
    np.testing.assert_allclose(mx, naive_pool(x, k, s, pad, ceil_mode, "max"))
    av = ops.avg_pool2d(x, k, s, pad, ceil_mode, count_include_pad=include_pad)
    assert av.shape == shape
    np.testing.assert_allclose(av, naive_pool(x, k, s, pad, ceil_mode, "avg", include_pad),
                               rtol=1e-12, atol=1e-12)


@PROPERTY
@given(st.integers(1, 3), st.integers(1, 12), st.integers(1, 12), st.integers(1, 6),
       st.integers(1, 6), st.integers(0, 999))
def test_adaptive_pools_match_naive(c, h, w, oh, ow, seed):
    x = np.random.default_rng(seed).standard_normal((c, h, w))
    avg, mx = np.zeros((c, oh, ow)), np.zeros((c, oh, ow))
    for i in range(oh):
        y0, y1 = math.floor(i * h / oh), math.ceil((i + 1) * h / oh)
        for j in range(ow):
            z0, z1 = math.floor(j * w / ow), math.ceil((j + 1) * w / ow)
            avg[:, i, j] = x[:, y0:y1, z0:z1].mean(axis=(1, 2))
            mx[:, i, j] = x[:, y0:y1, z0:z1].max(axis=(1, 2))
    np.testing.assert_allclose(ops.adaptive_avg_pool2d(x, (oh, ow)), avg, rtol=1e-12)
    np.testing.assert_array_equal(ops.adaptive_max_pool2d(x, (oh, ow)), mx)


@PROPERTY
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 13), st.integers(1, 13),
       st.integers(0, 999))
def test_upsample_matches_pixel_formulas(h, w, oh, ow, seed):
    x = np.random.default_rng(seed).standard_normal((2, h, w))
    near = np.zeros((2, oh, ow))
    bil = np.zeros((2, oh, ow))

    def taps(dst, n_in, n_out):
        src = max((dst + 0.5) * n_in / n_out - 0.5, 0.0)
        i0 = int(src)
        return i0, min(i0 + 1, n_in - 1), src - i0

    for r in range(oh):
        for q in range(ow):
            near[:, r, q] = x[:, r * h // oh, q * w // ow]
            y0, y1, ly = taps(r, h, oh)
            z0, z1, lz = taps(q, w, ow)
            bil[:, r, q] = ((1 - ly) * ((1 - lz) * x[:, y0, z0] + lz * x[:, y0, z1])
                            + ly * ((1 - lz) * x[:, y1, z0] + lz * x[:, y1, z1]))
    np.testing.assert_array_equal(ops.upsample(x, (oh, ow), "nearest"), near)
    np.testing.assert_allclose(ops.upsample(x, (oh, ow), "bilinear"), bil, rtol=1e-12,
                               atol=1e-12)


# ---------------------------------------------------------------------------------------
# conv special paths and errors


def test_depthwise_and_pointwise_paths_match_naive():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 9, 9))
    for wshape, stride, groups in [
        ((6, 1, 3, 3), (2, 2), 6),  # depthwise
        ((12, 1, 3, 3), (1, 1), 6),  # depthwise, multiplier 2
        ((30, 1, 3, 3), (1, 2), 6),  # multiplier 5: grouped matmul path
        ((5, 6, 1, 1), (1, 1), 1),  # 1x1 stride 1: plain matmul, no copy
        ((4, 3, 1, 1), (1, 1), 2),  # grouped 1x1
        ((5, 6, 1, 1), (2, 2), 1),  # strided 1x1 projection
    ]:
        wt = rng.standard_normal(wshape)
        b = rng.standard_normal(wshape[0])
        got = ops.conv2d(x, wt, b, stride, (0, 0, 0, 0), (1, 1), groups)
        want = naive_conv2d(x, wt, b, stride, (0, 0, 0, 0), (1, 1), groups)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_flat_stride1_path_matches_naive():
    # The flat-shift im2col is normally used only on wide maps; force it on small ones
    # (junk columns, tiles of a few rows, slices running off the end of the input).
    rng = np.random.default_rng(11)
    saved = ops._FLAT_MAX_WASTE
    ops._FLAT_MAX_WASTE = 100.0
    try:
        for _ in range(40):
            groups = int(rng.integers(1, 3))
            c, k = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 4))
            h, w = (int(v) for v in rng.integers(1, 10, size=2))
            f = tuple(int(v) for v in rng.integers(1, 4, size=2))
            d = tuple(int(v) for v in rng.integers(1, 3, size=2))
            pad = tuple(int(v) for v in rng.integers(0, 3, size=4))
            if min(conv_out(h, pad[0], pad[1], f[0], 1, d[0]),
                   conv_out(w, pad[2], pad[3], f[1], 1, d[1])) < 1:
                continue
            x = rng.standard_normal((c, h, w))
            wt = rng.standard_normal((k, c // groups, *f))
            b = rng.standard_normal(k) if rng.random() < 0.5 else None
            row_bytes = (w + pad[2] + pad[3]) * c * f[0] * f[1] * x.itemsize
            for workspace in (row_bytes, 2 * row_bytes, ops.DEFAULT_WORKSPACE):
                got = ops.conv2d(x, wt, b, (1, 1), pad, d, groups, workspace_bytes=workspace)
                want = naive_conv2d(x, wt, b, (1, 1), pad, d, groups)
                np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    finally:
        ops._FLAT_MAX_WASTE = saved


def test_conv_integer_input_gives_float64():
    out = ops.conv2d(np.ones((1, 3, 3), dtype=int), np.ones((1, 1, 2, 2), dtype=int), None)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[0], [[4, 4], [4, 4]])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"groups": 3},  # does not divide 4 channels
        {"padding": (0, 0, 0, 0), "dilation": (3, 3)},  # kernel extent 7 > 5
        {"stride": (0, 1)},
    ],
)
def test_conv2d_rejects_impossible(kwargs):
    with pytest.raises(ValueError):
        ops.conv2d(np.zeros((4, 5, 5)), np.zeros((2, 4, 3, 3)), None, **kwargs)


def test_pool_rejects_kernel_larger_than_input():
    with pytest.raises(ValueError):
        ops.max_pool2d(np.zeros((1, 2, 2)), (3, 3), (1, 1))


# ---------------------------------------------------------------------------------------
# dense, reshaping, normalisation, activations


def test_flatten_is_chw_c_order():
    x = np.arange(12).reshape(3, 2, 2)  # channel 0 first, then its rows
    np.testing.assert_array_equal(ops.flatten(x), np.arange(12))


def test_dense_hand_example_and_flattening():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(ops.dense(np.array([1.0, 1.0]), w, np.array([0.5, 0])),
                                  [3.5, 7])
    x = np.arange(4.0).reshape(1, 2, 2)
    np.testing.assert_array_equal(ops.dense(x, np.ones((3, 4)), None), [6, 6, 6])
    with pytest.raises(ValueError):
        ops.dense(np.ones(3), np.ones((2, 4)))


def test_batchnorm_hand_example():
    x = np.array([[[1.0, 3.0]], [[5.0, 7.0]]])  # 2 channels, 1x2
    out = ops.batchnorm(x, gamma=np.array([2.0, 1.0]), beta=np.array([0.0, 1.0]),
                        mean=np.array([1.0, 6.0]), var=np.array([4.0, 1.0]), eps=0.0)
    # ch0: (x-1)/2*2 = [0, 2]; ch1: (x-6)/1*1 + 1 = [0, 2]
    np.testing.assert_allclose(out, [[[0, 2]], [[0, 2]]])
    v = ops.batchnorm(np.array([2.0, 4.0]), np.ones(2), np.zeros(2), np.array([1.0, 1.0]),
                      np.array([1.0, 9.0]), eps=0.0)
    np.testing.assert_allclose(v, [1.0, 1.0])
    g, b, m, var = W.batchnorm_identity(3)
    x32 = np.ones((3, 2, 2), np.float32)
    np.testing.assert_allclose(ops.batchnorm(x32, g, b, m, var), x32, rtol=1e-5)


def test_lrn_hand_example():
    x = np.array([1.0, 2.0, 3.0]).reshape(3, 1, 1)
    # size 2: window [c-1, c]; alpha/size = 1, beta = 1, k = 1
    out = ops.local_response_norm(x, size=2, alpha=2.0, beta=1.0, k=1.0)
    np.testing.assert_allclose(out[:, 0, 0], [1 / 2, 2 / 6, 3 / 14])
    # size 3: window [c-1, c+1]; alpha/size = 1
    out = ops.local_response_norm(x, size=3, alpha=3.0, beta=1.0, k=1.0)
    np.testing.assert_allclose(out[:, 0, 0], [1 / 6, 2 / 15, 3 / 14])


def test_lrn_defaults_match_definition():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 3, 3)) * 10
    n, a, bta, kk = 5, 1e-4, 0.75, 1.0
    want = np.empty_like(x)
    for ch in range(7):
        lo, hi = max(0, ch - n // 2), min(7, ch + (n - 1) // 2 + 1)
        want[ch] = x[ch] / (kk + a / n * (x[lo:hi] ** 2).sum(axis=0)) ** bta
    np.testing.assert_allclose(ops.local_response_norm(x), want, rtol=1e-12)


def test_activations_values():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 7.0])
    np.testing.assert_array_equal(ops.relu(x), [0, 0, 0, 0.5, 7])
    np.testing.assert_array_equal(ops.relu6(x), [0, 0, 0, 0.5, 6])
    np.testing.assert_allclose(ops.leaky_relu(x, 0.1), [-0.2, -0.05, 0, 0.5, 7])
    np.testing.assert_allclose(ops.elu(x), [math.exp(-2) - 1, math.exp(-0.5) - 1, 0, 0.5, 7])
    np.testing.assert_allclose(ops.tanh(x), np.tanh(x))
    np.testing.assert_allclose(ops.sigmoid(x), [1 / (1 + math.exp(-v)) for v in x])
    exact_gelu = [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x]
    np.testing.assert_allclose(ops.gelu(x), exact_gelu, atol=1e-3)  # tanh approximation
    assert ops.identity(x) is x and ops.dropout(x) is x


def test_activations_are_stable_at_extremes():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], dtype=np.float32)
    s = ops.sigmoid(x)
    assert s.dtype == np.float32 and np.all(np.isfinite(s))
    assert s[0] == 0 and s[-1] == 1 and s[2] == 0.5
    e = ops.elu(x)
    assert np.all(np.isfinite(e)) and e[-1] == 1e4 and e[0] == -1
    assert np.all(np.isfinite(ops.gelu(x)))
    sm = ops.softmax(np.array([1000.0, 1000.0, -1000.0]))
    np.testing.assert_allclose(sm, [0.5, 0.5, 0])


def test_softmax_over_channels():
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    sm = ops.softmax(x)
    np.testing.assert_allclose(sm.sum(axis=0), np.ones((2, 3)))
    np.testing.assert_allclose(sm[:, 1, 2], np.exp(x[:, 1, 2]) / np.exp(x[:, 1, 2]).sum())


def test_geometry_helpers():
    x = np.arange(25.0).reshape(1, 5, 5)
    p = ops.zeropad(x, (1, 0, 2, 3))
    assert p.shape == (1, 6, 10) and p[0, 0].sum() == 0 and p[0, 1, 2] == 0 and p[0, 1, 3] == 1
    c = ops.crop(x, (1, 2, 0, 1))
    assert c.shape == (1, 2, 4)
    np.testing.assert_array_equal(c[0, 0], [5, 6, 7, 8])
    # 5 -> 2: difference 3, one pixel off the top/left, two off the bottom/right
    cc = ops.center_crop(x, (2, 2))
    np.testing.assert_array_equal(cc[0], [[6, 7], [11, 12]])
    with pytest.raises(ValueError):
        ops.crop(x, (3, 2, 0, 0))
    np.testing.assert_array_equal(ops.add(x, x), 2 * x)
    with pytest.raises(ValueError):
        ops.add(x, x[:, :4])
    cat = ops.concat_channels([x, 2 * x, x[[0, 0]]])
    assert cat.shape == (4, 5, 5)
    with pytest.raises(ValueError):
        ops.concat_channels([x, x[:, :4]])


# ---------------------------------------------------------------------------------------
# weights


def test_dense_random_equals_full_matrix_and_ignores_chunking():
    x = W.random_input(W.make_rng(5), (3, 4, 5))
    full_rng = W.make_rng(9)
    sequence = W.uniform(full_rng, 60 + 37 - 1, 60)
    wfull = np.array([sequence[i:i + 60] for i in range(37)])  # row i: a shifted window
    bfull = W.uniform(full_rng, 37, 60)
    want = wfull @ x.reshape(-1) + bfull
    for chunk in (1, 60 * 4 * 5, W.DEFAULT_CHUNK):
        got = W.dense_random(x, 37, True, W.make_rng(9), chunk_bytes=chunk)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_conv_random_ignores_chunking():
    x = W.random_input(W.make_rng(1), (6, 7, 7))
    kw = dict(padding=(1, 1, 1, 1), groups=3)
    ref = W.conv2d_random(x, 9, (3, 3), W.make_rng(2), **kw)
    assert ref.shape == (9, 7, 7)
    # One filter at a time; several whole groups at a time. The same weights either way; the
    # BLAS may sum a different-sized product in another order, so equal up to float32 rounding.
    for chunk in (1, 4 * 18 * 4):
        np.testing.assert_allclose(
            W.conv2d_random(x, 9, (3, 3), W.make_rng(2), chunk_bytes=chunk, **kw), ref,
            rtol=1e-6, atol=1e-6)
    t_ref = W.conv_transpose2d_random(x, 4, (2, 2), W.make_rng(2), stride=(2, 2), groups=2)
    assert t_ref.shape == (4, 14, 14)
    t_small = W.conv_transpose2d_random(x, 4, (2, 2), W.make_rng(2), stride=(2, 2), groups=2,
                                        chunk_bytes=1)
    np.testing.assert_allclose(t_small, t_ref, rtol=1e-5, atol=1e-6)


def test_weights_scale_and_seed():
    w = W.uniform(W.make_rng(0), (200, 500), 500)
    assert w.dtype == np.float32
    assert abs(float(w.std()) - math.sqrt(1 / 500)) < 0.05 * math.sqrt(1 / 500)
    np.testing.assert_array_equal(W.uniform(W.make_rng(0), 10, 3), W.uniform(W.make_rng(0), 10, 3))


def test_deep_stack_stays_finite():
    # ~150 conv + identity-batchnorm + relu layers, with residual sums, LRN and a softmax:
    # nothing may overflow or vanish to exactly zero.
    rng = W.make_rng(0)
    x = W.random_input(rng, (8, 6, 6))
    bn = W.batchnorm_identity(8)
    for i in range(150):
        y = W.conv2d_random(x, 8, (3, 3), rng, padding=(1, 1, 1, 1), bias=(i % 2 == 0))
        y = ops.relu(ops.batchnorm(y, *bn))
        x = ops.add(x, y) if i % 3 == 0 else y
    x = ops.local_response_norm(x)
    v = W.dense_random(x, 10, True, rng)
    assert np.all(np.isfinite(x)) and np.abs(x).max() > 0
    assert np.all(np.isfinite(ops.softmax(v)))
