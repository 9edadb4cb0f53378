"""Role-level questions over the ontology: the role taxonomy, role profiles with source quotes, and how two
concepts are connected (``explain``).

Every fact returned carries its provenance: ``sources`` lists the sentences it was derived from (verbatim
``quote``, ``sentence`` number, ``document`` title); an empty list means an editorial link of the ontology.
All queries read the ontology graph only, so loaded organizations never change the answers.
"""

from __future__ import annotations

import difflib
from collections import deque
from typing import Any

import pyoxigraph as ox

from kg.errors import AmbiguousError, NotFoundError
from kg.names import fold
from kg.store import Store
from kg.vocab import ONTOLOGY_GRAPH, PO, PREFIXES, SKOS

# Relations a role profile shows: (predicate, direction, section, how the relation reads from the role).
_ROLE_RELATIONS: list[tuple[str, str, str, str]] = [
    (PO.typicallyReportsTo, "out", "reports_to", "typically reports to"),
    (PO.typicallyReportsTo, "in", "manages", "typically manages"),
    (PO.mostSeniorRoleIn, "out", "reporting_notes", "most senior role in"),
    (PO.mayOccupySeatOf, "out", "reporting_notes", "may occupy the seat of"),
    (PO.hasResponsibility, "out", "responsibilities", "has responsibility"),
    (PO.requiresKnowledgeOf, "out", "knowledge", "requires knowledge of"),
    (PO.progressesTo, "out", "career_next", "progresses to"),
    (PO.progressesTo, "in", "career_previous", "is reached from"),
    (PO.collaboratesWith, "out", "collaborators", "collaborates with"),
    (PO.collaboratesWith, "in", "collaborators", "collaborates with"),
    (PO.mentors, "out", "mentoring", "mentors"),
    (PO.supports, "out", "mentoring", "supports and unblocks"),
    (PO.supports, "in", "mentoring", "is supported by"),
    (PO.differsFrom, "out", "distinctions", "differs from"),
    (PO.differsFrom, "in", "distinctions", "differs from"),
    (PO.usedAsJobTitle, "out", "distinctions", "used as a job title"),
    (PO.hasOwnerRole, "in", "owns", "owns"),
]
SECTIONS = ["reports_to", "manages", "reporting_notes", "responsibilities", "knowledge", "requirements",
            "pay", "career_previous", "career_next", "collaborators", "mentoring", "distinctions", "owns"]

# Predicates `explain` walks (both directions), in order of preference, with how each reads forwards.
EXPLAIN_RELATIONS: dict[str, str] = {
    PO.typicallyReportsTo: "typically reports to",
    PO.progressesTo: "progresses to",
    PO.mostSeniorRoleIn: "is the most senior role in",
    PO.mentors: "mentors",
    PO.supports: "supports and unblocks",
    PO.collaboratesWith: "collaborates with",
    PO.mayOccupySeatOf: "may occupy the seat of",
    PO.differsFrom: "differs from",
    SKOS.broader: "is in the family",
    PO.hasResponsibility: "has responsibility",
    PO.requiresKnowledgeOf: "requires knowledge of",
    PO.hasRequirement: "has requirement",
    PO.priorRole: "names as prior role",
    PO.leadingRoleExample: "names as leading role",
    PO.experienceIn: "asks experience in",
    PO.educationLevel: "asks education level",
    PO.fieldOfStudy: "asks field of study",
    PO.payForRole: "is pay for",
    PO.includesActivity: "includes activity",
    PO.basedOn: "is based on",
    PO.aimsAt: "aims at",
    PO.mitigates: "mitigates",
    PO.contributesTo: "contributes to",
    PO.hasRisk: "has risk",
    PO.historicallySharedBy: "was historically shared by",
    PO.hasOwnerRole: "is owned by a",
    PO.exampleProduct: "has example product",
    SKOS.closeMatch: "closely matches",
}

_LABEL = "COALESCE(?pl, ?rl, ?fn)"
_LABEL_OF = """OPTIONAL {{ {v} skos:prefLabel ?pl FILTER(LANGMATCHES(LANG(?pl), "en") || LANG(?pl) = "") }}
  OPTIONAL {{ {v} rdfs:label ?rl FILTER(LANGMATCHES(LANG(?rl), "en") || LANG(?rl) = "") }}
  OPTIONAL {{ {v} foaf:name ?fn }}"""


