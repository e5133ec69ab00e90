"""`${expr}` in block bodies: integer + - * // ( ) over parameters. Parsed, never eval'ed."""

from __future__ import annotations

import re

from ..engine.options import non_ascii_digits_hint
from ..errors import SpecError, show
from ..limits import EXPRESSION_LENGTH, MAX_INT

MAX_LENGTH = EXPRESSION_LENGTH.value  # also bounds the parser's recursion depth
# [0-9], not \d: '٣' or '３' must not be read as a number
_TOKEN = re.compile(r"\s*(?:([0-9]+)|([A-Za-z_][A-Za-z0-9_]*)|(//|[-+*()]))", re.ASCII)


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise SpecError(f"'${{{text}}}': unexpected {text[position:].strip()[:10]!r}; only "
                            "integers, parameter names, + - * // and parentheses are allowed"
                            f"{non_ascii_digits_hint(text[position:])}")
        tokens.append(match.group(match.lastindex))
        position = match.end()
    return tokens


def evaluate(text: str, params: dict[str, object]) -> int:
    """The integer value of an expression such as 'width * 2 // groups'."""
    if len(text) > MAX_LENGTH:
        raise EXPRESSION_LENGTH.error()
    tokens = _tokens(text)
    if not tokens:
        raise SpecError("empty expression '${}'; write e.g. ${filters * 2}")
    parser = _Parser(tokens, params, text)
    value = parser.expression()
    if parser.position != len(tokens):
        raise SpecError(f"'${{{text}}}': unexpected {tokens[parser.position]!r}")
    return value


class _Parser:
    def __init__(self, tokens: list[str], params: dict[str, object], text: str) -> None:
        self.tokens, self.params, self.text, self.position = tokens, params, text, 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise SpecError(f"'${{{self.text}}}' ends too early")
        self.position += 1
        return token

    def expression(self) -> int:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = self.check(value + self.term() if self.take() == "+" else value - self.term())
        return value

    def term(self) -> int:
        value = self.factor()
        while self.peek() in ("*", "//"):
            operator, right = self.take(), self.factor()
            if operator == "*":
                value = self.check(value * right)
            elif right == 0:
                raise SpecError(f"'${{{self.text}}}' divides by zero")
            else:
                value = value // right
        return value

    def factor(self) -> int:
        token = self.take()
        if token in ("-", "+"):
            value = self.factor()
            return -value if token == "-" else value
        if token == "(":
            value = self.expression()
            if self.take() != ")":
                raise SpecError(f"'${{{self.text}}}': missing ')'")
            return value
        if token.isascii() and token.isdigit():
            return self.check(int(token))
        if token[0].isalpha() or token[0] == "_":
            return self.parameter(token)
        raise SpecError(f"'${{{self.text}}}': unexpected {token!r}")

    def parameter(self, name: str) -> int:
        if name not in self.params:
            known = ", ".join(sorted(self.params)) or "none"
            raise SpecError(f"unknown parameter '{name}' in '${{{self.text}}}' "
                            f"(parameters: {known})")
        value = self.params[name]
        if not isinstance(value, int) or isinstance(value, bool):
            raise SpecError(f"parameter '{name}' is {show(value)}, not an integer, in "
                            f"'${{{self.text}}}'")
        return value

    def check(self, value: int) -> int:
        if abs(value) > MAX_INT:
            raise SpecError(f"'${{{self.text}}}' exceeds 2^63")
        return value
