"""Collecting the static files for production once per version of them.

``collectstatic`` with whitenoise's compressed manifest storage hashes and compresses every
file (about 40 s of CPU), and ``serve --production`` used to run it at every start. Now a
digest of every static source (each file's path and bytes, as Django's finders list them,
with the storage and ``STATIC_URL``) is stored beside the manifest when it is written; a
server that finds the manifest and the same digest starts at once, and any change to a
source, a missing manifest or a missing digest collects again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command

__all__ = ["STAMP_NAME", "collect_static", "sources_digest", "static_is_current"]

#: The digest's file, beside the manifest in ``STATIC_ROOT``.
STAMP_NAME = "bridgework-sources.sha256"
#: The manifest whitenoise's storage writes (Django's ``ManifestFilesMixin.manifest_name``).
MANIFEST_NAME = "staticfiles.json"


def sources_digest() -> str:
    """SHA-256 over every static source (path and bytes, in path order) and the settings
    that shape what ``collectstatic`` writes."""
    digest = hashlib.sha256()
    digest.update(repr((settings.STATIC_URL, settings.STORAGES["staticfiles"])).encode())
    files: dict[str, str] = {}
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            files.setdefault(path, storage.path(path))  # the first finder wins, as collecting
    for path in sorted(files):
        digest.update(path.encode() + b"\0")
        with open(files[path], "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def static_is_current(root: Path, digest: str) -> bool:
    """Whether ``root`` holds a manifest collected from sources with ``digest``."""
    stamp = root / STAMP_NAME
    return (
        (root / MANIFEST_NAME).is_file() and stamp.is_file() and stamp.read_text().strip() == digest
    )


def collect_static() -> bool:
    """Run ``collectstatic`` unless ``STATIC_ROOT`` is current; whether it ran."""
    root = Path(settings.STATIC_ROOT)
    digest = sources_digest()
    if static_is_current(root, digest):
        return False
    (root / STAMP_NAME).unlink(missing_ok=True)  # a collect cut short leaves no stamp
    call_command("collectstatic", "--no-input", "-v", "0")
    partial = root / f"{STAMP_NAME}.{os.getpid()}"
    partial.write_text(digest + "\n")
    partial.replace(root / STAMP_NAME)
    return True
