"""Issue 12: every reference, as citeproc-py, rispy, bibtexparser and python-docx read it, says it is a summary
and names the speaker, the event, the date and the link; imported talks keep their own day."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import bibtexparser
import docx
import pytest
import rispy
from click.testing import CliRunner

from archive import citations, load_corpus, styles
from archive.citations import Citable, citable_for, for_quote
from archive.quotes import talk_quotes
from confarchive.cli import main
from indexer import build_index
from webapp import create_app

SHIPPED = Path(__file__).resolve().parent.parent / "corpus"
PRETALX = Path(__file__).resolve().parent / "fixtures" / "pretalx-nhdd-2024.json"
BASE = "https://archive.example"
EVENT = "Danish National Genome Center Conference 2025"
BRITT = "dngc-2025-s1-britt-elmedal-laursen"
DATE_FORMS = ("September 8, 2025", "8 September", "2025, September 8")


@pytest.fixture(scope="module")
def shipped():
    return load_corpus(SHIPPED)


def _talks(corpus):
    return [citable_for(corpus, t, f"/talks/{t.id}") for t in corpus.ordered_talks()]


def _quotes(corpus, every: int = 7):
    """A sample of quotes: every 7th sentence of the archive."""
    quotes = [for_quote(c, q.id, q.text, f"{c.url}#{q.anchor}")
              for c, t in zip(_talks(corpus), corpus.ordered_talks()) for q in talk_quotes(t)]
    return quotes[::every]


def _family(name: str) -> str:
    return citations.split_name(name)[1]


def _check_reference(text: str, c: Citable) -> None:
    lowered = text.lower()
    assert "summary]" in lowered, text
    if c.title_editorial:
        assert "[" + c.title[:20].lower() in lowered, text
    for name in c.speakers:
        assert _family(name) in text, text
    if not c.speakers:
        assert c.organiser in text, text
    assert EVENT in text, text
    assert "2025" in text and any(form in text for form in DATE_FORMS), text
    assert BASE + c.url in text, text


@pytest.mark.parametrize("style", list(styles.STYLES))
def test_every_talk_in_every_style_says_summary_and_names_speaker_event_date_and_link(shipped, style):
    for c in _talks(shipped):
        _check_reference(styles.reference_plain(citations.csl_item(c, BASE), style), c)


@pytest.mark.parametrize("style", list(styles.STYLES))
def test_a_sample_of_quotes_in_every_style(shipped, style):
    sample = _quotes(shipped)
    assert len(sample) > 20
    for c in sample:
        _check_reference(styles.reference_plain(citations.csl_item(c, BASE), style), c)


@pytest.mark.parametrize("style", ["harvard-cite-them-right", "american-medical-association"])
def test_styles_that_print_an_access_date_get_one(shipped, style):
    c = _talks(shipped)[0]
    text = styles.reference_plain(citations.csl_item(c, BASE, accessed="2026-01-02"), style)
    assert "January 2, 2026" in text


def test_ris_read_back_by_rispy_says_the_same(shipped):
    items = _talks(shipped) + _quotes(shipped)
    for c, record in zip(items, rispy.loads(citations.ris(items, BASE))):
        assert record["type_of_reference"] == "CPAPER"
        assert record["title"].endswith("summary]")
        assert record["title"].startswith("[") == c.title_editorial
        assert [a.split(",")[0] for a in record.get("authors", [])] == [_family(n) for n in c.speakers]
        assert record["secondary_title"] == EVENT
        assert record["date"] == "2025/09/08" and record["urls"] == [BASE + c.url]
        assert record["notes"][0].startswith("Summary of ")
        assert "All rights reserved by the rights holders" in record["custom1"]


def test_bibtex_read_back_by_bibtexparser_says_the_same(shipped):
    items = _talks(shipped) + _quotes(shipped)
    library = bibtexparser.parse_string(citations.bibtex(items, BASE))
    assert not library.failed_blocks and len(library.entries) == len(items)
    for c, entry in zip(items, library.entries):
        assert entry["title"].endswith("summary]") and "summary" in entry["type"]
        for name in c.speakers:
            assert _family(name) in entry["author"]
        assert EVENT in entry["howpublished"] and entry["eventtitle"] == EVENT
        assert entry["date"] == "2025-09-08" and entry["url"] == BASE + c.url
        assert entry["note"].startswith("Summary of ") and "not a transcript" in entry["note"]
        assert "howpublished" in entry.fields_dict


SINGLE = Citable(id="ccc-31-talk", kind="talk", title="On hacking", url="/talks/ccc-31-talk",
                 conference_name="31. Chaos Communication Congress", conference_title="31. Chaos Communication Congress",
                 organiser="CCC", date="2014-12-30", speakers=("bunnie", "Xobs"),
                 summary=citations.PLACEHOLDER_SUMMARY.replace(citations.PLACEHOLDER_SUMMARY, ""))


def test_single_names_are_literal_and_titles_are_not_doubled():
    item = citations.csl_item(SINGLE, BASE)
    assert item["author"] == [{"literal": "bunnie"}, {"literal": "Xobs"}]
    text = styles.reference_plain(item, "apa")
    assert "bunnie, ." not in text and "bunnie" in text and ", ." not in text
    assert "31. Chaos Communication Congress: 31. Chaos" not in citations.description(SINGLE)
    assert "31. Chaos Communication Congress: 31. Chaos" not in citations.reference_text(SINGLE)
    assert "{bunnie} and {Xobs}" in citations.bibtex_entry(SINGLE)


def test_formatted_references_escape_hostile_text():
    hostile = Citable(id="h", kind="talk", title="<script>alert(1)</script> & more", url="/talks/h",
                      conference_name="E", conference_title="", organiser="O", date="2025-01-01", speakers=("A B",))
    for style in styles.STYLES:
        entry = styles.reference_html(citations.csl_item(hostile), style)
        assert "<script>" not in entry and "&lt;script&gt;" in entry
        plain = styles.reference_plain(citations.csl_item(hostile), style).lower()
        assert "<script>alert(1)</script> & more" in plain  # kept as text (Chicago title-cases it)


def test_styles_are_parsed_once_per_process():
    assert styles.load_style("apa") is styles.load_style("apa")
    with pytest.raises(styles.UnknownStyle, match="style must be one of: apa, chicago-author-date"):
        styles.check_style("mla")


# --- imported schedules: each talk cites its own day, no placeholder abstract ---------------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    corpus_dir = tmp_path_factory.mktemp("import") / "corpus"
    shutil.copytree(SHIPPED, corpus_dir)
    result = CliRunner().invoke(main, ["import", str(PRETALX), "--organiser", "Nordic Health Data Network",
                                       "--corpus", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    return load_corpus(corpus_dir), corpus_dir


def test_a_multi_day_schedule_cites_each_talk_with_its_own_date(imported):
    corpus, _ = imported
    schedule = json.loads(PRETALX.read_text(encoding="utf-8"))["schedule"]["conference"]
    days = {e["title"]: e["date"][:10] for d in schedule["days"] for r in d["rooms"].values() for e in r if e["title"]}
    talks = [t for t in corpus.talks.values() if t.conference != "dngc-2025"]
    assert {t.date.isoformat() for t in talks} == {"2024-05-14", "2024-05-15"}
    for talk in talks:
        cite = citable_for(corpus, talk, f"/talks/{talk.id}")
        assert cite.date == days[talk.title]
        day = int(cite.date[-2:])
        assert citations.csl_item(cite)["issued"] == {"date-parts": [[2024, 5, day]]}
        assert f"May {day}, 2024" in styles.reference_plain(citations.csl_item(cite, BASE), "chicago-author-date")
        assert cite.summary != citations.PLACEHOLDER_SUMMARY
        assert "abstract" not in citations.csl_item(cite) or citations.csl_item(cite)["abstract"] == cite.summary


def test_validate_warns_when_provenance_is_missing(imported):
    _, corpus_dir = imported
    result = CliRunner().invoke(main, ["validate", "--corpus", str(corpus_dir)])
    assert "conference.md:9: warning: provenance is missing " in result.output
    assert "summaries_by, rights_holder, rights (record each under `provenance:`" in result.output
    shipped = CliRunner().invoke(main, ["validate", "--corpus", str(SHIPPED)])
    assert "provenance" not in shipped.output


# --- the web and CLI: base URL, formatted references, the briefing --------------------------------------------------

@pytest.fixture(scope="module")
def index_dir(shipped, tmp_path_factory):
    root = tmp_path_factory.mktemp("styles-index")
    build_index(shipped, root)
    return root


@pytest.fixture(scope="module")
def client(index_dir):
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "CORPUS_DIR": str(SHIPPED), "BASE_URL": BASE})
    return app.test_client()


def test_citations_ignore_the_host_header(client):
    page = client.get(f"/talks/{BRITT}", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in page and f'<link rel="canonical" href="{BASE}/talks/{BRITT}">' in page
    ris = client.get(f"/talks/{BRITT}/cite.ris", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert rispy.loads(ris)[0]["urls"] == [f"{BASE}/talks/{BRITT}"]


def test_talk_page_offers_every_style_with_a_copy_hook_and_provenance(client):
    page = client.get(f"/talks/{BRITT}").get_data(as_text=True)
    assert page.count("data-copy-html") == len(styles.STYLES)
    for label in styles.STYLES.values():
        assert label in page
    assert "[A clinical perspective on integrating genomic data into oncology practice] [Talk summary]" in page
    assert "Source and rights" in page and "All rights reserved by the rights holders" in page
    assert "/static/copy.js" in page


def test_quote_api_formats_in_the_chosen_style(client):
    data = client.get(f"/api/quotes/{BRITT}.s1?style=american-medical-association").get_json()
    assert data["citation"]["formatted"]["style"] == "american-medical-association"
    assert data["citation"]["formatted"]["text"].startswith("Laursen BE.")
    assert client.get(f"/api/quotes/{BRITT}.s1?style=nope").get_json() == {
        "error": "style must be one of: apa, chicago-author-date, harvard-cite-them-right, american-medical-association",
        "status": 400}


def _docx_text(body: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]


def test_basket_docx_export_holds_quotes_references_and_statement(client, shipped):
    ids = [f"{BRITT}.s1", "dngc-2025-s1-qa.s2", f"{BRITT}.s3"]
    response = client.get(f"/api/quotes/export?ids={','.join(ids)}&format=docx&style=apa")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["Content-Disposition"] == 'attachment; filename="quotes.docx"'
    paragraphs = _docx_text(response.data)
    text = "\n".join(paragraphs)
    quotes = {q.id: q.text for t in shipped.talks.values() for q in talk_quotes(t)}
    for ident in ids:
        assert f"“{quotes[ident]}”" in text
    assert "summaries written about the talks, not transcripts" in text
    notes = paragraphs[paragraphs.index("Notes") + 1: paragraphs.index("References")]
    assert [n.split(".")[0] for n in notes] == ["1", "2", "3"]
    assert all("[Talk summary]" in n or "[Q&A session summary]" in n for n in notes)
    references = paragraphs[paragraphs.index("References") + 1: paragraphs.index("Sources and rights")]
    assert len(references) == 2 and any(r.startswith("Laursen, B. E. (2025, September 8).") for r in references)
    assert "All rights reserved by the rights holders" in text


def test_search_docx_export_and_briefing_page(client):
    total = client.get("/api/quotes?q=consent").get_json()["total"]
    body = client.get("/api/quotes.docx?q=consent&style=harvard-cite-them-right").data
    paragraphs = _docx_text(body)
    notes = paragraphs[paragraphs.index("Notes") + 1: paragraphs.index("References")]
    assert len(notes) == total > 0 and all("Available at: " + BASE in n for n in notes)
    page = client.get("/quotes/briefing?q=consent&style=chicago-author-date").get_data(as_text=True)
    assert page.count('<li id="note-') == total and "not transcripts" in page and "Chicago author-date" in page
    assert "/api/quotes.docx?q=consent&amp;style=chicago-author-date" in page
    bad = client.get("/quotes/briefing?ids=x.s1&style=mla")
    assert bad.status_code == 400 and "style must be one of" in bad.get_data(as_text=True)


def test_cli_writes_a_docx_briefing(index_dir, tmp_path):
    out = tmp_path / "briefing.docx"
    result = CliRunner().invoke(main, ["quotes", "consent", "--index", str(index_dir), "--all", "--format", "docx",
                                       "--style", "apa", "-o", str(out), "--base-url", BASE])
    assert result.exit_code == 0, result.output
    text = "\n".join(_docx_text(out.read_bytes()))
    assert "not transcripts" in text and "References" in text and BASE in text
    to_stdout = CliRunner().invoke(main, ["quotes", "consent", "--index", str(index_dir), "--format", "docx"])
    assert to_stdout.exit_code == 1 and "pass -o FILE" in to_stdout.output
    listing = CliRunner().invoke(main, ["quotes", "consent", "--index", str(index_dir), "--per-page", "1",
                                        "--style", "american-medical-association"])
    assert "AMA (Vancouver family, medicine): " in listing.output and "summary]. Presented at: " in listing.output


def test_quotes_page_shows_references_in_the_chosen_style_and_keeps_it_when_paging(client):
    page = client.get("/quotes?style=harvard-cite-them-right").get_data(as_text=True)
    assert "Available at: " + BASE in page and 'value="harvard-cite-them-right" selected' in page
    assert 'rel="next" href="/quotes?page=2&amp;style=harvard-cite-them-right"' in page
    assert 'href="/quotes/briefing?style=harvard-cite-them-right"' in page
    assert client.get("/quotes?style=mla").status_code == 400


FRAB_31C3 = """<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <conference>
    <acronym>31c3</acronym><title>31. Chaos Communication Congress</title>
    <start>2014-12-27</start><end>2014-12-30</end><days>4</days><day_change>04:00</day_change>
    <time_zone_name>Europe/Berlin</time_zone_name>
  </conference>
  <day index="1" date="2014-12-27">
    <room name="Saal 1">
      <event id="6154"><start>11:00</start><duration>01:00</duration><title>Opening event</title>
        <type>lecture</type><persons><person id="1">Erdgeist</person></persons></event>
      <event id="6155"><start>01:30</start><duration>00:30</duration><title>Late night talk</title>
        <type>lecture</type><persons><person id="2">Late Speaker</person></persons></event>
    </room>
  </day>
  <day index="4" date="2014-12-30">
    <room name="Saal 2">
      <event id="6156"><date>2014-12-30T12:45:00+01:00</date><start>12:45</start><duration>01:00</duration>
        <title>The Maker's Guide to the Zombie Apocalypse</title><type>lecture</type>
        <persons><person id="3">bunnie</person><person id="4">Xobs</person></persons></event>
    </room>
  </day>
