"""The bridge to frameworks: ONNX import/export, PyTorch code export, the onnx referee.

onnx is an optional extra, imported only inside these modules' functions.
"""

from __future__ import annotations

from ..errors import CnnCalcError

ONNX_MISSING = "this needs the onnx package: pip install 'cnncalc[onnx]'"


def require_onnx() -> None:
    """Raise a clear error (not an ImportError) when the onnx extra is not installed."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise CnnCalcError(ONNX_MISSING) from None


def save_checked(model, path: str) -> None:
    """Write an ONNX model and run the full checker on the file as written."""
    import onnx

    onnx.save(model, path)
    onnx.checker.check_model(path, full_check=True)
