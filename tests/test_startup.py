"""Start-up: a lookup imports only what it needs (no rdflib, networkx, scipy, pyvis or pySHACL; no pyoxigraph
where the chart index answers, so the Oxigraph database is not opened), and `kg --help` opens no store.

Each command runs in its own interpreter, as a user runs it; a small wrapper prints the modules loaded when the
command has finished. Times are measured in benchmarks/, never here.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SENIOR = ROOT / "tests/data/realdata/uk-organograms/300913-Natural-England-Organogram-senior.csv"
HEAVY = ("rdflib", "networkx", "scipy", "pyvis", "pyshacl", "numpy", "pandas", "matplotlib")

# Runs kg's CLI, then (even when it exits) prints every top-level module loaded, as JSON, on the last line.
WRAPPER = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}))))
sys.argv = ['kg'] + sys.argv[1:]
from kg.cli import main
main()
"""


def _modules(*args: str) -> tuple[set[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    *out, last = done.stdout.rstrip("\n").split("\n")
    return set(json.loads(last)), "\n".join(out)


def _deepest(path: Path) -> tuple[str, int]:
    """The post furthest from the top of the senior file, and its depth (computed from the file)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        boss = {r["Post Unique Reference"]: r["Reports to Senior Post"] for r in csv.DictReader(f)}

    def depth(post: str) -> int:
        n, seen = 0, {post}
        while boss.get(post) in boss and boss[post] not in seen:
            post = boss[post]
            seen.add(post)
            n += 1
        return n

    best = max(sorted(boss), key=depth)
    return best, depth(best)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("startup") / "store"
    _modules("--store", str(path), "load", str(SENIOR))
    return path


def test_help_imports_nothing_heavy() -> None:
    loaded, out = _modules("--help")
    assert "Usage:" in out
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert not loaded & {"pyoxigraph", "sqlite3"}  # --help opens no store


@pytest.mark.parametrize("command", ["chain", "who", "manager", "reports"])
def test_lookup_imports_nothing_heavy(store: Path, command: str) -> None:
    post, depth = _deepest(SENIOR)
    loaded, out = _modules("--store", str(store), command, post, "--format", "json")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "pyoxigraph" not in loaded  # answered from the chart index: the Oxigraph database is not even opened
    if command == "chain":  # the answer is real: one manager per level above the deepest post
        assert len(json.loads(out)) == depth


@pytest.mark.parametrize("command", [["span", "--top", "3"], ["stats"], ["reports", "--all"]])
def test_whole_organization_answers_import_nothing_heavy(store: Path, command: list[str]) -> None:
    args = ["--store", str(store), *command]
    if command[0] == "reports":
        with SENIOR.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        top = next(r["Post Unique Reference"] for r in rows if r["Reports to Senior Post"] == "XX")
        args.insert(3, top)
    loaded, out = _modules(*args, "--format", "json")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert json.loads(out)
    if command[0] != "stats":  # stats counts dotted lines and titles by SPARQL; the others need no database
        assert "pyoxigraph" not in loaded


def _launch(*args: str, columns: str) -> subprocess.CompletedProcess[str]:
    """`kg ARGS` through the console script's entry point (kg.launch), named `kg` as installed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": columns}
    code = "import sys; sys.argv[0] = 'kg'; from kg.launch import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120)


def _click(*args: str, columns: str) -> str:
    """What click itself prints for `kg ARGS` at that width."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": columns}
    code = "from kg.cli import main; main(prog_name='kg')"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          timeout=120).stdout


def test_stored_help_is_what_click_renders() -> None:
    stored = (ROOT / "kg" / "data" / "cli_help.txt").read_text(encoding="utf-8")
    assert stored == _click("--help", columns="80"), "run scripts/build_cli_help.py"
    for flag in ("--help", "-h"):
        shown = _launch(flag, columns="120")
        assert shown.returncode == 0 and shown.stdout == stored == _click(flag, columns="120")


def test_launch_takes_click_for_narrow_terminals_and_everything_else() -> None:
    narrow = _launch("--help", columns="60")
    assert narrow.stdout == _click("--help", columns="60") != (ROOT / "kg/data/cli_help.txt").read_text()
    roles = _launch("roles", "--help", columns="100")
    assert roles.returncode == 0 and roles.stdout == _click("roles", "--help", columns="100")
    assert "Usage: kg roles" in roles.stdout
    wrong = _launch("no-such-command", columns="100")
    assert wrong.returncode == 2 and "No such command" in wrong.stderr
