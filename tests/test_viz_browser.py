"""The interactive chart in a real headless Chromium (every network request blocked and logged), on real files:
UK organograms, the d3-org-chart sample, and a generated tree with a 1,500-report manager."""

from __future__ import annotations

import csv as csv_module
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.export import find_key, org_chart, path
from kg.ingest.load import load_files
from kg.store import opened
from kg.viz import chart_page

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
                                 reason="needs Debian chromium and chromium-driver")]
DATA = Path(__file__).parent / "data" / "realdata"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
HOSTILE = ["<img src=x onerror=\"window.__pwned=1;alert(1)\">", "</script><script>window.__pwned=2</script>",
           "javascript:window.__pwned=3", "O'Brien \"Quotes\" & <b>Bold</b>", "Zoë\u2028Line"]
PLACEHOLDERS = {"", "n/d", "vacant", "eliminated", "n/a", "not disclosed"}
UK = ("Post Unique Reference", "Reports to Senior Post", "Name", "Job Title")
D3 = ("id", "parentId", "name", "positionName")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,950",
                 "--disable-dev-shm-usage", "--force-device-scale-factor=2"):
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
    """Load ``page`` and wait until it is drawn; return the requests it made and its console messages."""
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(page.as_uri())
    deadline = time.monotonic() + 60
    while not driver.execute_script("return !!(window.kgChart && window.kgChart.drawn)"):
        assert time.monotonic() < deadline, "chart never drawn"
        time.sleep(0.05)
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    return {"requests": requests, "console": driver.get_log("browser")}


def _no_request_left(result: dict[str, Any]) -> None:
    assert [u for u in result["requests"] if not u.startswith(("file:", "data:"))] == []
    assert [m for m in result["console"] if m["level"] in ("SEVERE", "WARNING")] == []


def _boxes(driver: Any) -> list[tuple[int, dict[str, float]]]:
    """Card boxes as drawn: vis-network's node positions, the card sizes the renderer draws."""
    return driver.execute_script(
        "var nw = kgChart.network, L = kgChart.layout(), keys = kgChart.shownKeys(), pos = nw.getPositions(keys);"
        "return keys.map(function (i) { var p = pos[i], w = L.w[i] / 2, h = L.h[i] / 2;"
        " return [i, {left: p.x - w, right: p.x + w, top: p.y - h, bottom: p.y + h}]; });")


def _overlaps(boxes: list[tuple[int, dict[str, float]]]) -> list[tuple[int, int]]:
    ordered = sorted(boxes, key=lambda b: b[1]["left"])
    found, active = [], []
    for key, b in ordered:
        active = [(k, a) for k, a in active if a["right"] > b["left"] + 0.01]
        found += [(k, key) for k, a in active if a["top"] < b["bottom"] - 0.01 and b["top"] < a["bottom"] - 0.01]
        active.append((key, b))
    return found


def _rows(path_: Path, cols: tuple[str, str, str, str]) -> list[dict[str, str]]:
    with path_.open(encoding="utf-8-sig", newline="") as fh:
        return [{"id": r[cols[0]].strip(), "parent": (r[cols[1]] or "").strip(), "name": " ".join(r[cols[2]].split()),
                 "title": " ".join((r[cols[3]] or "").split()),
                 "grade": (r.get("Grade") or "").strip(),
                 "floor": (r.get("Actual Pay Floor (£)") or "").strip()} for r in csv_module.DictReader(fh)]


def _generated(tmp_path: Path) -> Path:
    source = tmp_path / "wide.csv"
    with source.open("w", newline="") as fh:
        w = csv_module.writer(fh)
        w.writerow(["id", "parentId", "name", "positionName"])
        w.writerow(["ceo", "", "Avery Chief", "Chief Executive"])
        w.writerow(["ops", "ceo", "Morgan Ops", "Director of Operations"])
        w.writerow(["fin", "ceo", "Jordan Money", "Finance Director"])
        for i in range(1500):
            w.writerow([f"op{i}", "ops", f"Operator {i}", "Field Engineer" if i % 3 else "Senior Field Engineer"])
        for i in range(12):
            w.writerow([f"fa{i}", "fin", f"Analyst {i}", "Financial Analyst"])
    return source


def _ocr(driver: Any, tmp_path: Path) -> str:
    from PIL import Image

    shot = tmp_path / "first.png"
    driver.find_element("id", "kg-chart").screenshot(str(shot))
    image = Image.open(shot).convert("L").point(lambda v: 255 if v > 120 else 0)
    image.save(shot)
    text = subprocess.run(["tesseract", str(shot), "-", "--psm", "11"], capture_output=True, text=True,
                          check=True).stdout
    return _ocr_fold(text)


def _ocr_fold(text: str) -> str:
    return " ".join(text.casefold().replace("l", "i").replace("|", "i").split())


