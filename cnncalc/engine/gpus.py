"""Common GPU cards by name, with their memory: `--gpu rtx4090` instead of `--gpu 24GiB`.

The figure is the nominal memory on the vendor's datasheet. GPU memory chips come in
binary sizes, so "24 GB" on a datasheet is 24 × 2^30 bytes; the driver, the CUDA context
and ECC take some of it, which is what `--reserve` is for.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1 << 30


@dataclass(frozen=True)
class Gpu:
    name: str
    title: str
    memory_bytes: int
    source: str


_DATASHEETS = "https://www.nvidia.com/en-us/data-center/"
GPUS: dict[str, Gpu] = {gpu.name: gpu for gpu in (
    Gpu("h100-80gb", "NVIDIA H100 80GB", 80 * GIB, _DATASHEETS + "h100/"),
    Gpu("a100-80gb", "NVIDIA A100 80GB", 80 * GIB, _DATASHEETS + "a100/"),
    Gpu("a100-40gb", "NVIDIA A100 40GB", 40 * GIB, _DATASHEETS + "a100/"),
    Gpu("l40s", "NVIDIA L40S", 48 * GIB, _DATASHEETS + "l40s/"),
    Gpu("a10", "NVIDIA A10", 24 * GIB, _DATASHEETS + "products/a10-gpu/"),
    Gpu("l4", "NVIDIA L4", 24 * GIB, _DATASHEETS + "l4/"),
    Gpu("t4", "NVIDIA T4", 16 * GIB, _DATASHEETS + "tesla-t4/"),
    Gpu("v100-32gb", "NVIDIA V100 32GB", 32 * GIB, _DATASHEETS + "v100/"),
    Gpu("v100-16gb", "NVIDIA V100 16GB", 16 * GIB, _DATASHEETS + "v100/"),
    Gpu("rtx-a6000", "NVIDIA RTX A6000", 48 * GIB,
        "https://www.nvidia.com/en-us/design-visualization/rtx-a6000/"),
    Gpu("rtx4090", "GeForce RTX 4090", 24 * GIB,
        "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/"),
    Gpu("rtx4080", "GeForce RTX 4080", 16 * GIB,
        "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4080-family/"),
    Gpu("rtx3090", "GeForce RTX 3090", 24 * GIB,
        "https://www.nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3090-3090ti/"),
    Gpu("rtx3080", "GeForce RTX 3080 (10 GB)", 10 * GIB,
        "https://www.nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3080-3080ti/"),
)}


def find_gpu(name: str) -> Gpu | None:
    """The card named `name` ('RTX4090', 'a100-80GB', 'rtx_4090' all work), or None."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key in GPUS:
        return GPUS[key]
    squashed = key.replace("-", "")
    return next((gpu for gpu in GPUS.values() if gpu.name.replace("-", "") == squashed), None)
