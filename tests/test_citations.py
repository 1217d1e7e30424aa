"""Citations: literal text and Markdown, honest attribution, and every export read back by an independent parser."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import bibtexparser
import pytest
import rispy

from archive import citations, load_corpus
from archive.citations import Citable, citable_for, for_quote
from archive.quotes import talk_quotes

SHIPPED = Path(__file__).resolve().parent.parent / "corpus"
SOURCE = "Danish National Genome Center Conference 2025: Personalised medicine and beyond: Supporting a data-driven " \
         "healthcare system"
COMMON = dict(conference_name="Danish National Genome Center Conference 2025",
              conference_title="Personalised medicine and beyond: Supporting a data-driven healthcare system",
              organiser="Danish National Genome Center", date="2025-09-08",
              place="Radisson Blu Scandinavia Hotel, Copenhagen, Denmark and online")

TALK = Citable(id="dngc-2025-s1-britt-elmedal-laursen", kind="talk",
               title="A clinical perspective on integrating genomic data into oncology practice",
               url="/talks/dngc-2025-s1-britt-elmedal-laursen", speakers=("Britt Elmedal Laursen",),
               session_number=1, session_title="From genomic data to personalised medicine", topics=("Genomics",),
               summary="Britt shared a clinical perspective.", **COMMON)
QA = Citable(id="dngc-2025-s1-qa", kind="qa", title="Q&A: transforming healthcare {towards} PM", url="/talks/dngc-2025-s1-qa",
             session_number=1, session_title="From genomic data", topics=("Ethics, law and trust", "AI"), **COMMON)
PANEL = Citable(id="p", kind="panel", title="Dilemma two", url="/talks/p", session_number=3,
                speakers=("Ida Sofie Jensen", "Aarno Palotie", "Katharina O’Cathaoir"), **COMMON)
EMPTY_PANEL = Citable(id="p2", kind="panel", title="Panel", url="/talks/p2", session_number=2, **COMMON)
OPENING = Citable(id="o", kind="talk", title="Opening", url="/talks/o", speakers=("Sophie Løhde",), **COMMON)
QUOTE = for_quote(TALK, "dngc-2025-s1-britt-elmedal-laursen.s1",
                  "Britt shared a *clinical* perspective [on] integrating “omics”-data.",
                  "/talks/dngc-2025-s1-britt-elmedal-laursen#s-1", before="", after="Next one.")
QA_QUOTE = for_quote(QA, "dngc-2025-s1-qa.s2", "The speakers highlighted 50% & more_data.", "/talks/dngc-2025-s1-qa#s-2")
ALL = [TALK, QA, PANEL, EMPTY_PANEL, OPENING, QUOTE, QA_QUOTE]


@pytest.fixture(scope="module")
def shipped():
    return load_corpus(SHIPPED)


@pytest.mark.parametrize("item, expected", [
    (TALK, f'Britt Elmedal Laursen\'s talk, as summarised in "{SOURCE}", Session 1, 8 September 2025. '
           "confarchive: /talks/dngc-2025-s1-britt-elmedal-laursen"),
    (QA, f'Q&A, Session 1, as summarised in "{SOURCE}", 8 September 2025. confarchive: /talks/dngc-2025-s1-qa'),
    (PANEL, "Panel discussion with Ida Sofie Jensen, Aarno Palotie and Katharina O’Cathaoir, as summarised in "
            f'"{SOURCE}", Session 3, 8 September 2025. confarchive: /talks/p'),
    (EMPTY_PANEL, f'Panel discussion, as summarised in "{SOURCE}", Session 2, 8 September 2025. confarchive: /talks/p2'),
    (OPENING, f'Sophie Løhde\'s talk, as summarised in "{SOURCE}", conference opening, 8 September 2025. '
              "confarchive: /talks/o"),
])
def test_reference_text(item, expected):
    assert citations.reference_text(item) == expected
    assert citations.citation_text(item) == expected


def test_quote_citation_quotes_the_summary_and_says_so():
    assert citations.citation_text(QUOTE, "https://archive.example/") == (
        "“Britt shared a *clinical* perspective [on] integrating “omics”-data.” — Britt Elmedal Laursen's talk, "
        f'as summarised in "{SOURCE}", Session 1, 8 September 2025. '
        "confarchive: https://archive.example/talks/dngc-2025-s1-britt-elmedal-laursen#s-1")
    assert citations.citation_markdown(QUOTE) == (
        "“Britt shared a \\*clinical\\* perspective \\[on\\] integrating “omics”-data.” — Britt Elmedal Laursen's talk, "
        f'as summarised in "{SOURCE}", Session 1, 8 September 2025. '
        "[confarchive](/talks/dngc-2025-s1-britt-elmedal-laursen#s-1)")


@pytest.mark.parametrize("item", ALL)
def test_attribution_is_honest(item):
    """Every form names the summary, and no form puts words in a speaker's mouth."""
    for text in (citations.citation_text(item), citations.citation_markdown(item), citations.note(item)):
        assert "as summarised in" in text
        for verb in (" said", " says", " stated", "according to"):
            assert verb not in text.lower()
    assert "not a transcript" in citations.note(item).lower()
    if item.quote:
        assert "not the speaker's own words" in citations.note(item)


