"""Talks in their own language (issue 13): a talk's `language` chooses its stemmer, so a German or Danish
query finds the talk's inflections, a query still finds talks in any language, and every typed word is
accounted for across languages. The stems are Whoosh's Snowball stemmers; the English analysis alone
does not reduce these forms to one another (asserted first, so the tests prove the language's part)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive import load_corpus
from indexer import IndexStore, SearchRequest, Searcher, build_index
from indexer.analysis import text_analyzer

TALK = "dngc-2025-s2-tine-jess"
TALK_FILE = f"conferences/dngc-2025/talks/{TALK}.md"
GERMAN = "Die Netzwerke der Krankenhäuser teilen Gesundheitsdaten."
DANISH = "Netværkerne deler sundhedsdata mellem hospitalerne."


def _given_in(corpus_dir: Path, language: str, text: str) -> None:
    path = corpus_dir / TALK_FILE
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace("kind: talk\n", f"kind: talk\nlanguage: {language}\n", 1) + f"\n{text}\n",
                    encoding="utf-8")


def _ids(root: Path, q: str) -> dict:
    response = Searcher(IndexStore(root).handle()).search(SearchRequest(q=q, per_page=100, exact=True))
    return {"ids": [r["id"] for r in response.results], "unmatched": response.unmatched,
            "snippets": {r["id"]: r["snippet"] for r in response.results}}


@pytest.fixture
def built(corpus_copy, tmp_path):
    def build(language: str, text: str) -> Path:
        _given_in(corpus_copy, language, text)
        root = tmp_path / f"index-{language}"
        build_index(load_corpus(corpus_copy), root)
        return root
    return build


def _marked(snippet: str) -> list[str]:
    """The words a snippet marks."""
    return re.findall(r"<mark[^>]*>([^<]*)</mark>", snippet)


def _english(word: str) -> list[str]:
    return [t.text for t in text_analyzer()(word)]


def test_a_german_inflection_finds_the_german_talk(built):
    assert _english("Netzwerken") != _english("Netzwerke")  # English stemming alone would not find it
    root = built("de", GERMAN)
    found = _ids(root, "Netzwerken")
    assert found["ids"][:1] == [TALK] and found["unmatched"] == []
    assert _marked(found["snippets"][TALK]) == ["Netzwerke"]  # matched through the German stemmer only
    assert TALK in _ids(root, "Krankenhaus")["ids"]
    assert _marked(_ids(root, "Krankenhaus")["snippets"][TALK]) == ["Krankenhäuser"]
    assert TALK in _ids(root, "Inflammatory bowel disease")["ids"][:3]  # its English summary is still found


def test_a_danish_inflection_finds_the_danish_talk(built):
    assert _english("netværk") != _english("netværkerne")
    root = built("da", DANISH)
    found = _ids(root, "netværk")
    assert found["ids"][:1] == [TALK] and found["unmatched"] == []
    assert _marked(found["snippets"][TALK]) == ["Netværkerne"]


def test_the_same_text_in_an_english_talk_is_not_stemmed_as_german(built):
    root = built("en", GERMAN)
    found = _ids(root, "Netzwerken")
    assert TALK not in found["ids"] and found["unmatched"] == ["Netzwerken"]


def test_a_real_german_schedule_is_searched_in_german(tmp_path):
    """Chaos Communication Camp 2019's frab export (tests/fixtures/schedules): its German talks keep `de`."""
    import shutil

    from click.testing import CliRunner

    from confarchive.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent / "corpus" / "taxonomy.yaml", corpus / "taxonomy.yaml")
    schedule = Path(__file__).resolve().parent / "fixtures" / "schedules" / "frab-camp2019.json"
    result = CliRunner().invoke(main, ["import", str(schedule), "--organiser", "CCC", "--id", "camp2019",
                                       "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    loaded = load_corpus(corpus)
    [knoten] = [t for t in loaded.talks.values() if t.title == "Knoten 101"]
    assert knoten.language == "de" and "Anwendung von Seil" in f"{knoten.abstract} {knoten.text}"
    assert _english("Anwendungen") != _english("Anwendung")
    root = tmp_path / "index"
    build_index(loaded, root)
    found = _ids(root, "Anwendungen")
    assert knoten.id in found["ids"] and found["unmatched"] == []
    assert "Anwendung" in _marked(found["snippets"][knoten.id])  # was the talk's lead, nothing marked


def test_an_english_talk_is_not_marked_by_the_german_stemmer(built):
    """The German stemmer marks words only in German talks: 'Netzwerken' is not marked in an English talk."""
    root = built("en", GERMAN)
    response = Searcher(IndexStore(root).handle()).search(SearchRequest(q="Netzwerken Krankenhäuser", per_page=100,
                                                                        exact=True))
    snippet = {r["id"]: r["snippet"] for r in response.results}[TALK]
    assert _marked(snippet) == ["Krankenhäuser"]


def test_german_marks_are_the_same_once_snippets_look_only_where_marks_can_be(built):
    """Searches learn the build's written forms in the background (written_forms.py); marks stay the same."""
    import threading

    searcher = Searcher(IndexStore(built("de", GERMAN)).handle())

    def marked() -> list[str]:
        response = searcher.search(SearchRequest(q="Netzwerken Krankenhaus", per_page=100, exact=True))
        return _marked({r["id"]: r["snippet"] for r in response.results}[TALK])

    before = marked()
    for thread in [t for t in threading.enumerate() if t.name == "written-forms"]:
        thread.join()
    assert searcher.tools.language_surfaces[("de", "body_de")].forms is not None
    assert marked() == before and set(before) == {"Netzwerke", "Krankenhäuser"}
