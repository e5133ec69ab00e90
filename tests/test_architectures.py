"""Every built-in architecture reproduces its PyTorch golden reference exactly.

The golden files (tests/golden/, measured in PyTorch; see its README) are the reference;
the tests run over every built-in, and every built-in must have one.
"""

from __future__ import annotations

import pytest
from golden_data import BUILTINS, GOLDEN_DIR, channels_last, golden

import cnncalc

TOTALS = ("params", "buffers", "weights", "biases", "macs", "flops")

# Golden module class -> cnncalc canonical row type, for the layers whose output shapes
# are compared one by one.
MODULE_TYPES = {
    "Conv2d": "conv",
    "ConvTranspose2d": "convtranspose",
    "MaxPool2d": "maxpool",
    "AvgPool2d": "avgpool",
    "AdaptiveAvgPool2d": "adaptiveavgpool",
    "AdaptiveMaxPool2d": "adaptivemaxpool",
    "Linear": "dense",
    # 1-D and 3-D (SPEC §8): the same rows, whatever the rank; torchvision's r3d_18 builds its
    # 3×3×3 convs as Conv3DSimple, a Conv3d subclass.
    "Conv1d": "conv",
    "Conv3d": "conv",
    "Conv3DSimple": "conv",
    "MaxPool1d": "maxpool",
    "AdaptiveAvgPool1d": "adaptiveavgpool",
    "AdaptiveAvgPool3d": "adaptiveavgpool",
}
# cnncalc row type -> the same vocabulary; a global pool is PyTorch's AdaptiveAvgPool2d(1).
ROW_TYPES = {
    "conv": "conv",
    "convtranspose": "convtranspose",
    "maxpool": "maxpool",
    "avgpool": "avgpool",
    "adaptiveavgpool": "adaptiveavgpool",
    "adaptivemaxpool": "adaptivemaxpool",
    "globalavgpool": "adaptiveavgpool",
    "globalmaxpool": "adaptivemaxpool",
    "dense": "dense",
}
# torchvision pools these models globally with F.adaptive_avg_pool2d, not a module, so
# their golden layer lists have no pooling row (golden README, "Things the layer lists do
# not show"); the spec's pooling row is left out of the comparison for them.
FUNCTIONAL_GLOBAL_POOL = {"mobilenet-v2", "densenet121", "densenet161", "shufflenet-v2"}
# Inception-v3's pool branches and its aux head's pools are functional too (F.avg_pool2d,
# F.max_pool2d, F.adaptive_avg_pool2d): only its stem pools and final pool are modules.
FUNCTIONAL_POOLS = {"inception-v3": lambda row: row.type in ("avgpool", "adaptiveavgpool")
                    and (row.aux or ".branch" in row.path)
                    or row.type == "maxpool" and ".branch" in row.path}




def _shape(value) -> tuple[int, ...]:
    """A shape as a tuple, from an int (vector), an ``HxWxC`` string or a sequence."""
    if isinstance(value, int):
        return (value,)
    if isinstance(value, str):
        return tuple(int(part) for part in value.replace("×", "x").split("x"))
    return tuple(int(part) for part in value)


