"""``bridgework backup`` and ``bridgework restore``: one network to a file and back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bridgework.cli import EXIT_INVALID


def backup(args: argparse.Namespace) -> int:
    from bridgework.commands.web import _django

    _django()
    from bridgework.audit.models import Action
    from bridgework.audit.services import audit_record
    from bridgework.directory.models import Network
    from bridgework.governance.backup import network_backup

    network = Network.objects.filter(slug=args.network).first()
    if network is None:
        print(f"no network with the slug {args.network!r}", file=sys.stderr)
        return EXIT_INVALID
    path = Path(args.file)
    if not path.parent.is_dir():
        print(f"{path.parent}: no such directory", file=sys.stderr)
        return EXIT_INVALID
    counts = network_backup(network=network, path=path)
    audit_record(
        network=network,
        action=Action.NETWORK_BACKED_UP,
        details={"file": path.name, "rows": sum(counts.values())},
    )
    print(
        f"backed up {network.slug}: {sum(counts.values())} rows in {len(counts)} tables to {path}"
    )
    return 0


def restore(args: argparse.Namespace) -> int:
    from bridgework.commands.web import _django

    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)  # an empty database gets tables
    from bridgework.audit.models import Action
    from bridgework.audit.services import audit_record
    from bridgework.governance.backup import BackupError, network_restore

    try:
        network, counts = network_restore(path=Path(args.file))
    except FileNotFoundError:
        print(f"{args.file}: no such file", file=sys.stderr)
        return EXIT_INVALID
    except BackupError as exc:
        print(f"{args.file}: {exc} Nothing was restored.", file=sys.stderr)
        return EXIT_INVALID
    audit_record(
        network=network,
        action=Action.NETWORK_RESTORED,
        details={"file": Path(args.file).name, "rows": sum(counts.values())},
    )
    print(f"restored {network.slug}: {sum(counts.values())} rows in {len(counts)} tables")
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("backup", help="write one network's data to a file")
    p.add_argument("file", help="the backup file to write (gzipped JSON, e.g. network.json.gz)")
    p.add_argument("--network", required=True, help="the network's slug")
    p.set_defaults(handler=backup)

    p = subparsers.add_parser("restore", help="restore a network from a backup file")
    p.add_argument("file", help="a file written by bridgework backup")
    p.set_defaults(handler=restore)
