"""``bridgework pair``: one round of randomised coffee pairings from files.

Reads participants (and optionally history, exclusions, network ties, the RC analysis JSON and
a policy TOML), validates every file like every import (exit status 2, one line per problem,
nothing written), pairs with :func:`bridgework.matching.pair`, re-checks the result with
:func:`bridgework.matching.check_matching`, and prints a summary, the JSON contract
(``--json``) or a CSV (``--out``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from bridgework.commands._progress import ProgressBar, add_progress_options, progress_bar

__all__ = ["register"]

EXIT_INVALID = 2


def register(subparsers: Any) -> None:
    """Add the ``pair`` subcommand."""
    parser = subparsers.add_parser(
        "pair",
        help="pair participants for a round of randomised coffee pairings",
        description="Pair participants for one round: random where it should be, within every "
        "rule, each match explained.",
    )
    parser.add_argument(
        "--participants",
        required=True,
        metavar="P.csv",
        help="participants: id, organisation, team, workgroup [+ optional columns]",
    )
    parser.add_argument("--history", metavar="H.csv", help="past matches: a, b, date")
    parser.add_argument("--exclusions", metavar="X.csv", help="pairs never to make: a, b")
    parser.add_argument("--ties", metavar="T.csv", help="network ties: a, b, strength")
    parser.add_argument("--rc", metavar="RC.json", help="JSON written by `bridgework rc analyze`")
    parser.add_argument("--policy", metavar="POLICY.toml", help="policy file (rules, weights)")
    parser.add_argument(
        "--round-date",
        metavar="YYYY-MM-DD",
        help="date of the round (default today); the no-repeat window counts back",
    )
    parser.add_argument(
        "--no-repeat-days",
        type=int,
        metavar="DAYS",
        help="never repeat a pair met within this many days (default 180)",
    )
    parser.add_argument(
        "--odd",
        choices=("trio", "sit-out"),
        help="a person left without a partner joins a trio or sits out",
    )
    parser.add_argument(
        "--holdout-share",
        type=float,
        metavar="SHARE",
        help="share held out at random (by the seed) for evaluation, 0 to 0.5",
    )
    parser.add_argument("--seed", type=int, help="random seed (default: drawn and reported)")
    parser.add_argument(
        "--solver",
        choices=("auto", "exact", "scalable"),
        default="auto",
        help="matching solver (default auto: exact up to 5,000 people)",
    )
    add_progress_options(parser)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the result as JSON")
    output.add_argument("--out", metavar="OUT.csv", help="write one row per participant to a CSV")
    parser.set_defaults(handler=handle)


#: Share of the whole run each step ends at (reading and checking big files takes a while).
_STEPS = {
    "reading participants": 0.08,
    "reading history": 0.18,
    "reading exclusions": 0.2,
    "reading ties": 0.22,
    "reading rc": 0.22,
    "pairing": 0.92,
    "check": 0.96,
    "write": 1.0,
}


def _print_problems(label: str, error: Exception) -> None:
    from bridgework.problems import Problem, problem_line

    for problem in getattr(error, "problems", [error]):
        if isinstance(problem, Problem):
            line = problem_line(problem, label)
            print(line if line.startswith(f"{label}: ") else f"{label}: {line}", file=sys.stderr)
        else:
            print(f"{label}: {problem}", file=sys.stderr)


def _load(
    args: argparse.Namespace, bar: ProgressBar | None = None
) -> tuple[dict[str, Any] | None, int]:
    """Read and validate every input; print all problems. Returns (inputs, status)."""
    import dataclasses
    from datetime import UTC, date, datetime

    from bridgework.datasets import pairing_io
    from bridgework.datasets.tabular import DatasetError
    from bridgework.matching.model import MAX_HOLDOUT_SHARE
    from bridgework.matching.policy import load_policy

    failed = False
    round_date = datetime.now(tz=UTC).date()
    if args.round_date:
        try:
            round_date = date.fromisoformat(args.round_date)
        except ValueError:
            print(f"--round-date: {args.round_date!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
            failed = True
    checks = [
        (
            args.no_repeat_days is not None and args.no_repeat_days < 0,
            "--no-repeat-days: must be 0 or more",
        ),
        (
            args.holdout_share is not None and not 0.0 <= args.holdout_share <= MAX_HOLDOUT_SHARE,
            f"--holdout-share: must be between 0 and {MAX_HOLDOUT_SHARE:g}",
        ),
    ]
    for bad, message in checks:
        if bad:
            print(message, file=sys.stderr)
            failed = True
    inputs: dict[str, Any] = {"round_date": round_date}
    try:
        policy = load_policy(args.policy) if args.policy else None
    except DatasetError as error:
        _print_problems(args.policy, error)
        failed, policy = True, None
    from bridgework.matching.model import Policy

    policy = policy or Policy()
    changes: dict[str, Any] = {}
    if args.no_repeat_days is not None:
        changes["no_repeat_days"] = args.no_repeat_days
    if args.odd:
        changes["odd"] = "sit_out" if args.odd == "sit-out" else "trio"
    if args.holdout_share is not None and 0.0 <= args.holdout_share <= MAX_HOLDOUT_SHARE:
        changes["holdout_share"] = args.holdout_share  # out of range: reported above
    inputs["policy"] = dataclasses.replace(policy, **changes)
    if bar is not None:
        bar.step("reading participants")
    try:
        roster = pairing_io.read_participants(args.participants)
    except (DatasetError, OSError) as error:
        _print_problems(args.participants, error)
        return None, EXIT_INVALID
    inputs["participants"] = roster
    readers = {
        "history": pairing_io.read_history,
        "exclusions": pairing_io.read_exclusions,
        "ties": pairing_io.read_ties,
    }
    for name, reader in readers.items():
        path = getattr(args, name)
        inputs[name] = None
        if path:
            if bar is not None:
                bar.step(f"reading {name}")
            try:
                inputs[name] = reader(path, participants=roster)
            except (DatasetError, OSError) as error:
                _print_problems(path, error)
                failed = True
    inputs["weak_ties"] = None
    if args.rc:
        if bar is not None:
            bar.step("reading rc")
        try:
            inputs["weak_ties"] = pairing_io.read_rc_weak_ties(args.rc)
        except (DatasetError, OSError) as error:
            _print_problems(args.rc, error)
            failed = True
    return (None, EXIT_INVALID) if failed else (inputs, 0)


def _summary(result: Any, stream: TextIO) -> None:
    for match in result.matches:
        print(
            f"{' + '.join(match.members)}  ({match.score:.3f}): {'; '.join(match.reasons)}",
            file=stream,
        )
    stats = result.stats
    print(
        f"\n{len(result.matches)} matches, {stats.matched} of {stats.participants} people matched, "
        f"total score {result.total_score:.3f} ({result.solver} solver, seed {result.seed}, "
        f"{stats.seconds:.2f} s)",
        file=stream,
    )
    if result.holdout:
        print(f"held out at random: {', '.join(result.holdout)}", file=stream)
    if result.sit_out:
        print("sitting out (give them priority next round):", file=stream)
        why = result.sit_out_reasons or ("",) * len(result.sit_out)
        for person, reason in zip(result.sit_out, why, strict=True):
            print(f"  {person}: {reason}" if reason else f"  {person}", file=stream)


def handle(args: argparse.Namespace) -> int:
    """Run ``bridgework pair``."""
    import gc
    import json
    import secrets

    bar = progress_bar(args, "pairing", _STEPS)
    inputs, status = _load(args, bar)
    if inputs is None:
        if bar is not None:
            bar.abandon()
        return status
    from bridgework.datasets.pairing_io import write_pairing_csv
    from bridgework.matching import check_matching, pair

    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    result = pair(
        inputs["participants"],
        history=inputs["history"],
        exclusions=inputs["exclusions"],
        ties=inputs["ties"],
        weak_ties=inputs["weak_ties"],
        policy=inputs["policy"],
        round_date=inputs["round_date"],
        seed=seed,
        solver=args.solver,
        progress=(lambda stage, fraction: bar.within("pairing", fraction, stage))
        if bar is not None
        else None,
    )
    if bar is not None:
        bar.step("check")
    broken = check_matching(
        result.matches,
        inputs["participants"],
        history=inputs["history"],
        exclusions=inputs["exclusions"],
        policy=inputs["policy"],
        round_date=inputs["round_date"],
        holdout=result.holdout,
    )
    # The inputs are checked: free the history and exclusions (millions of rows) before the
    # output is built.
    inputs["history"] = inputs["exclusions"] = inputs["ties"] = None
    if bar is not None:
        bar.step("write")
    if broken:
        if bar is not None:
            bar("stopped", 1.0)
        for violation in broken:
            print(f"rule broken: {violation}", file=sys.stderr)
        return 1
    if args.json:
        # One line, from json's C encoder (an indented dump goes through its pure-Python
        # encoder: 10 s for a million people); the collector paused meanwhile, as the
        # dictionaries and lists made for it hold no cycle.
        gc.disable()
        try:
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False))
        finally:
            gc.enable()
        sys.stdout.write("\n")
    elif args.out:
        write_pairing_csv(result, args.out)
        print(
            f"wrote {args.out}: {len(result.matches)} matches, seed {result.seed}", file=sys.stderr
        )
    else:
        _summary(result, sys.stdout)
    if bar is not None:
        bar("done", 1.0)
    return 0
