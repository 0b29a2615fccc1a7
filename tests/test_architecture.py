"""The import rules of docs/architecture.md, enforced: every contract in pyproject.toml holds."""

from __future__ import annotations

import ast
import logging
import tomllib
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"


def _contracts() -> list[dict]:
    return tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]


def _lint(config: Path) -> int:
    """import-linter's check, leaving the process's logging as it was: the check configures
    logging with ``dictConfig``, which disables every logger made before it (the app's own),
    and a later test in the same process reading a log would read nothing."""
    loggers = [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    disabled = {logger: logger.disabled for logger in loggers}
    try:
        return lint_imports(config_filename=str(config), no_cache=True, no_logo=True)
    finally:
        for logger, was in disabled.items():
            logger.disabled = was


def test_the_layers_core_and_ground_floor_contracts_are_configured():
    ids = {contract["id"] for contract in _contracts()}
    assert {"layers", "pure-core", "ground-floor"} <= ids


def test_every_import_contract_is_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    app_logger = logging.getLogger("bridgework.scim")
    code = _lint(PYPROJECT)
    output = capsys.readouterr().out
    assert code == 0, output
    assert f"{len(_contracts())} kept, 0 broken" in output
    assert not app_logger.disabled  # the app's logs still reach later tests


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        # Real imports today, so a contract forbidding them must be reported broken.
        ("bridgework.analysis.network", "bridgework.problems"),
        ("bridgework.programmes", "bridgework.directory"),
    ],
)
def test_a_broken_contract_fails_the_check(tmp_path, monkeypatch, capsys, source, forbidden):
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["bridgework"]\n\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "deliberately broken"\ntype = "forbidden"\n'
        f'source_modules = ["{source}"]\nforbidden_modules = ["{forbidden}"]\n'
    )
    monkeypatch.chdir(ROOT)
    code = _lint(config)
    output = capsys.readouterr().out
    assert code != 0
    assert "BROKEN" in output


def _imports_of_other_test_modules(path: Path) -> list[str]:
    """``from tests.x.test_y import …``, ``from tests.x.conftest import …`` and their relative
    forms (``from .test_y import …``, ``from . import conftest``): shared builders belong in
    tests/factories.py (or a named helper module), not in a test module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 0 and not (node.module or "").startswith("tests."):
            continue
        named = [node.module.rsplit(".", 1)[-1]] if node.module else []
        if not node.module:  # from . import test_y
            named = [alias.name for alias in node.names]
        if any(last.startswith("test_") or last == "conftest" for last in named):
            module = "." * node.level + (node.module or ", ".join(named))
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {module}")
    return found


def test_no_test_module_imports_another_test_module():
    offences = [
        line
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for line in _imports_of_other_test_modules(path)
    ]
    assert offences == []


def test_the_test_module_import_check_catches_one(tmp_path):
    sample = ROOT / "tests" / "_sample_for_check.py"
    sample.write_text(
        "from tests.web.test_jobs import something\n"
        "from .conftest import ROUND\n"
        "from . import test_engine\n"
        "from tests.factories import make_network\n"
        "from .builders import rounds\n"
    )
    try:
        assert _imports_of_other_test_modules(sample) == [
            "tests/_sample_for_check.py:1 imports tests.web.test_jobs",
            "tests/_sample_for_check.py:2 imports .conftest",
            "tests/_sample_for_check.py:3 imports .test_engine",
        ]
    finally:
        sample.unlink()


#: Playwright calls that read the page once, without waiting: straight after a click they may
#: read the page before it, which passes or fails with the machine's load.
UNWAITED_READS = {"is_visible", "is_hidden", "wait_for_load_state"}


def _unwaited_reads(source: str, name: str) -> list[str]:
    """Calls of :data:`UNWAITED_READS` in a browser test: checks go through ``expect`` (which
    retries) and a click that moves on goes through ``tests.browser.pages.follow``."""
    return [
        f"{name}:{node.lineno} {node.func.attr}()"
        for node in ast.walk(ast.parse(source, filename=name))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in UNWAITED_READS
    ]


def test_browser_tests_wait_for_what_they_check():
    offences = [
        line
        for path in sorted((ROOT / "tests" / "browser").rglob("*.py"))
        for line in _unwaited_reads(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert offences == []


def test_the_unwaited_read_check_catches_one():
    source = (
        'page.get_by_role("button", name="Save").click()\n'
        'assert page.get_by_text("There is a problem").is_visible()\n'
        "page.wait_for_load_state()\n"
        'expect(page.get_by_text("Saved")).to_be_visible()\n'
    )
    assert _unwaited_reads(source, "sample.py") == [
        "sample.py:2 is_visible()",
        "sample.py:3 wait_for_load_state()",
    ]


#: Public functions of services modules that are not state changes, and why each takes what
#: it takes: helpers the writes share, named in the module so one place defines them.
NOT_WRITES = {
    ("directory", "unique_network_slug"): "a name to a free slug, for network_create",
    ("mail", "lazy_text"): "wraps a text builder for an email body",
    ("mail", "outbox_redact"): "redacts a queryset of outbox rows (retention and erasure)",
    ("ona", "outside_contact_names"): "parses the free-text outside contacts of a form",
    ("waves", "wave_check_open"): "the closed-wave check every write starts with",
}


def _service_signature_offences(path: Path, app: str) -> list[str]:
    """Public functions of a services module taking anything but explicit, typed,
    keyword-only parameters (``def thing_verb(*, a: A, b: B = …)``)."""
    offences = []
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        if (app, node.name) in NOT_WRITES:
            continue
        args = node.args
        where = f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        if args.posonlyargs or args.args:
            offences.append(f"{where}: positional parameters")
        if args.vararg or args.kwarg:
            offences.append(f"{where}: *args or **kwargs hide what it takes")
        untyped = [a.arg for a in args.kwonlyargs if a.annotation is None]
        if untyped or node.returns is None:
            offences.append(f"{where}: untyped {untyped or 'return'}")
    return offences


def _services_modules() -> list[tuple[Path, str]]:
    src = ROOT / "src" / "bridgework"
    found = [(p, p.parent.name) for p in src.glob("*/services.py")]
    found += [(p, p.parent.parent.name) for p in src.glob("*/services/*.py")]
    return sorted(found)


def test_services_take_explicit_typed_keyword_only_parameters():
    assert len(_services_modules()) > 10
    offences = [
        line for path, app in _services_modules() for line in _service_signature_offences(path, app)
    ]
    assert offences == []


def test_the_service_signature_check_catches_hidden_and_positional_parameters(tmp_path):
    sample = ROOT / "tests" / "_sample_services.py"
    sample.write_text(
        "def wave_create(**fields): ...\n"
        "def wave_close(wave) -> None: ...\n"
        "def wave_copy(*, wave, name: str) -> None: ...\n"
        "def wave_update(*, wave: int, name: str = '') -> int: ...\n"
        "def _helper(x): ...\n"
    )
    try:
        assert _service_signature_offences(sample, "surveys") == [
            "tests/_sample_services.py:1 wave_create: *args or **kwargs hide what it takes",
            "tests/_sample_services.py:1 wave_create: untyped return",
            "tests/_sample_services.py:2 wave_close: positional parameters",
            "tests/_sample_services.py:3 wave_copy: untyped ['wave']",
        ]
    finally:
        sample.unlink()
