"""What every command shares: the group, error handling, option parsers and the console.

The cli package is the only importer of click; each of its modules is a thin shell over the
library API."""

from __future__ import annotations

import re
from collections.abc import Iterable

import click

from .. import CnnCalcError, parse_shape
from ..engine.text import printable
from ..render.formats import COLUMN_CHOICES, DEFAULT_COLUMNS

EXIT_MISMATCH = 3  # the reference pass disagrees with the formulas: a cnncalc bug
REFEREES = ("numpy", "full", "onnx", "none")  # SPEC §11
SIZE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1000, "kib": 1 << 10, "m": 1 << 20,
              "mb": 10**6, "mib": 1 << 20, "g": 1 << 30, "gb": 10**9, "gib": 1 << 30}


class SafeGroup(click.Group):
    """Turns library errors into one-line messages (exit 1) and bugs into a short report."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CnnCalcError as error:  # names in it may hold ANSI escapes: shown inert
            raise UserError(printable(str(error)), error.exit_code) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except BrokenPipeError:  # `cnncalc … | head` closed the pipe: stop quietly, as cat does
            import os
            import sys

            # Later flushes of stdout (at exit) would fail again: point it at nothing.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            raise UserError(f"internal error ({type(error).__name__}: {error}); this is a "
                            "cnncalc bug — rerun with --debug for the traceback and report it"
                            ) from None


class UserError(click.ClickException):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def console():
    from ..render.terminal import console as terminal_console

    return terminal_console()


def shape_option(ctx, param, value):
    if value is None:
        return None
    try:
        number = value.strip()
        return parse_shape(int(number) if number.isascii() and number.isdigit() else value)
    except CnnCalcError as error:
        raise click.BadParameter(f"{error.message} (e.g. --input 224x224x3)") from None


def spec_argument(ctx, param, value):
    """A SPEC must be an existing file or a built-in name: otherwise a usage error (exit 2)."""
    from pathlib import Path

    from ..errors import suggest
    from ..spec import builtin_names, builtin_text
    from ..spec.files import is_file

    if value is None or "\n" in value or is_file(value) or builtin_text(value):
        return value
    stem = Path(value).name.removesuffix(".yaml")
    shown = value if len(value) <= 120 else value[:119] + "…"  # a 4,000-character path
    raise click.BadParameter(f"'{shown}' is neither a file nor a built-in architecture"
                             f"{suggest(stem, builtin_names())} (`cnncalc list` shows the "
                             "built-ins)")


def batch_option(ctx, param, value):
    """Any batch prints exactly, but a figure of more than 4,300 digits is one Python will
    not turn into text: 1,000 digits of batch leave room for every product."""
    from ..limits import BATCH_DIGITS

    if value is not None and len(str(value)) > BATCH_DIGITS.value:
        raise click.BadParameter(BATCH_DIGITS.error(len(str(value))).message)
    return value


def columns_option(ctx, param, value):
    if value is None:
        return DEFAULT_COLUMNS
    columns = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = [column for column in columns if column not in COLUMN_CHOICES]
    if unknown or not columns:
        raise click.BadParameter(f"unknown column {', '.join(unknown) or '(none)'}; choose "
                                 f"from {', '.join(COLUMN_CHOICES)}")
    return columns


def size_option(ctx, param, value):
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", value or "")
    if not match or match.group(2).lower() not in SIZE_UNITS:
        raise click.BadParameter(f"cannot read {value!r}; write e.g. 2GiB or 512MiB")
    from fractions import Fraction  # exact: a float overflows on a 400-digit size

    return int(Fraction(match.group(1)) * SIZE_UNITS[match.group(2).lower()])


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.version_option(package_name="cnncalc")
def cli(debug: bool) -> None:
    """cnncalc — CNN shape and parameter calculator.

    Describe a network in YAML, get every layer's output shape, parameters, connections,
    MACs and receptive field, checked by a NumPy forward pass.

    \b
    Example:
      cnncalc summary alexnet.yaml
    """


def emit(content: str | bytes | Iterable[str], output: str | None) -> None:
    """Text to standard output, or text or bytes to the -o file; a file that cannot be
    written is the user's error (exit 1), never a traceback. Text may come in pieces (a large
    JSON document), written as they come."""
    pieces = [content] if isinstance(content, (str, bytes)) else content
    if output is None:
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    from pathlib import Path

    try:
        if isinstance(content, bytes):
            Path(output).write_bytes(content)
        else:
            with Path(output).open("w", encoding="utf-8") as file:
                file.writelines(pieces)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from None


def ordered_input(shape, chw: bool, option: str):
    """The input in cnncalc's H×W×C order: read C×H×W under --chw; a shape that looks
    channels-first without --chw is CLI misuse (exit 2) showing the H×W×C form to write."""
    from ..engine.shapes import from_channels_first, looks_channels_first, shape_str

    if shape is None:
        return None
    if chw:
        return from_channels_first(shape)
    if looks_channels_first(shape):
        written = shape_str(from_channels_first(shape))
        raise click.BadParameter(
            f"{shape_str(shape)} looks channels-first (C×H×W, the PyTorch order); cnncalc "
            f"reads H×W×C, so write {written}, or add --chw to read it as C×H×W",
            param_hint=option)
    return shape
