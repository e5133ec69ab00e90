"""`apply conv --im2col`: convolution as one matrix product, as ECE228's im2col slide draws it.

Each output position's receptive patch (C·Fh·Fw numbers: channel by channel, row by row)
becomes one column of the patch matrix, (C·Fh·Fw) × (Ho·Wo); each filter becomes one row of
the filter matrix, K × (C·Fh·Fw), unrolled in the same order; their product K × (Ho·Wo),
read row by row, is the output K × Ho × Wo. The windows are taken from the padded array
directly, never through an output-size formula.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Im2col:
    """The three matrices of the product, as nested lists, and the output they reshape to."""

    patches: list  # (C·Fh·Fw) × (Ho·Wo)
    filters: list  # K × (C·Fh·Fw)
    product: list  # K × (Ho·Wo)
    output_dims: tuple[int, int, int]  # (K, Ho, Wo)


def im2col(x, weight, stride: tuple[int, int], padding: int) -> Im2col:
    """x (C, H, W) and weight (K, C, Fh, Fw) as the patch and filter matrices."""
    import numpy as np

    kh, kw = weight.shape[2:]
    sh, sw = stride
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    columns, rows = [], 0
    for top in range(0, xp.shape[1] - kh + 1, sh):
        rows += 1
        for left in range(0, xp.shape[2] - kw + 1, sw):
            columns.append(xp[:, top:top + kh, left:left + kw].ravel())
    patches = np.stack(columns, axis=1)
    filters = weight.reshape(weight.shape[0], -1)
    product = filters @ patches
    dims = (weight.shape[0], rows, len(columns) // rows)
    return Im2col(patches.tolist(), filters.tolist(), product.tolist(), dims)
