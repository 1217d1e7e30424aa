"""What a search result shows of a document (its payload, its text for the snippet, its languages), kept in a
column of its own and read once per result on the page.

Whoosh's stored fields are one zlib-compressed pickle per document holding everything stored (facet values,
names, what an update needs); a result page read and unpacked all of it for every result, about 24 µs a
result at 10,000 talks. This column holds only what the page shows, uncompressed: about 7 µs.
"""

from __future__ import annotations

import pickle

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN

from .postings import column_bytes

RESULT_FIELD = "result"


def result_field() -> COLUMN:
    """The schema's column field for it."""
    return COLUMN(VarBytesColumn())


def result_value(payload: dict, body: str, languages: list[str]) -> bytes:
    """The column's value for one document; `languages` as short codes ('de', 'da')."""
    return pickle.dumps({"payload": payload, "body": body, "languages": languages}, protocol=pickle.HIGHEST_PROTOCOL)


def result_fields(reader, docnum: int) -> dict:
    """A document's {"payload", "body", "languages"}, read from its segment's column."""
    return pickle.loads(column_bytes(reader, RESULT_FIELD, _COLUMN, docnum))


def short_codes(languages: list[str]) -> list[str]:
    """Language tags as the language fields key them ('da-DK' as 'da')."""
    return [code.strip().split("-")[0].lower() for code in languages if code.strip()]


_COLUMN = VarBytesColumn()