@pytest.mark.parametrize("name, expected", [
    ("Britt Elmedal Laursen", ("Britt Elmedal", "Laursen")), ("Sophie Løhde", ("Sophie", "Løhde")),
    ("Anne Cambon-Thomsen", ("Anne", "Cambon-Thomsen")), ("Katharina O’Cathaoir", ("Katharina", "O’Cathaoir")),
    ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")), ("Cher", ("", "Cher")),
])
def test_split_name(name, expected):
    assert citations.split_name(name) == expected


@pytest.mark.parametrize("raw, escaped", [
    ("Q&A: 50% of $5 #1 a_b", r"Q\&A: 50\% of \$5 \#1 a\_b"),
    ("{braces} ~ ^ \\", r"\{braces\} \textasciitilde{} \textasciicircum{} \textbackslash{}"),
    ("two\nlines", "two lines"),
])
def test_bib_escape(raw, escaped):
    assert citations.bib_escape(raw) == escaped


def test_ris_read_back_by_rispy():
    records = rispy.loads(citations.ris([TALK, QUOTE, QA], "https://a.example"))
    assert [r["type_of_reference"] for r in records] == ["CPAPER", "CPAPER", "CPAPER"]
    talk, quote, qa = records
    assert talk["id"] == TALK.id
    assert talk["title"] == TALK.title + " [Talk summary]"
    assert talk["authors"] == ["Laursen, Britt Elmedal"]
    assert talk["secondary_title"] == "Danish National Genome Center Conference 2025"
    assert talk["type_of_work"] == "Talk summary"
    assert talk["date"] == "2025/09/08" and talk["year"] == "2025"
    assert talk["place_published"] == COMMON["place"]
    assert talk["urls"] == ["https://a.example/talks/dngc-2025-s1-britt-elmedal-laursen"]
    assert talk["abstract"] == TALK.summary
    assert talk["keywords"] == ["Genomics"]
    assert talk["notes"][0].startswith("Summary of a talk by Britt Elmedal Laursen at Danish National")
    assert "as summarised in" in talk["notes"][1]
    assert quote["urls"] == ["https://a.example/talks/dngc-2025-s1-britt-elmedal-laursen#s-1"]
    assert QUOTE.quote in quote["notes"][1] and "not the speaker's own words" in quote["notes"][0]
    assert "authors" not in qa and qa["type_of_work"] == "Q&A session summary"
    assert qa["keywords"] == ["Ethics, law and trust", "AI"]


def test_bibtex_read_back_by_bibtexparser():
    library = bibtexparser.parse_string(citations.bibtex([TALK, QA_QUOTE, PANEL]))
    assert not library.failed_blocks
    talk, quote, panel = library.entries
    assert (talk.entry_type, talk.key) == ("misc", "dngc-2025-s1-britt-elmedal-laursen")
    assert talk["author"] == "Laursen, Britt Elmedal"
    assert talk["title"] == TALK.title + " [Talk summary]" and talk["type"] == "Talk summary"
    assert talk["howpublished"] == f"Talk summary, Session 1, Danish National Genome Center Conference 2025, {COMMON['place']}"
    assert talk["year"] == "2025" and talk["date"] == "2025-09-08"
    assert talk["url"] == "/talks/dngc-2025-s1-britt-elmedal-laursen"
    assert talk["note"].startswith("Summary of a talk by Britt Elmedal Laursen") and "as summarised in" in talk["annote"]
    assert quote.key == "dngc-2025-s1-qa-s2"
    assert "author" not in quote.fields_dict
    assert quote["title"] == r"Q\&A: transforming healthcare \{towards\} PM [Q\&A session summary]"
    assert r"50\% \& more\_data" in quote["annote"]
    assert panel["author"] == "Jensen, Ida Sofie and Palotie, Aarno and O’Cathaoir, Katharina"


