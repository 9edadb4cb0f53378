"""The org chart as plain data (one place, shared by the interactive chart and every export), and the exports.

:func:`org_chart` reads the store once into a :class:`Chart`: a list of node dicts (one per post or person of
the reporting lines, with name, title, role, unit, status, manager, depth, headcount...) and a list of edge
dicts (``solid`` reporting lines and ``dotted`` lines, from the report to the manager). Exports render that:
Graphviz DOT/SVG/PNG/PDF, GraphML (yEd and Gephi labels), Mermaid, the d3-org-chart flat format (JSON, CSV),
formula-safe CSV of people and edges, and RDF (Turtle, JSON-LD) of the chosen subgraph. Every file is written
atomically (temporary file, then rename).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.choices import EXPORT_FORMATS
from kg.drawing import Look, paper_size, photo_files, plan_pages, to_fixed_dot, to_pdf, to_svg, too_big
from kg.errors import KGError
from kg.files import write_atomic
from kg.forest import FILLED, NODE_FIELDS, Forest, placed_lines, status_label
from kg.forest import Node as ForestNode
from kg.layout import Card, Layout, is_assistant_title, layout
from kg.look import COLOUR_BY, PAPER_CHOICES
from kg.org import resolve
from kg.reading import Reader
from kg.render import to_csv
from kg.store import bind_values
from kg.vocab import PREFIXES

Node = dict[str, Any]
Edge = dict[str, Any]

# Knowledge attached to chart nodes (the forest holds the rest): one simple query per attribute.
_ATTR_QUERIES = {
    "role": "SELECT ?n ?v WHERE { ?n po:hasRole ?r . ?r skos:prefLabel ?v }",
    "definition": "SELECT ?n ?v WHERE { ?n po:hasRole ?r . ?r skos:definition ?v }",
    "family": "SELECT ?n ?v WHERE { ?n po:hasRole ?r . ?r skos:broader ?f . ?f a po:RoleFamily ; "
              "skos:prefLabel ?v }",
    "pay_min": "SELECT ?n ?v WHERE { ?n po:payBandMinimum ?v }",
    "pay_max": "SELECT ?n ?v WHERE { ?n po:payBandMaximum ?v }",
    "photo": "SELECT ?n ?v WHERE { ?n schema:image ?v FILTER(isLiteral(?v) && STRSTARTS(STR(?v), 'data:image/')) }",
}
_OWNS = "SELECT ?n ?label WHERE { ?x po:ownedBy ?n . ?x rdfs:label|skos:prefLabel ?label } ORDER BY ?label"
_BATCH = 2000


@dataclass
class Chart:
    """Nodes and edges of a chart as plain data. ``kind`` is ``org`` or ``concepts``."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    kind: str = "org"
    title: str = "Org chart"

    def by_key(self) -> dict[str, Node]:
        return {n["key"]: n for n in self.nodes}


# -- reading the org chart -----------------------------------------------------------------------------------


def org_chart(reader: Reader, root: str | None = None, depth: int | None = None) -> Chart:
    """The reporting forest (or the subtree under ``root``, ``depth`` levels deep) as a :class:`Chart`.

    Node keys are short strings (``n0``, ``n1``...). ``parent`` is the forest's one solid-line manager (the
    tree the chart draws; cycles cut as the forest cuts them); other solid managers and dotted lines are edges
    too. ``headcount`` counts everyone below in the whole organization; ``betweenness`` is exact betweenness
    on the reporting tree (pairs linked through).
    """
    if root is not None:
        return _subtree_chart(reader, root, depth)
    rows = reader.forest_rows()
    return chart_of(reader, rows.forest(), rows.edges, depth)


def chart_of(reader: Reader, f: Forest, solid: list[tuple[str, str]], depth: int | None = None) -> Chart:
    """The :class:`Chart` value of forest ``f`` (``solid``: every solid line of its rows), ``depth`` levels."""
    iris = sorted(f)
    keys = {iri: f"n{i}" for i, iri in enumerate(iris)}
    dotted = [(c, m) for c, m in reader.dotted_lines() if c in keys and m in keys and c != m]
    nodes = _chart_nodes(f, keys, {iri: f.manager(iri) for iri in iris}, dotted, _attributes(reader, keys),
                         f.depths(), f.headcounts(), {iri: len(f.direct_reports(iri)) for iri in iris})
    _betweenness(nodes)
    chart = Chart(nodes, _chart_edges(keys, solid, dotted), "org", _org_title(reader))
    if depth is not None:
        chart = _restrict(chart, {n["key"] for n in chart.nodes if n["level"] <= depth})
    return chart


