"""Write kg/data/cli_help.txt: `kg --help` exactly as click renders it at 80 columns (see kg/launch.py).

Usage: python scripts/build_cli_help.py   (run it after changing a command's name, options or help text;
tests/test_startup.py fails until the stored text is current).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def render() -> bytes:
    """`kg --help` from click itself, at the width the stored text is shown at."""
    env = dict(os.environ, COLUMNS="80", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main(prog_name='kg')", "--help"], env=env,
                          capture_output=True, check=True).stdout


if __name__ == "__main__":
    out = ROOT / "kg" / "data" / "cli_help.txt"
    out.write_bytes(render())
    print(f"wrote {out}")
