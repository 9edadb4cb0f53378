"""The one org-chart layout: where every card, connector and dotted line goes, for every output.

Pure Python, no imports beyond the standard library. :func:`layout` takes cards (key, parent, text) and returns
a :class:`Layout`: a box per visible card (top-left corner, width, height, the wrapped lines of text it shows)
and connectors as polylines. The interactive chart, SVG, PDF, PNG and GraphML all draw this value.

How it places things:

- **A tidy tree in linear time**: Walker's algorithm with Buchheim, Jünger and Leipert's improvements
  (*Improving Walker's algorithm to run in linear time*, 2002), iterative (no recursion limit on deep chains),
  with the distance between neighbours taken from their widths.
- **Compact leaf teams**: a manager's reports that have no reports of their own (or whose reports are folded)
  are put in a grid of columns under it, as d3-org-chart's compact mode and Visio do; the grid is about 3:2
  (wide), so a 1,500-report team is a block, not a 100,000 px column. In the tree it is a stack of
  placeholder nodes as wide as the grid, one per level it spans, so nothing else can be placed over it.
- **Cards sized by their text**: name (up to 2 lines) and title (up to 3) are wrapped to the card width from
  Helvetica's character widths (with a margin for wider fallback fonts); longer text ends in an ellipsis.
  Levels are as tall as the tallest card, grid rows as tall as the grid's tallest card: cards never overlap.
- **Elbow connectors**: a drop from the manager, a bus in the gap between levels, a drop to each report; a grid
  hangs its reports from one spine per column.
- **Assistants beside their manager** (cards marked ``assistant`` with no reports), alternating right and left,
  joined by an elbow under the manager's level; **dotted lines drawn apart**: attached a quarter of the card
  from the solid connectors' points, routed through a channel of their own.

>>> out = layout([Card("ceo", None, "Ada Lovelace", "Chief Executive"),
...               Card("cto", "ceo", "Alan Turing", "Chief Technology Officer"),
...               Card("e1", "cto", "Grace Hopper", "Engineer"), Card("e2", "cto", "Edsger Dijkstra", "Engineer")])
>>> [out.boxes[k].place for k in ("ceo", "cto", "e1", "e2")]
['tree', 'tree', 'grid', 'grid']
>>> out.boxes["e1"].y > out.boxes["cto"].y > out.boxes["ceo"].y
True
>>> overlaps(out)
[]
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["Card", "Box", "Link", "Layout", "Style", "layout", "overlaps", "text_width", "wrap",
           "is_assistant_title", "tree_of", "card_text", "STYLE"]


@dataclass(frozen=True, slots=True)
class Card:
    """One post or person to draw: ``parent`` is the key of its solid-line manager (None at the top);
    ``hidden`` counts reports that are not among the cards (the card gets a badge strip, as when folded)."""

    key: str
    parent: str | None = None
    name: str = ""
    title: str = ""
    assistant: bool = False
    hidden: int = 0
    photo: bool = False  # the card draws a photo at its left (the text moves right by ``Style.photo + pad``)


@dataclass(slots=True)
class Box:
    """Where a card is drawn: top-left ``x``, ``y``, size ``w`` x ``h``; ``lines`` are (style, text) pairs.

    ``place`` is ``tree``, ``grid`` (in a compact leaf team) or ``assistant``; ``reports`` is the number of
    direct reports, ``folded`` tells that some are hidden (the card shows a ``+N`` badge).
    """

    key: str
    x: float
    y: float
    w: float
    h: float
    lines: list[tuple[str, str]]
    depth: int
    place: str = "tree"
    reports: int = 0
    folded: bool = False

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass(slots=True)
class Link:
    """A connector from ``manager`` to ``report``: ``kind`` is solid, dotted or assistant."""

    kind: str
    manager: str
    report: str
    points: list[tuple[float, float]]


@dataclass(slots=True)
class Layout:
    """Boxes by key (in input order), connectors, and the size of the whole drawing (origin at 0, 0)."""

    boxes: dict[str, Box]
    links: list[Link]
    width: float
    height: float
    style: Style = field(repr=False, default_factory=lambda: STYLE)

    @property
    def aspect(self) -> float:
        """Width over height."""
        return self.width / self.height if self.height else 0.0


@dataclass(frozen=True, slots=True)
class Style:
    """Sizes in px (or pt: the unit is the renderer's). Font sizes are those the renderers must use."""

    name_size: float = 12.0
    title_size: float = 11.0
    line: float = 1.28  # line height over font size
    pad: float = 7.0
    badge: float = 16.0  # strip at the bottom of a card with reports, for its +N / - button
    min_w: float = 120.0
    max_w: float = 196.0
    name_lines: int = 2
    title_lines: int = 3
    hgap: float = 18.0  # between neighbouring subtrees
    vgap: float = 46.0  # between levels (buses run through the middle)
    row_gap: float = 10.0  # between rows of a compact grid
    col_gap: float = 14.0
    indent: float = 18.0  # left of each grid column: its spine and ticks
    grid_aspect: float = 1.5  # a compact grid's width over height, about
    font_margin: float = 1.12  # text is measured this much wider than Helvetica (DejaVu is ~8% wider)
    photo: float = 32.0  # side of a card's photo (square, at the card's left, ``pad`` from its edges)


STYLE = Style()

# Helvetica advance widths in 1/1000 em for printable ASCII (Adobe's core-font metrics, public facts);
# accented Latin-1 letters as 720, anything else as 1000 (wide, the safe side).
_ASCII_WIDTHS = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 "
    "611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 222 833 "
    "556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584")
