"""Training figures of SPEC §9, against PyTorch measurements and hand-worked examples.

Expected numbers come from tests/golden/ (PyTorch) or are computed here from the §9
definitions, layer by layer; never from cnncalc itself.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from golden_data import BUILTINS, golden, training

import cnncalc
from cnncalc.cli import cli
from cnncalc.engine.gpus import GPUS, find_gpu
from cnncalc.engine.training import training_figures

GIB = 1 << 30
# The built-ins PyTorch's training memory was measured for (golden training.json): the
# 1-D and 3-D ones (m5, r3d-18, r2plus1d-18) have no such measurement.
TRAINED = [name for name in BUILTINS if name in golden("training")]


def figures(spec: str, **settings):
    network = cnncalc.loads(spec) if "\n" in spec else cnncalc.load(spec)
    return training_figures(cnncalc.analyze(network), **settings)


# -- saved activations: PyTorch's saved_tensors_hooks measurement --------------------------
@pytest.mark.parametrize("name", TRAINED)
def test_saved_activations_match_pytorch(name):
    measured = training(name)
    batch = measured["batch_measured"]
    ours = figures(name, batch=batch).saved_activation_bytes
    assert ours == pytest.approx(measured["saved_bytes_at_batch"], rel=0.03)
    assert ours / batch == pytest.approx(measured["saved_bytes_per_sample"], rel=0.03)


@pytest.mark.parametrize("name", TRAINED)
def test_saved_int64_indices_match_pytorch(name):
    """The max-pool indices alone: int64 bytes as PyTorch measured them, by dtype."""
    measured = training(name)
    batch = measured["batch_measured"]
    int64 = measured["saved_by_dtype_at_batch"].get("torch.int64", 0)
    assert figures(name, batch=batch).plan.total_kept.int64 * 8 * batch == int64


def test_saved_bytes_per_layer_add_up_to_the_total():
    result = CliRunner().invoke(cli, ["summary", "resnet18", "--train", "--batch", "3",
                                      "--format", "json", "--no-verify"])
    document = json.loads(result.output)
    assert sum(layer["saved_bytes"] for layer in document["layers"]) == \
        document["training"]["saved_activation_bytes"]


# -- training MACs: forward + backward, no input gradient for the first conv -----------------
def test_resnet50_training_macs_as_in_the_issue():
    result = figures("resnet50")
    assert result.training_macs == 3 * 4_089_184_256 - 118_013_952


@pytest.mark.parametrize("name", ["lenet5", "resnet50", "mobilenet-v2"])
def test_training_macs_from_golden_layers(name):
    layers = golden(name)["layers"]
    forward = sum(layer["macs"] for layer in layers)
    first = layers[0]  # the only layer reading the network input in these three nets
    assert first["type"] == "Conv2d" and first["input"] == golden(name)["input"]
    result = figures(name)
    assert result.forward_macs == forward
    assert result.backward_macs == 2 * forward - first["macs"]
    assert result.training_macs == 3 * forward - first["macs"]


# -- the memory terms and the largest batch, every byte by hand ------------------------------
TWO_LAYERS = """
name: two-layer
input: 4x4x2
layers:
  - conv: {filters: 4, kernel: 3, padding: 1}
  - relu
  - flatten
  - dense: {units: 10}
