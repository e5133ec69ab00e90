"""The reference walker overwrites arrays in place only when nothing else still needs them.

Expected values are computed here with the plain (allocating) kernels from the same seeded
input, so an in-place layer that clobbered a residual's shortcut or a concat's shared input
would show up as a wrong number, not just a wrong shape.
"""

import numpy as np

import cnncalc
from cnncalc.reference import ops, weights
from cnncalc.reference.forward import Forward


def run(text: str) -> np.ndarray:
    network = cnncalc.analyze(cnncalc.loads(text)).network
    return Forward(seed=7).run(network.layers, network.input)


def seeded_input(shape):
    return weights.random_input(weights.make_rng(7), shape)


def identity_bn(x):
    return ops.batchnorm(x, *weights.batchnorm_identity(x.shape[0]))


def test_pre_activation_body_leaves_the_identity_shortcut_intact():
    got = run("""
input: 5x6x3
layers:
  - residual:
      body: [relu, bn]
      shortcut: identity
      activation: relu
""")
    x = seeded_input((3, 5, 6))
    expected = ops.relu(identity_bn(ops.relu(x)) + x)
    assert (x < 0).any()  # otherwise relu would change nothing and prove nothing
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_branches_of_a_concat_see_the_untouched_input():
    got = run("""
input: 4x4x2
layers:
  - concat:
      branches:
        - [relu6]
        - []
        - [bn, relu]
""")
    x = seeded_input((2, 4, 4))
    expected = np.concatenate([ops.relu6(x), x, ops.relu(identity_bn(x))])
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_in_place_relu_after_a_layer_gives_the_same_numbers_as_a_fresh_one():
    text = """
input: 6x6x3
layers:
  - conv: {filters: 4, kernel: 3, padding: 1}
  - relu
  - bn
  - relu
"""
    got = run(text)
    network = cnncalc.analyze(cnncalc.loads(text)).network
    # The same walk with in-place updates switched off.
    walker = Forward(seed=7)
    walker.apply = lambda layer, x, owned=False: Forward.apply(walker, layer, x, False)
    np.testing.assert_array_equal(got, walker.run(network.layers, network.input))
    assert (got >= 0).all() and got.shape == (4, 6, 6)


def test_every_layer_type_has_a_reference_kernel_and_every_kernel_a_type():
    """One registry on each side, keyed by the same names: adding a type means adding both."""
    from cnncalc.engine.layers import CATALOG
    from cnncalc.reference.runners import RUNNERS

    assert sorted(set(CATALOG) - set(RUNNERS)) == [], "engine types with no reference kernel"
    assert sorted(set(RUNNERS) - set(CATALOG)) == [], "reference kernels naming no engine type"


def test_a_type_without_a_kernel_is_a_mismatch_on_its_row_not_a_crash(monkeypatch):
    from cnncalc.reference import runners
    from cnncalc.reference.verify import verify_analysis

    monkeypatch.delitem(runners.RUNNERS, "lrn")
    result = verify_analysis(cnncalc.analyze(cnncalc.load("alexnet")))
    assert [row.path for row in result.mismatches] == ["lrn1"]
    assert "no kernel for 'lrn'" in result.mismatches[0].verify_note
