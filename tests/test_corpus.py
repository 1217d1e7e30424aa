"""The shipped corpus holds the whole DNGC 2025 page: every speaker, talk, panel and Q&A, verbatim, once."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from archive.names import name_key

CONFERENCE = "dngc-2025"

SPEAKERS = [
    "aarno-palotie", "anne-cambon-thomsen", "bettina-lundgren", "bodil-orkild", "bogi-eliasen",
    "britt-elmedal-laursen", "diana-arsovic-nielsen", "emmanuel-bacry", "francisca-nordfalk",
    "frederik-otzen-bagger", "fulvia-raffaelli", "gry-hasselbalch", "henrik-ullum", "ida-sofie-jensen",
    "jacob-hartmann-sorensen", "james-buchanan", "katharina-ocathaoir", "klaus-hoeyer", "kym-boycott",
    "laura-anne-whelan", "mads-krogsgaard-thomsen", "peter-goodhand", "regina-becker",
    "richard-rosenquist-brandell", "saila-rinne", "serena-scollen", "sisse-rye-ostrowski", "sophie-lohde",
    "stinus-lindgreen", "sue-hill", "thomas-fredenslund", "tine-jess", "troels-tvedegaard-rasmussen",
]

# Every talk, panel and Q&A in programme order: (id, session, kind, speakers).
PROGRAMME = [
    ("dngc-2025-opening-sophie-lohde", None, "talk", ["sophie-lohde"]),
    ("dngc-2025-s1-bettina-lundgren", "dngc-2025-s1", "talk", ["bettina-lundgren"]),
    ("dngc-2025-s1-britt-elmedal-laursen", "dngc-2025-s1", "talk", ["britt-elmedal-laursen"]),
    ("dngc-2025-s1-sisse-rye-ostrowski", "dngc-2025-s1", "talk", ["sisse-rye-ostrowski"]),
    ("dngc-2025-s1-ida-sofie-jensen", "dngc-2025-s1", "talk", ["ida-sofie-jensen"]),
    ("dngc-2025-s1-thomas-fredenslund-jacob-hartmann-sorensen", "dngc-2025-s1", "talk",
     ["thomas-fredenslund", "jacob-hartmann-sorensen"]),
    ("dngc-2025-s1-sue-hill", "dngc-2025-s1", "talk", ["sue-hill"]),
    ("dngc-2025-s1-richard-rosenquist-brandell", "dngc-2025-s1", "talk", ["richard-rosenquist-brandell"]),
    ("dngc-2025-s1-emmanuel-bacry", "dngc-2025-s1", "talk", ["emmanuel-bacry"]),
    ("dngc-2025-s1-stinus-lindgreen", "dngc-2025-s1", "talk", ["stinus-lindgreen"]),
    ("dngc-2025-s1-qa", "dngc-2025-s1", "qa", []),
    ("dngc-2025-s2-laura-anne-whelan", "dngc-2025-s2", "talk", ["laura-anne-whelan"]),
    ("dngc-2025-s2-james-buchanan", "dngc-2025-s2", "talk", ["james-buchanan"]),
    ("dngc-2025-s2-bodil-orkild", "dngc-2025-s2", "talk", ["bodil-orkild"]),
    ("dngc-2025-s2-qa", "dngc-2025-s2", "qa", []),
    ("dngc-2025-s2-henrik-ullum", "dngc-2025-s2", "talk", ["henrik-ullum"]),
    ("dngc-2025-s2-aarno-palotie", "dngc-2025-s2", "talk", ["aarno-palotie"]),
    ("dngc-2025-s2-tine-jess", "dngc-2025-s2", "talk", ["tine-jess"]),
    ("dngc-2025-s2-fulvia-raffaelli", "dngc-2025-s2", "talk", ["fulvia-raffaelli"]),
    ("dngc-2025-s2-peter-goodhand", "dngc-2025-s2", "talk", ["peter-goodhand"]),
    ("dngc-2025-s2-saila-rinne", "dngc-2025-s2", "talk", ["saila-rinne"]),
    ("dngc-2025-s2-serena-scollen", "dngc-2025-s2", "talk", ["serena-scollen"]),
    ("dngc-2025-s2-troels-tvedegaard-rasmussen", "dngc-2025-s2", "talk", ["troels-tvedegaard-rasmussen"]),
    ("dngc-2025-s2-diana-arsovic-nielsen", "dngc-2025-s2", "talk", ["diana-arsovic-nielsen"]),
    ("dngc-2025-s2-panel-interoperability", "dngc-2025-s2", "panel", []),
    ("dngc-2025-s3-dilemma-1", "dngc-2025-s3", "panel", ["regina-becker", "richard-rosenquist-brandell"]),
    ("dngc-2025-s3-dilemma-2", "dngc-2025-s3", "panel", ["ida-sofie-jensen", "aarno-palotie", "katharina-ocathaoir"]),
    ("dngc-2025-s3-dilemma-3", "dngc-2025-s3", "panel",
     ["anne-cambon-thomsen", "francisca-nordfalk", "gry-hasselbalch"]),
    ("dngc-2025-s4-kym-boycott", "dngc-2025-s4", "talk", ["kym-boycott"]),
    ("dngc-2025-s4-bogi-eliasen", "dngc-2025-s4", "talk", ["bogi-eliasen"]),
    ("dngc-2025-s4-mads-krogsgaard-thomsen", "dngc-2025-s4", "talk", ["mads-krogsgaard-thomsen"]),
]

SESSIONS = {
    "dngc-2025-s1": (1, "From genomic data to personalised medicine: Where are we and what is the goal?"),
    "dngc-2025-s2": (2, "Infrastructure requirements, data standards and competencies to support personalised "
                        "medicine and a data-driven healthcare system"),
    "dngc-2025-s3": (3, "Exploring ethical and legal perspectives in the development of personalised medicine "
                        "and a data-driven healthcare system"),
    "dngc-2025-s4": (4, "Looking forward"),
}

# Lines of the page that are headings, buttons, captions or practical details held as structured
# fields (checked in test_practical_information_is_held_as_fields), not text any record must hold.
STRUCTURAL = {
    "Sessions", "Conference Opening Summary", "Watch the recording", "Meet the speakers below", "Film by DNGC",
    "Fotograf: Venstre", "Practical Information", "What:", "Where:", "When:", "Privacy Policy",
    "Session 1", "Session 2", "Session 3", "Session 4",
    "Session 1 Summary", "Session 2 Summary", "Session 3 Summary", "Session 4 Summary",
    "Radisson Blu Scandinavia Hotel, Amager Boulevard 70, 2300 Copenhagen and online",
    "September 8, 2025, from 8:45 AM to 6:30 PM (CET)",
    "Registration opens at 08:00 AM",
}

BETTINA_SUMMARY_START = "Bettina presented experiences from implementing whole genome sequencing (WGS)"


@pytest.fixture(scope="module")
def source_lines(corpus) -> list[str]:
    """source.txt as a list of lines (index 0 is line 1), stripped of layout whitespace and bullets."""
    text = (corpus.root / "conferences" / CONFERENCE / "source.txt").read_text(encoding="utf-8")
    return [line.strip().lstrip("•").strip() for line in text.split("\n")]


def _line_range(lines: str) -> range:
    start, _, end = lines.partition("-")
    return range(int(start), int(end or start) + 1)


def _lines_of(source_lines: list[str], text: str) -> list[int]:
    """1-based numbers of the source lines equal to text."""
    return [number for number, line in enumerate(source_lines, 1) if line == text.strip()]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


# --- completeness -----------------------------------------------------------------------------

def test_every_speaker_on_the_page_is_one_record(corpus):
    assert sorted(corpus.speakers) == SPEAKERS
    assert len(corpus.speakers) == 33


def test_every_talk_panel_and_qa_in_programme_order(corpus):
    got = [(t.id, t.session, t.kind, t.speakers) for t in corpus.ordered_talks()]
    assert got == [tuple(row) for row in PROGRAMME]


def test_kinds_are_counted_as_on_the_page(corpus):
    assert Counter(t.kind for t in corpus.talks.values()) == {"talk": 25, "panel": 4, "qa": 2}
    assert len(corpus.talks) == 31


def test_talks_per_session(corpus):
    assert Counter(t.session for t in corpus.talks.values()) == {
        None: 1, "dngc-2025-s1": 10, "dngc-2025-s2": 14, "dngc-2025-s3": 3, "dngc-2025-s4": 3}


def test_order_within_each_session_is_one_to_n(corpus):
    for session in [None, *SESSIONS]:
        orders = [t.order for t in corpus.ordered_talks() if t.session == session]
        assert orders == list(range(1, len(orders) + 1)), session


@pytest.mark.parametrize("session_id", sorted(SESSIONS))
def test_sessions_have_number_title_and_purpose(corpus, session_id):
    session = corpus.sessions[session_id]
    assert (session.number, session.title) == SESSIONS[session_id]
    assert session.conference == CONFERENCE
    assert session.purpose.strip()
    assert session.recording is True


def test_only_the_four_sessions(corpus):
    assert sorted(corpus.sessions) == sorted(SESSIONS)


def test_conference_fields(corpus):
    assert list(corpus.conferences) == [CONFERENCE]
    conference = corpus.conferences[CONFERENCE]
    assert conference.title == "Personalised medicine and beyond: Supporting a data-driven healthcare system"
    assert conference.name == "Danish National Genome Center Conference 2025"
    assert conference.organiser == "Danish National Genome Center"
    assert conference.date == dt.date(2025, 9, 8)
    assert conference.venue == "Radisson Blu Scandinavia Hotel"
    assert conference.address == "Amager Boulevard 70, 2300 Copenhagen"
    assert (conference.city, conference.country) == ("Copenhagen", "Denmark")
    assert conference.online is True
    assert conference.supporter == "Novo Nordisk Foundation"
    assert conference.place == "Radisson Blu Scandinavia Hotel, Copenhagen, Denmark and online"
    assert _paragraphs(conference.introduction)[-1] == "The conference is supported by the Novo Nordisk Foundation."
    assert len(_paragraphs(conference.introduction)) == 4


def test_practical_information_is_held_as_fields(corpus, source_lines):
    conference = corpus.conferences[CONFERENCE]
    assert source_lines[560 - 1] == conference.name
    where = f"{conference.venue}, {conference.address} and online"
    assert source_lines[563 - 1] == where
    assert (conference.start_time, conference.end_time, conference.timezone) == ("08:45", "18:30", "CET")
    assert conference.registration_opens == "08:00"
    assert _paragraphs(conference.privacy_policy) == [source_lines[572 - 1], source_lines[574 - 1]]


# --- duplicates merged ------------------------------------------------------------------------

def test_britt_elmedal_is_an_alias_of_britt_elmedal_laursen(corpus):
    britt = corpus.speakers["britt-elmedal-laursen"]
    assert britt.name == "Britt Elmedal Laursen"
    assert britt.aliases == ["Britt Elmedal"]
    assert [a.listed_name for a in britt.appearances] == ["Britt Elmedal"]
    assert [t.id for t in corpus.talks_by_speaker("britt-elmedal-laursen")] == ["dngc-2025-s1-britt-elmedal-laursen"]
    assert not [s for s in corpus.speakers if s.startswith("britt") and s != "britt-elmedal-laursen"]


@pytest.mark.parametrize("speaker_id, sessions", [
    ("ida-sofie-jensen", ["dngc-2025-s1", "dngc-2025-s3"]),
    ("aarno-palotie", ["dngc-2025-s2", "dngc-2025-s3"]),
    ("richard-rosenquist-brandell", ["dngc-2025-s1", "dngc-2025-s3"]),
    ("klaus-hoeyer", ["dngc-2025-s2", "dngc-2025-s3"]),
])
def test_people_in_two_sessions_are_one_speaker_with_two_appearances(corpus, speaker_id, sessions):
    speaker = corpus.speakers[speaker_id]
    assert [a.session for a in speaker.appearances] == sessions
    assert all(a.conference == CONFERENCE for a in speaker.appearances)


def test_only_those_four_people_appear_twice(corpus):
    twice = sorted(s.id for s in corpus.speakers.values() if len(s.appearances) > 1)
    assert twice == ["aarno-palotie", "ida-sofie-jensen", "klaus-hoeyer", "richard-rosenquist-brandell"]


def test_ida_keeps_her_differing_session_3_bio(corpus, source_lines):
    ida = corpus.speakers["ida-sofie-jensen"]
    first, third = ida.appearances
    assert ida.bio == source_lines[73 - 1]
    assert first.bio == ""
    assert third.bio == source_lines[405 - 1]
    assert third.bio.startswith("CEO of the Danish Association of the Pharmaceutical Industry. One of their")
    assert ida.bio_for(third) != ida.bio_for(first)


@pytest.mark.parametrize("speaker_id, first_line, second_line", [
    ("aarno-palotie", 243, 413), ("richard-rosenquist-brandell", 105, 463), ("klaus-hoeyer", 227, 397)])
def test_identical_bios_are_stored_once(corpus, source_lines, speaker_id, first_line, second_line):
    speaker = corpus.speakers[speaker_id]
    assert source_lines[first_line - 1] == source_lines[second_line - 1] == speaker.bio
    assert [a.bio for a in speaker.appearances] == ["", ""]


def test_no_two_speakers_share_a_name(corpus):
    owners: dict[str, set[str]] = {}
    for speaker in corpus.speakers.values():
        for name in (speaker.name, *speaker.aliases, *(a.listed_name for a in speaker.appearances)):
            owners.setdefault(name_key(name), set()).add(speaker.id)
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == {}


@pytest.mark.parametrize("speaker_id, name, honorific, aliases", [
    ("sisse-rye-ostrowski", "Sisse Rye Ostrowski", "", ["Sisse Ostrowski"]),
    ("sue-hill", "Sue Hill", "Dame", ["Dame Sue Hill"]),
    ("laura-anne-whelan", "Laura Anne Whelan", "Dr.", ["Dr Laura Anne Whelan", "Dr. Laura Whelan", "Laura Whelan"]),
    ("sophie-lohde", "Sophie Løhde", "", []),
    ("bodil-orkild", "Bodil Ørkild", "", []),
    ("katharina-ocathaoir", "Katharina O’Cathaoir", "", []),
])
def test_name_variants(corpus, speaker_id, name, honorific, aliases):
    speaker = corpus.speakers[speaker_id]
    assert (speaker.name, speaker.honorific, speaker.aliases) == (name, honorific, aliases)


def test_every_speaker_is_listed_and_only_two_have_no_summary(corpus):
    for speaker in corpus.speakers.values():
        assert speaker.appearances, speaker.id
    without_talk = sorted(s for s in corpus.speakers if not corpus.talks_by_speaker(s))
    # Listed as speakers of sessions 2 and 3, with no summary of their own on the page.
    assert without_talk == ["frederik-otzen-bagger", "klaus-hoeyer"]


# --- verbatim text and provenance -------------------------------------------------------------

@pytest.mark.parametrize("talk_id", [row[0] for row in PROGRAMME])
def test_talk_text_is_verbatim_within_its_source_lines(corpus, source_lines, talk_id):
    talk = corpus.talks[talk_id]
    allowed = _line_range(talk.source.lines)
    assert talk.source.document == "source.txt"
    for paragraph in _paragraphs(talk.text):
        found = _lines_of(source_lines, paragraph)
        assert found, f"{talk_id}: paragraph not in source.txt: {paragraph[:60]!r}"
        assert set(found) & set(allowed), f"{talk_id}: found on lines {found}, source says {talk.source.lines}"
    for line in talk.byline:
        assert set(_lines_of(source_lines, line)) & set(allowed), f"{talk_id}: byline {line!r}"


@pytest.mark.parametrize("speaker_id", SPEAKERS)
def test_speaker_bios_and_listings_are_verbatim_within_their_source_lines(corpus, source_lines, speaker_id):
    speaker = corpus.speakers[speaker_id]
    for index, appearance in enumerate(speaker.appearances):
        allowed = set(_line_range(appearance.source.lines))
        bio = appearance.bio or (speaker.bio if index == 0 else "")
        for text in filter(None, (appearance.listed_name, appearance.role, appearance.organisation, bio)):
            found = set(_lines_of(source_lines, text))
            assert found & allowed, f"{speaker_id}: {text[:50]!r} not on lines {appearance.source.lines}"


@pytest.mark.parametrize("session_id", sorted(SESSIONS))
def test_session_title_and_purpose_are_verbatim(corpus, source_lines, session_id):
    session = corpus.sessions[session_id]
    allowed = set(_line_range(session.source.lines))
    assert set(_lines_of(source_lines, session.title)) & allowed
    assert set(_lines_of(source_lines, session.purpose)) & allowed


def test_conference_introduction_is_verbatim(corpus, source_lines):
    conference = corpus.conferences[CONFERENCE]
    assert conference.source.lines == "1-9"
    assert source_lines[0] == conference.title
    assert _paragraphs(conference.introduction) == [source_lines[n - 1] for n in (3, 5, 7, 9)]


def test_every_line_of_the_page_is_held_by_a_record(corpus, source_lines):
    held = set()
    for conference in corpus.conferences.values():
        for text in (conference.title, conference.name, conference.introduction, conference.privacy_policy):
            held.update(_paragraphs(text))
    for session in corpus.sessions.values():
        held.update([session.title, *_paragraphs(session.purpose)])
    for talk in corpus.talks.values():
        held.update([*_paragraphs(talk.text), *talk.byline, talk.abstract])
    for speaker in corpus.speakers.values():
        held.update([speaker.name, *_paragraphs(speaker.bio)])
        for a in speaker.appearances:
            held.update([a.listed_name, a.role, a.organisation, *_paragraphs(a.bio)])
    missing = [(n, line[:70]) for n, line in enumerate(source_lines, 1)
               if line and line not in STRUCTURAL and line not in held]
    assert missing == []


def test_bettinas_repeated_summary_is_stored_once(corpus, source_lines):
    assert source_lines[131 - 1] == source_lines[135 - 1]
    assert source_lines[131 - 1].startswith(BETTINA_SUMMARY_START)
    holders = [t.id for t in corpus.talks.values() if BETTINA_SUMMARY_START in t.text]
    assert holders == ["dngc-2025-s1-bettina-lundgren"]
    assert corpus.talks[holders[0]].text.count(BETTINA_SUMMARY_START) == 1


def test_every_record_says_where_it_came_from(corpus):
    records = [*corpus.conferences.values(), *corpus.sessions.values(), *corpus.talks.values()]
    records += [a for s in corpus.speakers.values() for a in s.appearances]
    for record in records:
        assert record.source.document == "source.txt"
        assert record.source.section, record
        lines = _line_range(record.source.lines)
        assert 1 <= lines.start <= lines.stop - 1 <= 576, record


def test_panels_carry_their_question(corpus):
    questions = {t.id: t.question for t in corpus.talks.values() if t.kind == "panel"}
    assert questions == {
        "dngc-2025-s2-panel-interoperability":
            "Is interoperability truly the key to realising a data-driven healthcare system?",
        "dngc-2025-s3-dilemma-1":
            "Should researchers be able to pool data across EU borders if citizens give their consent?",
        "dngc-2025-s3-dilemma-2":
            "Should private pharmaceutical companies be able to buy access to national genomic databases?",
        "dngc-2025-s3-dilemma-3": "Should we allow AI models to help diagnose patients and suggest treatment?",
    }


def test_opening_keeps_the_announcement_as_abstract(corpus, source_lines):
    opening = corpus.talks["dngc-2025-opening-sophie-lohde"]
    assert opening.abstract == source_lines[15 - 1]
    assert opening.byline == ["Sophie Løhde", "Minister for Interior and Health, Denmark"]