"""
# conv: 3·3·2·4 weights + 4 biases = 76; dense: 64·10 + 10 = 650.
PARAMS = 3 * 3 * 2 * 4 + 4 + 4 * 4 * 4 * 10 + 10
INPUT = 4 * 4 * 2  # elements per sample
HIDDEN = 4 * 4 * 4  # conv output = relu output (in place) = flatten view = dense input
# Saved per sample: the conv keeps its input (the network input); relu keeps its output;
# the dense layer keeps its input, the same storage as relu's output (counted once).
SAVED = (INPUT + HIDDEN) * 4
# Backward working set: the largest input + output among layers needing a gradient:
# relu and flatten (64 + 64) beat conv (32 + 64) and dense (64 + 10).
WORKING = (HIDDEN + HIDDEN) * 4


def test_two_layer_terms_fp32_adam():
    result = figures(TWO_LAYERS, batch=5, optimizer="adam")
    assert result.weight_bytes == PARAMS * 4
    assert result.gradient_bytes == PARAMS * 4
    assert result.optimizer_bytes == 2 * PARAMS * 4
    assert result.amp_copy_bytes == 0
    assert result.saved_activation_bytes == 5 * SAVED
    assert result.working_bytes == 5 * WORKING
    assert result.peak_bytes == 4 * PARAMS * 4 + 5 * (SAVED + WORKING)


def test_two_layer_largest_batch():
    gpu, reserve = 100_000, 10_000
    fixed = PARAMS * 4 * 4  # weights + gradients + Adam's two states
    largest = (gpu - reserve - fixed) // (SAVED + WORKING)
    assert fixed + largest * (SAVED + WORKING) <= gpu - reserve
    assert fixed + (largest + 1) * (SAVED + WORKING) > gpu - reserve
    result = figures(TWO_LAYERS, gpu_bytes=gpu, reserve_bytes=reserve)
    assert result.largest_batch == largest
    assert result.peak_at(largest) <= gpu - reserve < result.peak_at(largest + 1)


def test_two_layer_does_not_fit_at_batch_one():
    fixed = PARAMS * 4 * 4
    gpu = fixed + (SAVED + WORKING) - 1  # one byte short of batch 1
    result = figures(TWO_LAYERS, gpu_bytes=gpu, reserve_bytes=0)
    assert result.largest_batch == 0
    assert result.miss_bytes == 1


@pytest.mark.parametrize("optimizer, states", [("sgd", 0), ("momentum", 1), ("adamw", 2)])
def test_optimizer_state(optimizer, states):
    assert figures(TWO_LAYERS, optimizer=optimizer).optimizer_bytes == states * PARAMS * 4


def test_amp_counts_matmul_inputs_at_two_bytes():
    result = figures(TWO_LAYERS, batch=1, precision="amp-bf16")
    assert result.weight_bytes == PARAMS * 4
    assert result.amp_copy_bytes == PARAMS * 2
    # both saved storages are read by a conv or dense layer: 16-bit under autocast
    assert result.saved_activation_bytes == (INPUT + HIDDEN) * 2


def test_bf16_halves_weights_and_activations_but_not_adam_state():
    result = figures(TWO_LAYERS, batch=1, precision="bf16")
    assert result.weight_bytes == PARAMS * 2 and result.gradient_bytes == PARAMS * 2
    assert result.optimizer_bytes == 2 * PARAMS * 4
    assert result.saved_activation_bytes == (INPUT + HIDDEN) * 2


def test_batchnorm_statistics_are_paid_once_per_batch():
    spec = "name: bn\ninput: 2x2x3\nlayers:\n  - conv: {filters: 5, kernel: 1}\n  - bn\n"
    # conv keeps its input (12 floats); bn keeps its input (20 floats) per sample, plus its
    # saved mean and 1/std and the running mean and variance: 4 × 5 floats per batch.
    for batch in (1, 7):
        expected = batch * (12 + 20) * 4 + 4 * 5 * 4
        assert figures(spec, batch=batch).saved_activation_bytes == expected


def test_a_pool_on_the_network_input_keeps_nothing():
    spec = ("name: p\ninput: 4x4x1\nlayers:\n  - maxpool: {kernel: 2}\n"
            "  - conv: {filters: 2, kernel: 1}\n")
    result = figures(spec)
    # the pool needs no gradient; the conv keeps its input (2·2·1 floats) for its weights
    assert result.saved_activation_bytes == 2 * 2 * 1 * 4
    assert result.backward_macs == 2 * 2 * 2  # weight gradient only: its input needs none


# Bytes per sample that autograd saved for the layer after a 1×1 conv on 16×16×8, measured
# with saved_tensors_hooks (PyTorch 2.14 CPU, training mode, batch 2, parameters and the
# conv's own input left out). The input is 8,192 bytes (2,048 floats, 256 positions).
SECTION7_SAVED = [
    ("silu", 8192), ("hardswish", 8192), ("hardsigmoid", 8192), ("mish", 8192),
    ("selu", 8192), ("softplus", 8192), ("logsoftmax", 8192), ("prelu", 8192),
    ("prelu: {channels: all}", 8192), ("layerscale", 8192),
    ("layernorm", 10240), ("groupnorm: {groups: 4}", 8224), ("instancenorm", 8256),
    ("instancenorm: {affine: true}", 8256), ("channelshuffle: {groups: 2}", 0),
    ("pixelshuffle: {factor: 2}", 0), ("pixelunshuffle: {factor: 2}", 0),
    ("lppool: {p: 2, kernel: 2}", 24576),
    ("maxpool: {kernel: 3, stride: 1, padding: 1, dilation: 2}", 20736),
]


@pytest.mark.parametrize("entry, measured", SECTION7_SAVED)
def test_section7_layers_keep_what_pytorch_keeps(entry, measured):
    spec = f"name: s\ninput: 16x16x8\nlayers:\n  - conv: {{filters: 8, kernel: 1}}\n  - {entry}\n"
    conv_input = 16 * 16 * 8 * 4
    assert figures(spec, batch=2).saved_activation_bytes == 2 * (conv_input + measured)


# -- inference peak: tensors freed after their last reader ----------------------------------
RESIDUAL = """
name: tiny-residual
input: 8x8x4
layers:
  - residual:
      body:
        - conv: {filters: 4, kernel: 3, padding: 1}
        - relu
        - conv: {filters: 4, kernel: 3, padding: 1}
      shortcut: identity