</schedule>
"""


def test_an_imported_four_day_congress_cites_each_talk_on_its_day_with_honest_names(tmp_path):
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(SHIPPED, corpus_dir)
    schedule = tmp_path / "31c3.xml"
    schedule.write_text(FRAB_31C3, encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(schedule), "--organiser", "Chaos Computer Club", "--id", "31c3",
                                       "--corpus", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    corpus = load_corpus(corpus_dir)
    cites = {t.title: citable_for(corpus, t, f"/talks/{t.id}") for t in corpus.talks.values() if t.conference == "31c3"}
    assert {title: c.date for title, c in cites.items()} == {
        "Opening event": "2014-12-27", "Late night talk": "2014-12-28",  # after midnight, before day_change
        "The Maker's Guide to the Zombie Apocalypse": "2014-12-30"}
    zombie = cites["The Maker's Guide to the Zombie Apocalypse"]
    item = citations.csl_item(zombie, BASE)
    assert item["author"] == [{"literal": "bunnie"}, {"literal": "Xobs"}]
    assert "abstract" not in item  # the importer's placeholder is not an abstract
    for style in styles.STYLES:
        text = styles.reference_plain(item, style)
        assert "bunnie" in text and "Xobs" in text and ", ." not in text
        assert "Chaos Communication Congress: 31. Chaos" not in text
        assert any(day in text for day in ("December 30, 2014", "30 December", "2014, December 30")), text
    meta = dict(citations.highwire_meta(zombie, BASE))
    assert meta["citation_date"] == "2014/12/30" and "citation_abstract" not in meta


def test_csv_and_markdown_exports_carry_the_rights(client):
    import csv
    rows = list(csv.DictReader(io.StringIO(client.get("/api/quotes.csv?q=consent").get_data(as_text=True))))
    assert rows and all(r["rights"].startswith("Rights holder: Danish National Genome Center") for r in rows)
    markdown = client.get("/api/quotes.md?q=consent").get_data(as_text=True)
    assert "## Sources and rights" in markdown and "All rights reserved by the rights holders" in markdown


def test_serve_passes_its_base_url_to_the_app(monkeypatch, index_dir):
    import waitress
    served = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **options: served.update(app=app, **options))
    result = CliRunner().invoke(main, ["serve", "--index", str(index_dir), "--base-url", "https://a.example/"])
    assert result.exit_code == 0, result.output
    assert served["app"].config["BASE_URL"] == "https://a.example"
    unset = CliRunner(env={"CONFARCHIVE_BASE_URL": None}).invoke(main, ["serve", "--index", str(index_dir)])
    assert "Citations and canonical links use http://127.0.0.1:5000" in unset.output


def test_remembered_macros_render_every_style_as_citeproc_s_own_search(shipped, monkeypatch):
    """archive.styles keeps each style's macros once found (citeproc-py searched the style for each at every use):
    every style renders talks and quotes exactly as with citeproc-py's own search."""
    from citeproc import model

    items = [citations.csl_item(c, BASE) for c in _talks(shipped)[:6] + _quotes(shipped, every=25)]
    remembered = {style: [styles.reference_html(item, style) for item in items] for style in styles.STYLES}
    assert model.CitationStylesElement.get_macro.remembers
    monkeypatch.setattr(model.CitationStylesElement, "get_macro", model.CitationStylesElement.get_macro.searching)
    for style in styles.STYLES:
        styles.load_style.cache_clear()  # a freshly parsed style: nothing remembered on its root
        assert [styles.reference_html(item, style) for item in items] == remembered[style], style
    styles.load_style.cache_clear()
