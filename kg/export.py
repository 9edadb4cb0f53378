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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, KGError
from kg.org import resolve, subtree_sizes
from kg.render import to_csv
from kg.store import Store
from kg.vocab import PREFIXES

Node = dict[str, Any]
Edge = dict[str, Any]

# One simple query per attribute over the whole store: much faster than one query with many OPTIONALs.
_ATTR_QUERIES = {
    "id": "SELECT ?n ?v WHERE { ?n po:identifier ?v }",
    "name": "SELECT ?n ?v WHERE { ?n org:heldBy ?h . ?h foaf:name ?v }",
    "own": "SELECT ?n ?v WHERE { ?n foaf:name ?v }",
    "title": "SELECT ?n ?v WHERE { ?n po:jobTitle ?v }",
    "status": "SELECT ?n ?v WHERE { ?n po:postStatus ?s . ?s skos:prefLabel ?v }",
    "role": "SELECT ?n ?v WHERE { ?n po:hasRole ?r . ?r skos:prefLabel ?v }",
    "definition": "SELECT ?n ?v WHERE { ?n po:hasRole ?r . ?r skos:definition ?v }",
    "family": "SELECT ?n ?v WHERE { ?n po:hasRole ?r . ?r skos:broader ?f . ?f a po:RoleFamily ; "
              "skos:prefLabel ?v }",
    "unit": "SELECT ?n ?v WHERE { ?n org:postIn ?u . ?u skos:prefLabel|rdfs:label ?v }",
    "fte": "SELECT ?n ?v WHERE { ?n po:headcount ?v }",
}
_OWNS = "SELECT ?n ?label WHERE { ?x po:ownedBy ?n . ?x rdfs:label|skos:prefLabel ?label } ORDER BY ?label"
_BATCH = 2000
_FIELDS = ("id", "name", "title", "status", "role", "family", "unit", "definition", "fte")


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


def org_chart(store: Store, root: str | None = None, depth: int | None = None) -> Chart:
    """The reporting forest (or the subtree under ``root``, ``depth`` levels deep) as a :class:`Chart`.

    Node keys are short strings (``n0``, ``n1``...). ``parent`` is the first solid-line manager (the tree the
    chart draws); other solid managers and dotted lines are edges too. ``headcount`` counts everyone below in
    the whole organization; ``betweenness`` is exact betweenness on the reporting tree (pairs linked through).
    """
    solid = _pairs(store, "SELECT ?x ?m WHERE { ?x org:reportsTo ?m }")
    dotted = _pairs(store, "SELECT ?x ?m WHERE { ?x po:dottedLineReportsTo ?m }")
    posts = [n for n, _ in _pairs(store, "SELECT DISTINCT ?n ?t WHERE { ?n a org:Post . BIND(1 AS ?t) }")]
    iris = sorted({i for pair in solid + dotted for i in pair} | set(posts))
    iris = [i for i in iris if i]
    attrs = _attributes(store, iris)
    parent: dict[str, str] = {}
    for child, boss in solid:
        if child != boss and (child not in parent or boss < parent[child]):
            parent[child] = boss
    levels, cut = _levels(iris, parent)
    for iri in cut:  # a cycle: its smallest member heads it on the chart (the edge stays)
        del parent[iri]
    sizes = subtree_sizes(list(parent.items()))
    keys = {iri: f"n{i}" for i, iri in enumerate(iris)}
    nodes = []
    for iri in iris:
        node = attrs[iri] | {"key": keys[iri], "iri": None if iri.startswith("_:") else iri,
                             "parent": keys.get(parent.get(iri, "")), "level": levels[iri],
                             "headcount": sizes.get(iri, 0)}
        nodes.append(node)
    direct: dict[str, int] = {}
    for _child, boss in set(solid):
        direct[boss] = direct.get(boss, 0) + 1
    dotted_to: dict[str, list[str]] = {}
    for child, boss in set(dotted):
        dotted_to.setdefault(child, []).append(_label(attrs[boss]))
    for node, iri in zip(nodes, iris, strict=True):
        node["reports"] = direct.get(iri, 0)
        node["manager"] = _label(attrs[parent[iri]]) if iri in parent else None
        node["dotted_managers"] = sorted(dotted_to.get(iri, []))
    _betweenness(nodes)
    edges = [{"from": keys[c], "to": keys[m], "kind": "solid"} for c, m in sorted(set(solid)) if c != m]
    edges += [{"from": keys[c], "to": keys[m], "kind": "dotted"} for c, m in sorted(set(dotted)) if c != m]
    chart = Chart(nodes, edges, "org", _org_title(store))
    if root is not None:
        chart = subtree(chart, keys[_chart_iri(store, root, keys)], depth)
    elif depth is not None:
        chart = _restrict(chart, {n["key"] for n in chart.nodes if n["level"] <= depth})
    return chart


