"""A small, safe formula language for the derived values of an assessment scheme.

A scheme defines derived values by formulas over named inputs (numbers, booleans, strings) and
named lookup tables, e.g. ``score = IF(attainment >= 1, 10, IF(attainment >= 0.9, 6, 0))``.
Formula text is tokenized and parsed by hand into a small tree, type-checked against the declared
inputs before anything runs, and evaluated with Decimal arithmetic. User text never reaches
Python's eval/exec/compile; a length limit and a nesting limit keep hostile input cheap.
"""

from __future__ import annotations

import difflib
import operator
import reprlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

NUMBER = "number"
BOOLEAN = "boolean"
STRING = "string"
TYPES = (NUMBER, BOOLEAN, STRING)

MAX_LENGTH = 2000
MAX_DEPTH = 50
ROUND_DIGITS_LIMIT = 10

# Fewest and most arguments; None means any number.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "IF": (3, 3),
    "MIN": (1, None),
    "MAX": (1, None),
    "SAFE_DIV": (2, 3),
    "ABS": (1, 1),
    "ROUND": (2, 2),
    "LOOKUP": (2, 3),
}

Value = Decimal | bool | str

# One fixed context, so results never depend on what the calling thread has set.
_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


class FormulaError(Exception):
    """A formula is malformed, ill-typed or cannot be evaluated.

    `code` is stable snake_case for programs, `message` is translated for people, `position` is
    the 0-based offset in the formula text (or None) and `name` the derived value concerned.
    """

    def __init__(
        self, code: str, message: str, *, position: int | None = None, name: str | None = None
    ):
        super().__init__(code, message)
        self.code = code
        self.message = str(message)
        self.position = position
        self.name = name

    def __str__(self) -> str:
        text = self.message
        if self.position is not None:
            text = _("%(message)s at position %(position)d") % {
                "message": text,
                "position": self.position,
            }
        if self.name:
            text = _("%(name)s: %(text)s") % {"name": self.name, "text": text}
        return text


def _fail(code: str, message: str, position: int | None = None, **labels: object) -> FormulaError:
    """Build a FormulaError, filling the named placeholders of its translated message."""
    return FormulaError(code, message % labels if labels else message, position=position)


@contextmanager
def _blame(name: str) -> Iterator[None]:
    """Attach the derived value's name to errors raised while handling its formula."""
    try:
        yield
    except FormulaError as error:
        if error.name is None:
            error.name = name
        raise


def _type_label(kind: str) -> str:
    labels = {
        NUMBER: pgettext("formula type", "number"),
        BOOLEAN: pgettext("formula type", "boolean"),
        STRING: pgettext("formula type", "string"),
    }
    return labels[kind]


def _suggestion(word: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7)
    return matches[0] if matches else None


# --- Syntax tree -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: Value
    pos: int
    text: str  # as written, so an explanation shows 0.90 as 0.90


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "NOT"
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Chain:
    """Operands joined by operators of one precedence level, applied left to right.

    Flat rather than nested, so "1 + 1 + ... + 1" does not build a deep tree to recurse into.
    A comparison is a Chain with exactly one (operator, position, operand) in `rest`.
    """

    first: Node
    rest: tuple[tuple[str, int, Node], ...]

    @property
    def pos(self) -> int:
        return self.first.pos


@dataclass(frozen=True, slots=True)
class Call:
    function: str  # upper case when ASCII
    args: tuple[Node, ...]
    pos: int
    written: str


Node = Literal | Name | Unary | Chain | Call


# --- Tokenizer -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    pos: int


_KEYWORDS = frozenset({"AND", "OR", "NOT", "TRUE", "FALSE"})
_OPERATORS = ("==", "!=", "<>", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "(", ")", ",")
_CANONICAL = {"==": "=", "!=": "<>"}
_DIGITS = "0123456789"


def _is_name_start(char: str) -> bool:
    return char == "_" or char.isalpha()


