"""Interactive org charts: one self-contained HTML file (vis-network via pyvis), safe to email, works offline.

pyvis holds the nodes, edges and options; the page is rendered here, not by pyvis's template, because that
template fetches Bootstrap from a CDN, writes a ``lib/`` folder, and puts unescaped text into the page. Here:
vis-network's script (shipped inside the pyvis package) is inlined, a Content-Security-Policy forbids every
network request, all data travels as JSON in ``<script type="application/json">`` (with ``<``, ``>``, ``&``
and line separators escaped) and reaches the page only through ``textContent``: names are text, never markup.
The org view draws :mod:`kg.layout`'s positions (physics off) with cards drawn on the canvas and elbow
connectors; it opens on the top of the organization at zoom 1 with lower teams folded (``+N`` on a card), and
re-runs the same layout in the page (kg/static/orgchart.js, a port of kg.layout) when a team is folded or
unfolded. Colours are stable: a hash of the value (branch, unit, role, family or status).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.export import (
    Chart,
    chart_cards,
    colour_of,
    colour_values,
    concept_map,
    find_key,
    org_chart,
    path,
    pay_band,
    status_key,
    write_atomic,
)
from kg.layout import STYLE, Card, card_text, layout, tree_of
from kg.look import VIEWS
from kg.store import Store

OTHER_COLOUR = "#d9dde5"
_CONCEPT_COLOURS = {"family": "#ffb703", "role": "#8ecae6", "portfolio": "#90be6d", "product": "#f28482"}


@dataclass
class HtmlChart:
    """An interactive chart page. Shows inline in Jupyter; :meth:`save` writes it atomically."""

    html: str
    people: int
    edges: int
    shown: int

    def save(self, out: str | os.PathLike[str]) -> Path:
        return write_atomic(out, self.html)

    def _repr_html_(self) -> str:
        # A sandboxed iframe: the page runs its own scripts, isolated from the notebook.
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                'style="width:100%;height:640px;border:1px solid #ccd" title="org chart"></iframe>')


def chart_page(store: Store, *, view: str = "org", root: str | None = None, depth: int | None = None,
               between: tuple[str, str] | None = None, colour_by: str = "branch",
               title: str | None = None) -> HtmlChart:
    """The interactive chart of the store's organization (``view="org"``) or of its concepts."""
    if view == "concepts":
        chart = concept_map(store)
        if not chart.nodes:
            raise KGError("no roles, portfolios or products to show")
        return build_page(chart, title=title)
    if view not in VIEWS:
        raise KGError(f"unknown view '{view}'; choose one of {', '.join(VIEWS)}")
    chart = org_chart(store, root, depth)
    if not chart.nodes:
        raise KGError("no reporting lines to draw: load an org chart first (kg load FILE)")
    highlight = path(chart, find_key(store, chart, between[0]), find_key(store, chart, between[1])) \
        if between else []
    return org_page(chart, title=title, colour_by=colour_by, highlight=highlight)


def write_chart(store: Store, out: str | os.PathLike[str], **options: Any) -> dict[str, Any]:
    """Write the chart page to ``out`` (atomically); return what was written."""
    page = chart_page(store, **options)
    target = page.save(out)
    return {"path": str(target), "people": page.people, "edges": page.edges, "shown": page.shown,
            "bytes": len(page.html.encode())}


# -- building the page ---------------------------------------------------------------------------------------


def build_page(chart: Chart, *, title: str | None = None, colour_by: str = "branch",
               highlight: list[str] | None = None) -> HtmlChart:
    """The HTML page of a :class:`kg.export.Chart` (an org chart or the concept map)."""
    if chart.kind == "org":
        return org_page(chart, title=title, colour_by=colour_by, highlight=highlight)
    return _concept_page(chart, title)


def _concept_page(chart: Chart, title: str | None) -> HtmlChart:
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="remote")  # a container only: its template is never used
    legend = [[kind, colour] for kind, colour in _CONCEPT_COLOURS.items()]
    net.nodes = _concept_nodes(chart)
    meta = {n["key"]: {"name": n["name"], "tip": _concept_tip(n)} for n in chart.nodes}
    net.edges = [{"id": f"e{i}", "from": e["from"], "to": e["to"], "k": e["kind"], "label": e["kind"]}
                 for i, e in enumerate(chart.edges)]
    net.options = _options(len(chart.nodes))
    nodes, edges, _, _, _, options = net.get_network_data()
    data = {"nodes": nodes, "edges": edges, "options": json.loads(options), "meta": meta, "legend": legend}
    page = (_TEMPLATE.replace("{{title}}", html.escape(title or chart.title))
            .replace("{{style}}", _STYLE)
            .replace("{{data}}", script_json(data))
            .replace("{{vis}}", _vis_script())
            .replace("{{app}}", _static("concepts.js")))
    return HtmlChart(page, len(chart.nodes), len(chart.edges), len(chart.nodes))