FILES = [("hmrc", DATA / "uk-organograms" / "300913-HMRC-Organogram-Final-senior.csv", UK),
         ("natural-england", DATA / "uk-organograms" / "300913-Natural-England-Organogram-senior.csv", UK),
         ("moj-2011", SHARED / "uk-organogram-snapshots" / "ministry_of_justice-2011-03-31-senior.csv", UK),
         ("d3-sample", SHARED / "d3-org-chart-sample" / "org.csv", D3),
         ("1500-report-team", None, D3)]


@pytest.mark.parametrize(("label", "source", "cols"), FILES, ids=[f[0] for f in FILES])
def test_real_charts_open_readable_without_overlap(browser: Any, tmp_path: Path, label: str, source: Path | None,
                                                   cols: tuple[str, str, str, str]) -> None:
    if source is None:
        source = _generated(tmp_path)
    if not source.exists():
        pytest.skip(f"needs {source}")
    with opened(tmp_path / "store", write=True) as store:
        load_files(store, [source])
    with opened(tmp_path / "store") as store:
        page = chart_page(store).save(tmp_path / "chart.html")
    result = _open(browser, page)
    _no_request_left(result)
    data = browser.execute_script("var D = kgChart.data; return {id: D.cards.id, style: D.style};")
    # Readable: zoom 1, so card text is drawn at its font size (titles 11 px, names 12 px).
    scale = browser.execute_script("return kgChart.network.getScale()")
    assert scale >= 1 and data["style"]["title_size"] * scale >= 11
    first = _boxes(browser)
    assert first and _overlaps(first) == []
    assert browser.execute_script("return kgChart.truncated()") == []  # every line fits its card as drawn
    # The browser's own layout (used after folding and unfolding) equals Python's first view.
    same = browser.execute_script(
        "var L = kgChart.browserLayout(), out = 0; kgChart.data.first.forEach(function (n) {"
        " if (Math.abs(L.x[n.id] + L.w[n.id] / 2 - n.x) > 0.01 || Math.abs(L.y[n.id] + L.h[n.id] / 2 - n.y) > 0.01)"
        " out += 1; }); return out;")
    assert same == 0
    rows = _rows(source, cols)
    ids = [r["id"] for r in rows]
    unique = {i for i in ids if ids.count(i) == 1}
    parents = {}
    for r in rows:
        parents.setdefault(r["parent"], []).append(r)
    # +N on a folded card is the number of its reports in the file.
    shown = {i for i, _ in first}
    kids = browser.execute_script("return kgChart.kids.map(function (k) { return k.length; })")
    opened_ = browser.execute_script("return Array.from(kgChart.open)")
    checked = 0
    for i in shown:
        card_id = data["id"][i]
        if kids[i] and not opened_[i] and card_id in unique:
            assert kids[i] == len(parents.get(card_id, [])), card_id
            checked += 1
    assert checked or label == "natural-england"
    # OCR of the first view finds the names of the top two levels.
    if label != "1500-report-team":
        top = [r for r in rows if r["parent"] not in set(ids) or r["parent"] == r["id"]]
        second = [r for r in rows if r["parent"] in {t["id"] for t in top} and r not in top]
        names = {r["name"] for r in top + second if r["name"].casefold() not in PLACEHOLDERS}
        text = _ocr(browser, tmp_path)
        missing = [n for n in names if _ocr_fold(n) not in text]
        assert names and not missing, (missing, text[:800])
    # Search by title selects that post (the rarest title of the file; unique where the file has one).
    titles = [r["title"] for r in rows]
    wanted = min((r for r in rows if r["title"] and r["id"] in unique), key=lambda r: titles.count(r["title"]))
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = browser.find_element(By.ID, "kg-query")
    box.clear()
    box.send_keys(wanted["title"], Keys.ENTER)
    selected = browser.execute_script("return kgChart.network.getSelectedNodes()")
    chosen = browser.execute_script("return kgChart.data.cards.title[arguments[0]]", selected[0])
    assert len(selected) == 1 and " ".join(chosen.split()) == wanted["title"]
    if titles.count(wanted["title"]) == 1:
        assert data["id"][selected[0]] == wanted["id"]
    details = browser.find_element(By.ID, "kg-details").text
    assert wanted["title"] in " ".join(details.split())
    if titles.count(wanted["title"]) == 1 and wanted["grade"]:  # the details panel: grade and pay band
        assert f"Grade: {wanted['grade']}" in details
    if titles.count(wanted["title"]) == 1 and wanted["floor"].replace(".", "").isdigit():
        assert f"Pay band: {float(wanted['floor']):,.0f}" in details
    assert browser.find_elements(By.CSS_SELECTOR, "#kg-hits li.on")
    # Expand all: everyone drawn, still no overlap.
    browser.execute_script("kgChart.expandAll()")
    every = _boxes(browser)
    assert len(every) == len(data["id"]) and _overlaps(every) == []
    if label == "1500-report-team":
        left = min(b["left"] for _, b in every)
        right = max(b["right"] for _, b in every)
        top_ = min(b["top"] for _, b in every)
        bottom = max(b["bottom"] for _, b in every)
        assert 0.25 <= (right - left) / (bottom - top_) <= 4