def _chart_iri(store: Store, ref: str, keys: dict[str, str]) -> str:
    iri = resolve(store, ref)
    if iri not in keys:
        raise KGError(f"'{ref}' is not on the org chart (no reporting line links it)")
    return iri


def _org_title(store: Store) -> str:
    names = [s.name for s in store.sources()]
    return "Org chart: " + ", ".join(names) if names else "Org chart"


def _attributes(store: Store, iris: list[str]) -> dict[str, Node]:
    out: dict[str, Node] = {iri: dict.fromkeys(_FIELDS) for iri in iris}
    for key, sparql in _ATTR_QUERIES.items():
        field_ = "name" if key == "own" else key
        for node, value in _pairs(store, sparql):
            rec = out.get(node)
            if rec is not None and (rec[field_] is None or
                                                          (key != "own" and value < rec[field_])):
                rec[field_] = value
    owns: dict[str, list[str]] = {}
    for row in store.select(_OWNS):
        owns.setdefault(row["n"] or "", []).append(row["label"] or "")
    for iri, rec in out.items():
        rec["owns"] = owns.get(iri, [])
    return out


def _pairs(store: Store, sparql: str) -> list[tuple[str, str]]:
    """The two columns of a query as (IRI, value) strings; faster than ``select`` for big results."""
    return [(sol[0].value, sol[1].value) for sol in store.query(sparql)
            if isinstance(sol[0], ox.NamedNode) and sol[1] is not None]


def _label(rec: Node) -> str:
    return rec.get("name") or _status_name(rec.get("status")) or rec.get("id") or "?"


def _status_name(status: str | None) -> str | None:
    return status.capitalize() if status else None


