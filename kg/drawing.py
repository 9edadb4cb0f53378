"""Static drawings of the one layout (:mod:`kg.layout`): SVG, PNG (Graphviz with fixed positions) and paged PDF.

Everything here draws a :class:`kg.layout.Layout`; nothing is placed twice. Text is data, never markup: SVG
and Graphviz labels are escaped, PDF strings escaped byte by byte. The PDF is written here (no dependency):
pages of a chosen paper, an overview with the top levels first, then one page per subtree that did not fit,
with "continued on page N" on the card where a subtree leaves a page and "from page M" on the page it
continues on, and page numbers.

Photos are drawn at a card's left as the interactive chart draws them, from the data URIs kept at load time
(:func:`kg.ingest.photos.photo_image`): embedded in the SVG and the PDF, handed to Graphviz as files for the
PNG. Nothing is ever fetched; a photo a format cannot carry (WebP in PNG and PDF, a PNG with 16-bit colour or
interlacing in PDF) is drawn as a plain grey square, the fallback.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from kg.ingest.photos import photo_image
from kg.layout import Box, Card, Layout, Style, layout, text_width, tree_of
from kg.look import PAPERS

MAX_SIDE = 16_384  # px: larger images are refused (viewers and Graphviz's 32,767 px cap)
MAX_RATIO = 8.0
BORDER, VACANT_BORDER, LINE, DOTTED = "#4a5568", "#8a8f99", "#8794a8", "#c77d00"
PDF_SCALE = 0.75  # pt per layout px: 12 px names print at 9 pt
PHOTO_FALLBACK = "#d5dae3"  # the square drawn where a photo cannot be embedded
MAX_DECODED = 1_000_000  # pixels of a PNG with transparency decoded for the PDF (larger: the fallback)


@dataclass
class Look:
    """How cards look: fill colour and dashed border by key, text shown in the badge strip by key."""

    fills: dict[str, str] = field(default_factory=dict)
    dashed: set[str] = field(default_factory=set)
    badges: dict[str, str] = field(default_factory=dict)
    photos: dict[str, str] = field(default_factory=dict)  # card key -> its photo (a data URI), at its left


def text_left(b: Box, st: Style, look: Look) -> float:
    """Where a card's text starts: right of its photo when it has one (the layout made the card wider)."""
    return b.x + st.pad + (st.photo + st.pad if b.key in look.photos else 0.0)


def clean(text: str) -> str:
    """``text`` without control characters (XML 1.0 cannot carry them).

    >>> clean("a\\x00b\\tc")
    'ab c'
    """
    return "".join(c if c.isprintable() else " " if c in "\t\n\r" else "" for c in text)


def too_big(out: Layout) -> str | None:
    """Why an image of ``out`` (1 px per layout unit) is refused, or None when it is fine.

    >>> from kg.layout import Card, layout
    >>> too_big(layout([Card("a", None, "Ann")])) is None
    True
    """
    w, h = math.ceil(out.width), math.ceil(out.height)
    if max(w, h) > MAX_SIDE or max(w, h) > MAX_RATIO * max(min(w, h), 1):
        return (f"the chart would be a {w:,} x {h:,} px image (limit {MAX_SIDE:,} px a side and "
                f"{MAX_RATIO:.0f}:1): export a paged PDF (-o org.pdf) or one part with --root PERSON")
    return None


# -- SVG -----------------------------------------------------------------------------------------------------


