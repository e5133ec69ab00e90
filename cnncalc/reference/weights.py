"""Seeded random weights and inputs for the reference forward pass, memory-bounded.

The reference pass only needs *some* finite numbers flowing through the network, so every
tensor is drawn uniformly from [-a, a) with a = sqrt(3 / fan_in): variance 1 / fan_in,
which keeps activations of order one through a linear layer and lets them shrink gently
(never blow up) through deep stacks of ReLU layers, residual sums and identity
batchnorms.

Everything is float32 and comes from one ``np.random.Generator`` in a fixed order, so a
seed reproduces the whole pass.  Large weight tensors are never held whole: the
``*_random`` helpers draw them in slices of at most ``chunk_bytes`` and apply each slice
straight away.  The stream is consumed in the tensor's C order whatever the chunk size, so
results do not depend on it.
"""

from __future__ import annotations

import math

import numpy as np

from . import ops

DTYPE = np.float32
DEFAULT_CHUNK = 32 << 20
# A dense layer's rows are materialised about this many bytes at a time: small enough to
# stay in L2 between the copy that writes them and the matrix-vector product that reads
# them (VGG-16's fc6, 411 MB, took 65 ms in 32 MiB blocks and 27 ms in 1 MiB ones).
DENSE_TILE_BYTES = 1 << 20


def make_rng(seed: int = 0) -> np.random.Generator:
    """The generator every helper here draws from."""
    return np.random.default_rng(seed)


def uniform(rng: np.random.Generator, shape: tuple[int, ...] | int, fan_in: int) -> np.ndarray:
    """float32 array uniform in [-a, a), a = sqrt(3 / fan_in) (variance 1 / fan_in)."""
    a = math.sqrt(3.0 / max(int(fan_in), 1))
    # rng.random(dtype=float32) is the fastest generator NumPy has; rescale in place.
    out = rng.random(shape, dtype=DTYPE)
    out -= DTYPE(0.5)
    out *= DTYPE(2 * a)
    return out


class HankelRows:
    """A random ``rows × width`` matrix whose row r is ``sequence[r : r + width]``.

    Checking shapes needs some finite numbers, not independent ones: this matrix costs
    rows + width − 1 random draws instead of rows × width (drawing ResNet-50's 25 M and
    VGG-16's 138 M weights one by one took longer than running their convolutions), and
    slicing its rows gives the same values however a caller chunks them.
    """

    def __init__(self, rng: np.random.Generator, rows: int, width: int, fan_in: int) -> None:
        sequence = uniform(rng, rows + width - 1, fan_in)
        # as_strided rather than sliding_window_view: same read-only view, but the latter's
        # argument checking cost 0.17 ms a call, 9 ms over ResNet-50's 54 weight tensors.
        step = sequence.strides[0]
        self.view = np.lib.stride_tricks.as_strided(sequence, (rows, width), (step, step),
                                                    writeable=False)

    def block(self, start: int, stop: int, tail: tuple[int, ...]) -> np.ndarray:
        """Rows [start, stop) as a contiguous array of shape ``(stop − start, *tail)``."""
        return np.ascontiguousarray(self.view[start:stop]).reshape(stop - start, *tail)


def random_input(rng: np.random.Generator, shape: tuple[int, ...] | int) -> np.ndarray:
    """A network input: float32 uniform in [-1, 1). A channels-first map is drawn with its
    first spatial axis outermost ((H, C, W) order), so that drawing it a strip of rows at a
    time gives the same numbers: the full pass in strips (tiles.py) builds a large input
    that way."""
    if isinstance(shape, tuple) and len(shape) > 1:
        rows_first = (shape[1], shape[0], *shape[2:])
        return np.ascontiguousarray(np.swapaxes(_uniform_input(rng, rows_first), 0, 1))
    return _uniform_input(rng, shape)


def _uniform_input(rng: np.random.Generator, shape: tuple[int, ...] | int) -> np.ndarray:
    out = rng.random(shape, dtype=DTYPE)
    out *= DTYPE(2)
    out -= DTYPE(1)
    return out


def conv_weight(rng: np.random.Generator, filters: int, in_per_group: int, kernel: tuple[int, int]
                ) -> np.ndarray:
    """Conv2d weight ``(K, C // G, Fh, Fw)`` with fan-in C/G·Fh·Fw."""
    fh, fw = kernel
    fan_in = in_per_group * fh * fw
    return HankelRows(rng, filters, fan_in, fan_in).block(0, filters, (in_per_group, fh, fw))


def bias_vector(rng: np.random.Generator, n: int, fan_in: int) -> np.ndarray:
    """Bias ``(n,)`` on the same scale as the weights it goes with."""
    return uniform(rng, n, fan_in)


def batchnorm_identity(channels: int) -> tuple[np.ndarray, ...]:
    """(gamma, beta, mean, var) that make inference batchnorm (almost) the identity."""
    return (np.ones(channels, DTYPE), np.zeros(channels, DTYPE),
            np.zeros(channels, DTYPE), np.ones(channels, DTYPE))