def _levels(iris: list[str], parent: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """Reporting depth of each node (0 at the top), and the nodes where cycles are cut (placed at the top)."""
    children: dict[str, list[str]] = {}
    for child, boss in parent.items():
        children.setdefault(boss, []).append(child)
    level: dict[str, int] = {}
    pending = [i for i in iris if i not in parent]
    cut: list[str] = []
    while True:
        stack = [(i, 0) for i in pending if i not in level]
        while stack:
            node, d = stack.pop()
            if node in level:
                continue
            level[node] = d
            stack.extend((c, d + 1) for c in children.get(node, []))
        left = [i for i in iris if i not in level]
        if not left:
            return level, cut
        pending = left[:1]  # a cycle: start from its smallest member
        cut.append(left[0])


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


def subtree(chart: Chart, key: str, depth: int | None = None) -> Chart:
    """The part of ``chart`` under the node ``key`` (``depth`` levels below it), levels counted from it."""
    kids: dict[str, list[str]] = {}
    for n in chart.nodes:
        if n["parent"] is not None:
            kids.setdefault(n["parent"], []).append(n["key"])
    keep: dict[str, int] = {key: 0}
    stack = [key]
    while stack:
        node = stack.pop()
        if depth is not None and keep[node] >= depth:
            continue
        for child in kids.get(node, []):
            if child not in keep:
                keep[child] = keep[node] + 1
                stack.append(child)
    out = _restrict(chart, set(keep))
    for n in out.nodes:
        n["level"] = keep[n["key"]]
        if n["key"] == key:
            n["parent"] = None
    return out


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


def find_key(store: Store, chart: Chart, ref: str) -> str:
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


def concept_map(store: Store) -> Chart:
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


# -- writing files -------------------------------------------------------------------------------------------


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and one rename."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


# -- text formats --------------------------------------------------------------------------------------------


def _name(n: Node) -> str:
    return n.get("name") or _status_name(n.get("status")) or n.get("id") or "?"


def _ident(n: Node) -> str:
    return n.get("id") or n.get("iri") or n["key"]


def to_dot(chart: Chart, stack_leaves: bool = False) -> str:
    """Graphviz DOT, top-down, one box per person.

    ``stack_leaves`` (for drawings) lists a team of two or more people without reports in one table under
    their manager, which keeps a wide organization readable on a page.
    """
    lines = ["digraph org {", '  graph [rankdir=TB, nodesep=0.2, ranksep=0.4, fontname="Helvetica"];',
             '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fb", color="#5b6b8c", '
             'fontname="Helvetica", fontsize=10];', '  edge [arrowhead=none, color="#7a869a"];']
    kids = _children(chart)
    by_key = chart.by_key()
    team_of: dict[str, str] = {}
    if stack_leaves:
        for boss, team in kids.items():
            if len(team) >= 2 and all(not kids.get(k) for k in team):
                team_of.update((k, f"team_{boss}") for k in team)
                rows = "".join(_team_row(by_key[k]) for k in team)
                lines.append(f'  team_{boss} [shape=plain, style="", label=<<TABLE BORDER="1" '
                             'CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="#5b6b8c" '
                             f'BGCOLOR="#f4f6fb">{rows}</TABLE>>];')
                lines.append(f"  {boss} -> team_{boss};")
    for n in chart.nodes:
        if n["key"] in team_of:
            continue
        attrs = f'label="{_dot_text(_name(n))}\\n{_dot_text(n.get("title") or "")}"'
        if n.get("status"):
            attrs += ', style="rounded,dashed", fillcolor="#ffffff", fontcolor="#666666"'
        lines.append(f"  {n['key']} [{attrs}];")
    drawn: set[tuple[str, str, str]] = set()
    for e in chart.edges:
        if e["kind"] == "solid" and e["from"] in team_of and by_key[e["from"]]["parent"] == e["to"]:
            continue
        report, boss = team_of.get(e["from"], e["from"]), team_of.get(e["to"], e["to"])
        if report == boss or (boss, report, e["kind"]) in drawn:
            continue
        drawn.add((boss, report, e["kind"]))
        style = " [style=dashed, constraint=false]" if e["kind"] == "dotted" else ""
        lines.append(f"  {boss} -> {report}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _team_row(n: Node) -> str:
    from html import escape

    name, title = escape(_xml_text(_name(n))), escape(_xml_text(n.get("title") or ""))
    if n.get("status"):
        name = f'<FONT COLOR="#666666"><I>{name}</I></FONT>'
    return f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{name}<BR/><FONT POINT-SIZE="8">{title}</FONT></TD></TR>'


def _children(chart: Chart) -> dict[str, list[str]]:
    names = {n["key"]: _name(n).casefold() for n in chart.nodes}
    kids: dict[str, list[str]] = {}
    for n in chart.nodes:
        if n["parent"] is not None:
            kids.setdefault(n["parent"], []).append(n["key"])
    return {k: sorted(v, key=lambda x: names[x]) for k, v in kids.items()}


def _dot_text(text: str) -> str:
    clean = "".join(c if c.isprintable() else " " for c in text)
    return clean.replace("\\", "\\\\").replace('"', '\\"')


def render_graphviz(chart: Chart, fmt: str) -> bytes:
    """SVG, PNG or PDF drawn by Graphviz ``dot`` (teams without reports stacked in columns)."""
    dot = shutil.which("dot")
    if dot is None:
        raise KGError("Graphviz is not installed (no `dot` program): install it (Debian: apt-get install "
                      "graphviz) or export --format dot")
    run = subprocess.run([dot, f"-T{fmt}"], input=to_dot(chart, stack_leaves=True).encode(),
                         capture_output=True, timeout=600, check=False)
    if run.returncode != 0:
        raise KGError(f"Graphviz failed: {run.stderr.decode(errors='replace').strip()[:300]}")
    return run.stdout


def to_graphml(chart: Chart) -> str:
    """GraphML with a ``label`` attribute (Gephi) and yFiles node labels (yEd)."""
    import xml.etree.ElementTree as ET

    ns_g, ns_y = "http://graphml.graphdrawing.org/xmlns", "http://www.yworks.com/xml/graphml"
    ET.register_namespace("", ns_g)
    ET.register_namespace("y", ns_y)
    root = ET.Element(f"{{{ns_g}}}graphml")
    fields = ["label", "name", "title", "role", "unit", "status", "identifier", "iri", "kind"]
    for f in fields:
        scope = "edge" if f == "kind" else "node"
        ET.SubElement(root, f"{{{ns_g}}}key", {"id": f, "for": scope, "attr.name": f, "attr.type": "string"})
    for name in ("headcount", "level"):
        ET.SubElement(root, f"{{{ns_g}}}key", {"id": name, "for": "node", "attr.name": name,
                                               "attr.type": "int"})
    ET.SubElement(root, f"{{{ns_g}}}key", {"id": "yg", "for": "node", "yfiles.type": "nodegraphics"})
    graph = ET.SubElement(root, f"{{{ns_g}}}graph", {"id": "org", "edgedefault": "directed"})
    for n in chart.nodes:
        el = ET.SubElement(graph, f"{{{ns_g}}}node", {"id": n["key"]})
        label = _name(n) + (f"\n{n['title']}" if n.get("title") else "")
        values = {"label": label, "name": _name(n), "title": n.get("title"), "role": n.get("role"),
                  "unit": n.get("unit"), "status": n.get("status"), "identifier": n.get("id"),
                  "iri": n.get("iri"), "headcount": n.get("headcount"), "level": n.get("level")}
        for key, value in values.items():
            if value is not None:
                ET.SubElement(el, f"{{{ns_g}}}data", {"key": key}).text = _xml_text(str(value))
        gfx = ET.SubElement(ET.SubElement(el, f"{{{ns_g}}}data", {"key": "yg"}), f"{{{ns_y}}}ShapeNode")
        ET.SubElement(gfx, f"{{{ns_y}}}Geometry", {"width": "170", "height": "40"})
        ET.SubElement(gfx, f"{{{ns_y}}}Fill", {"color": "#F4F6FB"})
        ET.SubElement(gfx, f"{{{ns_y}}}NodeLabel").text = _xml_text(label)
        ET.SubElement(gfx, f"{{{ns_y}}}Shape", {"type": "roundrectangle"})
    for i, e in enumerate(chart.edges):
        el = ET.SubElement(graph, f"{{{ns_g}}}edge", {"id": f"e{i}", "source": e["from"], "target": e["to"]})
        ET.SubElement(el, f"{{{ns_g}}}data", {"key": "kind"}).text = e["kind"]
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


def d3_rows(chart: Chart) -> list[dict[str, Any]]:
    """The d3-org-chart flat format: ``id``, ``parentId`` (None at the top), ``name``, ``title``."""
    ident = {n["key"]: _ident(n) for n in chart.nodes}
    return [{"id": ident[n["key"]], "parentId": ident.get(n["parent"]) if n["parent"] else None,
             "name": _name(n), "title": n.get("title") or ""} for n in chart.nodes]


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


def to_rdf(store: Store, chart: Chart, fmt: str) -> bytes:
    """Turtle or JSON-LD of the chart's subgraph: its posts and people, their holders and units."""
    nodes = [n["iri"] for n in chart.nodes if n.get("iri")]
    triples: list[ox.Triple] = []
    seen_extra: set[str] = set()
    for start in range(0, len(nodes), _BATCH):
        values = " ".join(f"<{i}>" for i in nodes[start:start + _BATCH])
        for q in store.query(f"""CONSTRUCT {{ ?s ?p ?o . ?x ?q ?y }} WHERE {{ VALUES ?s {{ {values} }}
                ?s ?p ?o . OPTIONAL {{ ?s org:heldBy|org:postIn ?x . ?x ?q ?y }} }}"""):
            key = str(q)
            if key not in seen_extra:
                seen_extra.add(key)
                triples.append(ox.Triple(q.subject, q.predicate, q.object))
    rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.JSON_LD
    if fmt == "turtle":
        return ox.serialize(triples, format=rdf_format, prefixes=PREFIXES) or b""
    return ox.serialize(triples, format=rdf_format) or b""


# -- the one function the CLI calls --------------------------------------------------------------------------

FORMATS = ["svg", "png", "pdf", "graphml", "dot", "mermaid", "d3-json", "d3-csv", "csv", "edges-csv",
           "turtle", "json-ld"]


def export(store: Store, fmt: str, out: str | os.PathLike[str], root: str | None = None,
           depth: int | None = None) -> dict[str, Any]:
    """Write the org chart (or the subtree under ``root``) to ``out`` in ``fmt``; return what was written."""
    if fmt not in FORMATS:
        raise KGError(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    chart = org_chart(store, root, depth)
    if not chart.nodes:
        raise KGError("no reporting lines to export: load an org chart first (kg load FILE)")
    data = render(store, chart, fmt)
    path = write_atomic(out, data)
    return {"path": str(path), "format": fmt, "people": len(chart.nodes), "edges": len(chart.edges),
            "bytes": len(data)}


def render(store: Store, chart: Chart, fmt: str) -> str | bytes:
    """The chart in ``fmt`` (see FORMATS) as text or bytes."""
    if fmt in ("svg", "png", "pdf"):
        return render_graphviz(chart, fmt)
    if fmt in ("turtle", "json-ld"):
        return to_rdf(store, chart, fmt)
    text = {"graphml": to_graphml, "dot": to_dot, "mermaid": to_mermaid}.get(fmt)
    if text is not None:
        return text(chart)
    if fmt == "d3-json":
        return json.dumps(d3_rows(chart), ensure_ascii=False, indent=1) + "\n"
    if fmt == "d3-csv":
        return to_csv(d3_rows(chart), ["id", "parentId", "name", "title"])
    if fmt == "csv":
        return to_csv(people_rows(chart), PEOPLE_COLUMNS)
    return to_csv(edge_rows(chart), ["report_id", "manager_id", "kind"])
