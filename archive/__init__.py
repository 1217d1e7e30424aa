"""Records of the archive, and loading and checking the corpus files that hold them."""

from .corpus import Corpus
from .load import inspect_corpus, load_corpus
from .problems import ERROR, WARNING, CorpusError, Problem

__all__ = ["Corpus", "CorpusError", "ERROR", "Problem", "WARNING", "inspect_corpus", "load_corpus"]