# -- the org chart -------------------------------------------------------------------------------------------

FIRST_VIEW = (1240.0, 720.0)  # px: the first view opens the levels that fit in about this much, at zoom 1


def org_page(chart: Chart, *, title: str | None = None, colour_by: str = "branch",
             highlight: list[str] | None = None) -> HtmlChart:
    """The interactive org chart: fixed positions from :mod:`kg.layout` (physics off), opening on the top of
    the organization at zoom 1, teams folded below what fits."""
    from pyvis.network import Network

    cards, dotted = chart_cards(chart)  # a card with a photo has room for it
    index, parent, kids = tree_of(cards)
    opened = _first_open(cards, dotted, parent, kids)
    folded = {cards[i].key for i in range(len(cards)) if kids[i] and i not in opened}
    first = layout(cards, dotted, folded)
    net = Network(directed=False, cdn_resources="remote")  # holds nodes and options; its template is never used
    net.nodes = [{"id": index[b.key], "x": b.x + b.w / 2, "y": b.y + b.h / 2, "shape": "custom",
                  "physics": False, "fixed": True} for b in first.boxes.values()]
    net.edges = []
    net.options = _org_options()
    nodes, _edges, _, _, _, options = net.get_network_data()
    by_key = chart.by_key()
    values = colour_values(chart, colour_by)
    legend_index: dict[str, int] = {}
    legend: list[list[str]] = []
    colour = []
    for c in cards:
        got = values.get(c.key)
        if got is None:
            colour.append(-1)
            continue
        if got[0] not in legend_index:
            legend_index[got[0]] = len(legend)
            legend.append([got[1], colour_of(got[0]), got[0]])
        colour.append(legend_index[got[0]])
    labels = [row[0] for row in legend]
    for row in legend:  # two branches headed by people of one name: tell them apart by id
        if labels.count(row[0]) > 1 and row[2] != row[0]:
            row[0] = f"{row[0]} ({row[2]})"
        del row[2]
    data = {"cards": _card_columns(cards, by_key, parent, kids, colour),
            "dotted": [[index[a], index[m]] for a, m in dotted if a in index and m in index],
            "open": sorted(opened), "first": nodes, "options": json.loads(options), "legend": legend,
            "colourBy": colour_by, "style": _style_numbers(),
            "path": [index[k] for k in highlight or [] if k in index]}
    heading = html.escape(title or chart.title)
    page = (_ORG_TEMPLATE.replace("{{title}}", heading)
            .replace("{{style}}", _static("orgchart.css"))
            .replace("{{data}}", script_json(data))
            .replace("{{vis}}", _vis_script())
            .replace("{{app}}", _static("orgchart.js")))
    return HtmlChart(page, len(chart.nodes), len(chart.edges), len(first.boxes))


def _first_open(cards: list[Card], dotted: list[tuple[str, str]], parent: list[int],
                kids: list[list[int]]) -> set[int]:
    """The teams open in the first view: the tops' teams always, then a level more while the chart fits."""
    depth = [0] * len(cards)
    order = [i for i in range(len(cards)) if parent[i] < 0]
    for v in order:  # breadth first: grows while iterating
        for k in kids[v]:
            depth[k] = depth[v] + 1
            order.append(k)
    opened = {i for i in order if depth[i] == 0 and kids[i]}
    for level in range(1, 8):
        more = opened | {i for i in order if depth[i] == level and kids[i]}
        if more == opened or len(more) > 400:
            break
        folded = {cards[i].key for i in order if kids[i] and i not in more}
        out = layout(cards, dotted, folded)
        if out.width > FIRST_VIEW[0] or out.height > FIRST_VIEW[1]:
            break
        opened = more
    return opened


