"""Bounded work for any input (issue 18, items 10, 11, 13): nesting refused with one line before a parser
runs, SHACL bounded on huge literals, deep data answered or timed out with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from store_snapshot import snapshot

from kg.ingest.rdf_import import MAX_BRACKET_DEPTH
from kg.validate import MAX_SHACL_LITERAL

KG = [sys.executable, "-m", "kg.cli"]
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _kg(store: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KG, "--store", str(store), *args], capture_output=True, text=True, timeout=timeout)


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    return errors[0]


def test_rdf_xml_nested_60000_deep_is_refused_before_the_parser(example_store: Path, tmp_path: Path) -> None:
    levels = 30_000  # each level is two elements: a description and a property
    deep = tmp_path / "deep.rdf"
    deep.write_text(f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://e/">'
                    + '<rdf:Description><ex:p rdf:parseType="Resource">' * levels
                    + "<ex:q>x</ex:q>" + "</ex:p></rdf:Description>" * levels + "</rdf:RDF>")
    before = snapshot(example_store)
    error = _one_line_error(_kg(example_store, "load", str(deep)))
    assert f"XML nested more than {MAX_BRACKET_DEPTH} elements deep" in error and "deep.rdf" in error
    assert snapshot(example_store) == before


def test_an_apostrophe_in_a_comment_does_not_fool_the_turtle_guard(example_store: Path, tmp_path: Path) -> None:
    depth = MAX_BRACKET_DEPTH + 100
    deep = tmp_path / "deep.ttl"
    deep.write_text("@prefix ex: <http://e/> .\n# it's a comment\n<http://e/s> ex:p "
                    + "[ ex:p " * depth + '"x"' + " ]" * depth + " .\n# and 'another\n")
    before = snapshot(example_store)
    error = _one_line_error(_kg(example_store, "load", str(deep)))
    assert f"nested {depth} levels deep (limit {MAX_BRACKET_DEPTH})" in error
    assert snapshot(example_store) == before
    shallow = tmp_path / "shallow.ttl"  # an escaped quote or a long string cannot hide brackets either
    shallow.write_text('@prefix ex: <http://e/> .\n<http://e/s> ex:p "a\\"b", """c"d""" .\n')
    assert _kg(example_store, "load", str(shallow)).returncode == 0


def test_shacl_is_bounded_on_a_huge_literal(store_path: Path, tmp_path: Path) -> None:
    name = "N" * 1_000_000
    big = tmp_path / "big.ttl"
    big.write_text("@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix org: <http://www.w3.org/ns/org#> .\n"
                   f'<http://e/p1> a foaf:Person ; foaf:name "{name}" .\n'
                   '<http://e/p2> a foaf:Person ; foaf:name "Bob" ; org:reportsTo <http://e/p1> .\n')
    assert _kg(store_path, "load", str(big)).returncode == 0
    done = _kg(store_path, "validate", timeout=240)  # 18-26 s before, quadratic in the literal's length
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    assert "SHACL checked" in done.stdout and f"first {MAX_SHACL_LITERAL:,} characters" in done.stdout, done.stdout


def test_named_queries_on_a_deep_chain_answer_or_stop_with_one_line(store_path: Path, tmp_path: Path) -> None:
    depth = 20_000
    chain = tmp_path / "chain.csv"
    chain.write_text("id,name,title,manager\n" + "".join(
        f"E{i},Person {i},Engineer,{f'E{i - 1}' if i else ''}\n" for i in range(depth)))
    assert _kg(store_path, "load", str(chain)).returncode == 0
    for name in ("manager-chain", "all-reports"):
        done = _kg(store_path, "query", name, "--param", f"person=E{depth - 1}", "--timeout", "3")
        if done.returncode == 0:
            assert done.stdout.strip(), name
        else:
            error = _one_line_error(done)
            assert "took longer than 3 s" in error and "was stopped; raise --timeout" in error, error
    help_text = _kg(store_path, "query", "--help").stdout
    assert "[default: 60.0; x>=0]" in " ".join(help_text.split())  # kg query always has a timeout unless told 0
