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