"""


def test_inference_peak_keeps_the_skip_until_its_add():
    n = 8 * 8 * 4  # every tensor here has 256 elements
    # conv a: x + a alive (x waits for the add)          = 2n
    # relu:   in place on a (nothing else reads a)        = 2n
    # conv b: x + a + b, then a is freed                  = 3n  ← the peak
    # add:    x + b + sum, then x and b are freed          = 3n
    peak = 3 * n * 4
    assert figures(RESIDUAL).inference_peak_bytes == peak
    assert figures(RESIDUAL, batch=2).inference_peak_bytes == 2 * peak
    plain = RESIDUAL.replace("  - residual:\n      body:\n", "").replace(
        "      shortcut: identity\n", "").replace("        - ", "  - ")
    assert figures(plain).inference_peak_bytes == 2 * n * 4  # no skip: two maps at a time


def test_inference_peak_keeps_concat_inputs_until_the_concat():
    spec = ("name: c\ninput: 8x8x4\nlayers:\n  - concat:\n      branches:\n        - []\n"
            "        - - conv: {filters: 4, kernel: 1}\n")
    n = 8 * 8 * 4
    # conv: x (kept for the concat) + y = 2n; concat: x + y + the 2n result = 4n
    assert figures(spec).inference_peak_bytes == 4 * n * 4


# -- GPU names and the command line ---------------------------------------------------------
def test_gpu_table():
    assert find_gpu("RTX4090").memory_bytes == 24 * GIB
    assert find_gpu("a100_80GB") is GPUS["a100-80gb"]
    assert find_gpu("a100-40gb").memory_bytes == 40 * GIB
    assert find_gpu("no-such-card") is None
    assert all(gpu.source.startswith("https://") for gpu in GPUS.values())


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "120"})
    return result.exit_code, result.output


def memory_json(*args: str) -> dict:
    code, out = run("memory", *args, "--format", "json")
    assert code == 0, out
    return json.loads(out)["training"]


def test_memory_gpu_by_name_equals_by_size():
    by_name = memory_json("resnet50", "--gpu", "a100-80gb")
    assert by_name == memory_json("resnet50", "--gpu", "80GiB")
    assert by_name["gpu_bytes"] == 80 * GIB
    assert memory_json("resnet50", "--gpu", "80GB")["gpu_bytes"] == 80 * 10**9


def test_memory_json_has_the_spec_keys():
    record = memory_json("lenet5", "--batch", "4", "--optimizer", "sgd", "--gpu", "2GiB")
    for key in ("batch", "optimizer", "precision", "weight_bytes", "gradient_bytes",
                "optimizer_bytes", "amp_copy_bytes", "saved_activation_bytes", "peak_bytes",
                "gpu_bytes", "largest_batch", "inference_peak_bytes", "backward_macs",
                "training_macs"):
        assert key in record
    assert record["batch"] == 4 and record["optimizer_bytes"] == 0
    assert record["saved_activation_bytes"] == 4 * training("lenet5")["saved_bytes_per_sample"]


def test_memory_rejects_an_unknown_gpu():
    code, out = run("memory", "lenet5", "--gpu", "rtx9999")
    assert code == 2 and "rtx4090" in out


def test_memory_table_shows_terms_and_verdict():
    code, out = run("memory", "resnet50", "--batch", "64", "--gpu", "24GiB")
    assert code == 0
    for text in ("optimizer state", "saved activations", "largest batch", "--optimizer sgd",
                 "--precision amp-bf16", "12,149,538,816", "saved activations by layer"):
        assert text in out


def test_summary_json_without_train_is_unchanged():
    code, out = run("summary", "lenet5", "--format", "json", "--no-verify")
    document = json.loads(out)
    assert "training" not in document
    assert all("saved_bytes" not in layer for layer in document["layers"])


def test_summary_train_markdown_has_a_training_section():
    code, out = run("summary", "lenet5", "--train", "--format", "markdown", "--no-verify")
    assert code == 0 and "## Training memory" in out and "36,432" in out


# -- the README's Training memory section stays true ----------------------------------------
README = (__import__("pathlib").Path(__file__).resolve().parents[1] / "README.md")


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Training memory"):text.index("## Speed")]


def test_readme_memory_example_is_real_output():
    import re

    block = re.search(r"<!-- README-MEMORY-START -->\n```\n\$ (.*?)\n(.*?)```", _section(), re.S)
    assert block, "README lost its memory example"
    result = CliRunner().invoke(cli, block.group(1).split()[1:], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    ours = [line.rstrip() for line in result.output.strip("\n").splitlines()]
    assert ours == [line.rstrip() for line in block.group(2).strip("\n").splitlines()]


def test_readme_accuracy_table_is_current():
    section = _section()
    for name in TRAINED:
        measured = training(name)
        batch = measured["batch_measured"]
        ours = figures(name, batch=batch).saved_activation_bytes
        error = 100 * (ours - measured["saved_bytes_at_batch"]) / measured["saved_bytes_at_batch"]
        line = (f"| {name} | {measured['saved_bytes_at_batch'] / batch:,.0f} | "
                f"{ours / batch:,.0f} | {error:.2f}% |")
        assert line in section, line


@pytest.mark.parametrize("name", ["resnet50", "vgg16", "unet"])
def test_readme_reported_largest_batches(name):
    largest = figures(name, gpu_bytes=24 * GIB).largest_batch
    reported = _section().split("### Reported figures")[1]
    row = next(line for line in reported.splitlines() if line.startswith(f"| {name} | "))
    assert row.endswith(f"| {largest} |")


@pytest.mark.parametrize("args, message", [
    (["--gpu", "1GiB", "--reserve", "2GiB"], "reserve less"),
    (["--gpu", "9" * 40 + "GiB"], "neither a size"),
    (["--gpu", "-3GiB"], "neither a size"),
    (["--reserve", "lots"], "cannot read"),
    (["--batch", "1" + "0" * 30], "no GPU holds"),
])
def test_memory_bad_options_are_usage_errors(args, message):
    code, out = run("memory", "lenet5", *args)
    assert code == 2 and message in out and "Traceback" not in out


def test_sizes_are_exact():
    assert memory_json("lenet5", "--gpu", "1.5GB")["gpu_bytes"] == 1_500_000_000
    assert memory_json("lenet5", "--gpu", "2GiB", "--reserve", "0.5GiB")["reserve_bytes"] == \
        GIB // 2


def test_summary_train_table_adds_the_panel_after_the_summary():
    code, out = run("summary", "lenet5", "--train", "--gpu", "4GiB", "--no-verify")
    assert code == 0
    assert out.index("totals") < out.index("training memory — LeNet-5")
    assert "largest batch" in out and "tanh1" in out


def test_top_zero_lists_every_layer_in_order():
    code, out = run("memory", "lenet5", "--top", "0", "--format", "markdown")
    rows = [line.split(" | ")[0].lstrip("| ") for line in out.splitlines()
            if line.startswith("| ") and " | " in line and "layer" not in line]
    paths = [row.path for row in cnncalc.analyze(cnncalc.load("lenet5")).rows]
    assert rows[-len(paths):] == paths


def test_named_tensors_stay_alive_until_their_last_reader():
    """A 'from:' skip keeps its tensor alive: stem (8×8×4) is read again by the add after
    two convs, so at the second conv stem, conv a's output and conv b's are alive at once."""
    from cnncalc.engine.dataflow import data_flow

    analysis = cnncalc.analyze(cnncalc.loads("""
