"""The archive with real imported schedules beside the shipped conference: facets, talk pages, API, topics."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import load_corpus
from archive.topic_strength import talk_mentions
from confarchive.cli import main
from indexer.build import build_index

SCHEDULES = Path(__file__).resolve().parent / "fixtures" / "schedules"
SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def archive(tmp_path_factory, app_for):
    """The shipped corpus plus 31C3 and Camp 2019 (both have a track called 'CCC'), built, with a test client."""
    root = tmp_path_factory.mktemp("several")
    corpus_dir = root / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus_dir)
    for name in ("31c3-schedule.xml", "frab-camp2019.json"):
        result = CliRunner().invoke(main, ["import", str(SCHEDULES / name), "--organiser", "CCC",
                                           "--corpus", str(corpus_dir)])
        assert result.exit_code == 0, result.output
    corpus = load_corpus(corpus_dir)
    build_index(corpus, root / "index")
    return corpus, app_for(root / "index", corpus_dir).test_client()


def test_session_labels_name_the_conference_where_two_would_read_the_same(archive):
    corpus, client = archive
    assert sorted(s.label for s in corpus.sessions.values()).count("Session 1: CCC") == 2  # the trap
    labels = [b["label"] for b in client.get("/api/search?q=&per_page=1").get_json()["facets"]["session"]]
    assert len(labels) == len(set(labels))
    assert {"Session 1: CCC (31. Chaos Communication Congress)",
            "Session 1: CCC (Chaos Communication Camp 2019)"} <= set(labels)
    assert "Session 1: From genomic data to personalised medicine: Where are we and what is the goal?" in labels


def test_facets_only_some_conferences_fill_say_so(archive):
    _, client = archive
    notes = client.get("/api/search?q=security").get_json()["facet_notes"]
    assert notes["organisation"] == (
        "Only Danish National Genome Center Conference 2025 record organisations; 31. Chaos Communication Congress "
        "and Chaos Communication Camp 2019 do not, so choosing one leaves their records out.")
    assert "country" in notes and "session" not in notes
    page = client.get("/search?q=security").get_data(as_text=True)
    assert "Only Danish National Genome Center Conference 2025 record organisations;" in page


def test_talk_page_and_api_show_the_schedule_fields(archive):
    corpus, client = archive
    talk = next(t for t in corpus.talks.values() if t.conference == "31c3-2014" and t.event_id == "6109")
    data = client.get(f"/api/talks/{talk.id}").get_json()
    assert data["date"] == "2014-12-29"
    assert data["schedule"] == {"start": "00:15", "duration": "01:30", "room": "Saal 1", "language": "de",
                                "subtitle": talk.subtitle or None, "type": "lecture", "event_id": "6109",
                                "event_guid": talk.event_guid}
    page = client.get(f"/talks/{talk.id}").get_data(as_text=True)
    assert '<h1 lang="de">Fnord News Show</h1>' in page
    assert '<dt>Room</dt><dd>Saal 1</dd>' in page and '<time datetime="2014-12-29T00:15">00:15</time> (01:30)' in page
    csl = client.get(f"/talks/{talk.id}/cite.json").get_json()
    item = csl[0] if isinstance(csl, list) else csl
    assert item["language"] == "de"


def test_topics_are_not_forced_on_talks_the_taxonomy_does_not_fit(archive):
    """Measured on the imported non-health schedules: their hardware talks get no topic and mention none (they
    did through "industry", "platform", "database", "standard": see docs/schedules.md), while the shipped
    conference's talks keep exactly the topics and mentions they have alone."""
    corpus, _ = archive
    hardware = [t for t in corpus.talks.values() if t.conference in ("31c3-2014", "camp2019")
                and corpus.session_of(t) and corpus.session_of(t).title == "Hardware & Making"]
    assert len(hardware) == 8
    assert {t.id: (t.topics, talk_mentions(corpus.topics, t)) for t in hardware} == {t.id: ([], []) for t in hardware}
    imported = [t for t in corpus.talks.values() if t.conference in ("31c3-2014", "camp2019")]
    assert sorted((t.id, t.topics) for t in imported if t.topics) == [
        ("camp2019-zombie-apocalypse-vs-international-health-regulations", ["ethics", "prevention"])]
    alone = load_corpus(SHIPPED_CORPUS)
    assert {t.id: (t.topics, talk_mentions(corpus.topics, t)) for t in corpus.talks.values()
            if t.conference == "dngc-2025"} == {t.id: (t.topics, talk_mentions(alone.topics, t))
                                                for t in alone.talks.values()}


def test_a_talk_outside_the_domain_still_takes_its_own_topics(tmp_path):
    """The domain gate is the rules' only: a librarian's `topics: {add: [...]}` still applies."""
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    shutil.copy(SHIPPED_CORPUS / "taxonomy.yaml", corpus_dir)
    result = CliRunner().invoke(main, ["import", str(SCHEDULES / "frab-camp2019.json"), "--organiser", "CCC",
                                       "--corpus", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    badge = corpus_dir / "conferences/camp2019/talks/camp2019-card10-badge.md"
    badge.write_text(badge.read_text(encoding="utf-8").replace("  add: []", "  add: [data-infrastructure]", 1),
                     encoding="utf-8")
    assert load_corpus(corpus_dir).talks["camp2019-card10-badge"].topics == ["data-infrastructure"]


def test_a_language_facet_appears_once_there_is_more_than_one_language(archive, client):
    _, several = archive
    facet = several.get("/api/search?q=&per_page=1").get_json()["facets"]["language"]
    assert {(b["value"], b["label"]) for b in facet} == {("de", "German"), ("en", "English")}
    assert sum(b["count"] for b in facet) == sum(1 for t in archive[0].talks.values() if t.language)
    german = several.get("/api/search?q=&language=de&per_page=100").get_json()
    assert german["total"] == sum(1 for t in archive[0].talks.values() if t.language == "de")
    assert 'id="facet-language"' in several.get("/search?q=").get_data(as_text=True)
    assert 'id="facet-language"' not in client.get("/search?q=").get_data(as_text=True)  # the shipped corpus: none
