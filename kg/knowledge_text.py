"""The text views of :mod:`kg.knowledge`'s answers (role profiles, comparisons, ladders, explanations), as
``kg role``, ``kg compare``, ``kg roles`` and ``kg explain`` print them. Every piece of data is made safe for a
terminal; the functions return text and never print.
"""

from __future__ import annotations

from typing import Any

from kg.render import terminal_safe as _plain

_ROLE_SECTIONS = [("reports_to", "Typically reports to"), ("manages", "Typically manages"),
                  ("reporting_notes", "Place in the hierarchy"), ("responsibilities", "Responsibilities"),
                  ("knowledge", "Knowledge"), ("requirements", "Requirements"), ("pay", "Pay"),
                  ("career_previous", "Career: comes from"), ("career_next", "Career: moves on to"),
                  ("collaborators", "Collaborates with"), ("mentoring", "Mentoring and support"),
                  ("distinctions", "Distinctions"), ("owns", "Owns")]


def _sources_text(fact: dict[str, Any], indent: str = "      ") -> list[str]:
    lines = [] if fact.get("sources") else [f"{indent}(editorial link: no source sentence)"]
    sources = list(fact.get("sources", []))
    for detail in fact.get("details", []):
        sources += [s for s in detail["sources"] if s not in sources]
    for source in sources:
        document = f"{_plain(source['document'])}, " if source.get("document") else ""
        lines.append(f"{indent}\"{_plain(source['quote'])}\" ({document}sentence {source['sentence']})")
    if fact.get("note"):
        lines.append(f"{indent}note: {_plain(fact['note'])}")
    return lines


def _fact_head(fact: dict[str, Any]) -> str:
    target = fact["target"]
    if fact.get("relation") == "used as a job title":
        target = "yes" if str(target).lower() == "true" else "no"
        return f"  - used as a job title: {target}" + (f"  [{_plain(fact['context'])}]" if fact.get("context")
                                                        else "")
    head = f"  - {_plain(fact['relation'])}: {_plain(target)}" if fact["relation"] not in (
        "typically reports to", "typically manages", "has responsibility", "requires knowledge of",
        "collaborates with", "progresses to", "is reached from", "owns") else f"  - {_plain(target)}"
    if fact.get("context"):
        head += f"  [{_plain(fact['context'])}]"
    grouped: dict[str, list[str]] = {}
    for detail in fact.get("details", []):
        grouped.setdefault(detail["relation"], []).append(_plain(detail["target"]))
    head += "".join(f"; {relation}: {', '.join(targets)}" for relation, targets in grouped.items())
    return head


def _requirement_text(req: dict[str, Any]) -> str:
    parts = []
    if req["education_levels"]:
        parts.append("education: " + " or ".join(req["education_levels"]))
    if req["fields_of_study"]:
        parts.append("in " + " or ".join(req["fields_of_study"]))
    if req["min_years_of_experience"] is not None:
        parts.append(f"{req['min_years_of_experience']}+ years of experience")
    if req["experience_in"]:
        parts.append("in " + " or ".join(req["experience_in"]))
    if req["min_years_in_leading_role"] is not None:
        span = str(req["min_years_in_leading_role"])
        if req["max_years_in_leading_role"] is not None:
            span += f"-{req['max_years_in_leading_role']}"
        parts.append(f"of which {span} in a leading role"
                     + (" such as " + ", ".join(req["leading_role_examples"]) if req["leading_role_examples"]
                        else ""))
    if req["prior_roles"]:
        parts.append("usually held before: " + ", ".join(req["prior_roles"]))
    context = f"  [{_plain(req['context'])}]" if req.get("context") else ""
    return f"  - {_plain(req['label'] or 'requirement')}: {_plain(', '.join(parts))}{context}"


def _pay_text(pay: dict[str, Any]) -> str:
    periods = {"P1Y": "per year", "P1M": "per month", "P1W": "per week"}
    period = periods.get(pay["period"] or "", pay["period"])
    amount = f"{pay['amount']:,}" if isinstance(pay["amount"], (int, float)) else "?"
    provider = f", data: {pay['data_provider']}" if pay["data_provider"] else ""
    as_of = f", as of {pay['as_of']}" if pay["as_of"] else ", date not stated"
    return (f"  - {pay['currency'] or ''} {amount} {period or ''}, {_plain(pay['statistic'] or 'pay')}, "
            f"region {pay['region'] or '?'}{provider}{as_of}")


