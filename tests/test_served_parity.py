"""kg's client talks to kg's server: every lookup gives the same JSON on the embedded store and through
`kg serve` + `kg --endpoint` (the remote code path, in every CI run: no Virtuoso needed)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from serving import serving

from kg.cli import main
from kg.ingest.load import load_files
from kg.store import opened

NO_ENV = {"KG_ENDPOINT": None, "KG_UPDATE_ENDPOINT": None, "KG_GRAPH_STORE": None, "KG_STORE": None}
HEFCE = "uk-organogram-hefce/HEFCE_organogram_{}_data_31032011.csv"
HMRC = "uk-organograms/300913-HMRC-Organogram-Final-senior.csv"


def kg(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=NO_ENV)


def same_answers(endpoint: str, store: Path, commands: list[list[str]]) -> None:
    """Each command gives byte-identical JSON on the embedded store and through the endpoint."""
    for command in commands:
        local = kg("--store", str(store), *command, "--format", "json")
        remote = kg("--endpoint", endpoint, *command, "--format", "json")
        assert local.exit_code == 0, (command, local.output)
        assert remote.exit_code == 0, (command, remote.output)
        assert json.loads(local.stdout) not in (None, [], {}), command  # a comparison worth making
        assert remote.stdout == local.stdout, command


def test_example_organization_same_answers(example_store: Path) -> None:
    with serving(example_store, "--workers", "2") as running:
        endpoint = running.endpoint
        same_answers(endpoint, example_store, [
            ["who", "P19"], ["who", "Isabel Costa"], ["who", "P18"], ["who", "P28"],
            ["manager", "P19"], ["chain", "P19"], ["chain", "P52"],
            ["reports", "P08"], ["reports", "--all", "P02"], ["reports", "--all", "--depth", "2", "P01"],
            ["peers", "P13"], ["common-manager", "P19", "P22"], ["common-manager", "P19", "P02"],
            ["span", "--top", "50"], ["search", "product"], ["search", "costa"], ["stats"], ["sources"],
            ["path", "P19", "P22"], ["layers"], ["health"], ["centrality"],
            ["query", "vacancies"], ["query", "dotted-lines"], ["query", "headcount-by-unit"],
            ["query", "portfolio-products"], ["query", "manager-chain", "--param", "person=P19"],
            ["query", "who-holds-role", "--param", "role=Product Owner"],
        ])


def test_real_organogram_same_answers(real: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    with opened(store, write=True) as db:
        load_files(db, [real / HEFCE.format("senior"), real / HEFCE.format("junior"), real / HMRC])
    everyone = json.loads(kg("--store", str(store), "reports", "--all", "OD101", "--format", "json").stdout)
    deepest = max(everyone, key=lambda p: p["depth"])["id"]
    top = json.loads(kg("--store", str(store), "chain", deepest, "--format", "json").stdout)[-1]["id"]
    with serving(store, "--workers", "2") as running:
        endpoint = running.endpoint
        same_answers(endpoint, store, [
            ["who", "OD101"], ["who", deepest], ["manager", deepest], ["chain", deepest], ["chain", "90115"],
            ["reports", top], ["reports", "--all", "OD101"], ["reports", "--all", "90334"], ["peers", deepest],
            ["common-manager", deepest, everyone[-1]["id"]], ["span", "--top", "200"],
            ["search", "director"], ["search", "a", "--limit", "500"], ["stats"], ["sources"], ["layers"],
            ["health"],
        ])


def test_client_errors_through_kg_serve(example_store: Path) -> None:
    with serving(example_store, "--workers", "2") as running:
        endpoint = running.endpoint
        missing = kg("--endpoint", endpoint, "who", "Nobody Of That Name")
        local = kg("--store", str(example_store), "who", "Nobody Of That Name")
        assert missing.exit_code == local.exit_code == 1 and missing.stderr == local.stderr
        update = kg("--endpoint", endpoint, "query", "-e", "DROP ALL")
        assert update.exit_code == 1 and "update" in update.stderr and "Traceback" not in update.output
        assert json.loads(kg("--endpoint", endpoint, "stats", "--format", "json").stdout)["posts"] > 0
