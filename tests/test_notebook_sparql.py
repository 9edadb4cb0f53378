"""The SPARQL notebook runs top to bottom (so it never rots) and shows what it promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_runner import run_notebook


def test_sparql_notebook_executes(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    outputs, text = run_notebook("01_sparql_for_analysts.ipynb", tmp_path, timeout=120)
    assert "Yuki Tanaka" in text and "manager-chain" in text
    assert "po:dottedLineReportsTo" in text and "vacancies? True" in text
    assert any("image/png" in o.get("data", {}) for o in outputs), "the span-of-control chart is missing"