def profile_text(p: dict[str, Any]) -> str:
    lines = [f"{_plain(p['label'])}  <{p['iri']}>"]
    if p["alt_labels"]:
        lines.append(f"  also called: {_plain(', '.join(p['alt_labels']))}")
    if p["families"]:
        lines.append(f"  families: {_plain(', '.join(p['families']))}")
    if p["definition"]:
        lines.append(f"  definition: {_plain(p['definition'])}")
    for match in p["close_matches"]:
        lines.append(f"  close match: {_plain(match['notation'] or '')} {_plain(match['label'] or '')} "
                     f"<{match['iri']}>")
    if p["career_path"]:
        lines.append(f"  career path: {_plain(' -> '.join(p['career_path']))}")
    for key, title in _ROLE_SECTIONS:
        items = p[key]
        if not items:
            continue
        lines += ["", title]
        for item in items:
            if key == "requirements":
                lines.append(_requirement_text(item))
            elif key == "pay":
                lines.append(_pay_text(item))
            else:
                lines.append(_fact_head(item))
            lines += _sources_text(item)
    return "\n".join(lines) + "\n"


def _tree_lines(nodes: list[dict[str, Any]], prefix: str = "") -> list[str]:
    lines = []
    for i, node in enumerate(nodes):
        last = i == len(nodes) - 1
        branch = "" if not prefix and node["kind"] == "family" else ("└── " if last else "├── ")
        lines.append(f"{prefix}{branch}{_plain(node['label'])}")
        child_prefix = prefix + ("" if not branch else ("    " if last else "│   "))
        lines += _tree_lines(node["children"], child_prefix)
    return lines


def _ladder_lines(data: list[dict[str, Any]]) -> list[str]:
    lines = []
    for family in data:
        lines.append(_plain(family["family"]))
        for track in family["tracks"]:
            lines.append(f"  {_plain(track['track'])}")
            for role in track["roles"]:
                level = f"{role['rank']:>2} {role['level']}" if role["rank"] else " ? (no level)"
                lines.append(f"    {_plain(level):<22} {_plain(role['label'])}")
    return lines


def compare_text(c: dict[str, Any]) -> str:
    a, b = c["a"], c["b"]
    lines = [f"{_plain(a['label'])}  vs  {_plain(b['label'])}", ""]
    for side in (a, b):
        lines.append(f"{_plain(side['label'])}: {_plain(side['definition'] or '(no definition)')}")
        lines.append(f"  family: {_plain(', '.join(side['families']) or '?')}; track: {_plain(side['track'] or '?')}; "
                     f"level: {_plain(side['level'] or '?')}"
                     + (f" ({side['rank']})" if side["rank"] else ""))
        managers = ", ".join(f["target"] for f in side["reports_to"]) or "(the sources name none)"
        lines.append(f"  typically reports to: {_plain(managers)}")
        for fact in side["distinctions"]:
            lines.append("  " + _fact_head(fact).strip())
            lines += _sources_text(fact)
    diff = c["level_difference"]
    if diff is not None:
        lines.append("")
        lines.append("Level: the same level" if diff == 0 else
                     f"Level: {_plain(b['label'])} is {abs(diff)} level(s) {'above' if diff > 0 else 'below'} "
                     f"{_plain(a['label'])}")
    sections = [("only_a", f"Responsibilities only {a['label']} has"),
                ("only_b", f"Responsibilities only {b['label']} has"),
                ("knowledge_only_a", f"Knowledge only {a['label']} needs"),
                ("knowledge_only_b", f"Knowledge only {b['label']} needs"),
                ("relations", "How the two are related")]
    for key, title in sections:
        if c[key]:
            lines += ["", _plain(title)]
            for fact in c[key]:
                lines.append(_fact_head(fact))
                lines += _sources_text(fact)
    for key, title in (("shared", "Responsibilities both have"), ("knowledge_shared", "Knowledge both need")):
        if c[key]:
            lines += ["", title]
            for fact in c[key]:
                lines.append(f"  - {_plain(fact['target'])}")
                for side, label in (("sources_a", a["label"]), ("sources_b", b["label"])):
                    lines += [line.replace("      ", f"      {_plain(label)}: ", 1)
                              for line in _sources_text({"sources": fact[side]})]
    lines += ["", "Career steps: " + (_plain(" -> ".join(c["career_steps"])) if c["career_steps"]
                                      else "neither role leads to the other in the sources")]
    return "\n".join(lines) + "\n"


def roles_text(data: list[dict[str, Any]], *, tree: bool = False) -> str:
    """The role ladders of :func:`kg.knowledge.ladders`, or the tree of :func:`kg.knowledge.role_tree`."""
    return "\n".join(_tree_lines(data) if tree else _ladder_lines(data))


def explain_text(result: dict[str, Any]) -> str:
    """How two concepts are connected (:func:`kg.knowledge.explain`), hop by hop with each fact's sources."""
    if not result["connected"]:
        return f"{_plain(result['from']['label'])} and {_plain(result['to']['label'])} are not connected"
    lines = [_plain(result["from"]["label"])]
    for n, hop in enumerate(result["hops"], 1):
        for rel in hop["relations"]:
            name = rel["relation"]
            arrow = f"--{name}-->" if rel["direction"] == "forward" else f"<--{name}--"
            context = f"  [{_plain(rel['context'])}]" if rel.get("context") else ""
            lines.append(f"  {n}. {arrow} {_plain(hop['to']['label'])}{context}")
            lines += _sources_text(rel, indent="       ")
    return "\n".join(lines)
