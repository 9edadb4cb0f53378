"""Static charts on real files: paged PDF (pdfinfo, pdftotext), the format from the file name, images that
would be too large refused, d3 exports read by real d3 (node + d3-hierarchy from npm)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import KGError
from kg.export import EXTENSIONS, FORMATS, format_for

HMRC = Path(__file__).parent / "data" / "realdata" / "uk-organograms" / "300913-HMRC-Organogram-Final-senior.csv"
PLACEHOLDERS = {"", "n/d", "vacant", "eliminated", "n/a", "not disclosed"}
NODE_MODULES = Path(os.environ.get("KG_NODE_MODULES", Path.home() / ".cache" / "kg-node" / "node_modules"))
HAS_POPPLER = shutil.which("pdfinfo") is not None and shutil.which("pdftotext") is not None
HAS_D3 = shutil.which("node") is not None and (NODE_MODULES / "d3-hierarchy").is_dir()


def _rows() -> list[dict[str, str]]:
    with HMRC.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _kg(store: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def hmrc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("hmrc") / "store"
    code, out = _kg(store, "load", str(HMRC))
    assert code == 0, out
    return store


def _pages(pdf: Path) -> list[str]:
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                             text=True, check=True).stdout).group(1))
    return [" ".join(subprocess.run(["pdftotext", "-raw", "-f", str(i), "-l", str(i), str(pdf), "-"],
                                    capture_output=True, text=True, check=True).stdout.split())
            for i in range(1, count + 1)]


@pytest.mark.skipif(not HAS_POPPLER, reason="needs poppler-utils (pdfinfo, pdftotext)")
@pytest.mark.parametrize(("paper", "orientation", "size"), [("a4", [], "842 x 595"),
                                                           ("letter", ["--portrait"], "612 x 792")])
def test_pdf_pages_paper_names_once_and_continuations(hmrc: Path, tmp_path: Path, paper: str,
                                                      orientation: list[str], size: str) -> None:
    pdf = tmp_path / "org.pdf"
    code, out = _kg(hmrc, "export", "-o", str(pdf), "--paper", paper, *orientation)
    assert code == 0, out
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "1000", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+ x [\d.]+) pts", info)
    pages = _pages(pdf)
    assert len(sizes) == len(pages) > 1 and set(sizes) == {size}
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text
    # Every named person (a name the file gives one post only) is on exactly one page.
    rows = _rows()
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["Name"].strip()] = counts.get(r["Name"].strip(), 0) + 1
    names = [n for n, c in counts.items() if c == 1 and n.casefold() not in PLACEHOLDERS and n.isascii()]
    assert len(names) >= 10  # the file names few of its senior staff
    for name in names:
        pattern = re.compile(r"(?<![\w'])" + re.escape(" ".join(name.split())) + r"(?![\w'])")
        found = [i for i, text in enumerate(pages, start=1) if pattern.search(text)]
        assert len(found) == 1, (name, found)
    # Every "continued on page N" points to the page that shows that manager's reports.
    reports: dict[str, list[str]] = {}
    for r in rows:
        reports.setdefault(r["Reports to Senior Post"].strip(), []).append(" ".join(r["Name"].split()))
    blocks = [re.findall(r"From page (\d+): reports of (\S+)", text) for text in pages]
    refs = 0
    for number, text in enumerate(pages, start=1):
        for target in map(int, re.findall(r"continued on page (\d+)", text)):
            refs += 1
            there = [ident for source, ident in blocks[target - 1] if int(source) == number]
            assert there, (number, target)
    for target, found in enumerate(blocks, start=1):
        for _source, ident in found:
            team = [n for n in reports.get(ident, []) if counts.get(n) == 1
                    and n.casefold() not in PLACEHOLDERS and n.isascii()]
            shown = " ".join(pages[target - 1:target + 3])  # the team, and its parts if it needed more pages
            assert all(n in shown for n in team), (ident, [n for n in team if n not in shown])
    assert refs == sum(len(found) for found in blocks) > 0
    # Each card that continues elsewhere is a link to that page.
    data = pdf.read_bytes()
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj\n(.*?)\nendobj", data, re.S)}
    kids = [int(k) for k in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[([^\]]*)\]", data).group(1))]
    page_of = {obj: i for i, obj in enumerate(kids, start=1)}
    for number, obj in enumerate(kids, start=1):
        targets = sorted(page_of[int(d)] for d in re.findall(rb"/Dest \[(\d+) 0 R", objects[obj]))
        assert targets == sorted(map(int, re.findall(r"continued on page (\d+)", pages[number - 1])))


def test_format_comes_from_the_file_name_and_contradictions_are_errors(hmrc: Path, tmp_path: Path) -> None:
    assert format_for("a/org.PDF") == "pdf" and format_for("x.graphml") == "graphml"
    assert all(format_for(f"x{EXTENSIONS[f][0]}", f) == f for f in FORMATS)
    with pytest.raises(KGError, match="contradicts"):
        format_for("x.png", "svg")
    code, out = _kg(hmrc, "export", "--format", "svg", "-o", str(tmp_path / "x.png"))
    assert code == 1 and "contradicts" in out and len(out.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()
    code, out = _kg(hmrc, "export", "-o", str(tmp_path / "x.txt"))
    assert code == 1 and "--format" in out
    code, out = _kg(hmrc, "export", "-o", str(tmp_path / "org.svg"), "--root", "OD102")
    assert code == 0 and (tmp_path / "org.svg").read_text().startswith("<svg")


def test_images_too_large_are_refused_with_a_way_out(tmp_path: Path) -> None:
    source = tmp_path / "wide.csv"
    with source.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "title", "manager"])
        w.writerow(["ceo", "Chief", "Chief Executive", ""])
        for i in range(120):  # 120 managers of one report each: a tree no grid can fold
            w.writerow([f"m{i}", f"Manager {i}", "Head of Things", "ceo"])
            w.writerow([f"r{i}", f"Report {i}", "Analyst", f"m{i}"])
    store = tmp_path / "store"
    assert _kg(store, "load", str(source))[0] == 0
    for ext in ("png", "svg"):
        code, out = _kg(store, "export", "-o", str(tmp_path / f"org.{ext}"))
        assert code == 1 and "PDF" in out and "--root" in out and len(out.strip().splitlines()) == 1
        assert not (tmp_path / f"org.{ext}").exists()
    code, out = _kg(store, "export", "-o", str(tmp_path / "org.pdf"))
    assert code == 0 and (tmp_path / "org.pdf").stat().st_size > 0


@pytest.mark.skipif(not HAS_D3, reason="needs node and d3-hierarchy (npm install in .ci/run)")
def test_d3_exports_are_accepted_by_d3_stratify(hmrc: Path, tmp_path: Path) -> None:
    script = tmp_path / "check.js"
    script.write_text("""
