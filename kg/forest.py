"""The reporting forest: the one model of who reports to whom, as a plain value.

Every command that asks "who reports to whom" reads a :class:`Forest`. It is built from two lists, the stored
form of the chart (see :mod:`kg.chart_index`): node records (:data:`NodeRow`, one per post, person or junior
FTE group) and every solid-line ``(report, manager)`` pair. Building it applies these rules, always the same:

- **Dangling**: a pair whose manager has no node record is kept out (recorded in :attr:`Forest.dangling`);
  a pair whose report has no record is ignored.
- **Self-loops**: a node recorded as its own manager is a root (recorded in :attr:`Forest.self_loops`).
- **Several managers**: a node keeps ONE solid-line manager, the one whose IRI sorts first (by code point);
  the others are recorded in :attr:`Forest.several_managers`.
- **Cycles**: after that choice each node has at most one manager, so a cycle is a ring. Each ring is cut at
  its member whose IRI sorts first: that member's line to its manager is removed and it becomes a root. The
  rings are recorded in :attr:`Forest.cycles`, each starting at the member where it was cut, then its
  manager, its manager's manager and so on.

Reports of a manager are listed by name (case-insensitive, unnamed last), then id, then IRI. The module is
pure Python (statuses are :mod:`kg.names`'s): networkx is imported only by :meth:`Forest.to_networkx`.

>>> f = Forest([node("a", name="Ann"), node("b", name="Bob"), node("c", name="Cy")],
...            [("b", "a"), ("c", "b")])
>>> f.chain("c"), f.headcount("a"), f.roots()
(['b', 'a'], 2, ['a'])
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any

from kg.errors import NotFoundError
from kg.names import ELIMINATED, FILLED, NOT_DISCLOSED, NOT_NAMED, STATUS_CONCEPTS, STATUSES, VACANT

# Kinds of node: a post (or a person the data links directly), a person, a UK junior-organogram FTE group.
POST, PERSON, GROUP = "post", "person", "group"
KINDS = (POST, PERSON, GROUP)
# The ontology's status terms (local names of po:postStatus values) as statuses (kg.names owns the statuses).
_STATUS_TERMS = {concept: status for status, concept in STATUS_CONCEPTS.items()} | {"Filled": FILLED}


_LABELS = {VACANT: "Vacant", NOT_DISCLOSED: "Not disclosed", NOT_NAMED: "Not named", ELIMINATED: "Eliminated"}


def status_label(status: str | None) -> str | None:
    """How charts and tables show a status; a filled post (or no status) shows none.

    >>> status_label("not_disclosed"), status_label("filled")
    ('Not disclosed', None)
    """
    return _LABELS.get(status or "")


def status_of(term: str | None) -> str | None:
    """The status a status term (an IRI or its local name, as the ontology and the importers write them)
    stands for; None for no term or an unknown one.

    >>> status_of("http://w3id.org/product-org/ontology#Vacant"), status_of("Undisclosed"), status_of(None)
    ('vacant', 'not_disclosed', None)
    """
    if not term:
        return None
    local = term.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return _STATUS_TERMS.get(local) or (local if local in STATUSES else None)


class NotOnForest(NotFoundError, KeyError):
    """Asked about a node the forest does not hold (a one-line error for the user, a KeyError for code)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def not_on_forest(iri: str) -> NotOnForest:
    """The error of a lookup of ``iri`` where the chart has no such node."""
    return NotOnForest(f"<{iri}> is not a person or post of the org chart; give a person's id, name or IRI (for a "
                       "role: kg role NAME)")


@dataclass(frozen=True, slots=True)
class Node:
    """One node record of the chart. ``row`` is its row number in its source file, ``source`` that file;
    ``role`` is the label of its role (``po:hasRole``/``skos:prefLabel``), ``holder`` the IRI of the person
    who holds it (``org:heldBy``)."""

    iri: str
    id: str | None = None
    name: str | None = None
    title: str | None = None
    status: str | None = None
    unit: str | None = None
    fte: float | None = None
    kind: str = POST
    grade: str | None = None
    row: int | None = None
    role: str | None = None
    holder: str | None = None
    source: str | None = None

    def public(self) -> dict[str, Any]:
        """The JSON contract of a person: exactly id, name, title, iri.

        >>> Node("http://e/1", id="1", name="Ann", unit="HR").public()
        {'id': '1', 'name': 'Ann', 'title': None, 'iri': 'http://e/1'}
        """
        return {"id": self.id, "name": self.name, "title": self.title,
                "iri": None if self.iri.startswith("_:") else self.iri}