def _rows_per_chunk(row_elems: int, chunk_bytes: int) -> int:
    return max(1, int(chunk_bytes) // max(row_elems * np.dtype(DTYPE).itemsize, 1))


def dense_random(x: np.ndarray, units: int, bias: bool, rng: np.random.Generator,
                 chunk_bytes: int = DEFAULT_CHUNK) -> np.ndarray:
    """Dense layer with random weights ``(units, in)`` (see HankelRows), applied a block of
    rows at a time so that at most ``min(chunk_bytes, DENSE_TILE_BYTES)`` of the matrix is
    ever materialised (VGG-16's fc6 alone is 411 MB).

    A non-vector x is flattened (C order of CHW) first.  Weights are drawn before the bias.
    """
    v = ops.flatten(x) if x.ndim != 1 else x
    v = v.astype(DTYPE, copy=False)
    n_in = v.shape[0]
    rows = HankelRows(rng, units, n_in, n_in)
    y = np.empty(units, dtype=DTYPE)
    step = _rows_per_chunk(n_in, min(chunk_bytes, DENSE_TILE_BYTES))
    for r0 in range(0, units, step):
        r1 = min(units, r0 + step)
        np.matmul(rows.block(r0, r1, (n_in,)), v, out=y[r0:r1])
    if bias:
        y += bias_vector(rng, units, n_in)
    return y


def conv2d_random(
    x: np.ndarray,
    filters: int,
    kernel: tuple[int, int],
    rng: np.random.Generator,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int, int, int] = (0, 0, 0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
    bias: bool = True,
    chunk_bytes: int = DEFAULT_CHUNK,
    workspace_bytes: int = ops.DEFAULT_WORKSPACE,
) -> np.ndarray:
    """Conv2d with fresh random weights ``(K, C // G, Fh, Fw)`` (see HankelRows).

    Normally one weight tensor and one call; a weight tensor larger than ``chunk_bytes``
    is materialised a block of whole groups (or, within a group, of filters) at a time.
    """
    c = x.shape[0]
    if groups < 1 or c % groups or filters % groups:
        raise ValueError(f"conv2d: groups={groups} must divide {c} channels and {filters} filters")
    cg, kg = c // groups, filters // groups
    fh, fw = kernel
    fan_in = cg * fh * fw  # also the length of one filter's row
    conv = dict(stride=stride, padding=padding, dilation=dilation,
                workspace_bytes=workspace_bytes)
    step = _rows_per_chunk(fan_in, chunk_bytes)
    rows = HankelRows(rng, filters, fan_in, fan_in)  # row g·kg + k: filter k of group g
    tail = (cg, fh, fw)
    if step >= filters:
        y = ops.conv2d(x, rows.block(0, filters, tail), None, groups=groups, **conv)
    else:
        blocks = []
        if step >= kg:  # whole groups per block
            gstep = step // kg
            for g0 in range(0, groups, gstep):
                g1 = min(groups, g0 + gstep)
                w = rows.block(g0 * kg, g1 * kg, tail)
                blocks.append(ops.conv2d(x[g0 * cg : g1 * cg], w, None, groups=g1 - g0, **conv))
        else:  # a block of filters of one group at a time
            for g in range(groups):
                xg = x[g * cg : (g + 1) * cg]
                for k0 in range(0, kg, step):
                    k1 = min(kg, k0 + step)
                    w = rows.block(g * kg + k0, g * kg + k1, tail)
                    blocks.append(ops.conv2d(xg, w, None, **conv))
        y = np.concatenate(blocks, axis=0)
    if bias:
        y += bias_vector(rng, filters, fan_in)[:, None, None]
    return y


def conv_transpose2d_random(
    x: np.ndarray,
    filters: int,
    kernel: tuple[int, int],
    rng: np.random.Generator,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int] = (0, 0),
    output_padding: tuple[int, int] = (0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
    bias: bool = True,
    chunk_bytes: int = DEFAULT_CHUNK,
    workspace_bytes: int = ops.DEFAULT_WORKSPACE,
) -> np.ndarray:
    """ConvTranspose2d with fresh random weights ``(C, K // G, Fh, Fw)`` (see HankelRows).

    A weight tensor larger than ``chunk_bytes`` is materialised a block of input channels
    at a time (within one group) and the partial outputs are summed.
    """
    c = x.shape[0]
    if groups < 1 or c % groups or filters % groups:
        raise ValueError(
            f"conv_transpose2d: groups={groups} must divide {c} channels and {filters} filters"
        )
    cg, kg = c // groups, filters // groups
    fh, fw = kernel
    # Each output pixel gathers about Cg*Fh*Fw/(Sh*Sw) products.
    fan_in = max(1, (cg * fh * fw) // (stride[0] * stride[1]))
    conv = dict(stride=stride, padding=padding, output_padding=output_padding,
                dilation=dilation, workspace_bytes=workspace_bytes)
    per_channel = kg * fh * fw
    step = _rows_per_chunk(per_channel, chunk_bytes)
    rows = HankelRows(rng, c, per_channel, fan_in)  # row c: what input channel c scatters
    tail = (kg, fh, fw)
    if step >= c:
        y = ops.conv_transpose2d(x, rows.block(0, c, tail), None, groups=groups, **conv)
    else:
        parts = []
        for g in range(groups):
            acc = None
            for c0 in range(g * cg, (g + 1) * cg, step):
                c1 = min((g + 1) * cg, c0 + step)
                part = ops.conv_transpose2d(x[c0:c1], rows.block(c0, c1, tail), None, **conv)
                if acc is None:
                    acc = part
                else:
                    acc += part
            parts.append(acc)
        y = np.concatenate(parts, axis=0)
    if bias:
        y += bias_vector(rng, filters, fan_in)[:, None, None]
    return y
