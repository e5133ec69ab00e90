"""`cnncalc.load`: a spec file, a built-in name, YAML text, or an ONNX model.

The dispatch lives here, above spec/ and interop/, so spec/ never imports interop (and onnx
is imported only when an .onnx file is actually loaded).
"""

from __future__ import annotations

from pathlib import Path

from .engine.model import Network
from .engine.shapes import Shape
from .errors import CnnCalcError


def is_onnx(source: object) -> bool:
    return isinstance(source, (str, Path)) and "\n" not in str(source) \
        and str(source).lower().endswith(".onnx")


def load(source: str | Path, input: Shape | None = None) -> Network:
    """A Network from a spec path, a built-in name, YAML text or an .onnx file. `input` is
    needed only for an ONNX model whose input size is symbolic."""
    if is_onnx(source):
        from .errors import SpecError
        from .interop import require_onnx

        try:
            require_onnx()
        except CnnCalcError as error:
            raise SpecError(f"reading .onnx files: {error.message}", file=str(source)) from None
        from .interop.onnx_import import load_onnx

        if not Path(source).is_file():
            raise SpecError("no such ONNX file", file=str(source))
        return load_onnx(source, input)
    from .spec import load as load_spec

    return load_spec(source)
