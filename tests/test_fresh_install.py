"""Every command works after `pip install .`: a fresh virtual environment, the project without extras, every
subcommand on the example organization: exit 0 or 1, never a traceback.

pip reaches PyPI for the dependencies (here and in CI); its cache makes later runs quick.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "tests/data/realdata/chinook/Employee.csv"

# Arguments for each command on the example organization (P01 is its top, P02 and P03 report to P01).
ARGS: dict[str, list[list[str]]] = {
    "demo": [[]],
    "load": [[str(CSV)], ["--summary", "json", str(CSV)]],
    "sources": [[]],
    "unload": [["Employee.csv"], ["no-such-source"]],
    "validate": [[]],
    "push": [[]],  # to a closed loopback port (see GLOBAL): a one-line error
    "who": [["P02"], ["daniel reyes", "--format", "json"], ["nobody at all"]],
    "manager": [["P02"]],
    "chain": [["P03"]],
    "reports": [["P01"], ["P01", "--all"]],
    "peers": [["P02"]],
    "common-manager": [["P02", "P03"]],
    "span": [[]],
    "search": [["product"]],
    "stats": [[], ["--format", "json"]],
    "roles": [[]],
    "role": [["Product Manager"]],
    "explain": [["Product Owner", "Product Manager"]],
    "compare": [["Product Owner", "Product Manager"], ["Product Owner", "no such role"]],
    "titles": [[], ["--format", "json"]],
    "query": [["-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"], ["headcount-by-unit"], ["vacancies"]],
    "queries": [[], ["manager-chain"]],
    "path": [["P02", "P03"]],
    "centrality": [[], ["--metric", "betweenness"]],
    "layers": [[]],
    "health": [[]],
    "communities": [[]],
    "viz": [["-o", "{tmp}/chart.html"]],
    "export": [["-o", "{tmp}/chart.svg"], ["--format", "d3-csv", "-o", "{tmp}/d3.csv"],
               ["--format", "turtle", "-o", "{tmp}/org.ttl"]],
}

# Global options a command needs (given before it).
GLOBAL = {"push": ["--endpoint", "http://127.0.0.1:9/sparql", "--update-endpoint", "http://127.0.0.1:9/update"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def fresh_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `kg` script of a new virtual environment holding the project installed without extras."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    result = subprocess.run([*pip, str(ROOT)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return venv / "bin" / "kg"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KG_STORE", "KG_ENDPOINT")}
    return env | {"PYTHONDONTWRITEBYTECODE": "1"}


def _run(kg: Path, store: Path, name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(kg), "--store", str(store), *GLOBAL.get(name, []), name, *args],
                          capture_output=True, text=True, timeout=300, env=_env(), cwd=cwd)


@pytest.mark.slow
def test_every_command_after_a_plain_install(fresh_kg: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    work = tmp_path / "work"
    work.mkdir()
    # the installed package, not this checkout
    where = subprocess.run([str(fresh_kg.parent / "python"), "-c", "import kg, pyshacl; print(kg.__file__)"],
                           capture_output=True, text=True, env=_env(), cwd=work, timeout=60)
    assert where.returncode == 0 and str(ROOT) not in where.stdout, where.stderr
    commands = sorted(main.commands)  # type: ignore[attr-defined]
    assert set(ARGS) <= set(commands) | {"serve"}
    ran = []
    for name in ["demo"] + [c for c in commands if c not in ("demo", "serve")]:
        for args in ARGS.get(name, [[]]):
            args = [a.replace("{tmp}", str(tmp_path)) for a in args]
            result = _run(fresh_kg, store, name, *args, cwd=work)
            output = result.stdout + result.stderr
            allowed = (0, 1) if name in ARGS else (0, 1, 2)  # a command added later, run without arguments
            assert result.returncode in allowed and "Traceback" not in output, (name, args, output[-2000:])
            if result.returncode == 1:
                assert result.stderr.strip(), (name, args)  # an error says what went wrong
            ran.append(name)
    assert "validate" in ran and "stats" in ran
    # kg validate runs the SHACL shapes (pySHACL installed as a dependency, not an extra)
    validate = _run(fresh_kg, store, "validate", cwd=work)
    assert "ModuleNotFoundError" not in validate.stderr and "SHACL" in validate.stdout + validate.stderr
    # kg serve answers a query, then stops on SIGTERM
    port = _free_port()
    server = subprocess.Popen([str(fresh_kg), "--store", str(store), "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=work)
    try:
        url = f"http://127.0.0.1:{port}/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
        answer = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
                    answer = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "true" in answer
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=30)
    assert "Traceback" not in err


def test_pyshacl_is_a_dependency_not_an_extra() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(d.startswith("pyshacl") for d in project["dependencies"])  # kg validate needs it
