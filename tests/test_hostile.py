"""Hostile and broken input: each ends in a clear error (store unchanged) or a correct result; never a crash,
a hang, a network request or a local file read."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_snapshot import snapshot

from kg import org
from kg.cli import main
from kg.errors import AmbiguousError, InputError, KGError, NoStoreError, StoreError
from kg.ingest.load import load_files
from kg.store import opened
from kg.validate import validate

KG = [sys.executable, "-m", "kg.cli"]
ORG_HEADER = "id,name,title,manager\n"


def _load(store: Path, *files: Path) -> list:
    with opened(store, write=True) as s:
        return load_files(s, list(files))


def _refused(store: Path, file: Path, match: str) -> str:
    """Loading ``file`` fails with an InputError matching ``match`` and leaves the store as it was."""
    before = snapshot(store)
    with pytest.raises(InputError, match=match) as info:
        _load(store, file)
    assert snapshot(store) == before
    return str(info.value)


def _cli(store: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(KG + ["--store", str(store), *args], capture_output=True, text=True,
                          timeout=timeout)


# -- broken CSV ----------------------------------------------------------------------------------------------


def test_empty_file(example_store: Path, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    _refused(example_store, tmp_path / "empty.csv", "empty")
    (tmp_path / "blank.csv").write_text("  \n\n ")
    _refused(example_store, tmp_path / "blank.csv", "empty")
    (tmp_path / "empty.ttl").write_text("@prefix ex: <http://e.org/> .\n# nothing else\n")
    _refused(example_store, tmp_path / "empty.ttl", "holds no triples")


def test_header_only(example_store: Path, tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text(ORG_HEADER)
    _refused(example_store, tmp_path / "header.csv", "header but no data rows")


def test_binary_file_given_as_csv(example_store: Path, tmp_path: Path) -> None:
    (tmp_path / "photo.csv").write_bytes(bytes(range(256)) * 40)
    _refused(example_store, tmp_path / "photo.csv", "binary file")


def test_wrong_encodings(store_path: Path, tmp_path: Path) -> None:
    (tmp_path / "cp1252.csv").write_bytes((ORG_HEADER + "1,José Müller €,Dev,\n").encode("cp1252"))
    (tmp_path / "utf16.csv").write_bytes((ORG_HEADER + "2,Zoë Ångström,Dev,\n").encode("utf-16"))
    (tmp_path / "bom.csv").write_bytes((ORG_HEADER + "3,Ana,Dev,\n").encode("utf-8-sig"))
    reports = _load(store_path, tmp_path / "cp1252.csv", tmp_path / "utf16.csv", tmp_path / "bom.csv")
    assert [r.encoding for r in reports] == ["cp1252", "utf-16", "utf-8"]
    with opened(store_path) as s:
        assert org.who(s, "1")["name"] == "José Müller €"
        assert org.who(s, "2")["name"] == "Zoë Ångström"
        assert org.who(s, "3")["name"] == "Ana"  # the BOM did not rename the id column
    result = _cli(store_path, "load", "--encoding", "utf-8", str(tmp_path / "cp1252.csv"))
    assert result.returncode == 1 and "cannot decode" in result.stderr and "--encoding" in result.stderr


def test_ten_megabyte_single_field(example_store: Path, tmp_path: Path) -> None:
    (tmp_path / "huge.csv").write_text(ORG_HEADER + "1," + "x" * 10_000_000 + ",Dev,\n")
    message = _refused(example_store, tmp_path / "huge.csv", "line 2: a cell is longer than")
    assert len(message) < 300


def test_unclosed_quote_is_named_not_swallowed(example_store: Path, tmp_path: Path) -> None:
    rows = [f"E{i},Person {i},Dev,{'' if i == 1 else 'E1'}" for i in range(1, 8)]
    rows[2] = 'E3,"Person 3,Dev,E1'
    (tmp_path / "quote.csv").write_text(ORG_HEADER + "\n".join(rows) + "\n")
    _refused(example_store, tmp_path / "quote.csv", "row 3 .*quote is never closed")


# -- structure -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deep_chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("deep")
    rows = [f"C{i},Person {i},Engineer,{'C' + str(i - 1) if i else ''}" for i in range(100_000)]
    (folder / "chain.csv").write_text(ORG_HEADER + "\n".join(rows) + "\n")
    _load(folder / "store", folder / "chain.csv")
    return folder / "store"


@pytest.mark.slow
def test_hundred_thousand_deep_chain_answers(deep_chain: Path) -> None:
    with opened(deep_chain) as s:
        up = org.chain(s, "C99999")
        assert len(up.people) == 99_999 and up.people[0]["id"] == "C99998" and up.people[-1]["id"] == "C0"
        assert up.cycle_at is None
        below = org.reports(s, "C0", all_levels=True)
        assert len(below) == 99_999 and below[-1]["id"] == "C99999" and below[-1]["depth"] == 99_999
        report = validate(s, shacl=False)
    assert report.ok and report.findings == []


def test_cycles_and_self_loops(store_path: Path, tmp_path: Path) -> None:
    (tmp_path / "loops.csv").write_text(ORG_HEADER + "A,Ann,CEO,A\nB,Bob,Dev,C\nC,Cid,Dev,D\nD,Dee,Dev,B\n"
                                                     "E,Eve,Dev,B\n")
    (tmp_path / "self.ttl").write_text(
        "@prefix org: <http://www.w3.org/ns/org#> . @prefix po: <http://w3id.org/product-org/ontology#> .\n"
        "<http://example.org/s> a org:Post ; po:identifier \"S\" ; po:jobTitle \"Loop\" ; "
        "org:reportsTo <http://example.org/s> .\n")
    report = _load(store_path, tmp_path / "loops.csv", tmp_path / "self.ttl")[0]
    # A CSV self-reference marks the top; the ring is cut at B (its smallest IRI), which becomes a root.
    assert report.cycles == [["B", "C", "D"]] and report.roots == ["A", "B"]
    with opened(store_path) as s:
        up = org.chain(s, "E")
        assert [p["id"] for p in up.people] == ["B"] and up.cycle_at["id"] == "C"
        assert {p["id"] for p in org.reports(s, "B", all_levels=True)} == {"C", "D", "E"}
        assert org.chain(s, "S").cycle_at["id"] == "S"
        assert org.reports(s, "S") == [] and org.reports(s, "S", all_levels=True) == []
        found = {f.check: f.items for f in validate(s, shacl=False).findings}
    assert found["cycles"] == [["B", "C", "D"]] and found["self_reports"] == ["S"]


def test_duplicate_ids(store_path: Path, tmp_path: Path) -> None:
    (tmp_path / "dup.csv").write_text(ORG_HEADER + "1,Ann,CEO,\n2,Bob,Dev,1\n2,Bea,Dev,1\n")
    assert _load(store_path, tmp_path / "dup.csv")[0].duplicate_ids == ["2"]
    with opened(store_path) as s:
        with pytest.raises(AmbiguousError, match="the id '2' is duplicated: 2 posts have it") as info:
            org.who(s, "2")
        assert sorted(c["name"] for c in info.value.candidates) == ["Bea", "Bob"]
        assert org.who(s, "Bea")["manager"]["id"] == "1"  # each row stays its own post
        assert {f.check: f.items for f in validate(s, shacl=False).findings}["duplicate_ids"] == ["2"]


# -- names ---------------------------------------------------------------------------------------------------

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<svg onload=alert(3)>"]
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]
WORLD = ["Zoë Ångström", "\u202eمحمد علي", "👩\u200d💻 Ada 🚀", "王小明", "O'Brien-Smith"]


@pytest.fixture
def hostile_store(store_path: Path, tmp_path: Path) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "name", "title", "unit", "manager"])
    writer.writerow(["R", XSS[0], "</title><script>alert(4)</script>", "<b>Unit</b>", ""])
    names = XSS[1:] + FORMULAS + WORLD
    for i, name in enumerate(names):
        writer.writerow([f"N{i}", name, FORMULAS[i % len(FORMULAS)], "Eng", "R"])
    (tmp_path / "hostile.csv").write_text(out.getvalue())
    _load(store_path, tmp_path / "hostile.csv")
    return store_path


def test_unicode_rtl_and_emoji_names_round_trip(hostile_store: Path) -> None:
    with opened(hostile_store) as s:
        everyone = {p["name"] for p in org.reports(s, "R")}
        assert set(WORLD) <= everyone and set(FORMULAS) <= everyone and set(XSS[1:]) <= everyone
        assert [p["name"] for p in org.search(s, "angstrom")] == ["Zoë Ångström"]
        assert [p["name"] for p in org.search(s, "محمد")] == ["\u202eمحمد علي"]
        assert org.who(s, "王小明")["manager"]["name"] == XSS[0]
    table = _cli(hostile_store, "reports", "R")
    assert table.returncode == 0 and "\u202e" not in table.stdout  # no bidi override reaches the terminal
    assert "Ada" in table.stdout


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_formula_names_are_neutralized_in_csv(hostile_store: Path, tmp_path: Path) -> None:
    outputs = [_cli(hostile_store, "reports", "R", "--format", "csv").stdout,
               _cli(hostile_store, "search", "n", "--format", "csv").stdout]
    for fmt in ("csv", "edges-csv", "d3-csv"):
        target = tmp_path / f"out.{fmt}"
        result = _cli(hostile_store, "export", "--format", fmt, "-o", str(target))
        assert result.returncode == 0, result.stderr
        outputs.append(target.read_text())
    for text in outputs:
        cells = _cells(text)
        assert cells and not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert "'=HYPERLINK(" in outputs[0] and "'@SUM(A1)" in outputs[0]


def test_html_and_script_names_are_escaped_everywhere(hostile_store: Path, tmp_path: Path) -> None:
    pages = {}
    html = tmp_path / "chart.html"
    assert _cli(hostile_store, "viz", "-o", str(html)).returncode == 0
    pages["viz"] = html.read_text()
    for fmt in ("svg", "graphml", "mermaid"):
        target = tmp_path / f"chart.{fmt}"
        result = _cli(hostile_store, "export", "--format", fmt, "-o", str(target))
        assert result.returncode == 0, result.stderr
        pages[fmt] = target.read_text()
    for kind, text in pages.items():
        for raw in XSS + ["<b>Unit</b>", "</title><script>"]:
            assert raw not in text, f"{kind} carries raw markup {raw!r}"
    assert "alert(1)" in pages["viz"] and "&lt;script&gt;alert(1)" in pages["svg"]  # shown, as text


# -- RDF -----------------------------------------------------------------------------------------------------


def test_malformed_turtle_names_line_and_column(example_store: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.ttl").write_text('@prefix ex: <http://e.org/> .\nex:a ex:b ex:c .\nex:d ex:e "open .\n')
    message = _refused(example_store, tmp_path / "bad.ttl", "bad.ttl")
    assert "line 3" in message and "column" in message


XXE = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
{pad}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:foaf="http://xmlns.com/foaf/0.1/">
  <foaf:Person rdf:about="http://example.org/p"><foaf:name>&xxe;</foaf:name></foaf:Person>
</rdf:RDF>
"""