def _card_columns(cards: list[Card], by_key: dict[str, dict[str, Any]], parent: list[int],
                  kids: list[list[int]], colour: list[int]) -> dict[str, list[Any]]:
    """Everything the page needs per card, as columns (compact JSON for 100,000 posts)."""
    names = ("p", "t", "w", "h", "a", "x", "c", "v", "d", "name", "title", "id", "unit", "grade", "fte", "pay",
             "status", "role", "dm", "hc", "fb", "img")
    cols: dict[str, list[Any]] = {k: [] for k in names}
    fte = [_number(by_key[c.key].get("fte")) for c in cards]
    below = [0.0] * len(cards)
    count = [0] * len(cards)
    order = [i for i in range(len(cards)) if parent[i] < 0]
    for v in order:
        order.extend(kids[v])
    depth = [0] * len(cards)
    for v in order:
        if parent[v] >= 0:
            depth[v] = depth[parent[v]] + 1
    for v in reversed(order):
        p = parent[v]
        if p >= 0:
            below[p] += below[v] + (fte[v] if fte[v] is not None else 1.0)
            count[p] += count[v] + 1
    cache: dict[str, tuple[list[str], float]] = {}
    for i, c in enumerate(cards):
        n = by_key[c.key]
        lines, w, h = card_text(c, STYLE, cache)
        cols["p"].append(parent[i])
        cols["t"].append([[0 if kind == "name" else 1, text] for kind, text in lines])
        cols["w"].append(w)
        cols["h"].append(h)
        cols["a"].append(1 if c.assistant else 0)
        cols["x"].append(c.hidden)
        cols["c"].append(colour[i])
        cols["v"].append(1 if status_key(n) == "vacant" else 0)
        cols["d"].append(depth[i])
        cols["name"].append(c.name)
        cols["title"].append(n.get("title") or "")
        cols["id"].append(n.get("id") or "")
        cols["unit"].append(n.get("unit") or "")
        cols["grade"].append(n.get("grade") or "")
        cols["fte"].append(fte[i])
        cols["pay"].append(pay_band(n))
        cols["status"].append((status_key(n) or "").replace("_", " "))
        cols["role"].append(n.get("role") or "")
        cols["dm"].append(", ".join(n.get("dotted_managers") or []))
        cols["hc"].append(count[i])
        cols["fb"].append(round(below[i], 2))
        cols["img"].append(n.get("photo") or "" if c.photo else "")
    return cols


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _style_numbers() -> dict[str, float]:
    from dataclasses import asdict

    return {k: v for k, v in asdict(STYLE).items() if isinstance(v, int | float)}


def _static(name: str) -> str:
    text = (Path(__file__).parent / "static" / name).read_text(encoding="utf-8")
    if "</script" in text.lower() or "</style" in text.lower():
        raise KGError(f"kg/static/{name} cannot be inlined safely")
    return text