def test_csl_json_read_back_by_json():
    items = json.loads(citations.csl_json([TALK, QA_QUOTE]))
    talk, quote = items
    assert talk["type"] == "speech" and talk["title"] == TALK.title + " [Talk summary]"
    assert talk["author"] == [{"given": "Britt Elmedal", "family": "Laursen"}]
    assert talk["event"] == talk["event-title"] == "Danish National Genome Center Conference 2025"
    assert talk["event-date"] == talk["issued"] == {"date-parts": [[2025, 9, 8]]}
    assert talk["event-place"] == COMMON["place"]
    assert talk["publisher"] == "confarchive"
    assert talk["abstract"] == TALK.summary
    assert talk["note"].startswith("Summary of a talk by Britt Elmedal Laursen at")
    assert quote["author"] == [{"literal": "Danish National Genome Center"}]  # the organiser published it
    assert quote["URL"] == "/talks/dngc-2025-s1-qa#s-2"
    assert quote["note"].endswith("Sentence quoted from the summary, not the speaker's own words.")


def test_csv_read_back_by_csv():
    rows = list(csv.DictReader(io.StringIO(citations.quotes_csv([QUOTE, QA_QUOTE]))))
    assert list(rows[0]) == citations.CSV_COLUMNS
    assert rows[0]["quote"] == QUOTE.quote and rows[0]["context_after"] == "Next one."
    assert rows[0]["speakers"] == "Britt Elmedal Laursen" and rows[0]["session"] == "Session 1"
    assert rows[1]["attribution"] == "Q&A, Session 1" and rows[1]["speakers"] == ""
    assert rows[1]["citation"].startswith("“The speakers highlighted 50% & more_data.” — Q&A, Session 1, as summarised in")


def test_markdown_list():
    text = citations.quotes_markdown([QUOTE])
    assert text.startswith("# Quotes from confarchive\n")
    assert "> Britt shared a \\*clinical\\* perspective \\[on\\] integrating “omics”-data.\n>\n> — Britt" in text


def test_page_metadata():
    data = citations.schema_org(PANEL, "https://a.example")
    assert data["@type"] == "CreativeWork" and data["about"]["@type"] == "Event"
    assert [p["name"] for p in data["about"]["performer"]] == list(PANEL.speakers)
    assert data["url"] == "https://a.example/talks/p"
    meta = citations.highwire_meta(PANEL)
    assert ("citation_author", "Jensen, Ida Sofie") in meta
    assert ("citation_date", "2025/09/08") in meta
    assert ("citation_conference_title", "Danish National Genome Center Conference 2025") in meta


def test_citable_round_trips_through_a_dict():
    assert Citable.from_dict(json.loads(json.dumps(QUOTE.as_dict()))) == QUOTE


def test_every_talk_and_quote_of_the_corpus_exports_cleanly(shipped):
    """All formats, for every talk and every sentence, read back with the right count and speakers."""
    talks = [citable_for(shipped, t, f"/talks/{t.id}") for t in shipped.ordered_talks()]
    quotes = [for_quote(c, q.id, q.text, f"{c.url}#{q.anchor}")
              for c, t in zip(talks, shipped.ordered_talks()) for q in talk_quotes(t)]
    for items in (talks, quotes):
        records = rispy.loads(citations.ris(items))
        library = bibtexparser.parse_string(citations.bibtex(items))
        csl = json.loads(citations.csl_json(items))
        assert len(records) == len(library.entries) == len(csl) == len(items)
        assert not library.failed_blocks
        for item, record, entry, data in zip(items, records, library.entries, csl):
            assert record["id"] == data["id"] == item.id
            assert len(record.get("authors", [])) == len(item.speakers)
            assert len(data["author"]) == max(1, len(item.speakers))
            assert entry["title"] == citations.bib_escape(citations.cited_title(item))
    assert len(list(csv.DictReader(io.StringIO(citations.quotes_csv(quotes))))) == len(quotes)


@pytest.mark.parametrize("item", ALL)
def test_as_dict_is_what_dataclasses_asdict_gives(item):
    from dataclasses import asdict

    assert item.as_dict() == asdict(item)
    assert Citable.from_dict(item.as_dict()) == item
