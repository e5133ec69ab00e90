"""Convolution and transposed convolution on CHW arrays, like PyTorch's in shape and value.

They never use an output-size formula: they pad the array, slide windows over it (or scatter
into a canvas, for transposed convolution), and whatever shape falls out is the answer.
"""

from __future__ import annotations

import numpy as np

from .common import (
    DEFAULT_WORKSPACE,
    Pad4,
    Pair,
    check_chw,
    float_dtype,
    pad_chw,
    strided,
    window_count,
)

# Depthwise convolution runs channel blocks whose output fits comfortably in L2, so the
# Fh*Fw multiply-accumulate passes hit cache instead of main memory.
_DEPTHWISE_BLOCK_BYTES = 256 << 10

# im2col tiles aim at about this many bytes (roughly the L2 cache), but at least this many
# output positions (matmul columns); workspace_bytes is the hard limit.
_TILE_TARGET_BYTES = 4 << 20
_TILE_MIN_COLS = 1024
# Stride-1 convs use the flat-shift im2col when padded width / output width is at most this.
_FLAT_MAX_WASTE = 1.15



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
    check_chw(x, "conv2d")
    c, _, _ = x.shape
    k, cg, fh, fw = weight.shape
    g = groups
    if g < 1 or c % g or k % g or c // g != cg:
        raise ValueError(
            f"conv2d: input has {c} channels, weight {weight.shape}, groups={g}: inconsistent"
        )
    kg = k // g
    dt = float_dtype(x, weight, bias)
    sh, sw = stride
    dh, dw = dilation
    if min(sh, sw, dh, dw) < 1:
        raise ValueError(f"conv2d: stride {stride} and dilation {dilation} must be >= 1")

    xp = pad_chw(x, padding, 0.0, dt)
    _, hp, wp = xp.shape
    eh, ew = dh * (fh - 1) + 1, dw * (fw - 1) + 1  # extent of the dilated kernel
    ho = window_count(hp, 0, 0, eh, sh)
    wo = window_count(wp, 0, 0, ew, sw)
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
                rs = strided(r0 * sh + i * dh, nr, sh)
                for j in range(fw):
                    cs = strided(c0 * sw + j * dw, nc, sw)
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
    check_chw(x, "conv_transpose2d")
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
    dt = float_dtype(x, weight, bias)
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
            rs = strided(r0 * sh + i * dh, nr, sh)
            for j in range(fw):
                canvas[:, rs, strided(j * dw, wid, sw)] += cols[:, i, j]

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