def _subtree_chart(reader: Reader, ref: str, depth: int | None) -> Chart:
    """The chart of ``ref`` and everyone below it (``depth`` levels), with the whole organization's numbers
    (headcount, direct reports, betweenness, the top's manager), read for those nodes only: from the embedded
    store's placed table, never the whole forest."""
    from kg.analytics import placed_betweenness

    top = resolve(reader, ref)
    placed = reader.placed_subtree(top, depth)
    if not placed:
        raise KGError(f"'{ref}' is not on the org chart (no reporting line links it)")
    at = {r[0]: r[6] for r in placed}
    members = sorted(at.values())
    outside = reader.placed_rows([placed[0][11]]) if placed[0][11] >= 0 else []  # the top's own manager
    dotted_all = [(c, m) for c, m in reader.dotted_lines() if c in at.values() and c != m]
    # records of the members and of the managers their labels name (the top's manager, dotted-line managers)
    f = Forest(reader.node_records(members + [r[6] for r in outside] + [m for _, m in dotted_all]),
               placed_lines(outside + placed))
    keys = {iri: f"n{i}" for i, iri in enumerate(members)}
    dotted = [(c, m) for c, m in dotted_all if m in f]
    d0 = placed[0][3]
    manager_pos, below = reader.placed_columns(("manager_pos", "below"))
    scores = placed_betweenness(manager_pos, below, normalized=False)
    nodes = _chart_nodes(f, keys, {r[6]: f.manager(r[6]) for r in placed}, dotted,
                         _attributes(reader, keys, bound=True), {r[6]: r[3] - d0 for r in placed},
                         {r[6]: r[2] for r in placed}, {r[6]: r[4] for r in placed})
    between = {keys[r[6]]: round(float(scores[r[0]])) for r in placed}  # in the whole organization's tree
    for n in nodes:
        n["betweenness"] = between[n["key"]]
        if n["key"] == keys[top]:
            n["parent"] = None
    inside = [(c, m) for c, m in dotted if m in keys]
    return Chart(nodes, _chart_edges(keys, reader.solid_lines(members), inside), "org", _org_title(reader))


def _chart_nodes(f: Forest, keys: dict[str, str], managers: dict[str, str | None], dotted: list[tuple[str, str]],
                 extra: dict[str, Node], levels: dict[str, int], sizes: dict[str, int],
                 reports: dict[str, int]) -> list[Node]:
    """The chart's node of each IRI of ``keys`` (sorted): its record's fields, ``extra``, its key, parent key
    (None when its manager is not drawn), level, headcount, direct reports, manager and dotted-line managers."""
    dotted_to: dict[str, list[str]] = {}
    for child, boss in set(dotted):
        dotted_to.setdefault(child, []).append(_label(_fields(f.record(boss))))
    nodes = []
    for iri in keys:
        boss = managers[iri]
        nodes.append(_fields(f.record(iri)) | extra[iri] | {
            "key": keys[iri], "iri": None if iri.startswith("_:") else iri, "parent": keys.get(boss or ""),
            "level": levels[iri], "headcount": sizes[iri], "reports": reports[iri],
            "manager": _label(_fields(f.record(boss))) if boss else None,
            "dotted_managers": sorted(dotted_to.get(iri, []))})
    return nodes


def _chart_edges(keys: dict[str, str], solid: list[tuple[str, str]], dotted: list[tuple[str, str]]) -> list[Edge]:
    """The chart's solid lines (every one between two drawn nodes) and dotted lines, sorted."""
    edges = [{"from": keys[c], "to": keys[m], "kind": "solid"} for c, m in sorted(set(solid))
             if c != m and c in keys and m in keys]
    return edges + [{"from": keys[c], "to": keys[m], "kind": "dotted"} for c, m in sorted(set(dotted))]


def change_chart(reader: Reader, before: Forest, after: Forest, changes: dict[str, str]) -> Chart:
    """The chart of ``after`` with each node's change (``changes``: IRI -> joined, moved, retitled...) in its
    ``change`` field, and the posts that left drawn where they were (under their old manager, or the nearest
    manager above it that is still there), marked ``left``. ``reader`` sees the ``after`` snapshot."""
    left = [iri for iri, change in changes.items() if change == "left" and iri in before and iri not in after]
    rows = after.rows() + [tuple(getattr(before.record(x), f) for f in NODE_FIELDS) for x in left]
    gone = set(left)
    # a leaver hangs under its old manager, or the nearest one above still there (or a leaver above it)
    edges = after.edges() + [(x, m) for x in left
                             if (m := next((a for a in before.chain(x) if a in after or a in gone), None))]
    both = Forest(rows, edges)
    chart = chart_of(reader, both, both.edges())
    for n in chart.nodes:
        n["change"] = changes.get(n["iri"] or "")
    return chart


def _fields(rec: ForestNode) -> Node:
    """The record's fields as a chart node holds them (a filled post shows no status)."""
    return {"id": rec.id, "name": rec.name, "title": rec.title, "status": None if rec.status == FILLED else rec.status,
            "unit": rec.unit, "fte": rec.fte, "kind": rec.kind, "grade": rec.grade}


def _org_title(store: Reader) -> str:
    names = [s.name for s in store.sources()]
    return "Org chart: " + ", ".join(names) if names else "Org chart"


