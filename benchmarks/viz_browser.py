"""Time to write the interactive chart and time until headless Chromium has drawn it, and the file sizes.

    python benchmarks/viz_browser.py 10000 100000

For each size: a synthetic organization (scripts/generate_org.py, seed 1) is loaded into a temporary store;
the chart is built in process (org_chart + build_page, and the whole ``kg viz`` process), then opened in
Chromium (network blocked) and timed from navigation start until the first view is drawn (collapsed to what
fits), and from "expand all" until everyone is laid out (in the page) and drawn.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http*", "ws*"]})
    return driver


def _wait(driver, script: str, limit: float = 300) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not driver.execute_script(script):
        if time.monotonic() > deadline:
            raise TimeoutError(script)
        time.sleep(0.02)


def run(size: int, work: Path, driver, expand: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from kg.export import org_chart
    from kg.ingest.load import load_files
    from kg.store import opened
    from kg.viz import build_page

    prefix = work / f"org{size}"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_org.py"), str(size), "--out",
                    str(prefix), "--no-ntriples"], check=True, capture_output=True)
    store = work / f"store{size}"
    with opened(store, write=True) as s:
        load_files(s, [prefix.with_suffix(".csv")])
    with opened(store) as s:
        t0 = time.perf_counter()
        chart = org_chart(s)
        t1 = time.perf_counter()
        page = build_page(chart)
        t2 = time.perf_counter()
    out = work / f"chart{size}.html"
    page.save(out)
    t3 = time.perf_counter()
    subprocess.run(["kg", "--store", str(store), "viz", "-o", str(work / "cli.html")], check=True,
                   capture_output=True)
    cli = time.perf_counter() - t3
    driver.get(out.as_uri())
    _wait(driver, "return !!(window.kgChart && window.kgChart.drawn)")
    first = driver.execute_script("return kgChart.drawnAt")
    drawn_first = driver.execute_script("return kgChart.network.body.nodeIndices.length")
    everyone = float("nan")
    if expand:  # synchronous: the click lays out everyone and fills vis-network; redraw() draws them
        everyone = driver.execute_script(
            "var t0 = performance.now(); document.getElementById('kg-expand').click();"
            "kgChart.network.redraw(); return performance.now() - t0;")
    return {"people": len(chart.nodes), "read_chart_s": t1 - t0, "build_html_s": t2 - t1,
            "kg_viz_process_s": cli,
            "html_mb": out.stat().st_size / 1e6, "shown_first": drawn_first,
            "browser_first_draw_s": first / 1000, "browser_draw_everyone_s": everyone / 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10000, 100000])
    parser.add_argument("--expand-limit", type=int, default=10000, help="largest size to expand fully")
    args = parser.parse_args()
    driver = _browser()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for size in args.sizes:
                row = run(size, Path(tmp), driver, size <= args.expand_limit)
                print("  ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                for k, v in row.items()))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
