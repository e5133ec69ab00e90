"""The small helper classes an exported PyTorch module may need, as source text, and the
formatting of per-axis arguments.

Each is written into the generated file only when a layer uses it, so the file stays one
self-contained module that needs PyTorch alone.
"""

HELPERS = {
    "Residual": '''
class Residual(nn.Module):
    """body(x) + shortcut(x), then an optional activation. The body's layers are direct
    children (torchvision's BasicBlock layout); the shortcut is `downsample` (None: x)."""

    def __init__(self, body: dict[str, nn.Module], downsample: nn.Module | None = None,
                 activation: nn.Module | None = None) -> None:
        super().__init__()
        for name, module in body.items():
            self.add_module(name, module)
        self.body_names = list(body)
        self.downsample = downsample
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for name in self.body_names:
            out = getattr(self, name)(out)
        out = out + (x if self.downsample is None else self.downsample(x))
        return out if self.activation is None else self.activation(out)
''',
    "Concat": '''
class Concat(nn.Module):
    """Runs every branch on the same input and concatenates along channels; with
    crop=True larger maps are centre-cropped to the smallest first (U-Net)."""

    def __init__(self, branches: dict[str, nn.Module], crop: bool = False) -> None:
        super().__init__()
        for name, module in branches.items():
            self.add_module(name, module)
        self.crop = crop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = [branch(x) for branch in self.children()]
        return centre_cat(outputs) if self.crop else torch.cat(outputs, 1)
''',
    "centre_cat": '''
def centre_cat(tensors: list[torch.Tensor]) -> torch.Tensor:
    """Centre-crops every map to the smallest size on each spatial axis, then concatenates
    (U-Net)."""
    sizes = [min(t.shape[axis] for t in tensors) for axis in range(2, tensors[0].dim())]
    cropped = []
    for t in tensors:
        index = [slice(None), slice(None)]
        for axis, size in enumerate(sizes, 2):
            start = (t.shape[axis] - size) // 2
            index.append(slice(start, start + size))
        cropped.append(t[tuple(index)])
    return torch.cat(cropped, 1)
''',
    "Gate": '''
class Gate(nn.Module):
    """x * body(x), broadcast (squeeze-and-excitation: a 1×1 per-channel gate). The body's
    layers are direct children, as in torchvision's SqueezeExcitation."""

    def __init__(self, body: dict[str, nn.Module]) -> None:
        super().__init__()
        for name, module in body.items():
            self.add_module(name, module)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = x
        for module in self.children():
            gate = module(gate)
        return x * gate
''',
    "Split": '''
class Split(nn.Module):
    """Splits the channels into consecutive parts of `sizes`, runs branch i on part i and
    concatenates the results (ShuffleNetV2); nn.Identity() passes a part through."""

    def __init__(self, branches: dict[str, nn.Module], sizes: list[int]) -> None:
        super().__init__()
        for name, module in branches.items():
            self.add_module(name, module)
        self.sizes = sizes

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = torch.split(x, self.sizes, 1)
        pairs = zip(self.children(), parts, strict=True)
        return torch.cat([branch(part) for branch, part in pairs], 1)
''',
    "Crop": '''
class Crop(nn.Module):
    """Removes rows and columns: (top, bottom, left, right)."""

    def __init__(self, top: int, bottom: int, left: int, right: int) -> None:
        super().__init__()
        self.sides = (top, bottom, left, right)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        top, bottom, left, right = self.sides
        return x[:, :, top:x.shape[2] - bottom, left:x.shape[3] - right]
''',
    "FlatLinear": '''
class FlatLinear(nn.Linear):
    """nn.Linear that flattens an N×C×H×W input first (cnncalc's dense does it itself)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(torch.flatten(x, 1))
''',
    "PaddedConv2d": '''
class PaddedConv2d(nn.Conv2d):
    """nn.Conv2d with uneven padding (left, right, top, bottom), e.g. TensorFlow's 'same'."""

    def __init__(self, *args, sides: tuple[int, int, int, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sides = sides

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(nn.functional.pad(x, self.sides))
''',
    "named": '''
def named(modules: dict[str, nn.Module]) -> nn.Sequential:
    """An nn.Sequential whose children keep the spec's names."""
    sequence = nn.Sequential()
    for name, module in modules.items():
        sequence.add_module(name, module)
    return sequence
''',
    "CropNd": '''
class CropNd(nn.Module):
    """Removes positions from a 1-D or 3-D map: (before, after) on each spatial axis."""

    def __init__(self, *sides: int) -> None:
        super().__init__()
        self.sides = sides

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        index = [slice(None), slice(None)]
        for axis in range(len(self.sides) // 2):
            before, after = self.sides[2 * axis], self.sides[2 * axis + 1]
            index.append(slice(before, x.shape[2 + axis] - after))
        return x[tuple(index)]
''',
    "LayerNorm2d": '''
class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels at each position of an N×C×… map (ConvNeXt's)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)
''',
    "LayerScale": '''
class LayerScale(nn.Module):
    """A learnable per-channel scale γ (C parameters), started at `init`."""

    def __init__(self, channels: int, init: float = 1e-6, rank: int = 2) -> None:
        super().__init__()  # rank: spatial axes after the channels (0 for a vector)
        self.gamma = nn.Parameter(torch.full((channels,) + (1,) * rank, init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gamma
''',
    "DropPath": '''
class DropPath(nn.Module):
    """Stochastic depth: in training, zeroes whole samples with probability `rate` and
    rescales the rest; in evaluation, the identity."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rate == 0:
            return x
        keep = torch.rand((x.shape[0],) + (1,) * (x.dim() - 1), device=x.device) >= self.rate
        return x * keep / (1 - self.rate)
''',
    "Slice": '''
class Slice(nn.Module):
    """Channels [start, stop) of the input."""

    def __init__(self, start: int, stop: int) -> None:
        super().__init__()
        self.start, self.stop = start, stop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, self.start:self.stop]
''',
}
HELPER_ORDER = ["named", "Residual", "Concat", "centre_cat", "Gate", "Split", "Crop", "FlatLinear",
                "PaddedConv2d", "CropNd", "LayerNorm2d", "LayerScale", "DropPath", "Slice"]


def top_level_args(args: str) -> list[str]:
    """'a, b=(1, 2), c' → ['a', 'b=(1, 2)', 'c']: split at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(args):
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(args[start:index].strip())
            start = index + 1
    return [*parts, args[start:].strip()]


def torch_pad(sides) -> str:
    """(before, after) per axis → nn.ConstantPadNd's order: the last axis first."""
    pairs = [sides[a:a + 2] for a in range(0, len(sides), 2)]
    return f"({', '.join(str(side) for pair in reversed(pairs) for side in pair)})"