def _attributes(reader: Reader, keys: dict[str, str], *, bound: bool = False) -> dict[str, Node]:
    """Role, definition, family, pay band, photo (the smallest value of each) and what each node of ``keys``
    owns; ``bound``: asked for these nodes only (VALUES, in batches), for a part of a big organization."""
    out: dict[str, Node] = {iri: dict.fromkeys(_ATTR_QUERIES) | {"owns": []} for iri in keys}
    iris = [i for i in keys if not i.startswith("_:")]
    batches = [[ox.NamedNode(i) for i in iris[k:k + _BATCH]] for k in range(0, len(iris), _BATCH)] if bound else [[]]
    for batch in batches:
        def ask(sparql: str, batch: list[ox.NamedNode] = batch) -> str:
            return bind_values(sparql, {"n": batch}) if bound else sparql

        for key, sparql in _ATTR_QUERIES.items():
            for node, value in _pairs(reader, ask(sparql)):
                rec = out.get(node)
                if rec is not None and (rec[key] is None or value < rec[key]):
                    rec[key] = value
        for row in reader.select(ask(_OWNS)):
            rec = out.get(row["n"] or "")
            if rec is not None:
                rec["owns"].append(row["label"] or "")
    return out


def _pairs(reader: Reader, sparql: str) -> list[tuple[str, str]]:
    """The two columns of a query as (IRI, value) strings."""
    return [(r["n"], r["v"]) for r in reader.select(sparql)
            if r["n"] is not None and not r["n"].startswith("_:") and r["v"] is not None]


def _label(rec: Node) -> str:
    return rec.get("name") or status_label(rec.get("status")) or rec.get("id") or "?"


def _betweenness(nodes: list[Node]) -> None:
    """Exact betweenness of each node on the reporting tree (pairs whose path passes through it)."""
    import networkx as nx

    from kg.analytics import tree_betweenness

    tree = nx.DiGraph()
    tree.add_nodes_from(n["key"] for n in nodes)
    tree.add_edges_from((n["parent"], n["key"]) for n in nodes if n["parent"] in tree)
    scores = tree_betweenness(tree, normalized=False)
    for n in nodes:
        n["betweenness"] = round(scores[n["key"]])


def _restrict(chart: Chart, keep: set[str]) -> Chart:
    nodes = [dict(n) for n in chart.nodes if n["key"] in keep]
    for n in nodes:
        if n["parent"] not in keep:
            n["parent"] = None
    edges = [dict(e) for e in chart.edges if e["from"] in keep and e["to"] in keep]
    return Chart(nodes, edges, chart.kind, chart.title)


def chain_keys(chart: Chart, key: str) -> list[str]:
    """``key`` and its managers up to the top of the chart, nearest first."""
    by_key = chart.by_key()
    out: list[str] = []
    node: str | None = key
    while node is not None and node not in out:
        out.append(node)
        node = by_key[node]["parent"]
    return out


def path(chart: Chart, a: str, b: str) -> list[str]:
    """Node keys on the reporting path from ``a`` to ``b`` (up to their lowest common manager, then down)."""
    by_key = chart.by_key()

    ups_a, ups_b = chain_keys(chart, a), chain_keys(chart, b)
    common = next((k for k in ups_a if k in set(ups_b)), None)
    if common is None:
        raise KGError(f"no reporting path links {_label(by_key[a])} and {_label(by_key[b])} on this chart")
    return ups_a[:ups_a.index(common) + 1] + list(reversed(ups_b[:ups_b.index(common)]))


def find_key(store: Reader, chart: Chart, ref: str) -> str:
    """The key of the chart node ``ref`` names (an id, name or IRI, as for every lookup)."""
    iri = resolve(store, ref)
    for n in chart.nodes:
        if n["iri"] == iri:
            return n["key"]
    raise KGError(f"'{ref}' is not on this chart; widen --root/--depth or check the name")


# -- the concept map -----------------------------------------------------------------------------------------

_CONCEPTS = """
SELECT ?c ?kind ?label ?def ?broader ?part ?owner WHERE {
  { ?c a po:RoleFamily . BIND("family" AS ?kind) }
  UNION { ?c a org:Role . BIND("role" AS ?kind)
          OPTIONAL { ?c skos:broader ?broader . ?broader a po:RoleFamily } }
  UNION { ?c a po:Portfolio . BIND("portfolio" AS ?kind) OPTIONAL { ?c po:hasProduct ?part } }
  UNION { ?c a po:Product . BIND("product" AS ?kind) }
  OPTIONAL { ?c skos:prefLabel|rdfs:label ?label }
  OPTIONAL { ?c skos:definition ?def }
  OPTIONAL { ?c po:ownedBy ?post . OPTIONAL { ?post po:hasRole ?owner } }
}"""
_POSTS_PER_ROLE = "SELECT ?r (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p po:hasRole ?r } GROUP BY ?r"
_OWNER_NAMES = """SELECT ?c ?name WHERE { ?c po:ownedBy ?p .
  OPTIONAL { ?p org:heldBy/foaf:name ?held } OPTIONAL { ?p po:jobTitle ?t }
  BIND(COALESCE(?held, ?t) AS ?name) }"""
CONCEPT_LEVELS = {"family": 0, "role": 1, "portfolio": 2, "product": 3}


