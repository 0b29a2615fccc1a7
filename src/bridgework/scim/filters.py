"""SCIM filters (RFC 7644 section 3.4.2.2) as Django ``Q`` objects.

The grammar accepted: comparisons ``attrPath op value`` with ``eq ne co sw ew gt ge lt le``,
presence ``attrPath pr``, joined by ``and`` / ``or`` (``and`` binds tighter), ``not (…)``
and parentheses. Attribute names and operators ignore case, as the RFC says. Each resource
type maps the attribute paths it can filter on to model fields; any other path is an
``invalidFilter`` error naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from bridgework.scim.errors import ScimError

__all__ = ["FilterField", "parse_filter"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lparen>\()|(?P<rparen>\))|
        (?P<string>"(?:[^"\\]|\\.)*")|
        (?P<word>[A-Za-z0-9_:.$\-]+)
    )""",
    re.VERBOSE,
)
_OPS = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}


@dataclass(frozen=True)
class FilterField:
    """A filterable attribute: the model lookup, whether it compares case-sensitively (RFC
    7643's ``caseExact``), and its type (``string``, ``boolean``, ``integer``, ``dateTime``)."""

    lookup: str
    case_exact: bool = False
    kind: str = "string"
    #: Further lookups any of which may match (``userName``: the provider's own name for the
    #: person, or their email for someone who came from a people file).
    also: tuple[str, ...] = ()


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ScimError(400, f"filter: cannot read {text[position:]!r}", "invalidFilter")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, fields: dict[str, FilterField]) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.fields = fields

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ScimError(400, "filter: ends too soon", "invalidFilter")
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() == word:
            self.position += 1
            return True
        return False

    def parse(self) -> Q:
        query = self.expression()
        if self.peek() is not None:
            raise ScimError(400, f"filter: unexpected {self.peek()[1]!r}", "invalidFilter")
        return query

    def expression(self) -> Q:
        query = self.term()
        while self.keyword("or"):
            query = query | self.term()
        return query

    def term(self) -> Q:
        query = self.factor()
        while self.keyword("and"):
            query = query & self.factor()
        return query

    def factor(self) -> Q:
        if self.keyword("not"):
            return ~self.group()
        if self.peek() and self.peek()[0] == "lparen":
            return self.group()
        return self.comparison()

    def group(self) -> Q:
        if self.take()[0] != "lparen":
            raise ScimError(400, "filter: expected (", "invalidFilter")
        query = self.expression()
        if self.take()[0] != "rparen":
            raise ScimError(400, "filter: expected )", "invalidFilter")
        return query

    def comparison(self) -> Q:
        kind, path = self.take()
        if kind != "word":
            raise ScimError(400, f"filter: expected an attribute, not {path!r}", "invalidFilter")
        field = self.fields.get(path.lower())
        if field is None:
            raise ScimError(400, f"filter: cannot filter on {path}", "invalidFilter")
        op = self.take()[1].lower()
        if op == "pr":
            if field.kind == "string":
                return Q(**{f"{field.lookup}__isnull": False}) & ~Q(**{field.lookup: ""})
            return Q(**{f"{field.lookup}__isnull": False})
        if op not in _OPS:
            raise ScimError(400, f"filter: unknown operator {op!r}", "invalidFilter")
        value = _value(self.take(), field, path)
        return _compare(field, op, value)


def _value(token: tuple[str, str], field: FilterField, path: str) -> object:
    kind, text = token
    if kind == "string":
        value: object = re.sub(r"\\(.)", r"\1", text[1:-1])
    elif kind == "word" and text.lower() in {"true", "false"}:
        value = text.lower() == "true"
    elif kind == "word" and text.lower() == "null":
        value = None
    elif kind == "word" and re.fullmatch(r"-?\d+", text):
        value = int(text)
    else:
        raise ScimError(400, f"filter: {text!r} is not a value", "invalidFilter")
    try:
        if field.kind == "integer" and value is not None:
            value = int(value)  # ids are strings in SCIM, numbers here
        elif field.kind == "dateTime" and isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif field.kind == "boolean" and not isinstance(value, bool):
            raise ValueError
    except (TypeError, ValueError):
        raise ScimError(
            400, f"filter: {text} is not a {field.kind} for {path}", "invalidFilter"
        ) from None
    return value


def _compare(field: FilterField, op: str, value: object) -> Q:
    lookup = field.lookup
    if field.kind == "integer" and op == "eq" and value is None:
        return Q(pk__in=[])
    if field.kind == "string" and not isinstance(value, str):
        raise ScimError(400, f"filter: {lookup} compares with a string", "invalidFilter")
    insensitive = "" if field.case_exact or field.kind != "string" else "i"
    suffix = {
        "eq": f"{insensitive}exact",
        "ne": f"{insensitive}exact",
        "co": f"{insensitive}contains",
        "sw": f"{insensitive}startswith",
        "ew": f"{insensitive}endswith",
        "gt": "gt",
        "ge": "gte",
        "lt": "lt",
        "le": "lte",
    }[op]
    if op in {"co", "sw", "ew"} and field.kind != "string":
        raise ScimError(400, f"filter: {op} needs a string attribute", "invalidFilter")
    query = Q(**{f"{lookup}__{suffix}": value})
    for other in field.also:
        query |= Q(**{f"{other}__{suffix}": value})
    return ~query if op == "ne" else query


def parse_filter(text: str, fields: dict[str, FilterField]) -> Q:
    """The ``Q`` a SCIM filter means over the given attributes (keys lower case).

    >>> fields = {"username": FilterField("email")}
    >>> parse_filter('userName eq "bjensen@example.com"', fields)
    <Q: (AND: ('email__iexact', 'bjensen@example.com'))>
    """
    return _Parser(text, fields).parse()
