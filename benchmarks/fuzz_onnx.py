"""Long fuzz run over ONNX input: mutate real models thousands of times and run cnncalc on
each, as a user would hand it a broken or hostile file.

    python benchmarks/fuzz_onnx.py --cases 2000 [--seed 0] [--save failures/]

The seeds are the ONNX fixtures of tests/data (torchvision exports) and cnncalc's own
exports of a few built-ins. Each case mutates one model — in its bytes (flipped bits, a cut
tail, a spliced block) or in its structure (a dimension set to 0, negative or huge, an
attribute changed, an input renamed to nothing or to a later tensor (a cycle), a node
dropped or duplicated, an op type swapped, a shape removed, a wrong element type) — and
runs `summary FILE` (JSON, probe referee) and `import FILE`. Prints the exit-code
distribution, the slowest case and every failure: a traceback, an internal error, an exit
code other than 0/1/2, a slow case.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's cnncalc, not an installed one

from cnncalc.cli import cli  # noqa: E402

SLOW = 10.0  # seconds
COMMANDS = [["summary", "--format", "json"], ["import"]]
OPS = ["Conv", "Relu", "MaxPool", "Add", "Concat", "Gemm", "Flatten", "Mul", "Slice",
       "Reshape", "Identity", "BatchNormalization", "AveragePool", "Split", "Unknown"]


def seed_models() -> dict[str, bytes]:
    import cnncalc
    from cnncalc.interop.onnx_export import export_onnx

    models = {path.name: path.read_bytes() for path in sorted((ROOT / "tests/data").glob(
        "*.onnx"))}
    for name in ("lenet5", "googlenet", "unet", "inception-v3"):
        analysis = cnncalc.analyze(cnncalc.load(name))
        models[f"{name}.onnx"] = export_onnx(analysis, weights="none").SerializeToString()
    return models


def mutate(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.35:
        return _mutate_bytes(data, rng)
    import onnx

    model = onnx.load_from_string(data)
    for _ in range(rng.randint(1, 3)):
        _mutate_model(model, rng)
    return model.SerializeToString()


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    raw = bytearray(data)
    choice = rng.randrange(3)
    if choice == 0:
        for _ in range(rng.randint(1, 20)):
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    elif choice == 1:
        del raw[rng.randrange(len(raw)):]
    else:
        start = rng.randrange(len(raw))
        block = raw[start:start + rng.randint(1, 64)]
        at = rng.randrange(len(raw))
        raw[at:at] = block
    return bytes(raw)


def _mutate_model(model, rng: random.Random) -> None:
    graph = model.graph
    nodes = list(graph.node)
    choice = rng.randrange(10)
    if choice == 0 and graph.input:  # a dimension of an input set to 0, −1 or huge
        dims = graph.input[0].type.tensor_type.shape.dim
        if dims:
            dims[rng.randrange(len(dims))].dim_value = rng.choice([0, -1, 10**12, 1, 7])
    elif choice == 1 and nodes:  # an integer attribute changed
        node = rng.choice(nodes)
        for attribute in node.attribute:
            if attribute.ints:
                attribute.ints[rng.randrange(len(attribute.ints))] = rng.choice(
                    [0, -1, 1, 3, 10**9])
            elif attribute.type == attribute.INT:
                attribute.i = rng.choice([0, -1, 2, 10**9])
    elif choice == 2 and nodes:  # an input renamed: to nothing, or to a later tensor
        node = rng.choice(nodes)
        if node.input:
            later = [out for other in nodes for out in other.output]
            node.input[rng.randrange(len(node.input))] = rng.choice(["", "nowhere", *later])
    elif choice == 3 and nodes:  # a node dropped
        graph.node.remove(rng.choice(nodes))
    elif choice == 4 and nodes:  # a node duplicated (two producers of one tensor)
        graph.node.append(rng.choice(nodes))
    elif choice == 5 and nodes:  # an op type swapped
        rng.choice(nodes).op_type = rng.choice(OPS)
    elif choice == 6 and graph.initializer:  # an initializer's dims changed
        tensor = rng.choice(list(graph.initializer))
        if tensor.dims:
            tensor.dims[rng.randrange(len(tensor.dims))] = rng.choice([0, 1, 2, 10**6])
    elif choice == 7 and graph.output:  # the output's shape removed or the output renamed
        output = graph.output[0]
        if rng.random() < 0.5:
            output.type.tensor_type.ClearField("shape")
        else:
            output.name = rng.choice(["", "input", "nowhere"])
    elif choice == 8 and graph.input:  # the input made rank 2 or 6
        dims = graph.input[0].type.tensor_type.shape.dim
        while len(dims) > 2 and rng.random() < 0.5:
            del dims[-1]
        if rng.random() < 0.3:
            dims.add().dim_value = 2
    elif choice == 9:  # a wrong element type: an int64 or string input, a float16 weight
        values = [*graph.input, *graph.output]
        if values:
            rng.choice(values).type.tensor_type.elem_type = rng.choice([7, 8, 10, 0, 99])
        if graph.initializer:
            rng.choice(list(graph.initializer)).data_type = rng.choice([7, 10, 0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, help="folder for the failing files")
    args = parser.parse_args()

    models = seed_models()
    names = sorted(models)
    folder = Path(tempfile.mkdtemp(prefix="cnncalc-fuzz-onnx-"))
    codes: Counter[int] = Counter()
    failures: list[tuple[int, str, str]] = []
    slowest = (0.0, -1)
    rng = random.Random(args.seed)
    runner = CliRunner()
    for case in range(args.cases):
        name = names[case % len(names)]
        try:
            data = mutate(models[name], rng)
        except Exception:  # the mutation itself broke the protobuf: use the bytes as they are
            data = _mutate_bytes(models[name], rng)
        path = folder / f"case{case}.onnx"
        path.write_bytes(data)
        command = COMMANDS[case % len(COMMANDS)]
        start = time.perf_counter()
        result = runner.invoke(cli, [command[0], str(path), *command[1:],
                                     *(["-o", str(folder / "out.yaml")] if command[0] ==
                                       "import" else [])])
        seconds = time.perf_counter() - start
        codes[result.exit_code] += 1
        slowest = max(slowest, (seconds, case))
        crashed = result.exception is not None and not isinstance(result.exception,
                                                                  SystemExit)
        problem = ""
        if crashed:
            problem = f"exception {result.exception!r}"
        elif "internal error" in result.output or "Traceback" in result.output:
            problem = "internal error"
        elif result.exit_code not in (0, 1, 2):
            problem = f"exit {result.exit_code}"
        elif seconds > SLOW:
            problem = f"slow: {seconds:.1f} s"
        if problem:
            failures.append((case, f"{name} {' '.join(command)}", problem))
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"case{case}.onnx").write_bytes(data)
    print(f"{args.cases} mutated ONNX files from {len(names)} models: exit codes "
          f"{dict(sorted(codes.items()))}; slowest {slowest[0]:.2f} s (case {slowest[1]})")
    for case, what, problem in failures:
        print(f"  case {case} ({what}): {problem}")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
