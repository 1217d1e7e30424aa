"""Topic tagging: the taxonomy rules measured against human judgments, plus overrides and explain()."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from archive import load_corpus
from archive.taxonomy import explain

JUDGMENTS = Path(__file__).resolve().parent / "fixtures" / "topic_judgments.yaml"
REQUIRED_TOPICS = ["genomics", "ehds", "ai", "ethics"]
ADDED_TOPICS = ["rare-diseases", "cancer", "data-infrastructure", "public-private-partnership",
                "prevention", "health-economics", "interoperability"]
MIN_F1 = 0.85


@pytest.fixture(scope="module")
def judgments() -> dict:
    """The human judgments: {'talks': {id: [topic, ...]}, 'speakers': {id: [topic, ...]}}."""
    return yaml.safe_load(JUDGMENTS.read_text(encoding="utf-8"))


def _records(corpus) -> dict:
    return {**corpus.talks, **corpus.speakers}


def _judged(judgments) -> dict:
    return {**judgments["talks"], **judgments["speakers"]}


def _scores(tagged: set, wanted: set) -> tuple[float, float, float]:
    hits = len(tagged & wanted)
    precision = hits / len(tagged) if tagged else 1.0
    recall = hits / len(wanted) if wanted else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@pytest.mark.parametrize("topic_id", REQUIRED_TOPICS + ADDED_TOPICS)
def test_topic_agrees_with_judgments(corpus, judgments, topic_id):
    judged = _judged(judgments)
    tagged = {rid for rid, record in _records(corpus).items() if topic_id in record.topics}
    wanted = {rid for rid, topics in judged.items() if topic_id in topics}
    assert wanted, f"no record is judged to be about '{topic_id}'"
    precision, recall, f1 = _scores(tagged, wanted)
    assert f1 >= MIN_F1, (f"{topic_id}: F1 {f1:.2f} < {MIN_F1} (precision {precision:.2f}, recall {recall:.2f}); "
                          f"false positives {sorted(tagged - wanted)}; false negatives {sorted(wanted - tagged)}")


def test_required_topics_exist(corpus):
    assert set(REQUIRED_TOPICS) <= set(corpus.topics)


def test_added_topics_exist(corpus):
    assert set(ADDED_TOPICS) <= set(corpus.topics)


def test_every_talk_is_judged(corpus, judgments):
    assert set(corpus.talks) - set(judgments["talks"]) == set()


def test_every_speaker_is_judged(corpus, judgments):
    assert set(corpus.speakers) - set(judgments["speakers"]) == set()


def test_judgments_name_only_existing_records_and_topics(corpus, judgments):
    records = _records(corpus)
    assert set(_judged(judgments)) - set(records) == set()
    used = {topic for topics in _judged(judgments).values() for topic in topics}
    assert used - set(corpus.topics) == set()


def test_override_adds_and_removes_topics(corpus, corpus_copy):
    talk_id = "dngc-2025-s2-james-buchanan"
    assert corpus.talks[talk_id].topics == ["health-economics"]
    path = corpus_copy / "conferences" / "dngc-2025" / "talks" / f"{talk_id}.md"
    text = path.read_text(encoding="utf-8")
    old = "topics:\n  add: []\n  remove: []\n"
    assert old in text
    path.write_text(text.replace(old, "topics:\n  add: [cancer]\n  remove: [health-economics]\n"), encoding="utf-8")
    assert load_corpus(corpus_copy).talks[talk_id].topics == ["cancer"]


def test_explain_names_the_matching_rules(corpus):
    topic = corpus.topics["ehds"]
    matches = explain(topic, "The EHDS enables cross-border sharing of health data.")
    assert [(m.matched, m.score) for m in matches] == [(("ehds",), 3.0), (("cross border",), 2.0)]
    assert matches[0].rule.terms == ("ehds",)
    assert "cross border" in matches[1].rule.phrases


def test_explain_counts_prefix_terms_and_phrases(corpus):
    matches = explain(corpus.topics["rare-diseases"], "Harnessing AI to identify patients with rare diseases")
    assert [(m.matched, m.score) for m in matches] == [(("rare diseases",), 1.0)]
    matches = explain(corpus.topics["genomics"], "Genomic medicine and whole genome sequencing")
    assert [m.matched for m in matches] == [("genom*", "genom*", "sequencing"), ("whole genome sequencing",)]
