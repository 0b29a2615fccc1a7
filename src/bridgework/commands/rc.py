"""``bridgework rc``: Relational Coordination analysis of an answers file.

``rc analyze FILE`` prints every RC figure as JSON (or writes an XLSX or HTML report);
``rc compare FILE --before W1 --after W2`` compares two waves. Both read long or wide CSV/XLSX,
list every problem in a bad file (``row N, column C: reason``) and exit with status 2 without
writing anything. Output always goes through the privacy pass.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bridgework.analysis.privacy import check_min_group_size
from bridgework.commands._progress import add_progress_options, progress_bar

__all__ = ["register"]

EXIT_INVALID = 2


def _min_group_size(text: str) -> int:
    try:
        return check_min_group_size(int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="answers as CSV or XLSX, long or wide layout")
    parser.add_argument(
        "--min-group-size",
        type=_min_group_size,
        default=5,
        metavar="K",
        help="fewest respondents behind any figure shown (default 5; 3 to 100)",
    )
    parser.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    parser.add_argument(
        "--bootstrap",
        type=_non_negative,
        default=1000,
        metavar="B",
        help="bootstrap replicates for confidence intervals (default 1000; 0 for none)",
    )
    parser.add_argument(
        "--min-items",
        type=int,
        default=5,
        choices=range(1, 8),
        metavar="N",
        help="answered dimensions (of 7) needed for a respondent's index (default 5)",
    )
    parser.add_argument(
        "--bands",
        type=float,
        nargs=2,
        default=(3.5, 4.0),
        metavar=("LOW", "HIGH"),
        help="band cut-offs: weak below LOW, strong above HIGH (default 3.5 4.0)",
    )
    parser.add_argument(
        "--frequency-scale",
        choices=("frequency", "adequacy"),
        default="frequency",
        help="answer scale of the frequent-communication item (default frequency)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON to stdout (default)")
    output.add_argument("--xlsx", metavar="OUT", help="write an XLSX workbook to OUT")
    output.add_argument("--html", metavar="OUT", help="write a self-contained HTML report to OUT")
    add_progress_options(parser)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``rc analyze`` and ``rc compare``."""
    rc = subparsers.add_parser("rc", help="Relational Coordination analysis of survey answers")
    commands = rc.add_subparsers(dest="rc_command", metavar="SUBCOMMAND")
    rc.set_defaults(handler=lambda args: _help(rc))

    analyze = commands.add_parser("analyze", help="every RC figure of one wave")
    _common_options(analyze)
    analyze.add_argument(
        "--wave", metavar="W", help="the wave to analyse when the file has several"
    )
    analyze.add_argument(
        "--raw-estimates",
        action="store_true",
        help="with JSON output, also give the ICC estimates as computed (reliability.raw); "
        "otherwise an ICC below 0 is reported as 0 with a note",
    )
    analyze.set_defaults(handler=_analyze)

    compare = commands.add_parser("compare", help="compare two waves cell by cell and overall")
    _common_options(compare)
    compare.add_argument("--before", required=True, metavar="W1", help="the earlier wave")
    compare.add_argument("--after", required=True, metavar="W2", help="the later wave")
    compare.add_argument(
        "--permutations",
        type=_non_negative,
        default=1000,
        metavar="P",
        help="permutations for the p-values (default 1000; 0 for none)",
    )
    compare.set_defaults(handler=_compare)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_INVALID


def _settings(args: argparse.Namespace):
    from bridgework.analysis.rc import Bands, RCSettings

    return RCSettings(
        min_group_size=args.min_group_size,
        min_items=args.min_items,
        bands=Bands(cutoffs=tuple(args.bands)),
        bootstrap=args.bootstrap,
        seed=args.seed,
    )


def _load(args: argparse.Namespace):
    from bridgework.analysis.rc import BUILTIN_INSTRUMENT
    from bridgework.datasets.rc_responses import read_rc_responses

    instrument = BUILTIN_INSTRUMENT.with_frequency_scale(args.frequency_scale)
    return read_rc_responses(Path(args.file), instrument=instrument), instrument


def _steps(analysing: str) -> dict[str, float]:
    """Share of the whole run each step ends at (the bootstrap and permutations dominate)."""
    return {"reading answers": 0.25, analysing: 0.9, "writing": 1.0}


def _run(args: argparse.Namespace, compute, *, analysing: str) -> int:
    from bridgework.datasets.tabular import DatasetError
    from bridgework.problems import problem_line

    bar = progress_bar(args, f"rc {args.rc_command}", _steps(analysing))
    try:
        settings = _settings(args)
        if bar is not None:
            bar.step("reading answers")
        responses, instrument = _load(args)
        if bar is not None:
            bar.step(analysing)
        result = compute(responses.frame, instrument, settings)
    except DatasetError as error:
        if bar is not None:
            bar.abandon()
        for problem in error.problems:
            print(problem_line(problem, args.file), file=sys.stderr)
        return EXIT_INVALID
    except (ValueError, OSError) as error:
        if bar is not None:
            bar.abandon()
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    if bar is not None:
        bar.step("writing")
    if args.xlsx:
        from bridgework.datasets.rc_report import write_rc_xlsx

        Path(args.xlsx).write_bytes(write_rc_xlsx(result))
    elif args.html:
        from bridgework.datasets.rc_report import write_rc_html

        Path(args.html).write_bytes(write_rc_html(result))
    else:
        # Only an analysis has reliability figures, so only it takes raw=.
        data = (
            result.to_dict(raw=True) if getattr(args, "raw_estimates", False) else result.to_dict()
        )
        if bar is not None:
            bar.done()
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if bar is not None:
        bar.done()
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from bridgework.analysis.rc import analyze_rc

    return _run(
        args,
        lambda frame, instrument, settings: analyze_rc(
            frame, instrument=instrument, settings=settings, wave=args.wave
        ),
        analysing="analysing",
    )


def _compare(args: argparse.Namespace) -> int:
    from bridgework.analysis.rc_compare import compare_waves

    return _run(
        args,
        lambda frame, instrument, settings: compare_waves(
            frame,
            before=args.before,
            after=args.after,
            instrument=instrument,
            settings=settings,
            permutations=args.permutations,
        ),
        analysing="comparing",
    )
