"""Graph specs (SPEC §7) that several test modules use: one text each, in one place.

FPN is the README's three-output pyramid; GRAPHS are small networks the interop tests
export, run and import, each using graph features a chain of layers cannot express."""

FPN = """
name: fpn
input: 64x64x3
layers:
  - conv: {name: c3, filters: 32, kernel: 3, stride: 2, padding: 1}
  - conv: {name: c4, filters: 64, kernel: 3, stride: 2, padding: 1}
  - conv: {name: c5, filters: 128, kernel: 3, stride: 2, padding: 1}
  - conv: {name: p5, filters: 16, kernel: 1}
  - upsample: {scale: 2}
  - conv: {name: lat4, from: c4, filters: 16, kernel: 1}
  - add: {name: p4, from: [previous, upsample1]}
  - upsample: {to: c3}
  - conv: {name: lat3, from: c3, filters: 16, kernel: 1}
  - add: {name: p3, from: [previous, upsample2]}
outputs: [p3, p4, p5]
"""

GRAPHS = {
    # squeeze-and-excitation as a gate, then a residual sum written with from:
    "se-block": """
name: se-block
input: 16x16x8
layers:
  - conv: {name: stem, filters: 32, kernel: 3, padding: 1, bias: false}
  - bn: {name: stem_bn}
  - relu: {name: stem_act}
  - conv: {name: conv1, filters: 32, kernel: 3, padding: 1}
  - gate:
      name: se
      body: [gap, {conv: {filters: 8, kernel: 1}}, relu, {conv: {filters: 32, kernel: 1}},
             sigmoid]
  - add: {name: sum, from: [previous, stem_act]}
  - gap
  - flatten
  - dense: {name: fc, units: 10}
""",
    # a two-level feature pyramid: lateral 1×1 convs, a top-down upsample, two outputs
    "fpn": """
name: fpn
input: 32x32x3
outputs: [p3, p4]
layers:
  - conv: {name: c3, filters: 16, kernel: 3, stride: 2, padding: 1}
  - conv: {name: c4, filters: 32, kernel: 3, stride: 2, padding: 1}
  - conv: {name: lat4, filters: 24, kernel: 1}
  - conv: {name: p4, filters: 24, kernel: 3, padding: 1}
  - upsample: {name: up4, from: lat4, scale: 2}
  - conv: {name: lat3, from: c3, filters: 24, kernel: 1}
  - add: {name: merge3, from: [lat3, up4]}
  - conv: {name: p3, filters: 24, kernel: 3, padding: 1}
""",
    # a ShuffleNetV2-style unit: half the channels pass, the other half is convolved
    "shuffle-split": """
name: shuffle-split
input: 16x16x24
layers:
  - conv: {name: stem, filters: 32, kernel: 1}
  - split:
      name: unit
      branches:
        - []
        - - conv: {name: pw1, filters: 16, kernel: 1, bias: false}
          - bn
          - relu
          - conv: {name: dw, filters: 16, kernel: 3, padding: 1, groups: 16, bias: false}
          - bn
  - split: {name: uneven, sizes: [8, 24], branches: [[{conv: {filters: 4, kernel: 1}}], []]}
  - concat: {name: both, from: [unit, uneven]}
""",
    # an auxiliary head beside the main path (GoogLeNet / Inception-v3)
    "aux-head": """
name: aux-head
input: 32x32x3
layers:
  - conv: {name: c1, filters: 8, kernel: 3, stride: 2, padding: 1}
  - aux:
      name: side
      layers: [gap, flatten, {dense: {name: fc, units: 5}}]
  - conv: {name: c2, filters: 16, kernel: 3, stride: 2, padding: 1}
  - gap
  - flatten
  - dense: {name: fc, units: 10}
""",
    # a block whose entries merge named tensors, called twice: a class of its own in PyTorch
    "se-blocks": """
name: se-blocks
input: 16x16x8
blocks:
  se_basic:
    layers:
      - conv: {name: conv1, filters: 8, kernel: 3, padding: 1, bias: false}
      - bn: {name: bn1}
      - relu
      - conv: {name: conv2, filters: 8, kernel: 3, padding: 1, bias: false}
      - gate: {name: se, body: [gap, {conv: {filters: 2, kernel: 1}}, relu,
                                {conv: {filters: 8, kernel: 1}}, sigmoid]}
      - add: {name: sum, from: [previous, conv1]}
      - relu
layers:
  - se_basic: {name: b1}
  - se_basic: {name: b2}
  - gap
  - flatten
  - dense: {units: 10}
""",
}
