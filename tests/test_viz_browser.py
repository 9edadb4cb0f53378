"""The interactive chart in a real headless Chromium, with every network request blocked and logged."""

from __future__ import annotations

import csv as csv_module
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.export import chain_keys, find_key, org_chart
from kg.ingest.load import load_files
from kg.store import opened
from kg.viz import chart_page

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
                                 reason="needs Debian chromium and chromium-driver")]

HOSTILE = ["<img src=x onerror=\"window.__pwned=1;alert(1)\">", "</script><script>window.__pwned=2</script>",
           "javascript:window.__pwned=3", "O'Brien \"Quotes\" & <b>Bold</b>", "Zoë\u2028Line"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900",
                 "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http*", "ws*", "ftp*", "blob:*"]})
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: Any, page: Path) -> dict[str, Any]:
    """Load ``page``, wait until the chart is drawn; return drawn counts, requests and console messages."""
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(page.as_uri())
    deadline = time.monotonic() + 30
    while not driver.execute_script("return !!(window.kgChart && window.kgChart.drawn)"):
        assert time.monotonic() < deadline, "chart never drawn"
        time.sleep(0.05)
    drawn = driver.execute_script(
        "var n = kgChart.network.body; return {nodes: n.nodeIndices.length, edges: n.edgeIndices.length,"
        " dataNodes: kgChart.nodes.length, dataEdges: kgChart.edges.length};")
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    console = driver.get_log("browser")
    return drawn | {"requests": requests, "console": console}


def _no_request_left(result: dict[str, Any]) -> None:
    outside = [u for u in result["requests"] if not u.startswith(("file:", "data:"))]
    assert outside == []
    assert [m for m in result["console"] if m["level"] in ("SEVERE", "WARNING")] == []


def _click_node(driver: Any, key: str, double: bool = False) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    canvas = driver.find_element(By.CSS_SELECTOR, "#kg-chart canvas")
    x, y = driver.execute_script(
        "var nw = kgChart.network; nw.focus(arguments[0], {scale: 1, animation: false});"
        "var p = nw.getPositions([arguments[0]])[arguments[0]]; var d = nw.canvasToDOM(p);"
        "return [d.x, d.y];", key)
    size = canvas.size
    actions = ActionChains(driver).move_to_element_with_offset(canvas, int(x - size["width"] / 2),
                                                               int(y - size["height"] / 2))
    (actions.double_click() if double else actions.click()).perform()


