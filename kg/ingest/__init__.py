"""Importers: CSV exports of HR systems and org-chart tools, and RDF in every common syntax."""
