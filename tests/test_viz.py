"""The chart page as a file: self-contained, data as escaped JSON, text-only, collapsible; the CLI command."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export import Chart, chart_cards, org_chart
from kg.store import opened
from kg.viz import build_page, chart_page, script_json


def _page_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def _node(key: str, name: str, parent: str | None, level: int, **extra: object) -> dict:
    return {"key": key, "name": name, "title": extra.pop("title", "T"), "parent": parent, "level": level,
            "headcount": 0, "reports": 0, "betweenness": 0, "unit": "U"} | extra


def test_page_is_one_offline_file_with_everything_inlined(example_store: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with opened(example_store) as store:
        chart = org_chart(store)
        page = chart_page(store)
    text = page.html
    assert (page.people, page.edges) == (52, 54) and 0 < page.shown <= 52
    assert "default-src 'none'" in text  # the browser refuses any request the page might try
    assert not re.search(r"""<(script|link|img|iframe)[^>]*(src|href)=""", text)
    assert "bootstrap" not in text.lower() and "@import" not in text and "fonts.googleapis" not in text
    assert "vis.Network" in text and len(text) > 400_000  # vis-network inlined
    assert [p.name for p in tmp_path.iterdir()] == ["example-store"]  # no lib/ folder
    assert "@media print" in text and 'id="kg-details"' in text and 'id="kg-hits"' in text
    data = _page_data(text)
    cards = data["cards"]
    assert len(cards["p"]) == 52 and data["options"]["physics"]["enabled"] is False
    assert all(n["physics"] is False and n["shape"] == "custom" for n in data["first"])
    by_name = {name: i for i, name in enumerate(cards["name"])}
    # Only vacancies are dashed.
    vacant = {n["key"] for n in chart.nodes if (n.get("status") or "").lower() == "vacant"}
    keys = [c.key for c in chart_cards(chart)[0]]
    assert {keys[i] for i, v in enumerate(cards["v"]) if v} == vacant and vacant
    assert len(data["dotted"]) == sum(e["kind"] == "dotted" for e in chart.edges) == 3
    isabel = by_name["Isabel Costa"]
    assert cards["name"][cards["p"][isabel]] == "Yuki Tanaka"
    assert cards["hc"][by_name["Amara Okafor"]] == 51
    # Colours by top-level branch: everyone under the CPO shares the CPO's colour.
    cpo = by_name["Daniel Reyes"]
    below = [i for i in range(52) if _chain(cards["p"], i)[-2:-1] == [cpo]]
    assert len({cards["c"][i] for i in below}) == 1 and len(below) > 10


def _chain(parent: list[int], i: int) -> list[int]:
    out = [i]
    while parent[out[-1]] >= 0:
        out.append(parent[out[-1]])
    return out


def test_the_same_value_has_the_same_colour_in_every_chart(example_store: Path) -> None:
    with opened(example_store) as store:
        whole = _page_data(chart_page(store, colour_by="unit").html)
        part = _page_data(chart_page(store, colour_by="unit", root="P02").html)
    colours = {}
    for data in (whole, part):
        legend = data["legend"]
        for i, unit in enumerate(data["cards"]["unit"]):
            c = data["cards"]["c"][i]
            if unit:
                colours.setdefault(unit, set()).add(legend[c][1])
    assert colours and all(len(v) == 1 for v in colours.values())
    assert len(part["legend"]) < len(whole["legend"])


def test_hostile_text_is_escaped_everywhere() -> None:
    evil = "</script><img src=x onerror=alert(1)>&\u2028'\"javascript:x"
    chart = Chart([_node("n0", evil, None, 0, title=evil)], [], "org", evil)
    page = build_page(chart).html
    assert "<img" not in page and page.count("</script>") == 3  # data, vis-network, app
    raw_json = page.split('id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert "\u2028" not in raw_json and "<" not in raw_json and "&" not in raw_json
    assert f"<title>{html.escape(evil)}</title>" in page
    assert _page_data(page)["cards"]["name"] == [evil]  # the JSON decodes to the exact text
    assert script_json("<>&") == '"\\u003c\\u003e\\u0026"'


def test_big_charts_open_on_the_levels_that_fit() -> None:
    nodes = [_node("r", "Root", None, 0)] + [_node(f"m{i}", f"M{i}", "r", 1) for i in range(5)]
    nodes += [_node(f"p{i}", f"P{i}", f"m{i % 5}", 2) for i in range(40)]
    nodes += [_node(f"q{i}", f"Q{i}", f"p{i}", 3) for i in range(40)]
    page = build_page(Chart(nodes, []))
    data = _page_data(page.html)
    opened_names = {data["cards"]["name"][i] for i in data["open"]}
    assert "Root" in opened_names and page.shown == len(data["first"]) < page.people


def test_notebook_display_is_a_sandboxed_iframe(example_store: Path) -> None:
    with opened(example_store) as store:
        page = chart_page(store, root="P08")
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=\"") and 'sandbox="allow-scripts"' in frame
    srcdoc = frame.split('srcdoc="', 1)[1].split('" sandbox', 1)[0]
    assert '"' not in srcdoc and "<" not in srcdoc
    assert html.unescape(srcdoc) == page.html


def test_cli_viz(example_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "chart.html"
    base = ["--store", str(example_store), "viz", "-o", str(out)]
    result = runner.invoke(main, base + ["--root", "P02", "--depth", "2", "--color-by", "family"])
    assert result.exit_code == 0, result.output
    data = _page_data(out.read_text())
    assert len(data["cards"]["p"]) == 13 and data["colourBy"] == "family"
    assert "wrote" in result.output and "13 nodes" in result.output
    result = runner.invoke(main, base + ["--path", "P19", "P22"])
    assert result.exit_code == 0, result.output
    assert len(_page_data(out.read_text())["path"]) == 10
    result = runner.invoke(main, base + ["--view", "concepts"])
    assert result.exit_code == 0, result.output
    legend = [row[0] for row in _page_data(out.read_text())["legend"]]
    assert legend == ["family", "role", "portfolio", "product"]
    before = out.read_bytes()
    missing = runner.invoke(main, base + ["--path", "P19", "Nobody Atall"])
    assert missing.exit_code == 1 and "no person matches" in missing.output
    assert out.read_bytes() == before  # a failed run leaves the earlier file as it was
    assert runner.invoke(main, base + ["--color-by", "weight"]).exit_code == 2