def _onto(pattern: str) -> str:
    return f"GRAPH <{ONTOLOGY_GRAPH}> {{ {pattern} }}"


# -- names ---------------------------------------------------------------------------------------------------


def _labels(store: Store) -> list[dict[str, str | None]]:
    return store.select(
        "SELECT ?c ?label ?kind ?role WHERE { " + _onto(
            """{ ?c skos:prefLabel ?label BIND("pref" AS ?kind) }
               UNION { ?c skos:altLabel ?label BIND("alt" AS ?kind) }
               UNION { ?c rdfs:label ?label BIND("pref" AS ?kind)
                       FILTER NOT EXISTS { ?c a ?t VALUES ?t { owl:Class owl:ObjectProperty
                                                               owl:DatatypeProperty } } }
               OPTIONAL { ?c a org:Role BIND(true AS ?role) }""") + " }")


def _expand(name: str) -> str | None:
    text = name.strip().strip("<>")
    if text.startswith(("http://", "https://")):
        return text
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and local and " " not in local:
        return PREFIXES[prefix] + local
    return None


def resolve(store: Store, name: str, *, roles_only: bool = False) -> str:
    """The IRI of the concept named ``name`` (prefLabel, altLabel or rdfs:label, case- and accent-insensitive;
    an IRI or prefixed name works too). Raises NotFoundError listing close matches, or AmbiguousError."""
    rows = [r for r in _labels(store) if r["c"] and r["label"] and (r["role"] or not roles_only)]
    iri = _expand(name)
    if iri and any(r["c"] == iri for r in rows):
        return iri
    key = fold(name)
    for kind in ("pref", "alt"):
        hits = sorted({r["c"] for r in rows if r["kind"] == kind and fold(r["label"] or "") == key})
        roles = [h for h in hits if any(r["c"] == h and r["role"] for r in rows)]
        hits = roles or hits
        if len(hits) == 1:
            return hits[0]
        if hits:
            names = [f"{_label_from(rows, h)} <{h}>" for h in hits]
            raise AmbiguousError(f"'{name}' names several concepts: {', '.join(names)}; give a fuller name "
                                 "or the IRI", names)
    what = "role" if roles_only else "concept"
    labels = sorted({r["label"] or "" for r in rows})
    by_fold = {fold(label): label for label in labels}
    close = difflib.get_close_matches(key, list(by_fold), n=5, cutoff=0.5)
    close += [k for k in by_fold if key and key in k and k not in close][:5 - len(close)]
    hint = f"; did you mean: {', '.join(by_fold[c] for c in close)}?" if close else ""
    raise NotFoundError(f"no {what} matches '{name}'{hint} (see `kg roles`)")


def _label_from(rows: list[dict[str, str | None]], iri: str) -> str:
    for r in rows:
        if r["c"] == iri and r["kind"] == "pref":
            return r["label"] or iri
    return iri


def label_of(store: Store, iri: str) -> str:
    sparql = f"SELECT ?label WHERE {{ {_onto(_LABEL_OF.format(v='?c'))} BIND({_LABEL} AS ?label) }}"
    rows = store.select(sparql, c=ox.NamedNode(iri))
    return next((r["label"] for r in rows if r["label"]), iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1])


# -- the taxonomy --------------------------------------------------------------------------------------------


