"""Documentation cannot drift: every CLI option and every setting read from the environment
appears in docs/."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bridgework.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text() for p in (ROOT / "docs").rglob("*.md"))


def _options(parser: argparse.ArgumentParser, path: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{path} {name}".strip(), None
                yield from _options(sub, f"{path} {name}".strip())
        elif action.option_strings and action.dest not in {"help", "version"}:
            yield path, max(action.option_strings, key=len)


def test_every_cli_command_and_option_is_documented():
    missing = []
    for command, option in _options(build_parser()):
        needle = option if option else f"bridgework {command}"
        if needle not in DOCS:
            missing.append(f"{command} {option or ''}".strip())
    assert not missing, f"undocumented: {missing}"


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
