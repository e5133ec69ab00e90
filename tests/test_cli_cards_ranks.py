"""The homework card CLI (searches, --ceil-mode, --chw, JSON) on 1-D and 3-D inputs: the
searches of issue 18 made rank-generic the way SPEC §8 makes every per-axis option. Expected
values come from PyTorch's documented output formula, tried value by value in the test."""

import json

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.cli import cli
from cnncalc.homework.inverse import fitting_kernels


def run(*args, code=0):
    result = CliRunner(env={"COLUMNS": "120"}).invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result.output


def out_size(size, kernel, stride, before, after, dilation=1, ceil=False):
    """torch.nn.ConvNd / MaxPoolNd: ⌊(L + Pb + Pa − D(F−1) − 1)/S⌋ + 1 (ceil_mode: ⌈⌉, and a
    last window must start inside the input or the left padding)."""
    room = size + before + after - dilation * (kernel - 1) - 1
    if room < 0:
        return None
    count = (-(-room // stride) if ceil else room // stride) + 1
    if ceil and (count - 1) * stride >= size + before:
        count -= 1
    return count


def fits(size, kernel, stride, before, after, dilation=1):
    """§2: what is left after the last window is padding only."""
    room = size + before + after - dilation * (kernel - 1) - 1
    return room >= 0 and room % stride <= after


def test_kernel_search_in_1d_finds_m5s_first_layer():
    # M5 (golden m5.json): Conv1d(1, 128, 80, stride=4) on 16000 samples → 3981
    listed = json.loads(run("conv", "16000x1", "--filters", "128", "--kernel", "any",
                            "--stride", "4", "--output", "3981", "--format", "json"))
    naive = [f for f in range(1, 16001) if out_size(16000, f, 4, 0, 0) == 3981
             and fits(16000, f, 4, 0, 0)]
    assert [item["value"] for item in listed["values"]] == naive == [80]
    assert listed["values"][0]["output"] == "3981x128"


def test_kernel_search_in_3d_per_axis_output():
    # one F on every axis, the output given per axis; padding 1x3x3, stride 1x2x2
    args = ["conv", "16x112x112x3", "--filters", "64", "--kernel", "any", "--stride", "1x2x2",
            "--padding", "1x3x3", "--format", "json"]
    listed = json.loads(run(*args, "--output", "16x58x58"))
    axes = [(16, 1, 1), (112, 2, 3), (112, 2, 3)]
    naive = [f for f in range(1, 19)
             if all(out_size(n, f, s, p, p) == o and fits(n, f, s, p, p)
                    for (n, s, p), o in zip(axes, (16, 58, 58), strict=True))]
    assert naive and [item["value"] for item in listed["values"]] == naive
    assert "?×?×?" in listed["title"]
    # one size stands for every axis
    one = json.loads(run("conv", "16x16x16x3", "--filters", "8", "--kernel", "any", "--padding",
                         "1", "--output", "16", "--format", "json"))
    assert [item["value"] for item in one["values"]] == [
        f for f in range(1, 19) if out_size(16, f, 1, 1, 1) == 16 and fits(16, f, 1, 1, 1)]
    assert one["values"]
    assert "2 sizes" in run(*args[:-2], "--output", "16x57", code=2)


def test_stride_and_padding_search_in_3d_agree_with_the_single_cards():
    base = ["conv", "16x112x112x3", "--filters", "64", "--kernel", "3x7x7", "--padding",
            "1x3x3"]
    listed = json.loads(run(*base, "--stride", "any", "--format", "json"))
    axes = [(16, 3, 1), (112, 7, 3), (112, 7, 3)]
    naive = [s for s in range(1, 113) if all(fits(n, f, s, p, p) for n, f, p in axes)]
    assert [item["value"] for item in listed["values"]] == naive
    for stride in range(1, 8):
        card = json.loads(run(*base, "--stride", str(stride), "--format", "json"))
        # a listed stride fits; an unlisted one is warned about (or skips input)
        assert card["fits"] == (stride in naive and stride <= 3), stride
    padded = json.loads(run("conv", "16x112x112x3", "--filters", "64", "--kernel", "3x7x7",
                            "--stride", "1x2x2", "--padding", "any", "--format", "json"))
    assert [item["value"] for item in padded["values"]] == [
        p for p in range(0, 7) if all(fits(n, f, s, p, p) for (n, f, _), s
                                      in zip(axes, (1, 2, 2), strict=True))]


def test_pool_ceil_mode_in_3d():
    # torch.nn.MaxPool3d(3, 2, padding=1, ceil_mode=True) on 16×56×56
    card = json.loads(run("pool", "16x56x56x64", "--kernel", "3", "--stride", "2", "--padding",
                          "1", "--ceil-mode", "--format", "json"))
    depth, side = (out_size(n, 3, 2, 1, 1, ceil=True) for n in (16, 56))
    assert card["output"] == f"{depth}x{side}x{side}x64"


def test_channels_first_clip_with_chw():
    card = json.loads(run("conv", "3x16x112x112", "--chw", "--filters", "64", "--kernel",
                          "3x7x7", "--stride", "1x2x2", "--padding", "1x3x3", "--format",
                          "json"))
    assert card["input"] == "16x112x112x3" and card["output"] == "16x56x56x64"


def test_causal_padding_cannot_be_kept_while_the_kernel_is_searched():
    out = run("conv", "16000x1", "--filters", "4", "--kernel", "any", "--output", "4000",
              "--stride", "4", "--padding", "causal", code=2)
    assert "causal" in out and "give the padding as a number" in out


def test_apply_refuses_a_3d_window():
    out = run("apply", "maxpool", "--input", "[[1,2],[3,4]]", "--filter", "2x2x2", code=2)
    assert "square window" in out


@given(st.lists(st.tuples(st.integers(1, 40), st.integers(1, 4), st.integers(0, 3),
                          st.integers(1, 3)), min_size=1, max_size=3), st.integers(1, 30))
def test_kernel_search_with_a_dilation_per_axis(axes, wanted):
    naive = [f for f in range(1, 50)
             if all(out_size(n, f, s, p, p, d) == wanted and fits(n, f, s, p, p, d)
                    for n, s, p, d in axes)]
    found = fitting_kernels([(n, s, p, p) for n, s, p, _ in axes], (wanted,) * len(axes),
                            tuple(d for *_, d in axes))
    assert found == naive