def _org_options() -> dict[str, Any]:
    return {"physics": {"enabled": False, "stabilization": {"enabled": False, "fit": False}},
            "layout": {"improvedLayout": False, "hierarchical": {"enabled": False}},
            "interaction": {"hover": False, "dragNodes": False, "keyboard": False, "multiselect": False,
                            "zoomSpeed": 0.6},
            "edges": {"smooth": False}}


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` or line separators appear raw.

    >>> script_json({"n": "</script><b>&"})
    '{"n":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _vis_script() -> str:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    try:
        script = lib.read_text(encoding="utf-8")
    except OSError as exc:
        raise KGError(f"vis-network is missing from the pyvis package ({lib}): reinstall pyvis") from exc
    if "</script" in script.lower() or "<!--" in script:
        raise KGError(f"{lib} cannot be inlined safely (it contains a closing script tag)")
    return script


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _concept_nodes(chart: Chart) -> list[dict[str, Any]]:
    """Concepts in rows by kind, each row ordered by where its neighbours above sit (fewer crossings)."""
    links: dict[str, set[str]] = {}
    for e in chart.edges:
        links.setdefault(e["from"], set()).add(e["to"])
        links.setdefault(e["to"], set()).add(e["from"])
    by_level: dict[int, list[dict[str, Any]]] = {}
    for n in sorted(chart.nodes, key=lambda n: n["name"].casefold()):
        by_level.setdefault(n["level"], []).append(n)
    place: dict[str, float] = {}
    for _level, group in sorted(by_level.items()):
        def centre(n: dict[str, Any]) -> float:
            above = [place[k] for k in links.get(n["key"], ()) if k in place]
            return sum(above) / len(above) if above else float("inf")

        group.sort(key=centre)
        place.update((n["key"], i / max(len(group) - 1, 1)) for i, n in enumerate(group))
    out = []
    for level, group in sorted(by_level.items()):
        for i, n in enumerate(group):
            fill = _CONCEPT_COLOURS.get(n["kind"], OTHER_COLOUR)
            out.append({"id": n["key"], "label": _short(n["name"], 40), "x": (i - (len(group) - 1) / 2) * 190,
                        "y": level * 220, "color": {"background": fill, "border": "#4a5568"}})
    return out


def _concept_tip(n: dict[str, Any]) -> list[list[str]]:
    about = "Responsibilities" if n["kind"] == "role" else "Definition"
    rows = [["", n["name"]], ["Kind", n["kind"]], [about, n.get("definition")],
            ["Posts with this role", str(n["posts"]) if n["kind"] == "role" else None],
            ["Owned by", ", ".join(n.get("owners") or [])]]
    return [[k, v] for k, v in rows if v]


def _options(count: int) -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "hierarchical": {"enabled": False}},
        "interaction": {"hover": count <= 3000, "tooltipDelay": 120, "hideEdgesOnDrag": count > 1000,
                        "hideEdgesOnZoom": count > 3000, "keyboard": False, "multiselect": False},
        "nodes": {"shape": "box", "margin": 8, "borderWidth": 1,
                  "font": {"size": 14, "face": "Helvetica, Arial, sans-serif", "color": "#1a202c"},
                  "widthConstraint": {"maximum": 180},
                  "scaling": {"min": 10, "max": 30, "label": {"enabled": True, "min": 13, "max": 24}}},
        "edges": {"smooth": False, "width": 1.2, "color": {"color": "#9aa5b8", "inherit": False},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "font": {"size": 11, "color": "#6b7280", "strokeWidth": 0}},
    }


_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; \
style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>{{style}}</style>
</head>
<body>
<header>
  <h1>{{title}}</h1>
"""

_TEMPLATE = _HEAD + """  <form id="kg-search" autocomplete="off">
    <input id="kg-query" type="search" placeholder="Find a role, family, portfolio or product"
      aria-label="Find a concept">
    <button type="submit">Find</button>
  </form>
  <span id="kg-status" role="status"></span>
</header>
<div id="kg-legend"></div>
<div id="kg-chart"></div>
<script type="application/json" id="kg-data">{{data}}</script>
<script>{{vis}}</script>
<script>{{app}}</script>
</body>
</html>
"""

_ORG_TEMPLATE = _HEAD + """  <form id="kg-search" autocomplete="off" role="search">
    <input id="kg-query" type="search" placeholder="Find: name, title, id or unit" aria-label="Find a post">
    <button type="submit">Find</button>
    <button id="kg-prev" type="button" title="Previous hit">&#8593;</button>
    <button id="kg-next" type="button" title="Next hit">&#8595;</button>
    <span id="kg-found" role="status"></span>
  </form>
  <nav class="tools">
    <button id="kg-expand" type="button">Expand all</button>
    <button id="kg-collapse" type="button">Collapse all</button>
    <button id="kg-top" type="button">Top</button>
    <button id="kg-fit" type="button">Fit</button>
    <button id="kg-zoom-in" type="button" aria-label="Zoom in">+</button>
    <button id="kg-zoom-out" type="button" aria-label="Zoom out">&minus;</button>
  </nav>
  <span id="kg-status" role="status"></span>
</header>
<div id="kg-legend"></div>
<main>
  <div id="kg-chart" tabindex="0" aria-label="Org chart: arrows move, Enter folds or unfolds, / searches"></div>
  <aside>
    <div id="kg-details" hidden></div>
    <ol id="kg-hits"></ol>
    <p class="help">Click <b>+N</b> on a card to show its reports, <b>&minus;</b> to fold them. Keys: arrows
    move between manager, reports and peers; Enter folds; + and &minus; zoom; 0 fits; / searches.</p>
  </aside>
</main>
<script type="application/json" id="kg-data">{{data}}</script>
<script>{{vis}}</script>
<script>{{app}}</script>
</body>
</html>
"""

_STYLE = """
html, body { margin: 0; height: 100%; font-family: Helvetica, Arial, sans-serif; color: #1a202c; }
body { display: flex; flex-direction: column; }
header { display: flex; align-items: center; gap: 12px; padding: 6px 12px; border-bottom: 1px solid #d9dde5;
  flex-wrap: wrap; }
h1 { font-size: 16px; margin: 0; font-weight: 600; }
#kg-query { width: 260px; padding: 4px 6px; font-size: 14px; }
#kg-status { font-size: 13px; color: #4a5568; }
#kg-legend { padding: 4px 12px; font-size: 12px; display: flex; flex-wrap: wrap; gap: 4px 14px; }
#kg-legend .sw { display: inline-block; width: 11px; height: 11px; border: 1px solid #4a5568;
  margin-right: 4px; vertical-align: -1px; }
#kg-chart { flex: 1; min-height: 300px; position: relative; }
div.vis-tooltip { position: absolute; visibility: hidden; pointer-events: none; z-index: 5; max-width: 360px;
  background: #ffffff; border: 1px solid #9aa5b8; border-radius: 4px; padding: 6px 8px; font-size: 12px;
  box-shadow: 2px 2px 8px rgba(0,0,0,.15); white-space: normal; }
.kg-tip div { margin: 1px 0; } .kg-tip .head { font-weight: 600; font-size: 13px; }
.kg-tip b { color: #4a5568; }
"""

