"""PyTorch's CPU forward pass on VGG-16 and ResNet-50, measured the way verify.py measures ours.

Issue 3 sets its targets relative to PyTorch ("roughly 90% of the matmul rate on VGG-16").
This script checks that claim on the machine at hand, applies verify.py's whole-process
yardstick to PyTorch too (a child process that imports the framework, builds the network
and runs one forward pass, minus a child that only starts Python), and times cnncalc's
warm reference pass on the same networks in the same run.

It needs PyTorch, which cnncalc itself never uses; keep it out of the project's
environment, e.g.

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 -e .
    /tmp/torchenv/bin/python benchmarks/pytorch_peer.py

The two networks are written out below (torchvision is not available here); their MAC
counts come from cnncalc's analysis of the matching built-ins, which equal the golden
PyTorch figures.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import torch
from conv_kernels import matmul_gflops  # this folder: the same NumPy matmul rate
from torch import nn

import cnncalc
from cnncalc.reference.verify import verify_analysis


def vgg16() -> nn.Module:
    layers: list[nn.Module] = []
    channels = 3
    for width, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        for _ in range(convs):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(inplace=True)]
            channels = width
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(7), nn.Flatten(),
                         nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(),
                         nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(),
                         nn.Linear(4096, 1000))


class Bottleneck(nn.Module):
    def __init__(self, inputs: int, width: int, stride: int) -> None:
        super().__init__()
        out = 4 * width
        self.body = nn.Sequential(
            nn.Conv2d(inputs, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(True),
            nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width),
            nn.ReLU(True), nn.Conv2d(width, out, 1, bias=False), nn.BatchNorm2d(out))
        self.shortcut = nn.Identity()
        if stride != 1 or inputs != out:
            self.shortcut = nn.Sequential(nn.Conv2d(inputs, out, 1, stride, bias=False),
                                          nn.BatchNorm2d(out))

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def resnet50() -> nn.Module:
    stages = []
    inputs = 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for index in range(blocks):
            stages.append(Bottleneck(inputs, width, stride if index == 0 else 1))
            inputs = 4 * width
    return nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64),
                         nn.ReLU(True), nn.MaxPool2d(3, 2, 1), *stages,
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000))


NETWORKS = {"vgg16": vgg16, "resnet50": resnet50}

CHILD = """
import sys, torch
sys.path.insert(0, {folder!r})
from pytorch_peer import NETWORKS
model = NETWORKS[{name!r}]().eval()
with torch.no_grad():
    model(torch.rand(1, 3, 224, 224))
"""


def warm_forward(name: str, rounds: int = 5) -> float:
    model = NETWORKS[name]().eval()
    x = torch.rand(1, 3, 224, 224)
    times = []
    with torch.no_grad():
        model(x)
        for _ in range(rounds):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def cnncalc_warm_pass(name: str, rounds: int = 5) -> float:
    """cnncalc's reference pass on the same network, timed like warm_forward."""
    analysis = cnncalc.analyze(cnncalc.load(name))
    verify_analysis(analysis)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        verify_analysis(analysis)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child_seconds(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    rate = matmul_gflops()
    print(f"NumPy float32 matmul (2048²): {rate:.1f} GFLOP/s; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads\n")
    folder = sys.path[0]
    python_only = statistics.median(child_seconds("pass") for _ in range(3))
    import_only = statistics.median(child_seconds("import torch") for _ in range(3))
    print(f"child process: python alone {python_only:.2f} s, import torch "
          f"{import_only - python_only:.2f} s\n")
    print(f"{'':10s} {'--- PyTorch, warm ---':>25}   {'--- PyTorch, whole ---':>25}   "
          f"{'--- cnncalc pass, warm ---':>30}")
    print(f"{'model':10s} {'s':>8} {'GFLOP/s':>8} {'matmul':>7}   "
          f"{'s':>8} {'GFLOP/s':>8} {'matmul':>7}   {'s':>8} {'matmul':>7} {'÷ torch':>12}")
    for name in NETWORKS:
        macs = cnncalc.analyze(cnncalc.load(name)).totals.macs
        warm = warm_forward(name)
        whole = statistics.median(child_seconds(CHILD.format(folder=folder, name=name))
                                  for _ in range(3)) - python_only
        ours = cnncalc_warm_pass(name)
        print(f"{name:10s} {warm:8.3f} {2 * macs / warm / 1e9:8.1f} "
              f"{2 * macs / warm / 1e9 / rate:7.0%}   {whole:8.2f} "
              f"{2 * macs / whole / 1e9:8.1f} {2 * macs / whole / 1e9 / rate:7.0%}   "
              f"{ours:8.3f} {2 * macs / ours / 1e9 / rate:7.0%} {ours / warm:11.2f}×")


if __name__ == "__main__":
    main()