def _scan_name(text: str, start: int) -> int:
    """Letters (CJK included), digits, underscores; a dot only when a name part follows it."""
    end = start + 1
    while end < len(text):
        if text[end] == "_" or text[end].isalpha() or text[end].isdecimal():
            end += 1
        elif text[end] == "." and end + 1 < len(text) and _is_name_start(text[end + 1]):
            end += 2
        else:
            break
    return end


def _scan_number(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end] in _DIGITS:
        end += 1
    if end + 1 < len(text) and text[end] == "." and text[end + 1] in _DIGITS:
        end += 1
        while end < len(text) and text[end] in _DIGITS:
            end += 1
    return end


def _scan_string(text: str, start: int) -> tuple[str, int]:
    """Read a quoted string; a doubled quote inside stands for one quote."""
    quote, chars, index = text[start], [], start + 1
    while index < len(text):
        if text[index] != quote:
            chars.append(text[index])
            index += 1
        elif text.startswith(quote * 2, index):
            chars.append(quote)
            index += 2
        else:
            return "".join(chars), index + 1
    raise _fail("syntax_error", _("the text starting here has no closing quote"), start)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if char in _DIGITS:
            end = _scan_number(text, index)
            tokens.append(_Token("number", text[index:end], index))
        elif char in "\"'":
            value, end = _scan_string(text, index)
            tokens.append(_Token("string", value, index))
        elif _is_name_start(char):
            end = _scan_name(text, index)
            word = text[index:end]
            # Only ASCII words are keywords, so no Unicode case mapping turns a name into one.
            if word.isascii() and word.upper() in _KEYWORDS:
                tokens.append(_Token("keyword", word.upper(), index))
            else:
                tokens.append(_Token("name", word, index))
        else:
            op = next((op for op in _OPERATORS if text.startswith(op, index)), None)
            if op is None:
                message = _("unexpected character %(char)s")
                raise _fail("syntax_error", message, index, char=repr(char))
            tokens.append(_Token("op", _CANONICAL.get(op, op), index))
            end = index + len(op)
        index = end
    tokens.append(_Token("end", "", len(text)))
    return tokens


# --- Parser (Pratt) --------------------------------------------------------------------------

_BINDING = {"OR": 1, "AND": 2, "=": 4, "<>": 4, "<": 4, "<=": 4, ">": 4, ">=": 4}
_BINDING |= {"+": 5, "-": 5, "*": 6, "/": 6}
_NOT_BINDING = 3  # NOT a = b means NOT (a = b); NOT a AND b means (NOT a) AND b
_COMPARISON = 4
_MINUS_BINDING = 7
_ATOM_BINDING = 8


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.current
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_op(self, text: str) -> bool:
        return self.current.kind == "op" and self.current.text == text

    def unexpected(self, expected: str | None = None) -> FormulaError:
        token = self.current
        if token.kind == "end":
            found = _("the end of the formula")
        else:
            found = _format_value(token.text) if token.kind == "string" else f"'{token.text}'"
        if expected is not None:
            message = _("expected %(expected)s but found %(found)s")
        elif token.kind == "end":
            message = _("the formula ends too early")
        else:
            message = _("unexpected %(found)s")
        return _fail("syntax_error", message, token.pos, expected=expected, found=found)

    @contextmanager
    def nested(self, position: int) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            message = _("the formula is nested more than %(limit)d levels deep")
            raise _fail("too_deep", message, position, limit=MAX_DEPTH)
        try:
            yield
        finally:
            self.depth -= 1

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise _fail("syntax_error", _("the formula is empty"), 0)
        node = self.expression(0)
        if self.current.kind != "end":
            raise self.unexpected()
        return node

    def expression(self, min_binding: int) -> Node:
        first = self.prefix()
        rest: list[tuple[str, int, Node]] = []
        level = None
        while self.current.kind in ("op", "keyword"):
            token = self.current
            binding = _BINDING.get(token.text)
            if binding is None or binding <= min_binding:
                break
            if binding == level == _COMPARISON:
                message = _("comparisons cannot be chained; combine them with AND")
                raise _fail("syntax_error", message, token.pos)
            self.advance()
            right = self.expression(binding)
            if rest and binding != level:
                first, rest = Chain(first, tuple(rest)), []
            level = binding
            rest.append((token.text, token.pos, right))
        return Chain(first, tuple(rest)) if rest else first

    def prefix(self) -> Node:
        token = self.current
        if token.kind == "end" or (token.kind == "op" and token.text not in ("-", "(")):
            raise self.unexpected()
        if token.kind == "keyword" and token.text in ("AND", "OR"):
            raise self.unexpected()
        self.advance()
        if token.kind == "number":
            return Literal(Decimal(token.text), token.pos, token.text)
        if token.kind == "string":
            return Literal(token.text, token.pos, token.text)
        if token.kind == "keyword" and token.text != "NOT":
            return Literal(token.text == "TRUE", token.pos, token.text)
        if token.kind == "name" and not self.at_op("("):
            return Name(token.text, token.pos)
        # Parentheses, calls and unary operators nest; only they can make the tree deep, as
        # operators between them are bounded by the number of precedence levels.
        with self.nested(token.pos):
            if token.kind == "name":
                return self.call(token)
            if token.text == "NOT":
                return Unary("NOT", self.expression(_NOT_BINDING), token.pos)
            if token.text == "-":
                return Unary("-", self.expression(_MINUS_BINDING), token.pos)
            node = self.expression(0)
            if not self.at_op(")"):
                raise self.unexpected(_("')'"))
            self.advance()
            return node

    def call(self, name: _Token) -> Call:
        self.advance()  # the "("
        args: list[Node] = []
        if not self.at_op(")"):
            args.append(self.expression(0))
            while self.at_op(","):
                self.advance()
                args.append(self.expression(0))
            if not self.at_op(")"):
                raise self.unexpected(_("',' or ')'"))
        self.advance()
        function = name.text.upper() if name.text.isascii() else name.text
        return Call(function, tuple(args), name.pos, name.text)