def role_tree(store: Store) -> list[dict[str, Any]]:
    """The role taxonomy as nested nodes ``{iri, label, kind, children}``: role families at the top, their
    roles below (a role in two families appears under both). Sorted by label."""
    rows = store.select("SELECT ?c ?label ?broader ?role WHERE { " + _onto(
        """?c skos:inScheme po:RoleScheme ; skos:prefLabel ?label .
           OPTIONAL { ?c skos:broader ?broader }
           OPTIONAL { ?c a org:Role BIND(true AS ?role) }""") + " }")
    labels = {r["c"]: r["label"] or "" for r in rows if r["c"]}
    kinds = {r["c"]: ("role" if r["role"] else "family") for r in rows if r["c"]}
    children: dict[str, set[str]] = {}
    has_parent: set[str] = set()
    for r in rows:
        if r["c"] and r["broader"] in labels:
            children.setdefault(r["broader"] or "", set()).add(r["c"])
            has_parent.add(r["c"])

    def node(iri: str, seen: frozenset[str]) -> dict[str, Any]:
        kids = sorted((k for k in children.get(iri, ()) if k not in seen), key=lambda k: labels[k].lower())
        return {"iri": iri, "label": labels[iri], "kind": kinds[iri],
                "children": [node(k, seen | {k}) for k in kids]}

    roots = sorted((c for c in labels if c not in has_parent), key=lambda c: labels[c].lower())
    return [node(r, frozenset({r})) for r in roots]


# -- facts with their sources --------------------------------------------------------------------------------


_FACTS = """SELECT ?p ?o ?olabel ?st ?context ?note ?quote ?n ?doctitle ?agent WHERE {
  GRAPH <%s> {
    %s
    FILTER(?p IN (%s))
    %s
    BIND(COALESCE(?pl, ?rl, ?fn, IF(isLiteral(?o), STR(?o), ?unset)) AS ?olabel)
    OPTIONAL {
      ?st rdf:subject %s ; rdf:predicate ?p ; rdf:object %s ; prov:wasDerivedFrom ?sent .
      ?sent po:quote ?quote ; po:sentenceNumber ?n .
      OPTIONAL { ?sent dcterms:isPartOf/dcterms:title ?doctitle }
      OPTIONAL { ?st po:context ?context }
      OPTIONAL { ?st skos:editorialNote ?note }
      OPTIONAL { ?st prov:wasAttributedTo/foaf:name ?agent }
    }
  }
}"""


def _facts(store: Store, iri: str, predicates: list[str], direction: str) -> list[dict[str, Any]]:
    """Triples of ``iri`` (as subject when ``direction`` is out, else as object) with their statements."""
    pattern = "?r ?p ?o ." if direction == "out" else "?o ?p ?r ."
    subject, obj = ("?r", "?o") if direction == "out" else ("?o", "?r")
    label = _LABEL_OF.format(v="?o")
    sparql = _FACTS % (ONTOLOGY_GRAPH, pattern, ", ".join(f"<{p}>" for p in predicates), label, subject, obj)
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for row in store.select(sparql, r=ox.NamedNode(iri)):
        key = (row["p"] or "", row["o"] or "")
        fact = grouped.setdefault(key, {"predicate": key[0], "target": row["olabel"] or key[1],
                                        "target_iri": key[1], "context": None, "note": None,
                                        "attributed_to": None, "sources": []})
        for field, column in (("context", "context"), ("note", "note"), ("attributed_to", "agent")):
            if row[column] and not fact[field]:
                fact[field] = row[column]
        _add_source(fact, row)
    return list(grouped.values())


def _add_source(fact: dict[str, Any], row: dict[str, str | None]) -> None:
    if row.get("quote"):
        source = {"sentence": int(row["n"] or 0), "quote": row["quote"], "document": row.get("doctitle")}
        if source not in fact["sources"]:
            fact["sources"].append(source)
            fact["sources"].sort(key=lambda s: (s["document"] or "", s["sentence"]))


def _node_sources(store: Store, iris: list[str]) -> dict[str, dict[str, Any]]:
    """Provenance of n-ary fact nodes (requirements, pay facts): sources, context, note."""
    out: dict[str, dict[str, Any]] = {i: {"context": None, "note": None, "sources": []} for i in iris}
    if not iris:
        return out
    rows = store.select("SELECT ?x ?context ?note ?quote ?n ?doctitle WHERE { " + _onto(
        """OPTIONAL { ?x prov:wasDerivedFrom ?sent . ?sent po:quote ?quote ; po:sentenceNumber ?n .
                        OPTIONAL { ?sent dcterms:isPartOf/dcterms:title ?doctitle } }
            OPTIONAL { ?x po:context ?context } OPTIONAL { ?x skos:editorialNote ?note }""") + " }",
        x=[ox.NamedNode(i) for i in iris])
    for row in rows:
        rec = out[row["x"] or ""]
        rec["context"] = rec["context"] or row["context"]
        rec["note"] = rec["note"] or row["note"]
        _add_source(rec, row)
    return out


