"""Option kinds: each turns a raw YAML value into one normalised Python value or says why not.

Normalising once here means no code downstream checks types again (STYLE habit 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import SpecError, show
from ..limits import MAX_INT  # noqa: F401 (re-exported: beyond it no size is meaningful)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def non_ascii_digits_hint(value: Any) -> str:
    """'３２', '٣', '²' look like numbers but are not: say so, instead of a puzzling refusal."""
    if isinstance(value, str) and any(ch.isdigit() and not ch.isascii() for ch in value):
        return " (only the ASCII digits 0-9 make numbers)"
    return ""


def check_int(value: Any, what: str, minimum: int) -> int:
    """An integer ≥ minimum; booleans and 2.5 are refused."""
    if not _is_int(value):
        article = "a positive" if minimum >= 1 else "a non-negative"
        raise SpecError(f"{what} must be {article} integer, got {show(value)}"
                        f"{non_ascii_digits_hint(value)}")
    if value < minimum:
        bound = "≥ 1" if minimum >= 1 else "≥ 0"
        raise SpecError(f"{what} must be {bound}, got {value}")
    if value > MAX_INT:
        raise SpecError(f"{what}={value} is too large (limit 2^63)")
    return value


@dataclass(frozen=True)
class Option:
    """How one option is read: a kind, a default, and whether it is required."""

    kind: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()

    def normalise(self, value: Any, what: str) -> Any:
        return NORMALISERS[self.kind](value, what, self)


def _int1(value, what, option):
    return check_int(value, what, 1)


def _int0(value, what, option):
    return check_int(value, what, 0)


def _pair(value, what, minimum):
    kind = "a positive" if minimum >= 1 else "a non-negative"
    if isinstance(value, list):
        if len(value) != 2:
            raise SpecError(f"{what} must be {kind} integer or [height, width], got {show(value)}")
        return (check_int(value[0], f"{what} height", minimum),
                check_int(value[1], f"{what} width", minimum))
    if _is_int(value):
        number = check_int(value, what, minimum)
        return (number, number)
    raise SpecError(f"{what} must be {kind} integer or [height, width], got {show(value)}"
                    f"{non_ascii_digits_hint(value)}")


def _pair1(value, what, option):
    return _pair(value, what, 1)


def _pair0(value, what, option):
    return _pair(value, what, 0)


def _sides(value, what, option):
    """int | [h, w] | [top, bottom, left, right] → (top, bottom, left, right)."""
    if isinstance(value, list) and len(value) == 4:
        top, bottom, left, right = (check_int(v, what, 0) for v in value)
        return (top, bottom, left, right)
    if isinstance(value, list) and len(value) not in (2, 4):
        raise SpecError(f"{what} must be an integer, [h, w] or [top, bottom, left, right], "
                        f"got {show(value)}")
    vertical, horizontal = _pair(value, what, 0)
    return (vertical, vertical, horizontal, horizontal)


def _padding(value, what, option):
    """Conv/pool padding: the sides, or 'same' (resolved per input), 'valid' = 0."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "same":
            return "same"
        if word == "valid":
            return (0, 0, 0, 0)
        raise SpecError(f"{what} must be an integer, a pair, 4 sides, 'same' or 'valid', "
                        f"got {show(value)}{non_ascii_digits_hint(value)}")
    return _sides(value, what, option)


def _transpose_padding(value, what, option):
    """Transposed-conv padding: a pair, or Keras' 'same' / 'valid' (kept as words: Keras'
    'valid' is not PyTorch's 0, see ConvTranspose.sides)."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("same", "valid"):
            return word
        raise SpecError(f"{what} must be an integer, a pair, 'same' or 'valid', got "
                        f"{show(value)}{non_ascii_digits_hint(value)}")
    return _pair(value, what, 0)


def _channel_range(value, what, option):
    """[start, stop]: 0-based channel numbers, stop exclusive (slice)."""
    if not isinstance(value, list) or len(value) != 2:
        raise SpecError(f"{what} must be [start, stop] (0-based, stop exclusive), got "
                        f"{show(value)}")
    return check_int(value[0], f"{what} start", 0), check_int(value[1], f"{what} stop", 0)


def _bool(value, what, option):
    if not isinstance(value, bool):
        raise SpecError(f"{what} must be true or false, got {show(value)}")
    return value


def _number(value, what, option):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{what} must be a number, got {show(value)}{non_ascii_digits_hint(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise SpecError(f"{what} must be a finite number, got {show(value)}")
    return float(value)


def _rate(value, what, option):
    number = _number(value, what, option)
    if not 0 <= number < 1:
        raise SpecError(f"{what} must be in [0, 1), got {show(value)}")
    return number


def _choice(value, what, option):
    if not isinstance(value, str) or value.lower() not in option.choices:
        raise SpecError(f"{what} must be one of {', '.join(option.choices)}, got {show(value)}")
    return value.lower()


def _optional_choice(value, what, option):
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return None
    return _choice(value, what, option)


NORMALISERS = {
    "int1": _int1, "int0": _int0, "pair1": _pair1, "pair0": _pair0, "sides": _sides,
    "padding": _padding, "bool": _bool, "number": _number, "rate": _rate,
    "choice": _choice, "optional_choice": _optional_choice,
    "transpose_padding": _transpose_padding, "channel_range": _channel_range,
}
