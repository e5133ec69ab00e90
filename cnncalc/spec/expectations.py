"""`expect:` checks: which figures may be expected and how a written value is read."""

from __future__ import annotations

import re
from typing import Any

from ..engine.figures import EXPECTABLE
from ..engine.model import Expectation
from ..engine.options import Each, check_int
from ..engine.shapes import parse_shape
from ..errors import CnnCalcError, suggest
from .yamlread import MarkedDict, layer_fields, position

FIGURES = EXPECTABLE  # the figures an `expect:` may name


class ExpectationReader:
    """The `expect:` mappings of the spec reader (a mixin of SpecReader)."""

    def expectations(self, expect, container, key, where, env) -> list[Expectation]:
        """The `expect` mapping, each value substituted and normalised ('55x55x96' → shape)."""
        if expect is None:
            return []
        if not isinstance(expect, MarkedDict):
            raise self.fail("'expect' must map figures to values, e.g. {output: 28x28x6, "
                            "params: 456}", container, key, **layer_fields(where))
        found = []
        for figure, value in expect.items():
            if figure not in FIGURES:
                raise self.fail_key(f"unknown figure '{figure}' in expect"
                                    f"{suggest(str(figure), FIGURES)} (figures: "
                                    f"{', '.join(FIGURES)})", expect, figure, **layer_fields(where))
            at = position(expect, figure, self.file, **layer_fields(where))
            try:
                normalised = normalise_expected(str(figure), self.substitute(value, env))
            except CnnCalcError as error:
                raise error.locate(**at) from None
            found.append(Expectation(str(figure), normalised, at))
        return found


def normalise_expected(figure: str, value: Any) -> Any:
    """'55x55x96' → (55, 55, 96); '34,944' → 34944; rf 11 → (11, 11)."""
    if figure == "output":
        return parse_shape(value)
    if figure == "rf" and isinstance(value, list):
        return tuple(check_int(v, "rf", 1) for v in value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+", value.strip()):
        value = int(value.strip().replace(",", ""))
    number = check_int(value, figure, 0)
    return Each((number, number)) if figure == "rf" else number  # rf: every axis alike
