"""A build's documents: each talk's topic mentions are worked out once, and the documents are those made one by one."""

from __future__ import annotations

import archive.topic_strength
import indexer.documents
from indexer.documents import iter_documents, session_doc, speaker_doc, talk_doc


def test_a_build_works_out_each_talks_mentions_once(corpus, monkeypatch):
    asked: list[str] = []
    original = archive.topic_strength.talk_mentions

    def counted(topics, talk):
        asked.append(talk.id)
        return original(topics, talk)

    monkeypatch.setattr(indexer.documents, "talk_mentions", counted)
    docs = list(iter_documents(corpus))
    assert sorted(asked) == sorted(corpus.talks)
    assert len(docs) == len(corpus.talks) + len(corpus.sessions) + len(corpus.speakers)


def test_remembered_mentions_change_no_document(corpus):
    makers = {"talk": (talk_doc, corpus.talks), "session": (session_doc, corpus.sessions),
              "speaker": (speaker_doc, corpus.speakers)}
    for doc in iter_documents(corpus):
        kind = "talk" if doc.kind not in ("session", "speaker") else doc.kind
        make, records = makers[kind]
        assert make(corpus, records[doc.id]) == doc


def test_a_build_forgets_texts_as_it_goes(corpus, monkeypatch):
    """Each build process would otherwise keep every talk's rendering, sentences and their topics to the end."""
    from archive.text import to_plain
    from archive.topic_strength import _SPLIT
    from indexer.quotes_index import talks_quoted

    monkeypatch.setattr(indexer.documents, "FORGET_EVERY", 2)
    for made in (lambda: list(iter_documents(corpus)), lambda: list(talks_quoted(corpus))):
        to_plain.cache_clear()
        _SPLIT.clear()
        made()
        assert len(_SPLIT) <= 2 and to_plain.cache_info().currsize <= 6
    assert len(corpus.talks) > 6


def test_facet_rows_write_what_json_dumps_would(corpus, tmp_path):
    """facets.json is written piece by piece from shared values; the text is the one json.dumps gives."""
    import json

    from indexer.facet_files import FacetRows, write_facets
    from indexer.quotes_index import talks_quoted

    made = {"main": [(d.id, d.facets) for d in iter_documents(corpus)],
            "quotes": [(p["id"], f) for _, found in talks_quoted(corpus) for p, f in found]}
    for name, docs in made.items():
        rows = FacetRows()
        for ident, facets in docs:
            rows.add(ident, facets)
        head, tail = {"labels": {"topic": {"ai": "AI ø"}}, "pinned": {"topic": ["ai"]}}, {"notes": {"x": "y"}}
        write_facets(tmp_path / name, head, rows, tail)
        expected = {**head, "docs": [f for _, f in docs], "ids": [i for i, _ in docs], **tail}
        assert (tmp_path / name).read_text(encoding="utf-8") == json.dumps(expected, ensure_ascii=False)
        assert len(rows) == len(docs) > 10
