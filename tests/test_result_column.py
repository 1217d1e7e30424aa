"""The result column holds, for every document of a build, exactly what its search result shows."""

from __future__ import annotations

from indexer import IndexStore
from indexer.documents import iter_documents
from indexer.key_lookup import live_document
from indexer.result_column import result_fields, short_codes


def test_every_document_s_result_fields_are_its_payload_text_and_languages(corpus, index_dir):
    handle = IndexStore(index_dir).handle()  # kept: the handle's searchers close with it
    reader = handle.searcher().reader()
    docs = list(iter_documents(corpus))
    assert docs
    for doc in docs:
        docnum = live_document(reader, "id", doc.id)
        assert result_fields(reader, docnum) == {
            "payload": doc.payload, "body": doc.body, "languages": short_codes(doc.facets.get("language", []))}, doc.id


def test_search_results_no_longer_need_the_stored_text():
    from indexer.schema import build_schema

    schema = build_schema()
    assert not schema["body"].stored and "payload" not in schema.names()  # written once, in the result column


def test_language_tags_become_the_short_codes_the_language_fields_use():
    assert short_codes(["da-DK", " de ", "en", ""]) == ["da", "de", "en"]
