"""The spec language (SPEC §1–2): entries, names, repeat, expect, blocks and $params."""

import textwrap

import pytest

import cnncalc


def analyze(text, **kwargs):
    return cnncalc.analyze(cnncalc.loads(textwrap.dedent(text)), **kwargs)


def paths(result):
    return [row.path for row in result.rows]


def test_bare_strings_aliases_and_case():
    result = analyze("""
        input: 8x8x3
        layers:
          - Conv2D: {filters: 4, kernel: 3}
          - BN
          - ReLU
          - GAP
          - FC: {units: 10}
          - Linear: {units: 2}
    """)
    assert [row.type for row in result.rows] == ["conv", "batchnorm", "relu", "globalavgpool",
                                                 "dense", "dense"]
    assert result.output == (2,)


def test_input_forms_are_equivalent():
    for form in ("32x32x3", "32×32×3", "{height: 32, width: 32, channels: 3}"):
        result = analyze(f"input: {form}\nlayers: [conv: {{filters: 6, kernel: 5}}]")
        assert result.output == (28, 28, 6)


def test_vector_input():
    result = analyze("input: 784\nlayers: [dense: {units: 10}]")
    assert result.totals.params == 7850


def test_default_names_count_per_type_over_the_network():
    result = analyze("""
        input: 8x8x1
        layers: [conv: {filters: 2, kernel: 3}, relu, conv: {filters: 2, kernel: 3}, relu]
    """)
    assert paths(result) == ["conv1", "relu1", "conv2", "relu2"]


def test_activation_shorthand_appends_a_layer():
    result = analyze("input: 8x8x1\nlayers: [conv: {filters: 2, kernel: 3, activation: relu}]")
    assert [row.type for row in result.rows] == ["conv", "relu"]


def test_repeat_names_copies():
    result = analyze("""
        input: 8x8x1
        layers:
          - conv: {name: c, filters: 2, kernel: 3, padding: 1, repeat: 3}
    """)
    assert paths(result) == ["c.1", "c.2", "c.3"]


def test_layer_and_network_expectations():
    result = analyze("""
        input: 32x32x3
        layers:
          - conv: {filters: 6, kernel: 5, expect: {output: 28x28x6, params: 456,
                   connections: "357,504", neurons: 4704}}
          - conv: {filters: 1, kernel: 1, expect: {params: 5}}
        expect: {output: 28x28x1, params: 463}
    """)
    assert [(c.figure, c.ok) for c in result.checks] == [
        ("output", True), ("params", True), ("connections", True), ("neurons", True),
        ("params", False), ("output", True), ("params", True)]
    assert result.failed_checks[0].expected == 5 and result.failed_checks[0].got == 7


BLOCKS = """
    blocks:
      unit:
        params: {width: 8, stride: 1}
        layers:
          - conv: {filters: "${width * 2}", kernel: 3, stride: $stride, padding: 1}
          - relu
      pair:
        params: {width: 4}
        layers:
          - unit: {width: $width}
          - unit: {width: "${width + 1}", stride: 2}
    input: 16x16x3
"""


def test_block_parameters_and_expressions():
    result = analyze(BLOCKS + "    layers: [pair: {width: 3}]\n")
    convs = [row for row in result.rows if row.type == "conv"]
    assert [row.output for row in convs] == [(16, 16, 6), (8, 8, 8)]
    assert paths(result)[0] == "pair1.unit1.conv1"


def test_block_defaults_and_repeat():
    result = analyze(BLOCKS + "    layers: [unit: {repeat: 2}]\n")
    assert [row.output for row in result.rows if row.type == "conv"] == [(16, 16, 16)] * 2
    assert [g.path for g in result.groups] == ["unit1.1", "unit1.2"]


@pytest.mark.parametrize("layers, message", [
    ("[unit: {widht: 3}]", "unknown parameter 'widht' for block 'unit'; did you mean 'width'?"),
    ("[nosuch]", "unknown layer type 'nosuch'"),
    ("[maxpol: {kernel: 2}]", "did you mean 'maxpool'?"),
    ("[conv: {filters: 4, kernal: 3}]", "did you mean 'kernel'?"),
    ("[conv: {filters: 4, kernel: 2.5}]", "kernel must be a positive integer"),
    ("[conv: {filters: true, kernel: 3}]", "filters must be a positive integer"),
    ("[conv: {filters: 0, kernel: 3}]", "filters must be ≥ 1"),
    ("[relu: {name: a}, relu: {name: a}]", "duplicate name 'a'"),
    ("[conv: {filters: $k, kernel: 3}]", "unknown parameter '$k'"),
])
def test_spec_errors(layers, message):
    with pytest.raises(cnncalc.CnnCalcError) as caught:
        analyze(BLOCKS + f"    layers: {layers}\n")
    assert message in str(caught.value)


def test_recursive_block_is_an_error():
    with pytest.raises(cnncalc.SpecError, match="calls itself"):
        analyze("""
            blocks:
              a: {layers: [b]}
              b: {layers: [a]}
            input: 4x4x1
            layers: [a]
        """)


def test_expression_grammar_refuses_code():
    with pytest.raises(cnncalc.SpecError, match="only integers"):
        analyze(BLOCKS.replace('"${width * 2}"', '"${__import__(\'os\')}"')
                + "    layers: [unit]\n")


def test_error_carries_file_line_and_layer():
    with pytest.raises(cnncalc.CnnCalcError) as caught:
        analyze("""
            input: 13x13x256
            layers:
              - relu
              - conv: {name: conv3, filters: 384, kernel: 3, groups: 3}
        """)
    error = caught.value
    assert (error.line, error.layer_index, error.layer_name, error.layer_type) == \
        (5, 2, "conv3", "conv")
    assert "groups=3 does not divide 256 input channels" in str(error)
