"""Guards between a user's ONNX file and onnx's C++ (issue 17): shape inference in a forked
child, attributes checked against the kind their operator takes, names that are text.
Whatever the file holds, the importer ends with a SpecError, never a crash or an abort.
"""

from __future__ import annotations

import functools
from typing import Any

from ..errors import SpecError


def located(function):
    """`function(path, …)` with a SpecError raised deep inside (where the node is known but
    not the file, as in attrs()) located at `path`."""
    @functools.wraps(function)
    def wrapper(path, *args, **kwargs):
        try:
            return function(path, *args, **kwargs)
        except SpecError as error:
            raise error.locate(file=str(path)) from None
    return wrapper

# What each attribute the readers use must hold (ONNX's operator schemas): a mutated file
# may carry another kind (an INT for INTS, an empty attribute), which is an error here.
INTS = ("kernel_shape", "strides", "pads", "dilations", "output_padding", "output_shape",
        "axes")
KINDS = {**dict.fromkeys(INTS, "INTS"), **dict.fromkeys(
    ("group", "ceil_mode", "axis", "transA", "transB", "keepdims", "training_mode",
     "blocksize", "size", "p"), "INT"), **dict.fromkeys(
    ("alpha", "beta", "ratio", "min", "max", "epsilon"), "FLOAT"),
    **dict.fromkeys(("auto_pad", "mode"), "STRING")}


def attrs(node) -> dict[str, Any]:
    """The node's attributes by name, each checked against the kind its operator takes."""
    from onnx import AttributeProto, helper

    found = {}
    for attribute in node.attribute:
        kind = KINDS.get(attribute.name)
        if kind is not None and attribute.type != getattr(AttributeProto, kind):
            held = AttributeProto.AttributeType.Name(attribute.type) \
                if attribute.type in AttributeProto.AttributeType.values() else attribute.type
            raise SpecError(f"node '{node.name}' ({node.op_type}): attribute "
                            f"'{attribute.name}' holds {held}, ONNX's {node.op_type} takes "
                            f"{kind}; the file is malformed")
        found[attribute.name] = helper.get_attribute_value(attribute)
    return found


def infer_isolated(model, file: str, **options):
    """ONNX's shape inference of `model`, as a GraphProto holding only `value_info` and
    `output`. Run in a forked child where fork exists: onnx's C++ asserts on some malformed
    models and would abort the whole process (issue 17); a child that dies is a SpecError.
    Fork, not a fresh interpreter, so the child shares the parsed model without a copy."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        try:  # no fork (Windows): in process, as onnx itself would run
            return _infer_graph(model, **options)
        except SpecError as error:
            raise error.locate(file=file) from None
    import tempfile

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    with tempfile.TemporaryFile() as log:  # the child's stderr: an assertion's text
        child = context.Process(target=_infer_child, args=(send, log, model, options),
                                daemon=True)
        child.start()
        send.close()
        try:
            answer = receive.recv()
        except EOFError:  # the child died before it answered
            answer = None
        child.join()
        log.seek(0)
        lines = log.read().decode("utf-8", "replace").strip().splitlines()
    if answer is None or child.exitcode != 0:
        how = (f"signal {-child.exitcode}" if child.exitcode and child.exitcode < 0
               else f"exit code {child.exitcode}")
        said = f": {lines[-1][-200:]}" if lines else ""
        raise SpecError(f"ONNX's shape inference failed on this model (it stopped with {how}"
                        f"{said}); the file is malformed", file=file)
    kind, payload = answer
    if kind == "error":
        raise SpecError(payload, file=file)
    import onnx

    graph = onnx.GraphProto()
    graph.ParseFromString(payload)
    return graph


def _infer_graph(model, **options):
    import onnx

    try:
        inferred = onnx.shape_inference.infer_shapes(model, **options)
    except Exception as error:  # onnx raises several types; all mean "cannot infer"
        raise SpecError(f"ONNX shape inference failed: {error}") from None
    graph = onnx.GraphProto()
    graph.value_info.extend(inferred.graph.value_info)
    graph.output.extend(inferred.graph.output)
    return graph


def _infer_child(send, log, model, options) -> None:
    """In the forked child: answer ("shapes", bytes) or ("error", message) on the pipe."""
    import faulthandler
    import os

    faulthandler.disable()  # an abort here is reported by the parent, not as a dump
    os.dup2(log.fileno(), 2)
    try:
        answer = ("shapes", _infer_graph(model, **options).SerializeToString())
    except SpecError as error:
        answer = ("error", error.message)
    except BaseException as error:  # anything else is still a message, not a hang
        answer = ("error", f"ONNX shape inference failed: {type(error).__name__}: {error}")
    send.send(answer)
    send.close()


def check_names(model, file: str) -> None:
    """Every name the importer reads is text: protobuf hands a name that is no valid UTF-8
    back as bytes, which would break the importer far from the cause."""
    graph = model.graph
    values = [*graph.input, *graph.output, *graph.value_info, *graph.initializer]
    for index, node in enumerate(graph.node):
        words = [node.name, node.op_type, node.domain, *node.input, *node.output,
                 *(attribute.name for attribute in node.attribute)]
        if not node.output:  # every operator the importer meets makes a tensor
            raise SpecError(f"node {index} ('{node.name}', {node.op_type}) of the ONNX graph "
                            "has no output; the file is malformed", file=file)
        if any(isinstance(word, bytes) for word in words):
            raise SpecError(f"node {index} of the ONNX graph has a name, operator or tensor "
                            "name that is not valid UTF-8; the file is malformed", file=file)
    for value in values:
        if isinstance(value.name, bytes):
            raise SpecError(f"the ONNX tensor {value.name[:60]!r} has a name that is not "
                            "valid UTF-8; the file is malformed", file=file)
