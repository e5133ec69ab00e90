"""The full pass in strips of rows (reference/tiles.py) against the same pass run whole.

The expected arrays come from the whole pass: the same kernels on whole maps, which the
rest of the suite checks against PyTorch's formulas and golden figures. A tiled layer must
give the same shape and, its weights drawn from the same generator state, the same values.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.reference import spill
from cnncalc.reference.forward import Forward
from cnncalc.reference.spill import ChannelRange, Spilled, in_memory, spill_directory
from cnncalc.reference.tiles import Tiling
from cnncalc.reference.verify import verify_analysis


def both_ways(analysis, strip_bytes: int, spill_above: int = 0, seed: int = 3):
    """(whole pass, tiled pass): each Forward after running, and its final array."""
    network = analysis.network
    whole = Forward(seed=seed, referenced=network.referenced)
    expected = whole.run(network.layers, analysis.input, analysis.inputs)
    tiling = Tiling(spill_directory(), spill_above=spill_above, strip_bytes=strip_bytes,
                    planned={row.path: row.output for row in analysis.rows})
    try:
        tiled = Forward(seed=seed, referenced=network.referenced, tiling=tiling)
        got = in_memory(tiled.run(network.layers, analysis.input, analysis.inputs))
    finally:
        spill.remove_directory(tiling.directory)
    return whole, expected, tiled, got, tiling


def assert_same(analysis, strip_bytes: int, spill_above: int = 0) -> Tiling:
    whole, expected, tiled, got, tiling = both_ways(analysis, strip_bytes, spill_above)
    assert tiled.shapes == whole.shapes
    scale = max(float(np.max(np.abs(expected))), 1.0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5 * scale)
    return tiling


def test_a_spilled_map_reads_back_the_rows_it_was_given(tmp_path):
    rows = np.arange(5 * 7 * 3, dtype=np.float32).reshape(5, 7, 3)
    disk = Spilled(str(tmp_path))
    for start in range(0, 7, 3):
        disk.append(rows[:, start:start + 3])
    assert disk.shape == (5, 7, 3) and disk.nbytes == rows.nbytes
    np.testing.assert_array_equal(disk.rows(2, 6), rows[:, 2:6])
    np.testing.assert_array_equal(disk.load(), rows)
    part = ChannelRange(disk, 1, 4)
    assert part.shape == (3, 7, 3)
    np.testing.assert_array_equal(part.rows(0, 2), rows[1:4, 0:2])


def test_a_spilled_map_removes_its_file_when_dropped(tmp_path):
    disk = Spilled(str(tmp_path))
    disk.append(np.zeros((2, 3, 4), np.float32))
    assert len(list(tmp_path.iterdir())) == 1
    del disk
    assert list(tmp_path.iterdir()) == []


pairs = st.integers(1, 3)
LAYERS = st.one_of(
    st.builds(lambda k, s, p, d, g: f"conv: {{filters: 4, kernel: {k}, stride: {s}, "
                                    f"padding: {p}, dilation: {d}, groups: {g}}}",
              st.integers(1, 4), pairs, st.sampled_from([0, 1, 2, "same"]), st.integers(1, 2),
              st.sampled_from([1, 2])),
    st.builds(lambda kind, k, s, p, c: f"{kind}: {{kernel: {k}, stride: {s}, "
                                       f"padding: {min(p, k // 2)}, ceil_mode: {c}}}",
              st.sampled_from(["maxpool", "avgpool"]), st.integers(1, 4), pairs,
              st.integers(0, 2), st.sampled_from(["true", "false"])),
    st.builds(lambda k, s, c: f"lppool: {{p: 2, kernel: {k}, stride: {s}, ceil_mode: {c}}}",
              st.integers(1, 3), pairs, st.sampled_from(["true", "false"])),
    st.builds(lambda k, s, op: f"convtranspose: {{filters: 3, kernel: {min(k, s)}, "
                               f"stride: {s}, output_padding: {min(op, s - 1)}}}",
              st.integers(1, 3), pairs, st.integers(0, 2)),
    st.builds(lambda sides: f"zeropad: {{padding: {list(sides)}}}",
              st.tuples(*[st.integers(0, 3)] * 4)),
    st.builds(lambda scale: f"upsample: {{scale: {scale}}}", st.integers(1, 3)),
    st.sampled_from(["pixelshuffle: {factor: 2}", "pixelunshuffle: {factor: 2}", "relu: {}",
                     "softmax: {}", "layernorm: {}", "channelshuffle: {groups: 2}",
                     "batchnorm: {}", "leakyrelu: {}"]),
)


@settings(max_examples=150, deadline=None)
@given(height=st.integers(1, 20), width=st.integers(1, 6),
       layers=st.lists(LAYERS, min_size=1, max_size=3), strip_bytes=st.integers(1, 3000))
def test_any_tiled_layer_gives_the_whole_layers_array(height, width, layers, strip_bytes):
    text = (f"input: {height}x{width}x4\nlayers:\n"
            + "".join(f"  - {layer}\n" for layer in layers))
    try:
        analysis = cnncalc.analyze(cnncalc.loads(text))
    except cnncalc.CnnCalcError:
        assume(False)  # an impossible stack (kernel larger than the map, …)
    tiling = assert_same(analysis, strip_bytes)
    assert tiling.tiled  # every layer's output is planned "large": all run in strips


TWO_D = [name for name in cnncalc.builtin_names()
         if len(cnncalc.load(name).input) == 3]
SMALL = {"inception-v3": (299, 299, 3), "unet": (188, 188, 1), "lenet5": (32, 32, 1),
         "alexnet": (227, 227, 3)}


@pytest.mark.parametrize("name", TWO_D)
def test_every_2d_builtin_tiled_gives_the_whole_pass(name):
    """Every merge the built-ins use (residual add, concat and its centre crop, gate, split,
    aux heads, projection shortcuts) and every layer type they hold, strip by strip."""
    network = cnncalc.load(name)
    analysis = cnncalc.analyze(network, SMALL.get(name, (64, 64, 3)))
    tiling = assert_same(analysis, strip_bytes=8 << 10, spill_above=16 << 10)
    assert len(tiling.tiled) > 1


def test_unet_verifies_every_row_within_a_bound_a_whole_layer_exceeds():
    """unet at its own 572×572 wants about 100 MiB for its first layers; 24 MiB is enough
    in strips."""
    analysis = cnncalc.analyze(cnncalc.load("unet"))
    verification = verify_analysis(analysis, max_memory=24 << 20)
    assert verification.estimated_peak > 24 << 20
    assert verification.ok and not verification.skipped
    assert verification.checked == len(analysis.rows) and verification.tiled > 10


def test_a_map_larger_than_the_free_disk_is_not_attempted(monkeypatch):
    monkeypatch.setattr(spill, "DISK_RESERVE", 1 << 62)
    analysis = cnncalc.analyze(cnncalc.load("unet"))
    verification = verify_analysis(analysis, max_memory=24 << 20)
    assert verification.ok and len(verification.skipped) == len(analysis.rows)
    first = verification.skipped[0]
    assert first.path == "enc1.conv1"
    assert "free on disk" in first.notes[-1] and "TMPDIR" in first.notes[-1]


def test_no_writable_temporary_directory_stops_the_pass_where_memory_ends(monkeypatch):
    def refused():
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(spill, "spill_directory", refused)
    analysis = cnncalc.analyze(cnncalc.load("unet"))
    verification = verify_analysis(analysis, max_memory=24 << 20)
    assert verification.ok and verification.skipped and verification.tiled == 0
    note = verification.skipped[0].notes[-1]
    assert "more than --max-memory 24.0 MiB" in note
    assert "(Permission denied); point TMPDIR at a writable disk" in note


def test_a_disk_filling_up_during_the_pass_stops_it_with_a_note(monkeypatch):
    def full(self, block):
        raise spill.DiskFull("not enough free disk (test)")

    monkeypatch.setattr(Spilled, "append", full)
    analysis = cnncalc.analyze(cnncalc.load("unet"))
    verification = verify_analysis(analysis, max_memory=24 << 20)
    assert verification.ok and len(verification.skipped) == len(analysis.rows)
    assert "reference pass stopped: not enough free disk (test)" in \
        verification.skipped[0].notes