const fs = require("fs");
const h = require(process.env.NM + "/d3-hierarchy");
const dsv = require(process.env.NM + "/d3-dsv");
const file = process.argv[2];
const text = fs.readFileSync(file, "utf8");
const rows = file.endsWith(".json") ? JSON.parse(text) : dsv.csvParse(text);
const root = h.stratify().id(d => d.id).parentId(d => d.parentId)(rows);
console.log(JSON.stringify({nodes: root.descendants().length, root: root.id}));
""")
    ids = {r["Post Unique Reference"].strip() for r in _rows()}
    for name in ("org.csv", "org.json"):
        code, out = _kg(hmrc, "export", "--format", "d3-csv" if name.endswith("csv") else "d3-json", "-o",
                        str(tmp_path / name))
        assert code == 0, out
        run = subprocess.run(["node", str(script), str(tmp_path / name)], capture_output=True, text=True,
                             env={**os.environ, "NM": str(NODE_MODULES)}, timeout=60)
        assert run.returncode == 0, run.stderr[-500:]
        result = json.loads(run.stdout)
        if name.endswith("csv"):
            with (tmp_path / name).open(newline="") as fh:
                exported = list(csv.DictReader(fh))
        else:
            exported = json.loads((tmp_path / name).read_text())
        assert result["nodes"] == len(exported)
        renamed = [r["id"] for r in exported if "~" in r["id"]]
        assert len(re.findall(r"duplicate id \S+ renamed", out)) == min(len(renamed), 20)
        assert {r["id"].split("~")[0] for r in exported if r["id"] != result["root"] or not out.count("synthetic")} \
            <= ids | {result["root"]}
    code, out = _kg(hmrc, "export", "-o", str(tmp_path / "sub.json"), "--format", "d3-json", "--root", "OD102")
    assert code == 0 and "synthetic" not in out
    run = subprocess.run(["node", str(script), str(tmp_path / "sub.json")], capture_output=True, text=True,
                         env={**os.environ, "NM": str(NODE_MODULES)}, timeout=60)
    assert run.returncode == 0 and json.loads(run.stdout)["root"] == "OD102"


@pytest.mark.skipif(not HAS_POPPLER, reason="needs poppler-utils (pdftotext)")
def test_reports_cut_off_by_depth_are_counted_on_the_card(example_store: Path, tmp_path: Path) -> None:
    source = Path(__file__).parents[1] / "kg" / "data" / "example_org.csv"
    with source.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    top = next(r for r in rows if not r["manager_id"])
    second = [r for r in rows if r["manager_id"] == top["employee_id"]]
    expected = {r["name"]: sum(1 for x in rows if x["manager_id"] == r["employee_id"]) for r in second}
    code, out = _kg(example_store, "export", "-o", str(tmp_path / "top.pdf"), "--depth", "1")
    assert code == 0, out
    text = subprocess.run(["pdftotext", "-raw", str(tmp_path / "top.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = text.splitlines()
    for name, count in expected.items():
        after = lines[lines.index(name) + 1: lines.index(name) + 4]
        if count:
            assert f"+{count} not in this chart" in after, (name, after)
        else:
            assert not any("not in this chart" in line for line in after[:2])
    assert any(expected.values())
