"""The one table of figures (SPEC §3): each figure once, with everything a view needs to know.

Analysis sums the `summed` figures into the totals, `expect:` accepts the `expectable` ones,
the JSON/CSV layer records carry the `in_record` ones in this order, `--columns` offers the
`column` ones, and the table titles and aligns them from `title` and `unit`. Adding a figure
is one row here plus its computation.
"""

from __future__ import annotations

from dataclasses import dataclass

BYTES_PER_VALUE = 4  # float32 activations and parameters
FLOPS_PER_MAC = 2  # a multiply and an add


@dataclass(frozen=True)
class Figure:
    key: str  # the JSON key, the `expect:` name and the `--columns` name
    title: str  # column and panel title
    unit: str  # "count", "bytes", "shape" or "rf": how it is printed
    summed: bool = False  # summed over the rows into the totals
    expectable: bool = False  # may be written in `expect:`
    in_record: bool = True  # a key of each JSON/CSV layer record
    column: bool = True  # offered by `--columns`


FIGURES: tuple[Figure, ...] = (
    Figure("input", "input", "shape"),
    Figure("output", "output", "shape", expectable=True),
    Figure("params", "params", "count", summed=True, expectable=True),
    Figure("weights", "weights", "count", summed=True, expectable=True),
    Figure("biases", "biases", "count", summed=True, expectable=True),
    Figure("buffers", "buffers", "count", summed=True, expectable=True),
    Figure("neurons", "neurons", "count", summed=True, expectable=True),
    Figure("connections", "connections", "count", summed=True, expectable=True),
    Figure("macs", "MACs", "count", summed=True, expectable=True),
    Figure("flops", "FLOPs", "count", expectable=True),  # FLOPS_PER_MAC × MACs
    Figure("memory", "act. memory", "bytes", in_record=False),  # neurons × BYTES_PER_VALUE
    Figure("rf", "RF", "rf", expectable=True),
)
BY_KEY = {figure.key: figure for figure in FIGURES}
SUMMED = tuple(figure.key for figure in FIGURES if figure.summed)
EXPECTABLE = tuple(figure.key for figure in FIGURES if figure.expectable)
COLUMNS = tuple(figure.key for figure in FIGURES if figure.column)
RECORD_FIGURES = tuple(figure.key for figure in FIGURES if figure.in_record)
# The totals of the JSON document, in its (stable) order: the summed figures plus those
# derived from them.
TOTALS = ("params", "buffers", "weights", "biases", "neurons", "connections", "macs", "flops",
          "activation_bytes", "param_bytes")


def title(key: str) -> str:
    """The column title of a figure ('MACs'), or the key itself for what is not a figure."""
    return BY_KEY[key].title if key in BY_KEY else key