def _details(store: Store, iris: list[str]) -> dict[str, list[dict[str, Any]]]:
    """What responsibilities and knowledge areas consist of (activities, evidence, aims, risks mitigated),
    each ``{relation, target, sources}``."""
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in iris}
    if not iris:
        return out
    preds = [PO.includesActivity, PO.basedOn, PO.aimsAt, PO.mitigates, PO.contributesTo, PO.hasRisk]
    rows = store.select("SELECT ?x ?p ?o ?label ?quote ?n ?doctitle WHERE { " + _onto(
        f"""?x ?p ?o FILTER(?p IN ({', '.join(str(ox.NamedNode(p)) for p in preds)}))
            {_LABEL_OF.format(v='?o')}
            BIND({_LABEL} AS ?label)
            OPTIONAL {{ ?st rdf:subject ?x ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?sent .
                        ?sent po:quote ?quote ; po:sentenceNumber ?n .
                        OPTIONAL {{ ?sent dcterms:isPartOf/dcterms:title ?doctitle }} }}""") + " }",
        x=[ox.NamedNode(i) for i in iris])
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["x"] or "", row["p"] or "", row["o"] or "")
        detail = grouped.get(key)
        if detail is None:
            detail = grouped[key] = {"relation": EXPLAIN_RELATIONS[key[1]], "target": row["label"] or key[2],
                                     "sources": []}
            out[key[0]].append(detail)
        _add_source(detail, row)
    for items in out.values():
        items.sort(key=lambda d: (d["relation"], d["target"].lower()))
    return out


# -- the profile ---------------------------------------------------------------------------------------------


def role_profile(store: Store, name: str) -> dict[str, Any]:
    """Everything the ontology says about a role, each fact with its source quotes.

    Keys: ``iri``, ``label``, ``alt_labels``, ``definition``, ``families``, ``close_matches``, then the
    sections of :data:`SECTIONS` (lists of facts ``{relation, target, target_iri, context, note, sources}``;
    ``requirements`` and ``pay`` are records), and ``career_path`` (role labels, earliest first).
    """
    iri = resolve(store, name, roles_only=True)
    head = store.select("SELECT ?label ?alt ?definition ?family ?match ?mlabel ?notation WHERE { " + _onto(
        """?r skos:prefLabel ?label .
           OPTIONAL { ?r skos:altLabel ?alt }
           OPTIONAL { ?r skos:definition ?definition }
           OPTIONAL { ?r skos:broader/skos:prefLabel ?family }
           OPTIONAL { ?r skos:closeMatch ?match OPTIONAL { ?match skos:prefLabel ?mlabel }
                      OPTIONAL { ?match skos:notation ?notation } }""") + " }", r=ox.NamedNode(iri))
    profile: dict[str, Any] = {
        "iri": iri,
        "label": head[0]["label"] if head else iri,
        "alt_labels": sorted({r["alt"] for r in head if r["alt"]}, key=str.lower),
        "definition": next((r["definition"] for r in head if r["definition"]), None),
        "families": sorted({r["family"] for r in head if r["family"]}),
        "close_matches": sorted(({"iri": r["match"], "notation": r["notation"], "label": r["mlabel"]}
                                 for r in {r["match"]: r for r in head if r["match"]}.values()),
                                key=lambda m: m["iri"] or ""),
    }
    profile.update({section: [] for section in SECTIONS})
    for direction in ("out", "in"):
        rels = [(p, sec, rel) for p, d, sec, rel in _ROLE_RELATIONS if d == direction]
        by_pred = {p: (sec, rel) for p, sec, rel in rels}
        for fact in _facts(store, iri, list(by_pred), direction):
            section, relation = by_pred[fact["predicate"]]
            if fact["target_iri"] == iri:
                continue
            fact["relation"] = relation
            if fact not in profile[section]:
                profile[section].append(fact)
    details = _details(store, [f["target_iri"] for f in profile["responsibilities"] + profile["knowledge"]])
    for fact in profile["responsibilities"] + profile["knowledge"]:
        fact["details"] = details.get(fact["target_iri"], [])
    profile["requirements"] = _requirements(store, iri)
    profile["pay"] = _pay(store, iri)
    for section in SECTIONS:
        if section not in ("requirements", "pay"):
            profile[section].sort(key=lambda f: (f["relation"], str(f["target"]).lower()))
    profile["career_path"] = _career_path(store, iri)
    return profile


