"""Change between two states of one organization: the diff of two snapshots, and what-if reorganizations.

Both are pure functions of :class:`kg.forest.Forest` values. Posts are matched by id (post ids of UK
organograms and HR exports are stable across snapshots), or by the holder's name (``match="name"``) for exports
whose ids are renumbered each time. Junior FTE groups are no posts: they are never joiners or leavers, but they
count in the headcount and FTE of the teams above them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from kg.choices import MATCH_KEYS
from kg.errors import InputError
from kg.forest import GROUP, NODE_FIELDS, Forest, Node, _fte
from kg.history import snapshot
from kg.names import fold
from kg.reading import Reader, forest
from kg.render import terminal_safe, to_table

Person = dict[str, Any]
CHANGES = ("joined", "left", "moved", "retitled", "holder_changed", "regraded")


# -- the shape of an organization ------------------------------------------------------------------------------


def shape(forest: Forest) -> dict[str, Any]:
    """Layers, span of control and size of an organization (:func:`kg.analytics.forest_health`, in numbers):
    what a reorganization changes.

    >>> from kg.forest import node
    >>> f = Forest([node(x) for x in "abcde"], [("b", "a"), ("c", "a"), ("d", "b"), ("e", "b")])
    >>> s = shape(f)
    >>> s["layers"], s["layer_sizes"], s["managers"], s["span_mean"], s["single_report_managers"]
    (3, [1, 2, 2], 2, 2.0, 0)
    """
    from kg.analytics import forest_health

    health = forest_health(forest, 0)
    span = health["span"]
    return {key: health[key] for key in ("posts", "groups", "fte", "roots", "layers")} | {
        "layer_sizes": forest.layers(), "managers": health["managers"], "span_mean": span["mean"],
        "span_median": span["median"], "span_max": span["max"],
        "single_report_managers": len(health["single_report_managers"])}


def by_unit(forest: Forest) -> dict[str, dict[str, float]]:
    """Posts and FTE of each unit (junior groups count their FTE, not as posts), units sorted by name.

    >>> from kg.forest import node
    >>> by_unit(Forest([node("a", unit="HR"), node("g", unit="HR", kind="group", fte=2.5)], [("g", "a")]))
    {'HR': {'posts': 1, 'fte': 3.5}}
    """
    out: dict[str, dict[str, float]] = {}
    for rec in forest.records():
        unit = out.setdefault(rec.unit or "(no unit)", {"posts": 0, "fte": 0.0})
        unit["posts"] += 0 if rec.kind == GROUP else 1
        unit["fte"] = round(unit["fte"] + node_fte(rec), 6)
    return dict(sorted(out.items()))


def node_fte(rec: Node) -> float:
    """A node's FTE as the forest counts it (:meth:`kg.forest.Forest.fte_below`)."""
    return _fte(tuple(getattr(rec, f) for f in NODE_FIELDS))  # type: ignore[arg-type]


def compare(before: Forest, after: Forest) -> dict[str, Any]:
    """Shape and units before and after, with the differences (after minus before).

    >>> from kg.forest import node
    >>> a = Forest([node(x) for x in "abc"], [("b", "a"), ("c", "b")])
    >>> b = Forest([node(x) for x in "abc"], [("b", "a"), ("c", "a")])
    >>> compare(a, b)["delta"]["layers"]
    -1
    """
    old, new = shape(before), shape(after)
    delta = {k: round(new[k] - old[k], 6) for k in old if isinstance(old[k], (int, float))}
    units_old, units_new = by_unit(before), by_unit(after)
    units = []
    for name in sorted(set(units_old) | set(units_new)):
        o = units_old.get(name, {"posts": 0, "fte": 0.0})
        n = units_new.get(name, {"posts": 0, "fte": 0.0})
        if o != n:
            units.append({"unit": name, "posts_before": o["posts"], "posts_after": n["posts"],
                          "fte_before": o["fte"], "fte_after": n["fte"]})
    return {"before": old, "after": new, "delta": delta, "units_changed": units}


