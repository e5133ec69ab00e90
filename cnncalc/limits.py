"""Every safety limit of cnncalc, declared once: what is counted, the bound, and the message.

A limit is enforced at the edge where its input enters (the file reader, the YAML reader, the
spec builder, the homework parsers, the ONNX importer); each raises `limit.error(found)`, so
the message always names the limit and the value found. README's "Errors and limits" table
lists the same figures (tests/test_limits.py keeps it true).

Imports nothing but errors: every package may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import LimitError

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """One bound on user input. `message` is formatted with {found} and {limit}."""

    name: str  # what is counted, as the README table names it
    value: int
    message: str
    where: str  # where it is enforced, for the README table

    def error(self, found: object = None, **location) -> LimitError:
        """The LimitError for an input beyond this limit (location: file=, line=, …)."""
        return LimitError(self.message.format(found=found, limit=self.value), **location)


SPEC_BYTES = Limit(
    "spec file size (bytes, checked before reading)", 4 * MIB,
    "the file is {found:,} bytes; specs are limited to {limit:,} bytes (4 MiB)",
    "the file reader (every command that reads a spec)")
YAML_VALUES = Limit(
    "YAML values in one spec", 300_000,
    "more than {limit:,} YAML values; specs this large are refused (use 'repeat' instead of "
    "writing layers out)", "the YAML reader")
YAML_NESTING = Limit(
    "nesting of YAML lists and mappings", 256,
    "nesting deeper than {limit} levels of lists and mappings; flatten the structure",
    "the YAML reader")
INTEGER_DIGITS = Limit(
    "digits of a YAML integer (read before converting)", 20,
    "integer {found} is beyond 2^63 (more than {limit} digits)", "the YAML reader")
MAX_INT = 2**63 - 1  # beyond this no size is meaningful, and NumPy could not index it
INTEGER_SIZE = Limit(
    "any integer option, shape size or ${} value", MAX_INT,
    "{found} is beyond 2^63 (limit {limit:,})", "options, shapes, ${} expressions")
EXPRESSION_LENGTH = Limit(
    "characters of one ${} expression", 200,
    "expression is longer than {limit} characters", "${} expressions")
LAYERS = Limit(
    "layers after expanding repeats, blocks and aliases", 100_000,
    "more than {limit:,} layers after expanding repeats, blocks and YAML aliases; lower a "
    "'repeat' or use fewer aliases", "the spec builder")
LAYER_NESTING = Limit(
    "layer lists nested inside layer lists", 100,
    "layers nested more than {limit} levels deep (through YAML aliases or blocks); flatten "
    "the structure", "the spec builder")
BLOCK_DEPTH = Limit(
    "block calls nested inside block calls", 64,
    "blocks nested more than {limit} deep", "the spec builder")
BATCH_DIGITS = Limit(
    "digits of `--batch`", 1000,
    "a batch of {found:,} digits; the limit is {limit:,} digits", "summary")
COMPUTED_SIZE_DIGITS = Limit(
    "digits of a size a layer computes (chained upsamples)", 1000,
    "a layer output size of {found:,} digits; sizes are limited to {limit:,} digits "
    "(every figure must stay printable)", "the analysis")
APPLY_INPUT_NUMBERS = Limit(
    "numbers in an `apply` input or kernel", 1_000_000,
    "{found}: more than {limit:,} numbers", "apply")
APPLY_INPUT_BYTES = Limit(
    "size of an `apply` literal or file (bytes)", 32 * MIB,
    "{found} is larger than {limit:,} bytes", "apply")
APPLY_OUTPUT = Limit(
    "elements of an `apply` output", 1_000_000,
    "the output would have {found:,} elements; `apply` is limited to {limit:,}",
    "apply (output and padded input, before computing)")
CARD_LISTED = Limit(
    "values listed by a card search (`?`)", 100,
    "{found} values fit; only the first {limit} are listed",
    "conv, pool cards")
SYMBOLIC_SIZE = Limit(
    "height or width of an `apply --symbolic` input", 20,
    "the input is {found}; --symbolic writes one line per entry and is limited to "
    "{limit}×{limit} (use the numeric --backward for larger inputs)", "apply --symbolic")
QUIZ_COUNT = Limit(
    "questions on one `quiz` sheet", 1_000,
    "{found:,} questions asked; a sheet is limited to {limit:,}", "quiz")
ONNX_BYTES = Limit(
    "ONNX file size (bytes, checked before reading)", 512 * MIB,
    "the ONNX file is {found:,} bytes; models are limited to {limit:,} bytes (512 MiB)",
    "the ONNX importer")
ONNX_NODES = Limit(
    "nodes in an ONNX graph", 100_000,
    "the ONNX graph has {found:,} nodes; the importer is limited to {limit:,}",
    "the ONNX importer")

LIMITS = (SPEC_BYTES, YAML_VALUES, YAML_NESTING, INTEGER_DIGITS, INTEGER_SIZE,
          EXPRESSION_LENGTH, LAYERS, LAYER_NESTING, BLOCK_DEPTH, BATCH_DIGITS,
          COMPUTED_SIZE_DIGITS, APPLY_INPUT_NUMBERS,
          APPLY_INPUT_BYTES, APPLY_OUTPUT, CARD_LISTED, SYMBOLIC_SIZE, QUIZ_COUNT, ONNX_BYTES,
          ONNX_NODES)