def _requirements(store: Store, iri: str) -> list[dict[str, Any]]:
    rows = store.select("SELECT ?req ?label ?p ?v ?vlabel WHERE { " + _onto(
        f"""?r po:hasRequirement ?req . OPTIONAL {{ ?req rdfs:label ?label }}
            ?req ?p ?v FILTER(STRSTARTS(STR(?p), STR(po:)) && ?p != po:context)
            {_LABEL_OF.format(v='?v')}
            BIND(COALESCE(?pl, ?rl, STR(?v)) AS ?vlabel)""") + " }", r=ox.NamedNode(iri))
    fields = {PO.educationLevel: "education_levels", PO.fieldOfStudy: "fields_of_study",
              PO.experienceIn: "experience_in", PO.leadingRoleExample: "leading_role_examples",
              PO.priorRole: "prior_roles", PO.minYearsOfExperience: "min_years_of_experience",
              PO.minYearsInLeadingRole: "min_years_in_leading_role",
              PO.maxYearsInLeadingRole: "max_years_in_leading_role"}
    reqs: dict[str, dict[str, Any]] = {}
    for row in rows:
        rec = reqs.setdefault(row["req"] or "", {"iri": row["req"], "label": row["label"]}
                              | {f: (None if f.startswith(("min", "max")) else []) for f in fields.values()})
        field = fields.get(row["p"] or "")
        if field is None:
            continue
        if field.startswith(("min", "max")):
            rec[field] = int(row["v"] or 0)
        elif row["vlabel"] not in rec[field]:
            rec[field].append(row["vlabel"])
    prov = _node_sources(store, list(reqs))
    out = []
    for key, rec in sorted(reqs.items()):
        for field in fields.values():
            if isinstance(rec[field], list):
                rec[field].sort(key=str.lower)
        out.append(rec | prov[key])
    return out


def _pay(store: Store, iri: str) -> list[dict[str, Any]]:
    rows = store.select("SELECT ?f ?label ?amount ?currency ?period ?region ?statistic ?provider ?date "
                        "WHERE { " + _onto("""?f po:payForRole ?r . OPTIONAL { ?f rdfs:label ?label }
                                   OPTIONAL { ?f po:amount ?amount } OPTIONAL { ?f po:currency ?currency }
                                   OPTIONAL { ?f po:payPeriod ?period } OPTIONAL { ?f po:region ?region }
                                   OPTIONAL { ?f po:statistic ?statistic }
                                   OPTIONAL { ?f po:dataProvider/foaf:name ?provider }
                                   OPTIONAL { ?f po:asOfDate ?date }""") + " }", r=ox.NamedNode(iri))
    prov = _node_sources(store, [r["f"] or "" for r in rows])
    out = []
    for row in rows:
        amount = float(row["amount"]) if row["amount"] else None
        rec = {"iri": row["f"], "label": row["label"],
               "amount": int(amount) if amount is not None and amount.is_integer() else amount,
               "currency": row["currency"], "period": row["period"], "region": row["region"],
               "statistic": row["statistic"], "data_provider": row["provider"], "as_of": row["date"]}
        out.append(rec | prov[row["f"] or ""])
    return sorted(out, key=lambda r: r["iri"] or "")


