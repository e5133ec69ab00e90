"""What every layer type declares, and the registry that holds each type once.

A type is one class: its options (kind and default), its output shape, its counts, its
receptive-field steps, its "does it fit" axes and its flags. `@register` files it under its
canonical name and aliases; the spec reader, the analysis, the referee's completeness test
and the views all read the registry instead of keeping lists of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from ...errors import ShapeError
from ..fit import AxisFit
from ..options import Each, Option, for_rank
from ..shapes import (
    SIZE_NAMES,
    Shape,
    axis_names,
    channels,
    effective_kernel,
    is_spatial,
    numel,
    rank_text,
    same_padding,
    shape_str,
    spatial_rank,
    spatial_sizes,
    window_span,
)

# One receptive-field step on one axis: (kernel span, stride, padding before). Upsampling
# layers use a fractional stride, which divides the jump instead of multiplying it.
AxisStep = tuple[int, Fraction, int]
Step = tuple[AxisStep, ...]  # one AxisStep per spatial axis

REGISTRY: dict[str, type[Layer]] = {}  # canonical type name → class, in declaration order
ALIASES: dict[str, str] = {}  # alias → canonical type name
RANKED_ALIASES: dict[str, int] = {}  # 'conv1d' → 1: the alias also checks the input's rank
PER_AXIS_KINDS = ("pair1", "pair0", "sides", "padding", "transpose_padding")  # per input rank
# The methods that read per-axis options: each first resolves them for its input's rank.
RANK_BOUND_METHODS = ("output_shape", "counts", "rf_steps", "axis_fits", "notes")


def register(cls: type[Layer]) -> type[Layer]:
    """File a layer class under its type name and aliases."""
    REGISTRY[cls.type] = cls
    for alias in cls.aliases:
        ALIASES[alias] = cls.type
        if alias.endswith(("1d", "2d", "3d")) and alias[-3].isalpha():
            RANKED_ALIASES[alias] = int(alias[-2])
    return cls


@dataclass
class Counts:
    """What one layer contributes. Exact integers; params = weights + biases + extra."""

    weights: int = 0
    biases: int = 0
    extra_params: int = 0  # batchnorm's γ and β
    buffers: int = 0  # batchnorm's running mean and variance
    connections: int = 0
    macs: int = 0

    @property
    def params(self) -> int:
        return self.weights + self.biases + self.extra_params


def spatial(shape: Shape, layer: Layer) -> tuple[tuple[int, ...], int]:
    """(spatial sizes, channels) of a map; a vector here is the user's mistake."""
    if not is_spatial(shape):
        raise ShapeError(f"{layer.type} needs a feature map (L×C, H×W×C or D×H×W×C), got a "
                         f"vector of {shape[0]}; "
                         "move it before the flatten/dense layers")
    return spatial_sizes(shape), channels(shape)


class Layer:
    """A layer type: its options, output shape, counts and receptive-field geometry."""

    type: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    OPTIONS: ClassVar[dict[str, Option]] = {}
    # Flags, read by the spec reader, the analysis, the referee and the views:
    takes_activation: ClassVar[bool] = False  # `activation: relu` appends a layer after it
    is_activation: ClassVar[bool] = False  # usable as `activation:` of another layer
    in_place: ClassVar[bool] = False  # PyTorch runs it in place (inplace=True / batchnorm)
    needs_workspace: ClassVar[bool] = False  # the referee needs im2col scratch for it
    source: str | None = None  # `from:` — the tensor path read instead of the previous output
    aims: ClassVar[bool] = False  # takes `to: NAME`: its size follows that tensor's (SPEC §7)
    target: str | None = None  # `to:` — the tensor path whose spatial size it matches
    appended_to: str | None = None  # an `activation:` layer: the name of the entry it ends

    def __init__(self, name: str, path: str | None = None, where: dict[str, Any] | None = None,
                 expect: list | None = None, rank: int | None = None, **options: Any) -> None:
        self.name = name
        self.rank = rank  # set by a rank-checking alias (conv1d, maxpool3d, …)
        self.path = path if path is not None else name  # dotted, set by the spec reader
        self.where: dict[str, Any] = where or {}  # file/line/column/layer_index
        self.expect: list = expect or []  # the entry's `expect:` checks
        for key, option in self.OPTIONS.items():
            default = option.default
            if option.kind in PER_AXIS_KINDS and isinstance(default, tuple):
                default = Each(default)  # a default fits every rank
            setattr(self, key, options.get(key, default))
        self._unbound: dict[str, Any] | None = None  # per-axis options as given
        self._bound_rank: int | None = None  # the rank they are resolved for

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Each override of a method that reads per-axis options resolves them for its
        # input first, so no caller (analysis, cards, referee) can see another rank's tuple.
        super().__init_subclass__(**kwargs)
        for method in RANK_BOUND_METHODS:
            inner = cls.__dict__.get(method)
            if inner is not None and not getattr(inner, "binds_rank", False):
                setattr(cls, method, _binding(inner))

    def per_axis_options(self) -> list[str]:
        return [key for key, option in self.OPTIONS.items() if option.kind in PER_AXIS_KINDS]

    @property
    def label(self) -> str:
        """The type as the table names it: 'conv', or 'conv1d' when written so."""
        return f"{self.type}{self.rank}d" if self.rank in (1, 3) else self.type

    def bind(self, shape: Shape) -> None:
        """Resolve the per-axis options for this input's rank: an int repeats, a list must
        have one value per axis, 'causal' becomes (F−1)·D on the left (SPEC §8)."""
        rank = spatial_rank(shape)
        if self.rank is not None and rank != self.rank:
            raise ShapeError(f"{self.label} needs a {self.rank}-D input, but the input "
                             f"{shape_str(shape, times='×')} is {rank_text(shape)}; write "
                             f"'{self.type}' to follow the input's rank")
        if rank == 0 or rank == self._bound_rank:
            return
        if self._unbound is None:
            self._unbound = {key: getattr(self, key) for key in self.per_axis_options()}
        text = f"{shape_str(shape, times='×')} is {rank_text(shape)}"
        for key, value in self._unbound.items():
            kind = self.OPTIONS[key].kind if key in self.OPTIONS else "pair1"
            setattr(self, key, for_rank(value, kind, rank, key, text))
        self._bound_rank = rank
        if getattr(self, "padding", None) == "causal":
            if rank != 1:
                raise ShapeError(f"padding: causal pads a 1-D input on the left, but the "
                                 f"input {text}; give the padding as numbers")
            dilation = getattr(self, "dilation", (1,))
            self.padding = (dilation[0] * (self.kernel[0] - 1), 0)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.OPTIONS)
        return f"{type(self).__name__}({self.name!r}{', ' if shown else ''}{shown})"

    @property
    def fit_exempt(self) -> bool:
        """ceil_mode / 'same': the user chose the rounding, so inexact is never ⚠."""
        return False

    def max_padding(self) -> int | None:
        """The largest padding a fitting-padding suggestion may offer (None: no limit)."""
        return None

    def output_shape(self, shape: Shape) -> Shape:
        self.bind(shape)
        return shape

    def counts(self, shape: Shape, out: Shape) -> Counts:
        return Counts(connections=numel(out))

    def rf_steps(self, shape: Shape) -> list[Step]:
        return []

    def axis_fits(self, shape: Shape) -> list[AxisFit]:
        return []

    def notes(self, shape: Shape) -> list[str]:
        return []

    def describe(self) -> str:
        return self.label

    def toward(self, sizes: tuple[int, ...], target: tuple[int, ...]) -> Layer:
        """This layer with its size fixed to reach the spatial sizes `target` (`to:`)."""
        raise NotImplementedError(f"{self.type} takes no 'to:'")

    def check_kernel(self, shape: Shape, kernel, padding, dilation=None) -> None:
        sizes, _ = spatial(shape, self)
        dilation = dilation or (1,) * len(sizes)
        names = SIZE_NAMES
        for axis, size in enumerate(sizes):
            before, after = padding[2 * axis], padding[2 * axis + 1]
            if window_span(size, kernel[axis], before, after, dilation[axis]) < 0:
                name = axis_names(shape)[axis]
                raise ShapeError(
                    f"kernel {effective_kernel(kernel[axis], dilation[axis])} is larger than "
                    f"the padded input {names.get(name, name)} {size} + {before} + {after} = "
                    f"{size + before + after}; use a smaller kernel, more padding or a larger "
                    "input")


