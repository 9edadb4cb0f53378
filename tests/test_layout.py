"""The one org-chart layout (kg/layout.py): no two cards overlap, ever; wide teams stay blocks; connectors
touch the cards they join. Random forests from hypothesis, a 1,500-report manager, and real files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.layout import Box, Card, Layout, is_assistant_title, layout, overlaps

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
WORDS = ["Head", "of", "Strategy", "Engineer", "Deputy", "Director", "Chief", "Operating", "Officer", "PA", "to",
         "Supercalifragilisticexpialidocious", "José", "Zoë", "数据", "<b>&amp;", "Vacant", "Senior", "Manager"]


def _all_overlaps(out: Layout) -> list[tuple[str, str]]:
    return overlaps(out, limit=10**9)


def _visible(cards: list[Card], folded: set[str]) -> set[str]:
    """Cards reachable from a root without passing a folded manager, computed independently of kg.layout."""
    keys = {c.key for c in cards}
    parent = {c.key: c.parent if c.parent in keys and c.parent != c.key else None for c in cards}
    shown = set()
    for c in cards:
        k, hops, ok = parent[c.key], 0, True
        while k is not None and hops <= len(cards):
            if k in folded:
                ok = False
            k, hops = parent[k], hops + 1
        if ok and hops <= len(cards):
            shown.add(c.key)
    return shown


def _touches(point: tuple[float, float], b: Box) -> bool:
    x, y = point
    eps = 1e-6
    on_x = b.x - eps <= x <= b.x + b.w + eps
    on_y = b.y - eps <= y <= b.y + b.h + eps
    edge = abs(x - b.x) < eps or abs(x - b.x - b.w) < eps or abs(y - b.y) < eps or abs(y - b.y - b.h) < eps
    return on_x and on_y and edge


@st.composite
def forests(draw: st.DrawFn) -> tuple[list[Card], set[str], list[tuple[str, str]]]:
    n = draw(st.integers(1, 60))
    cards = []
    for i in range(n):
        parent = draw(st.one_of(st.none(), st.integers(0, max(0, i - 1)))) if i else None
        words = draw(st.lists(st.sampled_from(WORDS), max_size=9))
        cards.append(Card(f"k{i}", None if parent is None else f"k{parent}",
                          draw(st.sampled_from(["", "Ada Lovelace", "Grace Brewster Murray Hopper", "X"])),
                          " ".join(words), draw(st.booleans())))
    if draw(st.booleans()):  # a wide team, sometimes with managers among its members
        boss = draw(st.integers(0, n - 1))
        extra = draw(st.one_of(st.integers(2, 60), st.just(1500)))
        for j in range(extra):
            cards.append(Card(f"w{j}", f"k{boss}", f"Team member {j}", "Engineer" if j % 7 else "Lead"))
            if j % 50 == 3:
                cards.append(Card(f"w{j}x", f"w{j}", "Below", "Analyst"))
    keys = [c.key for c in cards]
    folded = set(draw(st.lists(st.sampled_from(keys), max_size=5)))
    dotted = draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=6))
    return cards, folded, dotted


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forests())
def test_random_forests_never_overlap(forest: tuple[list[Card], set[str], list[tuple[str, str]]]) -> None:
    cards, folded, dotted = forest
    out = layout(cards, dotted, folded)
    assert _all_overlaps(out) == []
    assert set(out.boxes) == _visible(cards, folded)
    for b in out.boxes.values():
        assert 0 <= b.x and b.x + b.w <= out.width + 1e-6 and 0 <= b.y and b.y + b.h <= out.height + 1e-6
        assert b.folded == (b.key in folded)
    parents = {c.key: c.parent for c in cards}
    for link in out.links:
        boss, report = out.boxes[link.manager], out.boxes[link.report]
        assert _touches(link.points[0], boss) and _touches(link.points[-1], report), link
        if link.kind != "dotted":
            assert parents[link.report] == link.manager
    solid = {(lk.manager, lk.report) for lk in out.links if lk.kind != "dotted"}
    expected = {(c.parent, c.key) for c in cards if c.key in out.boxes and c.parent in out.boxes
                and c.parent != c.key}
    assert solid == expected


def test_cycles_are_cut_and_every_card_drawn() -> None:
    cards = [Card("a", "c", "A"), Card("b", "a", "B"), Card("c", "b", "C"), Card("d", "c", "D"),
             Card("e", "e", "E")]
    out = layout(cards)
    assert set(out.boxes) == {"a", "b", "c", "d", "e"}
    assert _all_overlaps(out) == []
    assert {(lk.manager, lk.report) for lk in out.links} == {("a", "b"), ("b", "c"), ("c", "d")}


def test_repeated_key_is_refused() -> None:
    with pytest.raises(ValueError, match="used twice"):
        layout([Card("a"), Card("a")])


def _team(size: int) -> list[Card]:
    return [Card("boss", None, "Director of Everything", "Director")] + [
        Card(f"r{i}", "boss", f"Report number {i}", "Senior Operations Engineer") for i in range(size)]


def test_a_1500_report_team_is_a_block_not_a_column() -> None:
    out = layout(_team(1500))
    assert 0.25 <= out.aspect <= 4, out.aspect
    assert _all_overlaps(out) == []
    assert all(out.boxes[f"r{i}"].place == "grid" for i in range(1500))


def test_a_1500_report_team_with_managers_among_them() -> None:
    cards = _team(1500) + [Card(f"s{i}", f"r{i * 100}", "Below", "Analyst") for i in range(15)]
    out = layout(cards)
    assert _all_overlaps(out) == []
    assert 0.25 <= out.aspect <= 4, out.aspect


def test_assistants_sit_beside_their_manager() -> None:
    cards = [Card("m", None, "Boss", "Director"), Card("pa", "m", "Pat", "PA to the Director", True),
             Card("ea", "m", "Sam", "Executive Assistant", True), Card("r1", "m", "R1", "Lead"),
             Card("r2", "r1", "R2", "Engineer")]
    out = layout(cards)
    boss, pa, ea = out.boxes["m"], out.boxes["pa"], out.boxes["ea"]
    assert pa.y == boss.y == ea.y and pa.place == ea.place == "assistant"
    assert pa.x > boss.x + boss.w and ea.x + ea.w < boss.x
    assert _all_overlaps(out) == []
    assert is_assistant_title("PA to the Director") and not is_assistant_title("Assistant Director")


def test_dotted_lines_are_drawn_apart_from_solid_ones() -> None:
    cards = [Card("ceo", None, "C"), Card("a", "ceo", "A"), Card("b", "ceo", "B"), Card("x", "a", "X"),
             Card("y", "b", "Y")]
    out = layout(cards, dotted=[("x", "b")])
    dotted = [lk for lk in out.links if lk.kind == "dotted"]
    assert len(dotted) == 1
    solid_points = {p for lk in out.links if lk.kind == "solid" for p in lk.points}
    assert not solid_points & set(dotted[0].points)


def test_long_text_wraps_inside_the_card() -> None:
    out = layout([Card("a", None, "Grace Brewster Murray Hopper the Third of Arlington",
                       "Director of Strategy, Planning, Performance and Transformation for the Region")])
    b = out.boxes["a"]
    names = [t for kind, t in b.lines if kind == "name"]
    titles = [t for kind, t in b.lines if kind == "title"]
    assert len(names) == 2 and names[-1].endswith("…") and len(titles) == 3
    assert b.w == out.style.max_w and b.h >= 5 * out.style.title_size


def _d3_cards(path: Path) -> list[Card]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    seen: set[str] = set()
    cards = []
    for r in rows:
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        cards.append(Card(r["id"], r["parentId"] or None, r["name"], r.get("positionName") or ""))
    return cards


@pytest.mark.skipif(not (REAL / "d3-org-chart-sample" / "org.csv").exists(), reason="needs ../shared/realdata")
def test_the_d3_sample_lays_out_without_overlap() -> None:
    cards = _d3_cards(REAL / "d3-org-chart-sample" / "org.csv")
    out = layout(cards)
    assert len(out.boxes) == len(cards)
    assert _all_overlaps(out) == []
    top = [c.key for c in cards if c.parent is None or c.parent not in {d.key for d in cards}]
    assert all(out.boxes[k].y == 0 for k in top)
