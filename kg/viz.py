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
    status_key,
    write_atomic,
)
from kg.layout import STYLE, Card, card_text, layout, tree_of
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
    if view != "org":
        raise KGError(f"unknown view '{view}'; choose org or concepts")
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
    meta = {n["key"]: {"p": None, "l": n["level"], "name": n["name"], "id": "", "tip": _concept_tip(n)}
            for n in chart.nodes}
    net.edges = [{"id": f"e{i}", "from": e["from"], "to": e["to"], "k": e["kind"], "label": e["kind"]}
                 for i, e in enumerate(chart.edges)]
    net.options = _options(len(chart.nodes), False)
    nodes, edges, _, _, _, options = net.get_network_data()
    data = {"nodes": nodes, "edges": edges, "options": json.loads(options), "meta": meta, "legend": legend,
            "settings": {"tree": False, "openDepth": None, "total": len(chart.nodes), "path": [],
                         "colourBy": "kind", "sizeBy": "none"}}
    page = (_TEMPLATE.replace("{{title}}", html.escape(title or chart.title))
            .replace("{{style}}", _STYLE)
            .replace("{{data}}", script_json(data))
            .replace("{{vis}}", _vis_script())
            .replace("{{app}}", _APP))
    return HtmlChart(page, len(chart.nodes), len(chart.edges), len(chart.nodes))


# -- the org chart -------------------------------------------------------------------------------------------

FIRST_VIEW = (1240.0, 720.0)  # px: the first view opens the levels that fit in about this much, at zoom 1


def org_page(chart: Chart, *, title: str | None = None, colour_by: str = "branch",
             highlight: list[str] | None = None) -> HtmlChart:
    """The interactive org chart: fixed positions from :mod:`kg.layout` (physics off), opening on the top of
    the organization at zoom 1, teams folded below what fits."""
    from pyvis.network import Network

    cards, dotted = chart_cards(chart)
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
             "status", "role", "dm", "hc", "fb")
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
        cols["pay"].append(n.get("pay_band") or "")
        cols["status"].append((status_key(n) or "").replace("_", " "))
        cols["role"].append(n.get("role") or "")
        cols["dm"].append(", ".join(n.get("dotted_managers") or []))
        cols["hc"].append(count[i])
        cols["fb"].append(round(below[i], 2))
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


def _options(count: int, org: bool) -> dict[str, Any]:
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
                  "arrows": {"to": {"enabled": not org, "scaleFactor": 0.5}},
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
    <input id="kg-query" type="search" list="kg-names" placeholder="Find a person by name or id"
      aria-label="Find a person">
    <datalist id="kg-names"></datalist>
    <button type="submit">Find</button>
  </form>
  <span id="kg-status" role="status"></span>
</header>
<div id="kg-note" hidden><span id="kg-note-text"></span>
  <button id="kg-show-all" type="button">Show everyone</button></div>
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
#kg-note { padding: 4px 12px; background: #fff8e1; font-size: 13px; border-bottom: 1px solid #f0d890; }
#kg-legend { padding: 4px 12px; font-size: 12px; display: flex; flex-wrap: wrap; gap: 4px 14px; }
#kg-legend .sw { display: inline-block; width: 11px; height: 11px; border: 1px solid #4a5568;
  margin-right: 4px; vertical-align: -1px; }
#kg-legend .dash { display: inline-block; width: 22px; border-top: 2px dashed #c77d00; margin-right: 4px;
  vertical-align: 3px; }
#kg-chart { flex: 1; min-height: 300px; position: relative; }
div.vis-tooltip { position: absolute; visibility: hidden; pointer-events: none; z-index: 5; max-width: 360px;
  background: #ffffff; border: 1px solid #9aa5b8; border-radius: 4px; padding: 6px 8px; font-size: 12px;
  box-shadow: 2px 2px 8px rgba(0,0,0,.15); white-space: normal; }