NODE_FIELDS = tuple(f.name for f in fields(Node))
# The stored form of a node: a tuple in the order of NODE_FIELDS (cheap to build by the million).
NodeRow = tuple[str, str | None, str | None, str | None, str | None, str | None, float | None, str, str | None,
                int | None, str | None, str | None, str | None]
Edge = tuple[str, str]  # (report, manager)
# A node placed in the whole forest (see Forest.placed): position breadth first, number depth first, nodes below,
# depth, direct reports, FTE below, iri, id, name, title, its manager's id, its manager's position (-1 at a root).
Placed = tuple[int, int, int, int, int, float, str, str | None, str | None, str | None, str | None, int]
# Someone below a manager, as `kg reports --all` lists them (BELOW_FIELDS).
Below = tuple[str | None, str | None, str | None, str | None, int, str | None]
BELOW_FIELDS = ("id", "name", "title", "iri", "depth", "manager_id")
PLACED_FIELDS = ("pos", "pre", "below", "depth", "direct", "fte_below", "iri", "id", "name", "title",
                 "manager_id", "manager_pos")
PLACED_INTS = ("pos", "pre", "below", "depth", "direct", "manager_pos")  # the integer columns
# Orders of the managers (nodes with someone below) that whole-organization answers list (Forest.ranked): by span
# of control (kg span), by team size (kg health's largest teams); and the single-report managers, by IRI.
RANKINGS = ("span", "teams", "single")


@dataclass
class Rows:
    """The rows a forest is built from, as an importer produces them and the chart index stores them."""

    nodes: list[NodeRow] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    # (report, value) where the data gives a literal (or blank node) as a manager: a data defect, kept out.
    bad_managers: list[tuple[str, str]] = field(default_factory=list)
    # (report, manager) dotted lines between IRIs (``po:dottedLineReportsTo``): beside the forest, never in it.
    dotted: list[Edge] = field(default_factory=list)

    def forest(self) -> Forest:
        """The forest of these rows.

        >>> Rows([node("a"), node("b")], [("b", "a")]).forest().roots()
        ['a']
        """
        return Forest(self.nodes, self.edges)

    def merged(self, other: Rows) -> Rows:
        """These rows and those of ``other`` (two parts of one forest, e.g. the chains above two nodes), each
        node, edge and defect once, in first-seen order.

        >>> a = Rows([node("a"), node("b")], [("b", "a")])
        >>> m = a.merged(Rows([node("a"), node("c")], [("c", "a")]))
        >>> [n[0] for n in m.nodes], m.edges
        (['a', 'b', 'c'], [('b', 'a'), ('c', 'a')])
        """
        seen = {n[0] for n in self.nodes}
        nodes = self.nodes + [n for n in other.nodes if n[0] not in seen]
        edges = list(dict.fromkeys(self.edges + other.edges))
        bad = list(dict.fromkeys(self.bad_managers + other.bad_managers))
        return Rows(nodes, edges, bad, list(dict.fromkeys(self.dotted + other.dotted)))


def cycle_text(cycle: list[str], shown: int = 8) -> str:
    """A cycle as text, its first ``shown`` members only when it is long.

    >>> cycle_text(["a", "b"]), cycle_text(list("abcd"), shown=2)
    ('a -> b', 'a -> b -> ... (4 posts in the cycle)')
    """
    more = f" -> ... ({len(cycle):,} posts in the cycle)" if len(cycle) > shown else ""
    return " -> ".join(cycle[:shown]) + more


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off inside the block (on again after, if it was on). Building a
    million nodes' dicts and tuples makes it walk the whole heap again and again (building the 1M reporting
    graph: 68 s with it, 24 s without); those objects hold no cycles to collect.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def node(iri: str, **values: Any) -> NodeRow:
    """A node row with the given fields, the others empty.

    >>> node("http://e/1", name="Ann")
    ('http://e/1', None, 'Ann', None, None, None, None, 'post', None, None, None, None, None)
    """
    record = Node(iri, **values)
    return tuple(getattr(record, f) for f in NODE_FIELDS)  # type: ignore[return-value]


def placed_lines(rows: Iterable[Placed]) -> list[Edge]:
    """The (report, manager) lines among :meth:`Forest.placed` rows: each row and the row at its manager's
    position, when that row is one of them.

    >>> f = Forest([node(x) for x in "abc"], [("b", "a"), ("c", "b")])
    >>> placed_lines(list(f.placed())[1:])
    [('c', 'b')]
    """
    rows = list(rows)
    at = {r[0]: r[6] for r in rows}
    return [(r[6], at[r[11]]) for r in rows if r[11] in at]


