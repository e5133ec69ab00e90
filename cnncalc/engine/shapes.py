"""Pure integer shape formulas. No floats: every division is exact or floored on purpose.

A shape is a tuple: the spatial sizes then the channels — (H, W, C) for a feature map,
(L, C) for a 1-D signal, (D, H, W, C) for a volume or clip — or (N,) for a vector.
Batch is never part of it. This is the only module that knows how a
shape tuple is laid out; everything else asks it (spatial_sizes, channels, with_spatial…).
"""

from __future__ import annotations

Shape = tuple[int, ...]


AXIS_NAMES = {1: ("sample",), 2: ("row", "column"), 3: ("frame", "row", "column")}
# The size along each axis, in messages ("the padded input height …").
SIZE_NAMES = {"sample": "length", "frame": "depth", "row": "height", "column": "width"}


def is_spatial(shape: Shape) -> bool:
    """A feature map (spatial sizes + channels), as opposed to a vector."""
    return len(shape) > 1


def spatial_rank(shape: Shape) -> int:
    """How many spatial axes: 1 for L×C, 2 for H×W×C, 3 for D×H×W×C, 0 for a vector."""
    return len(shape) - 1 if is_spatial(shape) else 0


def spatial_sizes(shape: Shape) -> tuple[int, ...]:
    """(H, W) of an H×W×C map; () for a vector."""
    return tuple(shape[:-1]) if is_spatial(shape) else ()


def channels(shape: Shape) -> int:
    """C of a map; a vector's length."""
    return shape[-1]


def with_spatial(sizes: tuple[int, ...], channel_count: int) -> Shape:
    """The shape of a map with these spatial sizes and channels."""
    return (*sizes, channel_count)


def axis_names(shape: Shape) -> tuple[str, ...]:
    """What each spatial axis is called in messages: rows, columns (frames, samples)."""
    return AXIS_NAMES.get(spatial_rank(shape), tuple(f"axis {i}" for i in range(len(shape))))


def rank_text(shape: Shape) -> str:
    """'1-D (length × channels)' — how an error names an input's rank."""
    rank = spatial_rank(shape)
    if rank == 0:
        return "a vector"
    names = [SIZE_NAMES.get(name, name) for name in axis_names(shape)]
    return f"{rank}-D ({' × '.join([*names, 'channels'])})"


def numel(shape: Shape) -> int:
    total = 1
    for size in shape:
        total *= size
    return total


def shape_str(shape: Shape, *, chw: bool = False, times: str = "x") -> str:
    """'55x55x96' (H×W×C), or '96x55x55' with chw; a vector is just its length."""
    if len(shape) == 1:
        return str(shape[0])
    ordered = (shape[-1], *shape[:-1]) if chw else shape
    return times.join(str(size) for size in ordered)


def effective_kernel(kernel: int, dilation: int) -> int:
    """A dilated kernel spans D(F−1)+1 input pixels."""
    return dilation * (kernel - 1) + 1


def window_span(size: int, kernel: int, pad_before: int, pad_after: int, dilation: int) -> int:
    """Room the window can slide over: H + Pt + Pb − D(F−1) − 1 (negative: kernel too big)."""
    return size + pad_before + pad_after - effective_kernel(kernel, dilation)


def conv_out(size: int, kernel: int, stride: int, pad_before: int = 0, pad_after: int = 0,
             dilation: int = 1) -> int:
    """⌊(H + Pt + Pb − D(F−1) − 1)/S⌋ + 1, the size every framework produces."""
    return window_span(size, kernel, pad_before, pad_after, dilation) // stride + 1


def pool_out(size: int, kernel: int, stride: int, pad_before: int, pad_after: int,
             ceil_mode: bool, dilation: int = 1) -> int:
    """Pooling output; ceil_mode as PyTorch: one more window unless it would start in padding
    (that last window may overhang the padded input by up to S − 1: the span may be < 0)."""
    span = window_span(size, kernel, pad_before, pad_after, dilation)
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_before:
        out -= 1
    return out


