"""Shape formulas against textbook and framework-documented values."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.engine.shapes import (
    adaptive_cells,
    adaptive_widest,
    conv_out,
    parse_shape,
    pool_out,
    same_padding,
    shape_str,
    transpose_out,
)
from cnncalc.errors import SpecError


@pytest.mark.parametrize("size, kernel, stride, pad, expected", [
    (32, 5, 1, 0, 28),     # COMP9444: 32×32×3, 5×5 filters → 28×28
    (32, 5, 1, 2, 32),     # same, padding 2 keeps 32
    (227, 11, 4, 0, 55),   # AlexNet conv1
    (224, 11, 4, 0, 54),   # AlexNet on 224: 54.25 floored
    (224, 11, 4, 2, 55),   # another course's AlexNet: padding 2
    (7, 3, 1, 0, 5),       # CS231n 7×7 input, 3×3 filter
    (7, 3, 2, 0, 3),
    (7, 3, 3, 0, 2),       # 2.33 floored: does not fit
    (7, 3, 1, 1, 7),
    (224, 7, 2, 3, 112),   # ResNet stem
])
def test_conv_out_course_examples(size, kernel, stride, pad, expected):
    assert conv_out(size, kernel, stride, pad, pad) == expected


def test_dilation_widens_the_kernel():
    # A 3×3 kernel with dilation 2 spans 5 pixels (PyTorch Conv2d docs formula).
    assert conv_out(32, 3, 1, 0, 0, dilation=2) == 28


@pytest.mark.parametrize("size, kernel, stride, pad, ceil, expected", [
    (55, 3, 2, 0, False, 27),   # AlexNet pool1
    (112, 3, 2, 0, True, 56),   # GoogLeNet maxpool1, ceil_mode (torchvision)
    (112, 3, 2, 1, False, 56),  # ResNet maxpool
    (5, 2, 2, 1, True, 3),      # ceil_mode window starting in the padding is dropped
    (4, 2, 2, 0, False, 2),
])
def test_pool_out(size, kernel, stride, pad, ceil, expected):
    assert pool_out(size, kernel, stride, pad, pad, ceil) == expected


@pytest.mark.parametrize("size, kernel, stride, pad, out_pad, dilation, expected", [
    (28, 2, 2, 0, 0, 1, 56),   # U-Net up-convolution doubles the size
    (7, 3, 2, 1, 1, 1, 14),    # the usual "undo a stride-2 3×3" setting
    (5, 3, 1, 0, 0, 1, 7),
])
def test_transpose_out(size, kernel, stride, pad, out_pad, dilation, expected):
    assert transpose_out(size, kernel, stride, pad, out_pad, dilation) == expected


@pytest.mark.parametrize("size, kernel, stride, expected", [
    (224, 3, 2, (0, 1)),   # TensorFlow: out 112, total padding 1, odd pixel bottom/right
    (224, 3, 1, (1, 1)),
    (5, 1, 2, (0, 0)),
    (227, 11, 4, (4, 4)),  # ⌈227/4⌉ = 57; total (57−1)·4 + 11 − 227 = 8
])
def test_same_padding(size, kernel, stride, expected):
    assert same_padding(size, kernel, stride) == expected


@given(size=st.integers(1, 500), half=st.integers(0, 5))
def test_odd_kernel_stride_one_half_padding_keeps_the_size(size, half):
    kernel = 2 * half + 1
    assert conv_out(size, kernel, 1, half, half) == size


@given(size=st.integers(1, 500), kernel=st.integers(1, 9), stride=st.integers(1, 5))
def test_same_padding_gives_ceil(size, kernel, stride):
    before, after = same_padding(size, kernel, stride)
    assert conv_out(size, kernel, stride, before, after) == -(-size // stride)
    assert after - before in (0, 1)


@pytest.mark.parametrize("text, shape", [
    ("227x227x3", (227, 227, 3)), ("227×227×3", (227, 227, 3)), ("32 x 32 x 1", (32, 32, 1)),
    (784, (784,)), ({"height": 4, "width": 5, "channels": 6}, (4, 5, 6)),
])
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("bad", ["1x2x32x32x3", "0x4x4", "axbxc", True, 2.5, -3, {"height": 3}])
def test_parse_shape_rejects(bad):
    with pytest.raises(SpecError):
        parse_shape(bad)


def test_shape_str_orders():
    assert shape_str((55, 55, 96)) == "55x55x96"
    assert shape_str((55, 55, 96), chw=True, times="×") == "96×55×55"
    assert shape_str((4096,)) == "4096"


@given(st.integers(1, 200), st.integers(1, 200))
def test_adaptive_bins_in_closed_form_match_a_loop_over_pytorchs_bins(size, out):
    """PyTorch's bins [⌊iH/o⌋, ⌈(i+1)H/o⌉), enumerated here, against the closed forms."""
    lengths = [-(-(i + 1) * size // out) - (i * size // out) for i in range(out)]
    assert adaptive_cells(size, out) == sum(lengths)
    assert adaptive_widest(size, out) == max(lengths)
