"""Answer cards against the course's worked examples (COMP9444, CS231n, AlexNet paper)."""

import pytest

from cnncalc import ShapeError
from cnncalc.homework.card import conv_layer, explore, layer_card, pool_layer


def figures(card):
    return {step.label: step.value for step in card.steps}


@pytest.mark.parametrize(
    ("shape", "layer", "expected"),
    [
        # COMP9444: six 5×5 filters on 32×32×3
        ((32, 32, 3), conv_layer(6, 5),
         {"output shape": "28×28×6", "weights per neuron": "76", "neurons": "4,704",
          "connections": "357,504", "params": "456"}),
        # same with padding 2 and ten filters
        ((32, 32, 3), conv_layer(10, 5, padding=2),
         {"output shape": "32×32×10", "params": "760"}),
        # AlexNet conv1 on 227×227×3
        ((227, 227, 3), conv_layer(96, 11, 4),
         {"output shape": "55×55×96", "weights": "34,848", "biases": "96", "params": "34,944",
          "neurons": "290,400", "connections": "105,705,600"}),
        # 100 filters of 3×3×3: (27 + 1) × 100
        ((32, 32, 3), conv_layer(100, 3), {"params": "2,800"}),
        # AlexNet's pool after conv1
        ((55, 55, 96), pool_layer(3, 2), {"output shape": "27×27×96", "params": "0"}),
    ],
)
def test_course_figures(shape, layer, expected):
    got = figures(layer_card(layer, shape))
    assert {key: got[key] for key in expected} == expected


def test_derivation_uses_the_users_numbers():
    card = layer_card(conv_layer(6, 5), (32, 32, 3))
    steps = {step.label: step for step in card.steps}
    assert str(steps["output size"]) == "output size: (32 − 5 + 2·0)/1 + 1 = 28"
    assert steps["params"].formula == "(75 + 1) × 6"
    assert card.fits and not card.warnings


def test_hundred_filters_formula():
    steps = {step.label: step for step in layer_card(conv_layer(100, 3), (32, 32, 3)).steps}
    assert f"{steps['params'].formula} = {steps['params'].value}" == "(27 + 1) × 100 = 2,800"


def test_alexnet_on_224_does_not_fit():
    card = layer_card(conv_layer(96, 11, 4), (224, 224, 3))
    size = card.steps[0]
    assert (size.formula, size.value, size.note) == ("(224 − 11 + 2·0)/4 + 1", "54.25",
                                                     "does not fit")
    assert not card.fits
    text = "\n".join(card.warnings)
    assert "223 never read" in text  # 0-based row/column 223 is never read
    assert "223 or 227" in text
    assert figures(card)["output shape"] == "54×54×96"  # floored as frameworks do


def test_padding_only_remainder_is_a_note_not_a_warning():
    # 3×3/2 with padding 1 on an even size: only the last padding row is unused (SPEC §2)
    card = layer_card(conv_layer(8, 3, 2, 1), (56, 56, 3))
    assert card.fits and card.notes
    assert figures(card)["output shape"] == "28×28×8"


def test_no_bias():
    got = figures(layer_card(conv_layer(6, 5, bias=False), (32, 32, 3)))
    assert (got["weights per neuron"], got["biases"], got["params"]) == ("75", "0", "450")


def test_stride_question_on_7x7():
    choices = explore(lambda s: conv_layer(1, 3, s), (7, 7, 1), "stride")
    fitting = {value: out[:2] for value, out, _, _ in choices.fitting}
    assert fitting[1] == (5, 5) and fitting[2] == (3, 3)
    assert 3 not in fitting
    # (7 − 3)/4 + 1 = 2 divides, but stride 4 > kernel 3 skips a column between windows
    assert fitting[4] == (2, 2) and choices.span == 3


def test_padding_question_agrees_with_the_single_cards():
    # Issue 18: F=5, S=2 on 32. The list said "no padding fits exactly" while the cards for
    # padding 1 and 2 said it still fits. One rule now: (32 − 5 + 2P) is odd, so one row is
    # left after the last window; it is padding (fits) for every P ≥ 1, real input for P = 0.
    choices = explore(lambda p: conv_layer(6, 5, 2, p), (32, 32, 3), "padding")
    assert [value for value, _, _, exact in choices.fitting if not exact] == [1, 2, 3, 4]
    assert not any(exact for *_, exact in choices.fitting)
    for padding in range(5):
        card = layer_card(conv_layer(6, 5, 2, padding), (32, 32, 3))
        assert card.fits == (padding in (1, 2, 3, 4))


def test_padding_question_when_nothing_fits():
    # F=4, S=4 on 33: room 29 + 2P leaves 1, 3, 1, 3 for P = 0…3; a leftover ≤ P is padding
    fits33 = explore(lambda p: conv_layer(1, 4, 4, p), (33, 33, 1), "padding")
    assert [value for value, *_ in fits33.fitting] == [2, 3]
    # F=2, S=8 on 35: room 33 + 2P leaves 1 (P=0), 3 (P=1): real input either way
    none = explore(lambda p: conv_layer(1, 2, 8, p), (35, 35, 1), "padding")
    assert none.fitting == [] and "a total of" in none.note


def test_padding_question_stride_one():
    choices = explore(lambda p: conv_layer(6, 5, 1, p), (32, 32, 3), "padding")
    assert [(value, out) for value, out, _, _ in choices.fitting][2] == (2, (32, 32, 6))


def test_kernel_question():
    # (32 − F + 2·0)/1 + 1 = 28 → F = 5; with stride 2 and padding 1, output 16:
    # (32 − F + 2)/2 + 1 = 16 → F = 4 exactly, F = 3 leaves one padding row (fits)
    assert [v for v, *_ in explore(lambda k: conv_layer(6, k), (32, 32, 3), "kernel",
                                   (28, 28)).fitting] == [5]
    found = explore(lambda k: conv_layer(6, k, 2, 1), (32, 32, 3), "kernel", (16, 16))
    assert [(value, exact) for value, _, _, exact in found.fitting] == [(3, False), (4, True)]


def test_kernel_too_large_is_an_error():
    with pytest.raises(ShapeError):
        layer_card(conv_layer(1, 5), (3, 3, 1))
