"""What a user chooses about an answer: the output format, the centrality metric, the graph, the relations, how
snapshots match.

A leaf module (imports nothing), so the command line offers these choices without importing the code that
computes the answers (:mod:`kg.analytics`, :mod:`kg.org_reports`, :mod:`kg.change` check their arguments
against the same names); chart choices are in :mod:`kg.look`.
"""

from __future__ import annotations

METRICS = ("degree", "betweenness", "closeness", "pagerank", "eigenvector")  # centrality measures
GRAPHS = ("reporting", "org", "concepts")  # the projections analytics run on
RELATIONS = ("reporting", "all")  # the relations a path may follow
MATCH_KEYS = ("id", "name")  # how a post of one snapshot is found in the other: by post id, or by holder name

# The formats `kg export` writes (kg.export renders them; listed here so the command line offers them cheaply).
EXPORT_FORMATS = ("svg", "png", "pdf", "graphml", "dot", "mermaid", "d3-json", "d3-csv", "csv", "edges-csv",
                  "turtle", "json-ld")
ROW_FORMATS = ("table", "json", "csv")  # what kg.render.render writes
REPORT_FORMATS = ("table", "json")  # the formats of a report that is not one table (a profile, a health check)
# The formats of `kg query` (kg.queries renders them): SELECT and ASK answers, CONSTRUCT and DESCRIBE graphs.
SOLUTION_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "ntriples", "json-ld", "rdfxml")
