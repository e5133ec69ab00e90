"""Benchmark of the reference conv kernels against this machine's float32 matmul.

Run from the repository root:  python benchmarks/conv_kernels.py [--repeat N]

It measures, in one run:
  * float32 matmul GFLOP/s (2048x2048 @ 2048x2048, median of several runs);
  * conv2d over the 13 VGG-16 conv layers at 224x224 (+ its 5 max pools);
  * conv2d over a ResNet-50 conv mix (7x7/2 stem, 1x1/3x3 bottlenecks, stride-2 convs);
  * conv2d over a MobileNet-v2 mix (1x1 expand/project + 3x3 depthwise);
and prints achieved GFLOP/s (2 x MACs / time; pools count as time, not MACs) and the ratio
to matmul.  No asserts.

On a shared machine other processes skew single timings a lot, so each network is run
--repeat times with a matmul measurement before each run; the ratio uses the fastest
pass against the fastest matmul seen alongside it (a conservative pairing), and the
"sum of per-layer bests" adds each layer's fastest time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnncalc.reference import ops  # noqa: E402


@dataclass(frozen=True)
class Conv:
    c: int  # input channels
    h: int  # input size (square)
    k: int  # filters
    f: int  # kernel
    s: int = 1
    p: int = 0
    g: int = 1

    def out_size(self) -> int:
        return (self.h + 2 * self.p - self.f) // self.s + 1

    def macs(self) -> int:
        return self.out_size() ** 2 * self.k * (self.c // self.g) * self.f * self.f


@dataclass(frozen=True)
class Pool:
    c: int
    h: int


def vgg16() -> list[Conv | Pool]:
    layers: list[Conv | Pool] = []
    c, h = 3, 224
    for width, n in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
        for _ in range(n):
            layers.append(Conv(c, h, width, 3, 1, 1))
            c = width
        layers.append(Pool(c, h))
        h //= 2
    return layers


def resnet50() -> list[Conv | Pool]:
    layers: list[Conv | Pool] = [Conv(3, 224, 64, 7, 2, 3), Pool(64, 112)]
    c, h = 64, 56
    for mid, n, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        out = mid * 4
        for b in range(n):
            s = stride if b == 0 else 1
            layers.append(Conv(c, h, mid, 1))
            layers.append(Conv(mid, h, mid, 3, s, 1))  # torchvision v1.5: stride in the 3x3
            ho = h // s
            layers.append(Conv(mid, ho, out, 1))
            if b == 0:
                layers.append(Conv(c, h, out, 1, s))  # projection shortcut
            c, h = out, ho
    return layers


def mobilenet_v2() -> list[Conv | Pool]:
    layers: list[Conv | Pool] = [Conv(3, 224, 32, 3, 2, 1)]
    c, h = 32, 112
    for t, out, n, stride in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                              (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for b in range(n):
            s = stride if b == 0 else 1
            hidden = c * t
            if t != 1:
                layers.append(Conv(c, h, hidden, 1))
            layers.append(Conv(hidden, h, hidden, 3, s, 1, g=hidden))
            h = (h + 2 - 3) // s + 1
            layers.append(Conv(hidden, h, out, 1))
            c = out
    layers.append(Conv(c, h, 1280, 1))
    return layers


def matmul_gflops(n: int = 2048, runs: int = 7) -> float:
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    a @ b  # warm up the BLAS threads
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t0)
    return 2 * n**3 / statistics.median(times) / 1e9


def prepare(layers: list[Conv | Pool], rng: np.random.Generator) -> list[tuple]:
    """Inputs and weights for every layer, made before timing starts."""
    work = []
    for layer in layers:
        x = rng.standard_normal((layer.c, layer.h, layer.h), dtype=np.float32)
        if isinstance(layer, Conv):
            w = rng.standard_normal((layer.k, layer.c // layer.g, layer.f, layer.f),
                                    dtype=np.float32)
            b = rng.standard_normal(layer.k, dtype=np.float32)
            work.append((layer, x, w, b))
        else:
            work.append((layer, x, None, None))
    return work


def run_once(work: list[tuple]) -> list[float]:
    """Seconds spent in each layer of one pass."""
    times = []
    for layer, x, w, b in work:
        t0 = time.perf_counter()
        if isinstance(layer, Pool):
            if layer.h == 112:  # ResNet stem pool: 3x3 / 2, padding 1
                ops.max_pool2d(x, (3, 3), (2, 2), (1, 1, 1, 1))
            else:
                ops.max_pool2d(x, (2, 2), (2, 2))
        else:
            p = layer.p
            ops.conv2d(x, w, b, (layer.s, layer.s), (p, p, p, p), (1, 1), layer.g)
        times.append(time.perf_counter() - t0)
    return times


def bench(name: str, layers: list[Conv | Pool], repeat: int) -> float:
    """Time one network; returns its conv GFLOP/s ratio to matmul.

    Each repetition measures matmul right before the network, and the best of each is
    used, so that load from other processes on the machine skews both figures alike.
    """
    rng = np.random.default_rng(1)
    work = prepare(layers, rng)
    macs = sum(layer.macs() for layer in layers if isinstance(layer, Conv))
    run_once(work)  # warm-up (page faults, BLAS threads)
    ref = 0.0
    runs = []
    for _ in range(repeat):
        ref = max(ref, matmul_gflops(runs=3))
        runs.append(run_once(work))
    best_total = min(sum(r) for r in runs)
    per_layer = [min(ts) for ts in zip(*runs, strict=True)]  # per-layer best
    gf = 2 * macs / best_total / 1e9
    gf_layers = 2 * macs / sum(per_layer) / 1e9
    print(f"{name:<13} conv MACs {macs / 1e9:6.3f} G  best pass {best_total * 1e3:7.1f} ms  "
          f"{gf:6.1f} GFLOP/s = {gf / ref:5.1%} of matmul ({ref:.1f} GFLOP/s); "
          f"sum of per-layer bests {sum(per_layer) * 1e3:7.1f} ms = {gf_layers / ref:5.1%}")
    kinds: dict[str, list[float]] = {}
    for layer, t in zip(layers, per_layer, strict=True):
        kind = "pool" if isinstance(layer, Pool) else _kind(layer)
        acc = kinds.setdefault(kind, [0.0, 0.0])
        acc[0] += t
        acc[1] += 0 if isinstance(layer, Pool) else layer.macs()
    for kind, (t, kmacs) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
        extra = f"  {2 * kmacs / t / 1e9:6.1f} GFLOP/s" if kmacs else ""
        print(f"    {kind:<10} {t * 1e3:8.1f} ms{extra}")
    return gf / ref


def _kind(layer: Conv) -> str:
    if layer.g > 1:
        return "depthwise"
    return "1x1" if layer.f == 1 else f"{layer.f}x{layer.f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per network (best)")
    args = ap.parse_args()
    print(f"numpy {np.__version__}; float32 matmul 2048^3: {matmul_gflops():.1f} GFLOP/s "
          "(median of 7; each network below is compared with the best matmul measured "
          "next to it)")
    bench("VGG-16", vgg16(), args.repeat)
    bench("ResNet-50", resnet50(), args.repeat)
    bench("MobileNet-v2", mobilenet_v2(), args.repeat)


if __name__ == "__main__":
    main()
