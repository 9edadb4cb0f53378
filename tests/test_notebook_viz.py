"""The org chart notebook runs top to bottom and shows the inline chart, the subtree and the SVG export."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest
from notebook_runner import run_notebook


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz (dot) for the SVG export")
def test_org_chart_notebook_executes(tmp_path: Path) -> None:
    outputs, _ = run_notebook("03_org_chart_export.ipynb", tmp_path, timeout=120)
    frames = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert len(frames) == 2 and all(f.startswith("<iframe srcdoc=") for f in frames)
    assert "Isabel Costa" in html.unescape(frames[0]) and "vis.Network" in html.unescape(frames[1])
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1 and "Hannah Weber" in svgs[0]
    text = "".join(o.get("text", "") for o in outputs)
    assert "52 people, 54 reporting lines" in text and "Amara Okafor\\nChief Executive Officer" in text
    assert "id,parentId,name,title" in text
