"""The foundation CLI through click's CliRunner: every lookup in table and JSON form, loads, errors."""

from __future__ import annotations

import csv
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main


def kg(store: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def kg_json(store: Path, *args: str):  # type: ignore[no-untyped-def]
    code, out, err = kg(store, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


PERSON_KEYS = {"id", "name", "title", "iri"}


def test_who_table_and_json(example_store: Path) -> None:
    code, out, _ = kg(example_store, "who", "Isabel Costa")
    assert code == 0 and "Product Owner, Docs" in out and "Yuki Tanaka [P14]" in out
    profile = kg_json(example_store, "who", "P19")
    assert PERSON_KEYS <= set(profile)
    assert (profile["id"], profile["name"], profile["role"], profile["unit"]) == (
        "P19", "Isabel Costa", "Product Owner", "Product")
    assert profile["manager"] == {"id": "P14", "name": "Yuki Tanaka", "title": "Sr. Product Manager, Docs",
                                  "iri": profile["manager"]["iri"]}
    assert profile["direct_reports"] == 0 and profile["headcount"] == 0
    assert kg_json(example_store, "who", "P02")["headcount"] == 27


def test_manager(example_store: Path) -> None:
    assert kg_json(example_store, "manager", "P19")["id"] == "P14"
    assert kg_json(example_store, "manager", "P01") is None
    code, out, _ = kg(example_store, "manager", "P19")
    assert code == 0 and "Yuki Tanaka" in out


def test_chain(example_store: Path) -> None:
    chain = kg_json(example_store, "chain", "P19")
    assert [p["id"] for p in chain] == ["P14", "P09", "P08", "P06", "P02", "P01"]
    assert all(set(p) == PERSON_KEYS for p in chain)
    code, out, _ = kg(example_store, "chain", "P19")
    assert out.splitlines()[2].startswith("P14") and out.splitlines()[-1].startswith("P01")
    assert kg_json(example_store, "chain", "P01") == []


def test_reports(example_store: Path) -> None:
    direct = kg_json(example_store, "reports", "P13")
    assert sorted(p["id"] for p in direct) == ["P17", "P18", "P23", "P24", "P50"]
    everyone = kg_json(example_store, "reports", "P08", "--all")
    assert len(everyone) == 9 and {p["depth"] for p in everyone} == {1, 2, 3}
    two = kg_json(example_store, "reports", "P08", "--all", "--depth", "2")
    assert {p["id"] for p in two} == {"P09", "P10", "P14", "P15", "P16"}
    code, out, _ = kg(example_store, "reports", "P08", "--format", "csv")
    assert out.splitlines()[0] == "id,name,title" and len(out.splitlines()) == 3


def test_peers_and_common_manager(example_store: Path) -> None:
    assert {p["id"] for p in kg_json(example_store, "peers", "P19")} == set()
    assert {p["id"] for p in kg_json(example_store, "peers", "P15")} == {"P14"}
    assert kg_json(example_store, "common-manager", "P19", "P22")["id"] == "P02"
    assert kg_json(example_store, "common-manager", "P19", "P14")["id"] == "P14"
    code, out, _ = kg(example_store, "common-manager", "P36", "P44")
    assert code == 0 and "Amara Okafor" in out


def test_span_search_stats(example_store: Path) -> None:
    span = kg_json(example_store, "span", "--top", "3")
    assert [(s["id"], s["direct_reports"], s["headcount"]) for s in span][:2] == [("P01", 5, 51), ("P13", 5, 6)]
    found = kg_json(example_store, "search", "portfolio owner")
    assert {p["id"] for p in found} == {"P11", "P12"}
    stats = kg_json(example_store, "stats")
    assert stats["posts"] == 52 and stats["named_people"] == 51 and stats["roots"] == 1
    assert stats["vacancies"] == 1 and stats["dotted_lines"] == 3
    code, out, _ = kg(example_store, "stats")
    assert code == 0 and "reporting edges" in out


def test_sources_and_unload(example_store: Path) -> None:
    names = {s["name"] for s in kg_json(example_store, "sources")}
    assert names == {"example_org.csv", "example_portfolios.ttl"}
    code, out, _ = kg(example_store, "unload", "example_portfolios.ttl")
    assert code == 0 and "unloaded" in out
    assert {s["name"] for s in kg_json(example_store, "sources")} == {"example_org.csv"}
    code, _, err = kg(example_store, "unload", "nothing.csv")
    assert code == 1 and "no source named 'nothing.csv'" in err


def test_person_resolution(example_store: Path) -> None:
    assert kg_json(example_store, "who", "JOSE ALVAREZ")["id"] == "P08"  # case and accents
    iri = kg_json(example_store, "who", "P08")["iri"]
    assert kg_json(example_store, "who", f"<{iri}>")["id"] == "P08"
    assert kg_json(example_store, "who", "poid:example-product-org/post/P08")["id"] == "P08"
    code, _, err = kg(example_store, "who", "Isabel Costta")
    assert code == 1 and "no person matches 'Isabel Costta'" in err and "Isabel Costa" in err
    assert "Traceback" not in err


def test_ambiguous_name_lists_candidates(tmp_path: Path) -> None:
    f = tmp_path / "twins.csv"
    f.write_text("id,name,manager\n1,Sam Lee,\n2,Sam Lee,1\n")
    assert kg(tmp_path / "s", "load", str(f))[0] == 0
    code, _, err = kg(tmp_path / "s", "who", "sam lee")
    assert code == 1 and "matches 2 people" in err and "1 Sam Lee" in err and "2 Sam Lee" in err


def test_reload_is_idempotent(tmp_path: Path, real: Path) -> None:
    store = tmp_path / "s"
    f = real / "chinook/Employee.csv"
    kg(store, "load", str(f))
    first = kg_json(store, "sources")
    kg(store, "load", str(f))
    second = kg_json(store, "sources")
    assert len(second) == 1 and first[0]["triples"] == second[0]["triples"]
    assert kg_json(store, "stats")["posts"] == 8


def _visible(store: Path) -> tuple:
    from kg.store import opened

    with opened(store) as s:
        quads = sorted(str(q) for q in s.db.quads_for_pattern(None, None, None, None)
                       if q.graph_name in s.graphs())
        return tuple(quads), tuple(x.name for x in s.sources())


def test_failing_load_leaves_store_unchanged(tmp_path: Path, real: Path) -> None:
    store = tmp_path / "s"
    kg(store, "load", str(real / "chinook/Employee.csv"))
    before = _visible(store)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,manager\n1,Ann,\n,Nobody,1\n")
    good = tmp_path / "Employee.csv"  # same source name as the loaded one: would replace it
    good.write_text("id,name,manager\n9,Zed,\n")
    code, out, err = kg(store, "load", str(good), str(bad))
    assert code == 1 and "bad.csv: row 2" in err and "Traceback" not in err
    assert _visible(store) == before
    code, _, err = kg(store, "load", str(tmp_path / "broken.ttl"))
    assert code == 1 and "no such file" in err
    (tmp_path / "broken.ttl").write_text('@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:d ex:e "oops .\n')
    code, _, err = kg(store, "load", str(tmp_path / "broken.ttl"))
    assert code == 1 and "broken.ttl" in err and "line 3 column 11" in err
    assert _visible(store) == before


def test_cycle_never_hangs(tmp_path: Path) -> None:
    f = tmp_path / "loop.csv"
    f.write_text("id,name,manager\n1,Ann,3\n2,Bob,1\n3,Cy,2\n4,Di,1\n")
    code, out, _ = kg(tmp_path / "s", "load", str(f))
    assert "cycles 1: 1 -> 3 -> 2" in out or "cycles 1" in out
    start = time.process_time()  # CPU time: a walk around the ring burns it, a busy machine does not
    code, out, err = kg(tmp_path / "s", "chain", "4")
    assert code == 0 and "reporting cycle" in err
    # The forest cuts the ring 1 -> 3 -> 2 -> 1 at its smallest IRI (post 1): 4's chain ends there
    # (it used to walk around the ring before stopping).
    assert [p["id"] for p in kg_json(tmp_path / "s", "chain", "4")] == ["1"]
    assert len(kg_json(tmp_path / "s", "reports", "1", "--all")) == 3
    assert kg_json(tmp_path / "s", "span")[0]["direct_reports"] == 2
    assert time.process_time() - start < 10


def test_no_store_and_empty_store_messages(tmp_path: Path) -> None:
    code, _, err = kg(tmp_path / "nothing", "who", "x")
    assert code == 1 and "kg load FILE" in err and "kg demo" in err


def test_usage_errors_exit_2(example_store: Path) -> None:
    assert kg(example_store, "chain")[0] == 2
    assert kg(example_store, "who", "P01", "--format", "xml")[0] == 2


def test_load_summary(tmp_path: Path, real: Path) -> None:
    path = real / "uk-organograms/300913-HMRC-Organogram-Final-senior.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        names = [row["Name"] for row in csv.DictReader(f)]
    code, out, _ = kg(tmp_path / "s", "load", str(path))
    assert code == 0
    for expected in (f"{len(names)} rows read", f"posts {len(names)}", "roots 1: OD101",
                     f"not disclosed {names.count('N/D')}", "duplicate ids 5",
                     "top of the chart marked by: 'XX' (1 row)",
                     "dangling manager references 0", "cycles 0"):
        assert expected in out
    code, out, _ = kg(tmp_path / "s", "load", "--summary", "json", str(path))
    assert json.loads(out)[0]["statuses"]["vacant"] == names.count("Vacant")


def test_demo_from_any_directory(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "kg.cli", "demo"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Daniel Reyes" in result.stdout and "Span of control" in result.stdout
    assert (tmp_path / ".kg" / "kg.json").is_file()


def test_help_is_instant_without_store(tmp_path: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([sys.executable, "-m", "kg.cli", "--help"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "Exit codes" in result.stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # its CPU time: a busy machine does not inflate it
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) < 5
    assert not (tmp_path / ".kg").exists()
    leaked = subprocess.run([sys.executable, "-c", "import kg.cli, sys; "
                             "print(sorted(m for m in ('rdflib', 'networkx', 'pyvis') if m in sys.modules))"],
                            capture_output=True, text=True, timeout=60)
    assert leaked.stdout.strip() == "[]"


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_every_lookup_in_every_format(example_store: Path, fmt: str) -> None:
    for args in (["who", "P19"], ["manager", "P19"], ["chain", "P19"], ["reports", "P02"], ["peers", "P19"],
                 ["common-manager", "P19", "P22"], ["span"], ["search", "owner"], ["stats"], ["sources"]):
        code, out, err = kg(example_store, *args, "--format", fmt)
        assert code == 0, (args, err)
        assert out.strip(), args
        if fmt == "json":
            json.loads(out)


def test_global_options_before_or_after_the_command(example_store: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["--store", str(example_store), "who", "P19", "--format", "json"])
    after = runner.invoke(main, ["who", "P19", "--store", str(example_store), "--format", "json"])
    before = runner.invoke(main, ["--format", "json", "--store", str(example_store), "who", "P19"])
    equals = runner.invoke(main, ["who", "--format=json", "P19", f"--store={example_store}"])
    assert first.exit_code == after.exit_code == before.exit_code == equals.exit_code == 0, after.output
    assert json.loads(first.stdout)["id"] == "P19"
    assert first.stdout == after.stdout == before.stdout == equals.stdout
    # an option the command defines itself stays the command's (`kg load --as-of` dates a snapshot)
    missing = runner.invoke(main, ["--store", str(example_store), "load", "nothing.csv", "--as-of", "2020-01-01"])
    assert missing.exit_code == 1 and "nothing.csv" in missing.output


def test_a_node_off_the_chart_is_one_line(example_store: Path) -> None:
    """An IRI that is in the data but no person or post (a role) gets a one-line answer from every lookup."""
    for command in (["who"], ["chain"], ["manager"], ["reports", "--all"], ["peers"]):
        code, out, err = kg(example_store, *command, "po:HeadOfProduct")
        assert code == 1 and out == "", command
        assert err.count("\n") == 1 and "not a person or post" in err and "Traceback" not in err, command