.kg-tip div { margin: 1px 0; } .kg-tip .head { font-weight: 600; font-size: 13px; }
.kg-tip b { color: #4a5568; }
"""

_APP = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var S = D.settings, meta = D.meta;
  var base = {}, kids = {}, treeEdge = {}, order = [];
  function fold(s) { return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim(); }
  function nameOf(k) { return meta[k].name; }
  var foldedName = {}, foldedId = {};
  D.nodes.forEach(function (n) {
    base[n.id] = n; order.push(n.id);
    foldedName[n.id] = fold(meta[n.id].name); foldedId[n.id] = fold(meta[n.id].id);
  });
  order.forEach(function (k) {
    var p = meta[k].p;
    if (p !== null && p !== undefined && meta[p]) { (kids[p] = kids[p] || []).push(k); }
  });
  Object.keys(kids).forEach(function (k) {
    kids[k].sort(function (a, b) { return foldedName[a] < foldedName[b] ? -1 : 1; });
  });
  D.edges.forEach(function (e) {
    if (e.k === "solid" && meta[e.to] && meta[e.to].p === e.from) treeEdge[e.to] = e.id;
  });

  // Which teams are open (their reports drawn).
  var open = {};
  order.forEach(function (k) { open[k] = S.openDepth === null || meta[k].l < S.openDepth; });
  function isVisible(k) {
    var p = meta[k].p, seen = 0;
    while (p !== null && p !== undefined) {
      if (!open[p]) return false;
      p = meta[p].p;
      if (++seen > 100000) break;
    }
    return true;
  }
  function tooltip(k) {
    var box = document.createElement("div");
    box.className = "kg-tip";
    meta[k].tip.forEach(function (row) {
      var line = document.createElement("div");
      if (row[0]) { var b = document.createElement("b"); b.textContent = row[0] + ": "; line.appendChild(b); }
      else { line.className = "head"; }
      line.appendChild(document.createTextNode(row[1]));
      box.appendChild(line);
    });
    return box;
  }
  var marked = {}, markedEdges = {};
  function visNode(k, pos) {
    var n = Object.assign({}, base[k]);
    if (S.tree && kids[k] && !open[k]) n.label = n.label + "\n[+" + kids[k].length + "]";
    if (marked[k]) { n.color = {background: marked[k], border: "#7a4f00"}; n.borderWidth = 3; }
    n.title = tooltip(k);
    if (pos) { n.x = pos.x; n.y = pos.y; }
    return n;
  }
  function visEdge(e) {
    var x = Object.assign({}, e);
    if (markedEdges[e.id]) { x.color = {color: markedEdges[e.id]}; x.width = 4; }
    return x;
  }

  // Tree layout: leaves side by side, a manager centred over its team, a team without reports stacked.
  var SLOT = 200, ROW = 130, STACK = 78, INDENT = 24;
  function layout(shown) {
    var pos = {}, next = 0;
    function team(k) { return S.tree && open[k] && kids[k] ? kids[k] : []; }
    var roots = order.filter(function (k) { return shown[k] && !(meta[k].p !== null && shown[meta[k].p]); });
    roots.forEach(function (r) {
      var stack = [{k: r, d: 0, i: 0}];
      while (stack.length) {
        var top = stack[stack.length - 1], ks = team(top.k);
        if (top.i === 0 && ks.length >= 2 && ks.every(function (c) { return team(c).length === 0; })) {
          pos[top.k] = {x: next * SLOT, y: top.d * ROW};
          ks.forEach(function (c, j) {
            pos[c] = {x: next * SLOT + INDENT, y: top.d * ROW + (j + 1) * STACK + 20};
          });
          next += 1; stack.pop(); continue;
        }
        if (top.i < ks.length) { stack.push({k: ks[top.i++], d: top.d + 1, i: 0}); continue; }
        if (ks.length === 0) { pos[top.k] = {x: next * SLOT, y: top.d * ROW}; next += 1; }
        else { pos[top.k] = {x: (pos[ks[0]].x + pos[ks[ks.length - 1]].x) / 2, y: top.d * ROW}; }
        stack.pop();
      }
    });
    return pos;
  }

  var nodes = new vis.DataSet(), edges = new vis.DataSet(), shown = {};
  function refresh() {
    var now = {}, add = [], drop = [], all = [];
    order.forEach(function (k) { if (!S.tree || isVisible(k)) now[k] = true; });
    var pos = S.tree ? layout(now) : null;
    order.forEach(function (k) {
      if (now[k]) { (shown[k] ? all : add).push(visNode(k, pos && pos[k])); }
      else if (shown[k]) { drop.push(k); }
    });
    if (drop.length) nodes.remove(drop);
    if (all.length) nodes.update(all);
    if (add.length) nodes.add(add);
    shown = now;
    var keep = [], gone = [];
    D.edges.forEach(function (e) { (now[e.from] && now[e.to] ? keep : gone).push(e); });
    edges.remove(gone.map(function (e) { return e.id; }));
    edges.update(keep.map(visEdge));
    var note = document.getElementById("kg-note");
    var count = Object.keys(now).length;
    if (count < S.total) {
      note.hidden = false;
      document.getElementById("kg-note-text").textContent = "Showing " + count.toLocaleString() + " of " +
        S.total.toLocaleString() + " people. Double-click a box marked [+N] to open that team " +
        "(again to close it); the search box finds anyone; kg viz --root PERSON charts one part of " +
        "the organization.";
    } else { note.hidden = true; }
  }

  refresh();
  var container = document.getElementById("kg-chart");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, D.options);

  // Legend (text only).
  var legend = document.getElementById("kg-legend");
  function legendItem(swatchClass, colour, text) {
    var item = document.createElement("span"), sw = document.createElement("span");
    sw.className = swatchClass; if (colour) sw.style.background = colour;
    item.appendChild(sw); item.appendChild(document.createTextNode(text)); legend.appendChild(item);
  }
  var by = document.createElement("b");
  by.textContent = "Colour by " + S.colourBy + ":";
  legend.appendChild(by);
  D.legend.forEach(function (pair) { legendItem("sw", pair[1], pair[0]); });
  if (S.tree) {
    legendItem("sw", "#ffffff", "vacant / not disclosed (dashed border)");
    if (D.edges.some(function (e) { return e.k === "dotted"; })) {
      legendItem("dash", null, "dotted-line report");
    }
    if (S.sizeBy !== "none") {
      var sz = document.createElement("span");
      sz.textContent = "size: " + S.sizeBy;
      legend.appendChild(sz);
    }
  }

  // Highlighting: a chain to the top (click) and a path (--path).
  function paint(keys, edgeIds, colour) {
    keys.forEach(function (k) { marked[k] = colour; });
    edgeIds.forEach(function (id) { markedEdges[id] = colour; });
  }
  var pathKeys = S.path || [], pathEdges = [];
  for (var i = 0; i + 1 < pathKeys.length; i++) {
    var a = pathKeys[i], b = pathKeys[i + 1];
    if (meta[a].p === b && treeEdge[a]) pathEdges.push(treeEdge[a]);
    else if (meta[b].p === a && treeEdge[b]) pathEdges.push(treeEdge[b]);
  }
  var chain = [];
  function chainOf(k) {
    var out = [k], seen = {}; seen[k] = true;
    var p = meta[k].p;
    while (p !== null && p !== undefined && !seen[p]) { out.push(p); seen[p] = true; p = meta[p].p; }
    return out;
  }
  function redrawMarks() {
    marked = {}; markedEdges = {};
    paint(pathKeys, pathEdges, "#ff9f43");
    paint(chain, chain.map(function (k) { return treeEdge[k]; }).filter(Boolean), "#ffd43b");
    var ids = {}, eids = {};
    Object.keys(api.previous).concat(Object.keys(marked)).forEach(function (k) {
      if (shown[k]) ids[k] = true;
    });
    nodes.update(Object.keys(ids).map(function (k) { return visNode(k); }));
    Object.keys(api.previousEdges).concat(Object.keys(markedEdges)).forEach(function (id) {
      eids[id] = true;
    });
    edges.update(D.edges.filter(function (e) {
      return eids[e.id] && shown[e.from] && shown[e.to];
    }).map(visEdge));
    api.previous = marked; api.previousEdges = markedEdges;
  }
  function openAbove(k) {
    var changed = false;
    chainOf(k).slice(1).forEach(function (p) { if (!open[p]) { open[p] = true; changed = true; } });
    if (changed) refresh();
  }
  function highlightChain(k) {
    openAbove(k);
    chain = S.tree ? chainOf(k) : [k].concat(network.getConnectedNodes(k));
    api.highlighted = chain.slice();
    redrawMarks();
  }
  var status = document.getElementById("kg-status");
  function find(text) {
    var q = fold(text);
    if (!q) return null;
    var exact = null, byId = null, part = null;
    for (var j = 0; j < order.length; j++) {
      var k = order[j], name = foldedName[k];
      if (name === q && !exact) exact = k;
      if (foldedId[k] === q && !byId) byId = k;
      if (!part && name.indexOf(q) >= 0) part = k;
    }
    return exact || byId || part;
  }
  function search(text) {
    var k = find(text);
    if (!k) { status.textContent = "No one matches \u201c" + text + "\u201d"; return null; }
    highlightChain(k);
    network.selectNodes([k]);
    network.focus(k, {scale: 1.0, animation: false});
    status.textContent = "Found " + nameOf(k);
    return k;
  }
  var names = document.getElementById("kg-names"), frag = document.createDocumentFragment();
  order.slice(0, 20000).forEach(function (k) {
    var o = document.createElement("option");
    o.value = nameOf(k);
    frag.appendChild(o);
  });
  names.appendChild(frag);
  document.getElementById("kg-search").addEventListener("submit", function (ev) {
    ev.preventDefault(); search(document.getElementById("kg-query").value);
  });
  document.getElementById("kg-show-all").addEventListener("click", function () {
    order.forEach(function (k) { open[k] = true; }); refresh(); network.fit();
  });
  network.on("click", function (p) {
    if (p.nodes.length) { highlightChain(p.nodes[0]); return; }
    chain = []; api.highlighted = []; redrawMarks();
  });
  network.on("doubleClick", function (p) {
    if (S.tree && p.nodes.length && kids[p.nodes[0]]) { open[p.nodes[0]] = !open[p.nodes[0]]; refresh(); }
  });
  var api = {network: network, nodes: nodes, edges: edges, data: D, highlighted: [], previous: {},
             previousEdges: {}, search: search, highlightChain: highlightChain, drawn: false};
  network.once("afterDrawing", function () { api.drawn = true; api.drawnAt = performance.now(); });
  window.kgChart = api;
  if (pathKeys.length) { pathKeys.forEach(openAbove); redrawMarks(); }
})();
"""
