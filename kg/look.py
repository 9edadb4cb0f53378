"""What a user chooses about how a chart looks: the view, what colours the cards, the paper of a PDF.

A leaf module (imports nothing), so the command line can offer these choices without loading the chart code;
kg/export.py, kg/drawing.py and kg/viz.py check their arguments against the same names.
"""

from __future__ import annotations

VIEWS = ("org", "concepts")  # org: the reporting chart; concepts: roles, portfolios and products
COLOUR_CHOICES = ("branch", "unit", "role", "family", "status")  # what a user can colour cards by
COLOUR_BY = (*COLOUR_CHOICES, "change")  # change: set by kg diff charts, not offered on the command line
PAPERS = {"a4": (595.0, 842.0), "letter": (612.0, 792.0), "a3": (842.0, 1191.0)}  # PDF points, portrait
PAPER_CHOICES = tuple(PAPERS)
