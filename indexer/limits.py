"""The request budget: what one search may ask for, so that no request can hold a server thread for long.

Every limit is checked before any work is done (a clear 400 naming the limit), or, for query syntax,
applied with a notice (the rest of the query is still searched). docs/security.md explains the figures:
with them, every search answers within a second on a 10,000-talk archive (measured there).
"""

from __future__ import annotations

MAX_QUERY_LENGTH = 500        # characters; longer text is cut, with a notice
MAX_QUERY_WORDS = 40          # words (after cutting); later ones are dropped, with a notice
MAX_FUZZY_TERMS = 2           # distinct fuzzy~ words; later ones are searched as plain words
MAX_FUZZY_DISTANCE = 2        # edit distance of fuzzy~ (word~5 means word~2)
MIN_FUZZY_LENGTH = 3          # a shorter fuzzy~ word is searched as a plain word
FUZZY_PREFIX = 2              # a fuzzy~ match shares at least its first letter with the word
MAX_PREFIX_TERMS = 3          # distinct prefix* words; later ones are searched as plain words
MIN_PREFIX_LENGTH = 2         # a shorter prefix* ("a*") is searched as a plain word
MAX_FILTER_VALUES = 10        # values of one facet filter
MAX_FILTERS_TOTAL = 20        # filter values over all facets
MAX_RESULT_DEPTH = 1000       # page × per_page: deeper results are not served (use filters or an export)
MAX_BODY_BYTES = 1024 * 1024  # a request body (editor forms); waitress and Flask both refuse larger ones
MAX_RESPONSE_BYTES = 2_000_000  # an export is cut to the results that fit (header X-Results-Omitted)


def check_filters(filters: dict[str, list[str]]) -> dict[str, list[str]]:
    """The filters without repeated values; BadRequest when one facet or all of them ask for too many."""
    from .search import BadRequest  # here: search imports query, which reads the limits above
    unique = {name: list(dict.fromkeys(values)) for name, values in filters.items()}
    for name, values in unique.items():
        if len(values) > MAX_FILTER_VALUES:
            raise BadRequest(f"at most {MAX_FILTER_VALUES} values of the {name} filter at once "
                             f"(this request has {len(values)})")
    total = sum(len(values) for values in unique.values())
    if total > MAX_FILTERS_TOTAL:
        raise BadRequest(f"at most {MAX_FILTERS_TOTAL} filter values at once (this request has {total})")
    return unique


def check_depth(page: int, per_page: int) -> None:
    """BadRequest for a page deeper than MAX_RESULT_DEPTH results."""
    from .search import BadRequest
    if page > 0 and per_page > 0 and page * per_page > MAX_RESULT_DEPTH:
        raise BadRequest(f"results are served up to the first {MAX_RESULT_DEPTH}: page {page} with per_page "
                         f"{per_page} is deeper; narrow the search with filters, or download it as CSV or JSON")