def to_svg(out: Layout, look: Look, title: str = "Org chart", margin: float = 16) -> str:
    """The whole layout as one SVG document (px units)."""
    st = out.style
    w, h = out.width + 2 * margin, out.height + 2 * margin
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
             f'width="{w:.0f}" height="{h:.0f}" '
             f'viewBox="{-margin:.1f} {-margin:.1f} {w:.1f} {h:.1f}" font-family="Helvetica, Arial, sans-serif">',
             f"<title>{escape(clean(title))}</title>", f'<rect x="{-margin}" y="{-margin}" width="{w:.0f}" '
             f'height="{h:.0f}" fill="#ffffff"/>', f'<g fill="none" stroke="{LINE}" stroke-width="1.2">']
    for link in out.links:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in link.points)
        extra = f' stroke="{DOTTED}" stroke-dasharray="5 4"' if link.kind == "dotted" else ""
        parts.append(f'<polyline points="{pts}"{extra}/>')
    parts.append("</g>")
    for b in out.boxes.values():
        fill = look.fills.get(b.key, "#f4f6fb")
        dash = ' stroke-dasharray="6 4"' if b.key in look.dashed else ""
        border = VACANT_BORDER if b.key in look.dashed else BORDER
        parts.append(f'<g><rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="4" '
                     f'fill="{"#ffffff" if dash else fill}" stroke="{border}"{dash}/>')
        if b.key in look.photos:
            parts.append(_svg_photo(look.photos[b.key], b.x + st.pad, b.y + st.pad, st.photo))
        y = b.y + st.pad
        for kind, text in b.lines:
            size = st.name_size if kind == "name" else st.title_size
            y += size * st.line
            weight = ' font-weight="bold"' if kind == "name" else ""
            parts.append(f'<text x="{text_left(b, st, look):.1f}" y="{y - size * (st.line - 1) - 1:.1f}" '
                         f'font-size="{size:g}"{weight}>{escape(clean(text))}</text>')
        badge = look.badges.get(b.key)
        if badge:
            parts.append(f'<text x="{b.cx:.1f}" y="{b.y + b.h - 4:.1f}" font-size="10" text-anchor="middle" '
                         f'fill="#4a5568">{escape(clean(badge))}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _svg_photo(uri: str, x: float, y: float, side: float) -> str:
    """The photo as an embedded image (its bytes encoded again here: the attribute holds base64 only), or
    the fallback square."""
    got = photo_image(uri)
    if got is None:
        return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{side:g}" height="{side:g}" rx="3" '
                f'fill="{PHOTO_FALLBACK}"/>')
    kind, data = got
    href = escape(f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}")
    return (f'<image x="{x:.1f}" y="{y:.1f}" width="{side:g}" height="{side:g}" '
            f'preserveAspectRatio="xMidYMid slice" xlink:href="{href}"/>')


# -- PNG through Graphviz, every position fixed -----------------------------------------------------------------


_GRAPHVIZ_IMAGES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}  # what it can read


def photo_files(look: Look, folder: Path) -> dict[str, str]:
    """The photos Graphviz can draw, written as files in ``folder``: card key -> file path."""
    files: dict[str, str] = {}
    for i, (key, uri) in enumerate(sorted(look.photos.items())):
        got = photo_image(uri)
        if got is not None and got[0] in _GRAPHVIZ_IMAGES:
            path = folder / f"photo{i}{_GRAPHVIZ_IMAGES[got[0]]}"
            path.write_bytes(got[1])
            files[key] = str(path)
    return files


