"""A Pratt parser from tokens to the tree, refusing anything the grammar does not allow."""

from __future__ import annotations

from collections.abc import Sequence

from quizzer.errors import AnswerError, QuizzerError
from quizzer.maths.tokens import _NAME, _normalise, _spellings, _split_name, _Token, _tokenize
from quizzer.maths.tree import (
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_HEIGHT,
    MAX_LENGTH,
    MAX_NODES,
    BinOp,
    Call,
    Const,
    Expr,
    Neg,
    Num,
    Var,
)

_BINDING = {"+": 10, "-": 10, "*": 20, "/": 20, "//": 20, "%": 20, "^": 30}
_IMPLICIT = 20
_UNARY = 25


def _node(cls, *parts) -> Expr:
    height = 1 + max((p.height for p in parts if isinstance(p, Expr)), default=0)
    for part in parts:
        if isinstance(part, tuple):
            height = max(height, 1 + max((p.height for p in part), default=0))
    if height > MAX_HEIGHT:
        raise AnswerError.of("math-too-deep", limit=MAX_HEIGHT)
    return cls(*parts, height=height)


class _Parser:
    def __init__(
        self,
        tokens: list[_Token],
        variables: frozenset[str],
        constants: frozenset[str],
        functions: tuple[str, ...],
    ) -> None:
        self.tokens = tokens
        self.pos = 0
        self.variables = variables
        self.constants = constants
        self.spellings = _spellings(variables, constants)
        self.functions = functions
        self.nodes = 0

    # -- helpers
    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.peek()
        self.pos += 1
        return token

    def previous(self) -> _Token | None:
        return self.tokens[self.pos - 2] if self.pos >= 2 else None

    def count(self, node: Expr) -> Expr:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise AnswerError.of("math-too-many-parts", limit=MAX_NODES)
        return node

    # -- grammar
    def parse(self) -> Expr:
        tree = self.expression(0, 0)
        token = self.peek()
        if token.kind != "end":
            self.complain_after_value(token)
        return tree

    def expression(self, right_binding: int, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise AnswerError.of("math-nested", limit=MAX_DEPTH)
        left = self.operand(depth)
        while True:
            token = self.peek()
            if token.kind == "op" and token.text in _BINDING:
                op, binding, implicit = token.text, _BINDING[token.text], False
            elif token.kind in ("name", "("):
                op, binding, implicit = "*", _IMPLICIT, True
            else:
                return left
            if binding <= right_binding:
                return left
            if not implicit:
                self.advance()
            # ^ groups to the right: its right side may contain another ^ of equal binding.
            right = self.expression(binding - 1 if op == "^" else binding, depth + 1)
            left = self.count(_node(BinOp, op, left, right))

    def operand(self, depth: int) -> Expr:
        token = self.advance()
        if token.kind == "num" and token.value is not None:  # a number token always carries its value
            return self.count(Num(token.value))
        if token.kind == "name":
            return self.name(token.text, depth)
        if token.kind == "(":
            if self.peek().kind == ")":
                raise AnswerError.of("math-empty-parens")
            inner = self.expression(0, depth + 1)
            self.expect_close()
            return inner
        if token.kind == "op" and token.text in ("+", "-"):
            inner = self.expression(_UNARY, depth + 1)
            return inner if token.text == "+" else self.count(_node(Neg, inner))
        self.complain_missing_operand(token)
        raise AssertionError("unreachable")

    def leaf(self, spelling: str) -> Expr:
        name = self.spellings[spelling]
        return self.count(Var(name) if name in self.variables else Const(name))

    def name(self, name: str, depth: int) -> Expr:
        if self.peek().kind == "(":
            if name in self.functions:
                return self.call(name, depth)
            if name in self.spellings:
                return self.leaf(name)
            from quizzer.errors import Phrase

            raise AnswerError.of("math-unknown-function", name=name,
                                 allowed=", ".join(self.functions) or Phrase("math-no-functions"))
        if name in self.spellings:
            return self.leaf(name)
        if name in self.functions:
            raise AnswerError.of("math-is-function", name=name)
        pieces = _split_name(name, self.spellings)
        if pieces is None:
            allowed = ", ".join([*sorted(self.variables), *sorted(self.constants)]) or "none"
            raise AnswerError.of("math-unknown-name", name=name, allowed=allowed)
        tree = self.leaf(pieces[0])  # a non-empty word splits into at least one name
        for piece in pieces[1:]:
            tree = self.count(_node(BinOp, "*", tree, self.leaf(piece)))
        return tree

    def call(self, name: str, depth: int) -> Expr:
        self.advance()  # the "("
        args: list[Expr] = []
        if self.peek().kind != ")":
            while True:
                if self.peek().kind in (",", ")"):
                    raise AnswerError.of("math-argument-missing", name=name)
                args.append(self.expression(0, depth + 1))
                if self.peek().kind == ",":
                    self.advance()
                    continue
                break
        self.expect_close()
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            if low == high:
                key = "math-takes-one" if low == 1 else "math-takes"
            elif high >= 64:
                key = "math-takes-at-least-one" if low == 1 else "math-takes-at-least"
            else:
                key = "math-takes-between"
            raise AnswerError.of(key, name=name, n=low, low=low, high=high, got=len(args))
        return self.count(_node(Call, name, tuple(args)))

    def expect_close(self) -> None:
        token = self.peek()
        if token.kind == ")":
            self.advance()
            return
        if token.kind == "end":
            raise AnswerError.of("math-unclosed")
        self.complain_after_value(token)

    # -- messages
    def complain_after_value(self, token: _Token) -> None:
        if token.kind == ")":
            raise AnswerError.of("math-unopened")
        if token.kind == ",":
            self.complain_comma()
        if token.kind == "num":
            before = self.tokens[self.pos - 1].text
            raise AnswerError.of("math-operator-missing", before=before, after=token.text)
        raise AnswerError.of("math-unexpected", token=token.text)

    def complain_comma(self) -> None:
        around = self.tokens[self.pos - 1 : self.pos + 2]
        if [t.kind for t in around] == ["num", ",", "num"]:
            raise AnswerError.of("math-comma-number")
        raise AnswerError.of("math-comma")

    def complain_missing_operand(self, token: _Token) -> None:
        before = self.previous()
        if token.kind == "end":
            if before is None:
                raise AnswerError.of("answer-empty")
            raise AnswerError.of("math-incomplete", before=before.text)
        if token.kind == ")":
            if before is not None and before.kind in ("op", ","):
                raise AnswerError.of("math-missing-after", before=before.text)
            raise AnswerError.of("math-unopened")
        if token.kind == ",":
            self.complain_comma()
        if before is None:
            raise AnswerError.of("math-cannot-start", token=token.text)
        raise AnswerError.of("math-cannot-follow", token=token.text, before=before.text)


def parse(
    text: str,
    variables: Sequence[str] = (),
    functions: Sequence[str] | None = None,
    *,
    max_length: int = MAX_LENGTH,
) -> Expr:
    """Read ``text`` into an ``Expr``, allowing only ``variables`` and ``functions``.

    ``functions=None`` allows every entry of ``FUNCTIONS``; otherwise only the listed ones
    (each must be in ``FUNCTIONS``). A variable named ``e`` or ``pi`` hides that constant.
    Raises ``AnswerError`` with a one-line message when the text is refused.
    """
    if isinstance(variables, str):
        raise TypeError("variables must be a sequence of names, not one string")
    declared = frozenset(variables)
    for name in declared:
        if not _NAME.fullmatch(name):
            raise QuizzerError.of("math-bad-variable", name=name)
    if functions is None:
        allowed = tuple(FUNCTIONS)
    else:
        unknown = [f for f in functions if f not in FUNCTIONS]
        if unknown:
            raise QuizzerError.of("math-unknown-allowed", name=unknown[0], known=", ".join(FUNCTIONS))
        allowed = tuple(f for f in FUNCTIONS if f in set(functions))
    constants = frozenset(CONSTANTS) - declared
    tokens = _tokenize(_normalise(text, max_length), _spellings(declared, constants))
    return _Parser(tokens, declared, constants, allowed).parse()


