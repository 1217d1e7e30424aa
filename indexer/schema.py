"""The one Whoosh schema; SCHEMA_VERSION is stored in each build, and a change means a full rebuild."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import LANGUAGE_FIELDS, language_analyzer, name_analyzer, text_analyzer

SCHEMA_VERSION = 11  # 7: topic mentions (payload and facets.json); 8: citations carry the talk's date, editorial flag and provenance; 9: talks carry their schedule fields (start, room, language, ...); 10: body_de, body_da; 11: facet values stored per document, updates write facet files of their own; no word-pair field, no character offsets: phrases read the build's position tables

# Facets: the request parameter, and the index field holding that facet's values.
FACET_FIELDS = ("topic", "session", "speaker", "kind", "organisation", "country", "conference", "year", "language")


def build_schema() -> Schema:
    """Searchable text with boosts, plus one KEYWORD field per facet (values stored for the facet tables)."""
    prose = text_analyzer()
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=prose, stored=True, field_boost=3.0),
        body=TEXT(analyzer=prose, stored=True, phrase=True),  # positions: read once into the build's phrase tables
        names=TEXT(analyzer=names, stored=True, field_boost=2.5),
        affiliation=TEXT(analyzer=prose, field_boost=1.2),
        topics_text=TEXT(analyzer=prose, field_boost=1.5),
        spell=TEXT(analyzer=names, phrase=False),  # unstemmed words, for did-you-mean: no positions needed
        # a talk given in German or Danish: its text again, stemmed for its language (German inflections find it)
        **{field: TEXT(analyzer=language_analyzer(lang), phrase=True) for field, lang in LANGUAGE_FIELDS.values()},
        topic=KEYWORD(commas=True, stored=True),
        session=KEYWORD(commas=True, stored=True),
        speaker=KEYWORD(commas=True, stored=True),
        kind=ID(stored=True),
        organisation=KEYWORD(commas=True, stored=True, lowercase=False),
        country=KEYWORD(commas=True, stored=True),
        conference=KEYWORD(commas=True, stored=True),
        year=KEYWORD(commas=True, stored=True),
        language=KEYWORD(commas=True, stored=True),  # the talk's language (ISO 639), from its schedule
        programme=NUMERIC(sortable=True, stored=True),
        payload=STORED(),
        record=STORED(),
        facets=STORED(),  # the document's facet values, which an update needs of the documents it replaces
    )
