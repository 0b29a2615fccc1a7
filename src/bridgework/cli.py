"""The ``bridgework`` command line: one entry point, subcommands in ``bridgework.commands``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from bridgework import __version__, commands

__all__ = ["build_parser", "main"]

#: Exit status for invalid input files or arguments (every problem is printed first).
EXIT_INVALID = 2


def build_parser() -> argparse.ArgumentParser:
    """Build the full parser, registering every module of ``bridgework.commands``."""
    parser = argparse.ArgumentParser(
        prog="bridgework",
        description="Measure and strengthen the relationships public-service work runs on.",
    )
    parser.add_argument("--version", action="version", version=f"bridgework {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0 if args.command is None else EXIT_INVALID
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
