"""Sentence splitting: literal splits for the tricky cases, and checks on every summary and bio of the corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive import load_corpus
from archive.quotes import parse_quote_id, quote_id, summary_sentences, talk_quotes
from archive.sentences import ABBREVIATIONS, sentence_spans, split_sentences
from archive.text import to_plain

SHIPPED = Path(__file__).resolve().parent.parent / "corpus"
ENDING = re.compile(r"(?:[.!?]|…)[”’\"')\]]*$")


@pytest.fixture(scope="module")
def shipped():
    return load_corpus(SHIPPED)


def all_summaries(corpus):
    return [(t.id, to_plain(t.text)) for t in corpus.ordered_talks()]


def all_bios(corpus):
    return [(s.id, to_plain(bio)) for s in corpus.speakers.values()
            for bio in (s.bio, *(a.bio for a in s.appearances if a.bio)) if bio]


@pytest.mark.parametrize("text, expected", [
    ("Dr. Kym Boycott leads it. She said “We must act.” Then she left.",
     ["Dr. Kym Boycott leads it.", "She said “We must act.”", "Then she left."]),
    ("She holds a Ph.D. in genetics. She holds a Ph.D. She moved.",
     ["She holds a Ph.D. in genetics.", "She holds a Ph.D.", "She moved."]),
    ("He holds a Ph.D. Fellowship from Aarhus. Next.", ["He holds a Ph.D. Fellowship from Aarhus.", "Next."]),
    ("It is at the European Commission, DG CNECT. The unit manages it.",
     ["It is at the European Commission, DG CNECT.", "The unit manages it."]),
    ("It helps to further drive(?) the work. Next (?) The end.", ["It helps to further drive(?) the work.", "Next (?) The end."]),
    ("We use e.g. Denmark and i.e. Sweden. It works, e.g. Between sites.",
     ["We use e.g. Denmark and i.e. Sweden.", "It works, e.g. Between sites."]),
    ("Table no. 5 is here. He said no. The end.", ["Table no. 5 is here.", "He said no.", "The end."]),
    ("It grew 3.5 percent in 2024. 15 countries joined.", ["It grew 3.5 percent in 2024.", "15 countries joined."]),
    ("Prof. Smith et al. Agreed. Fine.", ["Prof. Smith et al. Agreed.", "Fine."]),
    ("Trust is key—people matter. Data – and more – helps.", ["Trust is key—people matter.", "Data – and more – helps."]),
    ("Ask “why?” Then go. Is it? “Yes.” And (so it goes.) Fine… Okay...  Last one .",
     ["Ask “why?”", "Then go.", "Is it?", "“Yes.”", "And (so it goes.)", "Fine…", "Okay...", "Last one ."]),
    ("A. B. Smith spoke. He met J. Doe.\n\nNew paragraph. Two.",
     ["A. B. Smith spoke.", "He met J. Doe.", "New paragraph.", "Two."]),
    ("Visit sundhed.dk today. The portal (see www.example.org.) Works.",
     ["Visit sundhed.dk today.", "The portal (see www.example.org.)", "Works."]),
    ("Øresund grows. Ærø too.", ["Øresund grows.", "Ærø too."]),
    ("No end punctuation", ["No end punctuation"]),
    ("", []),
])
def test_literal_splits(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize("talk_id, expected", [
    ("dngc-2025-s1-richard-rosenquist-brandell", [
        "Richard presented the Swedish experience with a bottom-up approach to data-driven personalised medicine, "
        "where the regionally organised Swedish healthcare system has been integrated through Genomic Medicine Sweden.",
        "He explained how the National Genomics Platform supports clinical practice and research, enabling the rapid "
        "uptake of genomics in healthcare, particularly in rare diseases.",
        "Richard highlighted an upcoming roadmap for implementing precision medicine in Swedish healthcare by combining "
        "projects and initiatives to further drive(?) the development of personalised medicine and accelerate the "
        "integration of research discoveries to be used in healthcare."]),
    ("dngc-2025-s1-emmanuel-bacry", [
        "Emmanuel presented the role of the French Health Data Hub (HDH) in advancing personalised medicine.",
        "The HDH is a public health data platform that provides a single secure gateway to, and a catalogue of, "
        "national databases, supporting diverse partners and projects.",
        "It was built on the French National Healthcare Data System (SNDS) (covering the French population of 67 "
        "million people with >20 years of data, including reimbursement and clinical data).",
        "In 2019, it was expanded with additional health databases, and aiming to incorporate public health databases "
        "in the future.",
        "He highlighted that access to the HDH builds on substantial HPC capacity, storage, and secure analysis "
        "environments, enabling the integration and scaling of diverse data sources to benefit both clinical practice "
        "and research.",
        "Looking ahead, AI initiatives such as the SHAPID project are of major interest."]),
])
def test_literal_summary_splits(shipped, talk_id, expected):
    assert split_sentences(to_plain(shipped.talks[talk_id].text)) == expected


@pytest.mark.parametrize("talk_id, number, expected", [
    ("dngc-2025-s1-britt-elmedal-laursen", 4,
     "Moving forward, she advocates for expanding the access of WGS to reach more patients, improving data analysis "
     "through the development of knowledge databases such as frequency- and variant databases, adopt new sequencing "
     "technologies (e.g. long-read sequencing), and incorporating other “omics”-data."),
    ("dngc-2025-s2-qa", 8,
     "A key theme was breaking down barriers between research and healthcare, encouraging interdisciplinary "
     "collaboration, e.g. between clinicians, IT-professionals and technicians, and building hospital systems that "
     "learn and adapt."),
    ("dngc-2025-s1-qa", 3,
     "Speakers agreed that diagnostics and treatments must be planned and funded together, to give patients access "
     "to the right treatment, combined with new risk-sharing reimbursement models helping to spread costs fairly."),
    ("dngc-2025-s3-dilemma-1", 6,
     "To make data sharing work across borders, panellists highlighted the need for accessible yet secure data "
     "collected and stored in a harmonised manner ."),
    ("dngc-2025-s2-henrik-ullum", 3,
     "Moving forward Denmark has ambitious plans, there are plans to expand registries and biobanks under the new "
     "2025–2027 PM strategy, many future analyses will rely on AI, and Henrik emphasised that we must be ambitious in "
     "data collection, moving to personalised prevention that depends on sequencing earlier in life and enabling "
     "lifelong PM."),
])
def test_tricky_sentences_of_the_corpus(shipped, talk_id, number, expected):
    assert talk_quotes(shipped.talks[talk_id])[number - 1].text == expected


@pytest.mark.parametrize("speaker_id, sentence", [
    ("saila-rinne", "She is the Head of the Unit “Artificial Intelligence in Health and Life Sciences” at the European "
                    "Commission, DG CNECT."),
    ("gry-hasselbalch", "She has a Ph.D. in data ethics and power and is the author of several critically acclaimed "
                        "books."),
    ("emmanuel-bacry", "He holds a Ph.D. in Mathematics and serves as Scientific Director at the HDH, as well as "
                       "Research Director at the CNRS."),
])
def test_tricky_sentences_of_the_bios(shipped, speaker_id, sentence):
    assert sentence in split_sentences(to_plain(shipped.speakers[speaker_id].bio))


def _check_split(text: str) -> None:
    """The spans cover the text with only whitespace between them; each sentence opens and ends properly."""
    spans = sentence_spans(text)
    position = 0
    for start, end in spans:
        assert text[position:start].strip() == "", f"text lost between sentences: {text[position:start]!r}"
        position = end
    assert text[position:].strip() == ""
    for sentence in (text[a:b] for a, b in spans):
        first = sentence.lstrip("“‘\"'([")[:1]
        assert first.isupper() or first.isdigit(), f"starts lowercase: {sentence[:60]!r}"
        assert ENDING.search(sentence), f"does not end a sentence: {sentence[-60:]!r}"
        last_word = sentence.split()[-1].lower()
        assert last_word not in ABBREVIATIONS, f"ends mid-abbreviation: {sentence[-60:]!r}"
        assert sentence == sentence.strip()


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_summary_splits_cleanly(shipped):
    summaries = all_summaries(shipped)
    assert len(summaries) == len(shipped.talks) >= 31
    for talk_id, text in summaries:
        _check_split(text)
        sentences = [s for paragraph in summary_sentences(text) for s in paragraph]
        assert _squeeze(" ".join(sentences)) == _squeeze(text), talk_id
        assert all(s in text for s in sentences), talk_id
        assert len(sentences) >= 1, talk_id


def test_every_bio_splits_cleanly(shipped):
    for _, text in all_bios(shipped):
        _check_split(text)


def test_sentence_counts(shipped):
    counts = {t.id: len(talk_quotes(t)) for t in shipped.talks.values()}
    assert counts["dngc-2025-s1-britt-elmedal-laursen"] == 5
    assert counts["dngc-2025-s2-qa"] == 9
    assert counts["dngc-2025-s1-richard-rosenquist-brandell"] == 3
    assert sum(counts.values()) >= 140


def test_quotes_carry_their_neighbours(shipped):
    quotes = talk_quotes(shipped.talks["dngc-2025-s1-britt-elmedal-laursen"])
    assert [q.number for q in quotes] == [1, 2, 3, 4, 5]
    assert quotes[0].before == "" and quotes[0].after == quotes[1].text
    assert quotes[-1].after == "" and quotes[-1].before == quotes[-2].text
    assert quotes[2].id == "dngc-2025-s1-britt-elmedal-laursen.s3" and quotes[2].anchor == "s-3"


@pytest.mark.parametrize("ident, expected", [
    ("dngc-2025-s1-qa.s3", ("dngc-2025-s1-qa", 3)), ("a.s12", ("a", 12)),
    ("dngc-2025-s1-qa", None), ("x.s0", None), ("x.s", None), (".s3", None), ("", None), ("x.sx", None),
])
def test_quote_ids(ident, expected):
    assert parse_quote_id(ident) == expected
    if expected:
        assert quote_id(*expected) == ident
