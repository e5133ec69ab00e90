"""Per-layer figures against the course's worked examples (SPEC §3)."""

import pytest

import cnncalc
from cnncalc.engine.layers import AvgPool, Conv, ConvTranspose, Dense, MaxPool


def conv(**options):
    defaults = dict(filters=1, kernel=(1, 1), stride=(1, 1), padding=(0, 0, 0, 0),
                    dilation=(1, 1), groups=1, depthwise=False, bias=True)
    defaults.update(options)
    return Conv("conv", **defaults)


def figures(layer, shape):
    out = layer.output_shape(shape)
    counts = layer.counts(shape, out)
    neurons = 1
    for size in out:
        neurons *= size
    return out, counts, neurons


def test_comp9444_six_filters():
    layer = conv(filters=6, kernel=(5, 5))
    out, counts, neurons = figures(layer, (32, 32, 3))
    assert out == (28, 28, 6)
    assert layer.inputs_per_neuron((32, 32, 3)) + 1 == 76
    assert neurons == 4_704
    assert counts.connections == 357_504
    assert counts.params == 456


def test_ten_filters_padding_two():
    out, counts, _ = figures(conv(filters=10, kernel=(5, 5), padding=(2, 2, 2, 2)), (32, 32, 3))
    assert out == (32, 32, 10)
    assert counts.params == 760


def test_alexnet_conv1():
    out, counts, neurons = figures(conv(filters=96, kernel=(11, 11), stride=(4, 4)),
                                   (227, 227, 3))
    assert out == (55, 55, 96)
    assert (counts.weights, counts.biases, counts.params) == (34_848, 96, 34_944)
    assert neurons == 290_400
    assert counts.connections == 105_705_600


def test_lenet_conv1_connections_lecun():
    _, counts, _ = figures(conv(filters=6, kernel=(5, 5)), (32, 32, 1))
    assert counts.connections == 122_304  # LeCun et al. 1998: 4,704 × 26


def test_hundred_three_by_three_filters():
    _, counts, _ = figures(conv(filters=100, kernel=(3, 3), padding=(1, 1, 1, 1)), (8, 8, 3))
    assert counts.params == (27 + 1) * 100 == 2_800


def test_max_pool_alexnet():
    pool = MaxPool("pool", kernel=(3, 3), stride=(2, 2), padding=(0, 0, 0, 0), ceil_mode=False)
    out, counts, _ = figures(pool, (55, 55, 96))
    assert out == (27, 27, 96)
    assert counts.params == 0
    assert counts.connections == 27 * 27 * 96 * 9


def test_avg_pool_defaults_stride_to_kernel():
    pool = AvgPool("pool", kernel=(2, 2), padding=(0, 0, 0, 0), ceil_mode=False)
    assert pool.output_shape((28, 28, 6)) == (14, 14, 6)


def test_depthwise_mobilenet():
    # torchvision MobileNet-v2 features.1.conv.0.0: 3×3 depthwise on 112×112×32, no bias: 288
    layer = conv(kernel=(3, 3), padding=(1, 1, 1, 1), depthwise=True, filters=None, bias=False)
    out, counts, _ = figures(layer, (112, 112, 32))
    assert out == (112, 112, 32)
    assert counts.params == 288
    assert counts.macs == 112 * 112 * 32 * 9


def test_grouped_conv_alexnet_two_gpu():
    # Original two-GPU AlexNet conv2: 5×5, 256 filters in 2 groups on 27×27×96:
    # 5·5·48·256 + 256 = 307,456 (Krizhevsky et al. 2012)
    _, counts, _ = figures(conv(filters=256, kernel=(5, 5), padding=(2, 2, 2, 2), groups=2),
                           (27, 27, 96))
    assert counts.params == 307_456


def test_groups_must_divide():
    with pytest.raises(cnncalc.ShapeError, match="groups=3 does not divide 256"):
        conv(filters=384, kernel=(3, 3), groups=3).output_shape((13, 13, 256))


def test_kernel_larger_than_padded_input():
    with pytest.raises(cnncalc.ShapeError, match="larger than the padded input"):
        conv(filters=4, kernel=(7, 7)).output_shape((5, 5, 3))


def test_transposed_conv_unet():
    # U-Net up-conv 2×2/2, 1024 → 512 on 28×28: weights 1024·512·4, MACs per input pixel
    layer = ConvTranspose("up", filters=512, kernel=(2, 2), stride=(2, 2), padding=(0, 0),
                          output_padding=(0, 0), dilation=(1, 1), groups=1, bias=True)
    out, counts, _ = figures(layer, (28, 28, 1024))
    assert out == (56, 56, 512)
    assert counts.params == 1024 * 512 * 4 + 512
    assert counts.macs == 28 * 28 * 1024 * 4 * 512


def test_dense_flattens_and_says_so():
    layer = Dense("fc6", units=4096, bias=True)
    out, counts, _ = figures(layer, (6, 6, 256))
    assert out == (4096,)
    assert counts.params == 9216 * 4096 + 4096
    assert layer.notes((6, 6, 256)) == ["flattens 6×6×256 → 9216"]
