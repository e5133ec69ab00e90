"""Four torchvision networks written with SPEC §7's layer types reproduce the figures
measured in PyTorch (tests/golden/): params, MACs, buffers and the activations autograd
saves per sample (training.json). They check the new types' counts and their saved-tensor
rules inside real networks, not one layer at a time.

These are test specs, not built-ins (the built-in architectures are written elsewhere):
ConvNeXt's LayerNorm2d is `layernorm`, its channels-last Linears 1×1 convs, layer_scale
`layerscale`, StochasticDepth `droppath`; MobileNet-v3 and EfficientNet use hardswish,
hardsigmoid and silu, their squeeze-and-excitation a `gate`; ShuffleNet-v2 `split` and
`channelshuffle`.
"""

from __future__ import annotations

import pytest
from golden_data import golden, training

import cnncalc
from cnncalc.engine.training import training_figures
from cnncalc.reference.verify import probe_analysis

CONVNEXT_TINY = """name: convnext-tiny-test
input: 224x224x3
blocks:
  cnblock:
    params: {dim: 96, drop: 0.1}
    layers:
      - residual:
          body:
            - conv: {filters: $dim, kernel: 7, padding: 3, depthwise: true}
            - layernorm
            - conv: {filters: "${dim * 4}", kernel: 1}
            - gelu
            - conv: {filters: $dim, kernel: 1}
            - layerscale
            - droppath: {rate: $drop}
          shortcut: identity
layers:
  - conv: {filters: 96, kernel: 4, stride: 4}
  - layernorm
  - cnblock: {dim: 96, drop: 0}   # torchvision scales the rate from 0 at the first block
  - cnblock: {dim: 96, repeat: 2}
  - layernorm
  - conv: {filters: 192, kernel: 2, stride: 2}
  - cnblock: {dim: 192, repeat: 3}
  - layernorm
  - conv: {filters: 384, kernel: 2, stride: 2}
  - cnblock: {dim: 384, repeat: 9}
  - layernorm
  - conv: {filters: 768, kernel: 2, stride: 2}
  - cnblock: {dim: 768, repeat: 3}
  - gap
  - layernorm
  - flatten
  - dense: {units: 1000}
"""

MOBILENET_V3_LARGE = """name: mobilenet-v3-large-test
input: 224x224x3
blocks:
  ir:        # expand 1×1, depthwise k×k/s, project 1×1 (torchvision InvertedResidual)
    params: {exp: 64, out: 24, k: 3, s: 1, act: relu}
    layers:
      - conv: {filters: $exp, kernel: 1, bias: false}
      - bn
      - $act
      - conv: {kernel: $k, stride: $s, padding: "${(k - 1) // 2}", depthwise: true, bias: false}
      - bn
      - $act
      - conv: {filters: $out, kernel: 1, bias: false}
      - bn
  irse:      # the same with squeeze-and-excitation after the depthwise conv
    params: {exp: 72, out: 40, k: 5, s: 1, act: relu, sq: 24}
    layers:
      - conv: {filters: $exp, kernel: 1, bias: false}
      - bn
      - $act
      - conv: {kernel: $k, stride: $s, padding: "${(k - 1) // 2}", depthwise: true, bias: false}
      - bn
      - $act
      - gate:
          body: [gap, conv: {filters: $sq, kernel: 1}, relu, conv: {filters: $exp, kernel: 1},
                 hardsigmoid]
      - conv: {filters: $out, kernel: 1, bias: false}
      - bn
layers:
  - conv: {filters: 16, kernel: 3, stride: 2, padding: 1, bias: false}
  - bn
  - hardswish
  - residual:
      body: [conv: {kernel: 3, padding: 1, depthwise: true, bias: false}, bn, relu,
             conv: {filters: 16, kernel: 1, bias: false}, bn]
      shortcut: identity
  - ir: {exp: 64, out: 24, s: 2}
  - residual: {body: [{ir: {exp: 72, out: 24}}], shortcut: identity}
  - irse: {exp: 72, out: 40, s: 2, sq: 24}
  - residual: {body: [{irse: {exp: 120, out: 40, sq: 32}}], shortcut: identity}
  - residual: {body: [{irse: {exp: 120, out: 40, sq: 32}}], shortcut: identity}
  - ir: {exp: 240, out: 80, s: 2, act: hardswish}
  - residual: {body: [{ir: {exp: 200, out: 80, act: hardswish}}], shortcut: identity}
  - residual: {body: [{ir: {exp: 184, out: 80, act: hardswish}}], shortcut: identity}
  - residual: {body: [{ir: {exp: 184, out: 80, act: hardswish}}], shortcut: identity}
  - irse: {exp: 480, out: 112, k: 3, act: hardswish, sq: 120}
  - residual:
      body: [irse: {exp: 672, out: 112, k: 3, act: hardswish, sq: 168}]
      shortcut: identity
  - irse: {exp: 672, out: 160, s: 2, act: hardswish, sq: 168}
  - residual: {body: [{irse: {exp: 960, out: 160, act: hardswish, sq: 240}}], shortcut: identity}
  - residual: {body: [{irse: {exp: 960, out: 160, act: hardswish, sq: 240}}], shortcut: identity}
  - conv: {filters: 960, kernel: 1, bias: false}
  - bn
  - hardswish
  - gap
  - flatten
  - dense: {units: 1280}
  - hardswish
  - dropout: {rate: 0.2}
  - dense: {units: 1000}
"""

