"""`--verify onnx`: ONNX's own shape inference as a referee nobody here wrote (SPEC §11).

The network is exported in memory without value_info and with its weights as graph inputs,
so every shape ONNX reports is one it inferred itself from the operators; each row's output
tensor carries the row's path, and its inferred shape is compared with the formulas'.
"""

from __future__ import annotations

import time
from dataclasses import replace

from ..engine.analysis import Analysis
from ..engine.shapes import Shape, shape_str
from ..reference.verify import Verification
from .layout import from_onnx_dims


def inferred_shapes(analysis: Analysis) -> dict[str, Shape]:
    """Tensor name → the shape ONNX's strict shape inference gives it (H×W×C)."""
    import onnx

    from .onnx_export import export_onnx

    model = export_onnx(analysis, weights="none", value_info=False)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True,
                                                 data_prop=True)
    shapes: dict[str, Shape] = {}
    for value in [*inferred.graph.value_info, *inferred.graph.output]:
        dims = value.type.tensor_type.shape.dim
        if all(dim.HasField("dim_value") for dim in dims) and 2 <= len(dims) <= 5:
            shapes[value.name] = from_onnx_dims([dim.dim_value for dim in dims])
    return shapes


def verify_onnx(analysis: Analysis) -> Verification:
    """Check each row against ONNX (verified True/False, None when ONNX gave no shape), like
    the NumPy pass: the result carries a new analysis with the rows marked.

    A network that cannot be exported or that ONNX's inference rejects marks the first row
    it concerns as a mismatch with ONNX's message: that is a disagreement, not a crash."""
    from onnx.shape_inference import InferenceError

    from ..errors import CnnCalcError

    result = Verification(analysis)
    start = time.perf_counter()
    failed_path, failure = None, ""
    try:
        shapes = inferred_shapes(analysis)
    except (InferenceError, CnnCalcError) as error:
        shapes = {}
        message = getattr(error, "message", str(error)).strip().splitlines()[0]
        failed_path = _row_named(analysis, message).path
        failure = f"ONNX shape inference: {message}"
    rows = []
    for row in analysis.rows:
        if row.path == failed_path:
            marked = replace(row, verified=False, verify_note=failure)
            result.mismatches.append(marked)
        elif row.path not in shapes:
            marked = replace(row, verified=None)
            result.skipped.append(marked)
        else:
            result.checked += 1
            marked = replace(row, verified=shapes[row.path] == row.output)
            if not marked.verified:
                marked.verify_note = (f"ONNX shape inference gives {shape_str(shapes[row.path])}"
                                      f", the formulas say {shape_str(row.output)}")
                result.mismatches.append(marked)
        rows.append(marked)
    result.analysis = replace(analysis, rows=rows)
    result.seconds = time.perf_counter() - start
    return result


def _row_named(analysis: Analysis, message: str):
    """The row whose path the message names (ONNX names the node), else the first row."""
    named = [row for row in analysis.rows if f"({row.path})" in message
             or f"'{row.path}'" in message or f" {row.path}:" in message]
    return named[-1] if named else analysis.rows[0]