@pytest.mark.parametrize("pad", ["", "<!--" + " " * 250_000 + "-->\n"], ids=["plain", "after-250kB-comment"])
def test_rdfxml_external_entity_never_reads_local_files(example_store: Path, tmp_path: Path,
                                                        pad: str) -> None:
    (tmp_path / "xxe.rdf").write_text(XXE.format(pad=pad))
    result = _cli(example_store, "load", str(tmp_path / "xxe.rdf"))
    assert result.returncode == 1 and "DOCTYPE" in result.stderr
    assert "root:" not in result.stdout + result.stderr
    with opened(example_store) as s:
        assert not s.select('SELECT ?n WHERE { ?p foaf:name ?n FILTER(CONTAINS(?n, "root:")) }')


def _laughs(levels: int = 9, pad: str = "") -> str:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, levels + 1)]
    return (f'<?xml version="1.0"?>\n{pad}<!DOCTYPE rdf:RDF [{"".join(entities)}]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
            f'<rdf:Description rdf:about="http://example.org/a"><ex:p>&lol{levels};</ex:p></rdf:Description>'
            "</rdf:RDF>\n")


@pytest.mark.parametrize("pad", ["", "<!--" + "x" * 250_000 + "-->\n"], ids=["plain", "after-250kB-comment"])
def test_billion_laughs_is_refused_fast(example_store: Path, tmp_path: Path, pad: str) -> None:
    (tmp_path / "lol.rdf").write_text(_laughs(pad=pad))
    result = _cli(example_store, "load", str(tmp_path / "lol.rdf"), timeout=60)  # a hang fails here
    assert result.returncode == 1, result.stderr  # not killed by the kernel, not aborted by an OOM
    assert "refused" in result.stderr and "Traceback" not in result.stderr


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        _Recorder.hits.append(self.path)
        body = b'{"@context": {"name": "http://schema.org/name"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("context", [
    '"{url}ctx.jsonld"',
    '[{{"x": "http://e.org/x"}}, "{url}ctx.jsonld"]',
    '{{"@import": "{url}ctx.jsonld"}}',
    '{{"knows": {{"@id": "http://e.org/k", "@context": "{url}ctx.jsonld"}}}}',
], ids=["string", "list", "import", "scoped"])
def test_jsonld_remote_context_is_never_fetched(example_store: Path, tmp_path: Path, context: str) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        doc = '{"@context": %s, "@id": "http://e.org/a", "name": "A", "knows": {"@id": "http://e.org/b"}}'
        (tmp_path / "remote.jsonld").write_text(doc % context.format(url=url))
        _Recorder.hits.clear()
        message = _refused(example_store, tmp_path / "remote.jsonld", "remote.jsonld")
        assert "never" in message and "@context" in message
        assert _Recorder.hits == []
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name,text", ids=["json-ld-arrays", "json-ld-objects", "turtle", "trig"], argvalues=[
    ("deep.jsonld", '{"@id": "http://e.org/a", "http://e.org/p": ' + "[" * 20_000 + "]" * 20_000 + "}"),
    ("deep2.jsonld", '{"@id": "http://e.org/a", "http://e.org/p": ' + '{"http://e.org/p": ' * 20_000
     + "1" + "}" * 20_000 + "}"),
    ("deep.ttl", "@prefix ex: <http://e.org/> .\nex:a ex:p " + "[ ex:q " * 20_000 + "1" + " ]" * 20_000
     + " .\n"),
    ("deep.trig", "@prefix ex: <http://e.org/> .\nex:g { ex:a ex:p " + "(" * 20_000 + ")" * 20_000
     + " . }\n"),
])
def test_deep_nesting_is_a_clear_error_not_a_crash(example_store: Path, tmp_path: Path, name: str,
                                                   text: str) -> None:
    (tmp_path / name).write_text(text)
    result = _cli(example_store, "load", str(tmp_path / name), timeout=60)
    assert result.returncode == 1, result.stderr  # a segfault would be -11
    assert "nested" in result.stderr and "deep" in result.stderr and "Traceback" not in result.stderr


