"""compare and check, on the built-ins and small specs (params from torchvision's docs)."""

from cnncalc import analyze, load
from cnncalc.engine.compare import compare
from cnncalc.spec.check import check_file, check_files

SPEC = """input: 32x32x3
layers:
  - conv: {filters: 6, kernel: 5, expect: {output: 28x28x6, params: %s}}
"""


def test_vgg16_vs_resnet50_totals():
    result = compare(analyze(load("vgg16")), analyze(load("resnet50")))
    params = next(figure for figure in result.totals if figure.label == "params")
    assert (params.a, params.b) == (138_357_544, 25_557_032)
    assert 0.18 < params.ratio < 0.19
    output = next(figure for figure in result.totals if figure.label == "output")
    assert output.a == output.b == (1000,)
    # VGG's first classifier layer (102,764,544 params) is the biggest difference
    assert result.layers[0].path.endswith("dense1")


def test_identical_networks_have_no_differing_layers():
    result = compare(analyze(load("lenet5")), analyze(load("lenet5")))
    assert result.layers == [] and result.same_layers == len(result.a.rows)


def test_check_verdicts(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(SPEC % 456)  # 6 × (5·5·3 + 1) = 456
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC % 455)
    assert check_file(str(good)).ok
    verdict = check_file(str(bad))
    assert not verdict.ok and verdict.failed[0].got == 456
    broken = check_file(str(tmp_path / "missing.yaml"))
    assert not broken.ok and broken.error


def test_misfit_fails_only_when_strict(tmp_path):
    spec = tmp_path / "alexnet224.yaml"
    spec.write_text("input: 224x224x3\nlayers:\n  - conv: {filters: 96, kernel: 11, stride: 4}\n")
    assert check_file(str(spec)).ok
    assert check_file(str(spec)).misfits
    assert not check_file(str(spec), strict=True).ok
    assert [v.ok for v in check_files([str(spec), "lenet5"], strict=True)] == [False, True]
