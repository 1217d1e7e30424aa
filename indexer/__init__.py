"""Whoosh index: schema and analysis, building and publishing, and searching with facets."""

from . import whoosh_fixes  # noqa: F401 (first: installs its fixes before any index is written)
from . import pending
from .build import BuildLocked, BuildReport, build_index, index_exists
from .layout import IndexUnavailable
from .search import BadRequest, SearchRequest, SearchResponse, Searcher
from .store import IndexStore

__all__ = ["pending", "BadRequest", "BuildLocked", "BuildReport", "IndexStore", "IndexUnavailable", "SearchRequest",
           "SearchResponse", "Searcher", "build_index", "index_exists"]