def concept_map(store: Reader) -> Chart:
    """Role families, roles (with their responsibilities), portfolios and products, and how they link."""
    rows = store.select(_CONCEPTS)
    iris = sorted({r["c"] or "" for r in rows} - {""})
    keys = {iri: f"c{i}" for i, iri in enumerate(iris)}
    holders = {r["r"]: int(r["c"] or 0) for r in store.select(_POSTS_PER_ROLE)}
    owners: dict[str, list[str]] = {}
    for r in store.select(_OWNER_NAMES):
        if r["name"]:
            owners.setdefault(r["c"] or "", []).append(r["name"])
    nodes: dict[str, Node] = {}
    links: set[tuple[str, str, str]] = set()
    for r in rows:
        iri = r["c"] or ""
        node = nodes.setdefault(iri, {"key": keys[iri], "iri": iri, "kind": r["kind"], "name": None,
                                      "definition": None, "parent": None, "posts": holders.get(iri, 0),
                                      "owners": sorted(set(owners.get(iri, [])))})
        node["name"] = node["name"] or r["label"]
        node["definition"] = node["definition"] or r["def"]
        for target, kind in ((r["broader"], "broader"), (r["part"], "has product"), (r["owner"], "owned by")):
            if target and target in keys:
                links.add((keys[iri], keys[target], kind))
    for node in nodes.values():
        node["level"] = CONCEPT_LEVELS.get(node["kind"], 0)
        node["name"] = node["name"] or node["iri"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    edges = [{"from": a, "to": b, "kind": k} for a, b, k in sorted(links)]
    return Chart(sorted(nodes.values(), key=lambda n: (n["level"], n["name"])), edges, "concepts",
                 "Roles, responsibilities, portfolios and products")


# -- the chart as cards of the one layout -------------------------------------------------------------------

# 24 light colours far enough apart to tell apart beside one another (dark text stays readable on each).
PALETTE = ["#8ecae6", "#ffb703", "#90be6d", "#f28482", "#b8a1e3", "#f9c74f", "#4cc9f0", "#f4a261", "#a3c4f3",
           "#e9c46a", "#84dcc6", "#cdb4db", "#ffafcc", "#bde0fe", "#c9ada7", "#d8f3dc", "#ffd6a5", "#caffbf",
           "#9bf6ff", "#fdffb6", "#ffc6ff", "#a0c4ff", "#e5989b", "#b5e48c"]
# Changes between snapshots (kg diff --chart) read at a glance: green in, red out, orange moved.
CHANGE_COLOURS = {"joined": "#90be6d", "left": "#f28482", "moved": "#f4a261", "retitled": "#b8a1e3",
                  "holder_changed": "#4cc9f0", "regraded": "#e9c46a"}


def colour_of(value: str) -> str:
    """The colour of a value: the same in every chart (a hash of the text, not the order of appearance).

    >>> colour_of("Finance") == colour_of("Finance"), colour_of("Finance").startswith("#")
    (True, True)
    """
    return CHANGE_COLOURS.get(value) or PALETTE[zlib.crc32(value.encode("utf-8")) % len(PALETTE)]


def status_key(n: Node) -> str | None:
    """A node's status as a key: filled, vacant, not_disclosed, not_named, eliminated (None: not said)."""
    status = n.get("status")
    return status.strip().casefold().replace(" ", "_") if status else None


def colour_values(chart: Chart, by: str = "branch") -> dict[str, tuple[str, str]]:
    """For each node key: (the value it is coloured by, its display label). ``branch`` is the person at the
    second level above it (its top-level branch); the top of a tree is its own branch, and so are the reports
    of the top that have no reports themselves (assistants, groups of posts)."""
    if by not in COLOUR_BY:
        raise KGError(f"unknown colour choice '{by}'; choose one of {', '.join(COLOUR_BY)}")
    out: dict[str, tuple[str, str]] = {}
    if by != "branch":
        for n in chart.nodes:
            value = status_key(n) if by == "status" else n.get(by)
            if value:
                out[n["key"]] = (value, value.replace("_", " ") if by == "status" else value)
        return out
    by_key = chart.by_key()
    head: dict[str, str] = {}
    for n in chart.nodes:  # walk up to the first node whose head is known, then fill the path (linear)
        trail, key = [], n["key"]
        while key not in head:
            trail.append(key)
            up = by_key[key]["parent"]
            if up is None or up not in by_key or up in trail:
                head[key] = trail[-2] if len(trail) >= 2 else key  # a top: its own branch
                trail.pop()
                break
            if by_key[up]["parent"] is None or by_key[up]["parent"] not in by_key:
                head[key] = key  # a report of a top heads a branch
                trail.pop()
                break
            key = up
        for k in trail:
            head[k] = head[key]
    for n in chart.nodes:
        h = by_key[head[n["key"]]]
        if h["key"] == n["key"] and h["parent"] in by_key and not h.get("reports"):
            h = by_key[h["parent"]]  # a report of the top with no reports (an assistant, a group): the top's
        out[n["key"]] = (_ident(h), _name(h))
    return out


def pay_band(n: Node) -> str:
    """A node's pay band as text, in the source's currency (empty when the data has none).

    >>> pay_band({"pay_min": "60000", "pay_max": "64999.0"}), pay_band({})
    ('60,000 - 64,999', '')
    """
    def number(value: Any) -> str:
        try:
            return f"{float(value):,.0f}"
        except (TypeError, ValueError):
            return str(value)

    low, high = n.get("pay_min"), n.get("pay_max")
    if low is None and high is None:
        return ""
    return " - ".join(number(v) for v in (low, high) if v is not None)


def card_name(n: Node) -> str:
    """The first line of a node's card: the holder's name, the status of an unnamed post, or for a group of
    posts (a UK junior organogram row) its FTE.

    >>> card_name({"kind": "group", "fte": "12.5", "name": None}), card_name({"name": "Ann"})
    ('12.5 FTE', 'Ann')
    """
    if n.get("kind") == "group":
        try:
            return f"{float(n.get('fte') or 0):g} FTE"
        except (TypeError, ValueError):
            return "Group of posts"
    return _name(n)


def chart_cards(chart: Chart) -> tuple[list[Card], list[tuple[str, str]]]:
    """The layout's cards (siblings by name) and dotted (report, manager) pairs of a chart. A card whose
    reports are cut off the chart (``--depth``, ``--root``) counts them as ``hidden``; a card with a photo
    has room for it (every drawing shows it there)."""
    nodes = sorted(chart.nodes, key=lambda n: (_name(n).casefold(), n["key"]))
    shown: dict[str, int] = {}
    for n in chart.nodes:
        if n["parent"] is not None:
            shown[n["parent"]] = shown.get(n["parent"], 0) + 1
    cards = [Card(n["key"], n["parent"], card_name(n), n.get("title") or "", is_assistant_title(n.get("title")),
                  max(0, (n.get("reports") or 0) - shown.get(n["key"], 0)), bool(n.get("photo")))
             for n in nodes]
    dotted = [(e["from"], e["to"]) for e in chart.edges if e["kind"] == "dotted"]
    return cards, dotted


def chart_look(chart: Chart, colour_by: str = "branch", badges: dict[str, str] | None = None) -> Look:
    """Fill colours (stable by value), dashed borders (vacancies only), badges and photos of a chart's cards."""
    values = colour_values(chart, colour_by)
    fills = {k: colour_of(v) for k, (v, _label) in values.items()}
    dashed = {n["key"] for n in chart.nodes if status_key(n) == "vacant"}
    cut = {c.key: f"+{c.hidden} not in this chart" for c in chart_cards(chart)[0] if c.hidden}
    photos = {n["key"]: n["photo"] for n in chart.nodes if n.get("photo")}
    return Look(fills, dashed, cut | (badges or {}), photos)


def chart_layout(chart: Chart, folded: set[str] | frozenset[str] = frozenset()) -> Layout:
    """The one layout of a chart (with the reports of ``folded`` cards hidden)."""
    cards, dotted = chart_cards(chart)
    return layout(cards, dotted, folded)


# -- text formats --------------------------------------------------------------------------------------------


def _name(n: Node) -> str:
    return n.get("name") or status_label(n.get("status")) or n.get("id") or "?"


def _ident(n: Node) -> str:
    return n.get("id") or n.get("iri") or n["key"]


def to_dot(chart: Chart) -> str:
    """Graphviz DOT, top-down, one box per person (the structure; the drawings use :mod:`kg.layout`)."""
    lines = ["digraph org {", '  graph [rankdir=TB, nodesep=0.2, ranksep=0.4, fontname="Helvetica"];',
             '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fb", color="#5b6b8c", '
             'fontname="Helvetica", fontsize=10];', '  edge [arrowhead=none, color="#7a869a"];']
    for n in chart.nodes:
        attrs = f'label="{_dot_text(_name(n))}\\n{_dot_text(n.get("title") or "")}"'
        if status_key(n) == "vacant":
            attrs += ', style="rounded,dashed", fillcolor="#ffffff", fontcolor="#666666"'
        lines.append(f"  {n['key']} [{attrs}];")
    for e in chart.edges:
        style = " [style=dashed, constraint=false]" if e["kind"] == "dotted" else ""
        lines.append(f"  {e['to']} -> {e['from']}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    clean = "".join(c if c.isprintable() else " " for c in text)
    return clean.replace("\\", "\\\\").replace('"', '\\"')


def render_image(chart: Chart, fmt: str, colour_by: str = "branch") -> bytes:
    """SVG (written here) or PNG (Graphviz, every position fixed) of the whole chart, from the one layout;
    refused with a one-line reason when the image would be too large to view."""
    out = chart_layout(chart)
    reason = too_big(out)
    if reason:
        raise KGError(reason)
    look = chart_look(chart, colour_by)
    if fmt == "svg":
        return to_svg(out, look, chart.title).encode("utf-8")
    neato = shutil.which("neato")
    if neato is None:
        raise KGError("Graphviz is not installed (no `neato` program): install it (Debian: apt-get install "
                      "graphviz), or export -o org.svg / -o org.pdf")
    with tempfile.TemporaryDirectory(prefix="kg-photos-") as folder:  # Graphviz reads images from files
        dot = to_fixed_dot(out, look, photo_files(look, Path(folder)))
        run = subprocess.run([neato, "-n2", "-Tpng"], input=dot.encode(), capture_output=True, timeout=600,
                             check=False)
    if run.returncode != 0:
        raise KGError(f"Graphviz failed: {run.stderr.decode(errors='replace').strip()[:300]}")
    return run.stdout


def render_pdf(chart: Chart, paper: str = "a4", landscape: bool = True,
               colour_by: str = "branch") -> tuple[bytes, int]:
    """A paged PDF of the chart (overview first, a page per subtree that does not fit) and its page count."""
    if paper not in PAPER_CHOICES:
        raise KGError(f"unknown paper '{paper}'; choose one of {', '.join(PAPER_CHOICES)}")
    cards, dotted = chart_cards(chart)
    refs = {n["key"]: " ".join(x for x in (n.get("id"), n.get("title")) if x) or n["key"] for n in chart.nodes}
    size = paper_size(paper, landscape)
    pages = plan_pages(cards, refs, size, dotted, chart.title)
    return to_pdf(pages, chart_look(chart, colour_by), size, chart.title), len(pages)


def to_graphml(chart: Chart) -> str:
    """GraphML with a ``label`` attribute (Gephi), and yFiles node geometry and labels from the one layout
    (yEd opens it laid out), each unit a group node around its people."""
    import xml.etree.ElementTree as ET

    ns_g, ns_y = "http://graphml.graphdrawing.org/xmlns", "http://www.yworks.com/xml/graphml"
    g, y = f"{{{ns_g}}}", f"{{{ns_y}}}"
    ET.register_namespace("", ns_g)
    ET.register_namespace("y", ns_y)
    root = ET.Element(f"{g}graphml")
    fields = ["label", "name", "title", "role", "unit", "status", "identifier", "iri", "kind"]
    for f in fields:
        scope = "edge" if f == "kind" else "node"
        ET.SubElement(root, f"{g}key", {"id": f, "for": scope, "attr.name": f, "attr.type": "string"})
    for name in ("headcount", "level"):
        ET.SubElement(root, f"{g}key", {"id": name, "for": "node", "attr.name": name, "attr.type": "int"})
    ET.SubElement(root, f"{g}key", {"id": "yg", "for": "node", "yfiles.type": "nodegraphics"})
    ET.SubElement(root, f"{g}key", {"id": "ye", "for": "edge", "yfiles.type": "edgegraphics"})
    graph = ET.SubElement(root, f"{g}graph", {"id": "org", "edgedefault": "directed"})
    out = chart_layout(chart)
    look = chart_look(chart)
    units: dict[str, list[Node]] = {}
    for n in chart.nodes:
        units.setdefault(n.get("unit") or "", []).append(n)
    for u, (unit, members) in enumerate(sorted(units.items())):
        parent_graph = graph
        if unit:
            boxes = [out.boxes[m["key"]] for m in members]
            x0, y0 = min(b.x for b in boxes) - 10, min(b.y for b in boxes) - 24
            x1, y1 = max(b.x + b.w for b in boxes) + 10, max(b.y + b.h for b in boxes) + 10
            group = ET.SubElement(graph, f"{g}node", {"id": f"unit{u}", "yfiles.foldertype": "group"})
            ET.SubElement(group, f"{g}data", {"key": "label"}).text = _xml_text(unit)
            gfx = ET.SubElement(ET.SubElement(group, f"{g}data", {"key": "yg"}), f"{y}ProxyAutoBoundsNode")
            realizers = ET.SubElement(gfx, f"{y}Realizers", {"active": "0"})
            shape = ET.SubElement(realizers, f"{y}GroupNode")
            ET.SubElement(shape, f"{y}Geometry", {"x": f"{x0:.1f}", "y": f"{y0:.1f}", "width": f"{x1 - x0:.1f}",
                                                  "height": f"{y1 - y0:.1f}"})
            ET.SubElement(shape, f"{y}Fill", {"color": "#F5F5F5", "transparent": "false"})
            ET.SubElement(shape, f"{y}NodeLabel", {"modelName": "internal", "modelPosition": "tl"}).text = \
                _xml_text(unit)
            ET.SubElement(shape, f"{y}Shape", {"type": "roundrectangle"})
            parent_graph = ET.SubElement(group, f"{g}graph", {"id": f"unit{u}:", "edgedefault": "directed"})
        for n in members:
            b = out.boxes[n["key"]]
            el = ET.SubElement(parent_graph, f"{g}node", {"id": n["key"]})
            label = "\n".join(text for _kind, text in b.lines)
            values = {"label": label, "name": _name(n), "title": n.get("title"), "role": n.get("role"),
                      "unit": n.get("unit"), "status": n.get("status"), "identifier": n.get("id"),
                      "iri": n.get("iri"), "headcount": n.get("headcount"), "level": n.get("level")}
            for key, value in values.items():
                if value is not None:
                    ET.SubElement(el, f"{g}data", {"key": key}).text = _xml_text(str(value))
            gfx = ET.SubElement(ET.SubElement(el, f"{g}data", {"key": "yg"}), f"{y}ShapeNode")
            ET.SubElement(gfx, f"{y}Geometry", {"x": f"{b.x:.1f}", "y": f"{b.y:.1f}", "width": f"{b.w:.1f}",
                                                "height": f"{b.h:.1f}"})
            vacant = n["key"] in look.dashed
            ET.SubElement(gfx, f"{y}Fill", {"color": "#FFFFFF" if vacant else look.fills.get(n["key"], "#F4F6FB")})
            ET.SubElement(gfx, f"{y}BorderStyle", {"type": "dashed" if vacant else "line", "color": "#4A5568"})
            ET.SubElement(gfx, f"{y}NodeLabel", {"alignment": "left", "fontSize": "11"}).text = _xml_text(label)
            ET.SubElement(gfx, f"{y}Shape", {"type": "roundrectangle"})
    drawn = {(lk.manager, lk.report, lk.kind == "dotted"): lk for lk in out.links}
    for i, e in enumerate(chart.edges):
        el = ET.SubElement(graph, f"{g}edge", {"id": f"e{i}", "source": e["from"], "target": e["to"]})
        ET.SubElement(el, f"{g}data", {"key": "kind"}).text = e["kind"]
        link = drawn.get((e["to"], e["from"], e["kind"] == "dotted"))
        if link is not None:
            line = ET.SubElement(ET.SubElement(el, f"{g}data", {"key": "ye"}), f"{y}PolyLineEdge")
            path_el = ET.SubElement(line, f"{y}Path", {"sx": "0", "sy": "0", "tx": "0", "ty": "0"})
            for px, py in reversed(link.points[1:-1]):
                ET.SubElement(path_el, f"{y}Point", {"x": f"{px:.1f}", "y": f"{py:.1f}"})
            ET.SubElement(line, f"{y}LineStyle", {"type": "dashed" if e["kind"] == "dotted" else "line"})
            ET.SubElement(line, f"{y}Arrows", {"source": "none", "target": "none"})
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _xml_text(text: str) -> str:
    return "".join(c for c in text if c in "\t\n" or (c.isprintable() and c not in "\ufffe\uffff"))


def to_mermaid(chart: Chart) -> str:
    """A Mermaid flowchart; labels use Mermaid entity codes, so no text can break out of its node."""
    lines = ["flowchart TD"]
    for n in chart.nodes:
        label = _mermaid_text(_name(n)) + ("<br/>" + _mermaid_text(n["title"]) if n.get("title") else "")
        lines.append(f'  {n["key"]}["{label}"]')
    for e in chart.edges:
        arrow = "-.->" if e["kind"] == "dotted" else "-->"
        lines.append(f"  {e['to']} {arrow} {e['from']}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return "".join(c if c.isalnum() or c in " ,.'()/" else f"#{ord(c)};" for c in text if c.isprintable())


def d3_rows(chart: Chart) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The d3-org-chart flat format (``id``, ``parentId``, ``name``, ``title``) as d3's ``stratify`` needs it:
    unique ids (a repeated id gets ``~2``, ``~3``...) and one root (a synthetic root above several trees).
    Returns the rows and what was changed: ``renamed`` [(old, new)...] and ``root`` (the synthetic id or None).

    >>> c = Chart([{"key": "a", "id": "X", "parent": None}, {"key": "b", "id": "X", "parent": None}])
    >>> rows, changes = d3_rows(c)
    >>> [(r["id"], r["parentId"]) for r in rows], changes
    ([('kg-root', None), ('X', 'kg-root'), ('X~2', 'kg-root')], {'renamed': [('X', 'X~2')], 'root': 'kg-root'})
    """
    taken = {_ident(n) for n in chart.nodes}
    ident: dict[str, str] = {}
    used: set[str] = set()
    renamed: list[tuple[str, str]] = []
    for n in chart.nodes:
        base = _ident(n)
        new, k = base, 1
        while new in used or (new != base and new in taken):
            k += 1
            new = f"{base}~{k}"
        used.add(new)
        ident[n["key"]] = new
        if new != base:
            renamed.append((base, new))
    rows = [{"id": ident[n["key"]], "parentId": ident.get(n["parent"]) if n["parent"] else None,
             "name": _name(n), "title": n.get("title") or ""} for n in chart.nodes]
    top = [r for r in rows if r["parentId"] is None]
    synthetic = None
    if len(top) > 1:
        synthetic, k = "kg-root", 1
        while synthetic in used:
            k += 1
            synthetic = f"kg-root~{k}"
        for r in top:
            r["parentId"] = synthetic
        rows.insert(0, {"id": synthetic, "parentId": None, "name": chart.title, "title": ""})
    return rows, {"renamed": renamed, "root": synthetic}


def people_rows(chart: Chart) -> list[dict[str, Any]]:
    ident = {n["key"]: _ident(n) for n in chart.nodes}
    return [{"id": ident[n["key"]], "name": n.get("name"), "title": n.get("title"), "role": n.get("role"),
             "unit": n.get("unit"), "status": n.get("status"),
             "manager_id": ident.get(n["parent"]) if n["parent"] else None, "manager": n.get("manager"),
             "dotted_line_managers": n.get("dotted_managers") or [], "direct_reports": n.get("reports"),
             "headcount": n.get("headcount"), "iri": n.get("iri")} for n in chart.nodes]


def edge_rows(chart: Chart) -> list[dict[str, Any]]:
    ident = {n["key"]: _ident(n) for n in chart.nodes}
    return [{"report_id": ident[e["from"]], "manager_id": ident[e["to"]], "kind": e["kind"]}
            for e in chart.edges]


PEOPLE_COLUMNS = ["id", "name", "title", "role", "unit", "status", "manager_id", "manager",
                  "dotted_line_managers", "direct_reports", "headcount", "iri"]


_SUBGRAPH = """CONSTRUCT { ?s ?p ?o . ?x ?q ?y } WHERE {
  ?s ?p ?o . OPTIONAL { ?s org:heldBy|org:postIn ?x . ?x ?q ?y } }"""


def to_rdf(store: Reader, chart: Chart, fmt: str) -> bytes:
    """Turtle or JSON-LD of the chart's subgraph: its posts and people, their holders and units."""
    nodes = [n["iri"] for n in chart.nodes if n.get("iri")]
    triples: list[ox.Triple] = []
    seen_extra: set[str] = set()
    for start in range(0, len(nodes), _BATCH):
        batch = [ox.NamedNode(i) for i in nodes[start:start + _BATCH]]
        for q in store.query(bind_values(_SUBGRAPH, {"s": batch})):
            key = str(q)
            if key not in seen_extra:
                seen_extra.add(key)
                triples.append(ox.Triple(q.subject, q.predicate, q.object))
    rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.JSON_LD
    if fmt == "turtle":
        return ox.serialize(triples, format=rdf_format, prefixes=PREFIXES) or b""
    return ox.serialize(triples, format=rdf_format) or b""


# -- the one function the CLI calls --------------------------------------------------------------------------

FORMATS = list(EXPORT_FORMATS)
# File name endings of each format; the first format listing an ending is the one that ending means.
EXTENSIONS = {"svg": [".svg"], "png": [".png"], "pdf": [".pdf"], "graphml": [".graphml"],
              "dot": [".dot", ".gv"], "mermaid": [".mmd", ".mermaid"], "d3-json": [".json"],
              "csv": [".csv"], "d3-csv": [".csv"], "edges-csv": [".csv"], "turtle": [".ttl"],
              "json-ld": [".jsonld", ".json"]}


def format_for(out: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given (it must not contradict the file name), else from the name.

    >>> format_for("org.pdf"), format_for("x.csv", "d3-csv"), format_for("chart", "svg")
    ('pdf', 'd3-csv', 'svg')
    """
    ending = Path(out).suffix.lower()
    meant = next((f for f, ends in EXTENSIONS.items() if ending in ends), None)
    if fmt is None:
        if meant is None:
            raise KGError(f"cannot tell the format from '{Path(out).name}': name the file .pdf, .svg, .png, "
                          ".graphml, .json, .csv... or give --format")
        return meant
    if fmt not in FORMATS:
        raise KGError(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if meant is not None and ending not in EXTENSIONS[fmt]:
        raise KGError(f"--format {fmt} contradicts the file name '{Path(out).name}' ({ending} is {meant}): "
                      f"name it {EXTENSIONS[fmt][0]} or drop --format")
    return fmt


def export(store: Reader, fmt: str | None, out: str | os.PathLike[str], root: str | None = None,
           depth: int | None = None, paper: str = "a4", landscape: bool = True,
           colour_by: str = "branch") -> dict[str, Any]:
    """Write the org chart (or the subtree under ``root``) to ``out`` (format from its name unless ``fmt``
    says); return what was written."""
    fmt = format_for(out, fmt)
    chart = org_chart(store, root, depth)
    if not chart.nodes:
        raise KGError("no reporting lines to export: load an org chart first (kg load FILE)")
    done: dict[str, Any] = {"format": fmt, "people": len(chart.nodes), "edges": len(chart.edges)}
    if fmt == "pdf":
        data, done["pages"] = render_pdf(chart, paper, landscape, colour_by)
    elif fmt in ("svg", "png"):
        data = render_image(chart, fmt, colour_by)
    elif fmt in ("d3-json", "d3-csv"):
        rows, changes = d3_rows(chart)
        done |= changes
        data = json.dumps(rows, ensure_ascii=False, indent=1) + "\n" if fmt == "d3-json" else \
            to_csv(rows, ["id", "parentId", "name", "title"])
    else:
        data = render(store, chart, fmt)
    path = write_atomic(out, data)
    return done | {"path": str(path), "bytes": len(data)}


def render(store: Reader, chart: Chart, fmt: str) -> str | bytes:
    """The chart in one of the text and data formats (graphml, dot, mermaid, csv, edges-csv, turtle, json-ld)."""
    if fmt in ("turtle", "json-ld"):
        return to_rdf(store, chart, fmt)
    text = {"graphml": to_graphml, "dot": to_dot, "mermaid": to_mermaid}.get(fmt)
    if text is not None:
        return text(chart)
    if fmt == "csv":
        return to_csv(people_rows(chart), PEOPLE_COLUMNS)
    if fmt == "edges-csv":
        return to_csv(edge_rows(chart), ["report_id", "manager_id", "kind"])
    raise KGError(f"format '{fmt}' is written by export(), not render()")
