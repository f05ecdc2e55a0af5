"""Every third-party module the code imports is declared in setup.cfg: the packages' imports in
`install_requires`, the tests' and benches' in it or the `test` extra. An undeclared import works
here only because something else happened to pull it in."""
import ast
import configparser
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"hall", "kiosk", "displays", "firmware_bridge", "tests", "bench", "wait_eval"}


def requirement_names(text):
    names = set()
    for line in text.strip().splitlines():
        m = re.match(r"\s*([A-Za-z0-9_.\-]+)", line)
        if m:
            names.add(re.sub(r"[-_.]+", "-", m.group(1)).lower())
    return names


def declared():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    runtime = requirement_names(cfg["options"]["install_requires"])
    return runtime, runtime | requirement_names(cfg["options.extras_require"]["test"])


def imported(*folders):
    """Top-level third-party module names imported anywhere under `folders`."""
    out = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    out |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    out.add(node.module.split(".")[0])
    return {m for m in out if m not in sys.stdlib_module_names and m not in OURS}


def undeclared(modules, names):
    dists = packages_distributions()
    missing = []
    for m in sorted(modules):
        owners = {re.sub(r"[-_.]+", "-", d).lower() for d in dists.get(m, [])}
        if not owners:
            missing.append(f"{m} (not installed)")
        elif not owners & names:
            missing.append(f"{m} (from {', '.join(sorted(owners))})")
    return missing


@pytest.mark.parametrize("folders,extra", [(("hall", "kiosk", "displays", "firmware_bridge"), False),
                                           (("tests", "bench"), True)])
def test_every_import_is_declared(folders, extra):
    runtime, with_tests = declared()
    assert undeclared(imported(*folders), with_tests if extra else runtime) == []
