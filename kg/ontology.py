"""Locating the ontology files (ontology/*.ttl) in a source checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

from kg.errors import KGError

_PACKAGE_DIR = Path(__file__).resolve().parent


def ontology_dir() -> Path:
    """The folder holding product_org.ttl: ``kg/_ontology`` in a wheel, ``ontology/`` in a checkout."""
    for candidate in (_PACKAGE_DIR / "_ontology", _PACKAGE_DIR.parent / "ontology"):
        if (candidate / "product_org.ttl").is_file():
            return candidate
    raise KGError("the ontology files are missing from this installation; reinstall kg (pip install .)")


def ontology_files() -> list[Path]:
    """The Turtle files of the ontology, in a stable order (the SHACL shapes are apart: ``shapes_file``).

    >>> [p.name for p in ontology_files()][:1]
    ['product_org.ttl']
    """
    files = [p for p in sorted(ontology_dir().glob("*.ttl")) if p.name != "shapes.ttl"]
    return sorted(files, key=lambda p: (p.name != "product_org.ttl", p.name))


def shapes_file() -> Path:
    """The SHACL shapes (ontology/shapes.ttl)."""
    return ontology_dir() / "shapes.ttl"


def ontology_fingerprint() -> str:
    """A hash of the ontology files, so a store can tell when its copy is stale."""
    import hashlib  # OpenSSL: loaded by the writers that need it, not by every lookup

    digest = hashlib.sha256()
    for path in ontology_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def data_file(name: str) -> Path:
    """A file shipped in ``kg/data`` (the example organization)."""
    path = _PACKAGE_DIR / "data" / name
    if not path.is_file():
        raise KGError(f"packaged data file {name} is missing; reinstall kg")
    return path
