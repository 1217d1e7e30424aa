"""Whoosh index: schema and analysis, building and publishing, and searching with facets.

This package's names are the one way in for the web app and the command line (tests/test_layers.py checks that
they import nothing from its modules directly): building and updating a build, opening it, searching records
and quotes, reading stored records, and the declarations and limits the pages and options show.
"""

from . import whoosh_fixes  # noqa: F401 (first: installs its fixes before any index is written)
from . import pending
from .build import BuildLocked, BuildReport, build_index, built_by_another_version, index_exists
from .compaction import CompactionAbandoned, CompactionFailed, compact, needs_compaction
from .explore import related_talks
from .facet_specs import FACETS, titles
from .layout import IndexUnavailable
from .limits import MAX_BODY_BYTES, MAX_RESPONSE_BYTES, check_depth, check_filters
from .lookup import TALK_KINDS, get_record, list_records, stored_topics
from .memory import give_back_free_memory
from .quote_search import MAX_EXPORT, QuoteRequest, QuoteResponse, open_quotes
from .quotes_index import QUOTE_FACETS
from .schema import FACET_FIELDS
from .search import (DEFAULT_PER_PAGE, MAX_PER_PAGE, BadRequest, SearchRequest, SearchResponse, Searcher,
                     suggestions)
from .store import IndexHandle, IndexStore
from .update import update_index

__all__ = [
    "pending", "BadRequest", "BuildLocked", "BuildReport", "CompactionAbandoned", "CompactionFailed",
    "DEFAULT_PER_PAGE", "FACETS", "FACET_FIELDS", "IndexHandle", "IndexStore", "IndexUnavailable", "MAX_BODY_BYTES",
    "MAX_EXPORT", "MAX_PER_PAGE", "MAX_RESPONSE_BYTES", "QUOTE_FACETS", "QuoteRequest", "QuoteResponse",
    "SearchRequest", "SearchResponse", "Searcher", "TALK_KINDS", "build_index", "built_by_another_version",
    "check_depth", "check_filters", "compact", "get_record", "give_back_free_memory", "index_exists",
    "list_records", "needs_compaction", "open_quotes", "related_talks", "stored_topics", "suggestions", "titles",
    "update_index",
]
