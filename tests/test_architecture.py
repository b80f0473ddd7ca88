"""The apps depend one way (issue 21): the import contracts in pyproject.toml hold, cover every app, and
would catch an upward import."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from django.conf import settings
from importlinter.configuration import configure
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {c["id"]: c for c in CONFIG["contracts"]}
configure()  # import-linter's own settings (its timer), which its command sets up before checking


def _contract(contract_id: str):
    options = {k: v for k, v in CONTRACTS[contract_id].items() if k not in ("id", "name", "type")}
    kind = {"layers": LayersContract, "forbidden": ForbiddenContract}[CONTRACTS[contract_id]["type"]]
    return kind(name=contract_id, session_options={"root_packages": CONFIG["root_packages"]}, contract_options=options)


def _graph():
    return grimp.build_graph(*CONFIG["root_packages"])


@pytest.fixture
def graph():
    return _graph()


def _with_import(graph, importer: str, imported: str):
    if imported not in graph.modules:
        graph.add_module(imported)
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    return graph


def test_it_keeps_every_import_contract():
    # The command as a developer runs it, in a process of its own: it reconfigures logging (dictConfig), which
    # would silence the loggers of the tests that run after it in this one.
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_every_app_of_the_project_is_in_a_layer():
    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()} - {"branchlife"}
    layered = {name.strip() for layer in CONTRACTS["apps-one-way"]["layers"] for name in layer.split("|")}
    assert ours == layered
    assert set(CONFIG["root_packages"]) == ours | {"branchlife"}


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("meetings.models", "evaluations.quota_probe"),  # meetings under evaluations
        ("rectification.services", "lifecycle.services"),  # a phase under what spans the phases
        ("evaluations.selectors", "rectification.selectors"),  # side by side
        ("lifecycle.selectors", "dashboard.selectors"),
        ("organizations.models", "meetings.models"),
    ],
)
def test_an_upward_or_sideways_import_breaks_the_layers(graph, importer, imported):
    contract = _contract("apps-one-way")
    assert contract.check(_graph(), verbose=False).kept
    assert not contract.check(_with_import(graph, importer, imported), verbose=False).kept


def test_the_project_package_imports_no_app_beyond_its_wiring(graph):
    contract = _contract("kernel-below-apps")
    assert contract.check(graph, verbose=False).kept
    # A check takes the ignored imports out of the graph it is given: the probe gets a graph of its own.
    assert not contract.check(_with_import(_graph(), "branchlife.views", "meetings.models"), verbose=False).kept
