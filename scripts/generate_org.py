#!/usr/bin/env python3
"""Generate a realistic, synthetic product organization of any size (1 to 1,000,000+ people), reproducibly.

    python scripts/generate_org.py 100000 --seed 7 --out /tmp/org100k

writes, for the prefix ``/tmp/org100k``:

- ``org100k.csv``: one row per post (``employee_id,name,job_title,department,manager_id,
  dotted_line_manager_id,organisation``), loadable with ``kg load``;
- ``org100k-portfolios.nt``: portfolios and products with their owners (posts of the CSV);
- ``org100k.nt``: everything as N-Triples, in the data model ``kg load org100k.csv`` produces (the triples
  come from kg's own CSV importer), followed by the portfolios;
- ``org100k.meta.json``: counts and sample ids (the CEO, a deepest person, ...) for tests and benchmarks.

Shape: a CEO; an executive team (CPO, CTO, Chief Product Security Officer, Chief Procurement Officer, Head of
Product Marketing, Head of Design) splitting the company by realistic shares; below them management ladders
drawn from the ontology's role labels, spans of control of 3 to 12, units per area, a few vacant posts and
dotted lines. The same seed and size give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ORG_NAME = "Synthetic Product Org"
COLUMNS = ["employee_id", "name", "job_title", "department", "manager_id", "dotted_line_manager_id",
           "organisation"]
VACANCY_RATE = 0.015
DOTTED_RATE = 0.004
PRODUCT_RATE = 0.6  # share of product managers and owners who own a product
UNOWNED_PRODUCT_RATE = 0.02
PRODUCT_OWNING = ("Product Manager", "Senior Product", "Product Owner", "Technical Product")
UNIT_MIN_PEOPLE = 25  # a manager with at least this many people below (3 levels down at most) heads a unit

FIRST = ["Amara", "Daniel", "Mei", "Farah", "Lars", "Priya", "Tomasz", "José", "Hannah", "Kwame", "Sofia",
         "Ahmed", "Chloe", "Yuki", "Liam", "Noor", "Ethan", "Isabel", "Olga", "Mateo", "Aisha", "Jonas",
         "Lucía", "Wei", "Fatima", "Oliver", "Zoë", "Ravi", "Ingrid", "Kofi", "Elena", "Hiroshi", "Maya",
         "Pedro", "Anika", "Sven", "Leila", "Marco", "Ngozi", "Emma", "Arjun", "Camille", "Dmitri", "Grace",
         "Hugo", "Ines", "Jamal", "Kaito", "Lena", "Mohammed", "Nadia", "Omar", "Paula", "Quentin", "Rosa",
         "Samir", "Tara", "Umar", "Vera", "William", "Ximena", "Yara", "Zainab", "Björn", "Chiara", "Diego",
         "Esther", "Felix", "Gita", "Hamza", "Iris", "Javier", "Katarzyna", "Leon", "Miriam", "Nikolai",
         "Oona", "Pierre", "Rania", "Søren"]
LAST = ["Okafor", "Reyes", "Lin", "Haddad", "Nilsson", "Raman", "Nowak", "Álvarez", "Weber", "Mensah",
        "Rossi", "Karim", "Martin", "Tanaka", "O'Connor", "Aziz", "Brooks", "Costa", "Ivanova", "Fernández",
        "Bello", "Schmidt", "García", "Zhang", "Hassan", "Smith", "Dubois", "Patel", "Larsen", "Boateng",
        "Popescu", "Sato", "Cohen", "Silva", "Gupta", "Johansson", "Rahimi", "Bianchi", "Eze", "Müller",
        "Singh", "Moreau", "Volkov", "Kim", "Lefèvre", "Santos", "Abdi", "Yamamoto", "Novak", "Ali",
        "Kowalski", "Mendes", "Nguyen", "Osei", "Pereira", "Quinn", "Rodríguez", "Suzuki", "Torres",
        "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zielinski", "Andersen", "Björk", "Chen", "Dimitrov",
        "Ekström", "Fischer", "Grünewald", "Horvat", "Ibrahim", "Jensen", "Kaur", "Łukasz", "Mbeki",
        "Nakamura", "Ortiz"]
AREAS = ["Payments", "Checkout", "Billing", "Identity", "Search", "Docs", "Sheets", "Slides", "Mail",
         "Calendar", "Maps", "Mobile", "Web", "Data Platform", "Analytics", "Growth", "Onboarding",
         "Messaging", "Storage", "Compute", "Networking", "Developer Tools", "Marketplace", "Ads",
         "Commerce", "Logistics", "Fraud", "Risk", "Trust", "Notifications", "Video", "Voice", "Photos",
         "Recommendations", "Personalization", "Integrations", "Admin Console", "Accessibility",
         "Localization", "Infrastructure"]
TEAMS = ["Platform", "Core", "Experience", "Growth", "Reliability", "Tooling", "Foundations", "Frontend",
         "Backend", "Mobile", "Data", "Integrations", "Quality", "Operations"]
PRODUCT_NOUNS = ["Hub", "Studio", "API", "Console", "Insights", "Connect", "Pay", "Link", "Flow", "Guard",
                 "Sync", "Lens", "Cloud", "Kit", "Pulse", "Desk"]


@dataclass(frozen=True)
class Family:
    """A function of the company: its share of people, management ladder and individual-contributor titles."""

    unit: str
    share: float
    ladder: tuple[str, ...]  # titles by level below the CEO's report (0 = the family head); {a} = area
    ics: tuple[tuple[str, int], ...]  # (title, weight)


FAMILIES = (
    Family("Product", 0.14,
           ("Chief Product Officer", "VP of Product, {a}", "Portfolio Owner, {a}|Head of Product, {a}",
            "Product Director, {a}", "Group Product Manager"),
           (("Product Manager, {a}", 6), ("Senior Product Manager, {a}", 4), ("Product Owner, {a}", 3),
            ("Technical Product Manager", 1), ("Associate Product Manager", 1), ("Product Designer", 2))),
    Family("Engineering", 0.62,
           ("Chief Technology Officer", "VP of Engineering, {a}", "Head of Engineering, {a}",
            "Director of Engineering, {a}", "Senior Engineering Manager", "Engineering Manager"),
           (("Software Engineer", 8), ("Senior Software Engineer", 5), ("Staff Engineer", 1),
            ("Tech Lead", 1), ("Software Developer", 1), ("Site Reliability Engineer", 1), ("QA Engineer", 1),
            ("Data Engineer", 1))),
    Family("Security", 0.08,
           ("Chief Product Security Officer", "Head of Product Security, {a}",
            "Security Engineering Manager"),
           (("Security Engineer", 5), ("Application Security Engineer", 2), ("Security Analyst", 2),
            ("Penetration Tester", 1))),
    Family("Procurement", 0.05,
           ("Chief Procurement Officer", "Procurement Director, {a}", "Head of Purchasing",
            "Purchasing Manager"),
           (("Buyer", 4), ("Procurement Analyst", 3), ("Category Manager", 2), ("Sourcing Specialist", 2),
            ("Contract Manager", 1))),
    Family("Product Marketing", 0.06,
           ("Head of Product Marketing", "Director of Product Marketing, {a}", "Marketing Manager"),
           (("Product Marketing Manager, {a}", 5), ("Content Strategist", 2), ("Marketing Analyst", 2))),
    Family("Design", 0.05,
           ("Head of Design", "Design Director, {a}", "Design Lead"),
           (("Product Designer", 5), ("UX Designer", 3), ("UX Researcher", 2), ("Designer", 1))),
)


@dataclass
class Post:
    ident: str
    name: str
    title: str
    unit: str
    manager: str  # "" at the top
    family: int  # index in FAMILIES, -1 for the CEO
    level: int  # 0 for the family head (CEO: -1)
    portfolio: int  # index of the portfolio this post works in, -1 if none
    depth: int  # reporting lines up to the CEO
    dotted: str = ""


@dataclass
class Portfolio:
    label: str
    owner: str
    products: list[tuple[str, str]]  # (label, owner id or "")


class _Generator:
    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.width = max(6, len(str(size)))
        self.posts: list[Post] = []
        self.portfolios: list[Portfolio] = []
        self.units: set[str] = set()
        self.unit_counts: dict[str, int] = {}
        self.product_names: dict[str, int] = {}

    def _id(self) -> str:
        return f"E{len(self.posts) + 1:0{self.width}d}"

    def _name(self, vacant: bool) -> str:
        if vacant:
            return "Vacant"
        r = self.rng
        first, last = r.choice(FIRST), r.choice(LAST)
        if r.random() < 0.3:
            return f"{first} {chr(65 + r.randrange(26))}. {last}"
        return f"{first} {last}"

    def _unit(self, base: str) -> str:
        n = self.unit_counts.get(base, 0) + 1
        self.unit_counts[base] = n
        name = base if n == 1 else f"{base} {n}"
        self.units.add(name)
        return name

    def _add(self, title: str, unit: str, manager: str, family: int, level: int, portfolio: int, depth: int,
             vacant: bool = False) -> Post:
        post = Post(self._id(), self._name(vacant), title, unit, manager, family, level, portfolio, depth)
        self.posts.append(post)
        return post

    def _split(self, budget: int, parts: int) -> list[int]:
        """``budget`` people split into ``parts`` uneven shares (each share >= 0)."""
        weights = [self.rng.uniform(0.4, 1.6) for _ in range(parts)]
        total = sum(weights)
        shares = [int(budget * w / total) for w in weights]
        for i in range(budget - sum(shares)):
            shares[i % parts] += 1
        return shares

    def run(self) -> None:
        r = self.rng
        ceo = self._add("Chief Executive Officer", self._unit("Executive"), "", -1, -1, -1, 0)
        below = self.size - 1
        heads = FAMILIES[: min(len(FAMILIES), below)]
        budgets = [int((below - len(heads)) * f.share) for f in heads]
        if heads:
            rest = below - len(heads) - sum(budgets)
            budgets[1 if len(heads) > 1 else 0] += rest  # rounding leftovers go to engineering
        # Breadth first: (post, budget of people below it, area).
        queue: list[tuple[Post, int, str]] = []
        for i, (fam, budget) in enumerate(zip(heads, budgets, strict=True)):
            head = self._add(fam.ladder[0], self._unit(fam.unit), ceo.ident, i, 0, -1, 1)
            queue.append((head, budget, ""))
        q = 0
        while q < len(queue):
            boss, budget, area = queue[q]
            q += 1
            if budget <= 0:
                continue
            fam = FAMILIES[boss.family]
            if budget <= 12:  # a team: everyone an individual contributor
                ics = [0] * budget
            else:
                span = r.randint(3, min(12, max(3, budget // 4)))
                n_ics = r.choice((0, 0, 0, 1, 2)) if span > 4 and boss.level >= 1 else 0
                ics = [0] * n_ics + self._split(budget - span, span - n_ics)
            level = boss.level + 1
            areas = [area] * len(ics) if area else r.sample(AREAS, len(ics))
            for child_budget, child_area in zip(ics, areas, strict=True):
                if child_budget == 0:
                    title = _pick_weighted(r, fam.ics)
                    unit = boss.unit
                else:
                    title = r.choice(fam.ladder[min(level, len(fam.ladder) - 1)].split("|"))
                    unit = boss.unit
                    if level <= 3 and child_budget >= UNIT_MIN_PEOPLE:
                        team = f" - {r.choice(TEAMS)}" if area else ""
                        unit = self._unit(f"{fam.unit} - {child_area}{team}")
                portfolio = boss.portfolio
                if fam.unit == "Product" and level == 2 and child_budget:
                    portfolio = len(self.portfolios)
                title = title.replace("{a}", child_area)
                post = self._add(title, unit, boss.ident, boss.family, level, portfolio, boss.depth + 1,
                                 vacant=r.random() < VACANCY_RATE)
                if portfolio >= 0 and portfolio == len(self.portfolios):
                    label = self._product_name(f"{child_area} Portfolio")
                    self.portfolios.append(Portfolio(label, post.ident, []))
                if child_budget:
                    queue.append((post, child_budget, child_area))
                elif portfolio >= 0 and title.startswith(PRODUCT_OWNING) and r.random() < PRODUCT_RATE:
                    owner = "" if r.random() < UNOWNED_PRODUCT_RATE else post.ident
                    label = self._product_name(f"{child_area} {r.choice(PRODUCT_NOUNS)}")
                    self.portfolios[portfolio].products.append((label, owner))
        self._dotted_lines()

    def _product_name(self, base: str) -> str:
        n = self.product_names.get(base, 0) + 1
        self.product_names[base] = n
        return base if n == 1 else f"{base} {n}"

    def _dotted_lines(self) -> None:
        """A few matrix reporting lines: a person also reports to a senior leader of another function."""
        r = self.rng
        seniors = [p for p in self.posts if 0 <= p.level <= 2 and p.name != "Vacant"]
        if len(self.posts) < 20 or len(seniors) < 2:
            return
        count = max(1, int(len(self.posts) * DOTTED_RATE))
        chosen = r.sample(range(1, len(self.posts)), count)
        for index in sorted(chosen):
            post = self.posts[index]
            target = r.choice(seniors)
            if target.family != post.family and target.ident != post.manager:
                post.dotted = target.ident


def _pick_weighted(r: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return r.choices([t for t, _ in options], weights=[w for _, w in options])[0]


def _csv_cell(value: str) -> str:
    if any(c in value for c in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_csv(posts: list[Post], path: Path) -> None:
    lines = [",".join(COLUMNS)]
    for p in posts:
        lines.append(",".join((p.ident, _csv_cell(p.name), _csv_cell(p.title), _csv_cell(p.unit), p.manager,
                               p.dotted, ORG_NAME)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")


def _nt_literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def portfolio_triples(portfolios: list[Portfolio]) -> str:
    """Portfolios and products as N-Triples, owned by the posts the CSV importer mints."""
    from kg.ingest.csv_import import slug
    from kg.vocab import PO, PO_ID, RDF, RDFS

    base = f"{PO_ID}{slug(ORG_NAME)}/"
    a, label, owned, has = f"<{RDF.type}>", f"<{RDFS.label}>", f"<{PO.ownedBy}>", f"<{PO.hasProduct}>"
    out: list[str] = []
    product_no = 0
    for i, pf in enumerate(portfolios, start=1):
        pf_iri = f"<{base}portfolio/{i}>"
        out.append(f"{pf_iri} {a} <{PO.Portfolio}> .\n{pf_iri} {label} {_nt_literal(pf.label)} .\n"
                   f"{pf_iri} {owned} <{base}post/{pf.owner}> .\n")
        for name, owner in pf.products:
            product_no += 1
            pr_iri = f"<{base}product/{product_no}>"
            out.append(f"{pf_iri} {has} {pr_iri} .\n{pr_iri} {a} <{PO.Product}> .\n"
                       f"{pr_iri} {label} {_nt_literal(name)} .\n")
            if owner:
                out.append(f"{pr_iri} {owned} <{base}post/{owner}> .\n")
    return "".join(out)


def _title_matcher():  # type: ignore[no-untyped-def]
    """kg's title matcher over the ontology's role labels (the one ``kg load`` uses), without a store."""
    import pyoxigraph as ox

    from kg.ingest.titles import TitleMatcher
    from kg.ontology import ontology_files
    from kg.vocab import ORG, SKOS

    db = ox.Store()
    for path in ontology_files():
        db.load(path=str(path), format=ox.RdfFormat.TURTLE)
    rows = db.query(f"SELECT ?r ?l WHERE {{ ?r a <{ORG.Role}> ; <{SKOS.prefLabel}>|<{SKOS.altLabel}> ?l }}")
    return TitleMatcher((row["r"].value, row["l"].value) for row in rows)


def write_ntriples(csv_path: Path, portfolios_nt: str, path: Path) -> tuple[int, dict[str, object]]:
    """The CSV's triples exactly as kg's importer makes them, then the portfolios; (triple count, report)."""
    from kg.ingest.csv_import import CsvOptions, import_csv

    report, chunks = import_csv(csv_path, CsvOptions(), _title_matcher())
    lines = 0
    with path.open("wb") as f:
        for chunk in chunks:
            lines += chunk.count(b"\n")
            f.write(chunk)
        data = portfolios_nt.encode()
        lines += data.count(b"\n")
        f.write(data)
    return lines, report.to_dict()


def generate(size: int, seed: int, out: Path, *, ntriples: bool = True) -> dict[str, object]:
    """Write the organization files for prefix ``out``; return the metadata (also written as .meta.json)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    gen = _Generator(size, seed)
    gen.run()
    posts = gen.posts
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_path = out.with_name(out.name + ".csv")
    write_csv(posts, csv_path)
    pf_nt = portfolio_triples(gen.portfolios)
    pf_path = out.with_name(out.name + "-portfolios.nt")
    pf_path.write_bytes(pf_nt.encode())
    deepest = max(posts, key=lambda p: (p.depth, -int(p.ident[1:])))
    by_family = {FAMILIES[i].unit: next((p.ident for p in posts if p.family == i and p.level == 0), None)
                 for i in range(len(FAMILIES))}
    managers = {p.manager for p in posts if p.manager}
    mid = next((p for p in posts if p.depth == max(1, deepest.depth // 2) and p.ident in managers), posts[0])
    meta: dict[str, object] = {
        "generator": "scripts/generate_org.py",
        "size": size,
        "seed": seed,
        "organisation": ORG_NAME,
        "posts": len(posts),
        "people": sum(1 for p in posts if p.name != "Vacant"),
        "vacant": sum(1 for p in posts if p.name == "Vacant"),
        "reporting_edges": sum(1 for p in posts if p.manager),
        "dotted_lines": sum(1 for p in posts if p.dotted),
        "units": len(gen.units),
        "portfolios": len(gen.portfolios),
        "products": sum(len(pf.products) for pf in gen.portfolios),
        "unowned_products": sum(1 for pf in gen.portfolios for _, o in pf.products if not o),
        "managers": len(managers),
        "max_depth": deepest.depth,
        "ids": {"ceo": posts[0].ident, "deepest": deepest.ident, "mid_manager": mid.ident,
                **{k.lower().replace(" ", "_"): v for k, v in by_family.items()}},
        "files": {"csv": csv_path.name, "portfolios_nt": pf_path.name},
    }
    spans: dict[str, int] = {}
    for p in posts:
        if p.manager:
            spans[p.manager] = spans.get(p.manager, 0) + 1
    meta["max_span"] = max(spans.values(), default=0)
    if ntriples:
        nt_path = out.with_name(out.name + ".nt")
        triples, report = write_ntriples(csv_path, pf_nt, nt_path)
        meta["triples"] = triples
        meta["files"]["nt"] = nt_path.name  # type: ignore[index]
        meta["titles_matched_to_roles"] = len(posts) - sum(report["unmatched_titles"].values())  # type: ignore[union-attr]
    out.with_name(out.name + ".meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=int, help="number of posts (people and vacancies), e.g. 100000")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1); same seed, same bytes")
    parser.add_argument("--out", type=Path, help="output prefix (default: ./org-SIZE)")
    parser.add_argument("--no-ntriples", action="store_true", help="write the CSV and portfolios only")
    args = parser.parse_args(argv)
    if args.size < 1:
        parser.error("size must be at least 1")
    out = args.out or Path(f"org-{args.size}")
    started = time.perf_counter()
    meta = generate(args.size, args.seed, out, ntriples=not args.no_ntriples)
    print(f"{out}: {meta['posts']:,} posts, {meta['people']:,} people, depth {meta['max_depth']}, "
          f"{meta['units']:,} units, {meta['portfolios']} portfolios, {meta['products']} products "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