_WIDTHS = [100] * 32 + [round(int(w) / 10) for w in _ASCII_WIDTHS.split()] + [100] * 65 + [72] * 64
_WIDTHS[ord("?")] = 100  # what any character outside Latin-1 becomes when measured: wide
_TABLE = bytes(_WIDTHS)
# Bold text is measured this much wider than regular: Helvetica-Bold is ~5% wider, but DejaVu Sans Bold (what a
# Linux browser without Arial or Liberation Sans draws) is ~20% wider than Helvetica; with the font margin the
# names fit in both (checked in Chromium by the OCR test).
BOLD = 1.16


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` at font ``size`` in Helvetica (bold measured wider, see ``BOLD``), unscaled by any margin.

    >>> text_width("Hi", 10)
    9.4
    >>> text_width("Hi", 10) < text_width("Hi", 10, bold=True)
    True
    """
    width = sum(text.encode("latin-1", "replace").translate(_TABLE)) * size / 100
    return round(width * BOLD if bold else width, 2)


def wrap(text: str, width: float, size: float, bold: bool = False, max_lines: int = 2,
         margin: float = 1.0) -> list[str]:
    """``text`` broken at spaces into at most ``max_lines`` lines no wider than ``width``; the last ends in
    an ellipsis when text is left over, a word too long for a line is cut.

    >>> wrap("Director of Strategy and Transformation", 80, 11, max_lines=3)
    ['Director of', 'Strategy and', 'Transformation']
    >>> wrap("Director of Strategy and Transformation", 80, 11, max_lines=2)
    ['Director of', 'Strategy and…']
    >>> wrap("Supercalifragilisticexpialidocious", 80, 11)
    ['Supercalifragilis', 'ticexpialidocio…']
    >>> wrap("", 100, 11)
    []
    """
    words = text.split()
    if not words:
        return []
    scale = size * margin * (BOLD if bold else 1.0) / 100

    def w(s: str) -> float:
        return sum(s.encode("latin-1", "replace").translate(_TABLE)) * scale

    lines: list[str] = []
    current = ""
    i = 0
    while i < len(words):
        word = words[i]
        trial = f"{current} {word}" if current else word
        if w(trial) <= width:
            current, i = trial, i + 1
            continue
        if not current:  # one word wider than the line: cut it
            cut = len(word)
            while cut > 1 and w(word[:cut]) > width:
                cut -= 1
            current, words[i] = word[:cut], word[cut:]
        lines.append(current)
        current = ""
        if len(lines) == max_lines:
            break
    else:
        if current:
            lines.append(current)
        return lines
    last = lines[-1]
    while last and w(last + "…") > width:
        last = last[:-1].rstrip()
    lines[-1] = last + "…"
    return lines


_ASSISTANT = re.compile(r"\b(PA|EA|personal assistant|executive assistant|assistant to|private secretary|"
                        r"diary (manager|secretary))\b", re.IGNORECASE)


def is_assistant_title(title: str | None) -> bool:
    """Whether a job title names an assistant to a manager (drawn beside that manager when it has no reports).

    >>> [is_assistant_title(t) for t in ("PA to the Director", "Executive Assistant", "Assistant Director")]
    [True, True, False]
    """
    return bool(title) and _ASSISTANT.search(title or "") is not None


def card_text(card: Card, style: Style = STYLE, cache: dict[str, tuple[list[str], float]] | None = None
              ) -> tuple[list[tuple[str, str]], float, float]:
    """The (kind, text) lines a card shows, its width and its height without a badge strip. ``cache`` keeps
    the wrapped lines and width of each title already measured (titles repeat; names seldom do).

    >>> card_text(Card("a", None, "Ada Lovelace", "Analyst"))
    ([('name', 'Ada Lovelace'), ('title', 'Analyst')], 120.0, 44.0)
    >>> card_text(Card("a", None, "Ada Lovelace", "Analyst", photo=True))[1:]
    (159.0, 46.0)
    """
    names, name_w = _measure("name", card.name, style)
    got = cache.get(card.title) if cache is not None else None
    if got is None:
        got = _measure("title", card.title, style)
        if cache is not None:
            cache[card.title] = got
    titles, title_w = got
    lines = [("name", part) for part in names] + [("title", part) for part in titles]
    height = 2 * style.pad + (len(names) * style.name_size + len(titles) * style.title_size) * style.line
    w = min(style.max_w, max(style.min_w, math.ceil(max(name_w, title_w) + 2 * style.pad)))
    if card.photo:  # room for the photo at the left; the card is at least the photo's height
        w += math.ceil(style.photo + style.pad)
        height = max(height, style.photo + 2 * style.pad)
    return lines, float(w), float(math.ceil(height))


def _measure(kind: str, text: str, style: Style) -> tuple[list[str], float]:
    """The lines ``text`` wraps to on a card, and the width of the widest."""
    inner = style.max_w - 2 * style.pad
    bold = kind == "name"
    size = style.name_size if bold else style.title_size
    most = style.name_lines if bold else style.title_lines
    scale = size * style.font_margin * (BOLD if bold else 1.0) / 100
    full = sum(text.encode("latin-1", "replace").translate(_TABLE)) * scale
    if full <= inner and "\n" not in text:
        part = text.strip()
        return ([part], full) if part else ([], 0.0)
    parts = [p for p in wrap(text, inner, size, bold, most, style.font_margin) if p]
    return parts, max((sum(p.encode("latin-1", "replace").translate(_TABLE)) * scale for p in parts), default=0.0)


def layout(cards: Sequence[Card], dotted: Iterable[tuple[str, str]] = (), folded: Iterable[str] = (),
           style: Style = STYLE) -> Layout:
    """Lay out the forest of ``cards`` (children in input order, trees side by side in input order).

    ``dotted`` holds (report, manager) key pairs drawn as dotted lines; ``folded`` holds keys of managers
    whose reports are hidden (shown as ``+N``). A parent key that is not a card makes a root; a cycle is cut
    at the first of its cards in input order, which then heads its tree. A repeated key is a ValueError.

    >>> cards = [Card("a", None, "A"), Card("b", "a", "B"), Card("c", "b", "C"), Card("d", "b", "D")]
    >>> out = layout(cards, folded={"b"})
    >>> sorted(out.boxes), out.boxes["b"].folded, out.boxes["b"].reports
    (['a', 'b'], True, 2)
    """
    enabled = gc.isenabled()
    gc.disable()  # tens of thousands of small objects, none cyclic: collecting them only costs time
    try:
        return _layout(cards, dotted, folded, style)
    finally:
        if enabled:
            gc.enable()


def tree_of(cards: Sequence[Card]) -> tuple[dict[str, int], list[int], list[list[int]]]:
    """Card index by key, parent index (-1 at a root) and children of each card, as :func:`layout` reads them:
    a parent key that is not a card makes a root, so does a self-loop, and a cycle is cut at its first card
    in input order. A repeated key is a ValueError.

    >>> tree_of([Card("a", "b"), Card("b", "a"), Card("c", "b")])
    ({'a': 0, 'b': 1, 'c': 2}, [-1, 0, 1], [[1], [2], []])
    """
    n = len(cards)
    index: dict[str, int] = {}
    for i, c in enumerate(cards):
        if c.key in index:
            raise ValueError(f"card key {c.key!r} is used twice")
        index[c.key] = i
    parent = [index.get(c.parent, -1) if c.parent is not None else -1 for c in cards]
    for i in range(n):
        if parent[i] == i:
            parent[i] = -1
    kids: list[list[int]] = [[] for _ in range(n)]
    for i, p in enumerate(parent):
        if p >= 0:
            kids[p].append(i)
    seen = bytearray(n)
    starts = [i for i in range(n) if parent[i] < 0]
    cursor = 0
    while True:
        stack = starts[::-1]
        while stack:
            v = stack.pop()
            if not seen[v]:
                seen[v] = 1
                stack.extend(kids[v])
        while cursor < n and seen[cursor]:
            cursor += 1
        if cursor >= n:
            return index, parent, kids
        on_path: dict[int, int] = {}
        v = cursor
        while v not in on_path:  # walk up to the cycle this card hangs from
            on_path[v] = len(on_path)
            v = parent[v]
        cut = min(u for u, at in on_path.items() if at >= on_path[v])
        kids[parent[cut]].remove(cut)
        parent[cut] = -1
        starts = [cut]


def _layout(cards: Sequence[Card], dotted: Iterable[tuple[str, str]], folded: Iterable[str],
            style: Style) -> Layout:
    n = len(cards)
    index, parent, kids = tree_of(cards)
    fold = {index[k] for k in folded if k in index}
    visible = bytearray(n)
    vis_kids: list[list[int]] = [[] for _ in range(n)]
    stack = [i for i in range(n) if parent[i] < 0]
    while stack:
        v = stack.pop()
        visible[v] = 1
        if v not in fold:
            vis_kids[v] = kids[v]
            stack.extend(kids[v])
    return _place(cards, parent, kids, vis_kids, visible, fold, index, dotted, style)


def _place(cards: Sequence[Card], parent: list[int], kids: list[list[int]], vis_kids: list[list[int]],
           visible: bytearray, fold: set[int], index: dict[str, int], dotted: Iterable[tuple[str, str]],
           style: Style) -> Layout:
    n = len(cards)
    text: dict[int, tuple[list[tuple[str, str]], float, float]] = {}
    cache: dict[str, tuple[list[str], float]] = {}
    max_h = 0.0
    for i in range(n):
        if visible[i]:
            lines, w, h = card_text(cards[i], style, cache)
            if kids[i] or cards[i].hidden:
                h += style.badge
            text[i] = (lines, w, h)
            if h > max_h:
                max_h = h
    pitch = max_h + style.vgap
    # -- the tree Buchheim walks: node 0 is a virtual root; real cards, assistants aside, grids as stacks --
    t_width: list[float] = [0.0]
    t_card: list[int] = [-1]  # card index, -1 for the virtual root and grid placeholders
    t_kids: list[list[int]] = [[]]
    t_parent: list[int] = [-1]
    t_depth: list[int] = [-1]
    grids: list[tuple[int, int, list[int], int, int, float, float, float]] = []  # head, manager card, members..
    assistants: dict[int, list[int]] = {}
    side_extra: dict[int, float] = {}

    def add(card: int, width: float, par: int) -> int:
        t = len(t_width)
        t_width.append(width)
        t_card.append(card)
        t_kids.append([])
        t_parent.append(par)
        t_depth.append(t_depth[par] + 1)
        t_kids[par].append(t)
        return t

    def expand(t: int, card: int, children: list[int]) -> list[tuple[int, int]]:
        todo: list[tuple[int, int]] = []
        helpers = [c for c in children if cards[c].assistant and not vis_kids[c]] if card >= 0 else []
        if helpers:
            assistants[card] = helpers
            right = sum(text[c][1] + style.hgap for c in helpers[0::2])
            left = sum(text[c][1] + style.hgap for c in helpers[1::2])
            side_extra[card] = max(left, right)
            t_width[t] += 2 * side_extra[card]
        rest = [c for c in children if c not in set(helpers)] if helpers else children
        leaves = [c for c in rest if not vis_kids[c]]
        if len(leaves) >= 2:
            _grid(t, card, leaves)
            rest = [c for c in rest if vis_kids[c]]
        for c in rest:
            todo.append((add(c, text[c][1], t), c))
        return todo

    def _grid(t: int, card: int, members: list[int]) -> None:
        cell_w = max(text[c][1] for c in members)
        cell_h = max(text[c][2] for c in members)
        col_pitch = style.indent + cell_w + style.col_gap
        row_pitch = cell_h + style.row_gap
        count = len(members)
        cols = max(1, min(count, round(math.sqrt(count * row_pitch * style.grid_aspect / col_pitch))))
        rows = math.ceil(count / cols)
        width = cols * col_pitch - style.col_gap
        height = rows * row_pitch - style.row_gap
        span = max(1, math.ceil(height / pitch))
        head = prev = add(-1, width, t)
        for _ in range(span - 1):
            prev = add(-1, width, prev)
        grids.append((head, card, members, cols, rows, cell_w, col_pitch, row_pitch))

    roots = [i for i in range(n) if visible[i] and parent[i] < 0]
    stack = expand(0, -1, roots)
    while stack:
        t, card = stack.pop()
        stack.extend(expand(t, card, vis_kids[card]))
    x = _buchheim(t_kids, t_parent, t_width, style.hgap)
    # -- coordinates (plain arrays by card index; Box objects only at the end) --
    left = min((x[t] - t_width[t] / 2 for t in range(1, len(x))), default=0.0)
    bx, by, bw, bh = [0.0] * n, [0.0] * n, [0.0] * n, [0.0] * n
    depth, place = [0] * n, [""] * n
    for t in range(1, len(x)):
        c = t_card[t]
        if c >= 0:
            w = text[c][1]
            bx[c], by[c], bw[c], bh[c] = x[t] - left - w / 2, t_depth[t] * pitch, w, text[c][2]
            depth[c], place[c] = t_depth[t], "tree"
    spine: dict[int, tuple[float, float]] = {}  # grid member -> its column's spine x, the grid's top
    for head, _card, members, cols, _rows, cell_w, col_pitch, row_pitch in grids:
        gx = x[head] - left - t_width[head] / 2 + style.indent
        gy = t_depth[head] * pitch
        for j, c in enumerate(members):
            bx[c], by[c], bw[c], bh[c] = gx + (j % cols) * col_pitch, gy + (j // cols) * row_pitch, cell_w, text[c][2]
            depth[c], place[c] = t_depth[head], "grid"
            spine[c] = (bx[c] - style.indent / 2, gy)
    for card, helpers in assistants.items():
        right, leftx = bx[card] + bw[card] + style.hgap, bx[card] - style.hgap
        for j, c in enumerate(helpers):
            w = text[c][1]
            if j % 2 == 0:
                bx[c], right = right, right + w + style.hgap
            else:
                bx[c], leftx = leftx - w, leftx - w - style.hgap
            by[c], bw[c], bh[c], depth[c], place[c] = by[card], w, text[c][2], depth[card], "assistant"
    shown = [i for i in range(n) if visible[i]]
    links = _links(cards, parent, shown, (bx, by, bw, bh), spine, place, dotted, index, max_h, style)
    boxes = {cards[i].key: Box(cards[i].key, bx[i], by[i], bw[i], bh[i], text[i][0], depth[i], place[i],
                               len(kids[i]) + cards[i].hidden, i in fold or cards[i].hidden > 0) for i in shown}
    width = max((bx[i] + bw[i] for i in shown), default=0.0)
    height = max((by[i] + bh[i] for i in shown), default=0.0)
    return Layout(boxes, links, width, height, style)


def _buchheim(kids: list[list[int]], parent: list[int], width: list[float], gap: float) -> list[float]:
    """x of each node's centre: Walker's tidy tree in linear time (Buchheim et al.), iterative.

    Node 0 is the root; children are in order; neighbours at one depth stay (w1 + w2) / 2 + gap apart.
    """
    n = len(kids)
    prelim = [0.0] * n
    mod = [0.0] * n
    shift = [0.0] * n
    change = [0.0] * n
    thread = [-1] * n
    ancestor = list(range(n))
    number = [0] * n
    for ks in kids:
        for j, k in enumerate(ks):
            number[k] = j

    def sep(a: int, b: int) -> float:
        return (width[a] + width[b]) / 2 + gap

    def next_left(v: int) -> int:
        return kids[v][0] if kids[v] else thread[v]

    def next_right(v: int) -> int:
        return kids[v][-1] if kids[v] else thread[v]

    def apportion(v: int, default: int) -> int:
        if number[v] == 0:
            return default
        siblings = kids[parent[v]]
        vip = vop = v
        vim = siblings[number[v] - 1]
        vom = siblings[0]
        sip, sop, sim, som = mod[vip], mod[vop], mod[vim], mod[vom]
        nr, nl = next_right(vim), next_left(vip)
        while nr >= 0 and nl >= 0:
            vim, vip = nr, nl
            vom, vop = next_left(vom), next_right(vop)
            ancestor[vop] = v
            move = prelim[vim] + sim - (prelim[vip] + sip) + sep(vim, vip)
            if move > 0:
                a = ancestor[vim]
                wl = a if parent[a] == parent[v] else default
                subtrees = number[v] - number[wl]
                change[v] -= move / subtrees
                shift[v] += move
                change[wl] += move / subtrees
                prelim[v] += move
                mod[v] += move
                sip += move
                sop += move
            sim += mod[vim]
            sip += mod[vip]
            som += mod[vom]
            sop += mod[vop]
            nr, nl = next_right(vim), next_left(vip)
        if nr >= 0 and next_right(vop) < 0:
            thread[vop] = nr
            mod[vop] += sim - sop
        if nl >= 0 and next_left(vom) < 0:
            thread[vom] = nl
            mod[vom] += sip - som
            default = v
        return default

    default = [ks[0] if ks else -1 for ks in kids]
    cursor = [0] * n
    stack = [0]
    while stack:
        v = stack[-1]
        ks = kids[v]
        if cursor[v] < len(ks):
            stack.append(ks[cursor[v]])
            cursor[v] += 1
            continue
        stack.pop()
        left_sibling = kids[parent[v]][number[v] - 1] if v and number[v] else -1
        if ks:
            acc = chg = 0.0
            for w in reversed(ks):
                prelim[w] += acc
                mod[w] += acc
                chg += change[w]
                acc += shift[w] + chg
            mid = (prelim[ks[0]] + prelim[ks[-1]]) / 2
            if left_sibling >= 0:
                prelim[v] = prelim[left_sibling] + sep(left_sibling, v)
                mod[v] = prelim[v] - mid
            else:
                prelim[v] = mid
        elif left_sibling >= 0:
            prelim[v] = prelim[left_sibling] + sep(left_sibling, v)
        if v:
            default[parent[v]] = apportion(v, default[parent[v]])
    x = [0.0] * n
    todo = [(0, 0.0)]
    while todo:
        v, m = todo.pop()
        x[v] = prelim[v] + m
        todo.extend((k, m + mod[v]) for k in kids[v])
    return x


def _links(cards: Sequence[Card], parent: list[int], shown: list[int],
           geometry: tuple[list[float], list[float], list[float], list[float]],
           spine: dict[int, tuple[float, float]],
           place: list[str], dotted: Iterable[tuple[str, str]], index: dict[str, int], max_h: float,
           style: Style) -> list[Link]:
    bx, by, bw, bh = geometry
    links: list[Link] = []
    half, quarter = style.vgap / 2, style.vgap / 4
    name_mid = style.pad + style.name_size * style.line / 2
    for c in shown:
        p = parent[c]
        if p < 0:
            continue
        px, bottom = bx[p] + bw[p] / 2, by[p] + bh[p]
        boss, key = cards[p].key, cards[c].key
        kind = place[c]
        if kind == "grid":
            s, top = spine[c]
            bus = top - half
            mid = by[c] + min(bh[c] / 2, name_mid)
            links.append(Link("solid", boss, key, [(px, bottom), (px, bus), (s, bus), (s, mid), (bx[c], mid)]))
            continue
        cx = bx[c] + bw[c] / 2
        if kind == "assistant":
            ch = by[p] + max_h + quarter
            links.append(Link("assistant", boss, key, [(px, bottom), (px, ch), (cx, ch), (cx, by[c] + bh[c])]))
        else:
            bus = by[c] - half
            links.append(Link("solid", boss, key, [(px, bottom), (px, bus), (cx, bus), (cx, by[c])]))
    for report, manager in dotted:
        a, m = index.get(report, -1), index.get(manager, -1)
        if a < 0 or m < 0 or a == m or not place[a] or not place[m]:
            continue
        ax, mx = bx[a] + bw[a] * 0.75, bx[m] + bw[m] * 0.75
        if by[m] + bh[m] <= by[a]:  # the usual case: the dotted-line manager is above
            ch = by[a] - quarter
            points = [(mx, by[m] + bh[m]), (mx, ch), (ax, ch), (ax, by[a])]
        else:  # same level or below: over the top of the manager
            ch = min(by[a], by[m]) - quarter
            points = [(mx, by[m]), (mx, ch), (ax, ch), (ax, by[a] if by[a] <= by[m] else by[a] + bh[a])]
        links.append(Link("dotted", manager, report, points))
    return links


def overlaps(out: Layout, limit: int = 10) -> list[tuple[str, str]]:
    """Pairs of cards whose boxes intersect (up to ``limit``), by a sweep over x: empty for every layout.

    >>> overlaps(Layout({"a": Box("a", 0, 0, 10, 10, [], 0), "b": Box("b", 5, 5, 10, 10, [], 0)}, [], 15, 15))
    [('a', 'b')]
    """
    boxes = sorted(out.boxes.values(), key=lambda b: b.x)
    found: list[tuple[str, str]] = []
    active: list[Box] = []
    for b in boxes:
        active = [a for a in active if a.x + a.w > b.x]
        for a in active:
            if a.y < b.y + b.h and b.y < a.y + a.h:
                found.append((a.key, b.key))
                if len(found) >= limit:
                    return found
        active.append(b)
    return found
