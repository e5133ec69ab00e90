"""cnncalc: CNN shape and parameter calculator.

    >>> import cnncalc
    >>> result = cnncalc.analyze(cnncalc.load("alexnet"))
    >>> result.totals.params
    62378344
"""

from .engine.analysis import Analysis, Check, Row, Totals, analyze
from .engine.model import Network
from .engine.shapes import parse_shape, shape_str
from .errors import CnnCalcError, LimitError, ShapeError, SpecError
from .loading import load
from .spec import builtin_names, loads

__all__ = ["Analysis", "Check", "CnnCalcError", "LimitError", "Network", "Row", "ShapeError",
           "SpecError", "Totals", "analyze", "builtin_names", "load", "loads", "parse_shape",
           "shape_str"]