# -- the store folder ----------------------------------------------------------------------------------------


def test_missing_store(tmp_path: Path) -> None:
    result = _cli(tmp_path / "nowhere", "who", "P01")
    assert result.returncode == 1 and "no kg store" in result.stderr and "kg load" in result.stderr
    assert not (tmp_path / "nowhere").exists()  # a lookup never creates a store


def test_folder_that_is_not_a_store(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8\xff")
    with pytest.raises(StoreError, match="not a kg store"):
        opened(folder, write=True).__enter__()
    with pytest.raises(NoStoreError):
        opened(folder).__enter__()
    assert sorted(p.name for p in folder.iterdir()) == ["cat.jpg"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        opened(tmp_path / "file", write=True).__enter__()


def test_corrupt_store(example_store: Path) -> None:
    (example_store / "kg.json").write_text("{not json")
    result = CliRunner().invoke(main, ["--store", str(example_store), "who", "P01"])
    assert result.exit_code == 1 and "unreadable" in result.output
    (example_store / "kg.json").write_text(json.dumps({"kg_store_format": 1}))
    shutil.rmtree(example_store / "oxigraph")
    (example_store / "oxigraph").write_text("not a database")
    with pytest.raises(KGError, match="cannot open the store"):
        opened(example_store).__enter__()


def _without_root_powers() -> list[str]:
    """A command prefix under which file permissions apply (root ignores them otherwise)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("running as root without setpriv: cannot make permissions apply")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-dac_override,-dac_read_search"]


def test_read_only_store_reads_but_refuses_writes(example_store: Path, tmp_path: Path) -> None:
    before = snapshot(example_store)
    more = tmp_path / "more.csv"
    more.write_text(ORG_HEADER + "Z1,Zed,Dev,\n")
    more = str(more)
    for path in [example_store, *example_store.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        prefix = _without_root_powers()
        read = subprocess.run(prefix + KG + ["--store", str(example_store), "who", "P19", "--format", "json"],
                              capture_output=True, text=True, timeout=60)
        assert read.returncode == 0 and json.loads(read.stdout)["id"] == "P19"
        write = subprocess.run(prefix + KG + ["--store", str(example_store), "load", more],
                               capture_output=True, text=True, timeout=60)
        assert write.returncode == 1 and "read-only" in write.stderr and "Traceback" not in write.stderr
    finally:
        for path in [example_store, *example_store.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert snapshot(example_store) == before
