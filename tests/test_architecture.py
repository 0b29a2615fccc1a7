"""The import rules of docs/architecture.md, enforced: every contract in pyproject.toml holds."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"


def _contracts() -> list[dict]:
    return tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]


def test_the_layers_core_and_ground_floor_contracts_are_configured():
    ids = {contract["id"] for contract in _contracts()}
    assert {"layers", "pure-core", "ground-floor"} <= ids


def test_every_import_contract_is_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    output = capsys.readouterr().out
    assert code == 0, output
    assert f"{len(_contracts())} kept, 0 broken" in output


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
    code = lint_imports(config_filename=str(config), no_cache=True, no_logo=True)
    output = capsys.readouterr().out
    assert code != 0
    assert "BROKEN" in output
