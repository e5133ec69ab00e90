"""The package layout keeps its promises: imports flow one way, each package uses at most the
third-party libraries it is there for, the referee stays independent of the engine's formulas,
and the README's Layout picture names exactly what is in the tree."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cnncalc"
README = ROOT / "README.md"

# Which of cnncalc's own parts each part may import (errors ← engine ← spec / reference /
# homework / interop ← render ← cli). A part always may import itself.
BASE = {"errors", "limits"}
ALLOWED_INTERNAL = {
    "errors": set(),
    "limits": {"errors"},
    "engine": BASE,
    "spec": BASE | {"engine"},
    "reference": BASE | {"engine"},
    "homework": BASE | {"engine", "reference", "spec"},
    "interop": BASE | {"engine", "spec", "reference"},
    "render": BASE | {"engine", "spec", "reference", "homework", "interop"},
    "cli": BASE | {"engine", "spec", "reference", "homework", "interop", "render", "api"},
    "api": BASE | {"engine", "spec", "interop"},  # cnncalc/__init__.py: the library API
    "main": {"cli"},  # cnncalc/__main__.py
}
# Top-level modules that belong to the library API: __init__.py and the loader behind load().
API_MODULES = {"__init__.py": "api", "loading.py": "api", "__main__.py": "main"}
# The outside libraries each part is there to wrap.
ALLOWED_THIRD_PARTY = {
    "errors": set(),
    "limits": set(),
    "engine": set(),
    "spec": {"yaml"},
    "reference": {"numpy"},
    "homework": {"numpy"},  # `apply` builds its matrices as arrays for the reference kernels
    "interop": {"onnx", "numpy"},  # onnx hands tensors over as NumPy arrays
    "render": {"rich", "drawsvg", "resvg_py"},
    "cli": {"click"},
    "api": set(),
    "main": set(),
}
# The referee must never compute a shape the way the engine does.
ENGINE_FORMULAS = {"cnncalc.engine.shapes", "cnncalc.engine.fit"}


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) > 1:
        return relative.parts[0]
    return API_MODULES.get(relative.name, relative.stem)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    """Every module the file imports (at any depth, lazy imports included), made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append(node.module or "")
                continue
            base = package[: len(package) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
            found.append(module)
            if not node.module:  # from . import a, b: each name may be a module
                found += [f"{module}.{alias.name}" for alias in node.names]
    return found


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _internal_part(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "cnncalc":
        return None
    if len(parts) == 1 or parts[1] not in ALLOWED_INTERNAL:
        return "api"  # `from .. import load`, cnncalc.loading: the library API
    return parts[1]


def test_imports_flow_one_way():
    wrong = []
    for path in _sources():
        part = _part(path)
        assert part in ALLOWED_INTERNAL, f"{path}: a new part of the layout; add it here"
        for module in _imports(path):
            target = _internal_part(module)
            if target is None or target == part:
                continue
            if target not in ALLOWED_INTERNAL[part]:
                wrong.append(f"{path.relative_to(ROOT)} ({part}) imports {module}")
    assert not wrong, "\n".join(wrong)


def test_each_part_imports_only_its_own_libraries():
    stdlib = sys.stdlib_module_names
    wrong = []
    for path in _sources():
        part = _part(path)
        for module in _imports(path):
            top = module.split(".")[0]
            if not top or top == "cnncalc" or top in stdlib or top == "__future__":
                continue
            if top not in ALLOWED_THIRD_PARTY[part]:
                wrong.append(f"{path.relative_to(ROOT)} ({part}) imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_referee_never_imports_the_engines_formulas():
    wrong = [f"{path.relative_to(ROOT)} imports {module}"
             for path in sorted((PACKAGE / "reference").rglob("*.py"))
             for module in _imports(path)
             if any(module == formula or module.startswith(formula + ".")
                    for formula in ENGINE_FORMULAS)]
    assert not wrong, "\n".join(wrong)


def test_the_import_walk_sees_lazy_and_relative_imports():
    """The walker itself: a lazy relative import inside a function counts."""
    imports = _imports(PACKAGE / "cli" / "network.py")
    assert "cnncalc.reference.verify" in imports or any(
        name.startswith("cnncalc.reference") for name in imports)
    assert "click" in imports


def _layout_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "the README's Layout section lost its picture"
    return block.group(1)


def test_readme_layout_names_every_package_and_top_level_module():
    block = _layout_block()
    named = set(re.findall(r"^\s{2}(\w+(?:\.py|/))", block, re.M))
    present = {f"{path.name}/" for path in PACKAGE.iterdir()
               if path.is_dir() and (path / "__init__.py").exists()}
    present |= {path.name for path in PACKAGE.glob("*.py")}
    assert named == present, (f"in the tree, not in the README: {sorted(present - named)}; "
                              f"in the README, not in the tree: {sorted(named - present)}")


def test_readme_layout_top_level_folders_exist():
    block = _layout_block()
    folders = re.findall(r"^(\w+)/", block, re.M)
    assert {"cnncalc", "architectures", "tests", "benchmarks"} <= set(folders)
    missing = [folder for folder in folders if not (ROOT / folder).is_dir()]
    assert not missing, missing


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_modules_stay_small(path):
    """About 300 lines a module (STYLE.md); a little slack for a docstring or a table."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 330, f"{path.relative_to(ROOT)} has {lines} lines; split it by concern"


# A shape's layout (spatial sizes, then channels) is known to engine/shapes.py alone; the
# referee reads arrays (`x.shape`), which is its own business.
RANK_TESTS = re.compile(r"len\((?:\w+\.)?\w*(?:shape|input|output)\w*\) *[=!]= *3\b"
                        r"|\b(?:height|h), *(?:width|w)(?:, *\w+)? *= *\w*(?:shape|input|output)")


def test_no_module_but_shapes_knows_how_a_shape_is_laid_out():
    wrong = []
    for path in _sources():
        if path == PACKAGE / "engine" / "shapes.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if RANK_TESTS.search(line):
                wrong.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not wrong, "ask engine/shapes.py instead:\n" + "\n".join(wrong)


def test_the_rank_check_finds_what_it_should():
    assert RANK_TESTS.search("if len(shape) == 3:")
    assert RANK_TESTS.search("height, width, channels = input_shape")
    assert not RANK_TESTS.search("sizes, channels = spatial(shape, self)")


def test_pyproject_installs_every_package():
    """A package missing from pyproject's list works from the checkout but not after
    `pip install .`; compare the list with the tree."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    present = {".".join(path.parent.relative_to(ROOT).parts)
               for path in PACKAGE.rglob("__init__.py")}
    assert present | {"cnncalc.architectures"} == listed