def test_example_chart_draws_everything_offline_searches_and_highlights(
        browser: Any, example_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    with opened(example_store) as store:
        chart = org_chart(store)
        page = chart_page(store).save(out / "org.html")
        p19 = find_key(store, chart, "P19")
        expected_chain = chain_keys(chart, p19)
    assert sorted(p.name for p in out.iterdir()) == ["org.html"]  # nothing written beside it (no lib/)

    result = _open(browser, page)
    assert (result["nodes"], result["edges"]) == (len(chart.nodes), len(chart.edges))
    assert (result["dataNodes"], result["dataEdges"]) == (52, len(chart.edges))
    _no_request_left(result)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0

    box = browser.find_element(By.ID, "kg-query")
    box.send_keys("isabel costa", Keys.ENTER)  # case- and accent-insensitive
    assert browser.execute_script("return kgChart.network.getSelectedNodes()") == [p19]
    centre, pos = browser.execute_script(
        "var nw = kgChart.network;"
        "return [nw.getViewPosition(), nw.getPositions([arguments[0]])[arguments[0]]];", p19)
    assert abs(centre["x"] - pos["x"]) < 1 and abs(centre["y"] - pos["y"]) < 1
    assert browser.find_element(By.ID, "kg-status").text == "Found Isabel Costa"
    assert browser.execute_script("return kgChart.highlighted") == expected_chain

    with opened(example_store) as store:
        top = find_key(store, chart, "P22")
        expected = chain_keys(chart, top)
    browser.execute_script("kgChart.highlighted = []")
    _click_node(browser, top)
    assert browser.execute_script("return kgChart.highlighted") == expected
    colours = browser.execute_script(
        "return kgChart.highlighted.map(function (k) { return kgChart.nodes.get(k).color.background; })")
    assert set(colours) == {"#ffd43b"}
    assert browser.get_log("browser") == []


def test_hostile_names_render_as_text_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    csv = tmp_path / "hostile.csv"
    with csv.open("w", newline="", encoding="utf-8") as fh:
        writer = csv_module.writer(fh)
        writer.writerow(["id", "name", "title", "manager"])
        writer.writerows([f"H{i}", name, name, "" if i == 0 else "H0"] for i, name in enumerate(HOSTILE))
    with opened(tmp_path / "store", write=True) as store:
        load_files(store, [csv])
    with opened(tmp_path / "store") as store:
        page = chart_page(store, title=HOSTILE[1]).save(tmp_path / "hostile.html")
    raw = page.read_text()
    assert "<img" not in raw and "</script><script>window" not in raw

    result = _open(browser, page)
    assert (result["nodes"], result["edges"]) == (len(HOSTILE), len(HOSTILE) - 1)
    _no_request_left(result)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.execute_script(
        "return document.querySelectorAll('img').length + kgChart.nodes.get().filter(function (n) {"
        " return n.title.querySelector('img') || [].some.call(n.title.querySelectorAll('b'),"
        " function (b) { return b.textContent === 'Bold'; }); }).length") == 0
    assert browser.find_element(By.TAG_NAME, "h1").text == HOSTILE[1]
    assert browser.title == HOSTILE[1]
    tips = browser.execute_script(
        "return kgChart.nodes.get().map(function (n) { return n.title.textContent; })")
    for name in HOSTILE[:4]:
        assert any(name in t for t in tips)
    box = browser.find_element(By.ID, "kg-query")
    box.send_keys("<img", Keys.ENTER)
    assert browser.find_element(By.ID, "kg-status").text == "Found " + HOSTILE[0]
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.get_log("browser") == []


def test_big_chart_starts_collapsed_and_search_opens_the_way(browser: Any, example_store: Path,
                                                             tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with opened(example_store) as store:
        chart = org_chart(store)
        page = chart_page(store, collapse_above=10).save(tmp_path / "big.html")
        deep = find_key(store, chart, "P36")  # Isabel Costa's level is 5; P36 sits deep in engineering
    shown_first = sum(1 for n in chart.nodes if n["level"] <= 1)
    result = _open(browser, page)
    assert result["nodes"] == shown_first < len(chart.nodes)
    note = browser.find_element(By.ID, "kg-note")
    assert note.is_displayed() and f"Showing {shown_first} of 52 people" in note.text
    cpo = next(n for n in chart.nodes if n["id"] == "P02")
    team = sum(1 for n in chart.nodes if n["parent"] == cpo["key"])
    assert "[+" in browser.execute_script("return kgChart.nodes.get(arguments[0]).label", cpo["key"])
    _click_node(browser, cpo["key"], double=True)  # opens the CPO's team
    assert browser.execute_script("return kgChart.network.body.nodeIndices.length") == shown_first + team
    browser.find_element(By.ID, "kg-query").send_keys("P36", Keys.ENTER)
    assert browser.execute_script("return kgChart.network.getSelectedNodes()") == [deep]
    assert browser.execute_script("return kgChart.network.body.nodeIndices.length") > shown_first
    browser.find_element(By.ID, "kg-show-all").click()
    assert browser.execute_script("return kgChart.network.body.nodeIndices.length") == len(chart.nodes)
    assert not note.is_displayed()
    _no_request_left(result)


def test_path_and_concepts_views(browser: Any, example_store: Path, tmp_path: Path) -> None:
    from kg.export import path

    with opened(example_store) as store:
        chart = org_chart(store)
        keys = path(chart, find_key(store, chart, "P19"), find_key(store, chart, "P22"))
        page = chart_page(store, between=("P19", "P22")).save(tmp_path / "path.html")
        concepts = chart_page(store, view="concepts")
        concept_page = concepts.save(tmp_path / "concepts.html")
    _open(browser, page)
    painted = browser.execute_script(
        "return arguments[0].map(function (k) { return kgChart.nodes.get(k).color.background; })", keys)
    assert set(painted) == {"#ff9f43"}
    result = _open(browser, concept_page)
    assert (result["nodes"], result["edges"]) == (concepts.people, concepts.edges) and concepts.people > 20
    _no_request_left(result)


def test_notebook_iframe_draws_the_same_chart(browser: Any, example_store: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    with opened(example_store) as store:
        page = chart_page(store, root="P08")
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body>{page._repr_html_()}</body></html>", encoding="utf-8")
    browser.get(host.as_uri())
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    try:
        deadline = time.monotonic() + 30
        while not browser.execute_script("return !!(window.kgChart && window.kgChart.drawn)"):
            assert time.monotonic() < deadline, "chart never drawn inside the iframe"
            time.sleep(0.05)
        drawn = browser.execute_script("return kgChart.network.body.nodeIndices.length")
        assert drawn == page.people == 10
    finally:
        browser.switch_to.default_content()
    assert [m for m in browser.get_log("browser") if m["level"] == "SEVERE"] == []
