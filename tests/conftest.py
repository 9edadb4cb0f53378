"""Shared fixtures: real data files, a fresh store, the example organization loaded into a store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.demo import load_example
from kg.store import opened

DATA = Path(__file__).parent / "data"
REAL = DATA / "realdata"


@pytest.fixture
def real() -> Path:
    """Folder of the real public org-chart files (see tests/data/realdata/NOTICE.md)."""
    return REAL


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A path for a new, empty store."""
    return tmp_path / "store"


@pytest.fixture(scope="session")
def _example_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("example") / "store"
    with opened(path, write=True) as store:
        load_example(store)
    return path


@pytest.fixture
def example_store(_example_template: Path, tmp_path: Path) -> Path:
    """A private copy of a store holding the example organization (cheap: copied, not reloaded)."""
    path = tmp_path / "example-store"
    shutil.copytree(_example_template, path)
    return path
