"""The network-analysis notebook runs top to bottom on the example organization and shows its answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_runner import run_notebook


def test_network_analysis_notebook_executes(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    outputs, text = run_notebook("02_org_network_analysis.ipynb", tmp_path, timeout=180)
    assert "manager -> report" in text and "forest: True" in text
    assert "--reports to--> " in text and "--owned by--> " in text
    assert "max difference from networkx: " in text and "Daniel Reyes" in text
    assert "lowest common manager of P19 and P22: Daniel Reyes" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "the centrality, health and community charts are missing"