input: 8x8x4
layers:
  - conv: {name: stem, filters: 4, kernel: 1}
  - conv: {name: a, filters: 4, kernel: 1}
  - conv: {name: b, filters: 4, kernel: 1}
  - add: {name: sum, from: [previous, stem]}
"""))
    flow = data_flow(analysis)
    assert [step.reads for step in flow.steps] == [[0], [1], [2], [3, 1]]
    # input (256) is freed after stem; then stem + a + b = 3 × 256 alive at b's step
    assert training_figures(analysis).inference_peak_bytes == 3 * 256 * 4


def test_summary_training_options_need_train():
    code, out = run("summary", "lenet5", "--gpu", "24GiB", "--optimizer", "sgd", "--no-verify")
    assert code == 2 and "--optimizer, --gpu take effect only with --train" in out


def test_a_list_shortcut_is_read_from_the_block_input():
    from cnncalc.engine.dataflow import data_flow

    spec = """
name: list-shortcut
input: 8x8x4
layers:
  - residual:
      body:
        - conv: {filters: 8, kernel: 3, padding: 1}
      shortcut:
        - conv: {filters: 8, kernel: 1}
"""
    analysis = cnncalc.analyze(cnncalc.loads(spec))
    flow = data_flow(analysis)
    body, shortcut, add = flow.steps
    assert body.reads == [0] and shortcut.reads == [0]  # both read the block's input
    assert add.reads == [body.writes, shortcut.writes]
    n, wide = 8 * 8 * 4, 8 * 8 * 8
    # body conv: x + b; shortcut conv: x + b + s, then x is freed; add: b + s + sum
    assert training_figures(analysis).inference_peak_bytes == 3 * wide * 4
    assert 3 * wide > n + 2 * wide  # the add, not the shortcut conv, is the peak


@pytest.mark.parametrize("name", ["lenet5", "resnet50", "unet"])
def test_largest_batch_is_the_last_that_fits(name):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    base = figures(name, optimizer="momentum")

    @settings(max_examples=40, deadline=None)
    @given(st.integers(min_value=1, max_value=1 << 42), st.integers(min_value=0, max_value=1 << 32))
    def check(gpu, reserve):
        result = base.variant(gpu_bytes=gpu + reserve, reserve_bytes=reserve)
        largest = result.largest_batch
        if largest == 0:
            assert result.peak_at(1) > gpu and result.miss_bytes == result.peak_at(1) - gpu
        else:
            assert result.peak_at(largest) <= gpu < result.peak_at(largest + 1)

    check()