SHUFFLENET_V2 = """name: shufflenet-v2-test
input: 224x224x3
blocks:
  down:      # stride-2 unit: both branches see the whole input, concatenated, shuffled
    params: {inp: 24, bf: 58}
    layers:
      - concat:
          branches:
            - [conv: {kernel: 3, stride: 2, padding: 1, depthwise: true, bias: false}, bn,
               conv: {filters: $bf, kernel: 1, bias: false}, bn, relu]
            - [conv: {filters: $bf, kernel: 1, bias: false}, bn, relu,
               conv: {kernel: 3, stride: 2, padding: 1, depthwise: true, bias: false}, bn,
               conv: {filters: $bf, kernel: 1, bias: false}, bn, relu]
      - channelshuffle: {groups: 2}
  unit:      # stride-1 unit: half the channels pass, the other half through the branch
    params: {bf: 58}
    layers:
      - split:
          branches:
            - []
            - [conv: {filters: $bf, kernel: 1, bias: false}, bn, relu,
               conv: {kernel: 3, padding: 1, depthwise: true, bias: false}, bn,
               conv: {filters: $bf, kernel: 1, bias: false}, bn, relu]
      - channelshuffle: {groups: 2}
layers:
  - conv: {filters: 24, kernel: 3, stride: 2, padding: 1, bias: false}
  - bn
  - relu
  - maxpool: {kernel: 3, stride: 2, padding: 1}
  - down: {inp: 24, bf: 58}
  - unit: {bf: 58, repeat: 3}
  - down: {inp: 116, bf: 116}
  - unit: {bf: 116, repeat: 7}
  - down: {inp: 232, bf: 232}
  - unit: {bf: 232, repeat: 3}
  - conv: {filters: 1024, kernel: 1, bias: false}
  - bn
  - relu
  - gap
  - flatten
  - dense: {units: 1000}
"""

EFFICIENTNET_B0 = """name: efficientnet-b0-test
input: 224x224x3
blocks:
  mb:        # MBConv: expand 1×1, depthwise k×k/s, squeeze-excite (C_in/4), project 1×1
    params: {exp: 96, out: 24, k: 3, s: 1, sq: 4}
    layers:
      - conv: {filters: $exp, kernel: 1, bias: false}
      - bn
      - silu
      - conv: {kernel: $k, stride: $s, padding: "${(k - 1) // 2}", depthwise: true, bias: false}
      - bn
      - silu
      - gate:
          body: [gap, conv: {filters: $sq, kernel: 1}, silu, conv: {filters: $exp, kernel: 1},
                 sigmoid]
      - conv: {filters: $out, kernel: 1, bias: false}
      - bn
  mbres:     # the same on a residual path, with stochastic depth
    params: {exp: 144, out: 24, k: 3, sq: 6}
    layers:
      - residual:
          body: [{mb: {exp: $exp, out: $out, k: $k, sq: $sq}}, {droppath: {rate: 0.1}}]
          shortcut: identity
layers:
  - conv: {filters: 32, kernel: 3, stride: 2, padding: 1, bias: false}
  - bn
  - silu
  - conv: {kernel: 3, padding: 1, depthwise: true, bias: false}
  - bn
  - silu
  - gate:
      body: [gap, conv: {filters: 8, kernel: 1}, silu, conv: {filters: 32, kernel: 1}, sigmoid]
  - conv: {filters: 16, kernel: 1, bias: false}
  - bn
  - mb: {exp: 96, out: 24, s: 2, sq: 4}
  - mbres: {exp: 144, out: 24, sq: 6}
  - mb: {exp: 144, out: 40, k: 5, s: 2, sq: 6}
  - mbres: {exp: 240, out: 40, k: 5, sq: 10}
  - mb: {exp: 240, out: 80, s: 2, sq: 10}
  - mbres: {exp: 480, out: 80, sq: 20, repeat: 2}
  - mb: {exp: 480, out: 112, k: 5, sq: 20}
  - mbres: {exp: 672, out: 112, k: 5, sq: 28, repeat: 2}
  - mb: {exp: 672, out: 192, k: 5, s: 2, sq: 28}
  - mbres: {exp: 1152, out: 192, k: 5, sq: 48, repeat: 3}
  - mb: {exp: 1152, out: 320, sq: 48}
  - conv: {filters: 1280, kernel: 1, bias: false}
  - bn
  - silu
  - gap
  - flatten
  - dropout: {rate: 0.2}
  - dense: {units: 1000}
"""


@pytest.mark.parametrize("name, spec", [("convnext-tiny", CONVNEXT_TINY),
                                        ("mobilenet-v3-large", MOBILENET_V3_LARGE),
                                        ("efficientnet-b0", EFFICIENTNET_B0),
                                        ("shufflenet-v2", SHUFFLENET_V2)])
def test_section7_networks_match_pytorch(name, spec):
    analysis = cnncalc.analyze(cnncalc.loads(spec))
    reference = golden(name)
    assert (analysis.totals.params, analysis.totals.macs, analysis.totals.buffers) == (
        reference["params"], reference["macs"], reference["buffers"])
    measured = training(name)
    batch = measured["batch_measured"]
    saved = training_figures(analysis, batch=batch).saved_activation_bytes
    assert saved == measured["saved_bytes_at_batch"]
    assert probe_analysis(analysis).ok


def test_convnext_layer_scales_are_torchvisions_container_params():
    analysis = cnncalc.analyze(cnncalc.loads(CONVNEXT_TINY))
    assert golden("convnext-tiny")["container_params"] == sum(
        row.params for row in analysis.rows if row.type == "layerscale") == 6624