def _fte(row: NodeRow) -> float:
    """A node's FTE: its own figure, else 1 for a post that is held (0 for a vacant or eliminated one)."""
    if row[6] is not None:
        return float(row[6])
    return 0.0 if row[4] in (VACANT, ELIMINATED) else 1.0


def _merged(rows: list[NodeRow]) -> tuple[list[NodeRow], dict[str, int]]:
    """Rows with one row per IRI: the first record wins, its gaps filled from later ones."""
    out: list[NodeRow] = []
    index: dict[str, int] = {}
    for row in rows:
        at = index.get(row[0])
        if at is None:
            index[row[0]] = len(out)
            out.append(row)
        else:
            out[at] = tuple(a if a is not None else b for a, b in zip(out[at], row, strict=True))  # type: ignore[assignment]
    return out, index


class Forest:
    """Who reports to whom: one solid-line manager per node, cycles cut (see the module's rules).

    >>> f = Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "b"), ("a", "c"), ("d", "d")])
    >>> f.cycles, f.self_loops, f.roots()
    ([['a', 'c', 'b']], ['d'], ['a', 'd'])
    """

    def __init__(self, nodes: Iterable[NodeRow | Node], edges: Iterable[Edge]) -> None:
        rows: list[NodeRow] = [(tuple(getattr(item, f) for f in NODE_FIELDS)  # type: ignore[misc]
                                if type(item) is Node else item) for item in nodes]
        index = {r[0]: i for i, r in enumerate(rows)}
        if len(index) < len(rows):  # the same node in two sources: one row, the first record's values first
            rows, index = _merged(rows)
        self._rows = rows
        self._index = index
        iris = [r[0] for r in rows]
        self._iris = iris
        parent = [-1] * len(rows)
        others: dict[int, set[int]] = {}
        loops: set[int] = set()
        dangling: set[Edge] = set()
        get = index.get
        for report, boss in edges:
            r = get(report)
            if r is None:
                continue
            m = get(boss)
            if m is None or m == r:
                if m == r:
                    loops.add(r)
                else:
                    dangling.add((report, boss))
                continue
            p = parent[r]
            if p == -1:
                parent[r] = m
            elif p != m:
                if iris[m] < iris[p]:
                    parent[r], m = m, p
                others.setdefault(r, set()).add(m)
        pairs = sum(1 for p in parent if p != -1)
        self.edge_count = pairs + sum(len(ms) for ms in others.values())
        self.self_loops = sorted(iris[i] for i in loops)
        self.dangling = sorted(dangling)
        self.several_managers = {iris[r]: sorted([iris[parent[r]]] + [iris[m] for m in ms])
                                 for r, ms in sorted(others.items(), key=lambda kv: iris[kv[0]])}
        self.cycles: list[list[str]] = []
        self.cut: list[Edge] = []
        self._parent = parent
        self._cut_cycles()
        self._children: list[list[int]] | None = None
        self._sizes: list[int] | None = None
        self._depth: list[int] | None = None
        self._fte: list[float] | None = None

    def _cut_cycles(self) -> None:
        parent, iris = self._parent, self._iris
        state = bytearray(len(parent))  # 0 new, 1 on the current walk, 2 done
        found: list[list[int]] = []
        for start in range(len(parent)):
            if state[start]:
                continue
            walk: list[int] = []
            n = start
            while n != -1 and not state[n]:
                state[n] = 1
                walk.append(n)
                n = parent[n]
            if n != -1 and state[n] == 1:
                found.append(walk[walk.index(n):])
            for w in walk:
                state[w] = 2
        for ring in found:
            at = min(range(len(ring)), key=lambda i: iris[ring[i]])
            ring = ring[at:] + ring[:at]
            head = ring[0]
            self.cut.append((iris[head], iris[parent[head]]))
            parent[head] = -1
            self.cycles.append([iris[i] for i in ring])
        self.cycles.sort()
        self.cut.sort()

    # -- building blocks ------------------------------------------------------------------------------------

    def _i(self, iri: str) -> int:
        try:
            return self._index[iri]
        except KeyError:
            raise not_on_forest(iri) from None

    def _key(self, i: int) -> tuple[bool, str, str, str]:
        r = self._rows[i]
        return (r[2] is None, (r[2] or "").casefold(), r[1] or "", r[0])

    def _kids(self) -> list[list[int]]:
        if self._children is None:
            kids: list[list[int]] = [[] for _ in self._rows]
            for i, p in enumerate(self._parent):
                if p != -1:
                    kids[p].append(i)
            key = self._key
            for k in kids:
                if len(k) > 1:
                    k.sort(key=key)
            self._children = kids
        return self._children

    def _order(self) -> list[int]:
        """Every node, parents before their reports (roots first, breadth first)."""
        kids = self._kids()
        order = [i for i, p in enumerate(self._parent) if p == -1]
        for i in order:  # grows while iterating
            order.extend(kids[i])
        return order

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, iri: object) -> bool:
        return iri in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._iris)

    def row(self, iri: str) -> NodeRow:
        """The node row of ``iri`` (a tuple in the order of :data:`NODE_FIELDS`; cheaper than a record).

        >>> Forest([node("a", name="Ann")], []).row("a")[2]
        'Ann'
        """
        return self._rows[self._i(iri)]

    def record(self, iri: str) -> Node:
        """The node record of ``iri``.

        >>> Forest([node("a", name="Ann")], []).record("a").name
        'Ann'
        """
        return Node(*self._rows[self._i(iri)])

    def records(self) -> Iterator[Node]:
        """Every node record, in the order they were given.

        >>> [n.iri for n in Forest([node("b"), node("a")], []).records()]
        ['b', 'a']
        """
        return (Node(*r) for r in self._rows)

    def rows(self) -> list[NodeRow]:
        """Every node row (tuples in the order of :data:`NODE_FIELDS`)."""
        return list(self._rows)

    def edges(self) -> list[Edge]:
        """The forest's (report, manager) lines after the cuts, in node order.

        >>> Forest([node("a"), node("b")], [("b", "a"), ("a", "b")]).edges()
        [('b', 'a')]
        """
        iris = self._iris
        return [(iris[i], iris[p]) for i, p in enumerate(self._parent) if p != -1]

    # -- operations -----------------------------------------------------------------------------------------

    def manager(self, iri: str) -> str | None:
        """The one solid-line manager of ``iri`` (None at a root).

        >>> Forest([node("a"), node("b"), node("c")], [("c", "b"), ("c", "a")]).manager("c")
        'a'
        """
        p = self._parent[self._i(iri)]
        return None if p == -1 else self._iris[p]

    def chain(self, iri: str) -> list[str]:
        """Managers of ``iri``, nearest first, its root last (empty at a root).

        >>> Forest([node(x) for x in "abc"], [("b", "a"), ("c", "b")]).chain("c")
        ['b', 'a']
        """
        parent, iris = self._parent, self._iris
        out: list[str] = []
        p = parent[self._i(iri)]
        while p != -1:
            out.append(iris[p])
            p = parent[p]
        return out

    def cycle_of(self, iri: str) -> list[str] | None:
        """The recorded cycle whose cut made ``iri``'s root, if any (so a chain can say where it repeats).

        >>> f = Forest([node(x) for x in "ab"], [("a", "b"), ("b", "a")])
        >>> f.cycle_of("b")
        ['a', 'b']
        """
        top = self._iris[self._top(self._i(iri))]
        for ring in self.cycles:
            if ring[0] == top:
                return ring
        return None

    def _top(self, i: int) -> int:
        parent = self._parent
        while parent[i] != -1:
            i = parent[i]
        return i

    def direct_reports(self, iri: str) -> list[str]:
        """The reports of ``iri`` (by name, then id, then IRI).

        >>> f = Forest([node("a"), node("b", name="Zoe"), node("c", name="Al")], [("b", "a"), ("c", "a")])
        >>> f.direct_reports("a")
        ['c', 'b']
        """
        iris = self._iris
        return [iris[k] for k in self._kids()[self._i(iri)]]

    def descendants(self, iri: str, depth: int | None = None) -> list[tuple[str, int]]:
        """Everyone below ``iri`` breadth first (each manager's reports in order), with their depth below it;
        ``depth`` limits how many levels.

        >>> f = Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "a"), ("d", "b")])
        >>> f.descendants("a"), f.descendants("a", depth=1)
        ([('b', 1), ('c', 1), ('d', 2)], [('b', 1), ('c', 1)])
        """
        kids, iris = self._kids(), self._iris
        out: list[tuple[str, int]] = []
        level = [self._i(iri)]
        d = 0
        while level and (depth is None or d < depth):
            d += 1
            level = [k for m in level for k in kids[m]]
            out.extend((iris[k], d) for k in level)
        return out

    def _subtree_sizes(self) -> list[int]:
        if self._sizes is None:
            sizes = [0] * len(self._rows)
            parent = self._parent
            for i in reversed(self._order()):
                p = parent[i]
                if p != -1:
                    sizes[p] += sizes[i] + 1
            self._sizes = sizes
        return self._sizes

    def headcount(self, iri: str) -> int:
        """How many nodes are below ``iri`` (at every level).

        >>> Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "a"), ("d", "b")]).headcount("a")
        3
        """
        return self._subtree_sizes()[self._i(iri)]

    def headcounts(self) -> dict[str, int]:
        """:meth:`headcount` of every node.

        >>> Forest([node("a"), node("b")], [("b", "a")]).headcounts()
        {'a': 1, 'b': 0}
        """
        return dict(zip(self._iris, self._subtree_sizes(), strict=True))

    def fte_below(self, iri: str) -> float:
        """FTE of everything below ``iri``: each node's FTE figure, or 1 for a post without one (0 when it is
        vacant or eliminated); junior FTE groups count their FTE.

        >>> Forest([node("a"), node("b"), node("g", kind="group", fte=2.5), node("v", status="vacant")],
        ...        [("b", "a"), ("g", "b"), ("v", "a")]).fte_below("a")
        3.5
        """
        return self._fte_sums()[self._i(iri)]

    def _fte_sums(self) -> list[float]:
        """FTE below each node, summed bottom-up (rounded to 6 places, as :meth:`counts` rounds)."""
        if self._fte is None:
            rows, parent = self._rows, self._parent
            sums = [0.0] * len(rows)
            for i in reversed(self._order()):
                p = parent[i]
                if p != -1:
                    sums[p] += sums[i] + _fte(rows[i])
            self._fte = [round(x, 6) for x in sums]
        return self._fte

    # -- the placed table: whole-organization answers as ranges and sorted columns ----------------------------

    def placed(self) -> Iterator[Placed]:
        """Every node once, breadth first from the roots (each manager's reports in order), as a
        :data:`Placed` row: its position in that order, its number in a depth-first walk (everyone below a
        node is numbered ``pre + 1`` to ``pre + below``), nodes below, depth, direct reports, FTE below, and
        its public fields with its manager's id and position. Restricted to one node's range and sorted by position,
        these rows are that node's :meth:`descendants` in order: stored, they answer "everyone below" with
        one range scan (see :mod:`kg.chart_index`).
        Blank-node IRIs are kept here (``iri`` identifies the row).

        >>> f = Forest([node("a", id="1"), node("b", id="2"), node("c", id="3")], [("b", "a"), ("c", "b")])
        >>> [r[:6] for r in f.placed()]
        [(0, 0, 2, 0, 1, 2.0), (1, 1, 1, 1, 1, 1.0), (2, 2, 0, 2, 0, 0.0)]
        """
        order, kids, parent, rows = self._order(), self._kids(), self._parent, self._rows
        sizes, fte = self._subtree_sizes(), self._fte_sums()
        pre = [0] * len(rows)
        n = 0
        stack = [i for i in reversed(order) if parent[i] == -1]
        while stack:
            i = stack.pop()
            pre[i] = n
            n += 1
            stack.extend(reversed(kids[i]))
        self.depths()
        depth = self._depth or []
        at = [0] * len(rows)
        for pos, i in enumerate(order):
            at[i] = pos
        for pos, i in enumerate(order):
            r = rows[i]
            p = parent[i]
            yield (pos, pre[i], sizes[i], depth[i], len(kids[i]), fte[i], r[0], r[1], r[2], r[3],
                   rows[p][1] if p != -1 else None, at[p] if p != -1 else -1)

    def below_people(self, iri: str, depth: int | None = None) -> Iterator[Below]:
        """Everyone below ``iri`` (``depth`` levels) in :meth:`descendants` order, as :data:`Below` rows: the
        public fields (:meth:`Node.public`), the depth below ``iri`` and the manager's id.

        >>> f = Forest([node("a", id="1"), node("b", id="2"), node("c", id="3")], [("b", "a"), ("c", "b")])
        >>> list(f.below_people("a"))
        [('2', None, None, 'b', 1, '1'), ('3', None, None, 'c', 2, '2')]
        """
        index, rows, parent = self._index, self._rows, self._parent
        for x, d in self.descendants(iri, depth):
            i = index[x]
            r = rows[i]
            p = parent[i]
            yield (r[1], r[2], r[3], None if x.startswith("_:") else x, d, rows[p][1] if p != -1 else None)

    def placed_subtree(self, iri: str, depth: int | None = None) -> list[Placed]:
        """The :meth:`placed` rows of ``iri`` and everyone below it (``depth`` levels), in position order: the
        rows numbered ``pre`` to ``pre + below`` depth first, no deeper than asked (the range the chart index
        reads with one scan); none when ``iri`` is not on the forest. Depth 1: the node and its direct reports.

        >>> f = Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "a"), ("d", "b")])
        >>> [r[6] for r in f.placed_subtree("a", 1)], [r[6] for r in f.placed_subtree("b")]
        (['a', 'b', 'c'], ['b', 'd'])
        """
        if iri not in self:
            return []
        rows = list(self.placed())
        top = rows[next(r[0] for r in rows if r[6] == iri)]
        deepest = top[3] + depth if depth is not None else len(rows)
        return [r for r in rows if top[1] <= r[1] <= top[1] + top[2] and r[3] <= deepest]

    def span_rows(self, top: int | None = None) -> list[Placed]:
        """:meth:`placed` rows of the managers (nodes with someone below), by direct reports, then nodes
        below (most first), then IRI; the first ``top`` of them.

        >>> f = Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "a"), ("d", "b")])
        >>> [(r[6], r[4], r[2]) for r in f.span_rows()]
        [('a', 2, 3), ('b', 1, 1)]
        """
        return self.ranked("span", top)

    def ranked(self, ranking: str, top: int | None = None) -> list[Placed]:
        """The first ``top`` :meth:`placed` rows of a ranking (:data:`RANKINGS`): ``span``, the managers by
        direct reports, then nodes below (most first), then IRI; ``teams``, the managers by nodes below, then
        direct reports (most first), then IRI; ``single``, the managers of exactly one report, by IRI.

        >>> f = Forest([node(x) for x in "abcde"], [("b", "a"), ("c", "a"), ("d", "b"), ("e", "d")])
        >>> [r[6] for r in f.ranked("span")], [r[6] for r in f.ranked("teams", 2)], [r[6] for r in f.ranked("single")]
        (['a', 'b', 'd'], ['a', 'b'], ['b', 'd'])
        """
        if ranking == "single":
            found = sorted((r for r in self.placed() if r[4] == 1), key=lambda r: r[6])
        elif ranking in RANKINGS:
            key = (lambda r: (-r[4], -r[2], r[6])) if ranking == "span" else (lambda r: (-r[2], -r[4], r[6]))
            found = sorted((r for r in self.placed() if r[2]), key=key)
        else:
            raise ValueError(f"unknown ranking {ranking!r}; choose from {', '.join(RANKINGS)}")
        return found if top is None else found[:top]

    def peers(self, iri: str) -> list[str]:
        """The other reports of ``iri``'s manager (none at a root).

        >>> Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "a"), ("d", "a")]).peers("c")
        ['b', 'd']
        """
        i = self._i(iri)
        p = self._parent[i]
        if p == -1:
            return []
        iris = self._iris
        return [iris[k] for k in self._kids()[p] if k != i]

    def common_manager(self, a: str, b: str) -> str | None:
        """The lowest node both ``a`` and ``b`` are at or below (one of them if one manages the other);
        None when they are in different trees.

        >>> f = Forest([node(x) for x in "abcde"], [("b", "a"), ("c", "a"), ("d", "b"), ("e", "b")])
        >>> f.common_manager("d", "e"), f.common_manager("d", "c"), f.common_manager("b", "d")
        ('b', 'a', 'b')
        """
        above_b = {b, *self.chain(b)}
        for x in [a, *self.chain(a)]:
            if x in above_b:
                return x
        return None

    def path(self, a: str, b: str) -> list[str] | None:
        """The reporting path from ``a`` up to their common manager and down to ``b`` (both ends included);
        None when they are in different trees.

        >>> f = Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "a"), ("d", "b")])
        >>> f.path("d", "c"), f.path("a", "a")
        (['d', 'b', 'a', 'c'], ['a'])
        """
        top = self.common_manager(a, b)
        if top is None:
            return None
        up = [a, *self.chain(a)]
        down = [b, *self.chain(b)]
        return up[:up.index(top) + 1] + down[:down.index(top)][::-1]

    def subtree(self, iri: str, depth: int | None = None) -> Forest:
        """The forest of ``iri`` (its root) and everyone below it, ``depth`` levels down.

        >>> f = Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "a"), ("d", "b")]).subtree("b")
        >>> sorted(f), f.roots()
        (['b', 'd'], ['b'])
        """
        keep = [iri] + [x for x, _ in self.descendants(iri, depth)]
        rows, index = self._rows, self._index
        return Forest([rows[index[x]] for x in keep], [(x, self.manager(x) or x) for x in keep[1:]])

    def roots(self) -> list[str]:
        """Nodes without a manager (after the cuts), by name, then id, then IRI.

        >>> Forest([node("a", name="Zed"), node("b", name="Al"), node("c")], [("c", "a")]).roots()
        ['b', 'a']
        """
        iris = self._iris
        return [iris[i] for i in sorted((i for i, p in enumerate(self._parent) if p == -1), key=self._key)]

    def depths(self) -> dict[str, int]:
        """Each node's depth: 0 at a root, 1 for its reports, and so on.

        >>> Forest([node(x) for x in "abc"], [("b", "a"), ("c", "b")]).depths()
        {'a': 0, 'b': 1, 'c': 2}
        """
        if self._depth is None:
            depth = [0] * len(self._rows)
            parent = self._parent
            for i in self._order():
                p = parent[i]
                if p != -1:
                    depth[i] = depth[p] + 1
            self._depth = depth
        return dict(zip(self._iris, self._depth, strict=True))

    def layers(self) -> list[int]:
        """How many nodes sit at each depth (index 0: the roots).

        >>> Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "a"), ("d", "b")]).layers()
        [1, 2, 1]
        """
        counts: list[int] = []
        for d in self.depths().values():
            while len(counts) <= d:
                counts.append(0)
            counts[d] += 1
        return counts

    def layer_table(self) -> list[dict[str, int]]:
        """Nodes per layer (layer 1 is the top) and how many of them manage someone.

        >>> Forest([node("a"), node("b"), node("c")], [("b", "a"), ("c", "a")]).layer_table()
        [{'layer': 1, 'posts': 1, 'managers': 1}, {'layer': 2, 'posts': 2, 'managers': 0}]
        """
        self.depths()
        posts: dict[int, int] = {}
        managers: dict[int, int] = {}
        for d, size in zip(self._depth or [], self._subtree_sizes(), strict=True):
            posts[d] = posts.get(d, 0) + 1
            if size:
                managers[d] = managers.get(d, 0) + 1
        return [{"layer": d + 1, "posts": posts[d], "managers": managers.get(d, 0)} for d in sorted(posts)]

    def counts(self) -> dict[str, Any]:
        """The counts every command reports, under the names the README defines: ``posts`` (nodes that are
        not junior FTE groups), ``groups``, ``named_people`` (posts whose holder is named), ``vacancies``,
        ``roots``, ``reporting_edges`` (distinct solid lines between two nodes), ``cycles``, ``fte``.

        >>> Forest([node("a", name="Ann"), node("b", status="vacant"), node("g", kind="group", fte=2.0)],
        ...        [("b", "a"), ("g", "a")]).counts()  # doctest: +NORMALIZE_WHITESPACE
        {'posts': 2, 'groups': 1, 'named_people': 1, 'vacancies': 1, 'roots': 1, 'reporting_edges': 2,
         'cycles': 0, 'fte': 3.0}
        """
        rows = self._rows
        groups = sum(1 for r in rows if r[7] == GROUP)
        return {
            "posts": len(rows) - groups,
            "groups": groups,
            "named_people": sum(1 for r in rows if r[2] is not None and r[7] != GROUP),
            "vacancies": sum(1 for r in rows if r[4] == VACANT),
            "roots": sum(1 for p in self._parent if p == -1),
            "reporting_edges": self.edge_count,
            "cycles": len(self.cycles),
            "fte": round(sum(_fte(r) for r in rows), 6),
        }

    def summary(self, n: int = 10) -> dict[str, Any]:
        """What `kg stats`, `kg layers` and `kg health` say of the forest: :meth:`counts`, the first ``n``
        :meth:`roots`, how many nodes have several managers, the :meth:`layer_table`, ``span`` (``[direct
        reports, managers]`` pairs, fewest reports first), ``units`` (``[unit, nodes]`` pairs, most nodes
        first, then by unit; "(none)" for nodes without one) and ``cycles_cut`` (each of :attr:`cycles` by id,
        else IRI). Stored with the placed table, so these commands need not build the forest.

        >>> s = Forest([node("a", id="1"), node("b", unit="HR"), node("c")], [("c", "a"), ("c", "b")]).summary()
        >>> s["several_managers"], s["span"], s["units"]
        (1, [[1, 1]], [['(none)', 2], ['HR', 1]])
        """
        spans: dict[int, int] = {}
        for kids in self._kids():
            if kids:
                spans[len(kids)] = spans.get(len(kids), 0) + 1
        units: dict[str, int] = {}
        for r in self._rows:
            unit = r[5] or "(none)"
            units[unit] = units.get(unit, 0) + 1
        ids = {iri: self._rows[self._index[iri]][1] or iri for ring in self.cycles for iri in ring}
        return {"counts": self.counts(), "roots": self.roots()[:n], "several_managers": len(self.several_managers),
                "layers": self.layer_table(), "span": [[k, spans[k]] for k in sorted(spans)],
                "units": [[u, c] for u, c in sorted(units.items(), key=lambda uc: (-uc[1], uc[0]))],
                "cycles_cut": [[ids[iri] for iri in ring] for ring in self.cycles]}

    def lines(self) -> dict[str, list[Any]]:
        """The lines the forest left out or cut, as the projection records them: ``dropped`` (the other
        solid-line managers of a node with several, ``(report, manager)``), ``cut`` (where cycles were cut),
        ``self_loops`` and ``cycles`` (lists, as :attr:`several_managers`, :attr:`cut`, :attr:`self_loops`
        and :attr:`cycles` give them). Stored with the placed table (:mod:`kg.chart_index`).

        >>> Forest([node(x) for x in "abc"], [("c", "a"), ("c", "b"), ("b", "b")]).lines()
        {'dropped': [('c', 'b')], 'cut': [], 'self_loops': ['b'], 'cycles': []}
        """
        dropped = sorted((r, m) for r, ms in self.several_managers.items() for m in ms if m != self.manager(r))
        return {"dropped": dropped, "cut": list(self.cut), "self_loops": list(self.self_loops),
                "cycles": [list(c) for c in self.cycles]}

    def columns(self, attributes: bool = True) -> Columns:
        """The forest as :class:`Columns`: nodes in :meth:`placed` order (breadth first from the roots), each
        one's manager by position, its fields (without ``attributes``: none) and :meth:`lines`.

        >>> c = Forest([node("b"), node("a", name="Ann")], [("b", "a")]).columns()
        >>> c.iris, c.manager_pos, c.records[0]["name"]
        (['a', 'b'], [-1, 0], 'Ann')
        """
        order, parent, iris, rows = self._order(), self._parent, self._iris, self._rows
        at = [0] * len(order)
        for pos, i in enumerate(order):
            at[i] = pos
        records = None
        if attributes:
            keys = NODE_FIELDS[1:]
            records = [dict(zip(keys, rows[i][1:], strict=True)) for i in order]
        return Columns([iris[i] for i in order], [at[parent[i]] if parent[i] != -1 else -1 for i in order],
                       records, **self.lines())

    def to_networkx(self, attributes: bool = True) -> Any:
        """A networkx DiGraph of the forest, edges manager -> report, each node with its record's fields (none
        without ``attributes``); nodes in :meth:`placed` order (see :meth:`Columns.to_networkx`).

        >>> G = Forest([node("a", name="Ann"), node("b")], [("b", "a")]).to_networkx()
        >>> list(G.edges()), G.nodes["a"]["name"], G.nodes["a"]["role"]
        ([('a', 'b')], 'Ann', None)
        """
        return self.columns(attributes).to_networkx()


