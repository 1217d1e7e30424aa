"""The one Whoosh schema; SCHEMA_VERSION is stored in each build, and a change means a full rebuild."""

from __future__ import annotations

from whoosh.columns import CompressedBytesColumn, PickleColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from .analysis import LANGUAGE_FIELDS, language_analyzer, name_analyzer, text_analyzer
from .facet_specs import FACETS
from .postings import positioned_text
from .result_column import RESULT_FIELD, result_field

SCHEMA_VERSION = 15  # 7: topic mentions (payload and facets.json); 8: citations carry the talk's date, editorial flag and provenance; 9: talks carry their schedule fields (start, room, language, ...); 10: body_de, body_da; 11: facet values stored per document, updates write facet files of their own; no word-pair field, no character offsets: phrases read the build's position tables; 12: a record's page data in a column of its own; 13: no programme field (facets.json's order was the only one read), no spell field (the build's vocabulary/ arrays hold its words and counts); 14: analyzers remember their filter chains per token text (analysis.RememberedFilters), positions packed (postings.PackedPositions); 15: what a result shows (payload, body, languages) in a column of its own (result_column.py), no longer among the stored fields

# Facets (declared in facet_specs.py): the request parameter, and the index field holding that facet's values.
FACET_FIELDS = tuple(f.name for f in FACETS)


def built_for_this_program(meta: dict) -> bool:
    """Was the build (its meta.json) made with this schema and these facets? Adding a facet in facet_specs.py
    then rebuilds every index on first use, with no version to bump."""
    return meta.get("schema_version") == SCHEMA_VERSION and meta.get("facets") == list(FACET_FIELDS)


def build_schema() -> Schema:
    """Searchable text with boosts, plus one KEYWORD field per facet (values stored for the facet tables)."""
    prose = text_analyzer()
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=prose, stored=True, field_boost=3.0),
        body=positioned_text(analyzer=prose),  # positions: read once into the build's phrase tables
        names=TEXT(analyzer=names, stored=True, field_boost=2.5),
        affiliation=TEXT(analyzer=prose, field_boost=1.2),
        topics_text=TEXT(analyzer=prose, field_boost=1.5),
        # a talk given in German or Danish: its text again, stemmed for its language (German inflections find it)
        **{field: positioned_text(analyzer=language_analyzer(lang)) for field, lang in LANGUAGE_FIELDS.values()},
        **{f.name: ID(stored=True) if f.single else KEYWORD(commas=True, stored=True) for f in FACETS},  # as typed
        # what a search result shows (payload, body, languages), read once per result on a page
        **{RESULT_FIELD: result_field()},
        # the page data, read by the record's own page only: a column of its own, so that a search result
        # does not unpickle it too (it is ~6x the body)
        record=COLUMN(PickleColumn(CompressedBytesColumn())),
        facets=STORED(),  # the document's facet values, which an update needs of the documents it replaces
    )
