"""The CSV importer on the shapes and quirks real HR / org-chart exports come in."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kg import org
from kg.errors import InputError
from kg.ingest.csv_import import CsvOptions, detect_columns
from kg.ingest.load import load_files
from kg.store import opened


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def load(store_path: Path, *files: Path, **kwargs):  # type: ignore[no-untyped-def]
    with opened(store_path, write=True) as store:
        return load_files(store, list(files), **kwargs)


def edges(store_path: Path) -> set[tuple[str, str]]:
    with opened(store_path) as store:
        rows = store.select("SELECT ?a ?b WHERE { ?x org:reportsTo ?y . ?x po:identifier ?a . "
                            "?y po:identifier ?b }")
    return {(r["a"], r["b"]) for r in rows}


def d3_shaped_tree(n: int, seed: int = 7) -> tuple[str, set[tuple[str, str]]]:
    """A tree shaped like the d3-org-chart sample (ids O-6066..., stray spaces in names and titles)."""
    rng = random.Random(seed)
    lines = ["name,imageUrl,area,profileUrl,office,tags,isLoggedUser,positionName,id,parentId,size"]
    expected = set()
    ids = [f"O-{6066 + i}" for i in range(n)]
    for i, ident in enumerate(ids):
        parent = "" if i == 0 else ids[rng.randrange(max(0, i - 12), i)]
        if parent:
            expected.add((ident, parent))
        lines.append(f"Person {i} ,http://x/{i}.jpg,Corporate,http://x,Office {i % 5},\"a,b\",false,"
                     f"Product Manager ,{ident},{parent},")
    return "\n".join(lines) + "\n", expected


def test_d3_org_chart_shape(store_path: Path, tmp_path: Path) -> None:
    text, expected = d3_shaped_tree(300)
    [report] = load(store_path, write(tmp_path / "org.csv", text))
    assert report.columns["id"] == "id" and report.columns["manager"] == "parentId"
    assert report.rows == 300 and report.roots == ["O-6066"] and report.edges == 299
    assert edges(store_path) == expected
    with opened(store_path) as store:
        assert org.who(store, "O-6067")["name"] == "Person 1"  # stray spaces trimmed
        assert org.who(store, "O-6067")["role"] == "Product Manager"


def test_balkan_pid_shape(store_path: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "balkan.csv", "id,pid,name,title\n1,,Ann,CEO\n2,1,Bob,CTO\n3,2,Cy,Engineer\n")
    load(store_path, f)
    assert edges(store_path) == {("2", "1"), ("3", "2")}


def test_visio_manager_names(store_path: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "visio.csv", "Name,Title,Department,Reports To\nAnn Lee,CEO,Exec,\n"
              "Bob Stone,VP Product,Product,Ann Lee\nCy Diaz,Product Manager,Product,bob stone\n")
    [report] = load(store_path, f)
    assert report.manager_by_name and report.dangling == []
    with opened(store_path) as store:
        assert [p["name"] for p in org.chain(store, "Cy Diaz").people] == ["Bob Stone", "Ann Lee"]


def test_encodings_bom_crlf_multiline(store_path: Path, tmp_path: Path) -> None:
    cp = write(tmp_path / "cp.csv", "id,name,manager\r\n1,Zoë Ærø,\r\n2,Renée,1\r\n", "cp1252")
    bom = write(tmp_path / "bom.csv", "\ufeffid,name,manager\n10,Ana,\n11,\"Multi\nline\",10\n")
    r1, r2 = load(store_path, cp, bom)
    assert r1.encoding == "cp1252" and r2.encoding == "utf-8"
    assert r2.columns["id"] == "id"  # the BOM did not rename the first column
    with opened(store_path) as store:
        assert org.who(store, "zoe aero")["id"] == "1"  # accent- and case-insensitive
        assert org.who(store, "11")["name"] == "Multi\nline"


def test_unclosed_quote_is_an_error_naming_the_row(store_path: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "bad.csv", 'id,name,manager\n1,Ann,\n2,"Bob,1\n3,Cy,1\n4,Di,1\n5,Ed,1\n')
    with pytest.raises(InputError, match=r"bad.csv: row 2 .*quote"):
        load(store_path, f)


@pytest.mark.parametrize("marker", ["", "XX", "xx", "0", "SELF"])
def test_root_markers(store_path: Path, tmp_path: Path, marker: str) -> None:
    top = "A1" if marker == "SELF" else marker
    f = write(tmp_path / "m.csv", f"id,name,manager\nA1,Ann,{top}\nB2,Bob,A1\n")
    [report] = load(store_path, f)
    assert report.roots == ["A1"] and report.dangling == [] and report.cycles == []


def test_ids_are_strings_unless_normalized(tmp_path: Path) -> None:
    f = write(tmp_path / "z.csv", "id,name,manager\n007,Bond,\n7,Seven,\nDfE-1,Ann,007\n"
              "x,Xavier,dfe-1\ny,Yan,0007\n")
    [strict] = load(tmp_path / "s1", f)
    assert {d["manager"] for d in strict.dangling} == {"dfe-1", "0007"}
    assert any("--normalize-ids" in w for w in strict.warnings)
    assert ("DfE-1", "007") in edges(tmp_path / "s1")
    [loose] = load(tmp_path / "s2", f, csv_options=CsvOptions(normalize_ids=True))
    assert loose.dangling == []
    assert loose.duplicate_ids == ["7"]  # '007' and '7' are one id once normalized


def test_several_roots_duplicates_cycles_dangling(store_path: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "messy.csv", "id,name,manager\n1,Ann,\n2,Bob,\n3,Cy,4\n4,Di,3\n5,Ed,99\n"
              "6,Fay,1\n6,Gus,2\n")
    [r] = load(store_path, f)
    # The forest's rules: the cycle is cut at its smallest IRI (post 3 becomes a root) and the row whose
    # manager is missing (5) is a root too, as `kg stats` counts them (the old summary left both out).
    assert r.roots == ["1", "2", "3", "5"]
    assert r.cycles == [["3", "4"]]
    assert r.dangling == [{"row": 5, "id": "5", "manager": "99"}]
    assert r.duplicate_ids == ["6"]
    with opened(store_path) as store:
        result = org.chain(store, "4")  # a cycle never hangs: the chain stops where the forest cut it
        assert [p["id"] for p in result.people] == ["3"] and result.cycle_at["id"] == "4"
        result = org.chain(store, "3")
        assert result.people == [] and result.cycle_at["id"] == "4"
        both = org.search(store, "6")
        assert {"Fay", "Gus"} <= {p["name"] for p in both}  # duplicate ids keep both people


def test_placeholders_with_stray_quotes(store_path: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "id,name,manager\n1,Ann,\n2,\"'Vacant'\",1\n3,n/d,1\n4,ELIMINATED,1\n"
              "5,N/D,1\n")
    [r] = load(store_path, f)
    assert r.named_people == 1
    assert r.statuses == {"filled": 1, "vacant": 1, "not_disclosed": 2, "eliminated": 1}
    with opened(store_path) as store:
        assert org.who(store, "2")["status"] == "vacant"
        assert org.who(store, "3")["name"] is None


def test_map_overrides_detection(store_path: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "odd.csv", "Worker,Lead,Label\nw1,,Ann\nw2,w1,Bob\n")
    with pytest.raises(InputError, match="no manager column"):
        load(store_path, f)
    load(store_path, f, csv_options=CsvOptions(mapping={"id": "Worker", "manager": "Lead", "name": "Label"}))
    assert edges(store_path) == {("w2", "w1")}


def test_unknown_mapped_column_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no column 'Nope'"):
        detect_columns(["id", "manager"], {"name": "Nope"})


def test_titles_link_to_roles(store_path: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "t.csv", "id,title,manager,name\n1,CPO,,A\n2,\"VP, Product\",1,B\n"
              "3,Sr. Product Manager,2,C\n4,Gardener,1,D\n")
    [r] = load(store_path, f)
    assert r.unmatched_titles == {"Gardener": 1}
    with opened(store_path) as store:
        assert org.who(store, "1")["role"] == "Chief Product Officer"
        assert org.who(store, "2")["role"] == "VP of Product"
        assert org.who(store, "3")["role"] == "Senior Product Manager"
        assert org.who(store, "4")["title"] == "Gardener" and org.who(store, "4")["role"] is None