def to_fixed_dot(out: Layout, look: Look, photos: dict[str, str] | None = None) -> str:
    """Graphviz DOT with every card and connector where the layout put it (for ``neato -n2``); ``photos``
    are image files by card key (:func:`photo_files`), the fallback square for a card whose photo has none."""
    st = out.style
    height = out.height
    lines = ["graph org {", '  graph [splines=true, bgcolor="#ffffff", pad=0.2, dpi=72];',
             '  node [shape=box, style="rounded,filled", fixedsize=true, fontname="Helvetica", '
             f'color="{BORDER}", margin=0];', f'  edge [color="{LINE}", penwidth=1.2];']
    ids = {}
    for i, b in enumerate(out.boxes.values()):
        ids[b.key] = f"n{i}"
        rows = []
        for kind, text in b.lines:
            size = st.name_size if kind == "name" else st.title_size
            body = escape(clean(text))
            rows.append(f'<FONT POINT-SIZE="{size:g}">{"<B>" + body + "</B>" if kind == "name" else body}</FONT>')
        if look.badges.get(b.key):
            rows.append(f'<FONT POINT-SIZE="10">{escape(clean(look.badges[b.key]))}</FONT>')
        cell = "<BR/>".join(rows) if rows else " "
        photo = ""
        if b.key in look.photos:
            src = (photos or {}).get(b.key)
            side = st.photo + 2 * (st.pad - 2)  # the cell's padding around a photo-sized inside
            inside = (f'<IMG SRC="{escape(src)}" SCALE="TRUE"/>' if src else  # else the fallback, photo-sized
                      f'<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR><TD FIXEDSIZE="TRUE" '
                      f'WIDTH="{st.photo:g}" HEIGHT="{st.photo:g}" BGCOLOR="{PHOTO_FALLBACK}"> </TD></TR></TABLE>')
            photo = f'<TD FIXEDSIZE="TRUE" WIDTH="{side:g}" HEIGHT="{side:g}" VALIGN="TOP">{inside}</TD>'
        label = (f'<<TABLE BORDER="0" CELLPADDING="{st.pad - 2:g}" CELLSPACING="0" FIXEDSIZE="TRUE" '
                 f'WIDTH="{b.w:.0f}" HEIGHT="{b.h:.0f}"><TR>{photo}<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">'
                 f'{cell}</TD></TR></TABLE>>')
        vacant = b.key in look.dashed
        style = ', style="rounded,dashed,filled", fillcolor="#ffffff"' if vacant else \
            f', fillcolor="{look.fills.get(b.key, "#f4f6fb")}"'
        lines.append(f'  n{i} [pos="{b.cx:.1f},{height - b.y - b.h / 2:.1f}!", width={b.w / 72:.4f}, '
                     f'height={b.h / 72:.4f}, label={label}{style}];')
    for link in out.links:
        spline = []
        for (x0, y0), (x1, y1) in zip(link.points, link.points[1:], strict=False):
            if not spline:
                spline.append((x0, y0))
            spline += [(x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3), (x0 + 2 * (x1 - x0) / 3, y0 + 2 * (y1 - y0) / 3),
                       (x1, y1)]
        pos = " ".join(f"{x:.1f},{height - y:.1f}" for x, y in spline)
        extra = f', style=dashed, color="{DOTTED}"' if link.kind == "dotted" else ""
        lines.append(f'  {ids[link.manager]} -- {ids[link.report]} [pos="{pos}"{extra}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- paged PDF -----------------------------------------------------------------------------------------------


@dataclass
class Block:
    """One team (or the top of the chart) on a page: where its layout goes (pt from the page's usable
    top-left), its heading, and the cards whose reports continue on another page."""

    layout: Layout
    heading: str
    x: float = 0.0
    y: float = 0.0
    continues: dict[str, int] = field(default_factory=dict)  # card key -> page number


@dataclass
class Page:
    """One page of a paged chart: the blocks on it, top to bottom, left to right."""

    blocks: list[Block] = field(default_factory=list)


@dataclass
class _Job:
    tops: list[int]
    manager: int = -1
    from_page: int = 0
    part: int = 1
    previous: int = 0  # the page with the part before


def paper_size(paper: str, landscape: bool) -> tuple[float, float]:
    """Width and height in pt.

    >>> paper_size("a4", True)
    (842.0, 595.0)
    """
    w, h = PAPERS[paper]
    return (h, w) if landscape else (w, h)


def plan_pages(cards: Sequence[Card], refs: dict[str, str], page: tuple[float, float],
               dotted: Sequence[tuple[str, str]] = (), title: str = "Org chart") -> list[Page]:
    """Split the forest of ``cards`` into pages of ``page`` size (pt): the top levels first, then, breadth
    first, one block per team that did not fit where its manager is (several blocks for a team too large for
    one page); small blocks share a page, placed in rows.

    Every card is on exactly one page. ``refs`` names a manager in the heading of the block its reports continue
    in (an id and a title, never its name: a name appears once in the document).
    """
    index, parent, kids = tree_of(cards)
    usable_w = page[0] - 2 * _MARGIN
    usable_h = page[1] - 2 * _MARGIN - _HEAD - _FOOT - _BLOCK_HEAD

    def drawn(tops: list[int], opened: set[int]) -> tuple[list[Card], set[str]]:
        keep: list[int] = []
        todo = list(tops)
        while todo:
            v = todo.pop()
            keep.append(v)
            if v in opened:
                todo.extend(kids[v])
        chosen = {cards[i].key for i in keep}
        edge = {cards[v].key for v in keep if kids[v] and v not in opened}
        subset = [Card(cards[i].key, cards[i].parent if cards[i].parent in chosen else None, cards[i].name,
                       cards[i].title, cards[i].assistant,
                       cards[i].hidden + (len(kids[i]) if cards[i].key in edge else 0), cards[i].photo)
                  for i in sorted(keep)]
        return subset, edge

    def fit(tops: list[int], opened: set[int]) -> tuple[Layout, set[str]] | None:
        subset, edge = drawn(tops, opened)
        out = layout(subset, dotted)
        if out.width * PDF_SCALE <= usable_w and out.height * PDF_SCALE <= usable_h:
            return out, edge
        return None

    pages: list[Page] = []
    shelf = {"x": 0.0, "y": 0.0, "h": 0.0}
    owner: dict[int, int] = {}  # manager -> the page its reports start on
    jobs = deque([_Job([i for i in range(len(cards)) if parent[i] < 0])])
    while jobs:
        job = jobs.popleft()
        tops = job.tops
        got = fit(tops, set())
        rest: list[int] = []
        if got is None:  # too many for one page: the largest first part that fits
            lo, hi = 1, len(tops) - 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if fit(tops[:mid], set()) else (lo, mid - 1)
            tops, rest = tops[:lo], tops[lo:]
            got = fit(tops, set()) or (layout([cards[tops[0]]]), set())
        # Open whole levels while they fit, then single teams (in order) while they fit.
        opened: set[int] = set()
        tried: set[int] = set()
        while True:
            closed = [index[k] for k in sorted(got[1], key=lambda k: index[k]) if index[k] not in tried]
            if not closed:
                break
            deeper = fit(tops, opened | set(closed))
            if deeper is not None:
                got, opened = deeper, opened | set(closed)
                continue
            for v in closed:
                tried.add(v)
                one = fit(tops, opened | {v})
                if one is not None:
                    got, opened = one, opened | {v}
        out, edge = got
        w, h = out.width * PDF_SCALE, out.height * PDF_SCALE + _BLOCK_HEAD
        if not pages or job.part > 1 or not _room(shelf, w, h, usable_w, usable_h + _BLOCK_HEAD):
            pages.append(Page())
            shelf.update(x=0.0, y=0.0, h=0.0)
            _room(shelf, w, h, usable_w, usable_h + _BLOCK_HEAD)
        number = len(pages)
        ref = refs.get(cards[job.manager].key, "?") if job.manager >= 0 else ""
        if job.part > 1:
            heading = f"Continued from page {job.previous}: part {job.part} of " + \
                (f"the reports of {ref}" if ref else "the top of the chart")
        elif job.manager >= 0:
            heading = f"From page {job.from_page}: reports of {ref}"
            owner[job.manager] = number
        else:
            heading = ""
        if rest:
            heading += f"; more on page {number + 1}"
            jobs.appendleft(_Job(rest, job.manager, job.from_page, job.part + 1, number))
        pages[-1].blocks.append(Block(out, heading, shelf["bx"], shelf["by"]))
        for v in sorted(index[k] for k in edge):
            jobs.append(_Job(list(kids[v]), v, number))
    for p in pages:
        for block in p.blocks:
            for b in block.layout.boxes.values():
                if b.folded and index[b.key] in owner:
                    block.continues[b.key] = owner[index[b.key]]
    return pages


def _room(shelf: dict[str, float], w: float, h: float, width: float, height: float) -> bool:
    """Place a w x h block on the page's shelves (rows, left to right); False when the page is full."""
    gap = 18.0
    if shelf["x"] and shelf["x"] + gap + w <= width and shelf["y"] + h <= height:
        shelf["bx"], shelf["by"] = shelf["x"] + gap, shelf["y"]
        shelf["x"] += gap + w
        shelf["h"] = max(shelf["h"], h)
        return True
    y = shelf["y"] + shelf["h"] + (gap if shelf["h"] else 0.0)
    if not shelf["x"]:
        y = shelf["y"]
    if y + h <= height and w <= width:
        shelf["bx"], shelf["by"] = 0.0, y
        shelf["x"], shelf["y"], shelf["h"] = w, y, h
        return True
    return False


_MARGIN, _HEAD, _FOOT, _BLOCK_HEAD = 28.0, 22.0, 18.0, 14.0


def to_pdf(pages: list[Page], look: Look, page: tuple[float, float], title: str = "Org chart") -> bytes:
    """The pages as a PDF document (Helvetica, one content stream per page; "continued on page N" links)."""
    images, names = _pdf_images(look)
    streams, links = [], []
    for number, p in enumerate(pages, start=1):
        jumps: list[tuple[float, float, float, float, int]] = []
        streams.append(_page_ops(p, number, len(pages), look, page, title, jumps, names).encode("latin-1"))
        links.append(jumps)
    return _pdf_document(streams, page, title, links, images)


_PdfImage = tuple[str, bytes, bytes | None, int, int]  # dictionary entries, stream, soft mask, width, height


def _pdf_images(look: Look) -> tuple[list[_PdfImage], dict[str, tuple[str, int, int]]]:
    """The photos the PDF can carry, each once, and card key -> (XObject name, width, height)."""
    images: list[_PdfImage] = []
    names: dict[str, tuple[str, int, int]] = {}
    done: dict[str, tuple[str, int, int] | None] = {}
    for key, uri in sorted(look.photos.items()):
        if uri not in done:
            got = photo_image(uri)
            image = pdf_image(*got) if got else None
            done[uri] = None if image is None else (f"Im{len(images) + 1}", image[3], image[4])
            if image is not None:
                images.append(image)
        if done[uri] is not None:
            names[key] = done[uri]
    return images, names


def pdf_image(kind: str, data: bytes) -> _PdfImage | None:
    """An image XObject of a photo: (dictionary entries, stream, soft mask stream or None, width, height);
    None when this PDF cannot carry it (GIF, WebP, 16-bit or interlaced PNG, CMYK JPEG): the fallback is drawn.
    A JPEG goes in as it is; a PNG's compressed data too (PDF reads PNG's row filters), unless it has
    transparency: then its pixels are decoded here and split into colour and a soft mask.

    >>> entries, stream, mask, w, h = pdf_image("image/png", _png_of(b"\\x00\\x01\\x02\\x03", 1, 1, 6))
    >>> entries.split(" /Filter")[0], zlib.decompress(stream), zlib.decompress(mask), (w, h)
    ('/Width 1 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 8', b'\\x00\\x01\\x02', b'\\x03', (1, 1))
    """
    if kind == "image/jpeg":
        return _jpeg_image(data)
    if kind == "image/png":
        return _png_image(data)
    return None


def _png_of(pixels: bytes, w: int, h: int, colour_type: int) -> bytes:
    """A PNG of raw rows (filter 0), for the examples."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    stride = len(pixels) // h
    rows = b"".join(b"\x00" + pixels[y * stride:(y + 1) * stride] for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _jpeg_image(data: bytes) -> _PdfImage | None:
    i = 2
    while i + 10 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xC0, 0xC1, 0xC2):  # start of frame: precision, height, width, components
            bits, h, w, components = struct.unpack(">BHHB", data[i + 4:i + 10])
            space = {1: "/DeviceGray", 3: "/DeviceRGB"}.get(components)
            if space is None or bits != 8 or not w or not h:
                return None
            return (f"/Width {w} /Height {h} /ColorSpace {space} /BitsPerComponent 8 /Filter /DCTDecode", data,
                    None, w, h)
        i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    return None


def _png_image(data: bytes) -> _PdfImage | None:
    pos, header, palette, chunks = 8, None, b"", []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR" and length >= 13:
            header = struct.unpack(">IIBBBBB", body[:13])
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        return None
    w, h, depth, colour_type, _compression, _filter, interlaced = header
    stream = b"".join(chunks)
    size = f"/Width {w} /Height {h}"
    if interlaced or not w or not h or not stream:
        return None
    if colour_type in (0, 3) and depth in (1, 2, 4, 8) or colour_type == 2 and depth == 8:
        space = "/DeviceRGB" if colour_type == 2 else "/DeviceGray"
        if colour_type == 3:
            if not palette or len(palette) % 3:
                return None
            space = f"[/Indexed /DeviceRGB {len(palette) // 3 - 1} <{palette.hex()}>]"
        colours = 3 if colour_type == 2 else 1
        return (f"{size} /ColorSpace {space} /BitsPerComponent {depth} /Filter /FlateDecode /DecodeParms "
                f"<< /Predictor 15 /Colors {colours} /BitsPerComponent {depth} /Columns {w} >>", stream, None, w, h)
    if colour_type in (4, 6) and depth == 8 and w * h <= MAX_DECODED:
        channels = 2 if colour_type == 4 else 4
        try:
            pixels = _unfilter(zlib.decompress(stream), w, h, channels)
        except zlib.error:
            return None
        if pixels is None:
            return None
        colour = b"".join(pixels[i:i + channels - 1] for i in range(0, len(pixels), channels))
        space = "/DeviceRGB" if colour_type == 6 else "/DeviceGray"
        return (f"{size} /ColorSpace {space} /BitsPerComponent 8 /Filter /FlateDecode", zlib.compress(colour),
                zlib.compress(bytes(pixels[channels - 1::channels])), w, h)
    return None


def _unfilter(raw: bytes, w: int, h: int, bpp: int) -> bytearray | None:
    """The pixels of PNG rows, each row's filter undone (None when the data is short or a filter unknown).

    >>> list(_unfilter(bytes([1, 5, 1, 1, 2, 2, 0, 0, 0, 1]), 4, 2, 1))  # Sub, then Up
    [5, 6, 7, 9, 5, 6, 7, 10]
    """
    stride = w * bpp
    if len(raw) < h * (stride + 1):
        return None
    out = bytearray()
    prev = bytearray(stride)
    for y in range(h):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif kind == 4:
            for i in range(stride):
                a, b, c = (line[i - bpp], prev[i], prev[i - bpp]) if i >= bpp else (0, prev[i], 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        elif kind != 0:
            return None
        out += line
        prev = line
    return out


def _page_ops(p: Page, number: int, total: int, look: Look, page: tuple[float, float], title: str,
              jumps: list[tuple[float, float, float, float, int]], names: dict[str, tuple[str, int, int]]) -> str:
    pw, ph = page
    head = title
    while len(head) > 10 and text_width(head, 11, True) > pw - 2 * _MARGIN:
        head = head[:-2] + "…"
    ops = [_text(_MARGIN, ph - _MARGIN - 11, head, 11, True), _text(_MARGIN, _MARGIN - 8, f"page {number} of {total}",
                                                                   8, False)]
    single = len(p.blocks) == 1
    for block in p.blocks:
        out = block.layout
        ox = _MARGIN + block.x + (max(0.0, (pw - 2 * _MARGIN - out.width * PDF_SCALE) / 2) if single else 0.0)
        top = ph - _MARGIN - _HEAD - block.y
        if block.heading:
            heading = block.heading
            while len(heading) > 10 and text_width(heading, 9, True) > pw - 2 * _MARGIN - block.x:
                heading = heading[:-2] + "…"
            ops.append("0 0 0 rg")
            ops.append(_text(_MARGIN + block.x, top - 9, heading, 9, True))
        ops.extend(_block_ops(block, look, ox, top - _BLOCK_HEAD, jumps, names))
    return "\n".join(ops)


def _block_ops(block: Block, look: Look, ox: float, oy: float, jumps: list[tuple[float, float, float, float, int]],
               names: dict[str, tuple[str, int, int]]) -> list[str]:
    out = block.layout
    st = out.style
    s = PDF_SCALE

    def X(x: float) -> float:  # noqa: N802
        return ox + x * s

    def Y(y: float) -> float:  # noqa: N802
        return oy - y * s

    ops = [f"{_rgb(LINE)} RG 0.8 w [] 0 d"]
    ops.extend(_path([(X(x), Y(y)) for x, y in lk.points]) for lk in out.links if lk.kind != "dotted")
    dotted = [lk for lk in out.links if lk.kind == "dotted"]
    if dotted:
        ops.append(f"{_rgb(DOTTED)} RG [3 2] 0 d")
        ops.extend(_path([(X(x), Y(y)) for x, y in lk.points]) for lk in dotted)
    for b in out.boxes.values():
        vacant = b.key in look.dashed
        fill = "#ffffff" if vacant else look.fills.get(b.key, "#f4f6fb")
        ops.append(f"{_rgb(fill)} rg {_rgb(VACANT_BORDER if vacant else BORDER)} RG "
                   f"{'[3 2] 0 d' if vacant else '[] 0 d'} 0.7 w "
                   f"{X(b.x):.2f} {Y(b.y + b.h):.2f} {b.w * s:.2f} {b.h * s:.2f} re B")
        if b.key in look.photos:
            ops.append(_pdf_photo(names.get(b.key), X(b.x + st.pad), Y(b.y + st.pad + st.photo), st.photo * s))
        ops.append("0 0 0 rg")
        y = b.y + st.pad
        for kind, text in b.lines:
            size = st.name_size if kind == "name" else st.title_size
            y += size * st.line
            ops.append(_text(X(text_left(b, st, look)), Y(y - size * (st.line - 1) - 1), text, size * s,
                             kind == "name"))
        note = f"continued on page {block.continues[b.key]}" if b.key in block.continues else \
            look.badges.get(b.key)
        if note:
            ops.append("0.29 0.33 0.41 rg")
            ops.append(_text(X(b.x + st.pad), Y(b.y + b.h - 4), note, 7.5, False))
        if b.key in block.continues:  # the whole card links to the page its reports continue on
            jumps.append((X(b.x), Y(b.y + b.h), X(b.x + b.w), Y(b.y), block.continues[b.key]))
    return ops


def _pdf_photo(image: tuple[str, int, int] | None, x: float, y: float, side: float) -> str:
    """The photo filling a square of ``side`` pt at (x, y) (its bottom-left), cropped to the square as the
    interactive chart's is; the fallback square when there is no image."""
    if image is None:
        return f"{_rgb(PHOTO_FALLBACK)} rg {x:.2f} {y:.2f} {side:.2f} {side:.2f} re f"
    name, w, h = image
    scale = side / min(w, h)
    dx, dy = (side - w * scale) / 2, (side - h * scale) / 2
    return (f"q {x:.2f} {y:.2f} {side:.2f} {side:.2f} re W n {w * scale:.3f} 0 0 {h * scale:.3f} {x + dx:.2f} "
            f"{y + dy:.2f} cm /{name} Do Q")


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return f"{r:.3f} {g:.3f} {b:.3f}"


def _path(points: list[tuple[float, float]]) -> str:
    head, *rest = points
    return f"{head[0]:.2f} {head[1]:.2f} m " + " ".join(f"{x:.2f} {y:.2f} l" for x, y in rest) + " S"


def _text(x: float, y: float, text: str, size: float, bold: bool) -> str:
    return f"BT /{'F2' if bold else 'F1'} {size:.2f} Tf {x:.2f} {y:.2f} Td ({_pdf_string(text)}) Tj ET"


def pdf_string(text: str) -> str:
    """``text`` as the inside of a PDF literal string in WinAnsiEncoding (others become ``?``).

    >>> pdf_string("a(b)\\\\c é")
    'a\\\\(b\\\\)\\\\\\\\c \\\\351'
    """
    out = []
    for byte in clean(text).encode("cp1252", "replace"):
        ch = chr(byte)
        if ch in "()\\":
            out.append("\\" + ch)
        elif 32 <= byte < 127:
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)


