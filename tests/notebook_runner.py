"""Running a notebook of notebooks/ top to bottom (nbclient), for the tests that keep them from rotting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


def run_notebook(name: str, workdir: Path, timeout: int = 180) -> tuple[list[Any], str]:
    """Execute ``notebooks/NAME`` in ``workdir``; return its outputs and their text, after checking no cell
    raised."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    # A busy machine can deliver a cell's printed output after the kernel says the cell is done: wait for it
    # (nbclient's default is 4 s, after which the output is silently dropped) and fail loudly if it never comes.
    nbclient.NotebookClient(notebook, timeout=timeout, kernel_name="python3", iopub_timeout=60,
                            raise_on_iopub_timeout=True,
                            resources={"metadata": {"path": str(workdir)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    return outputs, text
