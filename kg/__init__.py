"""kg: a knowledge graph of product-organization concepts."""

__version__ = "0.1.0"