@dataclass
class Columns:
    """The reporting forest as columns, in the order of :meth:`Forest.placed` (breadth first from the roots,
    each manager's reports together and in order): what a projection to networkx needs, read from the stored
    placed table without rebuilding the :class:`Forest` (:mod:`kg.chart_index`), or made by
    :meth:`Forest.columns`."""

    iris: list[str]  # node IRIs by position
    manager_pos: list[int]  # each node's manager's position; -1 at a root
    records: list[dict[str, Any]] | None  # each node's fields (NODE_FIELDS but the IRI) by position, or None
    dropped: list[Edge] = field(default_factory=list)  # see Forest.lines
    cut: list[Edge] = field(default_factory=list)
    self_loops: list[str] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)

    def to_networkx(self) -> Any:
        """A networkx DiGraph, edges manager -> report; node attribute dicts are :attr:`records` themselves
        (none: empty dicts). networkx's own dicts are built whole: a manager's reports are one run of
        positions, so its successor dict is made in one step.

        >>> G = Columns(["a", "b", "c"], [-1, 0, 0], None).to_networkx()
        >>> sorted(G.successors("a")), list(G.predecessors("c")), G.graph["direction"]
        (['b', 'c'], ['a'], 'manager -> report')
        """
        import networkx as nx

        G = nx.DiGraph(direction="manager -> report")
        iris, managers = self.iris, self.manager_pos
        with gc_paused():
            records = self.records if self.records is not None else [{} for _ in iris]
            data: list[dict[str, Any]] = [{} for _ in iris]  # one edge data dict per report, shared by both ends
            succ: list[dict[str, dict[str, Any]]] = [{} for _ in iris]
            pred = [{iris[boss]: d} if boss != -1 else {} for boss, d in zip(managers, data, strict=True)]
            pos, n = 0, len(managers)
            while pos < n:  # each run of positions with one manager: one step
                boss, end = managers[pos], pos + 1
                while end < n and managers[end] == boss:
                    end += 1
                if boss != -1:
                    succ[boss].update(zip(iris[pos:end], data[pos:end], strict=True))
                pos = end
            # assigning _node, _adj and _pred resets networkx's caches
            G._node = dict(zip(iris, records, strict=True))
            G._adj, G._pred = dict(zip(iris, succ, strict=True)), dict(zip(iris, pred, strict=True))
        return G