def _career_path(store: Store, iri: str) -> list[str]:
    """A chain of po:progressesTo through the role, earliest role first (cycles cut). Where a role has several
    steps before or after it, the one whose label sorts first is taken, so the answer is stable."""
    rows = store.select("SELECT ?a ?b WHERE { " + _onto("?a po:progressesTo ?b") + " }")
    nxt: dict[str, list[str]] = {}
    prev: dict[str, list[str]] = {}
    for r in rows:
        if r["a"] and r["b"]:
            nxt.setdefault(r["a"], []).append(r["b"])
            prev.setdefault(r["b"], []).append(r["a"])
    labels = {i: label_of(store, i) for i in set(nxt) | set(prev) | {iri}}

    def first(options: list[str], path: list[str]) -> str | None:
        return min((o for o in options if o not in path), key=lambda o: labels[o].lower(), default=None)

    path = [iri]
    while (before := first(prev.get(path[0], []), path)) is not None:
        path.insert(0, before)
    while (after := first(nxt.get(path[-1], []), path)) is not None:
        path.append(after)
    return [labels[p] for p in path] if len(path) > 1 else []


# -- explain -------------------------------------------------------------------------------------------------


def explain(store: Store, a: str, b: str) -> dict[str, Any]:
    """How concepts ``a`` and ``b`` are connected in the ontology: the shortest path (breadth-first, both
    directions of the :data:`EXPLAIN_RELATIONS` predicates), hop by hop. Each hop lists every relation between
    its two ends (``direction`` forward: ``from`` -relation-> ``to``; inverse: ``to`` -relation-> ``from``)
    with its source quotes. ``connected`` is False (and ``hops`` empty) when no path exists."""
    start, goal = resolve(store, a), resolve(store, b)
    rows = store.select("SELECT ?s ?p ?o WHERE { " + _onto(
        "?s ?p ?o FILTER(isIRI(?o) && ?s != ?o && ?p IN ("
        + ", ".join(str(ox.NamedNode(p)) for p in EXPLAIN_RELATIONS) + "))")
        + " }")
    order = {p: i for i, p in enumerate(EXPLAIN_RELATIONS)}
    rows.sort(key=lambda r: (order[r["p"] or ""], r["s"] or "", r["o"] or ""))
    edges: dict[str, list[tuple[str, str, str]]] = {}
    for r in rows:
        s, p, o = r["s"] or "", r["p"] or "", r["o"] or ""
        edges.setdefault(s, []).append((o, p, "forward"))
        edges.setdefault(o, []).append((s, p, "inverse"))
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue and goal not in came_from:
        node = queue.popleft()
        for neighbour, _p, _d in edges.get(node, []):
            if neighbour not in came_from:
                came_from[neighbour] = node
                queue.append(neighbour)
    result: dict[str, Any] = {"from": {"iri": start, "label": label_of(store, start)},
                              "to": {"iri": goal, "label": label_of(store, goal)},
                              "connected": goal in came_from, "hops": []}
    if goal not in came_from or start == goal:
        return result
    path = [goal]
    while came_from[path[-1]] is not None:
        path.append(came_from[path[-1]] or "")
    path.reverse()
    for left, right in zip(path, path[1:], strict=False):
        relations = []
        for neighbour, p, direction in edges[left]:
            if neighbour != right:
                continue
            subject = left if direction == "forward" else right
            fact = next((f for f in _facts(store, subject, [p], "out") if f["target_iri"] == (
                right if direction == "forward" else left)), None)
            relations.append({"predicate": p, "relation": EXPLAIN_RELATIONS[p], "direction": direction,
                              "context": fact["context"] if fact else None,
                              "sources": fact["sources"] if fact else []})
        result["hops"].append({"from": {"iri": left, "label": label_of(store, left)},
                               "to": {"iri": right, "label": label_of(store, right)},
                               "relations": relations})
    return result




# -- ladders ---------------------------------------------------------------------------------------------------


