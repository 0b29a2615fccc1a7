"""``bridgework network analyze``: network measures, groups, roles and weaving from two files.

Reads a people file and a nominations file (CSV or XLSX), validates both row by row, and
prints a short summary, or writes the full analysis as JSON (stdout), XLSX or HTML. The JSON
follows ``bridgework/schemas/network-analysis.schema.json``. Invalid input prints one line per
problem to stderr, exits with status 2 and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bridgework.commands._progress import add_progress_options, progress_bar

__all__ = ["register"]

EXIT_INVALID = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``network`` and its ``analyze`` subcommand."""
    network = subparsers.add_parser(
        "network",
        help="map who works with whom: brokers, connectors, groups and weaving",
        description="Network mapping from a people file and a nominations file.",
    )
    actions = network.add_subparsers(dest="network_command", metavar="ACTION")
    network.set_defaults(handler=lambda args: _help(network))
    analyze = actions.add_parser(
        "analyze",
        help="compute per-person measures, group figures, roles and weaving opportunities",
        description=(
            "Analyse a network survey. People file: id plus attribute columns (organisation, "
            "team, workgroup …; optional responded yes/no). Nominations file: ego, alter, "
            "optional relation and weight."
        ),
    )
    analyze.add_argument("--people", required=True, metavar="P.csv", help="people file (CSV/XLSX)")
    analyze.add_argument(
        "--nominations", required=True, metavar="N.csv", help="nominations file (CSV/XLSX)"
    )
    analyze.add_argument(
        "--relation",
        metavar="R",
        help="analyse only this relation (default: all relations merged)",
    )
    analyze.add_argument(
        "--group-by",
        metavar="ATTRIBUTE",
        help="people column defining groups (default: organisation, when the column exists)",
    )
    analyze.add_argument(
        "--weaving-limit",
        type=int,
        default=50,
        metavar="N",
        help="suggest at most N weaving opportunities (default 50)",
    )
    analyze.add_argument(
        "--seed", type=int, default=0, help="random seed for Leiden communities (default 0)"
    )
    output = analyze.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the full analysis as JSON")
    output.add_argument("--xlsx", metavar="OUT", help="write the analysis to an XLSX workbook")
    output.add_argument("--html", metavar="OUT", help="write the analysis to an HTML page")
    add_progress_options(analyze)
    analyze.set_defaults(handler=_analyze)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_INVALID


#: Share of the whole run each step ends at (the measures, communities and roles dominate).
_STEPS = {"reading people": 0.1, "reading nominations": 0.3, "analysing": 0.9, "writing": 1.0}


def _analyze(args: argparse.Namespace) -> int:
    from bridgework.analysis.network import NetworkOptions, analyze_network
    from bridgework.datasets.network_io import read_network_people, read_nominations
    from bridgework.datasets.tabular import DatasetError

    if args.weaving_limit < 0:
        print("--weaving-limit: must be 0 or more", file=sys.stderr)
        return EXIT_INVALID
    bar = progress_bar(args, "network", _STEPS)
    try:
        if bar is not None:
            bar.step("reading people")
        people = _labelled("people", lambda: read_network_people(args.people), path=args.people)
        if bar is not None:
            bar.step("reading nominations")
        nominations = _labelled(
            "nominations",
            lambda: read_nominations(args.nominations, people["id"].tolist()),
            path=args.nominations,
        )
        group_by = args.group_by
        if group_by is None and "organisation" in people.columns:
            group_by = "organisation"
        options = NetworkOptions(
            relation=args.relation,
            group_by=group_by,
            weaving_limit=args.weaving_limit,
            leiden_seed=args.seed,
        )
        if bar is not None:
            bar.step("analysing")
        result = _labelled("people", lambda: analyze_network(people, nominations, options))
    except DatasetError as error:
        if bar is not None:
            bar.abandon()
        for problem in error.problems:
            whole_file = problem.row is None and problem.column is None
            print(problem.reason if whole_file else problem, file=sys.stderr)
        return EXIT_INVALID
    except OSError as error:
        if bar is not None:
            bar.abandon()
        print(f"cannot read input: {error}", file=sys.stderr)
        return EXIT_INVALID

    data = result.to_dict()
    if group_by is None:
        data["warnings"].append(
            "No grouping: the people file has no organisation column and --group-by was not "
            "given, so there is no brokerage, group figures or weaving."
        )
    if bar is not None:
        bar.step("writing")
    if bar is not None and not (args.xlsx or args.html):
        bar.done()  # the result goes to standard output: end the bar's line first
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    elif args.xlsx:
        from bridgework.datasets.network_report import write_xlsx

        write_xlsx(data, args.xlsx)
    elif args.html:
        from bridgework.datasets.network_report import write_html

        write_html(data, args.html)
    else:
        _print_summary(data)
    if bar is not None:
        bar.done()
    return 0


def _labelled(file: str, read: Any, *, path: str | None = None) -> Any:
    """Run ``read``; say which file its problems are in (a whole-file problem names the path)."""
    from bridgework.datasets.tabular import DatasetError, Problem

    def label(p: Problem) -> Problem:
        if path and p.row is None and p.column is None:
            return Problem(None, None, f"{path}: {p.reason} (the {file} file)")
        return Problem(p.row, p.column, f"{p.reason} (in the {file} file)")

    try:
        return read()
    except DatasetError as error:
        raise DatasetError(label(p) for p in error.problems) from error


def _print_summary(data: dict[str, Any]) -> None:
    network, validity = data["network"], data["validity"]
    rate = validity["response_rate"]
    print(f"people: {network['people']}  ties: {network['ties']}  ", end="")
    print(f"response rate: {'n/a' if rate is None else f'{rate:.0%}'}")
    print(
        f"components: {network['components']}  isolates: {network['isolates']}  "
        f"communities: {network['communities']}"
    )
    counts = data["roles"]["counts"]
    print("roles: " + ", ".join(f"{role} {count}" for role, count in counts.items()))
    print(f"weaving opportunities: {len(data['weaving'])}")
    for warning in data["warnings"]:
        print(f"warning: {warning}")
    print("(use --json, --xlsx OUT or --html OUT for the full analysis)")