@pytest.fixture(scope="module")
def analyses():
    """Analyses cached per built-in name: the large networks take a moment each."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = cnncalc.analyze(cnncalc.load(name))
        return cache[name]

    return get


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_totals_match_golden(name, analyses):
    reference = golden(name)
    result = analyses(name)

    assert _shape(result.output) == _shape(reference["output"])
    got = {figure: getattr(result.totals, figure) for figure in TOTALS}
    want = {figure: reference[figure] for figure in TOTALS}
    assert got == want


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_layer_shapes_match_golden(name, analyses):
    reference = golden(name)
    result = analyses(name)

    skip_global_pool = reference["name"] in FUNCTIONAL_GLOBAL_POOL
    functional = FUNCTIONAL_POOLS.get(reference["name"], lambda row: False)
    # torchvision lists an aux head's modules after the main path (it runs them in training
    # only); cnncalc runs the head where it branches off: compare main rows, then aux rows.
    rows = [row for row in result.rows if not row.aux] + [row for row in result.rows if row.aux]
    got = [
        (ROW_TYPES[row.type], _shape(row.output))
        for row in rows
        if row.type in ROW_TYPES and not functional(row)
        and not (skip_global_pool and ROW_TYPES[row.type] == "adaptiveavgpool")
    ]
    want = [
        (MODULE_TYPES[layer["type"]], _shape(layer["output"]))
        for layer in map(channels_last, reference["layers"])
        if layer["type"] in MODULE_TYPES
    ]
    assert got == want


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_does_not_fit_matches_golden(name, analyses):
    """Layers that leave real input rows/columns unread are exactly the ones flagged.

    Golden ``does_not_fit`` also lists ceil_mode pools and layers where only padding is
    left over; SPEC §2 gives those an "inexact" note instead of the does-not-fit flag.
    """
    reference = golden(name)
    result = analyses(name)

    def key(entry):
        return (_shape(entry["input"]), _shape(entry["output"]))

    dropped = [
        key(entry)
        for entry in reference["does_not_fit"]
        if entry.get("dropped_input_rows") or entry.get("dropped_input_cols")
    ]
    # ⚠, or ℹ when the windows skip input (SPEC §7; test_fit.py checks the rows listed)
    flagged = [(_shape(row.input), _shape(row.output)) for row in result.rows
               if row.fits is False or any("never read (subsampling" in n for n in row.notes)]
    if reference["does_not_fit"] and "dropped_input_rows" not in reference["does_not_fit"][0]:
        # The 1-D and 3-D goldens list the inexact layers but not which inputs they drop:
        # find those by sliding every window over every axis, one index at a time.
        dropped = [(_shape(row.input), _shape(row.output)) for row in result.rows
                   if row.layer is not None and hasattr(row.layer, "kernel")
                   and _drops_input(row.layer, row.input, row.output)]
    assert flagged == dropped
    inexact = [
        (_shape(row.input), _shape(row.output))
        for row in result.rows
        if row.fits is False or any("inexact" in note or "never read (subsampling" in note
                                    for note in row.notes)
    ]
    assert inexact == [key(entry) for entry in reference["does_not_fit"]]


def _drops_input(layer, shape, out) -> bool:
    """Does some real input index along some axis lie in no window? (a naive loop)"""
    padding = layer.padding
    for axis, size in enumerate(shape[:-1]):
        dilation = getattr(layer, "dilation", (1,) * len(layer.kernel))[axis]
        read = set()
        for o in range(out[axis]):
            for k in range(layer.kernel[axis]):
                read.add(o * layer.stride[axis] - padding[2 * axis] + k * dilation)
        if any(index not in read for index in range(size)):
            return True
    return False


def test_every_builtin_has_a_golden_reference():
    missing = [name for name in BUILTINS if not (GOLDEN_DIR / f"{name}.json").is_file()]
    assert BUILTINS and not missing, f"built-ins without a golden file: {missing}"


def test_inception_v3_aux_head_counts_apart():
    """SPEC §14: the aux head counts in every total, and the figures without it are
    torchvision's with aux_logits=False (golden `params_without_aux`, `macs_without_aux`)."""
    reference = golden("inception-v3")
    result = cnncalc.analyze(cnncalc.load("inception-v3"))
    assert result.totals.params == reference["params"] == 27_161_264
    assert result.params_without_aux == reference["params_without_aux"] == 23_834_568
    assert result.macs_without_aux == reference["macs_without_aux"] == 5_713_216_096
    assert result.outputs == {"output": (1000,), "AuxLogits": (reference["aux_output"],)}
    head = [row for row in result.rows if row.aux]
    assert _shape(reference["aux_input"]) == head[0].input


def test_builtin_names_are_case_insensitive():
    assert cnncalc.load("AlexNet").name == cnncalc.load("alexnet").name
    assert cnncalc.load("Inception-V3").name == "inception-v3"
