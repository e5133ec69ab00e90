"""Graph specs (SPEC §7) that several test modules use: one text each, in one place."""

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