def _parse(text: str) -> Node:
    if len(text) > MAX_LENGTH:
        message = _("the formula is %(length)d characters long; the limit is %(limit)d")
        raise _fail("too_long", message, length=len(text), limit=MAX_LENGTH)
    return _Parser(text).parse()


# --- Type checking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    entries: dict[str | Decimal, Decimal]
    key_types: frozenset[str]


@dataclass(frozen=True)
class _Scope:
    names: Mapping[str, str]
    tables: Mapping[str, _Table]


def _type_of(value: Value) -> str:
    if isinstance(value, bool):
        return BOOLEAN
    return STRING if isinstance(value, str) else NUMBER


def _infer(node: Node, scope: _Scope) -> str:
    """Return the type `node` evaluates to, or raise FormulaError if it cannot be evaluated."""
    match node:
        case Literal(value=value):
            return _type_of(value)
        case Name(name=name, pos=pos):
            if name in scope.names:
                return scope.names[name]
            if name in scope.tables:
                message = _("'%(name)s' is a lookup table; use it as LOOKUP(%(name)s, key)")
                raise _fail("type_error", message, pos, name=name)
            guess = _suggestion(name, scope.names)
            if guess:
                message = _("unknown name '%(name)s' (did you mean '%(guess)s'?)")
            else:
                message = _("unknown name '%(name)s'")
            raise _fail("unknown_name", message, pos, name=name, guess=guess)
        case Unary(op=op, operand=operand, pos=pos):
            expected = NUMBER if op == "-" else BOOLEAN
            found = _infer(operand, scope)
            if found != expected:
                if op == "-":
                    message = _("minus needs a number (found %(type)s)")
                else:
                    message = _("NOT needs true or false (found %(type)s)")
                raise _fail("type_error", message, pos, type=_type_label(found))
            return expected
        case Chain(first=first, rest=rest):
            result = _infer(first, scope)
            for op, pos, operand in rest:
                result = _infer_binary(op, result, _infer(operand, scope), pos)
            return result
        case Call():
            return _infer_call(node, scope)
    raise AssertionError(node)  # pragma: no cover