_pdf_string = pdf_string


def _pdf_document(streams: list[bytes], page: tuple[float, float], title: str,
                  links: list[list[tuple[float, float, float, float, int]]], images: list[_PdfImage]) -> bytes:
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")
    pages_obj = add(b"")
    f1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    f2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    info = add(f"<< /Title ({pdf_string(title)}) /Producer (kg) >>".encode("latin-1"))
    xobjects = []
    for number, (entries, stream, mask, _w, _h) in enumerate(images, start=1):
        soft = ""
        if mask is not None:
            head = (f"<< /Type /XObject /Subtype /Image {entries.split(' /ColorSpace')[0]} /ColorSpace /DeviceGray "
                    f"/BitsPerComponent 8 /Filter /FlateDecode /Length {len(mask)} >>\nstream\n")
            masked = add(head.encode("latin-1") + mask + b"\nendstream")
            soft = f" /SMask {masked} 0 R"
        ref = add(f"<< /Type /XObject /Subtype /Image {entries}{soft} /Length {len(stream)} >>\nstream\n"
                  .encode("latin-1") + stream + b"\nendstream")
        xobjects.append(f"/Im{number} {ref} 0 R")
    photos = f" /XObject << {' '.join(xobjects)} >>" if xobjects else ""
    contents = []
    for data in streams:
        packed = zlib.compress(data, 6)
        contents.append(add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed +
                            b"\nendstream"))
    first = len(objects) + 1  # the page objects come next, in order: page i is object first + i - 1
    kids = []
    for content, jumps in zip(contents, links, strict=True):
        annots = " ".join(f"<< /Type /Annot /Subtype /Link /Rect [{x0:.2f} {y0:.2f} {x1:.2f} {y1:.2f}] "
                          f"/Border [0 0 0] /Dest [{first + target - 1} 0 R /Fit] >>"
                          for x0, y0, x1, y1, target in jumps)
        kids.append(add(f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {page[0]:g} {page[1]:g}] "
                        f"/Resources << /Font << /F1 {f1} 0 R /F2 {f2} 0 R >>{photos} >> /Contents {content} 0 R"
                        f"{' /Annots [' + annots + ']' if annots else ''} >>".encode("latin-1")))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode("latin-1")
    objects[pages_obj - 1] = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                              f"/Count {len(kids)} >>").encode("latin-1")
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    body += (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
             % (len(objects) + 1, catalog, info, xref))
    return bytes(body)
