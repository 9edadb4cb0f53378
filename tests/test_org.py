"""Library-level tests of kg/org.py (the lookups) on real files: every answer equals what networkx computes
from the file itself (read with the csv module), and people are resolved by id, name, IRI or prefixed name
with ambiguity messages that give the true count and tell the candidates apart."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest

from kg import org
from kg.errors import AmbiguousError, NotFoundError
from kg.forest import Forest, node
from kg.ingest.load import load_files
from kg.names import fold
from kg.reading import forest
from kg.store import opened

ROOT = Path(__file__).resolve().parent.parent
D3 = ROOT.parent / "shared" / "realdata" / "d3-org-chart-sample" / "org.csv"
ORACLE = ROOT.parent / "shared" / "realdata" / "d3-org-chart-sample" / "data-oracle.csv"
CHINOOK = ROOT / "tests" / "data" / "realdata" / "chinook" / "Employee.csv"


def _tree(path: Path, ident: str, parent: str) -> tuple[nx.DiGraph, dict[str, dict[str, str]]]:
    """The file's reporting tree (manager -> report), computed with the csv module and networkx."""
    rows = {r[ident].strip(): r for r in csv.DictReader(path.open(encoding="utf-8-sig"))}
    T = nx.DiGraph()
    T.add_nodes_from(rows)
    T.add_edges_from((r[parent].strip(), i) for i, r in rows.items() if r[parent].strip() in rows)
    return T, rows


@pytest.fixture(scope="module")
def d3_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not D3.is_file():
        pytest.skip("the d3 sample is not available here")
    path = tmp_path_factory.mktemp("d3") / "store"
    with opened(path, write=True) as store:
        load_files(store, [D3])
    return path


@pytest.fixture(scope="module")
def oracle_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not ORACLE.is_file():
        pytest.skip("the Oracle HR sample is not available here")
    path = tmp_path_factory.mktemp("oracle") / "store"
    with opened(path, write=True) as store:
        load_files(store, [ORACLE])
    return path


def test_lookups_equal_networkx_on_the_file(oracle_store: Path) -> None:
    T, rows = _tree(ORACLE, "id", "parentId")
    ids = sorted(T, key=lambda i: -len(nx.ancestors(T, i)))  # deepest first
    deep, other = ids[0], ids[-1]
    with opened(oracle_store) as store:
        assert [p["id"] for p in org.chain(store, deep).people] == nx.shortest_path(
            T, next(r for r in T if T.in_degree(r) == 0), deep)[::-1][1:]
        boss = next(iter(T.predecessors(deep)))
        assert org.manager(store, deep)["id"] == boss
        assert {p["id"] for p in org.peers(store, deep)} == set(T.successors(boss)) - {deep}
        top = next(r for r in T if T.in_degree(r) == 0)
        below = org.reports(store, top, all_levels=True)
        assert {p["id"] for p in below} == nx.descendants(T, top)
        assert {(p["id"], p["depth"]) for p in below} == {
            (i, d) for i, d in nx.single_source_shortest_path_length(T, top).items() if i != top}
        assert {p["id"] for p in org.reports(store, boss)} == set(T.successors(boss))
        assert org.common_manager(store, deep, other)["id"] == nx.lowest_common_ancestor(T, deep, other)
        span = org.span(store, top=None)
        assert {(s["id"], s["direct_reports"], s["headcount"]) for s in span} == {
            (m, T.out_degree(m), len(nx.descendants(T, m))) for m in T if T.out_degree(m)}
        profile = org.who(store, top)
        assert profile["headcount"] == len(T) - 1 and profile["direct_reports"] == T.out_degree(top)
        stats = org.stats(store)
        assert stats["posts"] == len(rows) and stats["roots"] == 1 and stats["reporting_edges"] == len(T) - 1


def test_people_are_found_by_id_name_iri_and_prefixed_name(oracle_store: Path) -> None:
    _, rows = _tree(ORACLE, "id", "parentId")
    with opened(oracle_store) as store:
        names = [org.who(store, i)["name"] for i in rows]
        ident = next(i for i, n in zip(rows, names, strict=True) if n and names.count(n) == 1)
        iri = org.resolve(store, ident)
        name = org.who(store, ident)["name"]
        assert name and org.resolve(store, name.upper()) == iri and org.resolve(store, f"  {name.lower()} ") == iri
        assert org.resolve(store, iri) == iri and org.resolve(store, f"<{iri}>") == iri
        prefix = "http://w3id.org/product-org/id/"
        assert iri.startswith(prefix) and org.resolve(store, "poid:" + iri[len(prefix):]) == iri
        with pytest.raises(NotFoundError, match="no person matches"):
            org.resolve(store, "Nobody Anywhere Zzz")


def test_ambiguity_gives_the_true_count_in_a_stable_order(d3_store: Path) -> None:
    names = [r["name"] for r in csv.DictReader(D3.open(encoding="utf-8-sig"))]
    wanted = fold("janet leverling").split()
    expected = sum(1 for n in names if all(w in fold(n).split() for w in wanted))
    assert expected > 50  # more than any LIMIT used to show
    with opened(d3_store) as store:
        with pytest.raises(AmbiguousError) as info:
            org.resolve(store, "janet leverling")
        again = pytest.raises(AmbiguousError, org.resolve, store, "JANET  LEVERLING")
    message = str(info.value)
    assert f"matches {expected} people" in message and "give an IRI" in message
    assert len(info.value.candidates) == expected
    assert [c["iri"] for c in info.value.candidates] == [c["iri"] for c in again.value.candidates]
    # what tells them apart: the row in the file, the title, who they report to
    assert "row " in message and "reports to" in message and f"and {expected - 8} more" in message


def test_a_duplicated_id_says_so() -> None:
    f = Forest([node("a", id="1"), node("b", id="1")], [])
    assert len(f) == 2  # the forest keeps both posts; org.resolve says the id is duplicated (test_hostile)


def test_chinook_chain_and_reports_equal_networkx(tmp_path: Path) -> None:
    T, rows = _tree(CHINOOK, "EmployeeId", "ReportsTo")
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [CHINOOK])
    with opened(tmp_path / "s") as store:
        f = forest(store)
        for i in T:
            assert [p["id"] for p in org.chain(store, i).people] == [
                f.record(x).id for x in f.chain(org.resolve(store, i))]
            assert [p["id"] for p in org.chain(store, i).people] == [
                x for x in nx.shortest_path(T, next(r for r in T if T.in_degree(r) == 0), i)[::-1][1:]]
            assert sorted(p["id"] for p in org.reports(store, i, all_levels=True)) == sorted(nx.descendants(T, i))
        assert len(rows) == len(f)


def test_named_queries_resolve_people_as_who_does(oracle_store: Path) -> None:
    from kg import queries

    _, rows = _tree(ORACLE, "id", "parentId")
    with opened(oracle_store) as store:
        deep = max(rows, key=lambda i: len(org.chain(store, i).people))
        name = org.who(store, deep)["name"]
        expected = [p["id"] for p in org.chain(store, deep).people]
        by_id = queries.run(store, "manager-chain", {"person": deep})
        assert [r["id"] for r in sorted(by_id.rows, key=lambda r: int(r["level"]))] == expected
        if len(org.search(store, name)) == 1:  # a unique name: any case gives the same rows
            by_name = queries.run(store, "manager-chain", {"person": name.swapcase()})
            assert by_name.rows == by_id.rows
        with pytest.raises(NotFoundError, match="no person matches"):
            queries.run(store, "manager-chain", {"person": "Nobody Anywhere Zzz"})
