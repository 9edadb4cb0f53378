"""The synthetic organization generator: deterministic, realistic, and loadable with the expected counts."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from kg import org
from kg.ingest.load import load_files
from kg.store import opened

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "generate_org.py"


@pytest.fixture(scope="module")
def gen():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate_org", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_org"] = module  # dataclasses look their module up while the script runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def org2k(gen, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:  # type: ignore[no-untyped-def]
    prefix = tmp_path_factory.mktemp("gen") / "org"
    return prefix, gen.generate(2000, 5, prefix)


def _files(prefix: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(prefix.parent.glob(prefix.name + "*"))}


def test_same_seed_same_bytes(gen, org2k, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prefix, _ = org2k
    again = tmp_path / "org"
    gen.generate(2000, 5, again)
    first, second = _files(prefix), _files(again)
    assert sorted(first) == ["org-portfolios.nt", "org.csv", "org.meta.json", "org.nt"]
    assert first == second


def test_other_seed_other_org(gen, org2k, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prefix, _ = org2k
    gen.generate(2000, 6, tmp_path / "org", ntriples=False)
    assert (tmp_path / "org.csv").read_bytes() != (prefix.parent / "org.csv").read_bytes()


def test_shape_is_realistic(org2k) -> None:  # type: ignore[no-untyped-def]
    prefix, meta = org2k
    lines = (prefix.parent / "org.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "employee_id,name,job_title,department,manager_id,dotted_line_manager_id,organisation"
    assert len(lines) == 2001 and meta["posts"] == 2000
    assert meta["max_span"] <= 12 and 4 <= meta["max_depth"] <= 12
    assert meta["vacant"] > 0 and meta["dotted_lines"] > 0 and meta["portfolios"] > 0 and meta["products"] > 0
    assert meta["people"] + meta["vacant"] == meta["posts"] and meta["reporting_edges"] == meta["posts"] - 1


def test_loads_with_expected_counts(org2k, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prefix, meta = org2k
    d = prefix.parent
    with opened(tmp_path / "csv", write=True) as store:
        (report, _) = load_files(store, [d / "org.csv", d / "org-portfolios.nt"])
        assert report.rows == 2000 and not report.dangling and not report.cycles
        assert report.roots == [meta["ids"]["ceo"]]
        from_csv = org.stats(store)
        ceo = org.who(store, meta["ids"]["ceo"])
        products = store.select("SELECT (COUNT(?p) AS ?n) WHERE { ?p a po:Product }")[0]["n"]
        chain = org.chain(store, meta["ids"]["deepest"])
    assert from_csv["posts"] == meta["posts"] and from_csv["named_people"] == meta["people"]
    assert from_csv["reporting_edges"] == meta["reporting_edges"] and from_csv["roots"] == 1
    assert from_csv["vacancies"] == meta["vacant"] and from_csv["dotted_lines"] == meta["dotted_lines"]
    assert from_csv["titles_matched_to_roles"] == meta["titles_matched_to_roles"]
    assert ceo["role"] == "Chief Executive Officer" and ceo["headcount"] == 1999
    assert int(products or 0) == meta["products"]
    assert len(chain.people) == meta["max_depth"] and chain.people[-1]["id"] == meta["ids"]["ceo"]

    with opened(tmp_path / "nt", write=True) as store:
        (report,) = load_files(store, [d / "org.nt"])
        # Stored as published (plus kg's normalized view: ids and search keys of the people).
        assert report.triples >= meta["triples"] and report.edges == meta["reporting_edges"]
        assert org.stats(store) | {"sources": 2} == from_csv | {"sources": 2}


def test_meta_file_matches(org2k) -> None:  # type: ignore[no-untyped-def]
    prefix, meta = org2k
    assert json.loads((prefix.parent / "org.meta.json").read_text()) == meta
