"""The ``kg`` command's entry point: ``kg --help`` from its stored text, every other command through kg.cli.

``kg --help`` is the first thing a new user runs, and importing click alone takes most of the 50 ms budget,
so the top-level help is kept in ``kg/data/cli_help.txt`` exactly as click renders it for the program name
``kg`` at its usual width (78 columns: any terminal of 80 or more, or no terminal).
``scripts/build_cli_help.py`` writes it and ``tests/test_startup.py`` fails when it differs from what click
renders. A narrower terminal, any other argument or a missing file goes through click as before. This module
imports nothing beyond ``os`` and ``sys``.
"""

from __future__ import annotations

import os
import sys

HELP_ARGS = (["--help"], ["-h"])
STORED_HELP = os.path.join(os.path.dirname(__file__), "data", "cli_help.txt")


def terminal_columns() -> int:
    """Columns as click measures them (``shutil.get_terminal_size``): ``$COLUMNS``, else the terminal, else 80.

    >>> os.environ["COLUMNS"] = "132"; terminal_columns()
    132
    >>> del os.environ["COLUMNS"]
    """
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def stored_help() -> str | None:
    """The stored top-level help, or None when it cannot be shown as click would show it here."""
    if terminal_columns() < 80:
        return None
    try:
        with open(STORED_HELP, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return None
    return text if text.isascii() else None


def main() -> None:
    """Run ``kg`` (the console script)."""
    if sys.argv[1:] in HELP_ARGS and os.path.basename(sys.argv[0]) == "kg":  # the name the text shows
        text = stored_help()
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
    from kg.cli import main as cli_main

    cli_main()
