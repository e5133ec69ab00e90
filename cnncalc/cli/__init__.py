"""The command line: a thin shell over the library, one module per family of commands.

Importing a command module registers its commands on the `cli` group.
"""

from . import cards, frameworks, homework, network, pictures, quiz, training  # noqa: F401
from .base import cli


def main() -> None:
    cli(prog_name="cnncalc")


__all__ = ["cli", "main"]
