"""The org chart notebook runs top to bottom and shows the inline chart, the subtree and the SVG export."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "03_org_chart_export.ipynb"


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz (dot) for the SVG export")
def test_org_chart_notebook_executes(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    frames = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert len(frames) == 2 and all(f.startswith("<iframe srcdoc=") for f in frames)
    assert "Isabel Costa" in html.unescape(frames[0]) and "vis.Network" in html.unescape(frames[1])
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1 and "Hannah Weber" in svgs[0]
    text = "".join(o.get("text", "") for o in outputs)
    assert "52 people, 54 reporting lines" in text and "Amara Okafor\\nChief Executive Officer" in text
    assert "id,parentId,name,title" in text