def test_fold_and_unfold_with_the_badge_and_the_keyboard(browser: Any, example_store: Path,
                                                         tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    with opened(example_store) as store:
        page = chart_page(store).save(tmp_path / "org.html")
    _open(browser, page)
    folded = browser.execute_script(
        "var K = kgChart.kids, o = kgChart.open; return kgChart.shownKeys().filter(function (i) {"
        " return K[i].length && !o[i]; })[0]")
    before = len(_boxes(browser))
    team = browser.execute_script("return kgChart.kids[arguments[0]].length", folded)
    # Click the +N badge (the strip at the bottom of the card).
    canvas = browser.find_element(By.CSS_SELECTOR, "#kg-chart canvas")
    x, y = browser.execute_script(
        "var nw = kgChart.network, L = kgChart.layout(), i = arguments[0];"
        "var d = nw.canvasToDOM({x: L.x[i] + L.w[i] / 2, y: L.y[i] + L.h[i] - 5}); return [d.x, d.y];", folded)
    size = canvas.size
    ActionChains(browser).move_to_element_with_offset(canvas, int(x - size["width"] / 2),
                                                      int(y - size["height"] / 2)).click().perform()
    assert len(_boxes(browser)) == before + team
    assert _overlaps(_boxes(browser)) == []
    # Keyboard: Enter folds the selected card again; ArrowUp goes to its manager.
    browser.find_element(By.ID, "kg-chart").click()
    browser.execute_script("kgChart.select(arguments[0], false)", folded)
    ActionChains(browser).send_keys("\n").perform()
    assert len(_boxes(browser)) == before
    parent = browser.execute_script("return kgChart.data.cards.p[arguments[0]]", folded)
    from selenium.webdriver.common.keys import Keys

    ActionChains(browser).send_keys(Keys.ARROW_UP).perform()
    assert browser.execute_script("return kgChart.network.getSelectedNodes()") == [parent]
    browser.find_element(By.ID, "kg-collapse").click()
    browser.find_element(By.ID, "kg-expand").click()
    assert len(_boxes(browser)) == 52


def test_hostile_names_render_as_text_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    source = tmp_path / "hostile.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv_module.writer(fh)
        writer.writerow(["id", "name", "title", "manager"])
        writer.writerows([f"H{i}", name, name, "" if i == 0 else "H0"] for i, name in enumerate(HOSTILE))
    with opened(tmp_path / "store", write=True) as store:
        load_files(store, [source])
    with opened(tmp_path / "store") as store:
        page = chart_page(store, title=HOSTILE[1]).save(tmp_path / "hostile.html")
    raw = page.read_text()
    assert "<img" not in raw and "</script><script>window" not in raw
    result = _open(browser, page)
    _no_request_left(result)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.find_element(By.TAG_NAME, "h1").text == HOSTILE[1]
    assert browser.title == HOSTILE[1]
    box = browser.find_element(By.ID, "kg-query")
    box.send_keys("<img", Keys.ENTER)
    details = browser.find_element(By.ID, "kg-details")
    assert HOSTILE[0] in details.text
    assert browser.execute_script("return document.querySelectorAll('img, b b').length") == 0
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.get_log("browser") == []


def test_path_and_concepts_views(browser: Any, example_store: Path, tmp_path: Path) -> None:
    with opened(example_store) as store:
        chart = org_chart(store)
        keys = path(chart, find_key(store, chart, "P19"), find_key(store, chart, "P22"))
        page = chart_page(store, between=("P19", "P22")).save(tmp_path / "path.html")
        concepts = chart_page(store, view="concepts")
        concept_page = concepts.save(tmp_path / "concepts.html")
    _open(browser, page)
    shown = set(browser.execute_script("return kgChart.shownKeys()"))
    marked = browser.execute_script("return kgChart.data.path")
    assert len(marked) == len(keys) and set(marked) <= shown
    result = _open(browser, concept_page)
    drawn = browser.execute_script("var n = kgChart.network.body; return [n.nodeIndices.length, n.edgeIndices.length]")
    assert drawn == [concepts.people, concepts.edges] and concepts.people > 20
    found = browser.execute_script("return kgChart.search('product owner')")
    assert found and "Product Owner" in browser.find_element("id", "kg-status").text
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
        deadline = time.monotonic() + 60
        while not browser.execute_script("return !!(window.kgChart && window.kgChart.drawn)"):
            assert time.monotonic() < deadline, "chart never drawn inside the iframe"
            time.sleep(0.05)
        drawn = browser.execute_script("return kgChart.network.body.nodeIndices.length")
        assert drawn == page.shown and page.people == 10
    finally:
        browser.switch_to.default_content()
    assert [m for m in browser.get_log("browser") if m["level"] == "SEVERE"] == []


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr")
def test_ocr_helper_reads_what_it_should() -> None:
    assert _ocr_fold("lan  Devling\n") == _ocr_fold("Ian Devling")
    assert re.sub(r"\s+", " ", "a  b") == "a b"
