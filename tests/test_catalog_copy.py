"""The catalog copy (``catalog.json``): lookups the chart index answers read the catalog without opening the
Oxigraph database, and the copy never shows a catalog other than the database's.

Every writer removes the copy when it takes the lock and writes it again as it closes; a copy is used only while
``chart.sqlite`` is as that writer left it. Real files: two UK senior organograms (Natural England, HMRC).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.ingest.load import load_files
from kg.store import CATALOG_COPY, opened

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests/data/realdata/uk-organograms"
SENIOR = DATA / "300913-Natural-England-Organogram-senior.csv"
OTHER = DATA / "300913-HMRC-Organogram-Final-senior.csv"


def _kg(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(store), *args], capture_output=True,
                          text=True, env=env, timeout=120)


def _names(store: Path) -> list[str]:
    out = _kg(store, "sources", "--format", "json")
    assert out.returncode == 0, out.stderr
    return sorted(s["name"] for s in json.loads(out.stdout))


def _first_id(path: Path) -> str:
    """The first post id of the file that no other row has."""
    import csv
    from collections import Counter

    with path.open(encoding="utf-8-sig", newline="") as f:
        ids = [r["Post Unique Reference"] for r in csv.DictReader(f)]
    seen = Counter(ids)
    return next(i for i in ids if seen[i] == 1)


@pytest.fixture
def one_source(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    with opened(store, write=True) as s:
        load_files(s, [SENIOR])
    return store


def test_every_writer_leaves_a_copy_of_the_catalog_it_wrote(one_source: Path) -> None:
    copy = one_source / CATALOG_COPY
    assert copy.is_file()
    assert _names(one_source) == [SENIOR.name]
    with opened(one_source, write=True) as s:
        assert not copy.exists()  # while a writer holds the store, readers (after it) read the database
        load_files(s, [OTHER])
        truth = sorted(i.name for i in s.sources())
    assert copy.is_file()
    assert truth == sorted([SENIOR.name, OTHER.name]) == _names(one_source)
    rows = json.loads(copy.read_text())["sources"]
    assert sorted(r["name"] for r in rows) == truth


def test_an_old_copy_is_never_used(one_source: Path) -> None:
    """A copy left from before a later write (as an older kg, which keeps none, would leave it) is ignored."""
    copy = one_source / CATALOG_COPY
    old = copy.read_bytes()
    with opened(one_source, write=True) as s:
        load_files(s, [OTHER])
    copy.write_bytes(old)
    assert _names(one_source) == sorted([SENIOR.name, OTHER.name])
    with opened(one_source) as s:
        assert sorted(i.name for i in s.sources()) == sorted([SENIOR.name, OTHER.name])


def test_a_writer_that_dies_leaves_no_copy_and_readers_read_the_database(one_source: Path) -> None:
    code = ("import os, sys\nfrom pathlib import Path\nfrom kg.store import open_store\n"
            "from kg.ingest.load import load_files\ns = open_store(sys.argv[1], write=True)\n"
            "load_files(s, [Path(sys.argv[2])])\nos._exit(9)  # dies holding the store, without closing it\n")
    died = subprocess.run([sys.executable, "-c", code, str(one_source), str(OTHER)],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert died.returncode == 9
    assert not (one_source / CATALOG_COPY).exists()
    assert _names(one_source) == sorted([SENIOR.name, OTHER.name])
    post = _first_id(OTHER)
    found = _kg(one_source, "manager", post, "--format", "json")
    assert found.returncode == 0, found.stderr


def test_lookups_answer_the_same_with_and_without_the_copy(one_source: Path) -> None:
    post = _first_id(SENIOR)
    args = [("chain", post), ("reports", post, "--all"), ("span", "--top", "5"), ("who", post)]
    with_copy = [_kg(one_source, *a, "--format", "json") for a in args]
    (one_source / CATALOG_COPY).unlink()
    without = [_kg(one_source, *a, "--format", "json") for a in args]
    for a, b in zip(with_copy, without, strict=True):
        assert a.returncode == b.returncode == 0, a.stderr + b.stderr
        assert a.stdout == b.stdout and json.loads(a.stdout) is not None


def test_a_damaged_database_still_says_so(one_source: Path) -> None:
    """With a copy, a lookup that needs SPARQL opens the database then, and a damaged one is one line."""
    post = _first_id(SENIOR)
    holder = json.loads(_kg(one_source, "who", post, "--format", "json").stdout)["person_iri"]
    assert holder  # `who` of the post reads the chart index alone; of its holder's IRI it asks SPARQL
    (one_source / "oxigraph" / "CURRENT").write_text("garbage")
    assert _kg(one_source, "who", post).returncode == 0
    out = _kg(one_source, "who", holder)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert str(one_source / "oxigraph") in out.stderr and "damaged" in out.stderr
