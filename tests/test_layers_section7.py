"""The layer types SPEC §7 added: one table of (entry, input, output, params, buffers, MACs).

Every expected figure is written out from the PyTorch/ONNX documentation formula named on
its line, never taken from cnncalc; both referees (the probe and the full NumPy pass) must
agree with every row, and the §7 fixes (ceil-mode overhang) are checked on the built-ins.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.engine.layers import CATALOG
from cnncalc.reference.verify import probe_analysis, verify_analysis

C = 8  # input channels of most rows: 16×16×8

# (entry, input, output, params, buffers, MACs)
TABLE = [
    # Activations: elementwise, no parameters (nn.SiLU, Hardswish, Hardsigmoid, Mish, SELU,
    # Softplus, LogSoftmax docs: "Output: (*), same shape as the input").
    ("silu", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("swish", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("hardswish", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("hardsigmoid", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("mish", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("selu", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("softplus", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("logsoftmax", "10", (10,), 0, 0, 0),
    # nn.PReLU(num_parameters=1) by default, or num_parameters = C: weight of that size.
    ("prelu", "16x16x8", (16, 16, 8), 1, 0, 0),
    ("prelu: {channels: all}", "16x16x8", (16, 16, 8), C, 0, 0),
    # LayerNorm over C (elementwise_affine: weight and bias of C each); GroupNorm(G, C):
    # weight and bias of C; InstanceNorm2d: affine=False, track_running_stats=False by
    # default, else weight+bias C and running_mean+running_var C (buffers).
    ("layernorm", "16x16x8", (16, 16, 8), 2 * C, 0, 0),
    ("layernorm: {affine: false}", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("layernorm", "10", (10,), 2 * 10, 0, 0),
    ("groupnorm: {groups: 4}", "16x16x8", (16, 16, 8), 2 * C, 0, 0),
    ("groupnorm: {groups: 8, affine: false}", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("instancenorm", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("instancenorm: {affine: true}", "16x16x8", (16, 16, 8), 2 * C, 0, 0),
    ("instancenorm: {track_running_stats: true}", "16x16x8", (16, 16, 8), 0, 2 * C, 0),
    # Layer scale: a learnable γ of C (ConvNeXt's layer_scale), an elementwise product.
    ("layerscale", "16x16x8", (16, 16, 8), C, 0, 0),
    ("layerscale: {init: 0.1}", "7x7x768", (7, 7, 768), 768, 0, 0),
    ("droppath: {rate: 0.2}", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("stochasticdepth: {rate: 0.2}", "16x16x8", (16, 16, 8), 0, 0, 0),
    # nn.ChannelShuffle: same shape; slice: (stop − start) channels.
    ("channelshuffle: {groups: 2}", "16x16x8", (16, 16, 8), 0, 0, 0),
    ("slice: {channels: [2, 7]}", "16x16x8", (16, 16, 5), 0, 0, 0),
    ("slice: {channels: [0, 8]}", "16x16x8", (16, 16, 8), 0, 0, 0),
    # nn.PixelShuffle(r): (C·r², H, W) → (C, H·r, W·r); PixelUnshuffle the inverse.
    ("pixelshuffle: {factor: 2}", "16x16x8", (32, 32, 8 // 2**2), 0, 0, 0),
    ("depthtospace: {factor: 3}", "5x7x18", (15, 21, 18 // 3**2), 0, 0, 0),
    ("pixelunshuffle: {factor: 2}", "16x16x8", (8, 8, 8 * 2**2), 0, 0, 0),
    ("spacetodepth: {factor: 4}", "12x8x3", (3, 2, 3 * 4**2), 0, 0, 0),
    # nn.LPPool2d: as AvgPool2d without padding: ⌊(H − k)/s⌋ + 1, ceil mode ⌈…⌉ + 1.
    ("lppool: {p: 2, kernel: 2}", "16x16x8", ((16 - 2) // 2 + 1,) * 2 + (8,), 0, 0, 0),
    ("lppool: {p: 3, kernel: 3, stride: 2}", "16x16x8", ((16 - 3) // 2 + 1,) * 2 + (8,), 0, 0,
     0),
    ("lppool: {p: 1, kernel: 3, stride: 2, ceil_mode: true}", "16x16x8",
     (-(-(16 - 3) // 2) + 1,) * 2 + (8,), 0, 0, 0),
    # nn.MaxPool2d with dilation: ⌊(H + 2P − D(k − 1) − 1)/S⌋ + 1.
    ("maxpool: {kernel: 3, stride: 1, dilation: 2}", "16x16x8",
     ((16 - 2 * 2 - 1) // 1 + 1,) * 2 + (8,), 0, 0, 0),
    ("maxpool: {kernel: 2, stride: 2, padding: 1, dilation: [2, 3]}", "15x15x8",
     ((15 + 2 - 2 * 1 - 1) // 2 + 1, (15 + 2 - 3 * 1 - 1) // 2 + 1, 8), 0, 0, 0),
    # PyTorch MaxPool2d(3, 2, ceil_mode=True) on 2×2: ⌈(2 − 3)/2⌉ + 1 = 1 (the overhang).
    ("maxpool: {kernel: 3, stride: 2, ceil_mode: true}", "2x2x8", (1, 1, 8), 0, 0, 0),
    ("avgpool: {kernel: 3, stride: 2, ceil_mode: true}", "2x2x8", (1, 1, 8), 0, 0, 0),
    # Keras Conv2DTranspose: 'valid' → H·S + max(F − S, 0), 'same' → H·S. Weights
    # C·K·F², MACs = input elements × K·F² (SPEC §3), bias K.
    ("convtranspose: {filters: 4, kernel: 3, stride: 2, padding: valid}", "5x5x8",
     (5 * 2 + 1, 5 * 2 + 1, 4), 8 * 4 * 9 + 4, 0, 5 * 5 * 8 * 4 * 9),
    ("convtranspose: {filters: 4, kernel: 2, stride: 3, padding: valid}", "5x5x8",
     (5 * 3, 5 * 3, 4), 8 * 4 * 4 + 4, 0, 5 * 5 * 8 * 4 * 4),
    ("convtranspose: {filters: 4, kernel: 3, stride: 2, padding: same}", "5x5x8",
     (10, 10, 4), 8 * 4 * 9 + 4, 0, 5 * 5 * 8 * 4 * 9),
    ("convtranspose: {filters: 4, kernel: 4, padding: same, bias: false}", "5x6x8",
     (5, 6, 4), 8 * 4 * 16, 0, 5 * 6 * 8 * 4 * 16),
]


def _spec(entry: str, shape: str) -> str:
    return f"name: t\ninput: {shape}\nlayers:\n  - {entry}\n"


@pytest.mark.parametrize("entry, shape, output, params, buffers, macs", TABLE,
                         ids=[f"{row[0]}@{row[1]}" for row in TABLE])
def test_section7_layer_table(entry, shape, output, params, buffers, macs):
    analysis = cnncalc.analyze(cnncalc.loads(_spec(entry, shape)))
    (row,) = analysis.rows
    assert (row.output, row.params, row.buffers, row.macs) == (output, params, buffers, macs)
    # SPEC §3 connections: pooling neurons × Fh·Fw; convtranspose its MACs (+ neurons with a
    # bias); every other type here is elementwise: neurons.
    if row.type in ("lppool", "maxpool", "avgpool"):
        kernel_h, kernel_w = row.layer.kernel
        assert row.connections == row.neurons * kernel_h * kernel_w
    elif row.type == "convtranspose":
        assert row.connections == macs + (0 if "bias: false" in entry else row.neurons)
    else:
        assert row.connections == row.neurons
    assert row.weights == (params - (0 if "bias: false" in entry else output[-1])
                           if row.type == "convtranspose" else 0)
    for verification in (verify_analysis(analysis), probe_analysis(analysis)):
        assert verification.ok, [r.verify_note for r in verification.mismatches]
        assert verification.checked == 1


def test_the_table_covers_every_section7_type():
    new = {"silu", "hardswish", "hardsigmoid", "mish", "selu", "softplus", "logsoftmax",
           "prelu", "layernorm", "groupnorm", "instancenorm", "layerscale", "droppath",
           "channelshuffle", "slice", "pixelshuffle", "pixelunshuffle", "lppool"}
    assert new <= set(CATALOG)
    used = {cnncalc.analyze(cnncalc.loads(_spec(entry, shape))).rows[0].type
            for entry, shape, *_ in TABLE}
    assert new <= used


@pytest.mark.parametrize("layer", ["layernorm", "groupnorm: {groups: 2}", "instancenorm",
                                   "layerscale", "prelu", "batchnorm"])
def test_activation_on_parametrised_layers(layer):
    text = _spec(layer.replace("}", ", activation: silu}") if "{" in layer
                 else f"{layer}: {{activation: silu}}", "8x8x4")
    rows = cnncalc.analyze(cnncalc.loads(text)).rows
    assert [row.type for row in rows] == [rows[0].type, "silu"]


@pytest.mark.parametrize("name, size", [("googlenet", "15x15x3"), ("squeezenet1_0", "21x21x3")])
def test_ceil_mode_overhang_on_builtins_verifies_in_both_referees(name, size):
    """Their ceil-mode 3×3/2 pools meet a 2×2 map: PyTorch gives 1×1, so must everything."""
    analysis = cnncalc.analyze(cnncalc.load(name), input=cnncalc.parse_shape(size))
    overhangs = [row for row in analysis.rows
                 if row.type == "maxpool" and row.input[:2] == (2, 2)
                 and row.layer.stride == (2, 2)]
    assert overhangs and all(row.output[:2] == (1, 1) for row in overhangs)
    for verification in (verify_analysis(analysis), probe_analysis(analysis)):
        assert verification.ok and verification.checked == len(analysis.rows)


def test_ceil_mode_output_below_one_is_still_an_error():
    # ⌈(1 − 3)/2⌉ + 1 = 0 in PyTorch too ("Output size is too small").
    with pytest.raises(cnncalc.ShapeError, match="no maxpool window fits"):
        cnncalc.analyze(cnncalc.loads(_spec("maxpool: {kernel: 3, stride: 2, ceil_mode: true}",
                                            "1x1x3")))


# -- property: whatever the options, the formulas and both referees agree (or it is refused) --

ENTRIES = st.one_of(
    st.builds(lambda g: f"groupnorm: {{groups: {g}}}", st.integers(1, 9)),
    st.builds(lambda g: f"channelshuffle: {{groups: {g}}}", st.integers(1, 9)),
    st.builds(lambda a, b: f"slice: {{channels: [{a}, {b}]}}", st.integers(0, 9),
              st.integers(0, 12)),
    st.builds(lambda r: f"pixelshuffle: {{factor: {r}}}", st.integers(1, 3)),
    st.builds(lambda r: f"pixelunshuffle: {{factor: {r}}}", st.integers(1, 4)),
    st.builds(lambda k, s, c: f"lppool: {{p: 2, kernel: {k}, stride: {s}, ceil_mode: {c}}}",
              st.integers(1, 5), st.integers(1, 4), st.sampled_from(["true", "false"])),
    st.builds(lambda k, s, p, d, c: f"maxpool: {{kernel: {k}, stride: {s}, padding: {p}, "
              f"dilation: {d}, ceil_mode: {c}}}", st.integers(1, 5), st.integers(1, 4),
              st.integers(0, 2), st.integers(1, 3), st.sampled_from(["true", "false"])),
    st.builds(lambda k, s, d, p: f"convtranspose: {{filters: 2, kernel: {k}, stride: {s}, "
              f"dilation: {d}, padding: {p}}}", st.integers(1, 5), st.integers(1, 4),
              st.integers(1, 2), st.sampled_from(["same", "valid", "0", "1"])),
    st.builds(lambda k, s, d: f"conv: {{filters: 2, kernel: {k}, stride: {s}, dilation: {d}}}",
              st.integers(1, 4), st.integers(1, 6), st.integers(1, 3)),
    st.sampled_from(["silu", "mish", "prelu: {channels: all}", "layernorm", "instancenorm",
                     "layerscale", "logsoftmax", "droppath: {rate: 0.3}"]),
)


@settings(max_examples=150, deadline=None)
@given(entries=st.lists(ENTRIES, min_size=1, max_size=3), height=st.integers(1, 13),
       width=st.integers(1, 13), channels=st.integers(1, 12))
def test_random_section7_layers_agree_with_both_referees(entries, height, width, channels):
    text = f"input: {height}x{width}x{channels}\nlayers:\n" + "".join(
        f"  - {entry}\n" for entry in entries)
    try:
        analysis = cnncalc.analyze(cnncalc.loads(text))
    except cnncalc.CnnCalcError:
        # refused with a message (test_bad_input covers the wording); Hypothesis' filter
        # health check fails the test if most cases end here
        assume(False)
    for verification in (verify_analysis(analysis), probe_analysis(analysis)):
        assert verification.ok, (text, [r.verify_note for r in verification.mismatches])
        assert verification.checked == len(analysis.rows)
    for row in analysis.rows:  # windows: the unread rows agree with a naive scan over the
        # windows the referees counted (the output size)
        for index, axis in enumerate(row.layer.axis_fits(row.input) if row.layer else []):
            windows = row.output[index]
            read = {i * axis.stride + k * axis.dilation - axis.pad_before
                    for i in range(windows) for k in range(axis.kernel)}
            assert [r for run in axis.unread() for r in run] == [
                r for r in range(axis.size) if r not in read], text



@pytest.mark.parametrize("entry, shape, output, params, buffers, macs", TABLE,
                         ids=[f"{row[0]}@{row[1]}" for row in TABLE])
def test_section7_rows_in_pytorch(entry, shape, output, params, buffers, macs):
    """With PyTorch installed, the exported module of each row has the table's output shape,
    parameters and buffers (PyTorch's own modules decide)."""
    torch = pytest.importorskip("torch")
    from cnncalc.interop.layout import onnx_dims
    from cnncalc.interop.pytorch_export import class_name, export_pytorch

    analysis = cnncalc.analyze(cnncalc.loads(_spec(entry, shape)))
    namespace: dict = {}
    exec(compile(export_pytorch(analysis), "<row>", "exec"), namespace)  # noqa: S102
    net = namespace[class_name(analysis.name)]().eval()
    assert sum(p.numel() for p in net.parameters()) == params
    assert sum(b.numel() for name, b in net.named_buffers()
               if not name.endswith("num_batches_tracked")) == buffers
    with torch.no_grad():
        out = net(torch.randn(onnx_dims(analysis.input)))
    assert list(out.shape) == onnx_dims(output)


@pytest.mark.parametrize("entry, shape, output, params, buffers, macs", TABLE,
                         ids=[f"{row[0]}@{row[1]}" for row in TABLE])
def test_section7_rows_in_onnxruntime(entry, shape, output, params, buffers, macs):
    """The exported ONNX model of each row runs in onnxruntime to the table's output shape,
    and ONNX's own shape inference agrees (--verify onnx)."""
    onnxruntime = pytest.importorskip("onnxruntime")
    import numpy as np

    from cnncalc.interop.layout import onnx_dims
    from cnncalc.interop.onnx_export import export_onnx
    from cnncalc.interop.referee import verify_onnx

    analysis = cnncalc.analyze(cnncalc.loads(_spec(entry, shape)))
    assert verify_onnx(analysis).ok
    session = onnxruntime.InferenceSession(export_onnx(analysis).SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    image = np.random.default_rng(0).standard_normal(onnx_dims(analysis.input), dtype=np.float32)
    (out,) = session.run(None, {"input": image})
    assert list(out.shape) == onnx_dims(output)



# SPEC §8: the §7 types in 1-D and 3-D (pixel shuffles too for the referees; their exports
# are refused outside 2-D, where PyTorch's and ONNX's operators stop).
RANKED = {
    "1-D": """input: 64x8
layers:
  - conv: {filters: 8, kernel: 3, padding: 1, activation: silu}
  - groupnorm: {groups: 4}
  - instancenorm: {affine: true}
  - layernorm
  - prelu: {channels: all}
  - layerscale
  - channelshuffle: {groups: 2}
  - slice: {channels: [0, 6]}
  - lppool: {p: 2, kernel: 3, stride: 2, ceil_mode: true}
  - maxpool: {kernel: 3, stride: 1, dilation: 2}
  - convtranspose: {filters: 4, kernel: 3, stride: 2, padding: same}
  - hardswish
  - mish
""",
    "3-D": """input: 4x8x8x8
layers:
  - groupnorm: {groups: 2}
  - instancenorm
  - layernorm
  - prelu
  - layerscale
  - channelshuffle: {groups: 4}
  - slice: {channels: [0, 8]}
  - maxpool: {kernel: 2, dilation: 2, stride: 1}
  - lppool: {p: 2, kernel: 2}
  - convtranspose: {filters: 2, kernel: 2, stride: 2, padding: valid}
  - conv: {filters: 2, kernel: 1, stride: 3}
""",
}
PIXELS = {1: "input: 64x8\nlayers:\n  - pixelunshuffle: {factor: 2}\n"
             "  - pixelshuffle: {factor: 4}\n",
          3: "input: 4x8x8x8\nlayers:\n  - pixelunshuffle: {factor: 2}\n"
             "  - pixelshuffle: {factor: 2}\n"}


@pytest.mark.parametrize("text", [*RANKED.values(), *PIXELS.values()])
def test_section7_types_in_other_ranks_verify(text):
    analysis = cnncalc.analyze(cnncalc.loads(text))
    for verification in (verify_analysis(analysis), probe_analysis(analysis)):
        assert verification.ok, [r.verify_note for r in verification.mismatches]


def test_pixel_shuffles_in_other_ranks_follow_r_to_the_rank():
    one = cnncalc.analyze(cnncalc.loads(PIXELS[1])).rows
    assert [row.output for row in one] == [(32, 16), (128, 4)]  # C·r, then C/r (r¹)
    three = cnncalc.analyze(cnncalc.loads(PIXELS[3])).rows
    assert [row.output for row in three] == [(2, 4, 4, 64), (4, 8, 8, 8)]  # r³ = 8


@pytest.mark.parametrize("text", RANKED.values(), ids=RANKED.keys())
def test_section7_types_in_other_ranks_export(text):
    torch = pytest.importorskip("torch")
    onnxruntime = pytest.importorskip("onnxruntime")
    import numpy as np

    from cnncalc.interop.layout import onnx_dims
    from cnncalc.interop.onnx_export import export_onnx
    from cnncalc.interop.pytorch_export import class_name, export_pytorch
    from cnncalc.interop.referee import verify_onnx

    analysis = cnncalc.analyze(cnncalc.loads(text))
    assert verify_onnx(analysis).ok
    session = onnxruntime.InferenceSession(export_onnx(analysis).SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    image = np.random.default_rng(0).standard_normal(onnx_dims(analysis.input), dtype=np.float32)
    (out,) = session.run(None, {"input": image})
    assert list(out.shape) == onnx_dims(analysis.output)
    namespace: dict = {}
    exec(compile(export_pytorch(analysis), "<ranked>", "exec"), namespace)  # noqa: S102
    net = namespace[class_name(analysis.name)]().eval()
    assert sum(p.numel() for p in net.parameters()) == analysis.totals.params
    with torch.no_grad():
        assert list(net(torch.from_numpy(image)).shape) == onnx_dims(analysis.output)


def test_pixel_shuffle_exports_outside_2d_are_refused_by_name():
    from cnncalc.interop.onnx_export import ExportError, export_onnx
    from cnncalc.interop.pytorch_export import export_pytorch

    analysis = cnncalc.analyze(cnncalc.loads(PIXELS[1]))
    with pytest.raises(ExportError, match="pixelunshuffle exports to ONNX for 2-D maps only"):
        export_onnx(analysis)
    with pytest.raises(ExportError, match="pixelunshuffle exports to PyTorch for 2-D maps"):
        export_pytorch(analysis)
