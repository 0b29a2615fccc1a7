"""Every template's visible text is marked for translation: text between HTML tags, the
attributes people read or hear (``aria-label``, ``title``, ``alt``, ``placeholder``, a
button's ``value``) and the string literals handed to components (``label="..."``,
``|default:"..."``) sit inside ``{% translate %}`` / ``{% blocktranslate %}`` or ``_("...")``.
Text with no letters (punctuation, numbers, variables alone) and the product's name need none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.LOCALE_PATHS[0]).parent / "templates"
# Words that stay as they are in every language.
UNTRANSLATED = {"Bridgework"}
READ_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")
LETTER = re.compile(r"[^\W\d_]")
VARIABLE, BLOCK = "\ue000", "\ue001"
OPAQUE_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim"}
# Literals shown to people: a component's label or caption, and a filter's default text.
SHOWN_LITERAL = re.compile(
    r'(?:(?<=\s)(?:label|caption|group_label)=|\|default:|\|default_if_none:)"([^"]*)"'
)


def flatten(source: str) -> str:
    """The template's text with each variable and each tag replaced by one marker character;
    the text of translate blocks, comments and verbatim blocks disappears into the marker."""
    flat: list[str] = []
    closing = None
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[:1] == [closing]:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            flat.append(token.contents)
        elif token.token_type == TokenType.VAR:
            flat.append(VARIABLE)
        elif token.token_type == TokenType.BLOCK:
            command = token.contents.split()[0]
            closing = OPAQUE_BLOCKS.get(command) or SKIPPED_BLOCKS.get(command)
            flat.append(BLOCK)
        else:
            flat.append(BLOCK)
    return "".join(flat)


def needs_translation(text: str) -> bool:
    words = text.replace(VARIABLE, " ").replace(BLOCK, " ").strip()
    return bool(LETTER.search(words)) and words not in UNTRANSLATED


def unmarked_text(source: str) -> list[str]:
    """The pieces of visible text in a template that no translate tag covers."""
    found: list[str] = []
    flat = re.sub(r"<(script|style)\b.*?</\1\s*>", BLOCK, flatten(source), flags=re.S | re.I)
    flat = re.sub(r"<!--.*?-->", BLOCK, flat, flags=re.S)
    for piece in re.split(r"<[^>]*>", flat):
        found += [text.strip() for text in piece.split(BLOCK) if needs_translation(text)]
    for tag in re.findall(r"<[^>]*>", flat):
        attributes = list(READ_ATTRIBUTES)
        if re.match(r"<input\b", tag) and re.search(r'type="(submit|button)"', tag):
            attributes.append("value")
        for attribute in attributes:
            for value in re.findall(rf'\s{attribute}="([^"]*)"', tag):
                found += [text.strip() for text in value.split(BLOCK) if needs_translation(text)]
    for token in Lexer(source).tokenize():
        if token.token_type in (TokenType.BLOCK, TokenType.VAR):
            found += [text for text in SHOWN_LITERAL.findall(token.contents) if LETTER.search(text)]
    return found


def template_paths() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.suffix in (".html", ".txt")
    )


@pytest.mark.parametrize("name", template_paths())
def test_template_has_no_unmarked_text(name):
    left = unmarked_text((TEMPLATES / name).read_text(encoding="utf-8"))
    assert left == [], f"{name}: wrap in {{% translate %}} / {{% blocktranslate %}}: {left}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<h1>People</h1>", ["People"]),
        ('<h1>{% translate "People" %}</h1>', []),
        ("<p>{{ count }} people</p>", [f"{VARIABLE} people"]),
        ("<p>{% blocktranslate %}{{ count }} people{% endblocktranslate %}</p>", []),
        ('<nav aria-label="Pages">', ["Pages"]),
        ('<nav aria-label="{% translate "Pages" %}">', []),
        ('<input type="submit" value="Send">', ["Send"]),
        ('<input type="hidden" name="next" value="next">', []),
        ('{% include "x.html" with label="Pages of rounds" %}', ["Pages of rounds"]),
        ('{% include "x.html" with label=_("Pages of rounds") %}', []),
        ('{{ name|default:"None" }} {{ name|default:"–" }}', ["None"]),
        ("<td>– · 12 (3%)</td><a>Bridgework</a>", []),
        ("{% comment %}Notes for developers{% endcomment %}{# and here #}", []),
        ("<script>const a = 'text';</script>", []),
        ('{% if x %}Yes{% else %}{% translate "No" %}{% endif %}', ["Yes"]),
    ],
)
def test_the_check_finds_unmarked_text(source, expected):
    assert unmarked_text(source) == expected
