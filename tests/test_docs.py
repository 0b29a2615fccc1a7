"""Documentation cannot drift: every CLI option appears in its own command's section of docs/,
and every setting read from the environment appears in docs/."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from pathlib import Path

from bridgework.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = {p: p.read_text() for p in sorted((ROOT / "docs").rglob("*.md"))}
DOCS = "\n".join(DOC_FILES.values())

_HEADING = re.compile(r"^(#+)\s+(.*)$", re.MULTILINE)


def _options(parser: argparse.ArgumentParser, path: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{path} {name}".strip(), None
                yield from _options(sub, f"{path} {name}".strip())
        elif action.option_strings and action.dest not in {"help", "version"}:
            yield path, max(action.option_strings, key=len)


def command_sections(texts: Iterable[str]) -> dict[str, str]:
    """Each command's section of the docs: a heading that names it (`` `bridgework rc` ``,
    `` `bridgework import-people FILE …` ``) and everything under it down to the next heading
    of the same or a higher level. A command named by several headings gets them all."""
    sections: dict[str, list[str]] = {}
    for text in texts:
        headings = list(_HEADING.finditer(text))
        for index, heading in enumerate(headings):
            named = re.search(
                r"`bridgework(?: ([a-z][a-z -]*?))?(?:`| [A-Z\[<-])", heading.group(2)
            )
            if named is None:
                continue
            level = len(heading.group(1))
            end = next(
                (h.start() for h in headings[index + 1 :] if len(h.group(1)) <= level),
                len(text),
            )
            command = (named.group(1) or "").strip()
            sections.setdefault(command, []).append(text[heading.start() : end])
    return {command: "\n".join(parts) for command, parts in sections.items()}


def _section_for(command: str, sections: dict[str, str]) -> str | None:
    """The most specific section: the command's own, else its parent command's. Options of
    ``bridgework`` itself (``--debug``) belong under a heading `` `bridgework [--debug] …` ``."""
    if not command:
        return sections.get("")
    words = command.split()
    while words:
        found = sections.get(" ".join(words))
        if found is not None:
            return found
        words.pop()
    return None


def undocumented(parser: argparse.ArgumentParser, texts: Iterable[str]) -> list[str]:
    """Commands without a section of their own (or their parent's), and options missing from
    their command's section (an option documented only under another command counts as
    missing)."""
    sections = command_sections(texts)
    missing = []
    for command, option in _options(parser):
        section = _section_for(command, sections)
        if section is None:
            missing.append(f"{command}: no section")
        elif option and not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", section):
            missing.append(f"{command} {option}")
    return sorted(set(missing))


def test_every_cli_command_and_option_is_documented_in_its_own_section():
    missing = undocumented(build_parser(), DOC_FILES.values())
    assert not missing, f"undocumented: {missing}"


def test_an_option_documented_only_under_another_command_is_caught():
    parser = argparse.ArgumentParser(prog="bridgework")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve").add_argument("--bind")
    commands.add_parser("worker").add_argument("--interval")
    docs = (
        "## `bridgework serve`\n\n`--bind`, `--interval`\n\n## `bridgework worker`\n\nRuns jobs.\n"
    )
    assert undocumented(parser, [docs]) == ["worker --interval"]
    assert undocumented(parser, [docs.replace("Runs jobs.", "`--interval N`")]) == []
    assert undocumented(parser, ["# Other\n`--bind` `--interval`\n"]) == [
        "serve: no section",
        "worker: no section",
    ]


def test_every_environment_variable_is_documented():
    sources = [
        ROOT / "src/bridgework/server/settings.py",
        ROOT / "src/bridgework/server/email_config.py",
    ]
    names: set[str] = set()
    for source in sources:
        text = source.read_text()
        names |= set(
            re.findall(r"""(?:env_bool|env_list|environ\.get|environ\[)\(?["']([A-Z_]+)""", text)
        )
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "EMAIL_URL"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in DOCS)
    assert not missing, f"undocumented environment variables: {missing}"
