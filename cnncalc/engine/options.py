"""Option kinds: each turns a raw YAML value into one normalised Python value or says why not.

Normalising once here means no code downstream checks types again (STYLE habit 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ShapeError, SpecError, show
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


class Each(tuple):
    """A per-axis option given as one integer: the same on every axis, whatever the rank.

    It holds the 2-D reading (an int n is (n, n), sides (n, n, n, n)) so code that never
    meets another rank sees what it always saw; `for_rank` repeats it for 1-D and 3-D."""


# How many per-axis sizes a list may give: one per axis for ranks 1 to 3.
MAX_RANK = 3


def _pair(value, what, minimum):
    kind = "a positive" if minimum >= 1 else "a non-negative"
    if isinstance(value, list):
        if not 1 <= len(value) <= MAX_RANK:
            raise SpecError(f"{what} must be {kind} integer or [height, width] (1-D: [length], "
                            f"3-D: [depth, height, width]), got {show(value)}")
        names = AXIS_SIZE_NAMES.get(len(value))
        return tuple(check_int(item, f"{what} {names[axis]}", minimum)
                     for axis, item in enumerate(value))
    if _is_int(value):
        number = check_int(value, what, minimum)
        return Each((number, number))
    raise SpecError(f"{what} must be {kind} integer or [height, width], got {show(value)}"
                    f"{non_ascii_digits_hint(value)}")


# The size names of a list of one, two or three per-axis values (messages only).
AXIS_SIZE_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def _pair1(value, what, option):
    return _pair(value, what, 1)


def _pair0(value, what, option):
    return _pair(value, what, 0)


def _sides(value, what, option):
    """int | one per axis | (before, after) per axis; resolved for the input's rank by
    `for_rank` (2-D: [h, w] or [top, bottom, left, right])."""
    if isinstance(value, list) and len(value) in (4, 6):
        return tuple(check_int(v, what, 0) for v in value)
    if isinstance(value, list) and not 1 <= len(value) <= MAX_RANK:
        raise SpecError(f"{what} must be an integer, [h, w] or [top, bottom, left, right], "
                        f"got {show(value)}")
    pair = _pair(value, what, 0)
    return Each(pair * 2) if isinstance(pair, Each) else pair


def _padding(value, what, option):
    """Conv/pool padding: the sides, or 'same' (resolved per input), 'valid' = 0, or
    'causal' (1-D: all of it on the left, resolved per kernel)."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("same", "causal"):
            return word
        if word == "valid":
            return Each((0, 0, 0, 0))
        raise SpecError(f"{what} must be an integer, a pair, 4 sides, 'causal', 'same' or "
                        f"'valid', got {show(value)}{non_ascii_digits_hint(value)}")
    return _sides(value, what, option)


def for_rank(value: Any, kind: str, rank: int, what: str, shape_text: str) -> Any:
    """A per-axis option for an input with `rank` spatial axes: an int repeats, a list must
    give one value per axis (sides: also a (before, after) pair per axis)."""
    if value is None or isinstance(value, str):
        return value
    sides = kind in ("sides", "padding")
    if isinstance(value, Each):
        return (value[0],) * (2 * rank if sides else rank)
    if sides and len(value) == 2 * rank:
        return tuple(value)
    if len(value) == rank:
        return tuple(v for v in value for _ in range(2)) if sides else tuple(value)
    wanted = f"{rank} value{'s' if rank > 1 else ''}"
    if sides:
        wanted += f" (or {2 * rank}: before and after on each axis)"
    raise ShapeError(f"{what} {list(value)} has {len(value)} value{'s' if len(value) > 1 else ''}"
                     f", but the input {shape_text}; give {wanted} or one integer")


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
