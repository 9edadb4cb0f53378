"""Reporting lookups: who a person is, their manager, chain, reports, peers, common manager, span of control.

The nodes of the org chart are whatever ``org:reportsTo`` links: posts (CSV imports, UK organograms) or people
(W3C ORG data that links people directly). "Person" below means such a node; its name is the name of the
person holding the post. Every answer about who reports to whom comes from the reporting forest
(:class:`kg.forest.Forest`, with its one rule for several managers and cycles); every function takes a
:class:`kg.reading.Reader` (the embedded store or a remote one) and returns plain data (dicts and lists).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.errors import AmbiguousError, KGError, NotFoundError
from kg.forest import BELOW_FIELDS, Below, Forest, Node, Placed, not_on_forest
from kg.names import fold
from kg.reading import Reader, chains, forest
from kg.render import terminal_safe
from kg.vocab import PREFIXES

Person = dict[str, Any]


def public(rec: Node | Person) -> Person:
    """The JSON contract of a person: exactly id, name, title, iri."""
    if isinstance(rec, Node):
        return rec.public()
    return {k: rec.get(k) for k in ("id", "name", "title", "iri")}


def records(reader: Reader, iris: list[str]) -> dict[str, Node]:
    """The node records of ``iris`` keyed by IRI (a node off the chart gets an empty record)."""
    found = {r[0]: Node(*r) for r in reader.node_records(list(dict.fromkeys(iris)))}
    return {i: found.get(i) or Node(i) for i in iris}


# -- resolving PERSON arguments -------------------------------------------------------------------------------

_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):(\S+)$")
_SHOWN = 8


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text)


def resolve(reader: Reader, ref: str) -> str:
    """The IRI of the person or post ``ref`` names: an IRI (``<...>`` or bare), a prefixed name, an id, or a
    name (any case, with or without accents, or some of its words).

    Raises NotFoundError (with the closest names) or AmbiguousError (the true number of matches, and the
    candidates in a stable order with what tells them apart).
    """
    text = ref.strip()
    if not text:
        raise NotFoundError("an empty name matches nobody; give an id or a name")
    ref = _printable(text)  # echoed in one-line messages
    iri = _as_iri(text)
    if iri is not None:
        return _resolve_iri(reader, iri, ref)
    by_id = reader.find("id", text)
    nodes = by_id or reader.find("key", fold(text)) or reader.find("words", fold(text))
    if len(nodes) == 1:
        return nodes[0]
    if nodes:
        raise _ambiguous(reader, ref, nodes, duplicated_id=bool(by_id))
    close = closest_names(reader, text)
    hint = f"; closest names: {', '.join(close)}" if close else ""
    raise NotFoundError(f"no person matches '{ref}'{hint}")


# Parameters of named queries (and of `--param`, the query page, the endpoint's ``param.NAME``) that name a
# person or post: resolved exactly as `kg who` resolves its argument.
PERSON_PARAMS = ("person",)


def resolve_params(reader: Reader, params: dict[str, Any] | None) -> dict[str, Any]:
    """``params`` with each person parameter (:data:`PERSON_PARAMS`) resolved by :func:`resolve` to its
    post's IRI (as an ``ox.NamedNode``); other parameters as they are. A value may be a string or an RDF term
    (an IRI or a literal, as ``kg query --param`` reads it). Unknown or ambiguous people raise the same
    one-line errors as `kg who`."""
    import pyoxigraph as ox

    out = dict(params or {})
    for name in PERSON_PARAMS:
        value = out.get(name)
        if value is None:
            continue
        if isinstance(value, ox.NamedNode):
            text = f"<{value.value}>"
        else:
            text = value.value if isinstance(value, ox.Literal) else str(value)
        out[name] = ox.NamedNode(resolve(reader, text))
    return out


def _as_iri(text: str) -> str | None:
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if text.startswith(("http://", "https://", "urn:")):
        return text
    m = _PREFIXED.match(text)
    if m and m.group(1) in PREFIXES:
        return PREFIXES[m.group(1)] + m.group(2)
    return None


def _resolve_iri(reader: Reader, iri: str, ref: str) -> str:
    import pyoxigraph as ox

    try:
        node = ox.NamedNode(iri)
    except ValueError as exc:
        raise NotFoundError(f"'{ref}' is not a valid IRI ({_printable(str(exc))}); give an id, a name or "
                            "a full IRI") from exc
    if reader.node_records([iri]):
        return iri
    # A person who holds a post is found on the chart at that post.
    rows = reader.select("SELECT ?post WHERE { ?post org:heldBy ?n } ORDER BY ?post LIMIT 1", n=node)
    if rows and rows[0]["post"]:
        return rows[0]["post"]
    if bool(reader.query("ASK { ?n ?p ?o }", n=node)):
        return iri
    raise NotFoundError(f"no person or post has the IRI <{iri}>")


def _ambiguous(reader: Reader, ref: str, nodes: list[str], duplicated_id: bool) -> AmbiguousError:
    recs = records(reader, nodes)
    ordered = sorted(nodes, key=lambda n: (recs[n].source or "", recs[n].row or 0, recs[n].id or "", n))
    shown = [_describe(reader, recs[n]) for n in ordered[:_SHOWN]]
    more = f" and {len(ordered) - _SHOWN} more" if len(ordered) > _SHOWN else ""
    what = (f"the id '{ref}' is duplicated: {len(ordered)} posts have it" if duplicated_id
            else f"'{ref}' matches {len(ordered)} people")
    return AmbiguousError(f"{what}: {'; '.join(shown)}{more}; give an IRI or a more precise name",
                          [public(recs[n]) for n in ordered])


def _describe(reader: Reader, rec: Node) -> str:
    """One candidate, with what tells it apart from the others: row in its file, title, unit, manager."""
    parts = [_printable(rec.id or rec.iri), _printable(rec.name or "(no name)")]
    facts = []
    if rec.row is not None:
        facts.append(f"row {rec.row}" + (f" of {_printable(rec.source)}" if rec.source else ""))
    if rec.title:
        facts.append(_printable(rec.title))
    if rec.unit:
        facts.append(_printable(rec.unit))
    boss = forest(reader, above=rec.iri).manager(rec.iri) if rec.iri else None
    if boss is not None:
        b = records(reader, [boss])[boss]
        facts.append("reports to " + _printable(b.name or b.id or boss))
    return " ".join(parts) + (f" ({', '.join(facts)})" if facts else "")


def closest_names(reader: Reader, text: str, limit: int = 5) -> list[str]:
    """Names on the chart closest to ``text`` (for "did you mean" hints)."""
    import difflib  # only when a name is not found

    keys = reader.name_keys()
    folded = fold(text)
    matches = difflib.get_close_matches(folded, keys, n=limit, cutoff=0.6)
    matches += [k for k in keys if folded and folded in k and k not in matches][: limit - len(matches)]
    names = []
    for k in matches:
        recs = reader.node_records(reader.find("key", k)[:1])
        names.append(_printable(recs[0][2] if recs and recs[0][2] else k))
    return names


# -- lookups --------------------------------------------------------------------------------------------------


def _people(f: Forest, iris: list[str]) -> list[Person]:
    return [f.record(i).public() for i in iris]


def manager(reader: Reader, ref: str) -> Person | None:
    """The solid-line manager of ``ref`` (the forest's one manager), or None at the top."""
    iri = resolve(reader, ref)
    f = forest(reader, above=iri)
    boss = f.manager(iri)
    return f.record(boss).public() if boss else None


@dataclass
class Chain:
    """Managers from the nearest up to the top; ``cycle_at`` names the person where the chain would repeat
    (the forest cut a cycle there)."""

    people: list[Person] = field(default_factory=list)
    cycle_at: Person | None = None


def chain(reader: Reader, ref: str) -> Chain:
    """The management chain of ``ref``: nearest manager first, the top last. Where the data has a cycle the
    chain stops at the member the forest cut it at, and ``cycle_at`` names whom that member reports to (the
    top itself when it reports to itself)."""
    iri = resolve(reader, ref)
    f = forest(reader, above=iri)
    ups = f.chain(iri)
    ring = f.cycle_of(iri)
    repeat = None
    top = ups[-1] if ups else iri
    if ring is not None:
        repeat = ring[1]
    elif top in f.self_loops:  # the top reports to itself
        repeat = top
    return Chain(_people(f, ups), f.record(repeat).public() if repeat else None)


def reports(reader: Reader, ref: str, *, all_levels: bool = False, depth: int | None = None) -> list[Person]:
    """Direct reports of ``ref``; with ``all_levels`` everyone below (breadth first, ``depth`` levels)."""
    if not all_levels and (depth is None or depth <= 1):
        return [_placed(r) for r in _reports_of(reader, resolve(reader, ref))]
    return [dict(zip(BELOW_FIELDS, r, strict=True)) for r in below(reader, ref, depth)]


def below(reader: Reader, ref: str, depth: int | None = None, *, with_iri: bool = True) -> Iterator[Below]:
    """Everyone below ``ref`` (breadth first, ``depth`` levels; all when None) as rows of
    :data:`kg.forest.BELOW_FIELDS`, one at a time: from the store's placed table a million people stream out
    without a list of them. ``ref`` is resolved before the first row. ``with_iri=False``: for output that shows
    no IRI (the store may leave them out)."""
    iri = resolve(reader, ref)
    return reader.placed_below(iri, depth, with_iri=with_iri)


def peers(reader: Reader, ref: str) -> list[Person]:
    """People with the same solid-line manager as ``ref`` (not ``ref`` itself)."""
    iri = resolve(reader, ref)
    boss = forest(reader, above=iri).manager(iri)
    return [] if boss is None else [_placed(r) for r in reader.placed_reports(boss) if r[6] != iri]


def _reports_of(reader: Reader, iri: str) -> list[Placed]:
    """The placed rows of the direct reports of ``iri`` (NotOnForest when the chart has no such node)."""
    if not reader.placed_node(iri):
        raise not_on_forest(iri)
    return reader.placed_reports(iri)


def common_manager(reader: Reader, a: str, b: str) -> Person | None:
    """The lowest person both ``a`` and ``b`` report to (one of them if one manages the other)."""
    ia, ib = resolve(reader, a), resolve(reader, b)
    f = chains(reader, [ia, ib])
    boss = f.common_manager(ia, ib)
    return None if boss is None else f.record(boss).public()


def span(reader: Reader, top: int | None = 20) -> list[Person]:
    """Managers by number of direct reports, with total headcount below each."""
    return [_placed(r) | {"direct_reports": r[4], "headcount": r[2], "fte_below": r[5]}
            for r in reader.placed_span(top)]


def _placed(r: Placed) -> Person:
    """The JSON contract of a person (:meth:`kg.forest.Node.public`) from a placed row."""
    return {"id": r[7], "name": r[8], "title": r[9], "iri": None if r[6].startswith("_:") else r[6]}


def who(reader: Reader, ref: str) -> Person:
    """A person's profile: id, name, title, iri, role, unit, status, manager, direct reports, headcount, FTE.
    Every field comes from the forest's rows and the dotted lines (:class:`kg.reading.Reader`): the embedded
    store answers from its chart index alone."""
    iri = resolve(reader, ref)
    above = forest(reader, above=iri)
    rec = above.record(iri)
    boss = above.manager(iri)
    placed = reader.placed_node(iri)
    if not placed:
        raise not_on_forest(iri)
    team = placed[0]  # its direct reports, nodes below and FTE below, stored with the placed table
    dotted = [m for _, m in reader.dotted_lines(iri)]
    linked = records(reader, ([boss] if boss else []) + dotted)
    return rec.public() | {
        "role": rec.role,
        "unit": rec.unit,
        "status": rec.status,
        "kind": rec.kind,
        "grade": rec.grade,
        "person_iri": rec.holder,
        "fte": rec.fte,
        "manager": linked[boss].public() if boss else None,
        "dotted_line_managers": [linked[d].public() for d in dotted],
        "direct_reports": team[4],
        "headcount": team[2],
        "fte_below": team[5],
    }


def search(reader: Reader, text: str, limit: int = 50) -> list[Person]:
    """People whose name, id or title contains ``text`` (case- and accent-insensitive)."""
    folded = fold(text)
    if not folded:
        raise KGError("search needs some letters or digits")
    raw = text.strip().casefold()
    hits: list[Node] = []
    for rows in reader.search_rows(folded, raw):  # chunks by IRI: the first ``limit`` found, the rest not read
        found = [n for n in Forest(rows, []).records()  # a node's rows merged as the forest merges them
                 if (n.name and folded in fold(n.name)) or (n.id and n.id.casefold() == raw)
                 or (n.title and raw in n.title.casefold())]
        hits += sorted(found, key=lambda n: n.iri)
        if len(hits) >= limit:
            break
    return sorted((n.public() for n in hits[:limit]),
                  key=lambda p: (p["name"] is None, (p["name"] or "").casefold(), p["id"] or ""))


def stats(reader: Reader) -> dict[str, Any]:
    """Counts over everything loaded, under the names the README defines (posts, named people, vacancies,
    roots, reporting edges...), plus sources, dotted lines and titles matched to roles (the embedded store
    stores all but the sources at load time: :meth:`kg.reading.Reader.forest_summary` and
    :meth:`kg.reading.Reader.data_counts`)."""
    summary = reader.forest_summary()
    roots = records(reader, summary["roots"])
    counts = reader.data_counts()
    return {
        "sources": len(reader.sources()),
        **summary["counts"],
        "dotted_lines": counts["dotted_lines"],
        "root_people": [roots[r].public() for r in summary["roots"]],
        "several_managers": summary["several_managers"],
        "titles_matched_to_roles": counts["titles_matched_to_roles"],
        "unmatched_titles": counts["unmatched_titles"],
    }


# -- the text views of `kg who` and `kg stats` ---------------------------------------------------------------

PROFILE_KEYS = ("id", "name", "title", "role", "unit", "status", "grade", "fte", "manager", "dotted_line_managers",
                "direct_reports", "headcount", "fte_below", "iri", "person_iri")


def person_label(person: dict[str, Any] | None) -> str:
    """A person as one line of text: name and id, safe for a terminal ("" for nobody).

    >>> person_label({"name": "Ada", "id": "7"}), person_label({"id": "8"}), person_label(None)
    ('Ada [7]', '(no name) [8]', '')
    """
    if not person:
        return ""
    name = person.get("name") or "(no name)"
    return terminal_safe(f"{name} [{person.get('id')}]" if person.get("id") else name)


def profile_flat(profile: Person) -> dict[str, Any]:
    """A profile of :func:`who` as one row: its managers as labels."""
    return profile | {"manager": person_label(profile["manager"]),
                      "dotted_line_managers": ", ".join(person_label(m) for m in profile["dotted_line_managers"])}


def profile_text(profile: Person) -> str:
    """A profile of :func:`who` as ``kg who`` prints it: one line per field that has a value."""
    flat = profile_flat(profile)
    return "".join(f"{key.replace('_', ' '):>22}  {terminal_safe(flat[key])}\n"
                   for key in PROFILE_KEYS if flat.get(key) not in (None, ""))


def stats_scalars(data: dict[str, Any]) -> dict[str, Any]:
    """The counts of :func:`stats` (its lists and maps left out)."""
    return {k: v for k, v in data.items() if not isinstance(v, (list, dict))}


def stats_text(data: dict[str, Any]) -> str:
    """The counts of :func:`stats` as ``kg stats`` prints them, with the tops and the commonest unmatched titles."""
    lines = [f"{key.replace('_', ' '):>24}  {value:,}" for key, value in stats_scalars(data).items()]
    if data["root_people"]:
        lines.append(f"{'top of the chart':>24}  " + ", ".join(person_label(p) for p in data["root_people"]))
    unmatched = data["unmatched_titles"]
    if unmatched:
        lines.append(f"{'unmatched titles':>24}  {len(unmatched):,} distinct; most common:")
        lines += [f"{'':>26}{count:>6}  {terminal_safe(title)}" for title, count in list(unmatched.items())[:10]]
    return "".join(line + "\n" for line in lines)
