"""The example organization: loading it and the short tour `kg demo` prints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kg import org
from kg.ingest.load import load_files
from kg.ontology import data_file
from kg.store import Store

EXAMPLE_FILES = ("example_org.csv", "example_portfolios.ttl")


def load_example(store: Store, progress: Callable[[str], None] | None = None) -> None:
    """Load (or reload) the example organization and its portfolios into ``store``."""
    load_files(store, [data_file(name) for name in EXAMPLE_FILES], progress=progress)


def tour(store: Store) -> list[dict[str, Any]]:
    """A few lookups on the example organization, as titled sections of rows."""
    cpo = org.who(store, "P02")
    return [
        {"title": "Who leads product?", "command": "kg who P02", "columns": ["id", "name", "title", "role",
                                                                            "direct_reports", "headcount"],
         "rows": [cpo]},
        {"title": "A product owner's management chain", "command": 'kg chain "Isabel Costa"',
         "columns": ["id", "name", "title"], "rows": org.chain(store, "Isabel Costa").people},
        {"title": "Everyone under the Head of Product", "command": 'kg reports --all "jose alvarez"',
         "columns": ["id", "name", "title", "depth"], "rows": org.reports(store, "jose alvarez", all_levels=True)},
        {"title": "Span of control", "command": "kg span --top 5",
         "columns": ["id", "name", "title", "direct_reports", "headcount"], "rows": org.span(store, 5)},
    ]
