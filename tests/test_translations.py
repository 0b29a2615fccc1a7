"""The Spanish catalogue is complete and current: extracting the messages afresh from the
code and templates (Django's ``makemessages``, into a copy of the package) finds no string
without a translation, no fuzzy guess and no obsolete entry; and every catalogue compiles."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

PACKAGE = Path(settings.LOCALE_PATHS[0]).parent
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, polib.POFile]:
    """Each catalogue as ``makemessages`` leaves it after re-reading the sources."""
    copy = tmp_path_factory.mktemp("messages") / "bridgework"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("dist", "__pycache__", "*.mo", "migrations"),
    )
    command = [
        sys.executable,
        "-m",
        "django",
        "makemessages",
        "--no-location",
        "--ignore=static/*",
        *(f"--locale={code}" for code in LANGUAGES),
    ]
    result = subprocess.run(
        command,
        cwd=copy,
        env={"DJANGO_SETTINGS_MODULE": "bridgework.server.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {
        code: polib.pofile(str(copy / "locale" / code / "LC_MESSAGES" / "django.po"))
        for code in LANGUAGES
    }


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_has_a_translation(extracted, code):
    missing = [
        entry.msgid
        for entry in extracted[code]
        if not entry.obsolete
        and (
            not (entry.msgstr or (all(entry.msgstr_plural.values()) and entry.msgstr_plural))
            or "fuzzy" in entry.flags
        )
    ]
    assert missing == [], f"untranslated or fuzzy in {code}/django.po (run makemessages): {missing}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalogue_has_no_obsolete_entries_and_matches_the_committed_file(extracted, code):
    obsolete = [entry.msgid for entry in extracted[code] if entry.obsolete]
    assert obsolete == [], f"strings no longer used, remove from {code}/django.po: {obsolete}"
    committed = polib.pofile(str(PACKAGE / "locale" / code / "LC_MESSAGES" / "django.po"))
    assert {e.msgid for e in committed if not e.obsolete} == {
        e.msgid for e in extracted[code] if not e.obsolete
    }


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalogue_compiles_with_its_placeholders_checked(code, tmp_path):
    source = PACKAGE / "locale" / code / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", f"--output-file={tmp_path / 'django.mo'}", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_check_notices_a_missing_translation(tmp_path):
    """The completeness rule applied to a catalogue with one empty entry fails."""
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Save", msgstr="Guardar"))
    po.append(polib.POEntry(msgid="Send", msgstr=""))
    untranslated = [e.msgid for e in po if not e.msgstr]
    assert untranslated == ["Send"]