def _binding(method):
    """`method`, resolving the layer's per-axis options for its input first."""
    def bound(self, shape, *args, **kwargs):
        self.bind(shape)
        return method(self, shape, *args, **kwargs)
    bound.binds_rank = True
    bound.__name__, bound.__doc__ = method.__name__, method.__doc__
    return bound


def pair_text(pair: tuple[int, ...]) -> str:
    """3 when every axis agrees, else 3×5."""
    return str(pair[0]) if len(set(pair)) == 1 else "×".join(map(str, pair))


def window_text(kernel, stride, padding) -> str:
    """Lecture notation of a window: 3×3/2 p1, 11×11/4, 3×3 same."""
    text = "×".join(map(str, kernel))
    if any(s != 1 for s in stride):
        text += f"/{pair_text(stride)}"
    if padding == "same":
        text += " same"
    elif any(padding):
        symmetric = all(padding[a] == padding[a + 1] for a in range(0, len(padding), 2))
        if len(set(padding)) == 1:
            text += f" p{padding[0]}"
        elif symmetric and len(padding) != 4:  # 1-D and 3-D: one number per axis
            text += f" p{pair_text(padding[::2])}"
        else:
            text += f" p{list(padding)}"
    return text


class Windowed(Layer):
    """Shared by conv and pooling: a window of kernel size sliding with a stride."""

    dilation: tuple[int, ...] = Each((1, 1))  # pools without a dilation option: 1 per axis

    def per_axis_options(self) -> list[str]:
        keys = super().per_axis_options()
        return keys if "dilation" in keys else [*keys, "dilation"]

    def padding_for(self, shape: Shape) -> tuple[int, ...]:
        """Padding as (before, after) per axis, with 'same' resolved for this input."""
        if self.padding != "same":
            return self.padding
        sizes, _ = spatial(shape, self)
        sides: list[int] = []
        for axis, size in enumerate(sizes):
            sides += same_padding(size, self.kernel[axis], self.stride[axis],
                                  self.dilation[axis])
        return tuple(sides)

    def axis_fits(self, shape: Shape) -> list[AxisFit]:
        sizes, _ = spatial(shape, self)
        padding = self.padding_for(shape)
        return [AxisFit(name, size, self.kernel[axis], self.stride[axis], padding[2 * axis],
                        padding[2 * axis + 1], self.dilation[axis],
                        getattr(self, "ceil_mode", False))
                for axis, (name, size) in enumerate(zip(axis_names(shape), sizes, strict=True))]

    def rf_steps(self, shape: Shape) -> list[Step]:
        padding = self.padding_for(shape)
        return [tuple((effective_kernel(self.kernel[axis], self.dilation[axis]),
                       Fraction(self.stride[axis]), padding[2 * axis])
                      for axis in range(len(self.kernel)))]


def whole_map(shape: Shape) -> list[Step]:
    """A layer that sees every position at once (dense, global pooling, flatten)."""
    if not is_spatial(shape):
        return []
    return [tuple((size, Fraction(1), 0) for size in spatial_sizes(shape))]
