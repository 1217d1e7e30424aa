"""The one Whoosh schema; SCHEMA_VERSION is stored in each build, and a change means a full rebuild."""

from __future__ import annotations

from whoosh.columns import CompressedBytesColumn, PickleColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from .analysis import LANGUAGE_FIELDS, language_analyzer, name_analyzer, text_analyzer
from .facet_specs import FACETS
from .postings import positioned_text
from .result_column import RESULT_FIELD, result_field

SCHEMA_VERSION = 17  # 7: topic mentions (payload and facets.json); 8: citations carry the talk's date, editorial flag and provenance; 9: talks carry their schedule fields (start, room, language, ...); 10: body_de, body_da; 11: facet values stored per document, updates write facet files of their own; no word-pair field, no character offsets: phrases read the build's position tables; 12: a record's page data in a column of its own; 13: no programme field (facets.json's order was the only one read), no spell field (the build's vocabulary/ arrays hold its words and counts); 14: analyzers remember their filter chains per token text (analysis.RememberedFilters), positions packed (postings.PackedPositions); 15: what a result shows (payload, body, languages) in a column of its own (result_column.py), no longer among the stored fields; 16: no facet fields but `conference` (facets.json and the facet files answer every filter and count; an update finds a conference's records by its postings), nothing stored but the id and the facet values; 17: a talk's quoted data in a column of its own (the quote index no longer copies it into every sentence)

# Facets (declared in facet_specs.py): each one's request parameter. Their values live in the build's facet files
# (facet_files.py), which answer every filter and count; the Whoosh index holds none of them but REINDEXED_BY.
FACET_FIELDS = tuple(f.name for f in FACETS)
REINDEXED_BY = "conference"  # indexed, never stored: an update finds a changed conference's records by its postings


def built_for_this_program(meta: dict) -> bool:
    """Was the build (its meta.json) made with this schema and these facets? Adding a facet in facet_specs.py
    then rebuilds every index on first use, with no version to bump."""
    return meta.get("schema_version") == SCHEMA_VERSION and meta.get("facets") == list(FACET_FIELDS)


def build_schema() -> Schema:
    """Searchable text with boosts; stored, only what a build reads back by document (the id, the facet values)."""
    prose = text_analyzer()
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=prose, field_boost=3.0),
        body=positioned_text(analyzer=prose),  # positions: read once into the build's phrase tables
        names=TEXT(analyzer=names, field_boost=2.5),
        affiliation=TEXT(analyzer=prose, field_boost=1.2),
        topics_text=TEXT(analyzer=prose, field_boost=1.5),
        # a talk given in German or Danish: its text again, stemmed for its language (German inflections find it)
        **{field: positioned_text(analyzer=language_analyzer(lang)) for field, lang in LANGUAGE_FIELDS.values()},
        **{REINDEXED_BY: KEYWORD(commas=True)},  # a speaker may have spoken at several conferences
        # what a search result shows (payload, body, languages), read once per result on a page
        **{RESULT_FIELD: result_field()},
        # the page data, read by the record's own page only: a column of its own, so that a search result
        # does not unpickle it too (it is ~6x the body)
        record=COLUMN(PickleColumn(CompressedBytesColumn())),
        # a talk's: what its quotes show of it (page_data.quoted_talk), read by the quote search per talk, not per quote
        quoted=COLUMN(PickleColumn(CompressedBytesColumn())),
        facets=STORED(),  # the document's facet values, which an update needs of the documents it replaces
    )
