"""Rendering a batch's emails from one render per template and language (a *stencil*).

A wave's invitations differ only in the recipient's name and personal link; rendering the
same two templates 100,000 times (every ``{% blocktranslate %}`` looked up again) is most of
what writing them costs. A stencil is the template rendered once with a stand-in for each
recipient's own context values (``person``, ``path``): every value the template prints from
them comes out as a marker, and each email is the stencil with its markers replaced by that
recipient's values, escaped where the template escaped the marker (each marker carries an
``&`` that shows whether it was). The first email of every
stencil is also rendered in full and compared: if the two differ (a template that tests or
filters a recipient's value, not just prints it), the batch is rendered email by email as
before. Only text values are filled in; any other value (a date, a number) renders the email
in full.

A recipient's values may also be lists and dicts of text (an introduction's ``others``: the
people they meet, each with the details they gave): each item becomes stand-ins of its own,
and a blank value stays blank, so a template's ``{% for %}`` and ``{% if %}`` over them
render as they would for the recipient. The *shape* of the values (:func:`stand_ins`: how
many items, which values are blank) is part of what a stencil is kept for: recipients whose
values have another shape get another stencil. Values the template tests, filters or
formats (a date, a time zone, a choice) are not stood in for at all: the caller keeps them
as they are and recipients who differ in them get stencils of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.html import conditional_escape

__all__ = ["StandIn", "Stencil", "shape_of", "stand_ins"]

#: Markers are built from control characters no template or value contains; the ``&``
#: inside comes out as ``&amp;`` where the template escaped the value.
_OPEN, _SEP, _CLOSE = "\x02", "\x1f", "\x03"
_MARKER = re.compile(f"{_OPEN}([^{_SEP}{_CLOSE}]*){_SEP}(&amp;|&){_CLOSE}")


class StandIn(str):
    """A recipient's context value while the stencil is rendered: itself a marker naming its
    path (``person.name``), and every attribute another stand-in one level down."""

    path: str

    def __new__(cls, path: str) -> StandIn:
        made = super().__new__(cls, f"{_OPEN}{path}{_SEP}&{_CLOSE}")
        made.path = path
        return made

    def __getattr__(self, name: str) -> StandIn:
        if name.startswith("_"):
            raise AttributeError(name)
        return StandIn(f"{self.path}.{name}")

    def __getitem__(self, key: Any) -> Any:  # template lookups try ``obj[name]`` first
        if isinstance(key, str):
            raise KeyError(key)
        return super().__getitem__(key)


def stand_ins(value: Any, path: str) -> tuple[Any, Any]:
    """What stands in for ``value`` (found at ``path``) while a stencil is rendered, and its
    shape: a marker for a text, a dict or list of stand-ins for a dict or list, the value
    itself for a blank one (``""``, ``None``, an empty list: the template sees it blank), a
    :class:`StandIn` for any other object (its attributes are printed as markers)."""
    if isinstance(value, str):
        return (StandIn(path), "text") if value else (value, "blank")
    if isinstance(value, dict):
        items = {key: stand_ins(item, f"{path}.{key}") for key, item in value.items()}
        return (
            {key: made for key, (made, _) in items.items()},
            ("dict", tuple((key, shape) for key, (_, shape) in items.items())),
        )
    if isinstance(value, list | tuple):
        listed = [stand_ins(item, f"{path}.{index}") for index, item in enumerate(value)]
        return [made for made, _ in listed], ("list", tuple(shape for _, shape in listed))
    if value is None or value is False:
        return value, ("none", value)
    return StandIn(path), "object"


def shape_of(value: Any) -> Any:
    """The shape :func:`stand_ins` gives ``value`` (without making its stand-ins)."""
    if isinstance(value, str):
        return "text" if value else "blank"
    if isinstance(value, dict):  # texts (the usual values) without a call each
        return (
            "dict",
            tuple(
                (key, ("text" if item else "blank") if type(item) is str else shape_of(item))
                for key, item in value.items()
            ),
        )
    if isinstance(value, list | tuple):
        return ("list", tuple(shape_of(item) for item in value))
    if value is None or value is False:
        return ("none", value)
    return "object"


def _resolve(context: dict[str, Any], path: str) -> Any:
    head, *rest = path.split(".")
    value = context[head]
    for name in rest:
        if isinstance(value, dict):
            value = value[name]
        elif isinstance(value, list | tuple):
            value = value[int(name)]
        else:
            value = getattr(value, name)
    return value


@dataclass(frozen=True)
class Stencil:
    """One template rendered once for many recipients; ``None`` from :meth:`fill` means
    "render this one in full"."""

    text: str

    @classmethod
    def render(
        cls,
        template: Any,
        shared: dict[str, Any],
        own_keys: list[str],
        own: dict[str, Any] | None = None,
    ) -> Stencil:
        """``template`` rendered with ``shared`` and a stand-in for each of ``own_keys``:
        a plain :class:`StandIn` each, or, given the recipient's values ``own``, stand-ins
        of their shape (:func:`stand_ins`)."""
        if own is None:
            standing = {key: StandIn(key) for key in own_keys}
        else:
            standing = {key: stand_ins(own[key], key)[0] for key in own_keys}
        return cls(template.render({**shared, **standing}))

    def fill(self, own: dict[str, Any]) -> str | None:
        parts = self._parts()
        out = [parts[0]]
        for index in range(1, len(parts), 3):
            try:
                found = _resolve(own, parts[index])
            except (KeyError, AttributeError, IndexError, ValueError):
                return None
            if not isinstance(found, str):
                return None
            out.append(str(conditional_escape(found)) if parts[index + 1] == "&amp;" else found)
            out.append(parts[index + 2])
        filled = "".join(out)
        # A marker changed by a filter (``upper``, ``urlencode``…) is not filled: in full.
        return None if _OPEN in filled or _CLOSE in filled else filled

    def _parts(self) -> list[str]:
        """The text split at its markers: text, then (path, escape, text) per marker."""
        parts = self.__dict__.get("_split")
        if parts is None:
            parts = _MARKER.split(self.text)
            object.__setattr__(self, "_split", parts)
        return parts