def _infer_binary(op: str, left: str, right: str, position: int) -> str:
    if op in ("AND", "OR"):
        if left == right == BOOLEAN:
            return BOOLEAN
        message = _("%(op)s needs true or false on both sides (found %(left)s and %(right)s)")
    elif op in ("=", "<>"):
        if left == right:
            return BOOLEAN
        message = _("cannot compare %(left)s with %(right)s")
    elif _BINDING[op] == _COMPARISON:
        if left == right == NUMBER:
            return BOOLEAN
        message = _("%(op)s compares numbers only (found %(left)s and %(right)s)")
    else:
        if left == right == NUMBER:
            return NUMBER
        message = _("cannot compute %(left)s %(op)s %(right)s")
    labels = {"op": op, "left": _type_label(left), "right": _type_label(right)}
    raise _fail("type_error", message, position, **labels)


def _infer_call(node: Call, scope: _Scope) -> str:
    if node.function not in FUNCTIONS:
        guess = _suggestion(node.function, FUNCTIONS)
        if guess:
            message = _("unknown function '%(function)s' (did you mean %(guess)s?)")
        else:
            message = _("unknown function '%(function)s'")
        raise _fail("unknown_function", message, node.pos, function=node.written, guess=guess)
    low, high = FUNCTIONS[node.function]
    if len(node.args) < low or (high is not None and len(node.args) > high):
        raise _wrong_arguments(node, low, high)
    if node.function == "LOOKUP":
        return _infer_lookup(node, scope)
    found = [_infer(arg, scope) for arg in node.args]
    if node.function != "IF":
        _require_numbers(node, node.args, found)
        return NUMBER
    if found[0] != BOOLEAN:
        message = _("the condition of IF must be true or false (found %(type)s)")
        raise _fail("type_error", message, node.args[0].pos, type=_type_label(found[0]))
    if found[1] != found[2]:
        message = _("both results of IF must have the same type (found %(then)s and %(else)s)")
        labels = {"then": _type_label(found[1]), "else": _type_label(found[2])}
        raise _fail("type_error", message, node.args[2].pos, **labels)
    return found[1]


def _wrong_arguments(node: Call, low: int, high: int | None) -> FormulaError:
    if high is None:
        message = ngettext(
            "%(function)s takes at least %(low)d argument, not %(count)d",
            "%(function)s takes at least %(low)d arguments, not %(count)d",
            low,
        )
    elif low == high:
        message = ngettext(
            "%(function)s takes %(low)d argument, not %(count)d",
            "%(function)s takes %(low)d arguments, not %(count)d",
            low,
        )
    else:
        message = _("%(function)s takes %(low)d to %(high)d arguments, not %(count)d")
    labels = {"function": node.function, "low": low, "high": high, "count": len(node.args)}
    return _fail("wrong_arguments", message, node.pos, **labels)


def _require_numbers(node: Call, args: Iterable[Node], found: Iterable[str]) -> None:
    for index, (arg, kind) in enumerate(zip(args, found, strict=True)):
        if kind != NUMBER:
            message = _("argument %(index)d of %(function)s must be a number (found %(type)s)")
            labels = {"index": index + 1, "function": node.function, "type": _type_label(kind)}
            raise _fail("type_error", message, arg.pos, **labels)


def _infer_lookup(node: Call, scope: _Scope) -> str:
    table_node, key_node = node.args[0], node.args[1]
    if not isinstance(table_node, Name):
        message = _("the first argument of LOOKUP must be the name of a lookup table")
        raise _fail("wrong_arguments", message, table_node.pos)
    table = scope.tables.get(table_node.name)
    if table is None:
        message = _("unknown lookup table '%(table)s'")
        raise _fail("unknown_table", message, table_node.pos, table=table_node.name)
    key_type = _infer(key_node, scope)
    if key_type == BOOLEAN:
        message = _("a LOOKUP key must be a string or a number (found %(type)s)")
        raise _fail("type_error", message, key_node.pos, type=_type_label(key_type))
    if table.key_types and key_type not in table.key_types:
        message = _("table '%(table)s' has no %(type)s keys")
        labels = {"table": table_node.name, "type": _type_label(key_type)}
        raise _fail("type_error", message, key_node.pos, **labels)
    if len(node.args) == 3:
        _require_numbers(node, node.args[2:], [_infer(node.args[2], scope)])
    return NUMBER


