"""Residual, concat and sequential entries on small hand-checked networks."""

import textwrap

import pytest

import cnncalc


def analyze(text):
    return cnncalc.analyze(cnncalc.loads(textwrap.dedent(text)))


def test_identity_residual_adds_a_row():
    result = analyze("""
        input: 8x8x4
        layers:
          - residual:
              name: res
              body: [conv: {filters: 4, kernel: 3, padding: 1}]
              shortcut: identity
              activation: relu
    """)
    assert [(row.path, row.type) for row in result.rows] == [
        ("res.body.conv1", "conv"), ("res.add", "add"), ("res.relu1", "relu")]
    assert result.output == (8, 8, 4)
    assert result.totals.params == 3 * 3 * 4 * 4 + 4


def test_projection_is_torchvision_downsample():
    # torchvision BasicBlock layer2.0 downsample: 1×1/2 conv 64→128 without bias (8,192) + BN
    result = analyze("""
        input: 56x56x64
        layers:
          - residual:
              body:
                - conv: {filters: 128, kernel: 3, stride: 2, padding: 1, bias: false}
              shortcut: auto
    """)
    shortcut = [row for row in result.rows if ".shortcut." in row.path]
    assert [(row.type, row.output, row.params) for row in shortcut] == [
        ("conv", (28, 28, 128), 8_192), ("batchnorm", (28, 28, 128), 256)]
    # 1×1/2 on 56 reads every other row, so row 55 too goes unread (golden resnet18): a
    # subsampling note since SPEC §7, not a does-not-fit warning.
    assert shortcut[0].fits is True
    assert any("1, 3, …, 55 never read" in note for note in shortcut[0].notes)


def test_identity_shortcut_mismatch_names_both_shapes():
    with pytest.raises(cnncalc.ShapeError) as caught:
        analyze("""
            input: 8x8x4
            layers:
              - residual: {body: [conv: {filters: 8, kernel: 1}], shortcut: identity}
        """)
    message = str(caught.value)
    assert "8x8x8" in message and "8x8x4" in message and "shortcut: projection" in message


def test_custom_shortcut_list():
    result = analyze("""
        input: 8x8x4
        layers:
          - residual:
              body: [conv: {filters: 8, kernel: 3, padding: 1}]
              shortcut: [conv: {filters: 8, kernel: 1}]
    """)
    assert result.output == (8, 8, 8)


def test_concat_with_identity_branch():
    # DenseNet layer: concat(x, conv(x)) grows channels by the growth rate
    result = analyze("""
        input: 56x56x64
        layers:
          - concat:
              branches: [[], [conv: {filters: 32, kernel: 3, padding: 1}]]
    """)
    assert result.output == (56, 56, 96)
    assert result.rows[-1].type == "concat"


def test_concat_size_mismatch_suggests_crop():
    with pytest.raises(cnncalc.ShapeError, match="crop: center"):
        analyze("""
            input: 9x9x1
            layers:
              - concat: {branches: [[], [conv: {filters: 1, kernel: 3}]]}
        """)


def test_concat_centre_crop_like_unet():
    # U-Net: the 64×64 skip is centre-cropped to the 56×56 of the upsampled path
    result = analyze("""
        input: 64x64x128
        layers:
          - concat:
              crop: center
              branches:
                - []
                - [conv: {filters: 64, kernel: 9}]
    """)
    assert result.output == (56, 56, 192)
    assert "centre-cropped 64×64 → 56×56" in result.rows[-1].notes[0]


def test_receptive_field_of_stacked_three_by_three():
    # Simonyan & Zisserman: two 3×3 convs see 5×5, three see 7×7
    result = analyze("""
        input: 32x32x1
        layers: [conv: {filters: 1, kernel: 3, repeat: 3}]
    """)
    assert [int(row.field.rf[0]) for row in result.rows] == [3, 5, 7]


def test_receptive_field_lenet_by_hand():
    # conv5 → 5; pool2 → 5 + 1·1 = 6, jump 2; conv5 → 6 + 4·2 = 14; pool2 → 14 + 1·2 = 16
    result = analyze("""
        input: 32x32x1
        layers:
          - conv: {filters: 6, kernel: 5}
          - avgpool: {kernel: 2}
          - conv: {filters: 16, kernel: 5}
          - avgpool: {kernel: 2}
    """)
    assert [int(row.field.rf[0]) for row in result.rows] == [5, 6, 14, 16]
    assert [int(row.field.jump[0]) for row in result.rows] == [1, 2, 2, 4]


def test_receptive_field_takes_the_widest_branch():
    result = analyze("""
        input: 32x32x1
        layers:
          - concat:
              branches:
                - [conv: {filters: 1, kernel: 1}]
                - [conv: {filters: 1, kernel: 5, padding: 2}]
    """)
    assert int(result.rows[-1].field.rf[0]) == 5


def test_expect_on_a_composite_sums_its_rows():
    result = analyze("""
        input: 8x8x4
        layers:
          - residual:
              body: [conv: {filters: 4, kernel: 3, padding: 1}]
              expect: {output: 8x8x4, params: 148}
    """)
    assert all(check.ok for check in result.checks)
