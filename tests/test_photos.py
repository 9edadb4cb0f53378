"""Photos on the org chart: a CSV's photo column (data URIs, local image files) embedded at load time, drawn on
the cards and in the details panel; web addresses are counted, never fetched (a loopback server proves it)."""

from __future__ import annotations

import base64
import csv
import http.server
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.ingest.photos import PHOTO_LIMIT
from kg.layout import STYLE, Card, card_text

RED, GREEN = (220, 30, 40), (20, 170, 60)


def png(colour: tuple[int, int, int], side: int = 8) -> bytes:
    """A real PNG of one colour (zlib + struct: no image library)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(colour) * side for _ in range(side))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture()
def web() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that logs every path asked of it."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            body = png(RED)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _csv(tmp_path: Path, url: str) -> tuple[Path, list[dict[str, str]]]:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "green.png").write_bytes(png(GREEN))
    rows = [{"id": "A1", "name": "Ada Red", "title": "Chief Executive", "manager": "",
             "Avatar": "data:image/png;base64," + base64.b64encode(png(RED)).decode()},
            {"id": "B2", "name": "Ben Green", "title": "Engineer", "manager": "A1", "Avatar": "pics/green.png"},
            {"id": "C3", "name": "Cy Web", "title": "Engineer", "manager": "A1", "Avatar": url + "/cy.png"},
            {"id": "D4", "name": "Di Plain", "title": "Engineer", "manager": "A1", "Avatar": ""}]
    source = tmp_path / "staff.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return source, rows


def _kg(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_photos_load_embedded_and_web_addresses_are_counted_not_fetched(tmp_path: Path, web: Any) -> None:
    url, seen = web
    source, rows = _csv(tmp_path, url)
    store = tmp_path / "store"
    result = _kg("--store", str(store), "load", str(source))
    assert result.exit_code == 0, result.output
    web_cells = sum(1 for r in rows if r["Avatar"].startswith("http"))
    assert f"photos not embedded (web addresses are not fetched) {web_cells}" in result.output
    embedded = sum(1 for r in rows if r["Avatar"] and not r["Avatar"].startswith("http"))
    assert f"photos embedded {embedded}" in result.output
    page = tmp_path / "org.html"
    assert _kg("--store", str(store), "viz", "-o", str(page)).exit_code == 0
    html = page.read_text()
    assert rows[0]["Avatar"] in html  # the data URI as given
    assert "data:image/png;base64," + base64.b64encode((tmp_path / "pics" / "green.png").read_bytes()).decode() in html
    assert url not in html
    assert "img-src data:\"" in html
    assert seen == []


def test_a_bad_photo_is_a_defect_with_its_row(tmp_path: Path) -> None:
    (tmp_path / "big.png").write_bytes(png(RED)[:16] + b"\x00" * (PHOTO_LIMIT + 1))
    (tmp_path / "fake.png").write_text("not an image")
    source = tmp_path / "bad.csv"
    source.write_text("id,manager,name,photo\nA,,Ann,big.png\nB,A,Bo,fake.png\nC,A,Cy,"
                      "data:image/svg+xml;base64,PHN2Zz4=\nD,A,Di,missing.png\n", encoding="utf-8")
    result = _kg("--store", str(tmp_path / "store"), "load", str(source))
    assert result.exit_code == 0, result.output
    text = result.output
    assert "defective cells 4" in text
    for row in (1, 2, 3):
        assert f"row {row} photo" in text


def test_a_photo_widens_the_card_for_the_image() -> None:
    plain = card_text(Card("a", None, "Ada Lovelace", "Analyst"))
    with_photo = card_text(Card("a", None, "Ada Lovelace", "Analyst", photo=True))
    assert with_photo[0] == plain[0]
    assert with_photo[1] >= plain[1] + STYLE.photo + STYLE.pad
    assert with_photo[2] >= STYLE.photo + 2 * STYLE.pad


@pytest.mark.slow
def test_cards_draw_their_photos_and_the_page_makes_no_request(tmp_path: Path, web: Any) -> None:
    from tests.test_viz_browser import CHROMEDRIVER, CHROMIUM, _open

    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("needs Debian chromium and chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    url, seen = web
    source, rows = _csv(tmp_path, url)
    store, page = tmp_path / "store", tmp_path / "org.html"
    assert _kg("--store", str(store), "load", str(source)).exit_code == 0
    assert _kg("--store", str(store), "viz", "-o", str(page)).exit_code == 0
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--window-size=1400,950", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        result = _open(driver, page)
        driver.execute_script("kgChart.select(kgChart.data.cards.id.indexOf('B2'), true)")
        src = driver.execute_script("var im = document.querySelector('#kg-details img.photo'); return im && im.src")
        assert src == "data:image/png;base64," + base64.b64encode(png(GREEN)).decode()
        # the page logged nothing (read before the test's own canvas readbacks, which Chromium comments on)
        assert [m for m in result["console"] + driver.get_log("browser") if m["level"] in ("SEVERE", "WARNING")] == []
        probe = ("var c = kgChart.data.cards, i = c.id.indexOf(arguments[0]), nw = kgChart.network,"
                 " L = kgChart.layout(), S = kgChart.data.style, p = nw.getPositions([i])[i];"
                 " var d = nw.canvasToDOM({x: p.x - L.w[i] / 2 + S.pad + S.photo / 2,"
                 " y: p.y - L.h[i] / 2 + S.pad + S.photo / 2});"
                 " var cv = document.querySelector('#kg-chart canvas') || document.querySelector('canvas'),"
                 " r = window.devicePixelRatio || 1;"
                 " var px = cv.getContext('2d').getImageData(Math.round(d.x * r), Math.round(d.y * r), 1, 1);"
                 " return Array.from(px.data);")
        deadline = time.monotonic() + 60  # returns as soon as drawn; CI may be busy
        for ident, colour in (("A1", RED), ("B2", GREEN)):
            while True:
                pixel = driver.execute_script(probe, ident)
                if all(abs(a - b) <= 8 for a, b in zip(pixel[:3], colour, strict=True)):
                    break
                assert time.monotonic() < deadline, f"{ident}: the photo's pixel is {pixel}, not {colour}"
                time.sleep(0.1)
        plain = driver.execute_script(probe, "D4")
        assert tuple(plain[:3]) not in (RED, GREEN)
        later = [m for m in driver.get_log("performance") if "requestWillBeSent" in m["message"]]
        assert [u for u in result["requests"] if not u.startswith(("file:", "data:"))] == []
        assert [m for m in later if "http" in m["message"] and url in m["message"]] == []
        assert driver.execute_script("return kgChart.browserLayout ? true : false")
    finally:
        driver.quit()
    assert seen == []


# -- the static exports (SVG, PNG, PDF) ----------------------------------------------------------------------

BLUE = (30, 60, 220)
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"


def _pixels(ppm: bytes) -> list[tuple[int, int, int]]:
    """The pixels of a binary PPM (P6, 8 bits), as pdftoppm writes it."""
    fields = ppm.split(maxsplit=4)
    assert fields[0] == b"P6" and fields[3] == b"255"
    body = fields[4]
    return [tuple(body[i:i + 3]) for i in range(0, len(body) - 2, 3)]  # type: ignore[misc]


def _png_pixels(data: bytes) -> list[tuple[int, int, int]]:
    """The pixels of an 8-bit RGB or RGBA PNG, as Graphviz writes them (alpha dropped)."""
    from kg.drawing import _unfilter

    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            w, h, depth, colour_type = struct.unpack(">IIBB", data[pos + 8:pos + 18])
        elif kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    assert depth == 8 and colour_type in (2, 6)
    bpp = 3 if colour_type == 2 else 4
    px = _unfilter(zlib.decompress(idat), w, h, bpp)
    assert px is not None
    return [tuple(px[i:i + 3]) for i in range(0, len(px), bpp)]  # type: ignore[misc]


def _near(pixels: list[tuple[int, int, int]], colour: tuple[int, int, int]) -> int:
    return sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, colour, strict=True)))


@pytest.fixture()
def photo_store(tmp_path: Path, web: Any) -> tuple[Path, dict[str, bytes], list[str]]:
    """People whose photos are a data URI (red), a local file (green), a PNG with transparency (blue left
    half), a WebP (no PNG or PDF can carry it here: the fallback), a web address (never fetched), none."""
    url, seen = web
    side = 48
    half = b"".join(bytes(BLUE) + b"\xff" if x < side // 2 else b"\x00\x00\x00\x00"
                    for _ in range(side) for x in range(side))
    from kg.drawing import _png_of

    images = {"A1": png(RED, side), "B2": png(GREEN, side), "E5": _png_of(half, side, side, 6), "F6": WEBP}
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "green.png").write_bytes(images["B2"])
    (tmp_path / "pics" / "half.png").write_bytes(images["E5"])
    cells = {"A1": "data:image/png;base64," + base64.b64encode(images["A1"]).decode(), "B2": "pics/green.png",
             "E5": "pics/half.png", "F6": "data:image/webp;base64," + base64.b64encode(WEBP).decode(),
             "C3": url + "/cy.png", "D4": ""}
    source = tmp_path / "staff.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "title", "manager", "photo"])
        for key, cell in cells.items():
            writer.writerow([key, f"Person {key} <b>&amp;", "Engineer", "" if key == "A1" else "A1", cell])
    store = tmp_path / "store"
    assert _kg("--store", str(store), "load", str(source)).exit_code == 0
    return store, images, seen


def test_the_svg_embeds_each_photo_and_fetches_nothing(photo_store: Any, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    store, images, seen = photo_store
    out = tmp_path / "org.svg"
    assert _kg("--store", str(store), "export", "-o", str(out)).exit_code == 0
    root = ET.parse(out).getroot()  # well-formed: every name and photo escaped
    svg, xlink = "{http://www.w3.org/2000/svg}", "{http://www.w3.org/1999/xlink}href"
    hrefs = [i.get(xlink) or "" for i in root.iter(f"{svg}image")]
    assert all(h.startswith("data:image/") for h in hrefs)
    embedded = sorted(base64.b64decode(h.split(",", 1)[1]) for h in hrefs)
    assert embedded == sorted(images.values())  # exactly the photos kept at load time, the web one not
    texts = {t.text: float(t.get("x") or 0) for t in root.iter(f"{svg}text")}
    assert "Person A1 <b>&amp;" in texts  # shown literally
    image_right = {float(i.get("x") or 0) + float(i.get("width") or 0) for i in root.iter(f"{svg}image")}
    assert texts["Person A1 <b>&amp;"] > min(image_right)  # the name starts right of the photo
    assert seen == []


def test_the_pdf_and_png_draw_the_photos(photo_store: Any, tmp_path: Path) -> None:
    import shutil
    import subprocess

    if not shutil.which("pdftoppm") or not shutil.which("neato"):
        pytest.skip("needs poppler-utils and graphviz")
    store, _images, seen = photo_store
    pdf, png_out = tmp_path / "org.pdf", tmp_path / "org.png"
    assert _kg("--store", str(store), "export", "-o", str(pdf)).exit_code == 0
    assert _kg("--store", str(store), "export", "-o", str(png_out)).exit_code == 0
    ppm = subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", str(pdf)], capture_output=True,
                         timeout=120, check=True).stdout
    shown = {"pdf": _pixels(ppm), "png": _png_pixels(png_out.read_bytes())}
    side = {"pdf": 32 * 0.75, "png": 32.0}  # a photo's square, in pixels of each (72 dpi)
    for kind, pixels in shown.items():
        full = side[kind] ** 2
        for colour, share in ((RED, 1.0), (GREEN, 1.0), (BLUE, 0.5)):  # blue: the opaque half only
            assert 0.6 * share * full <= _near(pixels, colour) <= 1.3 * share * full, (kind, colour)
        assert _near(pixels, (0xD5, 0xDA, 0xE3)) >= 0.6 * full, kind  # the WebP's fallback square
    assert seen == []