def role_levels(store: Store) -> dict[str, dict[str, Any]]:
    """Every role's place on the ladders: ``{iri: {label, families, track, level, rank}}`` (track and level
    labels; rank orders the levels, 1 entry to 10 chief executive; None where the ontology says nothing)."""
    rows = store.select("SELECT ?r ?label ?family ?track ?level ?rank WHERE { " + _onto(
        """?r a org:Role ; skos:prefLabel ?label .
           OPTIONAL { ?r skos:broader/skos:prefLabel ?family }
           OPTIONAL { ?r po:track/skos:prefLabel ?track }
           OPTIONAL { ?r po:level ?l . ?l skos:prefLabel ?level ; po:rank ?rank }""") + " }")
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        rec = out.setdefault(r["r"] or "", {"iri": r["r"], "label": r["label"], "families": [], "track": r["track"],
                                            "level": r["level"], "rank": int(r["rank"]) if r["rank"] else None})
        if r["family"] and r["family"] not in rec["families"]:
            rec["families"].append(r["family"])
    for rec in out.values():
        rec["families"].sort()
    return out


def ladders(store: Store) -> list[dict[str, Any]]:
    """The role ladders: one entry per role family, ``{family, tracks: [{track, roles: [{iri, label, level,
    rank}]}]}``, roles from the lowest level up (then by label). A role in two families is on both ladders.

    Families sort by name, tracks individual contributor first."""
    by_family: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for rec in role_levels(store).values():
        for family in rec["families"] or ["(no family)"]:
            track = rec["track"] or "(no track)"
            by_family.setdefault(family, {}).setdefault(track, []).append(
                {"iri": rec["iri"], "label": rec["label"], "level": rec["level"], "rank": rec["rank"]})
    order = {"Individual contributor": 0, "Management": 1}
    return [{"family": family,
             "tracks": [{"track": track, "roles": sorted(roles, key=lambda r: (r["rank"] or 0, r["label"]))}
                        for track, roles in sorted(tracks.items(), key=lambda kv: (order.get(kv[0], 2), kv[0]))]}
            for family, tracks in sorted(by_family.items())]


# -- compare ---------------------------------------------------------------------------------------------------


def compare(store: Store, a: str, b: str) -> dict[str, Any]:
    """Two roles point by point: ``a`` and ``b`` (label, definition, families, track, level, typical managers),
    ``level_difference`` (rank of b minus rank of a), the responsibilities only one has (``only_a``, ``only_b``)
    and the shared ones (``shared``: with the sources each role's statement has), knowledge areas alike
    (``knowledge_only_a``, ``knowledge_only_b``, ``knowledge_shared``), the direct relations between the two
    (``relations``: reports to, differs from, progresses to...) and the career steps from one to the other
    (``career_steps``: labels, empty when neither leads to the other)."""
    pa, pb = role_profile(store, a), role_profile(store, b)
    levels = role_levels(store)

    def head(p: dict[str, Any]) -> dict[str, Any]:
        lv = levels.get(p["iri"], {})
        return {"iri": p["iri"], "label": p["label"], "definition": p["definition"], "families": p["families"],
                "track": lv.get("track"), "level": lv.get("level"), "rank": lv.get("rank"),
                "reports_to": [_brief(f) for f in p["reports_to"]],
                "manages": [_brief(f) for f in p["manages"]],
                "distinctions": [_brief(f) for f in p["distinctions"] if f["target_iri"] not in (pa["iri"],
                                                                                               pb["iri"])]}

    out: dict[str, Any] = {"a": head(pa), "b": head(pb)}
    ra, rb = out["a"]["rank"], out["b"]["rank"]
    out["level_difference"] = rb - ra if ra is not None and rb is not None else None
    for section, prefix in (("responsibilities", ""), ("knowledge", "knowledge_")):
        fa = {f["target_iri"]: f for f in pa[section]}
        fb = {f["target_iri"]: f for f in pb[section]}
        out[prefix + "only_a"] = [_brief(fa[i]) for i in fa if i not in fb]
        out[prefix + "only_b"] = [_brief(fb[i]) for i in fb if i not in fa]
        out[prefix + "shared"] = [{"target": fa[i]["target"], "target_iri": i, "sources_a": fa[i]["sources"],
                                   "sources_b": fb[i]["sources"]} for i in fa if i in fb]
    relations = []
    for section in ("reports_to", "manages", "career_next", "career_previous", "distinctions", "collaborators",
                    "mentoring"):
        for fact in pa[section]:
            if fact["target_iri"] == pb["iri"]:
                relations.append(_brief(fact))
    out["relations"] = relations
    out["career_steps"] = _career_steps(store, pa["iri"], pb["iri"]) or _career_steps(store, pb["iri"], pa["iri"])
    return out


