"""A viewer's text as a PostgreSQL ``tsquery``: kx's query syntax (words, "phrases",
AND/OR/NOT, groups, prefix*) parsed here, each word and phrase handed to
``websearch_to_tsquery`` as a bound parameter with its operators stripped, and the parts
joined with ``&&``, ``||`` and ``!!``. No text of the viewer ever reaches the query syntax
of PostgreSQL itself, so a malformed query cannot fail there: at worst it finds nothing.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import text

from kx.search.words import query_text

#: The text search configuration (see the migration ``5ec01a1d0012``): English stems,
#: accents folded first. No item records its language; a per-language configuration
#: would be chosen here and in ``store._UPSERT`` once one does.
CONFIG = "kx_english"
#: Groups nested deeper than this are read as plain words.
MAX_DEPTH = 8
#: Letters a prefix* needs; a shorter one is searched as the plain word.
MIN_PREFIX = 3

_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
_WORD = re.compile(r"\w+(?:\.?\w+)*")
_LETTERS = re.compile(r"[\W_]+")  # what ``to_tsquery`` may read as syntax


@dataclass
class Node:
    """``kind`` is "word", "phrase", "prefix" (``text``), or "and", "or", "not" (``parts``)."""

    kind: str
    text: str = ""
    parts: list["Node"] = field(default_factory=list)


def _tokens(value: str) -> list[str]:
    tokens = []
    for raw in _TOKEN.findall(value):
        if raw.startswith('"'):
            words = " ".join(_WORD.findall(raw))
            if raw.endswith('"') and len(raw) > 1:
                tokens.append(f'"{words}"' if words else "")
            else:  # an unclosed quote: plain words
                tokens += words.split()
        else:
            tokens.append(raw)
    return [t for t in tokens if t]


class _Parser:
    """Recursive descent over the tokens; anything it cannot place is read as words."""

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        self.at += 1
        return self.tokens[self.at - 1]

    def parse(self) -> Node | None:
        parts = []
        while self.peek() is not None:
            node = self.expression()
            if node is not None:
                parts.append(node)
            elif self.peek() is not None:
                self.take()  # a stray ")" or operator
        return _join("and", parts)

    def expression(self) -> Node | None:
        parts = [self.conjunction()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.conjunction())
        return _join("or", [p for p in parts if p is not None])

    def conjunction(self) -> Node | None:
        parts: list[Node] = []
        while (token := self.peek()) is not None and token not in ("OR", ")"):
            if token == "AND":
                self.take()
                continue
            if token == "ANDNOT":
                self.take()
                node = self.unary()
                if node is not None:
                    parts.append(Node("not", parts=[node]))
                continue
            if token == "ANDMAYBE":  # the optional side only changes scores: left out
                self.take()
                self.unary()
                continue
            node = self.unary()
            if node is not None:
                parts.append(node)
        return _join("and", parts)

    def unary(self) -> Node | None:
        token = self.peek()
        if token is None:
            return None
        if token == "NOT":
            self.take()
            node = self.unary()
            return Node("not", parts=[node]) if node is not None else None
        if token == "(":
            self.take()
            if self.depth >= MAX_DEPTH:  # deeper groups are read as their words
                return self.unary()
            self.depth += 1
            node = self.expression()
            self.depth -= 1
            if self.peek() == ")":
                self.take()
            return node
        if token == ")":
            return None
        self.take()
        if token.startswith('"'):
            return Node("phrase", token.strip('"'))
        words = _WORD.findall(token)
        letters = _LETTERS.sub("", words[0]) if len(words) == 1 else ""
        if token.endswith("*") and letters:
            return Node("prefix", letters)
        # one letter is no word, as the Whoosh analyzer has it ("vitamin d", "$1")
        words = [w for w in words if len(w) > 1]
        if not words:
            return None
        return Node("word", " ".join(words))


def _join(kind: str, parts: list[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Node(kind, parts=parts)


def parse(value: str) -> Node | None:
    """``value`` (already bounded by ``query_text``) as a tree (None: nothing to search)."""
    return _Parser(_tokens(value)).parse()


def bound_prefixes(node: Node | None, notices: list[str]) -> Node | None:
    """``node`` with every prefix* shorter than ``MIN_PREFIX`` read as the whole word;
    the viewer is told in ``notices``."""
    short: list[str] = []

    def visit(n: Node) -> Node:
        if n.kind == "prefix" and len(n.text) < MIN_PREFIX:
            if n.text not in short:
                short.append(n.text)
            return Node("word", n.text)
        n.parts = [visit(p) for p in n.parts]
        return n

    node = visit(node) if node is not None else None
    if short:
        listed = ", ".join(f"“{t}*”" for t in short)
        notices.append(
            f"A word ending in * needs at least {MIN_PREFIX} letters before the *: "
            f"{listed} was searched as a whole word."
        )
    return node


def sql(node: Node, params: dict) -> str:
    """``node`` as a ``tsquery`` expression, its words added to ``params``."""
    if node.kind in ("word", "phrase", "prefix"):
        name = f"w{len(params)}"
        if node.kind == "prefix":
            params[name] = node.text.lower()
            return f"to_tsquery('{CONFIG}', :{name} || ':*')"
        params[name] = f'"{node.text}"' if node.kind == "phrase" else node.text
        return f"websearch_to_tsquery('{CONFIG}', :{name})"
    if node.kind == "not":
        return f"(!! {sql(node.parts[0], params)})"
    operator = " && " if node.kind == "and" else " || "
    return "(" + operator.join(sql(part, params) for part in node.parts) + ")"


def words(node: Node | None) -> list[str]:
    """The words and phrases ``node`` asks for (not those it excludes)."""
    if node is None or node.kind == "not":
        return []
    if node.kind in ("word", "phrase", "prefix"):
        return [node.text]
    return [w for part in node.parts for w in words(part)]


def any_words(node: Node | None) -> list[Node] | None:
    """The parts of a plain AND of several parts (None otherwise, e.g. one holds a NOT):
    the results may then hold only some of them, those holding most first."""
    if node is None or node.kind != "and" or any(p.kind == "not" for p in node.parts):
        return None
    return node.parts


def compile_all(connection, nodes: list[Node]) -> list[str]:
    """Each of ``nodes`` as ``tsquery`` text, in one round trip ("" for no lexemes)."""
    params: dict = {}
    columns = ", ".join(f"CAST({sql(node, params)} AS text)" for node in nodes)
    return list(connection.execute(text(f"SELECT {columns}"), params).one())


__all__ = ["CONFIG", "Node", "any_words", "bound_prefixes", "compile_all", "parse", "query_text"]