def _as_number(raw: object) -> Decimal | None:
    """Decimal for an int or a finite Decimal; None otherwise (floats and bools included)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw)
    if isinstance(raw, Decimal) and raw.is_finite():
        return raw
    return None


def _prepare_tables(tables: Mapping[str, Mapping]) -> dict[str, _Table]:
    """Convert scheme tables to Decimal keys and values; floats are refused, not guessed at."""
    prepared = {}
    for table_name, entries in tables.items():
        converted: dict[str | Decimal, Decimal] = {}
        for key, value in entries.items():
            number_key = _as_number(key)
            if not isinstance(key, str) and number_key is None:
                message = _("table '%(table)s' has a key that is not a string or a number: %(key)s")
                raise _fail("type_error", message, table=table_name, key=reprlib.repr(key))
            number = _as_number(value)
            if number is None:
                message = _("table '%(table)s' has a value that is not a number: %(value)s")
                raise _fail("type_error", message, table=table_name, value=reprlib.repr(value))
            converted[key if isinstance(key, str) else number_key] = number
        prepared[table_name] = _Table(converted, frozenset(map(_type_of, converted)))
    return prepared


def _validate_types(names: Mapping[str, str]) -> None:
    for name, kind in names.items():
        if kind not in TYPES:
            raise ValueError(f"input {name!r} has type {kind!r}; expected one of {TYPES}")


def check(formula_text: str, *, names: Mapping[str, str], tables: Mapping[str, Mapping]) -> str:
    """Parse and type-check one formula without evaluating it; return its result type.

    `names` maps each known name to "number", "boolean" or "string"; `tables` are the lookup
    tables by name. Raises FormulaError describing the first problem found.
    """
    _validate_types(names)
    prepared = _prepare_tables(tables)
    return _infer(_parse(formula_text), _Scope(names, prepared))


# --- Evaluation ------------------------------------------------------------------------------

_ARITHMETIC: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}
_COMPARE: dict[str, Callable[[Value, Value], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@contextmanager
def _arithmetic_at(position: int) -> Iterator[None]:
    try:
        yield
    except DecimalException:
        message = _("the number is too large or has too many digits to compute")
        raise _fail("out_of_range", message, position) from None


def _tidy(number: Decimal) -> Decimal:
    """Keep results plain: 200 rather than 2.0E+2, 0 rather than -0."""
    exponent = number.as_tuple().exponent
    if number.is_zero():
        return Decimal(0) if exponent > 0 else number.copy_abs()  # type: ignore[operator]
    if exponent > 0 and number.adjusted() < _CONTEXT.prec:  # type: ignore[operator]
        return number.quantize(Decimal(1))
    return number


def _divide(numerator: Decimal, denominator: Decimal, position: int) -> Decimal:
    if denominator == 0:
        message = _("division by zero; use SAFE_DIV(a, b, default) when the divisor can be zero")
        raise _fail("division_by_zero", message, position)
    with _arithmetic_at(position):
        return _tidy(numerator / denominator)


def _evaluate(node: Node, env: Mapping[str, Value], tables: Mapping[str, _Table]) -> Value:
    """Compute a type-checked tree; IF, AND and OR evaluate only what they need."""
    match node:
        case Literal(value=value):
            return value
        case Name(name=name):
            return env[name]
        case Unary(op="-", operand=operand, pos=pos):
            with _arithmetic_at(pos):
                return _tidy(-_evaluate(operand, env, tables))
        case Unary(operand=operand):
            return not _evaluate(operand, env, tables)
        case Chain(first=first, rest=rest):
            result = _evaluate(first, env, tables)
            for op, pos, operand in rest:
                if op == "AND":
                    result = result and _evaluate(operand, env, tables)
                elif op == "OR":
                    result = result or _evaluate(operand, env, tables)
                elif op in _COMPARE:
                    result = _COMPARE[op](result, _evaluate(operand, env, tables))
                elif op == "/":
                    result = _divide(result, _evaluate(operand, env, tables), pos)
                else:
                    with _arithmetic_at(pos):
                        result = _tidy(_ARITHMETIC[op](result, _evaluate(operand, env, tables)))
            return result
        case Call():
            return _evaluate_call(node, env, tables)
    raise AssertionError(node)  # pragma: no cover


def _evaluate_call(node: Call, env: Mapping[str, Value], tables: Mapping[str, _Table]) -> Value:
    args = node.args
    if node.function == "IF":
        return _evaluate(args[1] if _evaluate(args[0], env, tables) else args[2], env, tables)
    if node.function == "LOOKUP":
        return _lookup(node, env, tables)
    values = [_evaluate(arg, env, tables) for arg in args]
    with _arithmetic_at(node.pos):
        if node.function == "MIN":
            return min(values)
        if node.function == "MAX":
            return max(values)
        if node.function == "ABS":
            return _tidy(abs(values[0]))
        if node.function == "SAFE_DIV":
            default = values[2] if len(values) == 3 else Decimal(0)
            return default if values[1] == 0 else _divide(values[0], values[1], node.pos)
        if node.function == "ROUND":
            digits = _round_digits(values[1], args[1].pos)
            return _tidy(values[0].quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    raise AssertionError(node.function)  # pragma: no cover


def _round_digits(digits: Decimal, position: int) -> int:
    if digits != digits.to_integral_value() or abs(digits) > ROUND_DIGITS_LIMIT:
        message = _("ROUND needs a whole number of digits from -%(limit)d to %(limit)d")
        raise _fail("wrong_arguments", message, position, limit=ROUND_DIGITS_LIMIT)
    return int(digits)


def _lookup(node: Call, env: Mapping[str, Value], tables: Mapping[str, _Table]) -> Value:
    table_name = node.args[0].name  # type: ignore[union-attr]  # _infer_lookup made sure
    key = _evaluate(node.args[1], env, tables)
    entries = tables[table_name].entries
    if key in entries:
        return entries[key]
    if len(node.args) == 3:
        return _evaluate(node.args[2], env, tables)
    message = _("table '%(table)s' has no entry for %(key)s")
    raise _fail("missing_key", message, node.pos, table=table_name, key=_format_value(key))


def _coerce_input(name: str, kind: str, raw: object, position: int) -> Value:
    """Accept an input value of the declared type; ints become Decimal, floats are refused."""
    if kind == NUMBER and (number := _as_number(raw)) is not None:
        return number
    if (kind == BOOLEAN and isinstance(raw, bool)) or (kind == STRING and isinstance(raw, str)):
        return raw
    message = _("the input '%(name)s' must be a %(type)s, but its value is %(value)s")
    labels = {"name": name, "type": _type_label(kind), "value": reprlib.repr(raw)}
    raise _fail("type_error", message, position, **labels)


# --- Explanations ----------------------------------------------------------------------------


def _format_value(value: Value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    return '"' + value.replace('"', '""') + '"'


def _render(node: Node, env: Mapping[str, Value] | None) -> tuple[str, int]:
    """Write `node` as formula text, with names replaced by their values when `env` is given.

    Returns the text and its binding strength, so a parent adds only the parentheses it needs.
    """
    match node:
        case Literal(value=value, text=text):
            return (text if isinstance(value, Decimal) else _format_value(value)), _ATOM_BINDING
        case Name(name=name):
            if env is None:
                return name, _ATOM_BINDING
            text = _format_value(env[name])
            return (f"({text})" if text.startswith("-") else text), _ATOM_BINDING
        case Unary(op="-", operand=operand):
            return "-" + _wrap(_render(operand, env), _MINUS_BINDING, strict=True), _MINUS_BINDING
        case Unary(operand=operand):
            return "NOT " + _wrap(_render(operand, env), _NOT_BINDING), _NOT_BINDING
        case Chain(first=first, rest=rest):
            binding = _BINDING[rest[0][0]]
            parts = [_wrap(_render(first, env), binding, strict=binding == _COMPARISON)]
            for op, _pos, operand in rest:
                parts += [op, _wrap(_render(operand, env), binding, strict=True)]
            return " ".join(parts), binding
        case Call(function=function, args=args):
            # A LOOKUP table is shown by its name, never replaced by a value.
            table = args[0] if function == "LOOKUP" and isinstance(args[0], Name) else None
            texts = [arg.name if arg is table else _render(arg, env)[0] for arg in args]
            return f"{function}({', '.join(texts)})", _ATOM_BINDING
    raise AssertionError(node)  # pragma: no cover


def _wrap(rendered: tuple[str, int], binding: int, *, strict: bool = False) -> str:
    """Parenthesize a rendered operand that binds more loosely than its operator."""
    text, strength = rendered
    needs_parentheses = strength < binding or (strict and strength == binding)
    return f"({text})" if needs_parentheses else text


def _explain(name: str, tree: Node, env: Mapping[str, Value], result: Value) -> str:
    """E.g. "attainment = SAFE_DIV(visits, target_visits) = SAFE_DIV(12, 15) = 0.8"."""
    parts = [name, _render(tree, None)[0]]
    # A bare name needs no middle step: "b = visits = 12".
    middle = [] if isinstance(tree, Name) else [_render(tree, env)[0]]
    for part in [*middle, _format_value(result)]:
        if part != parts[-1]:
            parts.append(part)
    return " = ".join(parts)


# --- A set of derived values -----------------------------------------------------------------


class Explanation(NamedTuple):
    value: Value
    text: str


@dataclass(frozen=True)
class CompiledFormula:
    name: str
    text: str
    type: str
    inputs: tuple[tuple[str, int], ...]  # inputs it reads, each with its first position
    depends_on: tuple[str, ...]  # derived values it reads
    tree: Node = field(repr=False)


@dataclass(frozen=True)
class CompiledSet:
    """Checked derived values in evaluation order; build one with compile_formulas()."""

    formulas: Mapping[str, CompiledFormula]
    inputs: Mapping[str, str]
    tables: Mapping[str, _Table] = field(repr=False)

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(self.formulas)

    @property
    def types(self) -> dict[str, str]:
        return {name: formula.type for name, formula in self.formulas.items()}

    def evaluate(self, values: Mapping[str, object]) -> dict[str, Value]:
        """Compute every derived value from the input `values`, in dependency order."""
        return {name: result.value for name, result in self._run(values, explain=False).items()}

    def evaluate_explained(self, values: Mapping[str, object]) -> dict[str, Explanation]:
        """Like evaluate(), with a one-line trace of how each value was computed."""
        return self._run(values, explain=True)

    def _run(self, values: Mapping[str, object], *, explain: bool) -> dict[str, Explanation]:
        env: dict[str, Value] = {}
        results: dict[str, Explanation] = {}
        with localcontext(_CONTEXT):
            for name, formula in self.formulas.items():
                with _blame(name):
                    self._read_inputs(formula, values, env)
                    result = _evaluate(formula.tree, env, self.tables)
                env[name] = result
                text = _explain(name, formula.tree, env, result) if explain else ""
                results[name] = Explanation(result, text)
        return results

    def _read_inputs(
        self, formula: CompiledFormula, values: Mapping[str, object], env: dict[str, Value]
    ) -> None:
        """Put the inputs `formula` reads into `env`; all are required, even in untaken branches."""
        for input_name, position in formula.inputs:
            if input_name in env:
                continue
            if input_name not in values:
                message = _("no value was given for the input '%(name)s'")
                raise _fail("unknown_name", message, position, name=input_name)
            kind = self.inputs[input_name]
            env[input_name] = _coerce_input(input_name, kind, values[input_name], position)


def _references(node: Node) -> list[tuple[str, int]]:
    """Names read by `node` with their positions, in text order; LOOKUP table names excluded."""
    match node:
        case Name(name=name, pos=pos):
            return [(name, pos)]
        case Unary(operand=operand):
            return _references(operand)
        case Chain(first=first, rest=rest):
            found = _references(first)
            for _op, _pos, operand in rest:
                found += _references(operand)
            return found
        case Call(function=function, args=args):
            skip = 1 if function == "LOOKUP" and args and isinstance(args[0], Name) else 0
            return [ref for arg in args[skip:] for ref in _references(arg)]
    return []


def _evaluation_order(references: Mapping[str, list[tuple[str, int]]]) -> list[str]:
    """Order derived values so each comes after those it reads; refuse cycles.

    Depth-first with an explicit stack, so a long chain of formulas cannot exhaust recursion;
    declaration order is kept wherever the dependencies allow.
    """
    order: list[str] = []
    done: set[str] = set()
    for root in references:
        if root in done:
            continue
        stack, visiting = [(root, iter(references[root]))], {root}
        while stack:
            current, pending = stack[-1]
            for dependency, position in pending:
                if dependency not in references or dependency in done:
                    continue
                if dependency in visiting:
                    raise _cycle([name for name, _it in stack], dependency, position)
                stack.append((dependency, iter(references[dependency])))
                visiting.add(dependency)
                break
            else:
                stack.pop()
                visiting.discard(current)
                done.add(current)
                order.append(current)
    return order


def _cycle(stack: list[str], dependency: str, position: int) -> FormulaError:
    """The last formula on `stack` reads `dependency`, which is still being worked out."""
    current = stack[-1]
    path = [current, *stack[stack.index(dependency) : -1], current]
    message = _("the formulas refer to each other in a circle: %(path)s")
    error = _fail("cycle", message, position, path=" -> ".join(path))
    error.name = current
    return error


def _require_valid_name(name: str) -> None:
    try:
        tokens = _tokenize(name)
    except FormulaError:
        tokens = []
    if len(tokens) != 2 or tokens[0].kind != "name" or tokens[0].text != name:
        message = _("'%(name)s' cannot be used as the name of a derived value")
        error = _fail("syntax_error", message, name=name)
        error.name = name
        raise error


def _refuse_clashes(
    formulas: Mapping[str, str], inputs: Mapping[str, str], tables: Mapping[str, Mapping]
) -> None:
    for name in [*formulas, *inputs]:
        if (name in formulas and name in inputs) or name in tables:
            message = _("the name '%(name)s' is used twice (input, table or derived value)")
            error = _fail("duplicate_name", message, name=name)
            error.name = name
            raise error


def compile_formulas(
    formulas: Mapping[str, str], *, inputs: Mapping[str, str], tables: Mapping[str, Mapping]
) -> CompiledSet:
    """Parse and type-check derived values that may refer to each other; order them.

    `formulas` maps each derived value to its formula, `inputs` each input name to its type.
    Raises FormulaError (with `name` set) for the first problem: syntax, then cycles, then types.
    """
    _validate_types(inputs)
    prepared = _prepare_tables(tables)
    _refuse_clashes(formulas, inputs, tables)
    trees: dict[str, Node] = {}
    for name, text in formulas.items():
        _require_valid_name(name)
        with _blame(name):
            trees[name] = _parse(text)
    references = {name: _references(tree) for name, tree in trees.items()}
    types: dict[str, str] = dict(inputs)
    compiled: dict[str, CompiledFormula] = {}
    for name in _evaluation_order(references):
        with _blame(name):
            types[name] = _infer(trees[name], _Scope(types, prepared))
        first_seen: dict[str, int] = {}
        for ref, pos in references[name]:
            first_seen.setdefault(ref, pos)
        compiled[name] = CompiledFormula(
            name=name,
            text=formulas[name],
            type=types[name],
            inputs=tuple((ref, pos) for ref, pos in first_seen.items() if ref in inputs),
            depends_on=tuple(ref for ref in first_seen if ref in formulas),
            tree=trees[name],
        )
    return CompiledSet(formulas=compiled, inputs=dict(inputs), tables=prepared)