def _brief(fact: dict[str, Any]) -> dict[str, Any]:
    return {"relation": fact.get("relation"), "target": fact["target"], "target_iri": fact["target_iri"],
            "context": fact.get("context"), "note": fact.get("note"), "sources": fact["sources"]}


def _career_steps(store: Store, start: str, goal: str) -> list[str]:
    """The shortest chain of po:progressesTo from ``start`` to ``goal`` (labels), or []."""
    rows = store.select("SELECT ?a ?b WHERE { " + _onto("?a po:progressesTo ?b") + " }")
    nxt: dict[str, list[str]] = {}
    for r in rows:
        if r["a"] and r["b"]:
            nxt.setdefault(r["a"], []).append(r["b"])
    came: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue and goal not in came:
        node = queue.popleft()
        for n in sorted(nxt.get(node, [])):
            if n not in came:
                came[n] = node
                queue.append(n)
    if goal not in came or goal == start:
        return []
    path = [goal]
    while came[path[-1]] is not None:
        path.append(came[path[-1]] or "")
    return [label_of(store, p) for p in reversed(path)]


# -- titles ----------------------------------------------------------------------------------------------------


def match_titles(store: Store, titles: list[str], overrides: dict[str, str | None] | None = None
                 ) -> list[dict[str, Any]]:
    """Each title matched to a role, in input order: ``{title, role: {iri, label} | None, level, why}``;
    ``level`` is the level the title's seniority word names, else the role's level."""
    from kg.ingest.load import title_matcher

    levels = role_levels(store)
    matcher = title_matcher(store, overrides)
    out = []
    for title in titles:
        hit = matcher.explain(title)
        rec = levels.get(hit.role or "")
        out.append({"title": title,
                    "role": {"iri": hit.role, "label": rec["label"] if rec else hit.role} if hit.role else None,
                    "level": hit.seniority or (rec["level"] if rec else None), "why": hit.why})
    return out


def loaded_titles(store: Store) -> list[dict[str, Any]]:
    """The job titles of the loaded data with the number of posts holding each (``count``), the role matched
    and why (as :func:`match_titles`); a role set at load time by a title map is reported as such. Most
    frequent first."""
    rows = store.select("""SELECT ?t (COUNT(DISTINCT ?p) AS ?n) (SAMPLE(?r) AS ?role) WHERE {
                             ?p po:jobTitle ?t OPTIONAL { ?p po:hasRole ?r } } GROUP BY ?t""")
    counts = {r["t"]: int(r["n"] or 0) for r in rows if r["t"]}
    stored = {r["t"]: r["role"] for r in rows if r["t"]}
    titles = sorted(counts, key=lambda t: (-counts[t], t))
    out = []
    for rec in match_titles(store, titles):
        iri = stored.get(rec["title"])
        if iri != (rec["role"] or {}).get("iri"):
            rec["role"] = {"iri": iri, "label": label_of(store, iri)} if iri else None
            rec["why"] = "set at load time (a title map)" if iri else "no role was set at load time"
        out.append({"title": rec["title"], "count": counts[rec["title"]], "role": rec["role"],
                    "level": rec["level"], "why": rec["why"]})
    return out


def read_title_map(store: Store, path: str, text: str) -> dict[str, str | None]:
    """A title map (CSV with columns title, role: a role label, alternative label or IRI; an empty role means
    "no role") as {title: role IRI or None}. Raises InputError naming the row of a role that does not exist."""
    import csv
    import io

    from kg.errors import InputError

    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "title" not in fields or "role" not in fields:
        raise InputError(f"{path}: a title map needs the columns title,role (found: {', '.join(fields) or 'none'})")
    out: dict[str, str | None] = {}
    for n, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not row["title"]:
            continue
        try:
            out[row["title"]] = resolve(store, row["role"], roles_only=True) if row["role"] else None
        except (NotFoundError, AmbiguousError) as exc:
            raise InputError(f"{path} row {n}: {exc}") from exc
    return out
