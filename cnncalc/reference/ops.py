"""NumPy numeric kernels for the reference forward pass.

Every kernel works on one example (batch 1): spatial tensors are ``(C, H, W)`` arrays,
vectors are 1-D ``(N,)`` arrays.  The kernels behave like their PyTorch counterparts, in
shape and in value.

These functions deliberately never use an output-size formula: they pad the array, slide
windows over it (or scatter into a canvas, for transposed convolution), and whatever
shape falls out is the answer.  The reference pass compares that shape with the one the
arithmetic engine predicted, so the two must be computed independently.

Pair arguments are already-normalised ``(h, w)`` tuples of ints; 4-sided padding is
``(top, bottom, left, right)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Pair = tuple[int, int]
Pad4 = tuple[int, int, int, int]

# How much scratch memory one im2col buffer may use unless the caller says otherwise.
DEFAULT_WORKSPACE = 64 << 20

# Depthwise convolution runs channel blocks whose output fits comfortably in L2, so the
# Fh*Fw multiply-accumulate passes hit cache instead of main memory.
_DEPTHWISE_BLOCK_BYTES = 256 << 10

# im2col tiles aim at about this many bytes (roughly the L2 cache), but at least this many
# output positions (matmul columns); workspace_bytes is the hard limit.
_TILE_TARGET_BYTES = 4 << 20
_TILE_MIN_COLS = 1024
# Stride-1 convs use the flat-shift im2col when padded width / output width is at most this.
_FLAT_MAX_WASTE = 1.15


# ---------------------------------------------------------------------------------------
# helpers


def _float_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """Common floating dtype of the operands (integers are computed in float64)."""
    dt = np.result_type(*[a.dtype for a in arrays if a is not None])
    if not np.issubdtype(dt, np.floating):
        dt = np.dtype(np.float64)
    return dt


def _check_chw(x: np.ndarray, what: str) -> None:
    if x.ndim != 3:
        raise ValueError(f"{what} expects a (C, H, W) array, got shape {x.shape}")


def _pad_chw(x: np.ndarray, pad: Pad4, value: float, dtype: np.dtype) -> np.ndarray:
    """Copy x into a (C, H+t+b, W+l+r) canvas filled with ``value``.

    Returns x itself (no copy) when there is nothing to pad and the dtype already fits.
    """
    t, b, left, r = pad
    if min(pad) < 0:
        raise ValueError(f"padding must be non-negative, got {pad}")
    if t == b == left == r == 0 and x.dtype == dtype:
        return x
    c, h, w = x.shape
    # np.zeros gets pre-zeroed pages from the OS: one pass less than filling.
    if value == 0:
        out = np.zeros((c, h + t + b, w + left + r), dtype=dtype)
    else:
        out = np.full((c, h + t + b, w + left + r), value, dtype=dtype)
    out[:, t : t + h, left : left + w] = x
    return out


def _window_count(n: int, pad_before: int, pad_after: int, extent: int, stride: int,
                  ceil_mode: bool = False) -> int:
    """Slide a window of ``extent`` by ``stride`` over the padded axis and count positions.

    Floor mode keeps windows that lie inside the padded axis.  Ceil mode (PyTorch) also
    keeps a window that overhangs the end by less than one stride -- there were rows the
    previous window did not reach -- but drops one that would start in the trailing
    padding.
    """
    length = pad_before + n + pad_after
    slack = stride - 1 if ceil_mode else 0
    count = 0
    start = 0
    while start + extent - length <= slack:
        if ceil_mode and start >= pad_before + n:
            break
        count += 1
        start += stride
    return count


def _strided(start: int, count: int, step: int) -> slice:
    """Slice selecting ``count`` elements from ``start`` every ``step``."""
    return slice(start, start + (count - 1) * step + 1, step)


# ---------------------------------------------------------------------------------------
# convolution


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: Pair = (1, 1),
    padding: Pad4 = (0, 0, 0, 0),
    dilation: Pair = (1, 1),
    groups: int = 1,
    workspace_bytes: int = DEFAULT_WORKSPACE,
) -> np.ndarray:
    """2-D cross-correlation like ``torch.nn.Conv2d``.

    x is ``(C, H, W)``, weight ``(K, C // groups, Fh, Fw)``, bias ``(K,)`` or None.
    Returns ``(K, Ho, Wo)`` (for stride 1 possibly a non-contiguous view of a slightly wider
    buffer).  The im2col scratch buffer never exceeds ``workspace_bytes`` (apart from the
    degenerate case where a single output column is larger).
    """
    _check_chw(x, "conv2d")
    c, _, _ = x.shape
    k, cg, fh, fw = weight.shape
    g = groups
    if g < 1 or c % g or k % g or c // g != cg:
        raise ValueError(
            f"conv2d: input has {c} channels, weight {weight.shape}, groups={g}: inconsistent"
        )
    kg = k // g
    dt = _float_dtype(x, weight, bias)
    sh, sw = stride
    dh, dw = dilation
    if min(sh, sw, dh, dw) < 1:
        raise ValueError(f"conv2d: stride {stride} and dilation {dilation} must be >= 1")

    xp = _pad_chw(x, padding, 0.0, dt)
    _, hp, wp = xp.shape
    eh, ew = dh * (fh - 1) + 1, dw * (fw - 1) + 1  # extent of the dilated kernel
    ho = _window_count(hp, 0, 0, eh, sh)
    wo = _window_count(wp, 0, 0, ew, sw)
    if ho < 1 or wo < 1:
        raise ValueError(
            f"conv2d: kernel extent {eh}x{ew} does not fit the padded input {hp}x{wp}"
        )
    w = weight.astype(dt, copy=False)
    # The bias is added tile by tile while each output tile is still in cache.
    b = None if bias is None else bias.astype(dt, copy=False).reshape(g, kg)

    if cg == 1 and kg <= 4:
        # Depthwise (MobileNet) or nearly so: a matmul per group would be tiny, so
        # multiply-accumulate shifted slices with per-channel weights instead.
        out = np.empty((k, ho, wo), dtype=dt)
        _conv_depthwise(xp, w, b, out, stride, dilation, g, kg)
        return out
    return _conv_im2col(xp, w, b, (k, ho, wo), stride, dilation, g, workspace_bytes)


def _conv_im2col(xp: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                 out_shape: tuple[int, int, int], stride: Pair, dilation: Pair, g: int,
                 workspace_bytes: int) -> np.ndarray:
    """im2col + one (batched over groups) matmul per tile of output positions."""
    c, hp, wp = xp.shape
    k, cg, fh, fw = w.shape
    kg = k // g
    _, ho, wo = out_shape
    sh, sw = stride
    dh, dw = dilation
    # (G, Kg, Cg*Fh*Fw): the natural weight layout already matches a patch matrix laid out
    # (Cg, Fh, Fw) per group, so no weight copy is needed.
    wmat = w.reshape(g, kg, cg * fh * fw)

    if fh == fw == 1 and sh == sw == 1 and hp == ho and wp == wo:
        # 1x1 stride-1 convolution without padding: the input already is the patch matrix.
        out3 = np.matmul(wmat, xp.reshape(g, cg, hp * wp))
        if b is not None:
            out3 += b[:, :, None]
        return out3.reshape(out_shape)

    itemsize = xp.dtype.itemsize
    col_bytes = c * fh * fw * itemsize  # one output position's patch
    # Tile size: small enough that the patch matrix just written is still in cache when
    # matmul reads it (a tile that spills to DRAM costs up to 3x on the 64-channel VGG
    # layers), big enough that the weight packing BLAS does per call is amortised.
    target = max(_TILE_TARGET_BYTES, _TILE_MIN_COLS * col_bytes)
    budget = max(min(int(workspace_bytes), target), col_bytes)

    if sh == sw == 1 and wp * col_bytes <= budget and wp <= _FLAT_MAX_WASTE * wo:
        return _conv_flat(xp, wmat, b, (ho, wo), (fh, fw), dilation,
                          budget // (wp * col_bytes))

    out = np.empty(out_shape, dtype=xp.dtype)
    # Output as (G, Kg, Ho*Wo): every tile below is a contiguous range of the last axis,
    # so matmul can write straight into it.
    out3 = out.reshape(g, kg, ho * wo)

    row_bytes = col_bytes * wo
    if row_bytes <= budget:
        rows_per_tile, cols_per_tile = min(ho, budget // row_bytes), wo
    else:  # one output row is too big: tile within rows
        rows_per_tile, cols_per_tile = 1, budget // col_bytes
    buf = np.empty(rows_per_tile * cols_per_tile * c * fh * fw, dtype=xp.dtype)
    xg = xp.reshape(g, cg, hp, wp)

    for r0 in range(0, ho, rows_per_tile):
        nr = min(rows_per_tile, ho - r0)
        for c0 in range(0, wo, cols_per_tile):
            nc = min(cols_per_tile, wo - c0)
            cols = buf[: g * cg * fh * fw * nr * nc].reshape(g, cg, fh, fw, nr, nc)
            # Stretch each receptive field into a column: one shifted, strided slice of
            # the padded input per kernel offset, copied with contiguous inner runs.
            for i in range(fh):
                rs = _strided(r0 * sh + i * dh, nr, sh)
                for j in range(fw):
                    cs = _strided(c0 * sw + j * dw, nc, sw)
                    cols[:, :, i, j] = xg[:, :, rs, cs]
            n0 = r0 * wo + c0
            tile = out3[:, :, n0 : n0 + nr * nc]
            np.matmul(wmat, cols.reshape(g, cg * fh * fw, nr * nc), out=tile)
            if b is not None:
                tile += b[:, :, None]
    return out


def _conv_flat(xp: np.ndarray, wmat: np.ndarray, b: np.ndarray | None, out_hw: Pair,
               kernel: Pair, dilation: Pair, rows_per_tile: int) -> np.ndarray:
    """Stride-1 im2col on the flattened padded input.

    With stride 1, the receptive-field element (i, j) of output (r, q) is element
    (r + i*dh)*Wp + q + j*dw of the flattened (C, Hp*Wp) input, so for a tile of output rows
    each (channel, offset) row of the patch matrix is ONE contiguous slice: long memcpy-like
    copies instead of Ho*Wo-sized strided ones.  The price is Wp - Wo junk columns per
    output row, which the caller keeps small.  They stay in the result buffer: the
    returned array is the (K, Ho, Wo) view of a (K, Ho, Wp) one, which saves a full copy
    (the next layer's padding or activation makes a fresh array anyway).
    """
    c, hp, wp = xp.shape
    g, kg, _ = wmat.shape
    cg = c // g
    fh, fw = kernel
    dh, dw = dilation
    ho, wo = out_hw
    total = hp * wp
    xflat = np.ascontiguousarray(xp).reshape(g, cg, total)
    full = np.empty((g, kg, ho * wp), dtype=xp.dtype)
    rows_per_tile = max(1, min(ho, rows_per_tile))
    buf = np.empty(g * cg * fh * fw * rows_per_tile * wp, dtype=xp.dtype)
    for r0 in range(0, ho, rows_per_tile):
        nr = min(rows_per_tile, ho - r0)
        n = nr * wp
        cols = buf[: g * cg * fh * fw * n].reshape(g, cg, fh, fw, n)
        for i in range(fh):
            for j in range(fw):
                s0 = (r0 + i * dh) * wp + j * dw
                m = min(n, total - s0)  # the last row's junk columns may run off the end
                cols[:, :, i, j, :m] = xflat[:, :, s0 : s0 + m]
                if m < n:
                    cols[:, :, i, j, m:] = 0
        tile = full[:, :, r0 * wp : r0 * wp + n]
        np.matmul(wmat, cols.reshape(g, cg * fh * fw, n), out=tile)
        if b is not None:
            tile += b[:, :, None]
    return full.reshape(g * kg, ho, wp)[:, :, :wo]


def _conv_depthwise(xp: np.ndarray, w: np.ndarray, b: np.ndarray | None, out: np.ndarray,
                    stride: Pair, dilation: Pair, g: int, kg: int) -> None:
    """Grouped conv with one input channel per group (depthwise, channel multiplier kg).

    Polyphase + flat-shift trick: the padded input is split into sh*sw stride phases
    (xp[:, a::sh, b::sw]) so that every kernel offset becomes a stride-1 shift of one
    phase.  Viewing a phase as a flat (C, rows*Wq) array, the shift is a contiguous slice,
    so each multiply-accumulate runs over long contiguous rows even on 7x7 maps.  Output
    columns past Wo are computed on the way and cropped at the end.
    """
    c, hp, wp = xp.shape
    fh, fw = w.shape[2:]
    _, ho, wo = out.shape
    sh, sw = stride
    dh, dw = dilation
    hq, wq = -(-hp // sh), -(-wp // sw)
    # One spare zero row per phase lets the last shifted slice run past the end of a row.
    phases = np.zeros((sh, sw, c, hq + 1, wq), dtype=xp.dtype)
    for pa in range(sh):
        for pb in range(sw):
            src = xp[:, pa::sh, pb::sw]
            phases[pa, pb, :, : src.shape[1], : src.shape[2]] = src
    flat = phases.reshape(sh, sw, c, (hq + 1) * wq)
    n = ho * wq  # output positions per channel, including the cropped columns
    w4 = w.reshape(g, kg, fh, fw)
    out4 = out.reshape(g, kg, ho, wo)
    # Channel blocks sized for cache: the accumulator is re-read Fh*Fw times.
    block = max(1, _DEPTHWISE_BLOCK_BYTES // (kg * n * out.dtype.itemsize))
    acc_full = np.empty((min(block, g), kg, n), dtype=out.dtype)
    tmp_full = np.empty_like(acc_full)
    for g0 in range(0, g, block):
        g1 = min(g, g0 + block)
        acc, tmp = acc_full[: g1 - g0], tmp_full[: g1 - g0]
        first = True
        for i in range(fh):
            pa, qi = (i * dh) % sh, (i * dh) // sh
            for j in range(fw):
                pb, qj = (j * dw) % sw, (j * dw) // sw
                s0 = qi * wq + qj
                src = flat[pa, pb, g0:g1, None, s0 : s0 + n]  # (block, 1, n), broadcast over kg
                wij = w4[g0:g1, :, i, j][:, :, None]
                if first:
                    np.multiply(src, wij, out=acc)
                    first = False
                else:
                    np.multiply(src, wij, out=tmp)
                    acc += tmp
        valid = acc.reshape(g1 - g0, kg, ho, wq)[:, :, :, :wo]
        if b is None:
            out4[g0:g1] = valid
        else:
            np.add(valid, b[g0:g1, :, None, None], out=out4[g0:g1])


def conv_transpose2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: Pair = (1, 1),
    padding: Pair = (0, 0),
    output_padding: Pair = (0, 0),
    dilation: Pair = (1, 1),
    groups: int = 1,
    workspace_bytes: int = DEFAULT_WORKSPACE,
) -> np.ndarray:
    """Transposed convolution like ``torch.nn.ConvTranspose2d``.

    x is ``(C, H, W)``, weight ``(C, K // groups, Fh, Fw)``, bias ``(K,)`` or None;
    padding is symmetric ``(ph, pw)``.  Each input pixel scatters its weighted kernel into
    a canvas; the canvas is extended by output_padding at the bottom/right, then ``ph``/``pw``
    are cropped from each side.
    """
    _check_chw(x, "conv_transpose2d")
    c, h, wid = x.shape
    cw, kg, fh, fw = weight.shape
    g = groups
    if g < 1 or c % g or cw != c:
        raise ValueError(
            f"conv_transpose2d: input has {c} channels, weight {weight.shape}, groups={g}"
        )
    cg = c // g
    k = kg * g
    sh, sw = stride
    dh, dw = dilation
    ph, pw = padding
    oph, opw = output_padding
    if min(sh, sw, dh, dw) < 1 or min(ph, pw, oph, opw) < 0:
        raise ValueError("conv_transpose2d: bad stride/dilation/padding")
    dt = _float_dtype(x, weight, bias)
    xs = x.astype(dt, copy=False)

    # The canvas spans every position an input pixel's kernel can reach: the last input
    # pixel sits at (h-1)*sh and its kernel reaches dh*(fh-1) further.
    canvas_h = (h - 1) * sh + dh * (fh - 1) + 1 + oph
    canvas_w = (wid - 1) * sw + dw * (fw - 1) + 1 + opw
    canvas = np.zeros((k, canvas_h, canvas_w), dtype=dt)

    # (G, Kg*Fh*Fw, Cg): each input pixel's contribution is a column of wmat @ x.
    wmat = weight.astype(dt, copy=False).reshape(g, cg, kg * fh * fw).transpose(0, 2, 1)
    row_bytes = k * fh * fw * wid * dt.itemsize
    rows_per_tile = max(1, min(h, int(workspace_bytes) // max(row_bytes, 1)))
    for r0 in range(0, h, rows_per_tile):
        nr = min(rows_per_tile, h - r0)
        xt = xs[:, r0 : r0 + nr, :].reshape(g, cg, nr * wid)
        cols = np.matmul(wmat, xt).reshape(k, fh, fw, nr, wid)
        for i in range(fh):
            rs = _strided(r0 * sh + i * dh, nr, sh)
            for j in range(fw):
                canvas[:, rs, _strided(j * dw, wid, sw)] += cols[:, i, j]

    out_h, out_w = canvas_h - 2 * ph, canvas_w - 2 * pw
    if out_h < 1 or out_w < 1:
        raise ValueError(
            f"conv_transpose2d: padding {padding} crops the whole {canvas_h}x{canvas_w} output"
        )
    out = np.ascontiguousarray(canvas[:, ph : ph + out_h, pw : pw + out_w])
    if bias is not None:
        out += bias.astype(dt, copy=False)[:, None, None]
    return out


# ---------------------------------------------------------------------------------------
# pooling


def _pool_prepare(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pad4, ceil_mode: bool,
                  fill: float) -> tuple[np.ndarray, int, int]:
    """Pad x with ``fill`` (also under any ceil-mode overhang); count the windows."""
    _check_chw(x, "pooling")
    _, h, w = x.shape
    kh, kw = kernel
    sh, sw = stride
    t, b, left, r = padding
    if min(kh, kw, sh, sw) < 1:
        raise ValueError(f"pooling: kernel {kernel} and stride {stride} must be >= 1")
    ho = _window_count(h, t, b, kh, sh, ceil_mode)
    wo = _window_count(w, left, r, kw, sw, ceil_mode)
    if ho < 1 or wo < 1:
        raise ValueError(f"pooling: kernel {kernel} does not fit the padded input")
    # A ceil-mode window may overhang the padded input; give it room filled the same way.
    extra_h = max(0, (ho - 1) * sh + kh - (t + h + b))
    extra_w = max(0, (wo - 1) * sw + kw - (left + w + r))
    xp = _pad_chw(x, (t, b + extra_h, left, r + extra_w), fill, _float_dtype(x))
    return xp, ho, wo


def max_pool2d(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pad4 = (0, 0, 0, 0),
               ceil_mode: bool = False) -> np.ndarray:
    """Max pooling like ``torch.nn.MaxPool2d`` (padding counts as -inf)."""
    xp, ho, wo = _pool_prepare(x, kernel, stride, padding, ceil_mode, -np.inf)
    return _window_reduce(xp, ho, wo, kernel, stride, np.maximum)


def avg_pool2d(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pad4 = (0, 0, 0, 0),
               ceil_mode: bool = False, count_include_pad: bool = True) -> np.ndarray:
    """Average pooling like ``torch.nn.AvgPool2d``.

    With count_include_pad the divisor counts padding but not a ceil-mode overhang beyond
    the padded input; without it, only real input elements are counted (PyTorch rules).
    """
    xp, ho, wo = _pool_prepare(x, kernel, stride, padding, ceil_mode, 0.0)
    _, h, w = x.shape
    kh, kw = kernel
    sh, sw = stride
    t, b, left, r = padding
    out = _window_reduce(xp, ho, wo, kernel, stride, np.add)
    # Divisor: the window's overlap with the counted region, a product of 1-D overlaps.
    if count_include_pad:
        div_h = _overlaps(ho, sh, kh, 0, t + h + b)
        div_w = _overlaps(wo, sw, kw, 0, left + w + r)
    else:
        div_h = _overlaps(ho, sh, kh, t, t + h)
        div_w = _overlaps(wo, sw, kw, left, left + w)
    div = np.maximum(np.outer(div_h, div_w), 1).astype(out.dtype)  # never divide by 0
    out /= div
    return out


def _window_reduce(xp: np.ndarray, ho: int, wo: int, kernel: Pair, stride: Pair,
                   op: np.ufunc) -> np.ndarray:
    """Combine every kh x kw window with ``op`` (max or add), separably: first along W
    (kw strided slices), then along H.  The first step writes a fresh array, so no
    initial copy is needed."""
    kh, kw = kernel
    sh, sw = stride

    def along(a: np.ndarray, k: int, n: int, s: int, axis: int) -> np.ndarray:
        def sl(o: int) -> np.ndarray:
            return a[:, _strided(o, n, s), :] if axis == 1 else a[:, :, _strided(o, n, s)]

        if k == 1:
            return sl(0).copy()
        acc = op(sl(0), sl(1))
        for o in range(2, k):
            op(acc, sl(o), out=acc)
        return acc

    return along(along(xp, kw, wo, sw, 2), kh, ho, sh, 1)


def _overlaps(n_windows: int, stride: int, size: int, lo: int, hi: int) -> np.ndarray:
    """Length of [s, s+size) ∩ [lo, hi) for each window start s = i*stride."""
    starts = np.arange(n_windows) * stride
    return np.clip(np.minimum(starts + size, hi) - np.maximum(starts, lo), 0, None)


def _adaptive_bins(n: int, bins: int) -> list[tuple[int, int]]:
    """PyTorch adaptive bins: [floor(i*n/bins), ceil((i+1)*n/bins))."""
    return [((i * n) // bins, -((-(i + 1) * n) // bins)) for i in range(bins)]


def _adaptive(x: np.ndarray, output: Pair, reduce) -> np.ndarray:
    _check_chw(x, "adaptive pooling")
    c, h, w = x.shape
    oh, ow = output
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive pooling: output size {output} must be >= 1")
    dt = _float_dtype(x)
    cols = np.empty((c, h, ow), dtype=dt)
    for j, (a, e) in enumerate(_adaptive_bins(w, ow)):
        cols[:, :, j] = reduce(x[:, :, a:e], axis=2)
    out = np.empty((c, oh, ow), dtype=dt)
    for i, (a, e) in enumerate(_adaptive_bins(h, oh)):
        out[:, i, :] = reduce(cols[:, a:e, :], axis=1)
    return out


def adaptive_avg_pool2d(x: np.ndarray, output: Pair) -> np.ndarray:
    """``torch.nn.AdaptiveAvgPool2d``: bins may overlap when the size does not divide."""
    # Averages of averages are exact here: within one H bin every column mean has the same
    # weight because all columns of a W bin span the same rows.
    return _adaptive(x, output, np.mean)


def adaptive_max_pool2d(x: np.ndarray, output: Pair) -> np.ndarray:
    """``torch.nn.AdaptiveMaxPool2d`` with PyTorch's bin boundaries."""
    return _adaptive(x, output, np.max)


def global_avg_pool(x: np.ndarray) -> np.ndarray:
    """Mean over H and W → ``(C, 1, 1)``."""
    _check_chw(x, "global_avg_pool")
    return x.astype(_float_dtype(x), copy=False).mean(axis=(1, 2), keepdims=True)


def global_max_pool(x: np.ndarray) -> np.ndarray:
    """Max over H and W → ``(C, 1, 1)``."""
    _check_chw(x, "global_max_pool")
    return x.astype(_float_dtype(x), copy=False).max(axis=(1, 2), keepdims=True)


# ---------------------------------------------------------------------------------------
# dense and reshaping


def flatten(x: np.ndarray) -> np.ndarray:
    """C-order flatten of the CHW array, like ``torch.flatten(x, 1)`` for batch 1."""
    return np.ascontiguousarray(x).reshape(-1)


def dense(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """``torch.nn.Linear``: weight ``(units, in)``; a non-vector input is flattened first."""
    v = flatten(x) if x.ndim != 1 else x
    if weight.ndim != 2 or weight.shape[1] != v.shape[0]:
        raise ValueError(f"dense: weight {weight.shape} does not take {v.shape[0]} inputs")
    dt = _float_dtype(v, weight, bias)
    y = weight.astype(dt, copy=False) @ v.astype(dt, copy=False)
    if bias is not None:
        y += bias.astype(dt, copy=False)
    return y


# ---------------------------------------------------------------------------------------
# normalisation


def _per_channel(p: np.ndarray, ndim: int) -> np.ndarray:
    """Reshape a (C,) parameter to broadcast over axis 0 of an ndim-dimensional array."""
    return p.reshape((-1,) + (1,) * (ndim - 1))


def batchnorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray,
              var: np.ndarray, eps: float = 1e-5, out: np.ndarray | None = None) -> np.ndarray:
    """Inference-mode batch norm per channel (axis 0; per feature for a vector).

    ``out=x`` normalises in place (the caller must own x).
    """
    dt = _float_dtype(x)
    scale = (np.asarray(gamma, dtype=dt) / np.sqrt(np.asarray(var, dtype=dt) + dt.type(eps)))
    shift = np.asarray(beta, dtype=dt) - np.asarray(mean, dtype=dt) * scale
    y = np.multiply(x, _per_channel(scale, x.ndim), out=out)
    y += _per_channel(shift, x.ndim)
    return y


def local_response_norm(x: np.ndarray, size: int = 5, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> np.ndarray:
    """``torch.nn.LocalResponseNorm`` across channels (axis 0).

    b_c = a_c / (k + alpha/size * sum of a_c'^2 over c' in [c - size//2, c + (size-1)//2])^beta
    (the window is clipped at the ends but the divisor stays ``size``, as in PyTorch).
    """
    if size < 1:
        raise ValueError(f"local_response_norm: size must be >= 1, got {size}")
    dt = _float_dtype(x)
    xf = x.astype(dt, copy=False)
    sq = xf * xf
    acc = np.zeros_like(sq)
    n = x.shape[0]
    for off in range(-(size // 2), (size - 1) // 2 + 1):
        lo, hi = max(0, -off), min(n, n - off)  # destination channels c with c+off valid
        if lo < hi:
            acc[lo:hi] += sq[lo + off : hi + off]
    acc *= dt.type(alpha / size)
    acc += dt.type(k)
    return xf / np.power(acc, dt.type(beta))


def dropout(x: np.ndarray) -> np.ndarray:
    """Inference-mode dropout: the identity."""
    return x


# ---------------------------------------------------------------------------------------
# activations


def identity(x: np.ndarray) -> np.ndarray:
    return x


def relu(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(x, 0, out=out)


def relu6(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.clip(x, 0, 6, out=out)


def leaky_relu(x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    xf = x.astype(_float_dtype(x), copy=False)
    return np.where(xf >= 0, xf, xf * xf.dtype.type(slope))


def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    # expm1 only of the non-positive part, so large positive inputs cannot overflow.
    xf = x.astype(_float_dtype(x), copy=False)
    neg = np.expm1(np.minimum(xf, 0))
    return np.where(xf > 0, xf, neg * xf.dtype.type(alpha))


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh approximation (``approximate='tanh'`` in PyTorch; within ~1e-3 of erf)."""
    dt = _float_dtype(x)
    xf = x.astype(dt, copy=False)
    c = dt.type(np.sqrt(2.0 / np.pi))
    inner = c * (xf + dt.type(0.044715) * xf * xf * xf)
    return dt.type(0.5) * xf * (1 + np.tanh(inner))


def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function without overflow: exp is only taken of -|x|."""
    dt = _float_dtype(x)
    xf = x.astype(dt, copy=False)
    e = np.exp(-np.abs(xf))
    return np.where(xf >= 0, 1 / (1 + e), e / (1 + e))


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over channels (axis 0) of a CHW array, or over a vector; max-shifted."""
    dt = _float_dtype(x)
    z = x.astype(dt, copy=False) - np.max(x, axis=0, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=0, keepdims=True)


# ---------------------------------------------------------------------------------------
# resampling and geometry


def upsample(x: np.ndarray, size: Pair, mode: str = "nearest") -> np.ndarray:
    """``torch.nn.functional.interpolate`` to ``size`` (nearest, or bilinear with
    align_corners=False)."""
    _check_chw(x, "upsample")
    _, h, w = x.shape
    oh, ow = size
    if oh < 1 or ow < 1:
        raise ValueError(f"upsample: size {size} must be >= 1")
    dt = _float_dtype(x)
    xf = x.astype(dt, copy=False)
    if mode == "nearest":
        # src = floor(dst * in / out), in exact integer arithmetic.
        ri = (np.arange(oh) * h) // oh
        ci = (np.arange(ow) * w) // ow
        return xf[:, ri][:, :, ci]
    if mode == "bilinear":
        r0, r1, rl = _linear_taps(h, oh, dt)
        c0, c1, cl = _linear_taps(w, ow, dt)
        rows = xf[:, r0, :] * (1 - rl)[:, None] + xf[:, r1, :] * rl[:, None]
        return rows[:, :, c0] * (1 - cl) + rows[:, :, c1] * cl
    raise ValueError(f"upsample: unknown mode {mode!r} (nearest or bilinear)")


def _linear_taps(n_in: int, n_out: int, dt: np.dtype
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source indices and weights of align_corners=False linear interpolation."""
    scale = n_in / n_out
    src = np.maximum((np.arange(n_out) + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.intp), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = (src - i0).astype(dt)
    return i0, i1, lam


def upsample_scale(x: np.ndarray, scale: Pair, mode: str = "nearest") -> np.ndarray:
    """Upsample by integer factors ``(sh, sw)``."""
    _check_chw(x, "upsample")
    return upsample(x, (x.shape[1] * scale[0], x.shape[2] * scale[1]), mode)


def zeropad(x: np.ndarray, padding: Pad4) -> np.ndarray:
    """Zero padding ``(top, bottom, left, right)`` of a CHW array."""
    _check_chw(x, "zeropad")
    return _pad_chw(x, padding, 0.0, x.dtype)


def crop(x: np.ndarray, amounts: Pad4) -> np.ndarray:
    """Remove ``(top, bottom, left, right)`` rows/columns of a CHW array."""
    _check_chw(x, "crop")
    t, b, left, r = amounts
    _, h, w = x.shape
    if min(amounts) < 0 or t + b >= h or left + r >= w:
        raise ValueError(f"crop: {amounts} leaves nothing of a {h}x{w} map")
    return x[:, t : h - b, left : w - r].copy()


def center_crop(x: np.ndarray, size: Pair) -> np.ndarray:
    """Centred crop to ``(h, w)``; an odd difference removes the extra pixel at the
    bottom/right."""
    _check_chw(x, "center_crop")
    _, h, w = x.shape
    oh, ow = size
    if not (1 <= oh <= h and 1 <= ow <= w):
        raise ValueError(f"center_crop: cannot crop {h}x{w} to {oh}x{ow}")
    t, left = (h - oh) // 2, (w - ow) // 2
    return x[:, t : t + oh, left : left + ow].copy()


def add(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Elementwise sum (residual connection); shapes must agree exactly."""
    if a.shape != b.shape:
        raise ValueError(f"add: shapes {a.shape} and {b.shape} differ")
    return np.add(a, b, out=out)


def concat_channels(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Concatenate along channels (axis 0); all spatial sizes must agree."""
    if not arrays:
        raise ValueError("concat_channels: nothing to concatenate")
    rest = {a.shape[1:] for a in arrays}
    if len(rest) != 1:
        raise ValueError(f"concat_channels: spatial shapes differ: {sorted(rest)}")
    return np.concatenate(list(arrays), axis=0)
