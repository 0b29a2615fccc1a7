"""Every table in the templates sits in its own named, focusable scroll region.

The region (``.bw-table-wrapper``: ``role="region"``, a name, ``tabindex="0"``) is what lets
a wide table scroll inside the page, with its first column fixed, instead of widening it; the
browser crawl (tests/browser/test_layout.py) checks the result on every page it reaches.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "bridgework" / "templates"


class _Tables(HTMLParser):
    """The open elements at each ``<table>``: every table must be inside a region div."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict[str, str | None]] = []
        self.tables: list[tuple[int, dict[str, str | None] | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            parent = self.stack[-1] if self.stack else None
            self.tables.append((self.getpos()[0], parent))
        if tag not in ("br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"):
            self.stack.append({"tag": tag, **dict(attrs)})

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index]["tag"] == tag:
                del self.stack[index:]
                break


def _templates_with_tables() -> list[Path]:
    """Every page template with a table; PDF reports (``reports/base.html``) are laid out for
    paper, where a table breaks across pages instead of scrolling."""
    return sorted(
        p
        for p in TEMPLATES.rglob("*.html")
        if "<table" in p.read_text() and '{% extends "reports/base.html" %}' not in p.read_text()
    )


def _without_template_tags(text: str) -> str:
    # Template tags are not HTML: each becomes a word (an attribute made of one, such as a
    # translated aria-label, stays non-empty).
    return re.sub(r"{%.*?%}", "tag", text, flags=re.DOTALL)


def region_problems(text: str) -> list[str]:
    """Each table of ``text`` (a template) not directly inside a named, focusable region."""
    parser = _Tables()
    parser.feed(_without_template_tags(text))
    problems = []
    for line, parent in parser.tables:
        parent = parent or {"tag": None}
        named = (parent.get("aria-label") or "").strip() or parent.get("aria-labelledby")
        if not (
            parent["tag"] == "div"
            and "bw-table-wrapper" in (parent.get("class") or "").split()
            and parent.get("role") == "region"
            and parent.get("tabindex") == "0"
            and named
        ):
            problems.append(f"line {line}: table not in a named, focusable bw-table-wrapper region")
    return problems


@pytest.mark.parametrize(
    "template", _templates_with_tables(), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_every_table_is_in_a_named_focusable_scroll_region(template: Path):
    assert region_problems(template.read_text()) == []


@pytest.mark.parametrize(
    "text",
    [
        "<table></table>",
        '<div class="bw-table-wrapper"><table></table></div>',
        '<div class="bw-table-wrapper" role="region" tabindex="0"><table></table></div>',
        '<div class="bw-table-wrapper" role="region" aria-label="T"><table></table></div>',
        '<div class="bw-table-wrapper" role="region" aria-label="T" tabindex="0"><p>'
        "<table></table></p></div>",
    ],
)
def test_the_region_check_refuses_a_table_outside_a_named_focusable_region(text: str):
    assert region_problems(text)


def test_the_region_check_accepts_a_region_named_by_its_heading():
    text = (
        '<div class="bw-table-wrapper" role="region" aria-labelledby="h" tabindex="0">'
        "<table></table></div>"
    )
    assert region_problems(text) == []
