"""`apply … --backward`: the gradients of one conv or pooling layer, as ECE228's handout
computes them.

conv: ∂L/∂F is the padded input correlated with ∂L/∂Z (S − 1 zeros inserted between its
entries when the stride S > 1); ∂L/∂X is the full convolution of that ∂L/∂Z with the
filter (its correlation with the filter turned 180°), cropped by the padding. Both run on
the reference kernel (reference/ops.conv2d), never through an output-size formula.
Pools route ∂L/∂Z back through each window: max to the first maximum in the window (as
PyTorch, scanning rows then columns), avg divided by the window size PyTorch divides by
(padding counted). numpy is imported only when these run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .matrix import STEP_COUNT, MatrixError, number

GRAD_Z = "∂L/∂z"


@dataclass
class Backward:
    """The gradients of one application: ∂L/∂Z given, ∂L/∂X and (conv) ∂L/∂F computed."""

    grad_output: list  # (K, Ho, Wo)
    grad_input: list  # (C, H, W)
    grad_filter: list | None = None  # (K, C, Fh, Fw), conv only
    grad_bias: list | None = None  # (K,), conv with a bias: each filter's ∂L/∂Z summed
    steps: list[str] = field(default_factory=list)


def gradient(source, shape: tuple[int, int, int]):
    """∂L/∂Z as an array of `shape` (K, Ho, Wo): all ones by default, else the given matrix."""
    import numpy as np

    if source is None:
        return np.ones(shape)
    grad = np.array(source.values, dtype=np.float64)
    if grad.ndim == 2:
        grad = grad[None]
    if grad.shape != shape:
        want = "×".join(map(str, shape[1:])) + (f" per each of {shape[0]} filters"
                                                if shape[0] > 1 else "")
        got = "×".join(map(str, grad.shape if grad.shape[0] > 1 else grad.shape[1:]))
        raise MatrixError(f"--grad is {got} but ∂L/∂Z must have the output's shape, {want}")
    return grad


def insert_zeros(grad, stride: tuple[int, int]):
    """(K, Ho, Wo) → (K, (Ho−1)S+1, (Wo−1)S+1) with S − 1 zeros between neighbours."""
    import numpy as np

    k, ho, wo = grad.shape
    sh, sw = stride
    spread = np.zeros((k, (ho - 1) * sh + 1, (wo - 1) * sw + 1))
    spread[:, ::sh, ::sw] = grad
    return spread


def conv_backward(x, weight, stride: tuple[int, int], padding: int, grad,
                  steps: bool = False) -> Backward:
    """∂L/∂F (K, C, Fh, Fw) and ∂L/∂X (C, H, W) for x (C, H, W), weight (K, C, Fh, Fw)."""
    import numpy as np

    from ..reference import ops

    channels, height, width = x.shape
    kh, kw = weight.shape[2:]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    spread = insert_zeros(grad, stride)
    # ∂L/∂F[k, c] = Xp[c] ⋆ spread ∂L/∂Z[k]; rows of Xp after the last window (a stride that
    # does not divide) give extra entries beyond Fh × Fw, which are cut off.
    grad_filter = np.stack([ops.conv2d(xp[c:c + 1], spread[:, None])[:, :kh, :kw]
                            for c in range(channels)], axis=1)
    # ∂L/∂Xp = full convolution: pad the spread gradient by F − 1, correlate with the filter
    # turned 180°, summing over filters (weight as (C, K, Fh, Fw)).
    full = np.pad(spread, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    turned = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    grad_padded = np.zeros(xp.shape)
    reached = ops.conv2d(full, np.ascontiguousarray(turned))
    grad_padded[:, :reached.shape[1], :reached.shape[2]] = reached  # unread rows get 0
    grad_input = grad_padded[:, padding:padding + height, padding:padding + width]
    result = Backward(grad.tolist(), grad_input.tolist(), grad_filter.tolist())
    if steps:
        result.steps = _conv_steps(xp, weight, spread, full, turned, grad_filter, grad_padded,
                                   padding)
    return result


def _conv_steps(xp, weight, spread, full, turned, grad_filter, grad_padded,
                padding: int) -> list[str]:
    """The first entries of ∂L/∂F and ∂L/∂X (filter 1, channel 1) written out term by term."""
    kh, kw = weight.shape[2:]
    hs, ws = spread.shape[1:]
    lines = []
    for index in range(min(STEP_COUNT, kh * kw)):
        a, b = divmod(index, kw)
        terms = [f"{_factor(spread[0, i, j])}·{_factor(xp[0, a + i, b + j])}"
                 for i in range(hs) for j in range(ws)]
        lines.append(f"∂L/∂f{a + 1}{b + 1} = {' + '.join(terms)} = "
                     f"{number(grad_filter[0, 0, a, b])}")
    height, width = grad_padded.shape[1] - 2 * padding, grad_padded.shape[2] - 2 * padding
    lines.append("(∂L/∂x: the zero-padded ∂L/∂Z around it · the filter turned 180°)")
    for index in range(min(STEP_COUNT, height * width)):
        u, v = divmod(index, width)
        top, left = u + padding, v + padding
        terms = [f"{_factor(full[k, top + a, left + b])}·{_factor(turned[0, k, a, b])}"
                 for k in range(full.shape[0]) for a in range(kh) for b in range(kw)
                 if top + a < full.shape[1] and left + b < full.shape[2]]
        lines.append(f"∂L/∂x{u + 1}{v + 1} = {' + '.join(terms) or '0'} = "
                     f"{number(grad_padded[0, top, left])}")
    return lines


def pool_backward(operation: str, x, kernel: tuple[int, int], stride: tuple[int, int],
                  padding: int, grad, steps: bool = False) -> Backward:
    """∂L/∂X (C, H, W) of max or average pooling, ∂L/∂Z being `grad` (C, Ho, Wo)."""
    import numpy as np

    channels, height, width = x.shape
    kh, kw = kernel
    sh, sw = stride
    fill = -np.inf if operation == "maxpool" else 0.0
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)), constant_values=fill)
    grad_padded = np.zeros(xp.shape)
    lines = []
    _, ho, wo = grad.shape
    for c in range(channels):
        for i in range(ho):
            for j in range(wo):
                top, left = i * sh, j * sw
                bottom, right = min(top + kh, xp.shape[1]), min(left + kw, xp.shape[2])
                window = xp[c, top:bottom, left:right]
                g = grad[c, i, j]
                if operation == "maxpool":
                    # np.argmax returns the first maximum in row-major order, as PyTorch.
                    a, b = divmod(int(np.argmax(window)), window.shape[1])
                    grad_padded[c, top + a, left + b] += g
                    what = (f"max {number(window[a, b])} at x{top + a + 1 - padding}"
                            f"{left + b + 1 - padding} gets {number(g)}")
                else:
                    share = g / window.size  # the padded window's size, clipped to the input
                    grad_padded[c, top:bottom, left:right] += share
                    what = f"each of its {window.size} inputs gets {number(g)}/{window.size}"
                    what += f" = {number(share)}"
                if c == 0 and len(lines) < STEP_COUNT * 2:
                    lines.append(f"{GRAD_Z}{i + 1}{j + 1} = {number(g)}: {what}")
    grad_input = grad_padded[:, padding:padding + height, padding:padding + width]
    return Backward(grad.tolist(), grad_input.tolist(), steps=lines if steps else [])


def _factor(value: float) -> str:
    text = number(float(value))
    return f"({text})" if text.startswith("−") else text
