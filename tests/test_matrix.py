"""apply: course exercises solved by the reference kernels; the literal parser's limits."""

from dataclasses import replace

import pytest

from cnncalc import LimitError
from cnncalc.homework.matrix import (
    MatrixError,
    apply,
    literal,
    parse_literal,
    parse_rows,
    read_matrix,
)

COURSE_7X7 = """3 0 1 2 2 7 4
1 5 8 9 9 3 1
2 7 2 5 5 1 3
0 1 3 1 1 7 8
4 2 1 6 6 2 8
2 4 5 2 2 3 9
1 3 4 5 7 8 3
"""
EDGE_IMAGE = "[" + ",".join(["[10,10,10,0,0,0]"] * 6) + "]"


def test_maxpool_course_example():
    result = apply("maxpool", parse_literal("[[1,3,2,4],[2,9,1,1],[1,3,2,3],[5,6,1,2]]"), 2, 2)
    assert result.output == [[[9, 4], [6, 3]]]
    assert literal(result.output[0]) == "[[9, 4], [6, 3]]"


def test_vertical_edge_filter():
    result = apply("conv", parse_literal(EDGE_IMAGE),
                   parse_literal("[[1,0,-1],[1,0,-1],[1,0,-1]]"))
    assert result.output[0] == [[0, 30, 30, 0]] * 4


def test_course_7x7_stride_2_with_steps():
    result = apply("conv", parse_rows(COURSE_7X7, "input"),
                   parse_literal("[[0,0,0],[1,0,2],[-1,0,1]]"), stride=2, steps=True)
    assert result.output[0][0] == [17, 29, 9]
    # worked by hand: 3·0+0·0+1·0+1·1+5·0+8·2+2·(−1)+7·0+2·1 = 17
    assert result.steps[0] == ("z11 = 3·0 + 0·0 + 1·0 + 1·1 + 5·0 + 8·2 + 2·(−1) + 7·0 + "
                               "2·1 = 17")
    assert result.sizes[0] == "(7 − 3 + 2·0)/2 + 1 = 3"


def test_avgpool_and_bias_and_channels():
    two = parse_literal("[[[1,2],[3,4]],[[5,6],[7,8]]]")
    assert apply("avgpool", two, 2).output == [[[2.5]], [[6.5]]]
    # one filter over both channels, plus a bias: 1+2+3+4 + 5+6+7+8 + 1
    summed = apply("conv", two, parse_literal("[[[1,1],[1,1]],[[1,1],[1,1]]]"), bias=1.0,
                   steps=True)
    assert summed.output == [[[37]]]
    assert summed.steps[0].endswith("1 (bias) = 37")


def test_maxpool_pads_with_minus_infinity():
    result = apply("maxpool", parse_literal("[[-1,-2],[-3,-4]]"), 2, 1, padding=1, steps=True)
    assert result.output[0][0][0] == -1
    assert "−∞" in result.steps[0]


@pytest.mark.parametrize("text", ["[[1,2],[3", "[[1,2],[3,4]]]", "[[1,,2]]", "[[1,2],[3]]",
                                  "[[1, 2], 3]", "[]", "[[nan]]", "[[1e5x]]", "1, 2",
                                  "[[[[[1]]]]]", "[[1]] [[2]]"])
def test_bad_literals(text):
    with pytest.raises(MatrixError):
        parse_literal(text, max_depth=4)


def test_literal_never_evaluates(tmp_path):
    with pytest.raises(MatrixError, match="neither a matrix literal"):
        read_matrix("__import__('os').system('true')", "input")


def test_size_limit(monkeypatch):
    """The declared limit, lowered so the test parses a thousand numbers, not a million."""
    from cnncalc import limits
    from cnncalc.homework import matrix

    monkeypatch.setattr(matrix, "APPLY_INPUT_NUMBERS", replace(limits.APPLY_INPUT_NUMBERS,
                                                               value=1000))
    parse_literal("[" + "1," * 999 + "1]")  # exactly at the limit: fine
    with pytest.raises(LimitError, match="more than 1,000 numbers"):
        parse_literal("[" + "1," * 1000 + "1]")


def test_file_rows_and_channels(tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("# two channels\n1 2\n3 4\n\n5 6\n7 8\n")
    assert read_matrix(str(path), "input").dims == (2, 2, 2)
    path.write_text("1 2\nx 4\n")
    with pytest.raises(MatrixError, match="'x' is not a number"):
        read_matrix(str(path), "input")


def test_filter_channel_mismatch():
    with pytest.raises(MatrixError, match="channel"):
        apply("conv", parse_literal("[[[1]],[[2]]]"), parse_literal("[[1]]"))