# -- diff of two snapshots ---------------------------------------------------------------------------------------


@dataclass
class Diff:
    """What changed from ``old`` to ``new``: lists of person objects, and the two shapes."""

    joined: list[Person] = field(default_factory=list)
    left: list[Person] = field(default_factory=list)
    moved: list[Person] = field(default_factory=list)
    retitled: list[Person] = field(default_factory=list)
    holder_changed: list[Person] = field(default_factory=list)
    regraded: list[Person] = field(default_factory=list)
    teams: list[Person] = field(default_factory=list)
    comparison: dict[str, Any] = field(default_factory=dict)
    unmatched: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in CHANGES} | {
            "teams_grew": sum(1 for t in self.teams if t["headcount_after"] > t["headcount_before"]),
            "teams_shrank": sum(1 for t in self.teams if t["headcount_after"] < t["headcount_before"]),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: the change arrays, ``teams``, ``before``/``after`` shapes and ``summary``."""
        return {k: getattr(self, k) for k in CHANGES} | {
            "teams": self.teams, "units_changed": self.comparison.get("units_changed", []),
            "before": self.comparison.get("before"), "after": self.comparison.get("after"),
            "unmatched": self.unmatched, "summary": self.summary()}

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per change (for CSV and tables): change, id, name, title, from, to."""
        out = []
        for kind in CHANGES:
            for p in getattr(self, kind):
                out.append({"change": kind, "id": p["id"], "name": p["name"], "title": p["title"],
                            "from": _show(p.get("from")), "to": _show(p.get("to"))})
        return out


def _show(value: Any) -> str | None:
    if isinstance(value, dict):
        return " ".join(str(v) for v in (value.get("id"), value.get("name")) if v) or value.get("iri")
    return value


def _keys(forest: Forest, match: str) -> tuple[dict[str, str], dict[str, int]]:
    """Each post's matching key (id, or folded holder name) -> its IRI; keys given twice are left out."""
    keys: dict[str, str] = {}
    twice: set[str] = set()
    missing = 0
    for rec in forest.records():
        if rec.kind == GROUP:
            continue
        key = rec.id if match == "id" else (fold(rec.name) if rec.name else None)
        if not key:
            missing += 1
            continue
        if key in keys:
            twice.add(key)
        keys[key] = rec.iri
    for key in twice:
        del keys[key]
    return keys, {"without_key": missing, "duplicate_keys": len(twice)}


def diff(old: Forest, new: Forest, *, match: str = "id") -> Diff:
    """Posts joined, left, moved (new solid-line manager), retitled, with another holder, regraded; and teams
    whose headcount or FTE below changed. ``match``: ``"id"`` or ``"name"``.

    >>> from kg.forest import node
    >>> a = Forest([node("a", id="1", name="Ann"), node("b", id="2", title="Dev"), node("c", id="3")],
    ...            [("b", "a"), ("c", "a")])
    >>> b = Forest([node("a", id="1", name="Ann"), node("b", id="2", title="Lead"), node("d", id="4")],
    ...            [("b", "a"), ("d", "b")])
    >>> d = diff(a, b)
    >>> [p["id"] for p in d.joined], [p["id"] for p in d.left], [(p["id"], p["title"]) for p in d.retitled]
    (['4'], ['3'], [('2', 'Lead')])
    """
    if match not in MATCH_KEYS:
        raise InputError(f"--match {match}: use {' or '.join(MATCH_KEYS)}")
    keys_old, miss_old = _keys(old, match)
    keys_new, miss_new = _keys(new, match)
    out = Diff(unmatched={f"old_{k}": v for k, v in miss_old.items()} | {f"new_{k}": v for k, v in miss_new.items()})
    out.joined = [_person(new, keys_new[k]) for k in _ordered(keys_new, set(keys_new) - set(keys_old))]
    out.left = [_person(old, keys_old[k]) for k in _ordered(keys_old, set(keys_old) - set(keys_new))]
    manager_key_old = _manager_keys(old, keys_old)
    manager_key_new = _manager_keys(new, keys_new)
    for key in _ordered(keys_new, set(keys_old) & set(keys_new)):
        a, b = old.record(keys_old[key]), new.record(keys_new[key])
        person = _person(new, b.iri)
        was, now = manager_key_old.get(a.iri), manager_key_new.get(b.iri)
        if was != now:
            m_old, m_new = old.manager(a.iri), new.manager(b.iri)
            out.moved.append(person | {"from": old.record(m_old).public() if m_old else None,
                                       "to": new.record(m_new).public() if m_new else None})
        if _norm(a.title) != _norm(b.title):
            out.retitled.append(person | {"from": a.title, "to": b.title})
        if match == "id" and _norm(a.name) != _norm(b.name):
            out.holder_changed.append(person | {"from": a.name or a.status, "to": b.name or b.status})
        if _norm(a.grade) != _norm(b.grade):
            out.regraded.append(person | {"from": a.grade, "to": b.grade})
        hc_a, hc_b = old.headcount(a.iri), new.headcount(b.iri)
        fte_a, fte_b = round(old.fte_below(a.iri), 6), round(new.fte_below(b.iri), 6)
        if hc_a != hc_b or fte_a != fte_b:
            out.teams.append(person | {"headcount_before": hc_a, "headcount_after": hc_b,
                                       "fte_before": fte_a, "fte_after": fte_b})
    out.teams.sort(key=lambda t: (-abs(t["headcount_after"] - t["headcount_before"]), t["id"] or "", t["iri"] or ""))
    out.comparison = compare(old, new)
    return out


def _manager_keys(forest: Forest, keys: dict[str, str]) -> dict[str, str | None]:
    """Each keyed post's manager, as the manager's key (its IRI when the manager has no key)."""
    key_of = {iri: k for k, iri in keys.items()}
    out: dict[str, str | None] = {}
    for iri in keys.values():
        m = forest.manager(iri)
        out[iri] = None if m is None else key_of.get(m, m)
    return out


def _ordered(keys: dict[str, str], chosen: Iterable[str]) -> list[str]:
    return sorted(chosen, key=lambda k: (_natural(k), keys[k]))


def _natural(text: str) -> tuple[int, int | str]:
    return (0, int(text)) if text.isdigit() else (1, text)


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _person(forest: Forest, iri: str) -> Person:
    return forest.record(iri).public()


# -- what-if ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One step of a reorganization: ``move`` a post under a manager, ``remove`` a post (its reports go to its
    manager), or ``merge`` team ``b`` into ``a`` (b's reports move under a, b is removed)."""

    op: str
    a: str
    b: str | None = None

    def describe(self, forest: Forest) -> str:
        name = _label(forest, self.a)
        if self.op == "move":
            return f"move {name} under {_label(forest, self.b or '')}"
        if self.op == "remove":
            return f"remove {name} (its reports move to its manager)"
        return f"merge the team of {_label(forest, self.b or '')} into {name}"


def _label(forest: Forest, iri: str) -> str:
    if iri not in forest:
        return iri
    rec = forest.record(iri)
    return " ".join(x for x in (rec.id, rec.name) if x) or iri


def apply(forest: Forest, edits: Iterable[Edit]) -> Forest:
    """A new forest with the edits applied in order; ``forest`` is not changed.

    >>> from kg.forest import node
    >>> f = Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "b"), ("d", "b")])
    >>> apply(f, [Edit("remove", "b")]).edges()
    [('c', 'a'), ('d', 'a')]
    >>> apply(f, [Edit("move", "d", "a")]).manager("d"), apply(f, [Edit("merge", "a", "b")]).direct_reports("a")
    ('a', ['c', 'd'])
    """
    rows = {r[0]: r for r in forest.rows()}
    parent = dict(forest.edges())
    for edit in edits:
        for iri in (edit.a, edit.b):
            if iri is not None and iri not in rows:
                raise InputError(f"what-if: {iri} is not in the organization (removed by an earlier step?)")
        if edit.op == "move":
            assert edit.b is not None
            if edit.b == edit.a or edit.a in _above(parent, edit.b):
                raise InputError(f"what-if: cannot move {_label(forest, edit.a)} under "
                                 f"{_label(forest, edit.b)}, who reports to it")
            parent[edit.a] = edit.b
        elif edit.op in ("remove", "merge"):
            gone = edit.a if edit.op == "remove" else edit.b
            assert gone is not None
            heir = parent.get(gone) if edit.op == "remove" else edit.a
            for child, boss in list(parent.items()):
                if boss == gone:
                    if heir is None:
                        del parent[child]
                    else:
                        parent[child] = heir
            parent.pop(gone, None)
            del rows[gone]
        else:
            raise InputError(f"what-if: unknown step '{edit.op}'; use move, remove or merge")
    return Forest(list(rows.values()), list(parent.items()))


def _above(parent: dict[str, str], iri: str) -> set[str]:
    seen: set[str] = set()
    node = parent.get(iri)
    while node is not None and node not in seen:
        seen.add(node)
        node = parent.get(node)
    return seen


# -- over a store ----------------------------------------------------------------------------------------------


class SnapshotReader(Reader, Protocol):
    """A reader that can be pointed at chosen sources (both kg stores are: :class:`kg.store.CatalogReader`)."""

    def see_only(self, sources: list[Any] | None) -> None: ...


@contextmanager
def seeing(reader: SnapshotReader, spec: str | None) -> Iterator[list[Any]]:
    """Inside the block ``reader`` sees the snapshot ``spec`` names (see :func:`kg.history.snapshot`); with None,
    what it sees already. Yields the sources seen."""
    if spec is None:
        yield reader.visible_sources()  # type: ignore[attr-defined]
        return
    chosen = snapshot(reader.sources(), spec)
    reader.see_only(chosen)
    try:
        yield chosen
    finally:
        reader.see_only(None)


def _about(sources: list[Any]) -> dict[str, Any]:
    dates = sorted({s.as_of for s in sources if s.as_of})
    series = sorted({s.series for s in sources if s.series})
    return {"series": series[0] if len(series) == 1 else series or None,
            "as_of": dates[0] if len(dates) == 1 else dates or None,
            "sources": sorted(s.name for s in sources)}


def diff_snapshots(reader: SnapshotReader, old: str, new: str, *, match: str = "id") -> tuple[Diff, dict[str, Any]]:
    """The :class:`Diff` from snapshot ``old`` to ``new`` (names as :func:`kg.history.snapshot` reads them), and
    which sources each side is."""
    with seeing(reader, old) as before_sources:
        before = forest(reader)
    with seeing(reader, new) as after_sources:
        after = forest(reader)
    return diff(before, after, match=match), {"old": _about(before_sources), "new": _about(after_sources)}


EditRef = tuple[str, str, str | None]  # (op, a, b) as people are named on the command line


def parse_edits(moves: Iterable[tuple[str, str]] = (), removes: Iterable[str] = (),
                merges: Iterable[tuple[str, str]] = (), table: Iterable[dict[str, str]] = ()) -> list[EditRef]:
    """Edits as (op, a, b) references from the command line and from rows of a CSV of moves (columns
    ``action`` (move, remove or merge; default move), ``post`` and ``under``): a merge row merges ``post``'s team
    into ``under``'s.

    >>> parse_edits([("P7", "P2")], ["P9"], [("P2", "P3")], [{"post": "P5", "under": "P1"}])
    [('move', 'P7', 'P2'), ('remove', 'P9', None), ('merge', 'P2', 'P3'), ('move', 'P5', 'P1')]
    """
    out: list[EditRef] = [("move", a, b) for a, b in moves]
    out += [("remove", a, None) for a in removes]
    out += [("merge", a, b) for a, b in merges]
    for i, row in enumerate(table, start=2):
        action = (row.get("action") or "move").strip().lower()
        post = (row.get("post") or "").strip()
        under = (row.get("under") or row.get("manager") or "").strip()
        if action not in ("move", "remove", "merge") or not post or (action != "remove" and not under):
            raise InputError(f"moves file, row {i}: expected action (move, remove or merge), post and under")
        out.append(("merge", under, post) if action == "merge" else (action, post, under or None))
    if not out:
        raise InputError("no change to try: give --move POST --under MANAGER, --remove POST, --merge A B "
                         "or --moves FILE")
    return out


def whatif(reader: SnapshotReader, edits: list[EditRef], *,
           base: str | None = None) -> tuple[Forest, Forest, list[Edit], dict[str, Any]]:
    """Apply ``edits`` (people named as lookups name them) to a copy of snapshot ``base`` (default: what the
    reader sees): the forest before, after, the resolved edits and the comparison. Nothing is written."""
    from kg.org import resolve

    with seeing(reader, base) as sources:
        before = forest(reader)
        steps = [Edit(op, resolve(reader, a), resolve(reader, b) if b else None) for op, a, b in edits]
    after = apply(before, steps)
    result = compare(before, after) | {"changes": [s.describe(before) for s in steps], "base": _about(sources)}
    moved = [iri for iri in after if iri in before and after.manager(iri) != before.manager(iri)]
    result["moved"] = [after.record(i).public() | {
        "from": before.record(m).public() if (m := before.manager(i)) else None,
        "to": after.record(n).public() if (n := after.manager(i)) else None} for i in moved]
    return before, after, steps, result


PRECEDENCE = ("joined", "left", "moved", "retitled", "holder_changed", "regraded")


def changes_by_iri(d: Diff) -> dict[str, str]:
    """Each changed post's IRI and its main change (joined, left, moved, retitled, holder_changed, regraded).

    >>> changes_by_iri(Diff(moved=[{"iri": "x"}], retitled=[{"iri": "x"}, {"iri": "y"}]))
    {'x': 'moved', 'y': 'retitled'}
    """
    out: dict[str, str] = {}
    for kind in PRECEDENCE:
        for p in getattr(d, kind):
            if p.get("iri"):
                out.setdefault(p["iri"], kind)
    return out


# -- the text views of `kg diff` and `kg whatif` -------------------------------------------------------------

CHANGE_COLUMNS = ["change", "id", "name", "title", "from", "to"]  # the columns of Diff.rows()
SHAPE_KEYS = ("posts", "groups", "fte", "roots", "layers", "managers", "span_mean", "span_median", "span_max",
              "single_report_managers")


def shape_text(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The shape of the organization before and after (posts, layers, span...) as a table after a blank line."""
    return "\n" + to_table([{"measure": k.replace("_", " "), "before": before[k], "after": after[k]}
                            for k in SHAPE_KEYS], ["measure", "before", "after"])


def diff_text(d: Diff, old: str, new: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    """A diff as ``kg diff`` prints it: the counts of each change, the changed posts, the shape before and after."""
    out = [f"{terminal_safe(old)} -> {terminal_safe(new)}: "
           + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in d.summary().items()) + "\n"]
    if d.rows():
        out.append(to_table(d.rows(), CHANGE_COLUMNS))
    return "".join(out) + shape_text(before, after)


def whatif_text(result: dict[str, Any]) -> str:
    """A what-if result as ``kg whatif`` prints it: the edits, the shape before and after, the units changed."""
    out = [f"- {terminal_safe(line)}\n" for line in result["changes"]]
    out.append(shape_text(result["before"], result["after"]))
    if result["units_changed"]:
        out += ["\n", to_table(result["units_changed"],
                               ["unit", "posts_before", "posts_after", "fte_before", "fte_after"])]
    return "".join(out)
