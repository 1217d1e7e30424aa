"""Shared fixtures: the shipped corpus, a copy to break, a built index, the app, its client and the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive import load_corpus

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus():
    """The shipped corpus, loaded once; tests must not change it."""
    return load_corpus(SHIPPED_CORPUS)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private copy of the shipped corpus that a test may edit or break."""
    target = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, target)
    return target
