"""The catalogues are complete and current: extracting the messages afresh from the code and
templates (Django's ``makemessages``, into a copy of the package) finds no obsolete entry and
no string the committed catalogue lacks; every string a respondent or participant can see has
a translation that is not a fuzzy guess; and every catalogue compiles.

Strings only coordinators, owners and analysts see are marked for translation too, but may
wait for a translator: they fall back to English. A string counts as a coordinator's only when
*every* place it is used (the ``#:`` references ``makemessages`` writes) is one of the
coordinator-only sources below, so a string also used on a respondent's page, or in a file not
listed, must be translated."""

from __future__ import annotations

import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import polib
import pytest
from django.conf import settings

PACKAGE = Path(settings.LOCALE_PATHS[0]).parent
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]

# Templates and modules seen only by signed-in staff (paths inside the package; ``*`` also
# crosses folders). Everything else is respondent-facing: personal-link pages, the public
# sign-up, emails to respondents and participants, and the shared base, components and
# error pages.
COORDINATOR_SOURCES = (
    "templates/accounts/*",
    "templates/api/*",
    "templates/audit/*",
    "templates/components/form_page.html",
    "templates/components/pagination.html",
    "templates/components/token_table.html",
    "templates/directory/*",
    "templates/governance/*",
    "templates/jobs/*",
    "templates/mail/_mode_banner.html",
    "templates/mail/index.html",
    "templates/mail/show.html",
    "templates/ona/imports/*",
    "templates/ona/results/*",
    "templates/ona/roles/index.html",
    "templates/ona/waves/*",
    "templates/programmes/confirm.html",
    "templates/programmes/form.html",
    "templates/programmes/guides/*",
    "templates/programmes/programmes/*",
    "templates/programmes/rounds/*",
    "templates/reports/*",
    "templates/scim/*",
    "templates/surveys/form.html",
    "templates/surveys/processes/*",
    "templates/surveys/results/*",
    "templates/surveys/waves/*",
    "templates/web/networks.html",
    "templates/waves/*",
    "templates/web/tokens.html",
    "accounts/*",
    "api/*",
    "audit/*",
    "directory/*",
    "governance/*",
    "jobs/*",
    "mail/models.py",
    "ona/jobs.py",
    "ona/views/results.py",
    "ona/views/waves.py",
    "programmes/jobs.py",
    "programmes/views/dashboard.py",
    "programmes/views/guides.py",
    "programmes/views/programmes.py",
    "programmes/views/rounds.py",
    "scim/*",
    "surveys/jobs.py",
    "surveys/views/processes.py",
    "surveys/views/progress.py",
    "surveys/views/results.py",
    "surveys/views/waves.py",
    "waves/jobs.py",
    "waves/views.py",
    "web/context_processors.py",
    "web/tenancy.py",
    "web/views/home.py",
    "web/views/tokens.py",
)
# Sources every respondent or participant sees: none may be taken for a coordinator's.
RESPONDENT_SOURCES = (
    "templates/base.html",
    "templates/components/field.html",
    "templates/components/form.html",
    "templates/components/messages.html",
    "templates/errors/error.html",
    "templates/mail/emails/plain.html",
    "templates/ona/emails/invitation.txt",
    "templates/ona/respond/start.html",
    "templates/ona/roles/respond.html",
    "templates/programmes/emails/intro.txt",
    "templates/programmes/participant/me.html",
    "templates/surveys/emails/invitation.txt",
    "templates/surveys/respond/step.html",
    "templates/web/too_many_requests.html",
    "ona/forms.py",
    "programmes/forms.py",
    "surveys/forms.py",
)

pytestmark = pytest.mark.slow


def coordinator_only(entry: polib.POEntry) -> bool:
    """Whether every use of the string is on a coordinator-only page or module."""
    files = [path for path, _ in entry.occurrences]
    return bool(files) and all(
        any(fnmatch(path, pattern) for pattern in COORDINATOR_SOURCES) for path in files
    )


def translated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def untranslated_for_respondents(catalogue: polib.POFile) -> list[str]:
    """The strings a respondent can see that have no translation (or only a fuzzy one)."""
    return [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and not coordinator_only(entry) and not translated(entry)
    ]


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
        "--add-location=file",
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
def test_every_respondent_facing_message_has_a_translation(extracted, code):
    missing = untranslated_for_respondents(extracted[code])
    assert missing == [], f"untranslated or fuzzy in {code}/django.po (run makemessages): {missing}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_translation_is_a_fuzzy_guess(extracted, code):
    fuzzy = [e.msgid for e in extracted[code] if not e.obsolete and "fuzzy" in e.flags]
    assert fuzzy == [], f"fuzzy in {code}/django.po: check and remove the flag: {fuzzy}"


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


def test_each_coordinator_source_exists_and_no_respondent_source_is_one():
    files = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*") if path.is_file()]
    unused = [p for p in COORDINATOR_SOURCES if not any(fnmatch(f, p) for f in files)]
    assert unused == [], f"coordinator sources matching no file: {unused}"
    assert all((PACKAGE / path).is_file() for path in RESPONDENT_SOURCES)
    taken = [
        path
        for path in RESPONDENT_SOURCES
        if coordinator_only(polib.POEntry(msgid="x", occurrences=[(path, "")]))
    ]
    assert taken == []


def test_the_check_demands_translations_of_respondent_strings_only():
    """An empty entry fails when any of its uses is respondent-facing, or when it is used
    somewhere the coordinator list does not name; a coordinator-only one may wait."""
    po = polib.POFile()
    cases = {
        "Save": ("Guardar", ["templates/base.html"]),
        "Send": ("", ["templates/surveys/respond/step.html"]),
        "People": ("", ["templates/directory/people/index.html", "directory/forms.py"]),
        "Name": ("", ["templates/directory/people/index.html", "programmes/forms.py"]),
        "Round": ("", ["templates/a_new_folder/page.html"]),
        "Rounds": ("", []),
    }
    for msgid, (msgstr, files) in cases.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, occurrences=[(f, "") for f in files]))
    po.append(
        polib.POEntry(msgid="Yes", msgstr="Sí", flags=["fuzzy"], occurrences=[("ona/forms.py", "")])
    )
    assert untranslated_for_respondents(po) == ["Send", "Name", "Round", "Rounds", "Yes"]