def transpose_out(size: int, kernel: int, stride: int, padding: int, output_padding: int,
                  dilation: int) -> int:
    """(H−1)S − 2P + D(F−1) + output_padding + 1."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow 'same': output ⌈H/S⌉, the odd padding pixel at the bottom/right."""
    out = -(-size // stride)
    total = max((out - 1) * stride + effective_kernel(kernel, dilation) - size, 0)
    return total // 2, total - total // 2


def adaptive_cells(size: int, out: int) -> int:
    """Σ of PyTorch's adaptive bin lengths on one axis, in closed form: H + o − gcd(H, o).

    Bin i is [⌊iH/o⌋, ⌈(i+1)H/o⌉), of length ⌈(a + H)/o⌉ with a = iH mod o; summing the
    ceilings and floors separately, everything cancels but H + o − gcd(H, o)."""
    from math import gcd

    return size + out - gcd(size, out)


def adaptive_widest(size: int, out: int) -> int:
    """The longest adaptive bin on one axis: a = iH mod o peaks at o − gcd(H, o)."""
    from math import gcd

    return -(-(out - gcd(size, out) + size) // out)


def adaptive_bins(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive pooling windows: [⌊i·H/o⌋, ⌈(i+1)·H/o⌉)."""
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


# The mapping form of an input, per rank: its keys in the order of the shape tuple.
SHAPE_KEYS = {1: ("length", "channels"), 2: ("height", "width", "channels"),
              3: ("depth", "height", "width", "channels")}


def parse_shape(value: object) -> Shape:
    """'227x227x3', '227×227×3', '16000x1' (L×C), '16x112x112x3' (D×H×W×C), a mapping of
    {height, width, channels} (or {length, channels}, {depth, height, width, channels}) or
    784 → a shape tuple. The number of sizes decides the rank (SPEC §8)."""
    from ..errors import SpecError, show
    from .options import check_int, non_ascii_digits_hint

    if isinstance(value, dict):
        keys = next((keys for keys in SHAPE_KEYS.values() if set(keys) == set(value)), None)
        if keys is None:
            raise SpecError("a shape mapping needs exactly height, width and channels (or "
                            "length and channels, or depth, height, width and channels), got "
                            f"{', '.join(map(str, value)) or 'nothing'}")
        return tuple(check_int(value[key], key, 1) for key in keys)
    if isinstance(value, int) and not isinstance(value, bool):
        return (check_int(value, "input size", 1),)
    if isinstance(value, str):
        parts = value.strip().lower().replace("×", "x").split("x")
        if len(parts) <= 4 and all(is_ascii_number(part.strip()) for part in parts):
            numbers = tuple(int(part) for part in parts)
            return tuple(check_int(n, "shape size", 1) for n in numbers)
    raise SpecError(f"cannot read shape {show(value)}: write HxWxC like 227x227x3, LxC like "
                    "16000x1, DxHxWxC like 16x112x112x3, or an integer for a vector"
                    f"{non_ascii_digits_hint(value)}")


def is_ascii_number(text: str) -> bool:
    """Only 0-9 are digits: '²', '３' and '٣' pass str.isdigit() but are not numbers here."""
    return text.isascii() and text.isdigit()


def looks_channels_first(shape: Shape) -> bool:
    """3×224×224: a first size of at most 4 and a last more than 4× larger reads as C×H×W
    written the PyTorch way, not as a 3-pixel-high image (SPEC §12)."""
    return len(shape) == 3 and shape[0] <= 4 and shape[-1] > 4 * shape[0]


def from_channels_first(shape: Shape) -> Shape:
    """(C, H, W) → (H, W, C), for an input the user says is written channels-first."""
    return (*shape[1:], shape[0]) if len(shape) > 1 else shape
