"""The ``bridgework`` command line: one entry point, subcommands in ``bridgework.commands``.

Exit status: 0 done; 2 bad input (every problem printed first, one line each, nothing
written); 1 an internal error, printed as one line (``--debug`` prints the traceback too);
130 interrupted. No input makes a command end in a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback
from collections.abc import Sequence

from bridgework import __version__, commands

__all__ = ["build_parser", "main"]

#: Exit status for invalid input files or arguments (every problem is printed first).
EXIT_INVALID = 2

#: Exit status for an internal error: a bug or a broken environment, not the user's input.
EXIT_ERROR = 1


def build_parser() -> argparse.ArgumentParser:
    """Build the full parser, registering every public module of ``bridgework.commands``
    (``_progress`` and other private modules are helpers the commands share)."""
    parser = argparse.ArgumentParser(
        prog="bridgework",
        description="Measure and strengthen the relationships public-service work runs on.",
    )
    parser.add_argument("--version", action="version", version=f"bridgework {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an internal error, print the full traceback as well as the one-line message",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
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
    except Exception as error:
        return _report(error, debug=args.debug)


def _report(error: Exception, *, debug: bool) -> int:
    """Print an error that escaped a command: bad input as its problems, else one line."""
    from bridgework.problems import DatasetError

    if isinstance(error, DatasetError):
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    if isinstance(error, FileNotFoundError | IsADirectoryError | PermissionError):
        print(f"{error.filename or error}: {error.strerror or error}", file=sys.stderr)
        return EXIT_INVALID
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    message = str(error).splitlines()[0] if str(error) else ""
    hint = "" if debug else " (run with --debug for the traceback)"
    print(f"internal error: {type(error).__name__}: {message}{hint}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
