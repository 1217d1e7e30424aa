"""The 'may be the same person' warning: found in a real corpus, and the pruned pair search equals comparing every pair."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.checks import _candidate_pairs, _same_person_reason
from archive.load import inspect_corpus


def test_a_copied_speaker_under_another_id_is_reported(corpus_copy):
    original = corpus_copy / "speakers" / "aarno-palotie.md"
    twin = corpus_copy / "speakers" / "aarno-palotie-2.md"
    twin.write_text(original.read_text(encoding="utf-8").replace("id: aarno-palotie", "id: aarno-palotie-2"),
                    encoding="utf-8")
    _, problems = inspect_corpus(corpus_copy)
    warnings = [p for p in problems if "may be the same person" in p.message]
    assert [(p.path.endswith("aarno-palotie-2.md"), p.severity) for p in warnings] == [(True, "warning")]
    assert "aarno-palotie" in warnings[0].message and "both are called" in warnings[0].message
    assert "confarchive speakers merge aarno-palotie aarno-palotie-2" in warnings[0].hint


def test_the_shipped_corpus_has_no_twin_speakers(corpus):
    _, problems = inspect_corpus("corpus")
    assert not [p for p in problems if "may be the same person" in p.message]


WORD = st.sampled_from(["anna", "maria", "lund", "berg", "ole", "x"])
NAME = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
SPEAKER = st.tuples(st.sets(NAME, min_size=1, max_size=3), st.sets(st.sampled_from(["dngc", "ku", "sdu"]), max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.lists(SPEAKER, max_size=12))
def test_pruned_pairs_find_every_pair_that_has_a_reason(speakers):
    keys = [names for names, _ in speakers]
    records = [SimpleNamespace(organisations=sorted(orgs)) for _, orgs in speakers]
    every = [(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys))
             if _same_person_reason(keys[i], keys[j], records[i], records[j])]
    pruned = [(i, j) for i, j in _candidate_pairs(keys)
              if _same_person_reason(keys[i], keys[j], records[i], records[j])]
    assert pruned == every



def test_the_remembered_comparison_follows_every_change_it_depends_on(corpus_copy):
    """A reload after a talk's save reuses the last comparison; a speaker given another's name as an alias is
    compared again and reported."""
    import json

    import archive.checks
    from archive.load import load_corpus

    corpus = load_corpus(corpus_copy)
    speakers = sorted(corpus.speakers.values(), key=lambda s: s.id)
    first = archive.checks._likely_duplicate_speakers(corpus)
    assert archive.checks._likely_duplicate_speakers(corpus) == first == archive.checks._compare_speakers(speakers)
    assert not [p for p in first if "aarno-palotie" in p.message]
    other = next(s for s in speakers if s.id != "aarno-palotie" and s.name.split()[0] != "Aarno")
    path = corpus_copy / "speakers" / "aarno-palotie.md"
    path.write_text(path.read_text(encoding="utf-8").replace("aliases: []", f"aliases: [{json.dumps(other.name)}]", 1),
                    encoding="utf-8")
    _, problems = inspect_corpus(corpus_copy)
    found = [p for p in problems if "may be the same person" in p.message]
    assert len(found) == 1 and "both are called" in found[0].message
    assert f"merge aarno-palotie {other.id}" in found[0].hint
